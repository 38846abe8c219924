//! Integration tests: one binary, one module per layer.

mod signature;

//! End-to-end tests of the built page live in `tests/e2e.rs` and `tests/packages.rs` (their shared
//! harness is `tests/harness/mod.rs`). They need `dist/` (path in
//! `DRVSIG_DIST`), `/usr/bin/chromium` and `/usr/bin/chromedriver`; `cargo xtask test` provides all
//! three. Under plain `cargo test` without `DRVSIG_DIST` they print a notice and pass.

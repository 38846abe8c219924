
mod deps;

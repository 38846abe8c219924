
mod catalog;
mod inf;

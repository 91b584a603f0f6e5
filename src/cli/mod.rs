//! Command-line entry: parse once into a config, run, render the error once, map it to an exit code.

pub fn main() -> i32 {
    0
}

fn main() {
    std::process::exit(falconry::cli::main());
}

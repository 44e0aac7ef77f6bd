fn main() {
    std::process::exit(uppsikt::cli::main());
}

fn main() -> std::process::ExitCode {
    lianxin::cli::main()
}

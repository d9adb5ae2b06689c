fn main() -> std::process::ExitCode {
    lianxin::app::cli::main()
}

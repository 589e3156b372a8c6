//! The `csi` binary: everything happens in the library ([`csi::cli`]).

fn main() {
    std::process::exit(csi::cli::main_with_args(std::env::args_os()));
}

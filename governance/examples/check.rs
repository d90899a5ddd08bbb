//! `cargo run -p governance --example check -- <root> [json|sarif|github|human]`:
//! runs every rule on a repository without the xtask glue (no contract
//! generation). Handy on fixtures.

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let format =
        args.next().unwrap_or_else(|| "human".into()).parse().unwrap_or(governance::output::Format::Human);
    match governance::check(&root, &governance::Options::default()) {
        Ok(report) => {
            print!("{}", governance::output::render(&report, format));
            std::process::exit(report.exit_code());
        }
        Err(e) => {
            eprintln!("check: {e}");
            std::process::exit(3);
        }
    }
}

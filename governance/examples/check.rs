//! `cargo run -p governance --example check -- <root> [json|sarif|github|human]`:
//! runs every rule on a repository without the xtask glue (no contract
//! generation). Handy on fixtures. `DATABASE_URL=postgres://…` adds the
//! PostgreSQL schema comparison.

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let format =
        args.next().unwrap_or_else(|| "human".into()).parse().unwrap_or(governance::output::Format::Human);
    let options =
        governance::Options { database_url: std::env::var("DATABASE_URL").ok(), ..Default::default() };
    match governance::check(&root, &options) {
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

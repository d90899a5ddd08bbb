//! `charter`: Charter's tasks from a terminal, and an MCP server for agents.
//!
//! Everything here goes through `api-client`, the client generated from
//! the contract; the binary holds no task data and no rule of its own.
//!
//! - [`session`] signs in and out, keeps the tokens owner-only in the
//!   user's config directory (or takes `CHARTER_TOKEN` as given) and hands
//!   the commands a client for the signed-in user.
//! - [`commands`] runs `charter tasks …`, `charter tags …` and
//!   `charter summary`: task ids by unique prefix, edits that keep what is
//!   not given, a table or `--json`.
//! - [`tools`] is the MCP tool set: each tool names a contract operation and
//!   takes its input schema from the contract; [`mcp`] serves it with rmcp
//!   over stdio or Streamable HTTP.
//! - [`output`] prints text or `--json`; [`table`] lays text out in
//!   columns.
//! - [`failure`] turns every error into a message and an exit code scripts
//!   can branch on: 0 ok, 1 the API refused, 2 usage, 3 the server cannot
//!   be reached or nobody is signed in.

mod commands;
mod failure;
mod listing;
mod mcp;
mod output;
mod session;
mod table;
mod tools;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::failure::Failure;
use crate::output::Output;

/// Charter's tasks from a terminal, and an MCP server for agents.
#[derive(Debug, Parser)]
#[command(name = "charter", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in and keep the session in the config directory.
    Login(session::LoginArgs),
    /// Sign out here and end the session on the server.
    Logout,
    /// Show who is signed in.
    Whoami,
    /// List, add, show, edit, complete and delete tasks.
    #[command(subcommand)]
    Tasks(commands::TaskCommand),
    /// List, rename and delete tags.
    #[command(subcommand)]
    Tags(commands::TagCommand),
    /// Count tasks: pending, completed, overdue, due today, by priority and tag.
    Summary(commands::SummaryArgs),
    /// Serve Charter's task tools to an agent over MCP (stdio unless --http).
    Mcp(McpArgs),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
struct McpArgs {
    /// Serve Streamable HTTP at this address (e.g. 127.0.0.1:8765) on
    /// `/mcp`; each request must carry its caller's bearer token.
    #[arg(long, value_name = "ADDRESS")]
    http: Option<SocketAddr>,
    /// A Host the HTTP server answers (repeat for more; `host` matches any
    /// port, `host:port` one). Default: localhost, 127.0.0.1 and ::1.
    #[arg(long = "allow-host", value_name = "HOST", requires = "http")]
    allow_hosts: Vec<String>,
    /// Print the tools (name, operation, description, input schema) as
    /// JSON and exit: the list `specs/contracts/mcp-tools.json` holds.
    #[arg(long, conflicts_with = "http")]
    list_tools: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with 0, mistakes to
            // stderr with 2: the exit codes scripts expect.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { Failure::USAGE } else { 0 });
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::from(Failure::REFUSED);
        }
    };
    match runtime.block_on(run(cli.command, cli.output)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(command: Command, output: Output) -> Result<(), Failure> {
    match command {
        Command::Login(args) => session::login(args).await,
        Command::Logout => session::logout().await,
        Command::Whoami => session::whoami(output).await,
        Command::Tasks(command) => commands::tasks(command, output).await,
        Command::Tags(command) => commands::tags(command, output).await,
        Command::Summary(args) => commands::summary(args, output).await,
        Command::Mcp(args) if args.list_tools => {
            let catalogue = tools::catalogue().map_err(Failure::refused)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&catalogue).map_err(|e| Failure::refused(e.to_string()))?
            );
            Ok(())
        }
        Command::Mcp(McpArgs { http: Some(address), allow_hosts, .. }) => {
            mcp::serve_http(address, allow_hosts).await
        }
        Command::Mcp(_) => mcp::serve_stdio().await,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "charter", &mut std::io::stdout());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

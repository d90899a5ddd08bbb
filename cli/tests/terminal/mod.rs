//! A terminal of its own for each test: the real `charter` binary, with a
//! private home and config directory, pointed at a real server.

#![allow(dead_code)] // each test binary uses its own part of it

use std::path::PathBuf;
use std::process::Stdio;

use charter_tests::TestServer;
use tokio::io::AsyncWriteExt;

pub const BINARY: &str = env!("CARGO_BIN_EXE_charter");
/// The password `TestServer::user` signs up with.
pub const PASSWORD: &str = "correct horse battery";

pub struct Terminal {
    home: tempfile::TempDir,
    pub url: String,
}

/// What a run of `charter` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Terminal {
    pub fn new(server: &TestServer) -> Terminal {
        Terminal::at(&server.base_url)
    }

    pub fn at(url: &str) -> Terminal {
        Terminal { home: tempfile::tempdir().expect("temp dir"), url: url.to_owned() }
    }

    /// `charter` with nothing of the machine's: this terminal's home, and
    /// the server in `CHARTER_URL`.
    pub fn command(&self) -> tokio::process::Command {
        tokio::process::Command::from(self.std_command())
    }

    /// [`Terminal::command`], for a process the test does not await.
    pub fn std_command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(BINARY);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("CHARTER_URL", &self.url);
        command
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None, &[]).await
    }

    /// Runs `charter args…` with `stdin` as its input (none: closed) and
    /// `env` added.
    pub async fn run_with(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut child = self
            .command()
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("charter starts");
        let mut input = child.stdin.take().expect("stdin is piped");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).await.expect("write stdin");
        }
        drop(input);
        let output = child.wait_with_output().await.expect("charter runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    }

    /// Signs in as `email` with [`PASSWORD`] from `CHARTER_PASSWORD`.
    pub async fn login(&self, email: &str) {
        let run = self.run_with(&["login", "--email", email], None, &[("CHARTER_PASSWORD", PASSWORD)]).await;
        assert_eq!(run.code, 0, "{run:?}");
    }

    pub fn credentials(&self) -> PathBuf {
        self.home.path().join("config/charter/credentials.json")
    }
}

impl Run {
    /// Asserts the exit code, showing the whole run when it differs.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "{self:#?}");
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

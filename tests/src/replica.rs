//! Servers in processes of their own on one PostgreSQL database: replicas
//! behind a load balancer, as production runs them.

use std::process::{Command, Stdio};
use std::time::Duration;

use api_client::Client;
use machine::ChildGuard;

use crate::TEST_SECRET;

/// A `charter-replica` process, killed when dropped.
pub struct ReplicaProcess {
    /// Held for its drop: the process ends with this value.
    _child: ChildGuard,
    pub base_url: String,
    log: machine::ChildLog,
    _data_dir: tempfile::TempDir,
}

impl ReplicaProcess {
    /// Starts `binary` (the tests' `env!("CARGO_BIN_EXE_charter-replica")`,
    /// which Cargo defines for test targets only) on `database_url` with
    /// these extra environment variables, and waits until it listens.
    pub fn start(binary: &str, database_url: &str, env: &[(&str, &str)]) -> ReplicaProcess {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut child = ChildGuard(
            Command::new(binary)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("CHARTER_BIND", "127.0.0.1:0")
                .env("CHARTER_DATA_DIR", data_dir.path())
                .env("CHARTER_LOG", "info")
                .env("DATABASE_URL", database_url)
                .env("BETTER_AUTH_SECRET", TEST_SECRET)
                .env("CHARTER_AUTH_ADDRESS_LIMIT", "100000")
                .env("CHARTER_DB_MAX_CONNECTIONS", "4")
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("charter-replica starts"),
        );
        let log = machine::ChildLog::follow(&mut child.0, "listening on http://").expect("stderr is piped");
        let Some(address) = log.marked(Duration::from_secs(60)) else {
            panic!("the replica did not start listening:\n{}", log.text())
        };
        ReplicaProcess { _child: child, base_url: format!("http://{address}"), log, _data_dir: data_dir }
    }

    /// A client of this replica with no session.
    pub fn client(&self) -> Client {
        Client::with_auth(&self.base_url)
    }

    /// Everything the process has logged so far.
    pub fn log(&self) -> String {
        self.log.text()
    }
}

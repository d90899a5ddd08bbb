//! A real Better Auth server for the tests (007-better-auth-backend
//! FR-007): `tests/better-auth/server.mjs` (email and password, the JWT
//! plugin) run by Node on a PostgreSQL database of its own. Its npm
//! packages are installed once into the target directory (outside the
//! checkout), from `tests/better-auth/package.json`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use machine::{ChildGuard, ChildLog, find_program, free_port, in_ci};

/// The secret Better Auth encrypts its private keys with in the tests.
const SECRET: &str = "better-auth-test-secret-0123456789abcdef";

/// A running Better Auth, stopped when dropped.
pub struct BetterAuth {
    /// Held for its drop: the process ends with this value.
    _child: ChildGuard,
    pub base_url: String,
    log: ChildLog,
}

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("better-auth")
}

/// Where the packages are installed: `<target>/better-auth`, beside the
/// test binaries' directory.
fn install_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // <target>/<profile>/deps/<binary>
    let target = exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
    target.join("better-auth")
}

/// Installs the server and its packages (once), or says why it cannot.
fn install() -> Result<(PathBuf, PathBuf), String> {
    let node = find_program(&["node"]).ok_or("Node.js (`node`) is not installed")?;
    let npm = find_program(&["npm"]).ok_or("npm is not installed")?;
    let dir = install_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for file in ["package.json", "server.mjs"] {
        std::fs::copy(source_dir().join(file), dir.join(file))
            .map_err(|e| format!("cannot copy {file}: {e}"))?;
    }
    if !dir.join("node_modules/better-auth/package.json").is_file() {
        let status = Command::new(npm)
            .args(["install", "--no-audit", "--no-fund", "--no-package-lock"])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("npm install failed to start: {e}"))?;
        if !status.success() {
            return Err(format!("npm install in {} failed: {status}", dir.display()));
        }
    }
    Ok((node, dir))
}

impl BetterAuth {
    /// Starts Better Auth on `database_url`; `None` (after saying why) when
    /// Node is missing outside CI.
    pub fn start(database_url: &str) -> Option<BetterAuth> {
        let (node, dir) = match install() {
            Ok(installed) => installed,
            Err(why) if in_ci() => panic!("Better Auth is required in CI (CI is set) but {why}"),
            Err(why) => {
                eprintln!("skipping a Better Auth test: {why}");
                return None;
            }
        };
        let port = free_port().expect("a free port");
        let mut child = ChildGuard(
            Command::new(node)
                .arg(dir.join("server.mjs"))
                .current_dir(&dir)
                .env("PORT", port.to_string())
                .env("DATABASE_URL", database_url)
                .env("BETTER_AUTH_SECRET", SECRET)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("node starts"),
        );
        let log = ChildLog::follow(&mut child.0, "listening on ").expect("stderr is piped");
        let Some(base_url) = log.marked(Duration::from_secs(60)) else {
            panic!("Better Auth did not start:\n{}", log.text())
        };
        Some(BetterAuth { _child: child, base_url, log })
    }

    /// Its JWKS URL.
    pub fn jwks_url(&self) -> String {
        format!("{}/api/auth/jwks", self.base_url)
    }

    /// Signs a user up with email and password; answers the user's id and
    /// a JWT for them (`GET /api/auth/token` with the session).
    pub async fn sign_up(&self, name: &str, email: &str) -> (String, String) {
        let http = reqwest::Client::new();
        let body = serde_json::json!({ "email": email, "password": "correct horse battery", "name": name });
        let response = http
            .post(format!("{}/api/auth/sign-up/email", self.base_url))
            // Better Auth refuses requests without a trusted Origin (403).
            .header("origin", &self.base_url)
            .json(&body)
            .send()
            .await
            .expect("sign-up request");
        assert!(response.status().is_success(), "sign-up: {}\n{}", response.status(), self.log.text());
        let cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next().map(str::to_owned))
            .collect();
        let user: serde_json::Value = response.json().await.expect("sign-up body");
        let id = user["user"]["id"].as_str().expect("a user id").to_owned();
        let token = self.token(&cookies.join("; ")).await;
        (id, token)
    }

    /// A JWT for the session in `cookie`.
    pub async fn token(&self, cookie: &str) -> String {
        let answer: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/api/auth/token", self.base_url))
            .header("origin", &self.base_url)
            .header("cookie", cookie)
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token body");
        answer["token"].as_str().unwrap_or_else(|| panic!("a token: {answer}")).to_owned()
    }

    /// Makes a new signing key (Better Auth's `createJwk`); answers its id.
    pub async fn new_key(&self) -> String {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/test/key", self.base_url))
            .send()
            .await
            .expect("key request")
            .json()
            .await
            .expect("key body");
        answer["kid"].as_str().expect("a kid").to_owned()
    }

    /// Signs `claims` with the current key (Better Auth's `signJWT`).
    pub async fn sign(&self, claims: serde_json::Value) -> String {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/test/sign", self.base_url))
            .json(&claims)
            .send()
            .await
            .expect("sign request")
            .json()
            .await
            .expect("sign body");
        answer["token"].as_str().unwrap_or_else(|| panic!("a token: {answer}")).to_owned()
    }
}

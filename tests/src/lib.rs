//! The test harness: a real Charter server on a real port, on SQLite or
//! PostgreSQL, driven through the generated `api-client`.
//!
//! Each test starts its own server in-process on `127.0.0.1:0`. SQLite tests
//! get a fresh data directory each; PostgreSQL tests share one fresh database
//! per test run (the process), created on first use and isolated by the
//! random users each test signs up.
//!
//! PostgreSQL is found at `TEST_DATABASE_URL`, else
//! `postgres://postgres@127.0.0.1:5432/test`. When it cannot be reached the
//! PostgreSQL half of the suite is skipped with a message, unless `CI` is
//! set: then it fails.

pub mod better_auth;
pub mod replica;

use std::sync::OnceLock;

use api_client::Client;
use api_client::types::{AuthSession, SignUpRequest};
use api_server::Secret;
use api_server::config::{Config, LogLevel};
use sqlx::Connection;

/// The signing secret every test server uses, so tests can mint tokens the
/// way another program sharing the secret would.
pub const TEST_SECRET: &str = "charter-test-secret-0123456789abcdefghijklmnop";

pub struct TestServer {
    pub base_url: String,
    pub server: api_server::Server,
    /// Kept for the server's lifetime: a temporary data directory.
    _data_dir: tempfile::TempDir,
    /// The data directory the server uses: its own, or a sibling's.
    data_path: std::path::PathBuf,
    pub backend: &'static str,
    pub database_url: Option<String>,
}

impl TestServer {
    pub async fn sqlite() -> TestServer {
        Self::start(None, 900).await
    }

    /// A server on this run's PostgreSQL database, or `None` (after saying
    /// why) when there is none outside CI.
    pub async fn postgres() -> Option<TestServer> {
        let url = postgres_url()?;
        Some(Self::start(Some(url), 900).await)
    }

    pub async fn start(database_url: Option<String>, access_token_ttl: u32) -> TestServer {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config();
        config.data_dir = data_dir.path().to_path_buf();
        config.database_url = database_url.clone();
        config.access_token_ttl = access_token_ttl;
        Self::start_with(config, data_dir, database_url).await
    }

    /// A server with a configuration of the test's own, from
    /// [`test_config`].
    pub async fn with_config(config: Config) -> TestServer {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut config = config;
        config.data_dir = data_dir.path().to_path_buf();
        let database_url = config.database_url.clone();
        Self::start_with(config, data_dir, database_url).await
    }

    async fn start_with(
        config: Config,
        data_dir: tempfile::TempDir,
        database_url: Option<String>,
    ) -> TestServer {
        let log = api_server::logger(&config).expect("logger");
        let server = api_server::start(&config, log).await.expect("server starts");
        let base_url = format!("http://{}", server.local_addr());
        let backend = if database_url.is_some() { "postgres" } else { "sqlite" };
        let data_path = config.data_dir.clone();
        TestServer { base_url, server, _data_dir: data_dir, data_path, backend, database_url }
    }

    /// Another server on this one's database (on SQLite, the same file),
    /// configured as `tweak` says: the servers share everything stored,
    /// throttling counts included, as replicas behind a load balancer do.
    pub async fn sibling(&self, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let mut config = test_config();
        config.database_url = self.database_url.clone();
        tweak(&mut config);
        match &self.database_url {
            Some(_) => Self::with_config(config).await,
            // SQLite lives in the data directory: share this server's.
            None => {
                config.data_dir = self.data_path.clone();
                let data_dir = tempfile::tempdir().expect("temp dir");
                Self::start_with(config, data_dir, None).await
            }
        }
    }

    /// A client with no session.
    pub fn client(&self) -> Client {
        Client::with_auth(&self.base_url)
    }

    /// Signs up a new user with a unique email; answers a client holding
    /// the session, and the session.
    pub async fn user(&self, name: &str) -> (Client, AuthSession) {
        let client = self.client();
        let email = format!("{}-{}@example.com", name.to_lowercase(), uuid::Uuid::new_v4().simple());
        let session = client
            .auth_sign_up()
            .body(SignUpRequest { email, password: "correct horse battery".into(), name: name.into() })
            .send()
            .await
            .expect("sign-up succeeds")
            .into_inner();
        client.auth().set_session(&session);
        (client, session)
    }
}

/// The configuration every test server starts from: the defaults, on an
/// ephemeral port, quiet, with [`TEST_SECRET`]. The suite signs up
/// hundreds of users from 127.0.0.1, so the per-address throttle is lifted;
/// the throttling tests set their own limits.
pub fn test_config() -> Config {
    use clap::Parser;
    let mut config = Config::parse_from(["charter-server"]);
    config.bind = "127.0.0.1:0".parse().expect("address");
    config.database_url = None;
    config.db_max_connections = 4;
    config.log = LogLevel::Error;
    config.web_dir = std::path::PathBuf::from("../web/dist");
    config.secret = Some(Secret(TEST_SECRET.to_owned()));
    config.auth_address_limit = u32::MAX;
    // The reuse-detection tests replay a refresh token at once; the grace
    // period's own tests turn it back on.
    config.refresh_grace = 0;
    config
}

/// A raw request, for what the typed client cannot send.
pub async fn raw(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let client = reqwest::Client::new();
    let mut request = client.request(method, format!("{}{path}", server.base_url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some((content_type, bytes)) = body {
        request = request.header("content-type", content_type).body(bytes);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let value = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    (status, headers, value)
}

/// An access token signed as any program holding `secret` would.
pub fn mint(claims: serde_json::Value, algorithm: jsonwebtoken::Algorithm, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(algorithm),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("encode")
}

/// Whether this is a CI run, where nothing may be skipped.
pub use machine::in_ci;

/// The URL of this run's fresh PostgreSQL database, created once; `None`
/// (after saying why) when there is none outside CI.
pub fn postgres_url() -> Option<String> {
    static DATABASE: OnceLock<Result<String, String>> = OnceLock::new();
    let result = DATABASE.get_or_init(|| {
        // Its own thread and runtime: tests run on many runtimes, and the
        // database outlives any one of them.
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(create_database())
        })
        .join()
        .unwrap_or_else(|_| Err("creating the database panicked".into()))
    });
    match result {
        Ok(url) => Some(url.clone()),
        Err(why) if in_ci() => panic!("PostgreSQL is required in CI (CI is set) but {why}"),
        Err(why) => {
            eprintln!("skipping PostgreSQL tests: {why} (set TEST_DATABASE_URL to run them)");
            None
        }
    }
}

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

async fn admin_connection() -> Result<sqlx::PgConnection, String> {
    let url = admin_url();
    sqlx::PgConnection::connect(&url).await.map_err(|e| format!("cannot connect to {}: {e}", redact(&url)))
}

/// A database of its own for a test that breaks it, or `None` (after
/// saying why) when PostgreSQL is missing outside CI.
pub async fn private_postgres_database() -> Option<String> {
    match create_database().await {
        Ok(url) => Some(url),
        Err(why) if in_ci() => panic!("PostgreSQL is required in CI (CI is set) but {why}"),
        Err(why) => {
            eprintln!("skipping a PostgreSQL test: {why}");
            None
        }
    }
}

/// Drops a database made by [`private_postgres_database`], closing the
/// connections still open to it.
pub async fn drop_postgres_database(url: &str) -> Result<(), String> {
    let name = url.rsplit_once('/').map(|(_, rest)| rest.split('?').next().unwrap_or(rest)).unwrap_or("");
    if !name.starts_with("charter_test_") {
        return Err(format!("refusing to drop {name}: not a test database"));
    }
    let mut admin = admin_connection().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
        .execute(&mut admin)
        .await
        .map_err(|e| format!("cannot drop {name}: {e}"))?;
    Ok(())
}

async fn create_database() -> Result<String, String> {
    let admin_url = admin_url();
    let mut admin = admin_connection().await?;
    drop_abandoned_databases(&mut admin).await;
    let name = format!("charter_test_{}_{}", std::process::id(), uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .map_err(|e| format!("cannot create a test database: {e}"))?;
    let (prefix, rest) = admin_url.rsplit_once('/').ok_or("TEST_DATABASE_URL has no database name")?;
    let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    Ok(format!("{prefix}/{name}{query}"))
}

/// Test databases are named after the process that made them; those whose
/// process is gone are dropped, so runs do not pile them up.
async fn drop_abandoned_databases(admin: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'charter\\_test\\_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name.trim_start_matches("charter_test_").split('_').next().unwrap_or("");
        let alive = !pid.is_empty() && std::path::Path::new("/proc").join(pid).exists();
        let safe = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !alive && safe {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut *admin)
                .await;
        }
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

/// One scenario, written once and run on both backends:
///
/// ```ignore
/// backend_test!(sign_out_ends_the_session, async |server| {
///     let (client, session) = server.user("Otto").await;
///     // …
/// });
/// ```
///
/// makes the module `sign_out_ends_the_session` with two tests, `sqlite`
/// and `postgres`, each giving the body a fresh [`TestServer`] of its
/// backend (PostgreSQL's is skipped with a message outside CI when there is
/// no server, and required in CI). The body sees the enclosing module's
/// items.
#[macro_export]
macro_rules! backend_test {
    ($name:ident, async |$server:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn scenario($server: &$crate::TestServer) $body

            #[tokio::test]
            async fn sqlite() {
                let server = $crate::TestServer::sqlite().await;
                scenario(&server).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(server) = $crate::TestServer::postgres().await else { return };
                scenario(&server).await;
            }
        }
    };
}

//! The server's configuration: read once, from flags and the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// How the server is run. Every flag has an environment variable; a flag
/// wins over its variable.
#[derive(Clone, Debug, Parser)]
#[command(name = "charter-server", version, about = "Charter's API server")]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "CHARTER_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    /// Directory for the SQLite database and the generated signing secret.
    #[arg(long, env = "CHARTER_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// `postgres://…` to use PostgreSQL; `sqlite://…` for another SQLite
    /// file. Unset: SQLite in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "CHARTER_ACCESS_TOKEN_TTL", default_value_t = 900,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub access_token_ttl: u32,

    /// Most database connections the server holds open.
    #[arg(long, env = "CHARTER_DB_MAX_CONNECTIONS", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub db_max_connections: u32,

    /// The built web app (`cargo xtask web` writes it), served at `/`.
    #[arg(long, env = "CHARTER_WEB_DIR", default_value = "web/dist")]
    pub web_dir: PathBuf,

    /// Log level.
    #[arg(long, env = "CHARTER_LOG", value_enum, default_value_t = LogLevel::Info)]
    pub log: LogLevel,

    /// Seconds a connection may take to send a complete request head, from
    /// the moment it opens and again after each response; then it is
    /// closed. Fractions allowed.
    #[arg(long, env = "CHARTER_HEADER_TIMEOUT", default_value = "10", value_parser = parse_seconds)]
    pub header_timeout: Duration,

    /// Most connections open at once. Unset: the file-descriptor limit less
    /// a reserve for the database and the process.
    #[arg(long, env = "CHARTER_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,

    /// Seconds during which a just-rotated refresh token still gets new
    /// tokens of its session (two tabs refreshing at once); 0 disables.
    #[arg(long, env = "CHARTER_REFRESH_GRACE", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(0..=3600))]
    pub refresh_grace: u32,

    /// Sign-in attempts allowed for one email per account window.
    #[arg(long, env = "CHARTER_SIGN_IN_ACCOUNT_LIMIT", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub sign_in_account_limit: u32,

    /// Length of the per-account sign-in window, in seconds.
    #[arg(long, env = "CHARTER_SIGN_IN_ACCOUNT_WINDOW", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub sign_in_account_window: u32,

    /// Sign-in and sign-up requests allowed from one client address per
    /// address window.
    #[arg(long, env = "CHARTER_AUTH_ADDRESS_LIMIT", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub auth_address_limit: u32,

    /// Length of the per-address window, in seconds.
    #[arg(long, env = "CHARTER_AUTH_ADDRESS_WINDOW", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub auth_address_window: u32,

    /// A header, set by a trusted reverse proxy, whose last address is the
    /// client's (e.g. `X-Forwarded-For`). Unset: the connection's peer.
    /// Set it only behind a proxy that overwrites or appends to it.
    #[arg(long, env = "CHARTER_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// SQLite only: seconds without writes after which the write-ahead log
    /// is checkpointed and truncated. Fractions allowed.
    #[arg(long, env = "CHARTER_WAL_CHECKPOINT_IDLE", default_value = "1", value_parser = parse_seconds)]
    pub wal_checkpoint_idle: Duration,

    /// How long, in seconds, tombstones of deleted tasks and reminders that
    /// came due are kept for sync and event streams (a cursor older than
    /// that answers 410).
    #[arg(long, env = "CHARTER_CHANGE_RETENTION", default_value_t = 30 * 24 * 60 * 60,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub change_retention: u32,

    /// JWKS URL of an identity provider (Better Auth: `<its base
    /// URL>/api/auth/jwks`) whose JWTs this server accepts beside its own;
    /// their users are created on their first request.
    #[arg(long, env = "CHARTER_JWKS_URL")]
    pub jwks_url: Option<String>,

    /// Issuers (`iss`) accepted in the identity provider's tokens,
    /// comma-separated. Default: the JWKS URL's origin.
    #[arg(long, env = "CHARTER_JWT_ISSUER", value_delimiter = ',')]
    pub jwt_issuer: Vec<String>,

    /// Audiences (`aud`) accepted in the identity provider's tokens,
    /// comma-separated. Default: the JWKS URL's origin.
    #[arg(long, env = "CHARTER_JWT_AUDIENCE", value_delimiter = ',')]
    pub jwt_audience: Vec<String>,

    /// Signing algorithms accepted in the identity provider's tokens,
    /// comma-separated. Default: EdDSA, ES256, PS256, RS256.
    #[arg(long, env = "CHARTER_JWT_ALGORITHMS", value_delimiter = ',')]
    pub jwt_algorithms: Vec<String>,

    /// The key that signs access tokens (HS256). Read from the environment
    /// only, never from a flag (flags are visible to other users in `ps`).
    /// Unset: generated once and kept in `<data dir>/auth-secret`.
    #[arg(skip = std::env::var("BETTER_AUTH_SECRET").ok().map(Secret))]
    pub secret: Option<Secret>,
}

/// A positive number of seconds, fractions allowed, at most an hour.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.trim().parse().map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err(format!("{text} must be more than 0 and at most 3600 seconds"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Config;

    // spec: 001-task-service#FR-036
    #[test]
    fn defaults_and_flags() {
        // Environment variables would change the defaults under test.
        for var in [
            "CHARTER_BIND",
            "CHARTER_DATA_DIR",
            "DATABASE_URL",
            "CHARTER_ACCESS_TOKEN_TTL",
            "CHARTER_HEADER_TIMEOUT",
        ] {
            if std::env::var_os(var).is_some() {
                eprintln!("{var} is set; defaults not checked");
                return;
            }
        }
        let config = Config::try_parse_from(["charter-server"]).expect("no flags needed");
        assert_eq!(config.bind.to_string(), "127.0.0.1:8000");
        assert_eq!(config.data_dir, std::path::PathBuf::from("data"));
        assert_eq!((config.database_url, config.access_token_ttl), (None, 900));
        let config = Config::try_parse_from(["charter-server", "--bind", "0.0.0.0:9000"]).expect("flag");
        assert_eq!(config.bind.to_string(), "0.0.0.0:9000");
        assert!(Config::try_parse_from(["charter-server", "--access-token-ttl", "0"]).is_err());
        let config =
            Config::try_parse_from(["charter-server", "--header-timeout", "0.25"]).expect("fraction");
        assert_eq!(config.header_timeout, std::time::Duration::from_millis(250));
        assert!(Config::try_parse_from(["charter-server", "--header-timeout", "0"]).is_err());
        assert!(Config::try_parse_from(["charter-server", "--header-timeout", "soon"]).is_err());
    }

    #[test]
    fn the_secret_never_prints() {
        assert_eq!(format!("{:?}", super::Secret("hunter2".into())), "Secret(..)");
    }
}

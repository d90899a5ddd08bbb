//! Credentials: password hashes, access tokens, refresh tokens, the signing
//! secret.
//!
//! - Passwords: Argon2id with the `argon2` crate's defaults (19 MiB, t=2,
//!   p=1, OWASP's recommendation), hashed off the async threads, at most a
//!   few at a time so a burst of sign-ins cannot exhaust memory.
//! - Access tokens: JWT, HS256 only, `sub` and `exp` required. Verifying one
//!   needs no database, so authenticating a request costs no round trip.
//! - Refresh tokens: 256 random bits; only their SHA-256 is stored.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::config::Secret;
use crate::error::Error;

/// The shortest signing secret accepted, in bytes (HS256 wants at least
/// 256 bits of key).
pub const MIN_SECRET_BYTES: usize = 32;

/// Hashes and verifies passwords.
pub struct Passwords {
    permits: Semaphore,
    /// A real hash of a random password, verified against when an email is
    /// unknown so that sign-in takes as long as for a known one.
    decoy: String,
}

impl Passwords {
    pub fn new() -> Result<Self, Error> {
        let parallelism = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut random = [0u8; 16];
        rand::rng().fill_bytes(&mut random);
        let decoy = hash_now(&URL_SAFE_NO_PAD.encode(random))?;
        Ok(Passwords { permits: Semaphore::new(parallelism * 2), decoy })
    }

    pub async fn hash(&self, password: String) -> Result<String, Error> {
        let _permit = self.permit().await?;
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .map_err(|e| Error::internal("the password hashing task failed", e))?
    }

    /// Whether `password` matches `hash`; with no hash, checks against the
    /// decoy and answers false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, Error> {
        let _permit = self.permit().await?;
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.clone());
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .map_err(|e| Error::internal("the password verification task failed", e))?;
        Ok(known && matches)
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, Error> {
        // Waiting longer than this means the server is overloaded with
        // sign-ins: answer 429 rather than queue without bound.
        match tokio::time::timeout(Duration::from_secs(5), self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Error::Busy),
        }
    }
}

fn hash_now(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal("hashing a password failed", e))
}

/// The longest lifetime an access token may claim (RFC 8725 §3.10 asks
/// for a bound); the lifetime setting cannot exceed it either.
const MAX_TOKEN_LIFETIME_SECONDS: i64 = 24 * 60 * 60;

/// The claims Charter reads from an access token. Tokens minted elsewhere
/// with the same secret may carry more; they are ignored.
///
/// `sub` and `exp` are required, but optional here: jsonwebtoken reads the
/// claims before it checks which are missing, and a refusal should say
/// which one is.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Option<String>,
    exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
}

/// Issues and verifies access tokens.
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    header: Header,
    ttl: chrono::Duration,
}

impl AccessTokens {
    pub fn new(secret: &Secret, ttl_seconds: u32) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        // Tokens from other programs (e.g. Better Auth) may name an
        // audience; Charter has none of its own to insist on.
        validation.validate_aud = false;
        validation.leeway = 0;
        // A token from elsewhere may say when it starts being valid.
        validation.validate_nbf = true;
        AccessTokens {
            encoding: EncodingKey::from_secret(secret.0.as_bytes()),
            decoding: DecodingKey::from_secret(secret.0.as_bytes()),
            validation,
            header: Header::new(Algorithm::HS256),
            ttl: chrono::Duration::seconds(i64::from(ttl_seconds)),
        }
    }

    pub fn issue(&self, user_id: &str, now: DateTime<Utc>) -> Result<(String, DateTime<Utc>), Error> {
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: Some(user_id.to_owned()),
            exp: Some(expires_at.timestamp()),
            iat: Some(now.timestamp()),
        };
        let token = jsonwebtoken::encode(&self.header, &claims, &self.encoding)
            .map_err(|e| Error::internal("signing an access token failed", e))?;
        Ok((token, expires_at))
    }

    /// The user an access token was issued to. Besides the signature,
    /// algorithm and time checks, RFC 8725's: no `crit` extension (Charter
    /// understands none), a lifetime of at most a day, and the subject in
    /// the one form Charter issues. A refusal says which check failed.
    pub fn verify(&self, token: &str) -> Result<String, Error> {
        self.verify_with_expiry(token).map(|(subject, _)| subject)
    }

    /// [`AccessTokens::verify`], with the token's expiry (Unix seconds):
    /// what a stream that outlives one request must end at.
    pub fn verify_with_expiry(&self, token: &str) -> Result<(String, i64), Error> {
        use jsonwebtoken::errors::ErrorKind;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            Error::Unauthenticated(match e.kind() {
                ErrorKind::ExpiredSignature => "the access token has expired; refresh it or sign in again",
                ErrorKind::ImmatureSignature => {
                    "the access token is not valid yet (its nbf is in the future)"
                }
                ErrorKind::InvalidSignature => "the access token's signature is not valid",
                ErrorKind::InvalidAlgorithm => "the access token must be signed with HS256",
                ErrorKind::MissingRequiredClaim(claim) if claim == "sub" => {
                    "the access token has no subject (sub)"
                }
                ErrorKind::MissingRequiredClaim(claim) if claim == "exp" => {
                    "the access token has no expiry (exp)"
                }
                ErrorKind::MissingRequiredClaim(_) => "the access token lacks a required claim (sub, exp)",
                _ => "the access token is malformed",
            })
        })?;
        if data.header.crit.is_some() {
            return Err(Error::Unauthenticated(
                "the access token names critical header extensions (crit), which Charter does not support",
            ));
        }
        // Validation has checked that both are present.
        let (Some(subject), Some(expires)) = (data.claims.sub, data.claims.exp) else {
            return Err(Error::Unauthenticated("the access token lacks a required claim (sub, exp)"));
        };
        let issued = data.claims.iat.unwrap_or_else(|| Utc::now().timestamp());
        if expires.saturating_sub(issued) > MAX_TOKEN_LIFETIME_SECONDS {
            return Err(Error::Unauthenticated("the access token lives longer than 24 hours (exp - iat)"));
        }
        if !charter_domain::account::is_user_id(&subject) {
            return Err(Error::Unauthenticated(
                "the access token's subject (sub) is not a user id: 1 to 64 letters, digits, `_` or `-`",
            ));
        }
        Ok((subject, expires))
    }
}

/// A fresh refresh token and the hash to store for it.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

/// What is stored for a refresh token: its SHA-256. The token has 256 bits
/// of entropy, so a fast hash is enough; a leaked table reveals no token.
pub fn hash_refresh_token(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// Why the signing secret cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the signing secret from {origin} is shorter than {MIN_SECRET_BYTES} bytes; \
         use a random one, e.g. `openssl rand -base64 48`"
    )]
    TooShort { origin: String },
    #[error("cannot read the signing secret in {}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write a new signing secret to {}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Where the signing secret comes from, for the start-up message.
pub enum SecretSource {
    Environment,
    Existing(PathBuf),
    Generated(PathBuf),
}

/// The signing secret: `BETTER_AUTH_SECRET`, else the one kept in the data
/// directory, else a new one written there with owner-only permissions.
pub fn load_secret(
    configured: Option<&Secret>,
    data_dir: &Path,
) -> Result<(Arc<Secret>, SecretSource), SecretError> {
    if let Some(secret) = configured {
        check_secret_length(secret, "BETTER_AUTH_SECRET")?;
        return Ok((Arc::new(secret.clone()), SecretSource::Environment));
    }
    let path = data_dir.join("auth-secret");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let secret = Secret(text.trim().to_owned());
            check_secret_length(&secret, &path.display().to_string())?;
            Ok((Arc::new(secret), SecretSource::Existing(path)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 48];
            rand::rng().fill_bytes(&mut bytes);
            let secret = Secret(URL_SAFE_NO_PAD.encode(bytes));
            write_private(&path, &secret.0)
                .map_err(|source| SecretError::Write { path: path.clone(), source })?;
            Ok((Arc::new(secret), SecretSource::Generated(path)))
        }
        Err(source) => Err(SecretError::Read { path, source }),
    }
}

fn check_secret_length(secret: &Secret, origin: &str) -> Result<(), SecretError> {
    if secret.0.len() < MIN_SECRET_BYTES {
        return Err(SecretError::TooShort { origin: origin.to_owned() });
    }
    Ok(())
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec: 001-task-service#FR-035
    #[test]
    fn a_missing_secret_is_generated_once_owner_only_and_reused() {
        let dir = std::env::temp_dir().join(format!("charter-secret-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (first, source) = load_secret(None, &dir).expect("generated");
        assert!(matches!(source, SecretSource::Generated(_)));
        assert!(first.0.len() >= MIN_SECRET_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("auth-secret")).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "owner-only");
        }
        let (again, source) = load_secret(None, &dir).expect("reused");
        assert!(matches!(source, SecretSource::Existing(_)));
        assert_eq!(first, again);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_short_configured_secret_is_refused() {
        let short = Secret("too short".into());
        assert!(load_secret(Some(&short), Path::new("/nonexistent")).is_err());
    }

    // spec: 001-task-service#FR-011
    #[test]
    fn tokens_round_trip_and_expire() {
        let tokens = AccessTokens::new(&Secret("x".repeat(MIN_SECRET_BYTES)), 900);
        let user = uuid::Uuid::now_v7().to_string();
        let (token, expires) = tokens.issue(&user, Utc::now()).expect("issue");
        assert_eq!(tokens.verify(&token).expect("verify"), user);
        assert!(expires > Utc::now() + chrono::Duration::seconds(890));
        let (old, _) = tokens.issue(&user, Utc::now() - chrono::Duration::seconds(901)).expect("issue");
        assert!(matches!(tokens.verify(&old), Err(Error::Unauthenticated(_))));
    }
}

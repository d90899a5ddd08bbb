//! An identity provider's signing keys (007-better-auth-backend FR-001,
//! FR-002): a front end that signs people in with Better Auth sends the
//! JWTs its JWT plugin issues, signed with keys published at a JWKS URL.
//!
//! A token names its key by `kid`. The key set is fetched when a token
//! names a key not held, at most once per [`REFETCH_AFTER`], so a key the
//! provider adds is used within that time without a restart, and keys it
//! still publishes keep working. When the set cannot be fetched and no key
//! held matches, the answer is 503: the token may well be fine.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::Deserialize;
use tokio::sync::RwLock;

use crate::error::Error;

/// The least time between two fetches of the key set.
pub const REFETCH_AFTER: Duration = Duration::from_secs(30);
/// How long a fetch of the key set may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The algorithms accepted unless configured otherwise: what Better Auth's
/// JWT plugin can sign with, but ES512, which `jsonwebtoken` does not
/// verify.
pub const DEFAULT_ALGORITHMS: [Algorithm; 4] =
    [Algorithm::EdDSA, Algorithm::ES256, Algorithm::PS256, Algorithm::RS256];
/// The longest lifetime accepted (`exp - iat`), as for Charter's own.
const MAX_LIFETIME_SECONDS: i64 = 24 * 60 * 60;

/// Where the keys are, and what their tokens must say.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    pub jwks_url: String,
    pub issuers: Vec<String>,
    pub audiences: Vec<String>,
    pub algorithms: Vec<Algorithm>,
}

/// What a provider's token says of its user.
#[derive(Debug)]
pub struct ProviderClaims {
    pub subject: String,
    pub expires: i64,
    pub email: Option<String>,
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    exp: Option<i64>,
    iat: Option<i64>,
    email: Option<String>,
    name: Option<String>,
}

/// The key set as last fetched.
struct Held {
    keys: JwkSet,
    fetched: Option<Instant>,
    /// Whether the last fetch failed.
    unreachable: bool,
}

pub struct ProviderKeys {
    settings: ProviderSettings,
    http: reqwest::Client,
    /// Read by every verification; written only by a fetch, so a slow key
    /// server delays the tokens whose key is unknown, not the others.
    held: RwLock<Held>,
}

impl ProviderKeys {
    pub fn new(settings: ProviderSettings) -> Result<ProviderKeys, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(FETCH_TIMEOUT).build()?;
        Ok(ProviderKeys {
            settings,
            http,
            held: RwLock::new(Held { keys: JwkSet { keys: Vec::new() }, fetched: None, unreachable: false }),
        })
    }

    /// Whether `header` is of a token for the provider: signed by an
    /// algorithm it uses rather than Charter's HS256.
    pub fn signs(&self, header: &Header) -> bool {
        header.alg != Algorithm::HS256
    }

    /// Verifies a provider's token: its key by `kid`, algorithm, signature,
    /// issuer, audience, expiry, lifetime and subject.
    pub async fn verify(&self, token: &str, header: &Header) -> Result<ProviderClaims, Error> {
        use jsonwebtoken::errors::ErrorKind;
        if !self.settings.algorithms.contains(&header.alg) {
            return Err(Error::Unauthenticated(
                "the access token's algorithm is not one this server accepts",
            ));
        }
        let Some(kid) = header.kid.as_deref() else {
            return Err(Error::Unauthenticated("the access token names no key (kid)"));
        };
        let jwk = self.key(kid).await?;
        let key_algorithm = jwk.common.key_algorithm.and_then(|a| a.to_string().parse::<Algorithm>().ok());
        if key_algorithm.is_some_and(|alg| alg != header.alg) {
            return Err(Error::Unauthenticated("the access token's algorithm is not its key's"));
        }
        let key = DecodingKey::from_jwk(&jwk)
            .map_err(|_| Error::Unauthenticated("the access token's key cannot verify it"))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&self.settings.issuers);
        validation.set_audience(&self.settings.audiences);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            Error::Unauthenticated(match e.kind() {
                ErrorKind::ExpiredSignature => "the access token has expired; get a new one",
                ErrorKind::ImmatureSignature => {
                    "the access token is not valid yet (its nbf is in the future)"
                }
                ErrorKind::InvalidSignature => "the access token's signature is not valid",
                ErrorKind::InvalidIssuer => "the access token's issuer (iss) is not one this server accepts",
                ErrorKind::InvalidAudience => {
                    "the access token's audience (aud) is not one this server accepts"
                }
                ErrorKind::MissingRequiredClaim(_) => {
                    "the access token lacks a required claim (sub, exp, iss, aud)"
                }
                _ => "the access token is malformed",
            })
        })?;
        if data.header.crit.is_some() {
            return Err(Error::Unauthenticated(
                "the access token names critical header extensions (crit), which Charter does not support",
            ));
        }
        let claims = data.claims;
        let (Some(subject), Some(expires)) = (claims.sub, claims.exp) else {
            return Err(Error::Unauthenticated(
                "the access token lacks a required claim (sub, exp, iss, aud)",
            ));
        };
        let issued = claims.iat.unwrap_or_else(|| chrono::Utc::now().timestamp());
        if expires.saturating_sub(issued) > MAX_LIFETIME_SECONDS {
            return Err(Error::Unauthenticated("the access token lives longer than 24 hours (exp - iat)"));
        }
        if !charter_domain::account::is_user_id(&subject) {
            return Err(Error::Unauthenticated(
                "the access token's subject (sub) is not a user id: 1 to 64 letters, digits, `_` or `-`",
            ));
        }
        Ok(ProviderClaims { subject, expires, email: claims.email, name: claims.name })
    }

    /// The key `kid`: held, or fetched when it is not and the last fetch
    /// is old enough.
    async fn key(&self, kid: &str) -> Result<Jwk, Error> {
        if let Some(key) = self.held.read().await.keys.find(kid) {
            return Ok(key.clone());
        }
        let mut held = self.held.write().await;
        // Another request may have fetched it meanwhile.
        if let Some(key) = held.keys.find(kid) {
            return Ok(key.clone());
        }
        if held.fetched.is_none_or(|at| at.elapsed() >= REFETCH_AFTER) {
            held.fetched = Some(Instant::now());
            match self.fetch().await {
                Ok(keys) => {
                    held.keys = keys;
                    held.unreachable = false;
                }
                Err(_) => held.unreachable = true,
            }
            if let Some(key) = held.keys.find(kid) {
                return Ok(key.clone());
            }
        }
        if held.unreachable {
            return Err(Error::KeysUnavailable);
        }
        Err(Error::Unauthenticated(
            "the access token is signed with a key the identity provider does not publish",
        ))
    }

    async fn fetch(&self) -> Result<JwkSet, reqwest::Error> {
        self.http.get(&self.settings.jwks_url).send().await?.error_for_status()?.json().await
    }
}

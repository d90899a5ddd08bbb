//! Bearer tokens for the generated client: attach, refresh, rotate.
//!
//! Refresh tokens rotate on every use and the server revokes a session when
//! an old one is replayed, so two requests must never refresh at once with
//! the same token: refreshes are single-flight behind an async lock, and a
//! request that waited re-reads the tokens instead of refreshing again.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use serde::{Deserialize, Serialize};

use crate::Client;
use crate::types::{AuthSession, RefreshRequest};

/// Operations that authenticate by their body, not by a bearer token.
const UNAUTHENTICATED_OPERATIONS: &[&str] =
    &["auth_sign_up", "auth_sign_in", "auth_refresh", "auth_sign_out", "health", "openapi_document"];

/// Refresh this long before the access token expires, so a request in
/// flight does not arrive with a token that has just lapsed.
const REFRESH_MARGIN_SECONDS: i64 = 30;

/// The tokens of a signed-in session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
}

impl From<&AuthSession> for Tokens {
    fn from(session: &AuthSession) -> Self {
        Tokens {
            access_token: session.access_token.clone(),
            refresh_token: session.refresh_token.clone(),
            expires_at: session.expires_at,
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
type Listener = Arc<dyn Fn(Option<&Tokens>) + Send + Sync>;
#[cfg(target_arch = "wasm32")]
type Listener = Arc<dyn Fn(Option<&Tokens>)>;

#[derive(Default)]
struct State {
    tokens: Mutex<Option<Tokens>>,
    listener: Mutex<Option<Listener>>,
    refreshing: futures::lock::Mutex<()>,
}

/// The client's session. Cheap to clone; clones share the session.
#[derive(Clone, Default)]
pub struct Auth(Arc<State>);

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print tokens.
        f.debug_struct("Auth").field("signed_in", &self.tokens().is_some()).finish()
    }
}

impl Auth {
    /// The current tokens, if signed in.
    pub fn tokens(&self) -> Option<Tokens> {
        self.0.tokens.lock().map(|t| t.clone()).unwrap_or(None)
    }

    /// Use these tokens from now on (after sign-in, or restored from storage).
    pub fn set_tokens(&self, tokens: Option<Tokens>) {
        if let Ok(mut slot) = self.0.tokens.lock() {
            *slot = tokens.clone();
        }
        // Called outside the lock, so a listener may use this `Auth` too.
        let listener = self.0.listener.lock().ok().and_then(|l| l.clone());
        if let Some(listener) = listener {
            listener(tokens.as_ref());
        }
    }

    /// Use the tokens of a sign-up, sign-in or refresh answer.
    pub fn set_session(&self, session: &AuthSession) {
        self.set_tokens(Some(Tokens::from(session)));
    }

    /// Forget the session.
    pub fn clear(&self) {
        self.set_tokens(None);
    }

    /// Called with the new tokens whenever they change (`None`: the session
    /// ended, e.g. the refresh token was rejected).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn on_change(&self, listener: impl Fn(Option<&Tokens>) + Send + Sync + 'static) {
        if let Ok(mut slot) = self.0.listener.lock() {
            *slot = Some(Arc::new(listener));
        }
    }

    /// Called with the new tokens whenever they change (`None`: the session
    /// ended, e.g. the refresh token was rejected).
    #[cfg(target_arch = "wasm32")]
    pub fn on_change(&self, listener: impl Fn(Option<&Tokens>) + 'static) {
        if let Ok(mut slot) = self.0.listener.lock() {
            *slot = Some(Arc::new(listener));
        }
    }
}

/// Why a refresh did not produce new tokens.
#[derive(Debug)]
pub enum RefreshError {
    /// There is no session to refresh.
    SignedOut,
    /// The server refused the refresh token: the session is over.
    Rejected,
    /// The server could not be reached or answered unexpectedly; the tokens
    /// are kept and a later call may succeed.
    Transport(String),
}

impl std::fmt::Display for RefreshError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefreshError::SignedOut => f.write_str("not signed in"),
            RefreshError::Rejected => f.write_str("the session has ended; sign in again"),
            RefreshError::Transport(e) => write!(f, "could not refresh the session: {e}"),
        }
    }
}

impl std::error::Error for RefreshError {}

impl Client {
    /// Exchanges the refresh token for new tokens now. Concurrent callers
    /// share one exchange. `stale` is the access token the caller found
    /// wanting: when the tokens have already moved on from it, they are
    /// returned as they are.
    pub async fn refresh_session(&self, stale: Option<&str>) -> Result<Tokens, RefreshError> {
        let auth = self.auth();
        let _flight = auth.0.refreshing.lock().await;
        let current = auth.tokens().ok_or(RefreshError::SignedOut)?;
        if stale.is_some_and(|stale| stale != current.access_token) {
            return Ok(current);
        }
        let url = format!("{}/api/auth/refresh", self.baseurl());
        let body = RefreshRequest { refresh_token: current.refresh_token.clone() };
        let response = self
            .client()
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| RefreshError::Transport(e.to_string()))?;
        match response.status().as_u16() {
            200 => {
                let session: AuthSession =
                    response.json().await.map_err(|e| RefreshError::Transport(e.to_string()))?;
                let tokens = Tokens::from(&session);
                auth.set_tokens(Some(tokens.clone()));
                Ok(tokens)
            }
            401 => {
                auth.clear();
                Err(RefreshError::Rejected)
            }
            status => Err(RefreshError::Transport(format!("the server answered {status}"))),
        }
    }

    /// The access token to send now, refreshed first when about to expire.
    async fn usable_access_token(&self) -> Option<String> {
        let tokens = self.auth().tokens()?;
        let deadline = Utc::now() + Duration::seconds(REFRESH_MARGIN_SECONDS);
        if tokens.expires_at > deadline {
            return Some(tokens.access_token);
        }
        match self.refresh_session(Some(&tokens.access_token)).await {
            Ok(fresh) => Some(fresh.access_token),
            // Let the request go with what we have: the server's 401 is a
            // clearer answer than an error invented here.
            Err(RefreshError::Transport(_)) => Some(tokens.access_token),
            Err(_) => None,
        }
    }
}

fn set_bearer(request: &mut reqwest::Request, token: &str) {
    if let Ok(value) = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")) {
        request.headers_mut().insert(reqwest::header::AUTHORIZATION, value);
    }
}

fn needs_token(info: &OperationInfo) -> bool {
    !UNAUTHENTICATED_OPERATIONS.contains(&info.operation_id)
}

impl ClientHooks<Auth> for Client {
    async fn pre<E>(&self, request: &mut reqwest::Request, info: &OperationInfo) -> Result<(), Error<E>> {
        if needs_token(info) && !request.headers().contains_key(reqwest::header::AUTHORIZATION) {
            if let Some(token) = self.usable_access_token().await {
                set_bearer(request, &token);
            }
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let retry = if needs_token(info) { request.try_clone() } else { None };
        let sent_token = request
            .headers()
            .get(reqwest::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let response = self.client().execute(request).await?;
        // One retry after a 401: the access token may have been revoked by
        // a clock or a restart that the expiry time did not predict.
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            if let (Some(mut retry), Some(sent)) = (retry, sent_token) {
                if let Ok(fresh) = self.refresh_session(Some(&sent)).await {
                    set_bearer(&mut retry, &fresh.access_token);
                    return self.client().execute(retry).await;
                }
            }
        }
        Ok(response)
    }
}

//! Bearer tokens for the generated client: attach, refresh, rotate.
//!
//! Refresh tokens rotate on every use and the server revokes a session when
//! an old one is replayed, so two requests must never refresh at once with
//! the same token: refreshes are single-flight behind an async lock, and a
//! request that waited re-reads the tokens instead of refreshing again.
//!
//! The same holds between clients that share one session (the tabs of a
//! browser, which keep the tokens in `localStorage`): [`Auth::share`] gives
//! the client a way to read the tokens the others stored and a lock they
//! all take to refresh. Before exchanging its refresh token, a client takes
//! that lock and adopts tokens another holder has already rotated, so no
//! holder ever replays a refresh token another has used.

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

/// Held while refreshing a shared session; dropping it lets the next
/// holder in.
#[cfg(not(target_arch = "wasm32"))]
pub type SharedLockGuard = Box<dyn std::any::Any + Send>;
/// Held while refreshing a shared session; dropping it lets the next
/// holder in.
#[cfg(target_arch = "wasm32")]
pub type SharedLockGuard = Box<dyn std::any::Any>;

#[cfg(not(target_arch = "wasm32"))]
type LoadShared = Arc<dyn Fn() -> Option<Tokens> + Send + Sync>;
#[cfg(target_arch = "wasm32")]
type LoadShared = Arc<dyn Fn() -> Option<Tokens>>;

#[cfg(not(target_arch = "wasm32"))]
type LockShared = Arc<dyn Fn() -> futures::future::BoxFuture<'static, SharedLockGuard> + Send + Sync>;
#[cfg(target_arch = "wasm32")]
type LockShared = Arc<dyn Fn() -> futures::future::LocalBoxFuture<'static, SharedLockGuard>>;

/// How this client reaches the other holders of its session.
#[derive(Clone)]
struct Sharing {
    load: LoadShared,
    lock: LockShared,
}

#[derive(Default)]
struct State {
    tokens: Mutex<Option<Tokens>>,
    listener: Mutex<Option<Listener>>,
    sharing: Mutex<Option<Sharing>>,
    refreshing: futures::lock::Mutex<()>,
    /// A token handed over whole ([`Auth::bearer`]): sent as it is, never
    /// refreshed.
    bearer_only: bool,
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
    /// A session of one access token handed over whole (a script's
    /// `CHARTER_TOKEN`, an MCP caller's `Authorization`): sent with every
    /// request as it is; its refresh is its owner's business, so a 401 is
    /// the answer, with no refresh tried.
    pub fn bearer(access_token: &str) -> Auth {
        let tokens = Tokens {
            access_token: access_token.to_owned(),
            refresh_token: String::new(),
            expires_at: DateTime::<Utc>::MAX_UTC,
        };
        Auth(Arc::new(State { tokens: Mutex::new(Some(tokens)), bearer_only: true, ..State::default() }))
    }

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

    /// Use tokens another holder of the session stored, without telling
    /// the listener: storing them back could overwrite newer ones that
    /// arrived in the meantime.
    pub fn adopt_tokens(&self, tokens: Tokens) {
        if let Ok(mut slot) = self.0.tokens.lock() {
            *slot = Some(tokens);
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

    /// Shares the session with other holders. `load` reads the tokens as
    /// the holders last stored them (`None`: one of them ended the session);
    /// `lock` resolves once this holder alone may refresh, and holds that
    /// right until its guard is dropped. Each holder stores its own new
    /// tokens through [`Auth::on_change`].
    #[cfg(not(target_arch = "wasm32"))]
    pub fn share<L>(
        &self,
        load: impl Fn() -> Option<Tokens> + Send + Sync + 'static,
        lock: impl Fn() -> L + Send + Sync + 'static,
    ) where
        L: std::future::Future<Output = SharedLockGuard> + Send + 'static,
    {
        let lock: LockShared = Arc::new(move || Box::pin(lock()));
        self.set_sharing(Sharing { load: Arc::new(load), lock });
    }

    /// Shares the session with other holders. `load` reads the tokens as
    /// the holders last stored them (`None`: one of them ended the session);
    /// `lock` resolves once this holder alone may refresh, and holds that
    /// right until its guard is dropped. Each holder stores its own new
    /// tokens through [`Auth::on_change`].
    #[cfg(target_arch = "wasm32")]
    pub fn share<L>(&self, load: impl Fn() -> Option<Tokens> + 'static, lock: impl Fn() -> L + 'static)
    where
        L: std::future::Future<Output = SharedLockGuard> + 'static,
    {
        let lock: LockShared = Arc::new(move || Box::pin(lock()));
        self.set_sharing(Sharing { load: Arc::new(load), lock });
    }

    fn set_sharing(&self, sharing: Sharing) {
        if let Ok(mut slot) = self.0.sharing.lock() {
            *slot = Some(sharing);
        }
    }

    fn sharing(&self) -> Option<Sharing> {
        self.0.sharing.lock().ok().and_then(|s| s.clone())
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
    /// There is no session to refresh: nobody is signed in, or the token
    /// was handed over whole ([`Auth::bearer`]).
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
        if auth.0.bearer_only {
            return Err(RefreshError::SignedOut);
        }
        let _flight = auth.0.refreshing.lock().await;
        let sharing = auth.sharing();
        let _shared_flight = match &sharing {
            Some(sharing) => Some((sharing.lock)().await),
            None => None,
        };
        let mut current = auth.tokens().ok_or(RefreshError::SignedOut)?;
        if let Some(sharing) = &sharing {
            match (sharing.load)() {
                // Another holder signed out: the session is over here too.
                None => {
                    auth.clear();
                    return Err(RefreshError::Rejected);
                }
                // Another holder rotated the tokens: ours are spent.
                Some(latest) if latest.refresh_token != current.refresh_token => {
                    auth.adopt_tokens(latest.clone());
                    let usable = latest.expires_at > Utc::now() + Duration::seconds(REFRESH_MARGIN_SECONDS);
                    if stale.is_some() && usable {
                        return Ok(latest);
                    }
                    current = latest;
                }
                Some(_) => {}
            }
        }
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

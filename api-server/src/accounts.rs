//! Accounts and sessions: sign-up, sign-in, refresh, sign-out.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use charter_api::types::{AuthSession, SignInRequest, SignUpRequest, User};
use charter_domain::account;

use crate::auth::{self, AccessTokens, Passwords};
use crate::error::Error;
use crate::jwks::{ProviderClaims, ProviderKeys};
use crate::store::{Store, StoreError, UserRow};
use crate::throttle::Throttle;

/// How long a refresh token lives; each refresh starts a new period.
pub const REFRESH_TOKEN_DAYS: i64 = 7;

pub struct Accounts {
    pub store: Store,
    pub passwords: Passwords,
    pub tokens: AccessTokens,
    pub throttle: Throttle,
    /// How long after its exchange a refresh token still gets new tokens of
    /// its session (FR-008); zero disables it.
    pub refresh_grace: std::time::Duration,
    /// The identity provider whose tokens are accepted beside Charter's
    /// own, when one is configured.
    pub provider: Option<ProviderKeys>,
    /// The provider's users known to exist, so that provisioning costs a
    /// database round trip once per user and process, not per request.
    pub provisioned: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// An access token, verified: whose, and until when (Unix seconds).
pub struct Bearer {
    pub user_id: String,
    pub expires: i64,
}

/// Most provider users remembered as existing before the memory is cleared.
const PROVISIONED_REMEMBERED: usize = 100_000;

impl Accounts {
    /// Verifies an access token: Charter's own (HS256), or the identity
    /// provider's (by its key set), whose user is created on first use.
    pub async fn verify(&self, token: &str) -> Result<Bearer, Error> {
        // The header is read only when a provider is configured: Charter's
        // own tokens pay nothing for it.
        let provider = self.provider.as_ref().and_then(|provider| {
            jsonwebtoken::decode_header(token)
                .ok()
                .filter(|header| provider.signs(header))
                .map(|header| (provider, header))
        });
        let Some((provider, header)) = provider else {
            let (user_id, expires) = self.tokens.verify_with_expiry(token)?;
            return Ok(Bearer { user_id, expires });
        };
        let claims = provider.verify(token, &header).await?;
        self.provision(&claims).await?;
        Ok(Bearer { user_id: claims.subject, expires: claims.expires })
    }

    /// Creates the provider's user on their first request (007 FR-005).
    async fn provision(&self, claims: &ProviderClaims) -> Result<(), Error> {
        let known = |set: &std::collections::HashSet<String>| set.contains(&claims.subject);
        if known(&self.provisioned.lock().unwrap_or_else(std::sync::PoisonError::into_inner)) {
            return Ok(());
        }
        let email = claims.email.as_deref().and_then(|e| account::email(e).ok());
        let name = claims
            .name
            .as_deref()
            .and_then(|n| account::name(n).ok())
            .or_else(|| email.as_deref().and_then(|e| e.split('@').next()))
            .unwrap_or(&claims.subject)
            .to_owned();
        let now = Utc::now().timestamp_millis();
        self.store.provision_user(&claims.subject, email.as_deref(), &name, now).await?;
        let mut provisioned = self.provisioned.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if provisioned.len() >= PROVISIONED_REMEMBERED {
            provisioned.clear();
        }
        provisioned.insert(claims.subject.clone());
        Ok(())
    }

    pub async fn sign_up(&self, request: SignUpRequest, client: IpAddr) -> Result<AuthSession, Error> {
        let email = account::email(&request.email)?;
        let name = account::name(&request.name)?;
        account::password(&request.password)?;
        self.throttle.address(client).await?;
        let now = Utc::now();
        let user = UserRow {
            id: Uuid::now_v7().to_string(),
            email: Some(email),
            name: name.to_owned(),
            password_hash: Some(self.passwords.hash(request.password).await?),
            created_at: now.timestamp_millis(),
        };
        match self.store.insert_user(&user).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => return Err(Error::EmailTaken),
            Err(e) => return Err(e.into()),
        }
        self.start_session(&user, now).await
    }

    pub async fn sign_in(&self, request: SignInRequest, client: IpAddr) -> Result<AuthSession, Error> {
        self.throttle.address(client).await?;
        // A malformed email cannot belong to anyone: same answer as a
        // wrong password, after the same amount of work.
        let email = account::email(&request.email).ok();
        let user = match &email {
            Some(email) => {
                self.throttle.account(email).await?;
                self.store.user_by_email(email).await?
            }
            None => None,
        };
        // A user an identity provider created has no password: refused
        // like a wrong one.
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        if !self.passwords.verify(request.password, hash).await? {
            return Err(Error::InvalidCredentials);
        }
        let (Some(user), Some(email)) = (user, email) else { return Err(Error::InvalidCredentials) };
        self.throttle.account_succeeded(&email).await?;
        self.start_session(&user, Utc::now()).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<AuthSession, Error> {
        let now = Utc::now();
        let old_hash = auth::hash_refresh_token(refresh_token);
        let (token, new_hash) = auth::new_refresh_token();
        let expires = refresh_expiry(now);
        let grace_ms = i64::try_from(self.refresh_grace.as_millis()).unwrap_or(i64::MAX);
        let exchanged = self
            .store
            .exchange_refresh_token(&old_hash, &new_hash, now.timestamp_millis(), expires, grace_ms)
            .await?;
        let Some(user_id) = exchanged else {
            // Not a token of a live session that may be exchanged: if it
            // was exchanged before the grace period, it was copied; end
            // that session for whoever holds it.
            self.store.revoke_session_of(&old_hash, now.timestamp_millis()).await?;
            return Err(Error::InvalidRefreshToken);
        };
        let user = self.store.user_by_id(&user_id).await?.ok_or(Error::InvalidRefreshToken)?;
        self.session_answer(&user, token, now)
    }

    pub async fn sign_out(&self, refresh_token: &str) -> Result<(), Error> {
        let hash = auth::hash_refresh_token(refresh_token);
        self.store.revoke_session_of(&hash, Utc::now().timestamp_millis()).await?;
        Ok(())
    }

    pub async fn user(&self, user_id: &str) -> Result<User, Error> {
        let row = self
            .store
            .user_by_id(user_id)
            .await?
            .ok_or(Error::Unauthenticated("the access token's user no longer exists"))?;
        user_wire(&row)
    }

    async fn start_session(&self, user: &UserRow, now: DateTime<Utc>) -> Result<AuthSession, Error> {
        let (token, hash) = auth::new_refresh_token();
        self.store
            .insert_session(
                &Uuid::now_v7().to_string(),
                &user.id,
                &hash,
                now.timestamp_millis(),
                refresh_expiry(now),
            )
            .await?;
        self.session_answer(user, token, now)
    }

    fn session_answer(
        &self,
        user: &UserRow,
        refresh_token: String,
        now: DateTime<Utc>,
    ) -> Result<AuthSession, Error> {
        let user = user_wire(user)?;
        let (access_token, expires_at) = self.tokens.issue(&user.id, now)?;
        Ok(AuthSession { user, access_token, refresh_token, expires_at })
    }
}

fn refresh_expiry(now: DateTime<Utc>) -> i64 {
    (now + chrono::Duration::days(REFRESH_TOKEN_DAYS)).timestamp_millis()
}

fn user_wire(row: &UserRow) -> Result<User, Error> {
    Ok(User {
        id: row.id.clone(),
        email: row.email.clone(),
        name: row.name.clone(),
        created_at: millis(row.created_at)?,
    })
}

pub(crate) fn parse_id(text: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(text).map_err(|_| Error::Corrupt { what: "id", value: text.to_owned() })
}

pub(crate) fn millis(ms: i64) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| Error::Corrupt { what: "time", value: ms.to_string() })
}

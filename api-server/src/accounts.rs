//! Accounts and sessions: sign-up, sign-in, refresh, sign-out.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use charter_api::types::{AuthSession, SignInRequest, SignUpRequest, User};

use crate::auth::{self, AccessTokens, Passwords};
use crate::error::Error;
use crate::store::{Store, StoreError, UserRow};
use crate::text;
use crate::throttle::Throttle;

/// How long a refresh token lives; each refresh starts a new period.
pub const REFRESH_TOKEN_DAYS: i64 = 7;

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const NAME_MAX_CHARS: usize = 100;

pub struct Accounts {
    pub store: Store,
    pub passwords: Passwords,
    pub tokens: AccessTokens,
    pub throttle: Throttle,
    /// How long after its exchange a refresh token still gets new tokens of
    /// its session (FR-008); zero disables it.
    pub refresh_grace: std::time::Duration,
}

impl Accounts {
    pub async fn sign_up(&self, request: SignUpRequest, client: IpAddr) -> Result<AuthSession, Error> {
        let email = normalize_email(&request.email)?;
        let name = request.name.trim();
        let name_chars = name.chars().count();
        if name_chars == 0 || name_chars > NAME_MAX_CHARS || name.chars().any(char::is_control) {
            return Err(Error::invalid(
                "InvalidName",
                format!(
                    "name must be 1 to {NAME_MAX_CHARS} characters with no control characters \
                     (it was {name_chars} after trimming)"
                ),
            ));
        }
        if text::has_bidi_control(name) {
            return Err(Error::invalid("InvalidName", text::BIDI_CONTROL_MESSAGE.replace("{field}", "name")));
        }
        check_password(&request.password)?;
        self.throttle.address(client).await?;
        let now = Utc::now();
        let user = UserRow {
            id: Uuid::now_v7().to_string(),
            email,
            name: name.to_owned(),
            password_hash: self.passwords.hash(request.password).await?,
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
        let email = normalize_email(&request.email).ok();
        let user = match &email {
            Some(email) => {
                self.throttle.account(email).await?;
                self.store.user_by_email(email).await?
            }
            None => None,
        };
        let hash = user.as_ref().map(|u| u.password_hash.clone());
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

    pub async fn user(&self, user_id: Uuid) -> Result<User, Error> {
        let row = self
            .store
            .user_by_id(&user_id.to_string())
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
        let (access_token, expires_at) = self.tokens.issue(user.id, now)?;
        Ok(AuthSession { user, access_token, refresh_token, expires_at })
    }
}

fn refresh_expiry(now: DateTime<Utc>) -> i64 {
    (now + chrono::Duration::days(REFRESH_TOKEN_DAYS)).timestamp_millis()
}

/// Trimmed and lower-cased, so that uniqueness ignores case.
fn normalize_email(email: &str) -> Result<String, Error> {
    let email = email.trim().to_lowercase();
    let well_formed = email.chars().count() <= EMAIL_MAX_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if !well_formed {
        return Err(Error::invalid(
            "InvalidEmail",
            format!("email must look like name@example.com and be at most {EMAIL_MAX_CHARS} characters"),
        ));
    }
    Ok(email)
}

fn check_password(password: &str) -> Result<(), Error> {
    let chars = password.chars().count();
    if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars) {
        return Err(Error::invalid(
            "InvalidPassword",
            format!(
                "password must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters (it was {chars})"
            ),
        ));
    }
    Ok(())
}

fn user_wire(row: &UserRow) -> Result<User, Error> {
    Ok(User {
        id: parse_id(&row.id)?,
        email: row.email.clone(),
        name: row.name.clone(),
        created_at: millis(row.created_at)?,
    })
}

pub(crate) fn parse_id(text: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(text).map_err(|_| Error::Internal(format!("stored id {text:?} is not a UUID")))
}

pub(crate) fn millis(ms: i64) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| Error::Internal(format!("stored time {ms} is out of range")))
}

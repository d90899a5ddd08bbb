//! The domain's one error type. `http.rs` maps it to statuses, in one place.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request field breaks a rule; `message` says which and how.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("the email or password is incorrect")]
    InvalidCredentials,
    #[error("the refresh token is not valid; sign in again")]
    InvalidRefreshToken,
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("the access token belongs to another user than the one in the path")]
    Forbidden,
    #[error("no task with this id")]
    TaskNotFound,
    #[error("no tag with this name")]
    TagNotFound,
    #[error("this Idempotency-Key was used with another request; use a new key for a new request")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is still running; try again in a moment")]
    IdempotencyKeyInFlight,
    /// `If-Match` named another version than the task's.
    #[error("the task has changed since you read it: it is now at ETag \"{current}\"; read it again")]
    PreconditionFailed { current: i64 },
    /// The identity provider's keys cannot be fetched and none held
    /// verifies the token: the token may be fine.
    #[error("the identity provider's signing keys cannot be fetched right now; try again in a moment")]
    KeysUnavailable,
    /// A sync cursor older than the change log kept.
    #[error(
        "the change log cannot continue from this cursor (it is older than the changes kept, or from another \
         database); sync again from the start, without a cursor"
    )]
    CursorExpired,
    /// Operation `index` of a batch failed; nothing of the batch was written.
    #[error("operations[{index}]: {source}")]
    InOperation { index: usize, source: Box<Error> },
    /// A write lost every race against other writes of the same thing.
    #[error("{0}")]
    Conflict(&'static str),
    #[error("the server is busy with other sign-ins; try again in a few seconds")]
    Busy,
    /// Over a throttling limit; nothing was hashed or written.
    #[error("{}; try again in {} seconds", .0.what, .0.reset_seconds)]
    Throttled(Throttled),
    /// The database failed; the store's error keeps what it was doing and
    /// sqlx's error under it. Unreachable → 503, anything else → 500.
    #[error("the database failed")]
    Store(#[from] StoreError),
    /// Something else that is never the client's fault: what the server
    /// was doing, and why that failed. Logged with its whole chain; the
    /// client hears only that it failed.
    #[error("{context}")]
    Internal {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored value the server cannot read back (written by something
    /// else, or a bug): the store's data, not the request, is at fault.
    #[error("the stored {what} {value:?} is not valid")]
    Corrupt { what: &'static str, value: String },
}

/// Which limit a request went over, and when it may be retried.
#[derive(Debug)]
pub struct Throttled {
    pub what: &'static str,
    /// Requests allowed per window.
    pub limit: u32,
    /// Seconds until the window ends.
    pub reset_seconds: u64,
}

impl Error {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid { code, message: message.into() }
    }

    /// A failure that is not the client's, with what was being done.
    pub fn internal(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Internal { context: context.into(), source: Box::new(source) }
    }

    /// The error and every error under it, for the log: `a: b: c`.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}

impl From<charter_domain::Invalid> for Error {
    fn from(invalid: charter_domain::Invalid) -> Self {
        Error::Invalid { code: invalid.code, message: invalid.message }
    }
}

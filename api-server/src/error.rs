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
    #[error("the server is busy with other sign-ins; try again in a few seconds")]
    Busy,
    /// Over a throttling limit; nothing was hashed or written.
    #[error("{}; try again in {} seconds", .0.what, .0.reset_seconds)]
    Throttled(Throttled),
    #[error("the database is not reachable")]
    Unavailable,
    /// Something that is never the client's fault; the text goes to the
    /// log, not to the client.
    #[error("{0}")]
    Internal(String),
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
}

impl From<charter_domain::Invalid> for Error {
    fn from(invalid: charter_domain::Invalid) -> Self {
        Error::Invalid { code: invalid.code, message: invalid.message }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => Error::Unavailable,
            other => Error::Internal(other.to_string()),
        }
    }
}

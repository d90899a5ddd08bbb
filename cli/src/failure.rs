//! Every way a command can fail, as the message printed and the exit code.

use api_client::types;

/// A command's failure: printed as `error: <message>`, exiting with `code`.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

type ApiError = api_client::Error<types::Error>;

impl Failure {
    /// The API refused the request (its message is the failure's).
    pub const REFUSED: u8 = 1;
    /// The command line was wrong: an unknown or ambiguous id, a bad flag.
    pub const USAGE: u8 = 2;
    /// The server cannot be reached, or nobody is signed in.
    pub const UNREACHABLE: u8 = 3;

    pub fn refused(message: impl Into<String>) -> Failure {
        Failure { code: Self::REFUSED, message: message.into() }
    }

    pub fn usage(message: impl Into<String>) -> Failure {
        Failure { code: Self::USAGE, message: message.into() }
    }

    pub fn unreachable(message: impl Into<String>) -> Failure {
        Failure { code: Self::UNREACHABLE, message: message.into() }
    }

    /// A failed call made with a session: a 401 means the session is gone,
    /// which is "not signed in" to a script.
    pub fn api(error: ApiError) -> Failure {
        match error.status() {
            Some(status) if status.as_u16() == 401 => Failure::unreachable(format!(
                "not signed in: {} (run `charter login`, or set CHARTER_TOKEN to a valid token)",
                api_message(&error)
            )),
            _ => Self::classify(error),
        }
    }

    /// A failed sign-in: a 401 is the API refusing the credentials.
    pub fn sign_in(error: ApiError) -> Failure {
        Self::classify(error)
    }

    fn classify(error: ApiError) -> Failure {
        match &error {
            api_client::Error::CommunicationError(e) => {
                Failure::unreachable(format!("cannot reach the server: {e}"))
            }
            api_client::Error::InvalidRequest(message) => Failure::usage(message.clone()),
            _ => Failure::refused(api_message(&error)),
        }
    }
}

/// The API's own message for an error answer; otherwise what went wrong.
pub fn api_message(error: &ApiError) -> String {
    match error {
        api_client::Error::ErrorResponse(answer) => answer.message.clone(),
        other => other.to_string(),
    }
}

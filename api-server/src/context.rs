//! What every request may use: [`AppState`], built once at start-up and
//! shared by all, and the one way a request is authorized.

use charter_api::extract::BearerToken;

use crate::accounts::Accounts;
use crate::error::Error;
use crate::tasks::Tasks;

/// Everything a request may use; built once at start-up, shared by all.
pub struct AppState {
    pub accounts: Accounts,
    pub tasks: Tasks,
    pub openapi: serde_json::Value,
    /// The built web app (`index.html` and `assets/`).
    pub web_dir: std::path::PathBuf,
}

impl AppState {
    /// The user a request acts as: the bearer token's subject, which must
    /// be the `{user_id}` of the path. Charter's own tokens need no database
    /// round trip; an identity provider's new user is created once.
    pub async fn authorize(&self, token: &BearerToken, user_id: &str) -> Result<String, Error> {
        self.authorize_until(token, user_id).await.map(|(subject, _)| subject)
    }

    /// [`AppState::authorize`], with when the token expires (Unix
    /// seconds), for a response that lasts: it must end by then.
    pub async fn authorize_until(&self, token: &BearerToken, user_id: &str) -> Result<(String, i64), Error> {
        if !charter_domain::account::is_user_id(user_id) {
            return Err(Error::invalid(
                "InvalidUserId",
                "the user id in the path is not one: 1 to 64 letters, digits, `_` or `-`",
            ));
        }
        let bearer = self.accounts.verify(token.as_str()).await?;
        let (subject, expires) = (bearer.user_id, bearer.expires);
        if subject != user_id {
            return Err(Error::Forbidden);
        }
        Ok((subject, expires))
    }
}

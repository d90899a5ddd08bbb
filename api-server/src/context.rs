//! What every request may use: [`AppState`], built once at start-up and
//! shared by all, and the one way a request is authorized.

use uuid::Uuid;

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
    /// be the `{user_id}` of the path. No database round trip.
    pub fn authorize(&self, token: &BearerToken, user_id: Uuid) -> Result<Uuid, Error> {
        let subject = self.accounts.tokens.verify(token.as_str())?;
        if subject != user_id {
            return Err(Error::Forbidden);
        }
        Ok(subject)
    }
}

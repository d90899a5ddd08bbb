//! What every page may use, provided by the root component as Yew
//! context: the client, the signed-in user and the app's actions.

use std::rc::Rc;

use api_client::Client;
use api_client::types::{AuthSession, User};
use yew::prelude::*;

use crate::route::Route;

/// What every page may use: the client, the user, and the app's actions.
#[derive(Clone)]
pub struct AppCtx {
    /// Shares its session with every clone.
    pub client: Client,
    pub user: Option<Rc<User>>,
    /// A notice for the sign-in page (signed out, session ended).
    pub flash: Option<AttrValue>,
    pub navigate: Callback<Route>,
    pub signed_in: Callback<AuthSession>,
}

impl PartialEq for AppCtx {
    fn eq(&self, other: &Self) -> bool {
        let same_user = match (&self.user, &other.user) {
            (Some(a), Some(b)) => a.id == b.id && a.name == b.name,
            (None, None) => true,
            _ => false,
        };
        same_user && self.flash == other.flash
    }
}

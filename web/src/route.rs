//! The app's routes and the browser history.

/// A page of the app. The server answers each path with the app itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/`: goes to the tasks when signed in, else to sign-in.
    Home,
    SignIn,
    SignUp,
    Tasks,
    NotFound,
}

impl Route {
    pub fn from_path(path: &str) -> Route {
        match path.trim_end_matches('/') {
            "" => Route::Home,
            "/sign-in" => Route::SignIn,
            "/sign-up" => Route::SignUp,
            "/tasks" => Route::Tasks,
            _ => Route::NotFound,
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Route::Home | Route::NotFound => "/",
            Route::SignIn => "/sign-in",
            Route::SignUp => "/sign-up",
            Route::Tasks => "/tasks",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Route::Home => "Charter",
            Route::SignIn => "Sign in · Charter",
            Route::SignUp => "Create an account · Charter",
            Route::Tasks => "Tasks · Charter",
            Route::NotFound => "Page not found · Charter",
        }
    }

    /// Where a request for `self` ends up, given whether someone is signed in.
    pub fn resolve(self, signed_in: bool) -> Route {
        match (self, signed_in) {
            (Route::Home, true) | (Route::SignIn | Route::SignUp, true) => Route::Tasks,
            (Route::Home, false) | (Route::Tasks, false) => Route::SignIn,
            (route, _) => route,
        }
    }
}

/// The route of the page the browser shows.
pub fn current() -> Route {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .map(|p| Route::from_path(&p))
        .unwrap_or(Route::Home)
}

/// Shows `route` in the address bar: a new history entry, or in place of
/// the current one (for redirects).
pub fn set_location(route: Route, replace: bool) {
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else { return };
    if current() == route && route != Route::NotFound {
        return;
    }
    let state = wasm_bindgen::JsValue::NULL;
    let _ = if replace {
        history.replace_state_with_url(&state, "", Some(route.path()))
    } else {
        history.push_state_with_url(&state, "", Some(route.path()))
    };
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn paths_and_redirects() {
        assert_eq!(Route::from_path("/"), Route::Home);
        assert_eq!(Route::from_path("/tasks/"), Route::Tasks);
        assert_eq!(Route::from_path("/nope"), Route::NotFound);
        assert_eq!(Route::Home.resolve(true), Route::Tasks);
        assert_eq!(Route::Home.resolve(false), Route::SignIn);
        assert_eq!(Route::Tasks.resolve(false), Route::SignIn);
        assert_eq!(Route::SignUp.resolve(true), Route::Tasks);
        assert_eq!(Route::SignUp.resolve(false), Route::SignUp);
    }
}

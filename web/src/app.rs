//! The root component: which page shows, who is signed in, sign-out.

use std::rc::Rc;

use api_client::Client;
use api_client::types::{AuthSession, SignOutRequest, User};
use yew::prelude::*;

use crate::auth_pages::{SignIn, SignUp};
use crate::context::AppCtx;
use crate::controls::Link;
use crate::route::{self, Route};
use crate::session;
use crate::tabs;
use crate::tasks::TasksPage;

pub enum Msg {
    Navigate(Route),
    /// The browser's back or forward button.
    PopState,
    SignedIn(AuthSession),
    /// The tokens are gone: signed out here or in another tab, or the
    /// refresh was refused.
    SessionEnded,
    /// Another tab changed the stored session (refresh, sign-in, sign-out).
    ChangedInAnotherTab,
    SignOut,
}

pub struct App {
    client: Client,
    user: Option<Rc<User>>,
    route: Route,
    flash: Option<AttrValue>,
    signing_out: bool,
    /// The session is ending because another tab signed out.
    ended_elsewhere: bool,
    focus_main: bool,
    _storage: Option<tabs::StorageListener>,
    _popstate: Option<wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>>,
}

fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

fn set_document_title(route: Route) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(route.title());
    }
}

impl App {
    fn go(&mut self, requested: Route, replace: bool) {
        let target = requested.resolve(self.user.is_some());
        route::set_location(target, replace || target != requested);
        if target != Route::SignIn {
            self.flash = None;
        }
        if self.route != target {
            self.focus_main = true;
        }
        self.route = target;
        set_document_title(target);
    }
}

impl App {
    /// Follows what another tab did to the stored session.
    fn follow_other_tab(&mut self) -> bool {
        let stored = session::load();
        let auth = self.client.auth();
        match (stored, &self.user) {
            // Signed out there: sign out here (the client's listener sends
            // `SessionEnded`).
            (None, Some(_)) => {
                self.ended_elsewhere = true;
                auth.clear();
                false
            }
            (None, None) => false,
            // Rotated there: use the new tokens, so ours are never replayed.
            (Some((tokens, user)), Some(me)) if user.id == me.id => {
                auth.adopt_tokens(tokens);
                false
            }
            // Someone else signed in there: start afresh as them, so that
            // nothing of the previous person stays on this screen.
            (Some(_), Some(_)) => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
                false
            }
            // Signed in there: signed in here too.
            (Some((tokens, user)), None) => {
                auth.adopt_tokens(tokens);
                self.user = Some(Rc::new(user));
                self.flash = None;
                if matches!(self.route, Route::SignIn | Route::SignUp | Route::Home) {
                    self.go(Route::Tasks, true);
                }
                true
            }
        }
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let client = Client::with_auth(&origin());
        let mut user = None;
        if let Some((tokens, stored_user)) = session::load() {
            client.auth().set_tokens(Some(tokens));
            user = Some(Rc::new(stored_user));
        }
        listen_for_token_changes(&client, ctx.link().clone());
        tabs::share_session(&client);
        let storage = {
            let link = ctx.link().clone();
            tabs::on_session_change(move || link.send_message(Msg::ChangedInAnotherTab))
        };
        let popstate = {
            use wasm_bindgen::JsCast;
            let link = ctx.link().clone();
            let closure =
                wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                    link.send_message(Msg::PopState)
                });
            web_sys::window().map(|w| {
                let _ = w.add_event_listener_with_callback("popstate", closure.as_ref().unchecked_ref());
                closure
            })
        };
        let mut app = App {
            client,
            user,
            route: Route::Home,
            flash: None,
            signing_out: false,
            ended_elsewhere: false,
            focus_main: false,
            _storage: storage,
            _popstate: popstate,
        };
        app.go(route::current(), true);
        app.focus_main = false;
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Navigate(route) => self.go(route, false),
            Msg::PopState => self.go(route::current(), true),
            Msg::SignedIn(session) => {
                session::store_user(&session.user);
                self.user = Some(Rc::new(session.user.clone()));
                self.client.auth().set_session(&session);
                self.flash = None;
                self.go(Route::Tasks, false);
            }
            Msg::SessionEnded => {
                if self.user.is_none() && self.client.auth().tokens().is_none() && !self.signing_out {
                    return false;
                }
                session::store_tokens(None);
                self.user = None;
                self.flash = Some(if self.signing_out {
                    "You have signed out.".into()
                } else if self.ended_elsewhere {
                    "You signed out in another tab.".into()
                } else {
                    "Your session has ended. Sign in again to carry on; nothing you typed is lost.".into()
                });
                self.signing_out = false;
                self.ended_elsewhere = false;
                self.go(Route::SignIn, true);
            }
            Msg::ChangedInAnotherTab => return self.follow_other_tab(),
            Msg::SignOut => {
                self.signing_out = true;
                // A draft is kept for a session that ended by itself, not
                // for the next person at this browser.
                session::store_draft(&session::Draft::default());
                let client = self.client.clone();
                ctx.link().send_future(async move {
                    if let Some(tokens) = client.auth().tokens() {
                        // Ending the session on the server is best effort: the
                        // tokens are forgotten here either way.
                        let _ = client
                            .auth_sign_out()
                            .body(SignOutRequest { refresh_token: tokens.refresh_token })
                            .send()
                            .await;
                    }
                    client.auth().clear();
                    Msg::SessionEnded
                });
                return false;
            }
        }
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first_render: bool) {
        if std::mem::take(&mut self.focus_main) {
            // Tell screen readers and keyboard users that the page changed.
            use wasm_bindgen::JsCast;
            let heading = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector("main h1").ok().flatten())
                .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(heading) = heading {
                let _ = heading.focus();
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let app_ctx = AppCtx {
            client: self.client.clone(),
            user: self.user.clone(),
            flash: self.flash.clone(),
            navigate: link.callback(Msg::Navigate),
            signed_in: link.callback(Msg::SignedIn),
        };
        let page = match self.route {
            Route::SignIn => html! { <SignIn /> },
            Route::SignUp => html! { <SignUp /> },
            // `go` never leaves Tasks without a user.
            Route::Tasks => match &self.user {
                Some(user) => html! { <TasksPage key={user.id.to_string()} /> },
                None => html! {},
            },
            Route::Home => html! {},
            Route::NotFound => html! {
                <section class="card narrow">
                    <h1 tabindex="-1">{ "Page not found" }</h1>
                    <p>{ "There is nothing at this address." }</p>
                    <p><Link to={Route::Home}>{ "Go to Charter" }</Link></p>
                </section>
            },
        };
        let sign_out = link.callback(|_: MouseEvent| Msg::SignOut);
        html! {
            <ContextProvider<AppCtx> context={app_ctx}>
                <a class="skip-link" href="#main">{ "Skip to content" }</a>
                <header class="topbar">
                    <Link to={Route::Home} class="brand">{ "Charter" }</Link>
                    if let Some(user) = &self.user {
                        <div class="account">
                            <span class="who" title={user.email.clone()}>{ user.name.clone() }</span>
                            <button type="button" class="button subtle" id="sign-out" onclick={sign_out}
                                disabled={self.signing_out}>
                                { if self.signing_out { "Signing out…" } else { "Sign out" } }
                            </button>
                        </div>
                    }
                </header>
                <main id="main" tabindex="-1">{ page }</main>
            </ContextProvider<AppCtx>>
        }
    }
}

/// Ends the session in the app when the client drops its tokens (a
/// refused refresh, or sign-out).
#[cfg(target_arch = "wasm32")]
fn listen_for_token_changes(client: &Client, link: yew::html::Scope<App>) {
    persist_session(client, move || {
        // Not from inside the client's call: let it finish first.
        let link = link.clone();
        yew::platform::spawn_local(async move { link.send_message(Msg::SessionEnded) });
    });
}

/// Keeps `localStorage` in step with the client's tokens (every refresh
/// rotates them), and calls `ended` when the client drops them.
#[cfg(target_arch = "wasm32")]
pub fn persist_session(client: &Client, ended: impl Fn() + 'static) {
    client.auth().on_change(move |tokens| {
        session::store_tokens(tokens);
        if tokens.is_none() {
            ended();
        }
    });
}

/// The host build (clippy, unit tests) never runs the app.
#[cfg(not(target_arch = "wasm32"))]
fn listen_for_token_changes(_client: &Client, _link: yew::html::Scope<App>) {}

//! Charter's web app: a Yew client-side app over the generated API client.
//!
//! It talks to the API only through [`api_client`], on the origin it was
//! loaded from. The modules, from the outside in:
//!
//! - [`app`]: the root component: routing, the session, sign-out.
//! - [`auth_pages`]: the sign-in and sign-up forms.
//! - [`context`]: what every page may use (client, user, actions).
//! - [`controls`]: the link, form field and input helpers pages share.
//! - [`tasks`]: the task dashboard.
//! - [`organise`]: priority, tags, repetition and reminder fields, title
//!   shortcuts, and the tag panel.
//! - [`reminders`]: reminders shown as they come due (`reminder.due`).
//! - [`sync`]: the live list: the user's event stream, followed.
//! - [`session`]: tokens, user and the last event kept in `localStorage`.
//! - [`tabs`]: one session shared by every tab of the browser.
//! - [`route`]: the four routes and the browser history.
//! - [`display`]: error messages and dates.
//!
//! The API's input rules and the list order come from `charter-domain`,
//! the same code the server enforces them with.

pub mod app;
pub mod auth_pages;
pub mod context;
pub mod controls;
pub mod display;
pub mod organise;
pub mod reminders;
pub mod route;
pub mod session;
pub mod sync;
pub mod tabs;
pub mod tasks;

/// Mounts the app on `<body>`.
pub fn run() {
    yew::Renderer::<app::App>::new().render();
}

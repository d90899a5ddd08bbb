//! Tests that run inside the browser (wasm-bindgen-test, headless Chromium):
//! the validation the forms use, and the session handling around the
//! client's token refresh, with the browser's own storage and `fetch`.
//!
//! Run by `cargo xtask test`; by hand:
//! `CHROMEDRIVER=$(which chromedriver) CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  cargo test -p web --target wasm32-unknown-unknown` (from `web/`, whose
//! `webdriver.json` adds the flags Chromium needs as root).

#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use api_client::Client;
use api_client::auth::{RefreshError, Tokens};
use charter_domain::{account, task};
use chrono::{Duration, Utc};
use wasm_bindgen_test::*;
use web::session;

wasm_bindgen_test_configure!(run_in_browser);

fn tokens(access: &str, expires_in: Duration) -> Tokens {
    Tokens {
        access_token: access.into(),
        refresh_token: format!("refresh-{access}"),
        expires_at: Utc::now() + expires_in,
    }
}

fn stored_access_token() -> Option<String> {
    let text = web_sys::window()?.local_storage().ok()??.get_item("charter.tokens").ok()??;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["access_token"].as_str().map(str::to_owned)
}

#[wasm_bindgen_test]
fn the_domain_rules_run_in_the_browser() {
    assert_eq!(account::email(" Ada@Example.com ").as_deref(), Ok("ada@example.com"));
    assert!(account::email("ada.example.com").is_err());
    assert!(account::password("1234567").is_err());
    assert!(account::password("12345678").is_ok());
    assert!(account::name("  ").is_err());
    assert!(task::title(&"t".repeat(201)).is_err());
    assert!(task::title("\u{200B}").is_err(), "Unicode rules hold in wasm too");
    assert!(task::description(Some(&"d".repeat(1001))).is_err());
}

#[wasm_bindgen_test]
fn token_changes_are_persisted_and_an_ended_session_is_reported() {
    let client = Client::with_auth("http://127.0.0.1:9");
    let ended = Rc::new(Cell::new(false));
    let flag = ended.clone();
    web::app::persist_session(&client, move || flag.set(true));

    client.auth().set_tokens(Some(tokens("first", Duration::minutes(15))));
    assert_eq!(stored_access_token().as_deref(), Some("first"));
    // A refresh rotates the tokens: storage follows.
    client.auth().set_tokens(Some(tokens("second", Duration::minutes(15))));
    assert_eq!(stored_access_token().as_deref(), Some("second"));
    assert!(!ended.get());

    client.auth().clear();
    assert_eq!(stored_access_token(), None);
    assert!(ended.get(), "the app hears that the session ended");
    assert!(session::load().is_none());
}

#[wasm_bindgen_test]
async fn an_unreachable_server_keeps_the_session() {
    // Nothing listens on port 9: the refresh fails in transport, and the
    // tokens must survive it (only a refusal ends a session).
    let client = Client::with_auth("http://127.0.0.1:9");
    let ended = Rc::new(Cell::new(false));
    let flag = ended.clone();
    web::app::persist_session(&client, move || flag.set(true));
    client.auth().set_tokens(Some(tokens("expired", Duration::minutes(-1))));

    let result = client.refresh_session(None).await;
    assert!(matches!(result, Err(RefreshError::Transport(_))), "{result:?}");
    assert_eq!(client.auth().tokens().map(|t| t.access_token).as_deref(), Some("expired"));
    assert_eq!(stored_access_token().as_deref(), Some("expired"));
    assert!(!ended.get());
    client.auth().clear();
}

#[wasm_bindgen_test]
fn the_add_form_draft_round_trips() {
    let draft =
        session::Draft { title: "Buy milk".into(), description: String::new(), due: "2026-12-01".into() };
    session::store_draft(&draft);
    assert_eq!(session::load_draft(), draft);
    session::store_draft(&session::Draft::default());
    assert_eq!(session::load_draft(), session::Draft::default());
}

/// Resolves after `ms` milliseconds.
async fn sleep(ms: i32) {
    let timer = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(timer).await;
}

// spec: 003-web-app#FR-027
#[wasm_bindgen_test]
async fn the_refresh_lock_is_held_by_one_holder_at_a_time() {
    use web::tabs::web_lock;
    assert!(
        web_lock::available(),
        "the test page is on localhost, a secure context: Web Locks must be there"
    );
    let first = web_lock::acquire("charter-test-lock").await.expect("granted");
    let granted = Rc::new(Cell::new(false));
    let flag = granted.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let second = web_lock::acquire("charter-test-lock").await;
        flag.set(second.is_some());
    });
    sleep(100).await;
    assert!(!granted.get(), "a held lock is not granted again");
    drop(first);
    for _ in 0..40 {
        if granted.get() {
            break;
        }
        sleep(25).await;
    }
    assert!(granted.get(), "the lock passes on once released");
}

// spec: 003-web-app#FR-027
#[wasm_bindgen_test]
async fn a_tab_adopts_tokens_another_tab_rotated_and_follows_its_sign_out() {
    // Nothing listens on port 9: any exchange attempt would fail in transport.
    let client = Client::with_auth("http://127.0.0.1:9");
    web::tabs::share_session(&client);
    client.auth().set_tokens(Some(tokens("spent", Duration::minutes(-1))));
    // Another tab refreshed and stored what it got.
    session::store_tokens(Some(&tokens("rotated", Duration::minutes(15))));

    let adopted = client.refresh_session(Some("spent")).await.expect("adopted without an exchange");
    assert_eq!(adopted.access_token, "rotated");
    assert_eq!(client.auth().tokens().map(|t| t.access_token).as_deref(), Some("rotated"));

    // Another tab signed out: this one's session is over too.
    session::store_tokens(None);
    let result = client.refresh_session(None).await;
    assert!(matches!(result, Err(RefreshError::Rejected)), "{result:?}");
    assert!(client.auth().tokens().is_none());
}

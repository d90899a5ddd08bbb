//! The web app in a real browser: Debian's headless Chromium, driven over
//! WebDriver (chromedriver) by fantoccini, against a real server started
//! in-process that serves the built bundle (`cargo xtask web`).
//!
//! Without the bundle, `chromium` or `chromedriver` these tests are skipped
//! with a message, unless `CI` is set: then they fail. `cargo xtask test`
//! installs the browser and builds the bundle first.
//!
//! The tests take turns (one browser at a time on a 2-core machine), and
//! find things by the ids and classes the app gives them.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use charter_tests::TestServer;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use machine::{ChildGuard, chromium_args, find_program, free_port, in_ci};
use serde_json::{Value, json};

/// How long anything may take to show up.
const PATIENCE: Duration = Duration::from_secs(15);
const PASSWORD: &str = "correct horse battery";

fn bundle_dir() -> PathBuf {
    // At run time: a test built from another checkout sharing the target
    // directory would otherwise look at that checkout's bundle.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("../web/dist")
}

/// What is missing to run the browser tests, if anything.
fn missing() -> Option<String> {
    if !bundle_dir().join("index.html").is_file() {
        return Some(format!(
            "the web bundle is not built ({}): run `cargo xtask web`",
            bundle_dir().display()
        ));
    }
    if find_program(&["chromium", "chromium-browser"]).is_none() {
        return Some("chromium is not installed: `apt-get install -y chromium chromium-driver`".into());
    }
    if find_program(&["chromedriver"]).is_none() {
        return Some("chromedriver is not installed: `apt-get install -y chromium-driver`".into());
    }
    None
}

/// Whether to run: skip with a message, or fail in CI.
fn can_run(test: &str) -> bool {
    match missing() {
        None => true,
        Some(why) if in_ci() => panic!("browser test {test} cannot run in CI: {why}"),
        Some(why) => {
            eprintln!("SKIPPED browser test {test}: {why}");
            false
        }
    }
}

/// A headless Chromium session, ended (with its driver) on drop.
struct Browser {
    client: Option<Client>,
    /// Ended (with the session) when the browser is dropped.
    _driver: ChildGuard,
    _profile: tempfile::TempDir,
    base_url: String,
}

impl Browser {
    async fn open(base_url: &str) -> Browser {
        let port = free_port().expect("a free port");
        let chromedriver = find_program(&["chromedriver"]).expect("chromedriver");
        let driver = ChildGuard(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        let profile = tempfile::tempdir().expect("a profile directory");
        let chromium = find_program(&["chromium", "chromium-browser"]).expect("chromium");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": chromium_args(profile.path()),
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connected = ClientBuilder::rustls()
                .expect("a WebDriver connector")
                .capabilities(capabilities.clone())
                .connect(&url)
                .await;
            match connected {
                Ok(client) => break client,
                Err(error) if started.elapsed() > PATIENCE => {
                    panic!("cannot start a Chromium session: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser { client: Some(client), _driver: driver, _profile: profile, base_url: base_url.to_owned() }
    }

    fn c(&self) -> &Client {
        self.client.as_ref().expect("open")
    }

    async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }

    async fn go(&self, path: &str) {
        self.c().goto(&format!("{}{path}", self.base_url)).await.expect("navigates");
    }

    async fn js(&self, script: &str) -> Value {
        self.c().execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until `script` (a JS expression) is truthy.
    async fn until(&self, what: &str, script: &str) {
        let started = Instant::now();
        loop {
            if self.c().execute(&format!("return !!({script});"), vec![]).await.ok()
                == Some(Value::Bool(true))
            {
                return;
            }
            if started.elapsed() > PATIENCE {
                let body = self.js("return document.body ? document.body.innerText : ''").await;
                let url = self.c().current_url().await.map(|u| u.to_string()).unwrap_or_default();
                panic!(
                    "timed out waiting for {what} ({script})\nat {url}\npage text:\n{}",
                    body.as_str().unwrap_or("")
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_for(&self, css: &str) {
        self.until(&format!("`{css}`"), &format!("document.querySelector({})", json!(css))).await;
    }

    async fn path_is(&self, path: &str) {
        self.until(&format!("the address {path}"), &format!("location.pathname === {}", json!(path))).await;
    }

    async fn click(&self, css: &str) {
        self.wait_for(css).await;
        self.c()
            .find(Locator::Css(css))
            .await
            .expect("found")
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Types into a field, replacing what was there. (WebDriver's own
    /// clear fires no `input` event, so the app would not hear of it.)
    async fn fill(&self, css: &str, text: &str) {
        self.set_value(css, "").await;
        let element = self.c().find(Locator::Css(css)).await.expect("found");
        element.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Sets a value the way a date picker would (typing dates is locale-bound).
    async fn set_value(&self, css: &str, value: &str) {
        self.wait_for(css).await;
        self.js(&format!(
            "const e = document.querySelector({}); e.value = {}; e.dispatchEvent(new Event('input', {{bubbles: true}})); return null;",
            json!(css),
            json!(value)
        ))
        .await;
    }

    async fn select(&self, css: &str, value: &str) {
        self.wait_for(css).await;
        let element = self.c().find(Locator::Css(css)).await.expect("found");
        element.select_by_value(value).await.expect("selects");
    }

    async fn text(&self, css: &str) -> String {
        self.wait_for(css).await;
        self.js(&format!("return document.querySelector({}).textContent.trim()", json!(css)))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the list shows exactly these titles, in this order.
    async fn titles_are(&self, titles: &[&str]) {
        let expected = json!(titles).to_string();
        self.until(
            &format!("the titles {expected}"),
            &format!(
                "JSON.stringify([...document.querySelectorAll('#task-list .task-title')].map(e => e.textContent.trim())) === {}",
                json!(expected)
            ),
        )
        .await;
    }

    async fn counts_are(&self, pending: u32, completed: u32) {
        self.until(
            &format!("{pending} pending and {completed} completed"),
            &format!(
                "document.querySelector('#pending-count')?.textContent === '{pending}' && document.querySelector('#completed-count')?.textContent === '{completed}'"
            ),
        )
        .await;
    }

    async fn sign_up(&self, name: &str, email: &str) {
        self.go("/sign-up").await;
        self.fill("#name", name).await;
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.click("#submit").await;
        self.path_is("/tasks").await;
        self.wait_for("#new-title").await;
    }

    async fn sign_in(&self, email: &str) {
        self.path_is("/sign-in").await;
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.click("#submit").await;
        self.path_is("/tasks").await;
        self.wait_for("#new-title").await;
    }

    async fn sign_out(&self) {
        self.click("#sign-out").await;
        self.path_is("/sign-in").await;
        self.until(
            "the signed-out notice",
            "document.querySelector('#flash')?.textContent.includes('signed out')",
        )
        .await;
    }

    /// Opens `/tasks` in a second tab of the same browser (same storage)
    /// and switches to it; answers the first tab and the second.
    async fn open_second_tab(&self) -> (WindowHandle, WindowHandle) {
        let first = self.c().window().await.expect("the first tab");
        let second = self.c().new_window(true).await.expect("a second tab").handle;
        self.to_tab(&second).await;
        self.go("/tasks").await;
        (first, second)
    }

    async fn to_tab(&self, tab: &WindowHandle) {
        self.c().switch_to_window(tab.clone()).await.expect("switches tab");
    }

    /// Adds a task from the form by pressing Enter in the title.
    async fn add(&self, title: &str) {
        self.fill("#new-title", &format!("{title}\u{e007}")).await;
        self.wait_for(&Browser::task(title)).await;
    }

    fn task(title: &str) -> String {
        format!("li[data-title={}]", json!(title))
    }
}

fn email(name: &str) -> String {
    format!("{name}-{}@example.com", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn a_person_manages_tasks_end_to_end() {
    if !can_run("a_person_manages_tasks_end_to_end") {
        return;
    }
    let server = TestServer::start(None, 900).await;
    let b = Browser::open(&server.base_url).await;

    // `/` sends a stranger to sign-in; the forms check input before sending.
    b.go("/").await;
    b.path_is("/sign-in").await;
    b.click("#to-sign-up").await;
    b.path_is("/sign-up").await;
    b.click("#submit").await;
    b.wait_for("#name-error").await;
    b.wait_for("#email-error").await;
    b.fill("#email", "not-an-email").await;
    b.fill("#password", "short").await;
    b.click("#submit").await;
    assert!(b.text("#password-error").await.contains("at least 8"));
    assert_eq!(
        b.js("return location.pathname").await,
        "/sign-up",
        "nothing is sent while the form is invalid"
    );

    let ada = email("ada");
    b.sign_up("Ada", &ada).await;
    b.wait_for("#empty-state").await;
    b.counts_are(0, 0).await;

    // Add three tasks; focus stays in the title for the next one.
    b.add("Buy milk").await;
    assert_eq!(b.js("return document.activeElement.id").await, "new-title");
    b.fill("#new-description", "about the trip").await;
    b.add("Call Alice").await;
    b.set_value("#new-due", "2020-01-01").await;
    b.add("Pay rent").await;
    b.titles_are(&["Pay rent", "Call Alice", "Buy milk"]).await;
    b.counts_are(3, 0).await;
    b.wait_for(&format!("{}.overdue", Browser::task("Pay rent"))).await;
    assert!(
        b.text(&format!("{} .task-description", Browser::task("Call Alice")))
            .await
            .contains("about the trip")
    );

    // One click completes a task.
    b.click(&format!("{} .toggle", Browser::task("Buy milk"))).await;
    b.counts_are(2, 1).await;
    b.wait_for(&format!("{}.done", Browser::task("Buy milk"))).await;

    // Filters.
    b.click("#filter-completed").await;
    b.titles_are(&["Buy milk"]).await;
    b.click("#filter-pending").await;
    b.titles_are(&["Pay rent", "Call Alice"]).await;
    b.click("#filter-all").await;
    b.titles_are(&["Pay rent", "Call Alice", "Buy milk"]).await;

    // Sorts.
    b.select("#sort", "title-asc").await;
    b.titles_are(&["Buy milk", "Call Alice", "Pay rent"]).await;
    b.select("#sort", "title-desc").await;
    b.titles_are(&["Pay rent", "Call Alice", "Buy milk"]).await;
    b.select("#sort", "due-asc").await;
    b.until("Pay rent first", "document.querySelector('#task-list .task-title').textContent === 'Pay rent'")
        .await;
    b.select("#sort", "created-asc").await;
    b.titles_are(&["Buy milk", "Call Alice", "Pay rent"]).await;

    // Edit in place; Enter saves.
    b.click(&format!("{} .edit", Browser::task("Call Alice"))).await;
    b.wait_for(".edit-title").await;
    assert!(
        b.js("return document.activeElement.classList.contains('edit-title')")
            .await
            .as_bool()
            .unwrap_or(false)
    );
    b.fill(".edit-title", "Call Alice back\u{e007}").await;
    b.titles_are(&["Buy milk", "Call Alice back", "Pay rent"]).await;

    // Delete, then undo.
    b.click(&format!("{} .delete", Browser::task("Pay rent"))).await;
    b.titles_are(&["Buy milk", "Call Alice back"]).await;
    b.click("#undo").await;
    b.titles_are(&["Buy milk", "Call Alice back", "Pay rent"]).await;
    // Delete for good: after the undo window it is gone from the server too.
    b.click(&format!("{} .delete", Browser::task("Buy milk"))).await;
    b.titles_are(&["Call Alice back", "Pay rent"]).await;
    b.until("the undo window to pass", "!document.querySelector('#undo-toast')").await;
    b.go("/tasks").await;
    b.titles_are(&["Pay rent", "Call Alice back"]).await;
    b.counts_are(2, 0).await;

    // A reload keeps the session; sign-out ends it; sign-in brings it back.
    b.sign_out().await;
    assert_eq!(b.js("return localStorage.getItem('charter.tokens')").await, Value::Null);
    b.go("/tasks").await;
    b.path_is("/sign-in").await;
    b.fill("#email", &ada).await;
    b.fill("#password", "wrong password").await;
    b.click("#submit").await;
    b.wait_for("#form-error").await;
    b.sign_in(&ada).await;
    b.titles_are(&["Pay rent", "Call Alice back"]).await;
    b.counts_are(2, 0).await;

    b.close().await;
}

#[tokio::test]
async fn a_second_person_never_sees_the_first_ones_tasks() {
    if !can_run("a_second_person_never_sees_the_first_ones_tasks") {
        return;
    }
    let server = TestServer::start(None, 900).await;
    let b = Browser::open(&server.base_url).await;

    b.sign_up("Ada", &email("ada")).await;
    b.add("Ada's secret plan").await;
    b.sign_out().await;

    b.sign_up("Grace", &email("grace")).await;
    b.wait_for("#empty-state").await;
    b.counts_are(0, 0).await;
    b.titles_are(&[]).await;
    b.add("Grace's own task").await;
    b.titles_are(&["Grace's own task"]).await;
    b.close().await;
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_unnoticed() {
    if !can_run("an_expired_access_token_is_refreshed_unnoticed") {
        return;
    }
    // Access tokens live 2 seconds.
    let server = TestServer::start(None, 2).await;
    let b = Browser::open(&server.base_url).await;

    b.sign_up("Ada", &email("ada")).await;
    b.add("Before expiry").await;
    let first = b.js("return JSON.parse(localStorage.getItem('charter.tokens')).access_token").await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    b.add("After expiry").await;
    b.titles_are(&["After expiry", "Before expiry"]).await;
    assert_eq!(b.js("return location.pathname").await, "/tasks");
    assert_eq!(b.js("return document.querySelector('#page-error, #add-error')").await, Value::Null);
    let second = b.js("return JSON.parse(localStorage.getItem('charter.tokens')).access_token").await;
    assert_ne!(first, second, "the stored tokens follow the refresh");

    // A reload after expiry restores the session from storage.
    tokio::time::sleep(Duration::from_secs(3)).await;
    b.go("/tasks").await;
    b.titles_are(&["After expiry", "Before expiry"]).await;

    // A session the server no longer honours sends the person to sign-in,
    // with a message.
    b.js("const t = JSON.parse(localStorage.getItem('charter.tokens'));
         t.refresh_token = 'revoked'; t.expires_at = '2000-01-01T00:00:00Z';
         localStorage.setItem('charter.tokens', JSON.stringify(t)); return null;")
        .await;
    b.go("/tasks").await;
    b.path_is("/sign-in").await;
    b.until(
        "the session-ended notice",
        "document.querySelector('#flash')?.textContent.includes('session has ended')",
    )
    .await;
    b.close().await;
}

// spec: 003-web-app#FR-027
#[tokio::test]
async fn tabs_never_replay_each_others_refresh_tokens() {
    if !can_run("tabs_never_replay_each_others_refresh_tokens") {
        return;
    }
    // Access tokens live 2 seconds, so both tabs must refresh.
    let server = TestServer::start(None, 2).await;
    let b = Browser::open(&server.base_url).await;
    let ada = email("ada");

    b.sign_up("Ada", &ada).await;
    b.add("From the first tab").await;
    let (first, second) = b.open_second_tab().await;
    b.titles_are(&["From the first tab"]).await;

    // Both tabs' access tokens expire. The second refreshes first; the
    // first must then use the rotated tokens: replaying its own would make
    // the server revoke the session in both.
    tokio::time::sleep(Duration::from_secs(3)).await;
    b.add("From the second tab").await;
    b.to_tab(&first).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    b.add("Back in the first tab").await;
    assert_eq!(b.js("return location.pathname").await, "/tasks");
    assert_eq!(b.js("return document.querySelector('#page-error, #add-error')").await, Value::Null);
    // A filter reloads the list in place. (Reloading the page could cut
    // off a refresh in flight, which every call makes with 2-second
    // tokens, and lose the rotated tokens with the page.)
    b.click("#filter-pending").await;
    b.titles_are(&["Back in the first tab", "From the second tab", "From the first tab"]).await;
    b.to_tab(&second).await;
    b.click("#filter-pending").await;
    b.titles_are(&["Back in the first tab", "From the second tab", "From the first tab"]).await;
    b.close().await;
}

// spec: 003-web-app#FR-027
#[tokio::test]
async fn tabs_follow_each_others_changes_sign_out_and_sign_in() {
    if !can_run("tabs_follow_each_others_changes_sign_out_and_sign_in") {
        return;
    }
    let server = TestServer::start(None, 900).await;
    let b = Browser::open(&server.base_url).await;
    let ada = email("ada");

    b.sign_up("Ada", &ada).await;
    b.add("Shared").await;
    let (first, second) = b.open_second_tab().await;
    b.titles_are(&["Shared"]).await;

    // A task added in one tab shows in the other without a reload.
    b.add("Added in the second tab").await;
    b.to_tab(&first).await;
    b.titles_are(&["Added in the second tab", "Shared"]).await;
    b.counts_are(2, 0).await;

    // Signing out in one tab signs the other out at once, and says why.
    b.sign_out().await;
    b.to_tab(&second).await;
    b.path_is("/sign-in").await;
    b.until(
        "the notice that another tab signed out",
        "document.querySelector('#flash')?.textContent.includes('signed out in another tab')",
    )
    .await;

    // Signing in in one tab signs the other in.
    b.sign_in(&ada).await;
    b.to_tab(&first).await;
    b.path_is("/tasks").await;
    b.titles_are(&["Added in the second tab", "Shared"]).await;
    b.close().await;
}

// spec: 003-web-app#FR-016
#[tokio::test]
async fn an_edit_sent_as_the_session_ends_is_saved_after_signing_in() {
    if !can_run("an_edit_sent_as_the_session_ends_is_saved_after_signing_in") {
        return;
    }
    // Access tokens live 2 seconds, so the page must refresh to save.
    let server = TestServer::start(None, 2).await;
    let b = Browser::open(&server.base_url).await;
    let address = email("lin");
    b.sign_up("Lin", &address).await;
    b.add("Draft the plan").await;
    // The add is followed by the counts; let them arrive (and their token
    // refresh finish) so that the save below is the first request to find
    // the session gone.
    b.counts_are(1, 0).await;

    b.click(&format!("{} .edit", Browser::task("Draft the plan"))).await;
    b.wait_for(".edit-title").await;
    b.fill(".edit-title", "Draft the plan and send it").await;

    // Meanwhile the session is ended elsewhere (sign-out on another device).
    let refresh_token = b.js("return JSON.parse(localStorage.getItem('charter.tokens')).refresh_token").await;
    server
        .client()
        .auth_sign_out()
        .body(api_client::types::SignOutRequest {
            refresh_token: refresh_token.as_str().unwrap_or_default().to_owned(),
        })
        .send()
        .await
        .expect("sign-out elsewhere");

    // Saving at once finds the session gone (tokens this short are
    // refreshed before every request): sign-in, with a message. (The event
    // stream, reopened when its token expires, may find it gone first: then
    // the open edit is kept instead, and saved below.)
    if let Ok(field) = b.c().find(Locator::Css(".edit-title")).await {
        let _ = field.send_keys("\u{e007}").await;
    }
    b.path_is("/sign-in").await;
    b.until(
        "the session-ended notice",
        "document.querySelector('#flash')?.textContent.includes('session has ended')",
    )
    .await;

    // After signing in again the edit is saved, not lost.
    b.sign_in(&address).await;
    b.wait_for("#task-list").await;
    if let Ok(field) = b.c().find(Locator::Css(".edit-title")).await {
        field.send_keys("\u{e007}").await.expect("press Enter");
    }
    b.wait_for(&Browser::task("Draft the plan and send it")).await;
    b.close().await;
}

// spec: 003-web-app#FR-016
#[tokio::test]
async fn an_open_edit_survives_a_session_ended_by_another_request() {
    if !can_run("an_open_edit_survives_a_session_ended_by_another_request") {
        return;
    }
    let server = TestServer::start(None, 2).await;
    let b = Browser::open(&server.base_url).await;
    let address = email("kim");
    b.sign_up("Kim", &address).await;
    b.add("Water the plants").await;
    // Let the counts that follow the add arrive first, so that the filter
    // below is the request that finds the session gone.
    b.counts_are(1, 0).await;

    b.click(&format!("{} .edit", Browser::task("Water the plants"))).await;
    b.wait_for(".edit-title").await;
    b.fill(".edit-title", "Water the plants on the balcony").await;

    let refresh_token = b.js("return JSON.parse(localStorage.getItem('charter.tokens')).refresh_token").await;
    server
        .client()
        .auth_sign_out()
        .body(api_client::types::SignOutRequest {
            refresh_token: refresh_token.as_str().unwrap_or_default().to_owned(),
        })
        .send()
        .await
        .expect("sign-out elsewhere");

    // Another request, not the edit, finds the session gone: the event
    // stream, reopened with a refreshed token when its token expires.
    b.path_is("/sign-in").await;

    // After signing in the edit is open again, as typed; Enter saves it.
    b.sign_in(&address).await;
    b.until(
        "the edit reopened as typed",
        "document.querySelector('.edit-title')?.value === 'Water the plants on the balcony'",
    )
    .await;
    let field = b.c().find(Locator::Css(".edit-title")).await.expect("the edit is open");
    field.send_keys("\u{e007}").await.expect("press Enter");
    b.wait_for(&Browser::task("Water the plants on the balcony")).await;
    b.close().await;
}

#[tokio::test]
async fn long_lists_load_in_pages_and_are_counted() {
    if !can_run("long_lists_load_in_pages_and_are_counted") {
        return;
    }
    let server = TestServer::start(None, 900).await;
    let (client, session) = server.user("Ada").await;
    for i in 0..105 {
        client
            .task_create()
            .user_id(&session.user.id)
            .body(new_task(format!("Task {i:03}")))
            .send()
            .await
            .expect("task created");
    }
    client
        .task_complete()
        .user_id(&session.user.id)
        .task_id(
            client
                .task_list()
                .user_id(&session.user.id)
                .limit(1)
                .send()
                .await
                .expect("listed")
                .into_inner()
                .items[0]
                .id,
        )
        .body(api_client::types::TaskCompletion { completed: Some(true) })
        .send()
        .await
        .expect("completed");

    let b = Browser::open(&server.base_url).await;
    b.go("/sign-in").await;
    b.sign_in(session.user.email.as_deref().expect("an email")).await;
    b.counts_are(104, 1).await;
    b.until("a first page of 100", "document.querySelectorAll('#task-list .task').length === 100").await;
    b.click("#load-more").await;
    b.until("all 105 tasks", "document.querySelectorAll('#task-list .task').length === 105").await;
    b.until("no more pages", "!document.querySelector('#load-more')").await;
    b.close().await;
}

impl Browser {
    /// Sends keys to the element `css` (focused by WebDriver first).
    async fn keys(&self, css: &str, keys: &str) {
        self.wait_for(css).await;
        let element = self.c().find(Locator::Css(css)).await.expect("found");
        element.send_keys(keys).await.unwrap_or_else(|e| panic!("keys into {css}: {e}"));
    }

    /// The due date the task titled `title` shows, as `YYYY-MM-DD`.
    async fn due_of(&self, title: &str) -> String {
        self.text(&format!("{} .due time", Browser::task(title))).await;
        self.js(&format!(
            "return document.querySelector({}).getAttribute('datetime')",
            json!(format!("{} .due time", Browser::task(title)))
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }
}

const ARROW_DOWN: &str = "\u{e015}";
const ENTER: &str = "\u{e007}";

// spec: 005-organise-and-plan#FR-018, 005-organise-and-plan#FR-019, 005-organise-and-plan#FR-020, 005-organise-and-plan#FR-022, 005-organise-and-plan#FR-024
#[tokio::test]
async fn a_person_organises_searches_and_repeats_tasks_by_keyboard() {
    if !can_run("a_person_organises_searches_and_repeats_tasks_by_keyboard") {
        return;
    }
    let server = TestServer::start(None, 900).await;
    let b = Browser::open(&server.base_url).await;
    b.sign_up("Ada", &email("ada")).await;
    b.add("Buy milk").await;

    // A Monday at least a day ahead, in the browser's calendar (UTC here).
    let mut monday = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
    while chrono::Datelike::weekday(&monday) != chrono::Weekday::Mon {
        monday += chrono::Duration::days(1);
    }
    // Title shortcuts, the due date, "Weekly on…" by arrow keys and Monday
    // by the space bar, then Enter in the title: no mouse.
    b.fill("#new-title", "Water the plants !high #home").await;
    b.set_value("#new-due", &monday.to_string()).await;
    b.keys("#new-repeat", &ARROW_DOWN.repeat(3)).await;
    b.wait_for("#new-day-MO").await;
    b.keys("#new-day-MO", " ").await;
    b.keys("#new-title", ENTER).await;
    let plants = Browser::task("Water the plants");
    b.wait_for(&plants).await;
    assert_eq!(b.text(&format!("{plants} .badge")).await, "High");
    assert_eq!(b.text(&format!("{plants} .chip.tag")).await, "home");
    assert_eq!(b.text(&format!("{plants} .task-repeat")).await, "Repeats weekly on Mon");
    b.counts_are(2, 0).await;
    // Every control names the task it acts on.
    let label = b
        .js(&format!(
            "return document.querySelector({}).getAttribute('aria-label')",
            json!(format!("{plants} .toggle"))
        ))
        .await;
    assert_eq!(label.as_str(), Some("Mark “Water the plants” done"));

    // `/` goes to the search box; results follow typing.
    b.js("document.activeElement.blur(); return null;").await;
    let body = b.c().active_element().await.expect("the page has focus");
    body.send_keys("/").await.expect("types /");
    b.until("the search box focused", "document.activeElement?.id === 'search'").await;
    b.keys("#search", "plan").await;
    b.titles_are(&["Water the plants"]).await;
    b.fill("#search", "").await;
    b.titles_are(&["Water the plants", "Buy milk"]).await;

    // Filtered by tag.
    b.until("the tag in the filter", "document.querySelector('#tag-filter option[value=\"home\"]')").await;
    b.select("#tag-filter", "home").await;
    b.titles_are(&["Water the plants"]).await;
    b.select("#tag-filter", "").await;
    b.titles_are(&["Water the plants", "Buy milk"]).await;

    // Completing the repeating task moves it to its next Monday, pending.
    b.keys(&format!("{plants} .toggle"), " ").await;
    let next = (monday + chrono::Duration::days(7)).to_string();
    b.until(
        "the next Monday",
        &format!(
            "document.querySelector({})?.getAttribute('datetime') === {}",
            json!(format!("{plants} .due time")),
            json!(next)
        ),
    )
    .await;
    assert_eq!(b.due_of("Water the plants").await, next);
    assert!(
        !b.js(&format!("return document.querySelector({}).checked", json!(format!("{plants} .toggle"))))
            .await
            .as_bool()
            .unwrap_or(true)
    );
    b.counts_are(2, 0).await;
    b.close().await;
}

// spec: 005-organise-and-plan#FR-021, 005-organise-and-plan#FR-024, 006-safe-writes-and-sync#FR-012
#[tokio::test]
async fn a_reminder_shows_a_notice_with_done_and_snooze() {
    if !can_run("a_reminder_shows_a_notice_with_done_and_snooze") {
        return;
    }
    let server = TestServer::start(None, 900).await;
    let (client, session) = server.user("Ada").await;
    let me = session.user.id.as_str();
    let b = Browser::open(&server.base_url).await;
    b.go("/sign-in").await;
    b.sign_in(session.user.email.as_deref().expect("an email")).await;
    b.wait_for("#empty-state").await;
    // Made on another device while the page is open: the list shows them
    // from the stream, and the server's reminders come due on it.
    let soon = chrono::Utc::now() + chrono::Duration::seconds(2);
    for title in ["Call the bank", "Take the pills"] {
        client
            .task_create()
            .user_id(me)
            .body(api_client::types::TaskCreate { remind_at: Some(soon), ..new_task(title) })
            .send()
            .await
            .expect("task created");
    }
    b.until("two reminders", "document.querySelectorAll('#reminders .reminder').length === 2").await;
    let notice = |title: &str| format!("#reminders .reminder[data-id] button[aria-label={}]", json!(title));
    b.click(&notice("Snooze “Call the bank” for 10 minutes")).await;
    b.click(&notice("Mark “Take the pills” done")).await;
    b.until("the notices gone", "!document.querySelector('#reminders')").await;
    b.counts_are(1, 1).await;
    let tasks: Vec<api_client::types::Task> =
        futures::TryStreamExt::try_collect(client.task_list().user_id(me).stream()).await.expect("list");
    let bank = tasks.iter().find(|t| t.title == "Call the bank").expect("bank");
    assert!(
        bank.remind_at.is_some_and(|at| at > chrono::Utc::now() + chrono::Duration::minutes(9)),
        "snoozed"
    );
    assert!(tasks.iter().any(|t| t.title == "Take the pills" && t.completed), "done");
    b.close().await;
}

// spec: 006-safe-writes-and-sync#FR-012
#[tokio::test]
async fn an_edit_of_a_task_changed_elsewhere_is_explained_not_applied() {
    if !can_run("an_edit_of_a_task_changed_elsewhere_is_explained_not_applied") {
        return;
    }
    let server = TestServer::start(None, 900).await;
    let (client, session) = server.user("Ada").await;
    let me = session.user.id.as_str();
    let task = client
        .task_create()
        .user_id(me)
        .body(new_task("Plan the trip"))
        .send()
        .await
        .expect("created")
        .into_inner();
    let b = Browser::open(&server.base_url).await;
    b.go("/sign-in").await;
    b.sign_in(session.user.email.as_deref().expect("an email")).await;
    b.click(&format!("{} .edit", Browser::task("Plan the trip"))).await;
    b.wait_for(".edit-title").await;
    b.fill(".edit-title", "Plan the trip to Lisbon").await;

    // Meanwhile, on the phone:
    client
        .task_update()
        .user_id(me)
        .task_id(task.id)
        .body(replacement("Plan the trip to Porto"))
        .send()
        .await
        .expect("changed elsewhere");

    b.keys(".edit-title", ENTER).await;
    b.wait_for(&Browser::task("Plan the trip to Porto")).await;
    b.until(
        "the explanation, with what was typed",
        "document.querySelector('#page-error')?.textContent.includes('changed elsewhere') \
         && document.querySelector('#page-error')?.textContent.includes('Plan the trip to Lisbon')",
    )
    .await;
    let kept = client.task_view().user_id(me).task_id(task.id).send().await.expect("view").into_inner();
    assert_eq!(kept.title, "Plan the trip to Porto", "the stale edit was not written");
    b.close().await;
}

// spec: 006-safe-writes-and-sync#FR-012, 006-safe-writes-and-sync#FR-013
#[tokio::test]
async fn two_devices_see_each_others_changes_without_a_reload() {
    if !can_run("two_devices_see_each_others_changes_without_a_reload") {
        return;
    }
    let server = TestServer::start(None, 900).await;
    // Two browsers with profiles of their own: a laptop and a phone.
    let laptop = Browser::open(&server.base_url).await;
    let phone = Browser::open(&server.base_url).await;
    let ada = email("ada");
    laptop.sign_up("Ada", &ada).await;
    laptop.wait_for("#empty-state").await;
    phone.go("/sign-in").await;
    phone.sign_in(&ada).await;
    phone.wait_for("#empty-state").await;
    // Gone if the page reloads.
    phone.js("window.charterTestMark = 'still here'").await;

    laptop.add("Written on the laptop").await;
    phone.titles_are(&["Written on the laptop"]).await;
    phone.counts_are(1, 0).await;

    phone.add("Written on the phone").await;
    laptop.titles_are(&["Written on the phone", "Written on the laptop"]).await;
    phone.click(&format!("{} .toggle", Browser::task("Written on the laptop"))).await;
    laptop.wait_for(&format!("{}.done", Browser::task("Written on the laptop"))).await;
    laptop.counts_are(1, 1).await;

    laptop.click(&format!("{} .delete", Browser::task("Written on the phone"))).await;
    // The delete is sent when its undo window closes.
    phone.titles_are(&["Written on the laptop"]).await;
    phone.counts_are(0, 1).await;
    assert_eq!(phone.js("return window.charterTestMark").await, "still here", "the phone never reloaded");
    laptop.close().await;
    phone.close().await;
}

/// A task with a title and nothing else.
fn new_task(title: impl Into<String>) -> api_client::types::TaskCreate {
    api_client::types::TaskCreate::titled(title)
}

/// An update that replaces the title and clears description and due date.
fn replacement(title: impl Into<String>) -> api_client::types::TaskUpdate {
    api_client::types::TaskUpdate::replacing(title)
}

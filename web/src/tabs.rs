//! One session shared by every tab of the browser.
//!
//! The tabs keep the same tokens in `localStorage`, and the server revokes
//! a session when a spent refresh token is presented again, so a tab must
//! never refresh with a token another tab has already exchanged. Two things
//! prevent it: [`share_session`] makes the client refresh under the
//! browser's Web Lock `charter-refresh` and adopt the tokens stored by
//! another tab first; [`on_session_change`] tells the app when another tab
//! rotated, ended or started the session (the `storage` event), so it can
//! follow at once instead of at its next call. Task changes need no tab
//! of their own: every tab follows the server's event stream (`sync`),
//! which carries them from every device.

use api_client::Client;
use api_client::auth::SharedLockGuard;

use crate::session;

/// The Web Lock every tab takes to refresh.
pub const REFRESH_LOCK: &str = "charter-refresh";

/// Makes the client coordinate its refreshes with the other tabs.
pub fn share_session(client: &Client) {
    client.auth().share(session::load_tokens, refresh_lock);
}

/// Waits for the Web Lock [`REFRESH_LOCK`] and holds it until the guard
/// is dropped. Browsers without Web Locks (a page served over plain HTTP
/// from another host than localhost is not a secure context) get a guard
/// that holds nothing: the adoption of stored tokens still applies.
#[cfg(target_arch = "wasm32")]
pub async fn refresh_lock() -> SharedLockGuard {
    web_lock::acquire(REFRESH_LOCK)
        .await
        .map_or_else(|| Box::new(()) as SharedLockGuard, |held| Box::new(held))
}

/// The host build has no browser, hence no other tabs.
#[cfg(not(target_arch = "wasm32"))]
pub async fn refresh_lock() -> SharedLockGuard {
    Box::new(())
}

/// Calls `changed` whenever another tab changes the stored session.
/// Keep the returned listener alive for as long as it should be heard.
#[cfg(target_arch = "wasm32")]
pub fn on_session_change(changed: impl Fn() + 'static) -> Option<StorageListener> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let closure = Closure::<dyn FnMut(web_sys::StorageEvent)>::new(move |event: web_sys::StorageEvent| {
        // `key` is null when another tab cleared all of storage.
        match event.key() {
            Some(key) if key != session::TOKENS_KEY => {}
            _ => changed(),
        }
    });
    let window = web_sys::window()?;
    window.add_event_listener_with_callback("storage", closure.as_ref().unchecked_ref()).ok()?;
    Some(StorageListener { window, closure })
}

/// The host build has no browser, hence no other tabs.
#[cfg(not(target_arch = "wasm32"))]
pub fn on_session_change(_changed: impl Fn() + 'static) -> Option<StorageListener> {
    None
}

/// A `storage` listener, removed when dropped.
#[cfg(target_arch = "wasm32")]
pub struct StorageListener {
    window: web_sys::Window,
    closure: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::StorageEvent)>,
}

#[cfg(target_arch = "wasm32")]
impl Drop for StorageListener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ =
            self.window.remove_event_listener_with_callback("storage", self.closure.as_ref().unchecked_ref());
    }
}

/// The host build has no browser, hence no listener.
#[cfg(not(target_arch = "wasm32"))]
pub struct StorageListener;

/// `navigator.locks`, through `js_sys` because web-sys marks the Web Locks
/// API unstable.
#[cfg(target_arch = "wasm32")]
pub mod web_lock {
    use js_sys::{Array, Function, Promise, Reflect};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    /// A granted lock; dropping it releases the lock, [`LINGER_MS`] later.
    pub struct HeldLock {
        release: Function,
    }

    /// How long a lock outlives its guard. The holder has just written the
    /// rotated tokens to `localStorage`, which reaches the other tabs
    /// asynchronously; a tab granted the lock at once could still read the
    /// spent ones and present them. A moment's wait lets the write arrive.
    pub const LINGER_MS: i32 = 150;

    impl Drop for HeldLock {
        fn drop(&mut self) {
            let later = web_sys::window().and_then(|window| {
                window.set_timeout_with_callback_and_timeout_and_arguments_0(&self.release, LINGER_MS).ok()
            });
            if later.is_none() {
                let _ = self.release.call0(&JsValue::UNDEFINED);
            }
        }
    }

    /// Whether this page can take Web Locks.
    pub fn available() -> bool {
        manager().is_some()
    }

    fn manager() -> Option<(JsValue, Function)> {
        let navigator = web_sys::window()?.navigator();
        let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
        if locks.is_undefined() || locks.is_null() {
            return None;
        }
        let request =
            Reflect::get(&locks, &JsValue::from_str("request")).ok()?.dyn_into::<Function>().ok()?;
        Some((locks, request))
    }

    /// Waits until the exclusive lock `name` is granted to this tab;
    /// `None` when the browser has no Web Locks or refused the request.
    pub async fn acquire(name: &str) -> Option<HeldLock> {
        let (locks, request) = manager()?;
        // The lock lasts until the promise its callback returns settles:
        // `release` settles it.
        let mut release = None;
        let held = Promise::new(&mut |resolve, _reject| release = Some(resolve));
        let mut grant = None;
        let granted = Promise::new(&mut |resolve, _reject| grant = Some(resolve));
        let (release, grant) = (release?, grant?);
        let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
            let _ = grant.call0(&JsValue::UNDEFINED);
            held
        });
        let outcome =
            request.call2(&locks, &JsValue::from_str(name), &callback).ok()?.dyn_into::<Promise>().ok()?;
        // The request's own promise settles only after release, unless it
        // is refused: then it rejects, and waiting for the grant would hang.
        JsFuture::from(Promise::race(&Array::of2(&granted, &outcome))).await.ok()?;
        Some(HeldLock { release })
    }
}

//! The live list: the user's event stream (`task_events`), followed for as
//! long as the task page is open, on every device and tab.
//!
//! [`LiveEvents::follow`] opens the stream after the last event this
//! browser received (kept in `localStorage`, so a page opened later
//! resumes where the last one stopped and hears the reminders that came
//! due meanwhile), hands each event to the page, and opens it again when
//! it ends — the server ends it when the access token expires, and the
//! client refreshes the token on the way — or fails, waiting longer after
//! each failure. When the server has forgotten the changes after the last
//! id (410), or the stream was lost before any event, the page is told to
//! load its list afresh.

use std::time::Duration;

use api_client::Client;
use api_client::types::TaskEvent;
use futures::StreamExt;
use futures::future::{AbortHandle, Abortable};
use yew::Callback;

use crate::session;

/// What the stream tells the page.
pub enum Live {
    Event(Box<TaskEvent>),
    /// Changes may have been missed: load the list again.
    Resync,
}

/// The first wait after a failure, and the longest.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(30);
/// The pause before opening a stream that ended normally again.
const REOPEN_AFTER: Duration = Duration::from_millis(250);

/// A followed stream; dropping it closes the stream.
pub struct LiveEvents {
    abort: AbortHandle,
}

impl Drop for LiveEvents {
    fn drop(&mut self) {
        self.abort.abort();
    }
}

impl LiveEvents {
    pub fn follow(client: Client, user_id: String, on_live: Callback<Live>) -> LiveEvents {
        let (abort, registration) = AbortHandle::new_pair();
        let follow = async move {
            let mut last = session::load_last_event(&user_id);
            let mut retry = RETRY_FIRST;
            let mut connected_before = false;
            loop {
                match client.task_event_stream(&user_id, last.as_deref()).await {
                    Ok(events) => {
                        if connected_before && last.is_none() {
                            on_live.emit(Live::Resync);
                        }
                        connected_before = true;
                        retry = RETRY_FIRST;
                        let mut events = Box::pin(events);
                        while let Some(Ok(event)) = events.next().await {
                            last = Some(event.id);
                            session::store_last_event(&user_id, last.as_deref());
                            on_live.emit(Live::Event(Box::new(event.event)));
                        }
                        // Ended (the token expired) or broken: open it again
                        // in a moment; the client refreshes the token first.
                        yew::platform::time::sleep(REOPEN_AFTER).await;
                        continue;
                    }
                    Err(e) => match e.status().map(|s| s.as_u16()) {
                        // The server forgot what came after the last id.
                        Some(410) | Some(400) => {
                            last = None;
                            session::store_last_event(&user_id, None);
                            on_live.emit(Live::Resync);
                        }
                        // Signed out, or another user: the app follows the
                        // session; this stream has nothing more to say.
                        Some(401) | Some(403) => return,
                        _ => {}
                    },
                }
                yew::platform::time::sleep(retry).await;
                retry = (retry * 2).min(RETRY_MAX);
            }
        };
        yew::platform::spawn_local(async move {
            let _ = Abortable::new(follow, registration).await;
        });
        LiveEvents { abort }
    }
}

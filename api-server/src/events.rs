//! Live events (006-safe-writes-and-sync FR-010, FR-011): `task_events`
//! streams the change log as server-sent events, and every server claims
//! due reminders into it.
//!
//! A stream is the log read forward ([`changes::read`]) from the client's
//! `Last-Event-ID`, or from now. It reads again whenever a change of its
//! user is announced — by `pg_notify` from any server on PostgreSQL
//! (relayed by [`Store::relay_notifications`]), in process on SQLite — and
//! with every keep-alive, so a notice lost while the listener reconnects
//! delays an event but never drops it. It ends when the access token does.
//!
//! The response body is a channel a task of its own fills; when the client
//! goes, the next send fails and the task ends.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use chrono::Utc;
use dropshot::Body;
use hyper::body::{Bytes, Frame};
use slog::{Logger, warn};
use tokio::sync::{broadcast, mpsc};

use charter_api::types::TaskEvent;

use crate::changes::{self, Cursor, Entry, Include};
use crate::error::Error;
use crate::store::{ChangeNotice, Store};

/// How often a stream sends a comment, so that proxies and clients see it
/// alive, and reads the log in case a notice was lost.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often each server looks for due reminders.
pub const REMINDER_POLL: Duration = Duration::from_secs(1);
/// Entries one read of the log takes.
const READ_BATCH: u32 = 100;

/// Opens the user's stream, after `last_event_id` when given; ends by
/// `expires_at` (Unix seconds).
pub async fn stream(
    store: &Store,
    user_id: &str,
    last_event_id: Option<&str>,
    expires_at: i64,
) -> Result<http::Response<Body>, Error> {
    // Subscribed before the log is read: a change committed in between is
    // announced to this stream, not lost.
    let notices = store.subscribe();
    let head = changes::head(store, user_id).await?;
    // An empty id is no id, as browsers' EventSource treats it.
    let from = match last_event_id.map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => Cursor::parse(id, head)?,
        None => Cursor::through(head.seq),
    };
    let (sender, receiver) = mpsc::channel(16);
    tokio::spawn(follow(store.clone(), user_id.to_owned(), from, notices, expires_at, sender));
    http::Response::builder()
        .status(http::StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "text/event-stream")
        .header(http::header::CACHE_CONTROL, "no-cache")
        // Proxies that buffer (nginx) pass each event on at once.
        .header("x-accel-buffering", "no")
        .body(Body::wrap(EventBody(receiver)))
        .map_err(|e| Error::internal("building the event stream's response", e))
}

/// Sends the log after `cursor` as events, then follows it.
async fn follow(
    store: Store,
    user_id: String,
    mut cursor: Cursor,
    mut notices: broadcast::Receiver<ChangeNotice>,
    expires_at: i64,
    sender: mpsc::Sender<Bytes>,
) {
    let user = user_id.as_str();
    let until =
        Duration::from_millis(u64::try_from(expires_at * 1000 - Utc::now().timestamp_millis()).unwrap_or(0));
    let end = tokio::time::Instant::now() + until;
    let mut keep_alive = tokio::time::interval_at(tokio::time::Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    // Sent first, so a client knows the stream is open before any change.
    if sender.send(Bytes::from_static(b": open\n\n")).await.is_err() {
        return;
    }
    loop {
        // Read everything there is, a batch at a time.
        loop {
            let head = match changes::head(&store, user).await {
                Ok(head) => head.seq,
                Err(_) => break,
            };
            let include = Include { tombstones: true, reminders: true };
            let Ok(page) = changes::read(&store, user, &cursor, head, READ_BATCH, include).await else {
                break;
            };
            for logged in page.entries {
                if sender.send(event(&logged.cursor, logged.entry)).await.is_err() {
                    return;
                }
            }
            cursor = page.next;
            if !page.more {
                break;
            }
        }
        // Then wait for the next change of this user.
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(end) => return,
                _ = keep_alive.tick() => {
                    if sender.send(Bytes::from_static(b": keep-alive\n\n")).await.is_err() {
                        return;
                    }
                    break;
                }
                notice = notices.recv() => match notice {
                    Ok(ChangeNotice::User(whose)) if *whose != *user => continue,
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }
}

/// One entry as a server-sent event: `id`, `event` and `data` lines.
fn event(cursor: &Cursor, entry: Entry) -> Bytes {
    let event = match entry {
        Entry::Task { task, created: true } => TaskEvent::TaskCreated(task),
        Entry::Task { task, created: false } => TaskEvent::TaskUpdated(task),
        Entry::Deleted(tombstone) => TaskEvent::TaskDeleted(tombstone),
        Entry::ReminderDue(due) => TaskEvent::ReminderDue(due),
    };
    // JSON has no raw newlines, so `data` is one line.
    let data = event.data().unwrap_or_default();
    let name = event.name();
    Bytes::from(format!("id: {cursor}\nevent: {name}\ndata: {data}\n\n"))
}

/// The body of a stream: what the task following the log sends.
struct EventBody(mpsc::Receiver<Bytes>);

impl hyper::body::Body for EventBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(|bytes| Ok(Frame::data(bytes))))
    }
}

/// Claims due reminders every [`REMINDER_POLL`], for as long as it runs:
/// each is claimed by exactly one server and announced to the user's
/// streams (and kept in the log for a stream that opens later).
pub async fn deliver_reminders(store: Store, log: Logger) {
    let mut tick = tokio::time::interval(REMINDER_POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = Utc::now().timestamp_millis();
        let users = match store.users_with_due_reminders(now).await {
            Ok(users) => users,
            Err(e) => {
                warn!(log, "looking for due reminders failed: {e}");
                continue;
            }
        };
        for user in users {
            if let Err(e) = store.claim_reminders(&user, now).await {
                warn!(log, "claiming due reminders failed: {e}");
            }
        }
    }
}

/// Passes PostgreSQL's change notices to this server's streams (nothing to
/// do on SQLite).
pub async fn relay(store: Store, log: Logger) {
    store.relay_notifications(|e| warn!(log, "listening for changes failed, listening again: {e}")).await;
}

//! `task_events` read as typed events, native and wasm.
//!
//! The generated `task_events` call answers the raw byte stream (the
//! contract's `text/event-stream`); [`Client::task_event_stream`] parses
//! it into [`Event`]s: each event's `id` (a change cursor, to resume from
//! with `Last-Event-ID`) and its [`TaskEvent`]. Comments (keep-alives) are
//! skipped, and so are event names this client does not know, so a newer
//! server's additions do not break it.

use eventsource_stream::Eventsource;
use futures::{Stream, StreamExt};

use crate::types::TaskEvent;
use crate::{Client, Error};

/// One event of the stream.
#[derive(Clone, Debug)]
pub struct Event {
    /// The change cursor: pass the last one received as `Last-Event-ID`
    /// (or as `task_changes`' `cursor`) to continue after it.
    pub id: String,
    pub event: TaskEvent,
}

/// Why the stream stopped being readable.
#[derive(Debug)]
pub enum StreamError {
    /// The connection failed or the server ended it mid-event.
    Transport(String),
    /// An event of a known kind whose data does not match the contract.
    Malformed { event: String, reason: String },
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Transport(reason) => write!(f, "the event stream failed: {reason}"),
            StreamError::Malformed { event, reason } => write!(f, "a {event} event is malformed: {reason}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// The event names of [`TaskEvent`].
const KNOWN: [&str; 4] = ["task.created", "task.updated", "task.deleted", "reminder.due"];

impl Client {
    /// Opens the user's event stream — after `last_event_id` when given,
    /// else from now — and reads it as [`Event`]s. The stream ends when the
    /// server ends it (the access token expired): open it again with the
    /// last id.
    pub async fn task_event_stream(
        &self,
        user_id: &str,
        last_event_id: Option<&str>,
    ) -> Result<impl Stream<Item = Result<Event, StreamError>> + use<>, Error<crate::types::Error>> {
        let mut request = self.task_events().user_id(user_id);
        if let Some(id) = last_event_id {
            request = request.last_event_id(id);
        }
        let bytes = request.send().await?.into_inner().into_inner();
        Ok(bytes.eventsource().filter_map(|frame| async move {
            match frame {
                Err(e) => Some(Err(StreamError::Transport(e.to_string()))),
                Ok(frame) if !KNOWN.contains(&frame.event.as_str()) => None,
                Ok(frame) => Some(parse(frame.id, &frame.event, &frame.data)),
            }
        }))
    }
}

fn parse(id: String, name: &str, data: &str) -> Result<Event, StreamError> {
    let malformed = |reason: String| StreamError::Malformed { event: name.to_owned(), reason };
    let data: serde_json::Value = serde_json::from_str(data).map_err(|e| malformed(e.to_string()))?;
    let event = serde_json::from_value(serde_json::json!({ "event": name, "data": data }))
        .map_err(|e| malformed(e.to_string()))?;
    Ok(Event { id, event })
}

//! Idempotency keys (006-safe-writes-and-sync FR-005, FR-006): a request
//! sent again with the same `Idempotency-Key` and the same body gets the
//! first answer, and changes nothing.
//!
//! Keys live in the database, so every server sharing it honours them. A
//! request claims its key with one insert; a second request with the key
//! finds the record: the same body gets the stored answer (waiting while
//! the first still runs), another body is refused. A failed request
//! releases its key, so a retry runs anew; a key whose request vanished
//! (its server stopped) is taken over after a minute.

use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::store::{KeyClaim, Store};

pub const KEY_MAX_CHARS: usize = 255;
/// How long an answer is kept for replay.
pub const KEY_LIFETIME: chrono::Duration = chrono::Duration::hours(24);
/// How long a request waits for the first one holding its key.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);
/// A running record older than this lost its request (a server stopped).
const ABANDONED: chrono::Duration = chrono::Duration::minutes(1);

/// An answer, and whether it is a replay of the first.
pub struct Answer<T> {
    pub value: T,
    pub replayed: bool,
}

/// 1 to 255 printable ASCII characters.
pub fn check_key(key: &str) -> Result<(), Error> {
    if key.is_empty() || key.len() > KEY_MAX_CHARS || !key.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(Error::invalid(
            "InvalidIdempotencyKey",
            format!("Use 1 to {KEY_MAX_CHARS} printable ASCII characters for the Idempotency-Key."),
        ));
    }
    Ok(())
}

fn digest(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `work` once for `user_id`'s `key`: the first request runs it and
/// its answer is stored; a later one with the same `operation` and
/// `request` gets that answer back.
/// `status` is the success status `work`'s answer is sent with.
pub async fn once<T, W, F>(
    store: &Store,
    user_id: &str,
    key: &str,
    operation: &str,
    request: &impl Serialize,
    status: u16,
    work: W,
) -> Result<Answer<T>, Error>
where
    T: Serialize + DeserializeOwned,
    W: FnOnce() -> F,
    F: Future<Output = Result<T, Error>>,
{
    check_key(key)?;
    let id = digest(&[user_id.as_bytes(), key.as_bytes()]);
    let body = serde_json::to_vec(request).map_err(|e| Error::internal("encoding a request", e))?;
    let request_hash = digest(&[operation.as_bytes(), &body]);
    let started = tokio::time::Instant::now();
    loop {
        let now = Utc::now().timestamp_millis();
        match store.claim_idempotency_key(&id, user_id, &request_hash, now).await? {
            KeyClaim::Claimed => break,
            KeyClaim::Gone => continue,
            KeyClaim::Stored { request_hash: stored_hash, status, body, created_at } => {
                let expired = created_at < now - KEY_LIFETIME.num_milliseconds();
                let abandoned = status.is_none() && created_at < now - ABANDONED.num_milliseconds();
                if expired || abandoned {
                    if store.take_over_idempotency_key(&id, created_at, &request_hash, now).await? {
                        break;
                    }
                    continue;
                }
                if stored_hash != request_hash {
                    return Err(Error::IdempotencyKeyReused);
                }
                if let Some(body) = body {
                    let value = serde_json::from_str(&body)
                        .map_err(|_| Error::Corrupt { what: "stored answer", value: body.clone() })?;
                    return Ok(Answer { value, replayed: true });
                }
                if started.elapsed() >= WAIT_FOR_FIRST {
                    return Err(Error::IdempotencyKeyInFlight);
                }
                tokio::time::sleep(POLL).await;
            }
        }
    }
    match work().await {
        Ok(value) => {
            let answer =
                serde_json::to_string(&value).map_err(|e| Error::internal("encoding an answer", e))?;
            store.finish_idempotency_key(&id, i64::from(status), &answer).await?;
            Ok(Answer { value, replayed: false })
        }
        Err(e) => {
            // Nothing was written: the key may be used again.
            let _ = store.release_idempotency_key(&id).await;
            Err(e)
        }
    }
}

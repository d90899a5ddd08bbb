//! Two server processes on one PostgreSQL database (feature
//! 006-safe-writes-and-sync FR-011, FR-013, SC-002): what one replica
//! writes, the other serves, streams and refuses as if it had written it.
//! PostgreSQL only (SQLite is one process's file); required in CI.

use std::time::Duration;

use api_client::events::Event;
use api_client::types::{AuthSession, TaskEvent};
use charter_tests::replica::ReplicaProcess;
use charter_tests::{drop_postgres_database, private_postgres_database};
use futures::{Stream, StreamExt};
use sqlx::Connection;

use super::*;

/// Two replicas on a database of their own, started one after the other
/// (the first migrates it), with these extra settings.
async fn replicas(env: &[(&str, &str)]) -> Option<(ReplicaProcess, ReplicaProcess, String)> {
    let url = private_postgres_database().await?;
    let binary = env!("CARGO_BIN_EXE_charter-replica");
    let a = ReplicaProcess::start(binary, &url, env);
    let b = ReplicaProcess::start(binary, &url, env);
    Some((a, b, url))
}

/// A user signed up through `a`, and a client of each replica holding the
/// session.
async fn user_on_both(a: &ReplicaProcess, b: &ReplicaProcess) -> (Client, Client, AuthSession) {
    let client_a = a.client();
    let email = format!("replica-{}@example.com", Uuid::new_v4().simple());
    let session = client_a
        .auth_sign_up()
        .body(SignUpRequest { email, password: "correct horse battery".into(), name: "Replica".into() })
        .send()
        .await
        .expect("sign-up")
        .into_inner();
    client_a.auth().set_session(&session);
    let client_b = b.client();
    client_b.auth().set_session(&session);
    (client_a, client_b, session)
}

async fn next_event(
    events: &mut (impl Stream<Item = Result<Event, api_client::events::StreamError>> + Unpin),
    within: Duration,
) -> Event {
    tokio::time::timeout(within, events.next())
        .await
        .expect("an event in time")
        .expect("the stream is open")
        .expect("a well-formed event")
}

// spec: 006-safe-writes-and-sync#FR-011, 006-safe-writes-and-sync#FR-013, 006-safe-writes-and-sync#SC-002
#[tokio::test]
async fn a_change_on_one_replica_reaches_the_other_replicas_stream() {
    let Some((a, b, url)) = replicas(&[]).await else { return };
    let (client_a, client_b, session) = user_on_both(&a, &b).await;
    let me = session.user.id.as_str();
    let mut on_b = Box::pin(client_b.task_event_stream(me, None).await.expect("stream on B"));

    for title in ["Written on A", "Again on A"] {
        let task = create(&client_a, me, new_task(title)).await;
        let arrived = next_event(&mut on_b, Duration::from_secs(1)).await;
        assert!(matches!(&arrived.event, TaskEvent::TaskCreated(t) if t.id == task.id), "{arrived:?}");
    }
    // A sync through B sees what A wrote, from the same log.
    let changes = client_b.task_changes().user_id(me).send().await.expect("changes").into_inner();
    assert_eq!(changes.tasks.len(), 2);

    // A reminder comes due once, whichever replica claims it: both
    // replicas' streams see exactly one.
    let mut on_a = Box::pin(client_a.task_event_stream(me, None).await.expect("stream on A"));
    let remind_at = Utc::now() + chrono::Duration::milliseconds(500);
    let task =
        create(&client_b, me, TaskCreate { remind_at: Some(remind_at), ..new_task("Remind me once") }).await;
    for stream in [&mut on_a, &mut on_b] {
        assert!(matches!(next_event(stream, Duration::from_secs(5)).await.event, TaskEvent::TaskCreated(_)));
        let due = next_event(stream, Duration::from_secs(5)).await;
        assert!(matches!(&due.event, TaskEvent::ReminderDue(r) if r.task.id == task.id), "{due:?}");
    }
    // Both replicas look every second: give them three more looks.
    for stream in [&mut on_a, &mut on_b] {
        let later = tokio::time::timeout(Duration::from_secs(3), stream.next()).await;
        assert!(later.is_err(), "no second reminder: {later:?}");
    }
    let mut db = sqlx::PgConnection::connect(&url).await.expect("database");
    let claimed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reminder_events WHERE task_id = $1")
        .bind(task.id.to_string())
        .fetch_one(&mut db)
        .await
        .expect("count");
    assert_eq!(claimed, 1, "one claim across replicas\nA:\n{}\nB:\n{}", a.log(), b.log());
    drop(db);
    finish(a, b, &url).await;
}

/// Stops both replicas and drops their database.
async fn finish(a: ReplicaProcess, b: ReplicaProcess, url: &str) {
    drop((a, b));
    drop_postgres_database(url).await.expect("drop the database");
}

// spec: 006-safe-writes-and-sync#FR-002, 006-safe-writes-and-sync#FR-006, 006-safe-writes-and-sync#FR-013
#[tokio::test]
async fn conditional_and_idempotent_writes_hold_across_replicas() {
    let Some((a, b, url)) = replicas(&[]).await else { return };
    let (client_a, client_b, session) = user_on_both(&a, &b).await;
    let me = session.user.id.as_str();

    // Read on A, changed through B, then a stale write through A.
    let task = create(&client_a, me, new_task("Shared")).await;
    client_b
        .task_update()
        .user_id(me)
        .task_id(task.id)
        .if_match("\"1\"")
        .body(replacement("Changed on B"))
        .send()
        .await
        .expect("B writes version 1");
    let (status, _) = refused(
        "task_update",
        client_a
            .task_update()
            .user_id(me)
            .task_id(task.id)
            .if_match("\"1\"")
            .body(replacement("Stale on A"))
            .send()
            .await,
    );
    assert_eq!(status, 412);
    let (status, _) = refused(
        "task_delete",
        client_a.task_delete().user_id(me).task_id(task.id).if_match("\"1\"").send().await,
    );
    assert_eq!(status, 412);

    // One key: created through A, replayed through B.
    let send = |client: Client| async move {
        client
            .task_create()
            .user_id(me)
            .idempotency_key("across-replicas")
            .body(new_task("Once"))
            .send()
            .await
    };
    let first = send(client_a.clone()).await.expect("A").into_inner();
    let replay = send(client_b.clone()).await.expect("B");
    assert_eq!(replay.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert_eq!(replay.into_inner().id, first.id);
    // One key sent to both at once: one task.
    let race = |client: Client| async move {
        client.task_create().user_id(me).idempotency_key("raced").body(new_task("Raced")).send().await
    };
    let (on_a, on_b) = tokio::join!(race(client_a.clone()), race(client_b.clone()));
    let ids: Vec<Uuid> = [on_a, on_b].into_iter().filter_map(|r| r.ok()).map(|r| r.into_inner().id).collect();
    assert!(!ids.is_empty() && ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let titles: Vec<String> = all_tasks(&client_a, me).await.into_iter().map(|t| t.title).collect();
    assert_eq!(titles.iter().filter(|t| *t == "Raced").count(), 1);
    assert_eq!(titles.iter().filter(|t| *t == "Once").count(), 1);
    finish(a, b, &url).await;
}

// spec: 006-safe-writes-and-sync#FR-013
#[tokio::test]
async fn a_refresh_token_rotated_on_one_replica_is_refused_on_the_other() {
    // A two-second grace period on both.
    let Some((a, b, url)) = replicas(&[("CHARTER_REFRESH_GRACE", "2")]).await else { return };
    let (client_a, client_b, session) = user_on_both(&a, &b).await;
    let rotated = refresh(&client_a, &session.refresh_token).await.expect("rotated on A").into_inner();
    // Within the grace period, B honours the old token with the same
    // session (two devices refreshing at once).
    let within = refresh(&client_b, &session.refresh_token).await.expect("honoured on B").into_inner();
    assert_eq!(within.user.id, session.user.id);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // After it, B refuses it, and the reuse ends the session on A too.
    let (status, body) = refused("auth_refresh", refresh(&client_b, &session.refresh_token).await);
    assert_eq!((status, body.error_code.as_deref()), (401, Some("InvalidRefreshToken")));
    let (status, _) = refused("auth_refresh", refresh(&client_a, &rotated.refresh_token).await);
    assert_eq!(status, 401, "the session is revoked everywhere");
    finish(a, b, &url).await;
}

async fn refresh(
    client: &Client,
    token: &str,
) -> Result<api_client::ResponseValue<AuthSession>, ClientError<types::Error>> {
    client.auth_refresh().body(RefreshRequest { refresh_token: token.to_owned() }).send().await
}

//! Batches, incremental sync and the event stream (feature
//! 006-safe-writes-and-sync), on both backends.

use std::time::Duration;

use api_client::events::Event;
use api_client::types::{BatchOperation, BatchResult, TaskBatch, TaskChanges, TaskEvent};
use futures::{Stream, StreamExt};

use super::*;

async fn batch(
    client: &Client,
    me: &str,
    operations: Vec<BatchOperation>,
) -> Result<Vec<BatchResult>, ClientError<types::Error>> {
    let answer = client.task_batch().user_id(me).body(TaskBatch { operations }).send().await?;
    Ok(answer.into_inner().results)
}

fn update(task_id: Uuid, if_match: Option<u64>, title: &str) -> BatchOperation {
    BatchOperation::Update { task_id, if_match, task: replacement(title) }
}

async fn changes(client: &Client, me: &str, cursor: Option<&str>, limit: Option<u32>) -> TaskChanges {
    try_changes(client, me, cursor, limit).await.expect("changes")
}

async fn try_changes(
    client: &Client,
    me: &str,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<TaskChanges, ClientError<types::Error>> {
    let mut request = client.task_changes().user_id(me);
    if let Some(cursor) = cursor {
        request = request.cursor(cursor);
    }
    if let Some(limit) = limit {
        request = request.limit(std::num::NonZeroU32::new(limit).expect("non-zero"));
    }
    Ok(request.send().await?.into_inner())
}

/// Replaces a task's title, as another device would.
async fn rename(client: &Client, me: &str, id: Uuid, title: &str) {
    client.task_update().user_id(me).task_id(id).body(replacement(title)).send().await.expect("update");
}

fn titles(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.title.as_str()).collect()
}

// spec: 006-safe-writes-and-sync#FR-007, 006-safe-writes-and-sync#FR-013
backend_test!(a_batch_is_all_or_nothing, async |server| {
    let (client, session) = server.user("Batcher").await;
    let me = session.user.id.as_str();
    let kept = create(&client, me, new_task("Kept as it is")).await;

    // 56 operations that would work, then a stale If-Match at index 56.
    let mut operations: Vec<BatchOperation> =
        (0..55).map(|i| BatchOperation::Create { task: new_task(format!("Batch {i}")) }).collect();
    operations.push(update(kept.id, Some(1), "Renamed in the batch"));
    operations.push(update(kept.id, Some(1), "Stale by now"));
    let (status, body) = refused("task_batch", batch(&client, me, operations).await);
    assert_eq!(status, 412);
    assert_eq!(body.error_code.as_deref(), Some("PreconditionFailed"));
    assert!(body.message.starts_with("operations[56]: "), "{}", body.message);
    let all = all_tasks(&client, me).await;
    assert_eq!(titles(&all), ["Kept as it is"], "nothing of the batch was written");
    assert_eq!(all[0].version, 1);

    // A missing task and a bad title name their operations too.
    let (status, body) = refused(
        "task_batch",
        batch(
            &client,
            me,
            vec![
                BatchOperation::Create { task: new_task("Fine") },
                BatchOperation::Delete { task_id: Uuid::now_v7(), if_match: None },
            ],
        )
        .await,
    );
    assert_eq!((status, body.error_code.as_deref()), (404, Some("TaskNotFound")));
    assert!(body.message.starts_with("operations[1]: "), "{}", body.message);
    let (status, body) = refused(
        "task_batch",
        batch(&client, me, vec![BatchOperation::Create { task: new_task("  ") }]).await,
    );
    assert_eq!(status, 400);
    assert!(body.message.starts_with("operations[0]: "), "{}", body.message);
    // Empty and oversized batches are refused whole.
    for size in [0, 101] {
        let operations =
            (0..size).map(|i| BatchOperation::Create { task: new_task(format!("T{i}")) }).collect();
        let (status, body) = refused("task_batch", batch(&client, me, operations).await);
        assert_eq!((status, body.error_code.as_deref()), (400, Some("InvalidBatch")), "{size} operations");
    }
    assert_eq!(all_tasks(&client, me).await.len(), 1);

    // A batch that works: results in order, each as stored.
    let results = batch(
        &client,
        me,
        vec![
            BatchOperation::Create { task: new_task("New one") },
            update(kept.id, Some(1), "Renamed"),
            BatchOperation::Complete { task_id: kept.id, if_match: Some(2), completed: Some(true) },
        ],
    )
    .await
    .expect("batch");
    let [
        BatchResult::Create { task: created },
        BatchResult::Update { task: renamed },
        BatchResult::Complete { task: done },
    ] = results.as_slice()
    else {
        panic!("results in order: {results:?}")
    };
    assert_eq!((created.title.as_str(), created.version), ("New one", 1));
    assert_eq!((renamed.title.as_str(), renamed.version), ("Renamed", 2));
    assert!(done.completed && done.version == 3);
    let results = batch(&client, me, vec![BatchOperation::Delete { task_id: created.id, if_match: Some(1) }])
        .await
        .expect("delete");
    assert!(matches!(results.as_slice(), [BatchResult::Delete { task_id }] if *task_id == created.id));
    assert_eq!(titles(&all_tasks(&client, me).await), ["Renamed"]);
});

// spec: 006-safe-writes-and-sync#FR-005, 006-safe-writes-and-sync#FR-006
backend_test!(a_retried_batch_writes_once, async |server| {
    let (client, session) = server.user("Retrier").await;
    let me = session.user.id.as_str();
    let body = TaskBatch {
        operations: vec![
            BatchOperation::Create { task: new_task("One") },
            BatchOperation::Create { task: new_task("Two") },
        ],
    };
    let send = |body: TaskBatch| client.task_batch().user_id(me).idempotency_key("batch-1").body(body).send();
    let first = send(body.clone()).await.expect("first");
    assert!(first.headers().get("idempotent-replayed").is_none());
    let again = send(body.clone()).await.expect("again");
    assert_eq!(again.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    let ids = |results: &[BatchResult]| -> Vec<Uuid> {
        results
            .iter()
            .filter_map(|r| if let BatchResult::Create { task } = r { Some(task.id) } else { None })
            .collect()
    };
    assert_eq!(ids(&first.into_inner().results), ids(&again.into_inner().results));
    assert_eq!(all_tasks(&client, me).await.len(), 2);
    let other = TaskBatch { operations: vec![BatchOperation::Create { task: new_task("Three") }] };
    let (status, body) = refused("task_batch", send(other).await);
    assert_eq!((status, body.error_code.as_deref()), (422, Some("IdempotencyKeyReused")));
});

// spec: 006-safe-writes-and-sync#FR-008, 006-safe-writes-and-sync#FR-009, 006-safe-writes-and-sync#FR-013
backend_test!(sync_from_the_start_and_from_a_cursor, async |server| {
    let (client, session) = server.user("Syncer").await;
    let me = session.user.id.as_str();
    let first = changes(&client, me, None, None).await;
    assert!(first.tasks.is_empty() && first.deleted.is_empty() && !first.more);

    let a = create(&client, me, new_task("A")).await;
    let b = create(&client, me, new_task("B")).await;
    let c = create(&client, me, new_task("C")).await;
    let everything = changes(&client, me, None, None).await;
    assert_eq!(titles(&everything.tasks), ["A", "B", "C"]);
    assert!(everything.deleted.is_empty() && !everything.more);
    // The cursor from before they existed catches up with them too.
    assert_eq!(titles(&changes(&client, me, Some(&first.cursor), None).await.tasks), ["A", "B", "C"]);

    // Changes since: an update, a deletion, a creation; each task once.
    let since = everything.cursor.clone();
    rename(&client, me, a.id, "A, renamed").await;
    rename(&client, me, a.id, "A, again").await;
    client.task_delete().user_id(me).task_id(b.id).send().await.expect("delete");
    let d = create(&client, me, new_task("D")).await;
    let delta = changes(&client, me, Some(&since), None).await;
    assert_eq!(titles(&delta.tasks), ["A, again", "D"]);
    assert_eq!(delta.deleted.iter().map(|t| t.id).collect::<Vec<_>>(), [b.id]);
    assert!(!delta.more);
    // Caught up: nothing more, and the cursor stays put.
    let caught_up = changes(&client, me, Some(&delta.cursor), None).await;
    assert!(caught_up.tasks.is_empty() && caught_up.deleted.is_empty());
    assert_eq!(caught_up.cursor, delta.cursor);

    // Pages of one, in change order, tombstones included.
    let mut cursor = since.clone();
    let mut seen = Vec::new();
    loop {
        let page = changes(&client, me, Some(&cursor), Some(1)).await;
        assert!(page.tasks.len() + page.deleted.len() <= 1);
        seen.extend(page.tasks.iter().map(|t| t.id));
        seen.extend(page.deleted.iter().map(|t| t.id));
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, [a.id, b.id, d.id]);

    // A tag renamed on many tasks changes them all under one number, and
    // pages still split them without loss.
    let tagged = TaskUpdate { tags: Some(vec!["home".into()]), ..replacement("C") };
    client.task_update().user_id(me).task_id(c.id).body(tagged.clone()).send().await.expect("tag");
    client
        .task_update()
        .user_id(me)
        .task_id(d.id)
        .body(TaskUpdate { title: "D".into(), ..tagged })
        .send()
        .await
        .expect("tag");
    let before_rename = changes(&client, me, Some(&cursor), None).await.cursor;
    client
        .tag_rename()
        .user_id(me)
        .tag("home")
        .body(types::TagRename { name: "House".into() })
        .send()
        .await
        .expect("rename");
    let first_half = changes(&client, me, Some(&before_rename), Some(1)).await;
    assert!(first_half.more);
    let second_half = changes(&client, me, Some(&first_half.cursor), Some(1)).await;
    let renamed: Vec<Uuid> = first_half.tasks.iter().chain(&second_half.tasks).map(|t| t.id).collect();
    assert_eq!(renamed, [c.id, d.id]);
    assert!(first_half.tasks.iter().chain(&second_half.tasks).all(|t| t.tags == ["House"]));

    // Cursors are checked.
    // (Sent raw: the contract's pattern excludes them, so a client may
    // refuse to send them at all.)
    for bad in ["nonsense", "-1", "3-abc"] {
        let path = format!("/api/users/{me}/changes?cursor={bad}");
        let (status, _, body) =
            raw(server, reqwest::Method::GET, &path, Some(&session.access_token), None).await;
        assert_eq!((status, body["error_code"].as_str()), (400, Some("InvalidCursor")), "{bad}");
    }
    // A cursor ahead of the log (another database's) cannot be continued.
    let (status, body) = refused("task_changes", try_changes(&client, me, Some("99999"), None).await);
    assert_eq!((status, body.error_code.as_deref()), (410, Some("CursorExpired")));
    // Another user's log is another log.
    let (other, other_session) = server.user("Another").await;
    assert!(changes(&other, &other_session.user.id, None, None).await.tasks.is_empty());
});

// spec: 006-safe-writes-and-sync#FR-008, 006-safe-writes-and-sync#FR-009
backend_test!(a_cursor_older_than_the_tombstones_kept_is_gone, async |server| {
    // A second server on the same database keeps tombstones one second.
    let pruner = server.sibling(|config| config.change_retention = 1).await;
    let (client, session) = server.user("Forgetful").await;
    let me = session.user.id.as_str();
    let doomed = create(&client, me, new_task("Doomed")).await;
    let before = changes(&client, me, None, None).await.cursor;
    client.task_delete().user_id(me).task_id(doomed.id).send().await.expect("delete");
    let after = changes(&client, me, Some(&before), None).await;
    assert_eq!(after.deleted.len(), 1, "the tombstone is there at first");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let expired = loop {
        match try_changes(&client, me, Some(&before), None).await {
            Ok(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            result => break result,
        }
    };
    let (status, body) = refused("task_changes", expired);
    assert_eq!((status, body.error_code.as_deref()), (410, Some("CursorExpired")));
    // The cursor given after the deletion still works, and so does a
    // sync from the start.
    assert!(changes(&client, me, Some(&after.cursor), None).await.deleted.is_empty());
    assert!(changes(&client, me, None, None).await.tasks.is_empty());
    drop(pruner);
});

/// The next event, within a few seconds.
async fn next_event(
    events: &mut (impl Stream<Item = Result<Event, api_client::events::StreamError>> + Unpin),
) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("an event in time")
        .expect("the stream is open")
        .expect("a well-formed event")
}

fn task_of(event: &TaskEvent) -> Uuid {
    match event {
        TaskEvent::TaskCreated(task) | TaskEvent::TaskUpdated(task) => task.id,
        TaskEvent::TaskDeleted(tombstone) => tombstone.id,
        TaskEvent::ReminderDue(due) => due.task.id,
    }
}

// spec: 006-safe-writes-and-sync#FR-010, 006-safe-writes-and-sync#FR-011, 006-safe-writes-and-sync#FR-013
backend_test!(a_stream_sends_each_kind_and_resumes_without_gaps, async |server| {
    let (client, session) = server.user("Watcher").await;
    let me = session.user.id.as_str();
    let before = create(&client, me, new_task("Before the stream")).await;
    let events = client.task_event_stream(me, None).await.expect("stream");
    let mut events = Box::pin(events);

    let a = create(&client, me, new_task("A")).await;
    let created = next_event(&mut events).await;
    assert!(matches!(&created.event, TaskEvent::TaskCreated(t) if t.id == a.id), "{created:?}");
    rename(&client, me, a.id, "A, renamed").await;
    let updated = next_event(&mut events).await;
    assert!(matches!(&updated.event, TaskEvent::TaskUpdated(t) if t.title == "A, renamed"), "{updated:?}");
    client.task_delete().user_id(me).task_id(before.id).send().await.expect("delete");
    let deleted = next_event(&mut events).await;
    assert!(matches!(&deleted.event, TaskEvent::TaskDeleted(t) if t.id == before.id), "{deleted:?}");
    // A reminder already due is claimed within a second or so.
    let remind_at = Utc::now() - chrono::Duration::seconds(1);
    let reminded =
        create(&client, me, TaskCreate { remind_at: Some(remind_at), ..new_task("Call back") }).await;
    assert!(matches!(next_event(&mut events).await.event, TaskEvent::TaskCreated(_)));
    let due = next_event(&mut events).await;
    let TaskEvent::ReminderDue(reminder) = &due.event else { panic!("a reminder: {due:?}") };
    assert_eq!(reminder.task.id, reminded.id);
    assert_eq!(reminder.remind_at.timestamp_millis(), remind_at.timestamp_millis());
    let live = [created, updated, deleted];

    // Resuming after the first event sends what followed it, once each.
    let resumed = client.task_event_stream(me, Some(&live[0].id)).await.expect("resume");
    let mut resumed = Box::pin(resumed);
    let mut replayed = Vec::new();
    for _ in 0..4 {
        replayed.push(next_event(&mut resumed).await);
    }
    let order: Vec<(Uuid, &str)> = replayed
        .iter()
        .map(|e| {
            let kind = match e.event {
                TaskEvent::TaskCreated(_) => "created",
                TaskEvent::TaskUpdated(_) => "updated",
                TaskEvent::TaskDeleted(_) => "deleted",
                TaskEvent::ReminderDue(_) => "reminder",
            };
            (task_of(&e.event), kind)
        })
        .collect();
    assert_eq!(
        order,
        [(a.id, "updated"), (before.id, "deleted"), (reminded.id, "created"), (reminded.id, "reminder")]
    );
    assert_eq!(replayed[0].id, live[1].id, "the same ids as live");
    assert_eq!(replayed[3].id, due.id);
    // And then it is live, and nothing was repeated.
    let b = create(&client, me, new_task("B")).await;
    let next = next_event(&mut resumed).await;
    assert_eq!(task_of(&next.event), b.id);
    assert_eq!(task_of(&next_event(&mut events).await.event), b.id, "both streams are live");

    // A stream is the user's own: another user's changes never show.
    let (other, other_session) = server.user("Other").await;
    create(&other, &other_session.user.id, new_task("Not yours")).await;
    let c = create(&client, me, new_task("C")).await;
    assert_eq!(task_of(&next_event(&mut events).await.event), c.id);

    // Ids are checked as cursors are.
    let (status, _) = refused("task_events", client.task_event_stream(me, Some("99999")).await.map(|_| ()));
    assert_eq!(status, 410, "an id ahead of the log");
    let (status, _) = refused("task_events", other.task_event_stream(me, None).await.map(|_| ()));
    assert_eq!(status, 403);
});

// spec: 006-safe-writes-and-sync#FR-010
backend_test!(a_stream_ends_when_its_token_expires, async |server| {
    // Tokens of this server live two seconds.
    let brief = server.sibling(|config| config.access_token_ttl = 2).await;
    let (client, session) = brief.user("Brief").await;
    let started = tokio::time::Instant::now();
    let events = client.task_event_stream(&session.user.id, None).await.expect("stream");
    let mut events = Box::pin(events);
    let end = tokio::time::timeout(Duration::from_secs(10), events.next()).await.expect("the stream ends");
    assert!(end.is_none(), "no event, then the end: {end:?}");
    assert!(started.elapsed() >= Duration::from_secs(1), "not before the token expired");
});

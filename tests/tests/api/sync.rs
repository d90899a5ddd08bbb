//! Safe writes (feature 006-safe-writes-and-sync): entity tags,
//! `If-Match` and `If-None-Match`, on both backends.

use super::*;

fn etag(response: &api_client::ResponseValue<Task>) -> String {
    response.headers().get("etag").and_then(|v| v.to_str().ok()).expect("an ETag").to_owned()
}

// spec: 006-safe-writes-and-sync#FR-001, 006-safe-writes-and-sync#FR-003
backend_test!(tasks_carry_entity_tags_and_answer_304_when_unchanged, async |server| {
    let (client, session) = server.user("Tagged").await;
    let me = session.user.id.as_str();
    let created = client.task_create().user_id(me).body(new_task("Read me")).send().await.expect("create");
    assert_eq!(etag(&created), "\"1\"");
    let task = created.into_inner();
    let viewed = client.task_view().user_id(me).task_id(task.id).send().await.expect("view");
    assert_eq!(etag(&viewed), "\"1\"");

    // Unchanged: 304 with the ETag and no body, through raw HTTP (the
    // generated client reads a 304 as an error, having no body to decode).
    let url = format!("{}/api/users/{me}/tasks/{}", server.base_url, task.id);
    let token = session.access_token.clone();
    let http = reqwest::Client::new();
    let conditional =
        |tags: &'static str| http.get(&url).bearer_auth(&token).header("if-none-match", tags).send();
    let unchanged = conditional("\"0\", W/\"1\"").await.expect("request");
    assert_eq!(unchanged.status().as_u16(), 304);
    assert_eq!(unchanged.headers().get("etag").and_then(|v| v.to_str().ok()), Some("\"1\""));
    assert!(unchanged.bytes().await.expect("body").is_empty());
    let changed = conditional("\"2\"").await.expect("request");
    assert_eq!(changed.status().as_u16(), 200);

    // A change moves the ETag on.
    let done = complete_with(&client, me, task.id, None).await.expect("complete");
    assert_eq!(etag(&done), "\"2\"");
    assert_eq!(conditional("\"1\"").await.expect("request").status().as_u16(), 200);
    // Another user's task is still a 404, whatever the condition.
    let (other, other_session) = server.user("Other").await;
    let (status, _) = refused(
        "task_view",
        other.task_view().user_id(&other_session.user.id).task_id(task.id).if_none_match("*").send().await,
    );
    assert_eq!(status, 404);
});

async fn complete_with(
    client: &Client,
    me: &str,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<api_client::ResponseValue<Task>, api_client::Error<types::Error>> {
    let mut request =
        client.task_complete().user_id(me).task_id(id).body(TaskCompletion { completed: Some(true) });
    if let Some(tags) = if_match {
        request = request.if_match(tags);
    }
    request.send().await
}

// spec: 006-safe-writes-and-sync#FR-002, 006-safe-writes-and-sync#FR-013
backend_test!(a_stale_if_match_writes_nothing, async |server| {
    let (client, session) = server.user("Careful").await;
    let me = session.user.id.as_str();
    let task = create(&client, me, new_task("Shared")).await;
    // Another device changes it: version 2.
    client
        .task_update()
        .user_id(me)
        .task_id(task.id)
        .body(replacement("Changed elsewhere"))
        .send()
        .await
        .expect("update");

    let stale = "\"1\"";
    let (status, body) = refused(
        "task_update",
        client
            .task_update()
            .user_id(me)
            .task_id(task.id)
            .if_match(stale)
            .body(replacement("Stale"))
            .send()
            .await,
    );
    assert_eq!((status, body.error_code.as_deref()), (412, Some("PreconditionFailed")));
    assert!(body.message.contains("\"2\""), "names the current version: {}", body.message);
    let (status, _) = refused("task_complete", complete_with(&client, me, task.id, Some(stale)).await);
    assert_eq!(status, 412);
    let (status, _) = refused(
        "task_delete",
        client.task_delete().user_id(me).task_id(task.id).if_match(stale).send().await,
    );
    assert_eq!(status, 412);
    // Weak or malformed tags never match.
    for tags in ["W/\"2\"", "2", "\"2"] {
        let (status, _) = refused("task_complete", complete_with(&client, me, task.id, Some(tags)).await);
        assert_eq!(status, 412, "{tags}");
    }
    let unchanged = client.task_view().user_id(me).task_id(task.id).send().await.expect("view").into_inner();
    assert_eq!(
        (unchanged.title.as_str(), unchanged.completed, unchanged.version),
        ("Changed elsewhere", false, 2)
    );

    // The current tag (one of several, or `*`) lets each write through.
    let updated = client
        .task_update()
        .user_id(me)
        .task_id(task.id)
        .if_match("\"1\", \"2\"")
        .body(replacement("Fresh"))
        .send()
        .await
        .expect("update");
    assert_eq!(etag(&updated), "\"3\"");
    // A retry with the tag it read is refused once the first went through.
    let done = complete_with(&client, me, task.id, Some("\"3\"")).await.expect("complete").into_inner();
    assert_eq!(done.version, 4);
    let (status, _) = refused("task_complete", complete_with(&client, me, task.id, Some("\"3\"")).await);
    assert_eq!(status, 412);
    client.task_delete().user_id(me).task_id(task.id).if_match("*").send().await.expect("delete");
    let (status, _) =
        refused("task_delete", client.task_delete().user_id(me).task_id(task.id).if_match("*").send().await);
    assert_eq!(status, 404, "a missing task stays 404");
});

// spec: 006-safe-writes-and-sync#FR-005, 006-safe-writes-and-sync#FR-006, 006-safe-writes-and-sync#FR-013
backend_test!(a_retried_creation_creates_one_task, async |server| {
    let (client, session) = server.user("Retrier").await;
    let me = session.user.id.as_str();
    let send = |key: &'static str, title: &'static str| {
        client.task_create().user_id(me).idempotency_key(key).body(new_task(title)).send()
    };
    let first = send("order-42", "Buy milk").await.expect("first");
    assert!(first.headers().get("idempotent-replayed").is_none());
    let again = send("order-42", "Buy milk").await.expect("again");
    assert_eq!(again.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert_eq!(again.status().as_u16(), 201);
    let (first, again) = (first.into_inner(), again.into_inner());
    assert_eq!((first.id, first.version, first.created_at), (again.id, again.version, again.created_at));
    assert_eq!(all_tasks(&client, me).await.len(), 1, "one task");

    // The same key with another body is refused, and writes nothing.
    let (status, body) = refused("task_create", send("order-42", "Buy bread").await);
    assert_eq!((status, body.error_code.as_deref()), (422, Some("IdempotencyKeyReused")));
    // Keys are per user: another user's same key is theirs.
    let (other, other_session) = server.user("Rita").await;
    let theirs = other
        .task_create()
        .user_id(&other_session.user.id)
        .idempotency_key("order-42")
        .body(new_task("Buy milk"))
        .send()
        .await
        .expect("another user's key");
    assert!(theirs.headers().get("idempotent-replayed").is_none());
    // A refused first request keeps no key: the retry runs anew.
    let (status, _) = refused("task_create", send("bad-then-good", " ").await);
    assert_eq!(status, 400);
    // Keys are printable ASCII, at most 255 characters.
    let (status, _) = refused(
        "task_create",
        client.task_create().user_id(me).idempotency_key("é").body(new_task("x")).send().await,
    );
    assert_eq!(status, 400);
    let (status, body) = refused(
        "task_create",
        client.task_create().user_id(me).idempotency_key("k".repeat(256)).body(new_task("x")).send().await,
    );
    assert_eq!((status, body.error_code.as_deref()), (400, Some("InvalidIdempotencyKey")));
    assert_eq!(all_tasks(&client, me).await.len(), 1, "nothing was created");

    // Two at once with one key: one creates, the other gets its answer.
    let (a, b) = tokio::join!(send("together", "Once"), send("together", "Once"));
    let (a, b) = (a.expect("a"), b.expect("b"));
    let replays = [&a, &b].iter().filter(|r| r.headers().get("idempotent-replayed").is_some()).count();
    assert_eq!(replays, 1);
    assert_eq!(a.into_inner().id, b.into_inner().id);
    assert_eq!(all_tasks(&client, me).await.iter().filter(|t| t.title == "Once").count(), 1);
});

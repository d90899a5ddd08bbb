//! A user's own tasks: create, view, replace, complete, delete, and the
//! rules their fields follow; nobody else's are reachable.

use super::*;

// spec: 001-task-service#FR-016, 001-task-service#FR-018, 001-task-service#FR-019, 001-task-service#FR-020, 001-task-service#FR-021
backend_test!(task_crud_round_trip, async |server| {
    let (client, session) = server.user("Ada").await;
    let me = session.user.id.as_str();
    let due = NaiveDate::from_ymd_opt(2030, 1, 2).expect("date");
    let task = create(
        &client,
        me,
        TaskCreate {
            description: Some("first".into()),
            due_date: Some(due),
            ..new_task("  Write the spec  ")
        },
    )
    .await;
    assert_eq!(task.title, "Write the spec");
    assert_eq!(task.user_id, me);
    assert_eq!((task.completed, task.completed_at), (false, None));
    assert_eq!(task.id.get_version_num(), 7, "ids are UUIDv7");

    let fetched = client.task_view().user_id(me).task_id(task.id).send().await.expect("view").into_inner();
    assert_eq!(fetched.description.as_deref(), Some("first"));
    assert_eq!(fetched.due_date, Some(due));

    // PUT replaces: the omitted description and due date are cleared.
    let replaced = client
        .task_update()
        .user_id(me)
        .task_id(task.id)
        .body(TaskUpdate { completed: Some(true), ..replacement("Rewrite the spec") })
        .send()
        .await
        .expect("update")
        .into_inner();
    assert_eq!(replaced.title, "Rewrite the spec");
    assert_eq!((replaced.description, replaced.due_date), (None, None));
    assert!(replaced.completed && replaced.completed_at.is_some());
    assert!(replaced.updated_at >= task.updated_at);

    // An omitted `completed` keeps the state.
    let kept = client
        .task_update()
        .user_id(me)
        .task_id(task.id)
        .body(replacement("Still done"))
        .send()
        .await
        .expect("update")
        .into_inner();
    assert!(kept.completed);
    assert_eq!(kept.completed_at, replaced.completed_at);

    client.task_delete().user_id(me).task_id(task.id).send().await.expect("delete");
    let gone = client.task_view().user_id(me).task_id(task.id).send().await;
    assert_eq!(refused("task_view", gone).0, 404);
    let twice = client.task_delete().user_id(me).task_id(task.id).send().await;
    assert_eq!(refused("task_delete", twice).0, 404);
});

// spec: 001-task-service#FR-022, 001-task-service#FR-023
backend_test!(completion_toggles_or_sets_idempotently, async |server| {
    let (client, session) = server.user("Tom").await;
    let me = session.user.id.as_str();
    let task = create(&client, me, new_task("Toggle me")).await;
    let complete = |completed: Option<bool>| {
        client.task_complete().user_id(me).task_id(task.id).body(TaskCompletion { completed }).send()
    };
    let done = complete(None).await.expect("toggle").into_inner();
    assert!(done.completed && done.completed_at.is_some());
    let again = complete(Some(true)).await.expect("set").into_inner();
    assert_eq!(
        (again.completed, again.completed_at, again.updated_at),
        (true, done.completed_at, done.updated_at)
    );
    let undone = complete(None).await.expect("toggle back").into_inner();
    assert_eq!((undone.completed, undone.completed_at), (false, None));

    // An empty body toggles too, for people using curl.
    let (status, _, body) = raw(
        server,
        reqwest::Method::PATCH,
        &format!("/api/users/{me}/tasks/{}/complete", task.id),
        Some(&session.access_token),
        None,
    )
    .await;
    assert_eq!((status, body["completed"].as_bool()), (200, Some(true)));
});

// spec: 001-task-service#FR-017, 001-task-service#FR-029
backend_test!(task_input_is_validated_and_nothing_is_written, async |server| {
    let (client, session) = server.user("Val").await;
    let me = session.user.id.as_str();
    let cases = [
        (new_task(""), "InvalidTitle"),
        (new_task("   "), "InvalidTitle"),
        (new_task("t".repeat(201)), "InvalidTitle"),
        (TaskCreate { description: Some("d".repeat(1001)), ..new_task("ok") }, "InvalidDescription"),
    ];
    for (task, code) in cases {
        let result = client.task_create().user_id(me).body(task).send().await;
        let (status, body) = refused("task_create", result);
        assert_eq!((status, body.error_code.as_deref()), (400, Some(code)), "{}", body.message);
    }
    assert!(all_tasks(&client, me).await.is_empty(), "refused creates wrote nothing");

    // The limits themselves are allowed; the title counts after trimming.
    let longest = format!("  {}  ", "t".repeat(200));
    let task =
        create(&client, me, TaskCreate { description: Some("d".repeat(1000)), ..new_task(longest) }).await;
    assert_eq!(task.title.chars().count(), 200);

    let bad_update = client.task_update().user_id(me).task_id(task.id).body(replacement("")).send().await;
    assert_eq!(refused("task_update", bad_update).0, 400);
    let unchanged = client.task_view().user_id(me).task_id(task.id).send().await.expect("view").into_inner();
    assert_eq!(unchanged.title, task.title);
    assert_eq!(unchanged.updated_at, task.updated_at);
});

// spec: 001-task-service#FR-014, 001-task-service#FR-015, 001-task-service#FR-024
backend_test!(users_are_isolated_on_every_task_route, async |server| {
    let (alice, alice_session) = server.user("Alice").await;
    let (bob, bob_session) = server.user("Bob").await;
    let (a, b) = (alice_session.user.id.as_str(), bob_session.user.id.as_str());
    let secret = create(&alice, a, new_task("Alice's secret")).await;
    let own = create(&bob, b, new_task("Bob's own")).await;

    // Bob naming Alice's user id: 403 everywhere.
    let mut forbidden = vec![
        ("task_list", bob.task_list().user_id(a).send().await.map(|_| ())),
        ("task_create", bob.task_create().user_id(a).body(new_task("x")).send().await.map(|_| ())),
    ];
    forbidden.extend(call_task_routes(&bob, a, secret.id).await);
    for (operation, result) in forbidden {
        let (status, body) = refused(operation, result);
        assert_eq!((status, body.error_code.as_deref()), (403, Some("Forbidden")), "{operation}");
    }

    // Bob naming himself but Alice's task: 404, exactly as for a task that
    // does not exist, and none of its data.
    let mut not_found = call_task_routes(&bob, b, secret.id).await;
    not_found.extend(call_task_routes(&bob, b, Uuid::now_v7()).await);
    let mut messages = HashSet::new();
    for (operation, result) in not_found {
        let (status, body) = refused(operation, result);
        assert_eq!(status, 404, "{operation}");
        assert!(!body.message.contains("secret"));
        messages.insert(body.message);
    }
    assert_eq!(messages.len(), 1, "a foreign task and a missing one look the same");

    let bobs: Vec<_> = all_tasks(&bob, b).await.into_iter().map(|t| t.id).collect();
    assert_eq!(bobs, vec![own.id]);
    let untouched = alice.task_view().user_id(a).task_id(secret.id).send().await.expect("view").into_inner();
    assert_eq!((untouched.title.as_str(), untouched.completed), ("Alice's secret", false));
});

/// Calls every route that names a task, as `client`, for `user`'s `task`.
async fn call_task_routes(
    client: &Client,
    user: &str,
    task: Uuid,
) -> Vec<(&'static str, Result<(), ClientError<types::Error>>)> {
    let update = replacement("pwned");
    let completion = TaskCompletion { completed: Some(true) };
    vec![
        ("task_view", client.task_view().user_id(user).task_id(task).send().await.map(|_| ())),
        (
            "task_update",
            client.task_update().user_id(user).task_id(task).body(update).send().await.map(|_| ()),
        ),
        ("task_delete", client.task_delete().user_id(user).task_id(task).send().await.map(|_| ())),
        (
            "task_complete",
            client.task_complete().user_id(user).task_id(task).body(completion).send().await.map(|_| ()),
        ),
    ]
}

// spec: 001-task-service#FR-017, 001-task-service#FR-004
backend_test!(control_characters_and_out_of_range_dates_are_refused, async |server| {
    let (client, session) = server.user("Nul").await;
    let me = session.user.id.as_str();
    let cases = [
        (new_task("a\u{0}b"), "InvalidTitle"),
        (TaskCreate { description: Some("a\u{0}b".into()), ..new_task("ok") }, "InvalidDescription"),
        (TaskCreate { due_date: NaiveDate::from_ymd_opt(10_000, 1, 1), ..new_task("ok") }, "InvalidDueDate"),
    ];
    for (task, code) in cases {
        let (status, body) = refused("task_create", client.task_create().user_id(me).body(task).send().await);
        assert_eq!((status, body.error_code.as_deref()), (400, Some(code)), "{}", body.message);
    }
    let multiline = create(
        &client,
        me,
        TaskCreate { description: Some("line one\nline two\ttab".into()), ..new_task("ok") },
    )
    .await;
    assert_eq!(multiline.description.as_deref(), Some("line one\nline two\ttab"));

    let anonymous = server.client();
    let name = anonymous
        .auth_sign_up()
        .body(SignUpRequest {
            email: format!("nul-{}@example.com", Uuid::new_v4().simple()),
            password: "long enough".into(),
            name: "A\u{0}".into(),
        })
        .send()
        .await;
    assert_eq!(refused("auth_sign_up", name).0, 400);
    let email = anonymous
        .auth_sign_in()
        .body(SignInRequest { email: "a\u{0}@example.com".into(), password: "long enough".into() })
        .send()
        .await;
    assert_eq!(refused("auth_sign_in", email).0, 401);
});

// spec: 009-performance-ceiling#FR-002, 009-performance-ceiling#SC-002
backend_test!(concurrent_writes_all_land_with_consecutive_change_numbers, async |server| {
    let (client, session) = server.user("Crowd").await;
    let me = session.user.id.as_str();
    // 64 creates and 16 lists at once: on SQLite the writes queue for the
    // one writer connection while the lists read beside them.
    let creates =
        (0..64).map(|i| {
            let client = client.clone();
            async move {
                client.task_create().user_id(me).body(TaskCreate::titled(format!("Task {i}"))).send().await
            }
        });
    let lists = (0..16).map(|_| {
        let client = client.clone();
        async move { client.task_list().user_id(me).send().await }
    });
    let (created, listed) =
        futures::join!(futures::future::join_all(creates), futures::future::join_all(lists));
    for answer in created {
        answer.expect("every concurrent create succeeds");
    }
    for answer in listed {
        answer.expect("lists succeed while writes queue");
    }
    // Each create took the next change number: 1 to 64, none lost or repeated.
    let log = client
        .task_changes()
        .user_id(me)
        .limit(std::num::NonZeroU32::new(100).expect("non-zero"))
        .send()
        .await
        .expect("changes")
        .into_inner();
    assert_eq!((log.tasks.len(), log.more), (64, false));
    assert_eq!(log.cursor.split('-').next(), Some("64"), "cursor {}", log.cursor);
});

//! The task service end to end: a real server on a real port, through the
//! generated client, on SQLite and on PostgreSQL.
//!
//! Every error a test provokes is also checked against the statuses the
//! contract documents for that operation (`charter_api::OPERATION_ERRORS`).

use std::collections::HashSet;

use api_client::types::{
    RefreshRequest, SignInRequest, SignOutRequest, SignUpRequest, Task, TaskCompletion, TaskCreate,
    TaskUpdate,
};
use api_client::{Client, Error as ClientError, types};
use charter_domain::listing::{SortOrder, TaskSort, TaskStatusFilter};
use charter_tests::{TEST_SECRET, TestServer, mint, on_both_backends, raw};
use chrono::{NaiveDate, Utc};
use futures::TryStreamExt;
use serde_json::json;
use uuid::Uuid;

on_both_backends!(
    sign_up_issues_a_session_and_refuses_a_taken_email,
    sign_up_validates_every_field_and_writes_nothing,
    sign_in_gives_one_answer_for_unknown_email_and_wrong_password,
    session_names_the_signed_in_user,
    refresh_rotates_and_a_replayed_token_revokes_the_session,
    sign_out_ends_the_session,
    task_crud_round_trip,
    completion_toggles_or_sets_idempotently,
    task_input_is_validated_and_nothing_is_written,
    oversized_and_malformed_bodies_are_refused,
    users_are_isolated_on_every_task_route,
    access_tokens_are_checked_strictly,
    external_tokens_with_the_shared_secret_are_accepted,
    expired_access_token_is_refreshed_by_the_client,
    pagination_walks_every_task_once,
    filters_and_sorts,
    malformed_ids_are_client_errors,
    health_and_contract,
    replaying_any_rotated_refresh_token_ends_the_session,
    long_titles_paginate_and_a_stale_title_token_is_refused,
    control_characters_and_out_of_range_dates_are_refused,
    a_token_for_a_user_who_does_not_exist_is_refused,
    clients_sharing_a_session_never_replay_each_others_refresh_tokens,
    lists_carry_every_field_as_stored,
    the_server_lists_in_the_domain_order,
);

/// The status and body of a failed call, after checking the contract
/// documents that status for `operation`.
fn refused<T: std::fmt::Debug>(
    operation: &str,
    result: Result<T, ClientError<types::Error>>,
) -> (u16, types::Error) {
    let error = result.expect_err("the call should fail");
    let status = error.status().map(|s| s.as_u16()).unwrap_or(0);
    let documented = charter_api::OPERATION_ERRORS
        .iter()
        .find(|(op, _)| *op == operation)
        .map(|(_, statuses)| statuses.contains(&status))
        .unwrap_or(false);
    assert!(documented, "{operation} answered {status}, which the contract does not document: {error:?}");
    match error {
        ClientError::ErrorResponse(body) => (status, body.into_inner()),
        other => panic!("{operation}: expected an error body, got {other:?}"),
    }
}

fn new_task(title: &str) -> TaskCreate {
    TaskCreate { title: title.into(), description: None, due_date: None }
}

async fn create(client: &Client, user: Uuid, task: TaskCreate) -> Task {
    client.task_create().user_id(user).body(task).send().await.expect("create").into_inner()
}

async fn all_tasks(client: &Client, user: Uuid) -> Vec<Task> {
    client.task_list().user_id(user).stream().try_collect().await.expect("list")
}

// spec: 001-task-service#FR-001, 001-task-service#FR-002, 001-task-service#FR-011
async fn sign_up_issues_a_session_and_refuses_a_taken_email(server: &TestServer) {
    let client = server.client();
    let email = format!("Mixed.Case-{}@Example.COM", Uuid::new_v4().simple());
    let session = client
        .auth_sign_up()
        .body(SignUpRequest { email: email.clone(), password: "eight chr".into(), name: "  Ada  ".into() })
        .send()
        .await
        .expect("sign-up")
        .into_inner();
    assert_eq!(session.user.email, email.to_lowercase());
    assert_eq!(session.user.name, "Ada");
    assert!(!session.access_token.is_empty() && !session.refresh_token.is_empty());
    let lifetime = session.expires_at - Utc::now();
    assert!(
        lifetime.num_seconds() > 800 && lifetime.num_seconds() <= 900,
        "15 minutes by default: {lifetime}"
    );

    let again = client
        .auth_sign_up()
        .body(SignUpRequest {
            email: email.to_uppercase(),
            password: "another one".into(),
            name: "Eve".into(),
        })
        .send()
        .await;
    let (status, body) = refused("auth_sign_up", again);
    assert_eq!(status, 409);
    assert_eq!(body.error_code.as_deref(), Some("EmailTaken"));
}

// spec: 001-task-service#FR-003, 001-task-service#FR-004, 001-task-service#SC-005
async fn sign_up_validates_every_field_and_writes_nothing(server: &TestServer) {
    let client = server.client();
    let email = format!("valid-{}@example.com", Uuid::new_v4().simple());
    let cases = [
        ("not-an-email", "long enough", "Ada", "InvalidEmail"),
        (email.as_str(), "short7!", "Ada", "InvalidPassword"),
        (email.as_str(), &"x".repeat(129), "Ada", "InvalidPassword"),
        (email.as_str(), "long enough", "   ", "InvalidName"),
    ];
    for (email, password, name, code) in cases {
        let result = client
            .auth_sign_up()
            .body(SignUpRequest { email: email.into(), password: password.into(), name: name.into() })
            .send()
            .await;
        let (status, body) = refused("auth_sign_up", result);
        assert_eq!(
            (status, body.error_code.as_deref()),
            (400, Some(code)),
            "{email} / {name}: {}",
            body.message
        );
    }
    // 128 characters is the longest password accepted.
    let longest = "y".repeat(128);
    client
        .auth_sign_up()
        .body(SignUpRequest { email: email.clone(), password: longest.clone(), name: "Ada".into() })
        .send()
        .await
        .expect("128 characters is allowed");
    // The refused attempts wrote nothing: only the last password works.
    let wrong = client
        .auth_sign_in()
        .body(SignInRequest { email: email.clone(), password: "long enough".into() })
        .send()
        .await;
    assert_eq!(refused("auth_sign_in", wrong).0, 401);
    client
        .auth_sign_in()
        .body(SignInRequest { email, password: longest })
        .send()
        .await
        .expect("sign-in with the accepted password");
}

// spec: 001-task-service#FR-005
async fn sign_in_gives_one_answer_for_unknown_email_and_wrong_password(server: &TestServer) {
    let (_, session) = server.user("Grace").await;
    let client = server.client();
    let wrong_password = client
        .auth_sign_in()
        .body(SignInRequest { email: session.user.email.clone(), password: "not the password".into() })
        .send()
        .await;
    let unknown_email = client
        .auth_sign_in()
        .body(SignInRequest { email: "nobody@example.com".into(), password: "not the password".into() })
        .send()
        .await;
    let (a_status, a) = refused("auth_sign_in", wrong_password);
    let (b_status, b) = refused("auth_sign_in", unknown_email);
    assert_eq!((a_status, &a.error_code, &a.message), (b_status, &b.error_code, &b.message));
    assert_eq!(a_status, 401);

    let ok = client
        .auth_sign_in()
        .body(SignInRequest {
            email: session.user.email.to_uppercase(),
            password: "correct horse battery".into(),
        })
        .send()
        .await
        .expect("emails compare case-insensitively")
        .into_inner();
    assert_eq!(ok.user.id, session.user.id);
}

// spec: 001-task-service#FR-010
async fn session_names_the_signed_in_user(server: &TestServer) {
    let (client, session) = server.user("Linus").await;
    let current = client.auth_session().send().await.expect("session").into_inner();
    assert_eq!(current.user.id, session.user.id);
    let anonymous = server.client().auth_session().send().await;
    assert_eq!(refused("auth_session", anonymous).0, 401);
}

// spec: 001-task-service#FR-006, 001-task-service#FR-007, 001-task-service#FR-008
async fn refresh_rotates_and_a_replayed_token_revokes_the_session(server: &TestServer) {
    let (_, session) = server.user("Rita").await;
    let client = server.client();
    let refresh =
        |token: &str| client.auth_refresh().body(RefreshRequest { refresh_token: token.to_owned() }).send();
    let second = refresh(&session.refresh_token).await.expect("first refresh").into_inner();
    assert_ne!(second.refresh_token, session.refresh_token, "refresh tokens rotate");
    assert_eq!(second.user.id, session.user.id);

    // Replaying the rotated token is refused, and ends the session: the
    // token issued in its place stops working too.
    let (status, body) = refused("auth_refresh", refresh(&session.refresh_token).await);
    assert_eq!((status, body.error_code.as_deref()), (401, Some("InvalidRefreshToken")));
    assert_eq!(refused("auth_refresh", refresh(&second.refresh_token).await).0, 401);
    assert_eq!(refused("auth_refresh", refresh("made-up").await).0, 401);
}

// spec: 001-task-service#FR-009
async fn sign_out_ends_the_session(server: &TestServer) {
    let (client, session) = server.user("Otto").await;
    client
        .auth_sign_out()
        .body(SignOutRequest { refresh_token: session.refresh_token.clone() })
        .send()
        .await
        .expect("sign-out");
    let again = client
        .auth_refresh()
        .body(RefreshRequest { refresh_token: session.refresh_token.clone() })
        .send()
        .await;
    assert_eq!(refused("auth_refresh", again).0, 401);
    // Signing out twice is fine.
    client
        .auth_sign_out()
        .body(SignOutRequest { refresh_token: session.refresh_token })
        .send()
        .await
        .expect("idempotent sign-out");
}

// spec: 001-task-service#FR-016, 001-task-service#FR-018, 001-task-service#FR-019, 001-task-service#FR-020, 001-task-service#FR-021
async fn task_crud_round_trip(server: &TestServer) {
    let (client, session) = server.user("Ada").await;
    let me = session.user.id;
    let due = NaiveDate::from_ymd_opt(2030, 1, 2).expect("date");
    let task = create(
        &client,
        me,
        TaskCreate {
            title: "  Write the spec  ".into(),
            description: Some("first".into()),
            due_date: Some(due),
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
        .body(TaskUpdate {
            title: "Rewrite the spec".into(),
            description: None,
            completed: Some(true),
            due_date: None,
        })
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
        .body(TaskUpdate { title: "Still done".into(), description: None, completed: None, due_date: None })
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
}

// spec: 001-task-service#FR-022, 001-task-service#FR-023
async fn completion_toggles_or_sets_idempotently(server: &TestServer) {
    let (client, session) = server.user("Tom").await;
    let me = session.user.id;
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
}

// spec: 001-task-service#FR-017, 001-task-service#FR-029
async fn task_input_is_validated_and_nothing_is_written(server: &TestServer) {
    let (client, session) = server.user("Val").await;
    let me = session.user.id;
    let cases = [
        (TaskCreate { title: "".into(), description: None, due_date: None }, "InvalidTitle"),
        (TaskCreate { title: "   ".into(), description: None, due_date: None }, "InvalidTitle"),
        (TaskCreate { title: "t".repeat(201), description: None, due_date: None }, "InvalidTitle"),
        (
            TaskCreate { title: "ok".into(), description: Some("d".repeat(1001)), due_date: None },
            "InvalidDescription",
        ),
    ];
    for (task, code) in cases {
        let result = client.task_create().user_id(me).body(task).send().await;
        let (status, body) = refused("task_create", result);
        assert_eq!((status, body.error_code.as_deref()), (400, Some(code)), "{}", body.message);
    }
    assert!(all_tasks(&client, me).await.is_empty(), "refused creates wrote nothing");

    // The limits themselves are allowed; the title counts after trimming.
    let longest = format!("  {}  ", "t".repeat(200));
    let task = create(
        &client,
        me,
        TaskCreate { title: longest, description: Some("d".repeat(1000)), due_date: None },
    )
    .await;
    assert_eq!(task.title.chars().count(), 200);

    let bad_update = client
        .task_update()
        .user_id(me)
        .task_id(task.id)
        .body(TaskUpdate { title: "".into(), description: None, completed: None, due_date: None })
        .send()
        .await;
    assert_eq!(refused("task_update", bad_update).0, 400);
    let unchanged = client.task_view().user_id(me).task_id(task.id).send().await.expect("view").into_inner();
    assert_eq!(unchanged.title, task.title);
    assert_eq!(unchanged.updated_at, task.updated_at);
}

// spec: 001-task-service#FR-027, 001-task-service#FR-029, 001-task-service#FR-030
async fn oversized_and_malformed_bodies_are_refused(server: &TestServer) {
    let (client, session) = server.user("Big").await;
    let me = session.user.id;
    let token = session.access_token.as_str();
    let path = format!("/api/users/{me}/tasks");
    let json_body = |text: String| Some(("application/json", text.into_bytes()));

    let huge = json!({ "title": "x".repeat(70 * 1024) }).to_string();
    let (status, _, body) = raw(server, reqwest::Method::POST, &path, Some(token), json_body(huge)).await;
    assert_eq!((status, body["error_code"].as_str()), (413, Some("PayloadTooLarge")));

    let cases = [
        "{\"title\": ",
        "{\"title\": \"a\", \"colour\": \"red\"}",
        "{\"title\": 42}",
        "[1, 2]",
        "{\"title\": \"a\", \"due_date\": \"next tuesday\"}",
    ];
    for text in cases {
        let (status, _, body) =
            raw(server, reqwest::Method::POST, &path, Some(token), json_body(text.into())).await;
        assert_eq!((status, body["error_code"].as_str()), (400, Some("InvalidBody")), "{text}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, _, _) =
        raw(server, reqwest::Method::POST, &path, Some(token), Some(("text/plain", b"{}".to_vec()))).await;
    assert_eq!(status, 400);
    let (status, _, body) =
        raw(server, reqwest::Method::GET, &format!("{path}?status=bogus"), Some(token), None).await;
    assert_eq!(status, 400, "{body}");
    let (status, _, _) =
        raw(server, reqwest::Method::GET, &format!("{path}?page_token=garbage"), Some(token), None).await;
    assert_eq!(status, 400);
    assert!(all_tasks(&client, me).await.is_empty(), "nothing was written");
}

// spec: 001-task-service#FR-014, 001-task-service#FR-015, 001-task-service#FR-024
async fn users_are_isolated_on_every_task_route(server: &TestServer) {
    let (alice, alice_session) = server.user("Alice").await;
    let (bob, bob_session) = server.user("Bob").await;
    let (a, b) = (alice_session.user.id, bob_session.user.id);
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
}

/// Calls every route that names a task, as `client`, for `user`'s `task`.
async fn call_task_routes(
    client: &Client,
    user: Uuid,
    task: Uuid,
) -> Vec<(&'static str, Result<(), ClientError<types::Error>>)> {
    let update = TaskUpdate { title: "pwned".into(), description: None, completed: None, due_date: None };
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

// spec: 001-task-service#FR-012
async fn access_tokens_are_checked_strictly(server: &TestServer) {
    let (_, session) = server.user("Mallory").await;
    let me = session.user.id;
    let path = format!("/api/users/{me}/tasks");
    let in_an_hour = Utc::now().timestamp() + 3600;
    let valid = session.access_token.clone();
    let mut tampered = valid.clone();
    let last = tampered.pop().expect("non-empty");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let unsigned = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let claims = b64.encode(json!({ "sub": me, "exp": in_an_hour }).to_string());
        format!("{header}.{claims}.")
    };
    let cases = [
        ("tampered signature", tampered),
        ("alg none", unsigned),
        ("HS384", mint(json!({ "sub": me, "exp": in_an_hour }), jsonwebtoken::Algorithm::HS384, TEST_SECRET)),
        (
            "other secret",
            mint(
                json!({ "sub": me, "exp": in_an_hour }),
                jsonwebtoken::Algorithm::HS256,
                "not-the-secret-0123456789abcdefghij",
            ),
        ),
        (
            "expired",
            mint(
                json!({ "sub": me, "exp": Utc::now().timestamp() - 5 }),
                jsonwebtoken::Algorithm::HS256,
                TEST_SECRET,
            ),
        ),
        ("no sub", mint(json!({ "exp": in_an_hour }), jsonwebtoken::Algorithm::HS256, TEST_SECRET)),
        ("no exp", mint(json!({ "sub": me }), jsonwebtoken::Algorithm::HS256, TEST_SECRET)),
        (
            "sub not a user id",
            mint(json!({ "sub": "admin", "exp": in_an_hour }), jsonwebtoken::Algorithm::HS256, TEST_SECRET),
        ),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (case, token) in cases {
        let (status, headers, body) = raw(server, reqwest::Method::GET, &path, Some(&token), None).await;
        assert_eq!(status, 401, "{case}: {body}");
        let challenge = headers.get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(challenge.starts_with("Bearer"), "{case}: WWW-Authenticate is {challenge:?}");
        assert_eq!(body["error_code"], "Unauthenticated", "{case}");
    }
    let (status, headers, _) = raw(server, reqwest::Method::GET, &path, None, None).await;
    assert_eq!(status, 401);
    assert!(headers.contains_key("www-authenticate"));
    let (status, _, _) = raw(server, reqwest::Method::GET, &path, Some(&valid), None).await;
    assert_eq!(status, 200, "the genuine token still works");
}

// spec: 001-task-service#FR-013
async fn external_tokens_with_the_shared_secret_are_accepted(server: &TestServer) {
    let (_, session) = server.user("Bea").await;
    // What Better Auth, or any program holding BETTER_AUTH_SECRET, mints:
    // extra claims (aud, iss, email) are ignored.
    let token = mint(
        json!({
            "sub": session.user.id,
            "exp": Utc::now().timestamp() + 600,
            "iat": Utc::now().timestamp(),
            "iss": "http://localhost:3000",
            "aud": "http://localhost:3000",
            "email": session.user.email,
        }),
        jsonwebtoken::Algorithm::HS256,
        TEST_SECRET,
    );
    let client = server.client();
    client.auth().set_tokens(Some(api_client::auth::Tokens {
        access_token: token,
        refresh_token: "unused".into(),
        expires_at: Utc::now() + chrono::Duration::minutes(10),
    }));
    let created = create(&client, session.user.id, new_task("From elsewhere")).await;
    assert_eq!(created.user_id, session.user.id);
}

// spec: 001-task-service#FR-039
async fn expired_access_token_is_refreshed_by_the_client(server: &TestServer) {
    let (client, session) = server.user("Rex").await;
    let me = session.user.id;
    let refreshed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = refreshed.clone();
    let reentrant = client.auth().clone();
    client.auth().on_change(move |tokens| {
        // A listener may read the session it is told about.
        assert_eq!(reentrant.tokens().as_ref(), tokens);
        if let Ok(mut seen) = seen.lock() {
            seen.push(tokens.map(|t| t.refresh_token.clone()));
        }
    });
    // An access token that has already expired, as after a laptop sleeps.
    let expired = mint(
        json!({ "sub": me, "exp": Utc::now().timestamp() - 60 }),
        jsonwebtoken::Algorithm::HS256,
        TEST_SECRET,
    );
    client.auth().set_tokens(Some(api_client::auth::Tokens {
        access_token: expired,
        refresh_token: session.refresh_token.clone(),
        expires_at: Utc::now() - chrono::Duration::seconds(60),
    }));
    // Several calls at once share one refresh: a second refresh with the
    // same token would be a replay and end the session.
    let (a, b, c) = tokio::join!(
        create(&client, me, new_task("one")),
        create(&client, me, new_task("two")),
        client.task_list().user_id(me).send(),
    );
    assert_eq!((a.user_id, b.user_id), (me, me));
    c.expect("list after refresh");
    let tokens = client.auth().tokens().expect("still signed in");
    assert_ne!(tokens.refresh_token, session.refresh_token, "the client rotated the refresh token");
    assert!(tokens.expires_at > Utc::now());
    let changes = refreshed.lock().expect("lock").clone();
    assert_eq!(changes.len(), 2, "one set_tokens and exactly one refresh: {changes:?}");

    // Once the refresh token is refused, the client signs out.
    let other = server.client();
    other.auth().set_tokens(Some(api_client::auth::Tokens {
        access_token: "expired".into(),
        refresh_token: session.refresh_token.clone(),
        expires_at: Utc::now() - chrono::Duration::seconds(1),
    }));
    let result = other.task_list().user_id(me).send().await;
    assert_eq!(result.expect_err("signed out").status().map(|s| s.as_u16()), Some(401));
    assert!(other.auth().tokens().is_none());
}

// spec: 001-task-service#FR-042
async fn clients_sharing_a_session_never_replay_each_others_refresh_tokens(server: &TestServer) {
    use api_client::auth::{SharedLockGuard, Tokens};
    use std::sync::{Arc, Mutex};

    let (first, session) = server.user("Tabs").await;
    let me = session.user.id;
    // What two browser tabs share: the stored tokens and one lock.
    let stored: Arc<Mutex<Option<Tokens>>> = Arc::default();
    let lock = Arc::new(tokio::sync::Mutex::new(()));
    let tabs = [first, server.client()];
    for tab in &tabs {
        let (save, load, lock) = (stored.clone(), stored.clone(), lock.clone());
        tab.auth().on_change(move |tokens| *save.lock().expect("store") = tokens.cloned());
        tab.auth().share(
            move || load.lock().expect("store").clone(),
            move || {
                let lock = lock.clone();
                async move { Box::new(lock.lock_owned().await) as SharedLockGuard }
            },
        );
    }
    // Both tabs restored the session with an access token that has expired.
    let expired = Tokens {
        access_token: mint(
            json!({ "sub": me, "exp": Utc::now().timestamp() - 60 }),
            jsonwebtoken::Algorithm::HS256,
            TEST_SECRET,
        ),
        refresh_token: session.refresh_token.clone(),
        expires_at: Utc::now() - chrono::Duration::seconds(60),
    };
    for tab in &tabs {
        tab.auth().set_tokens(Some(expired.clone()));
    }

    // Both need a fresh token at once: one exchanges, the other adopts.
    let (a, b) =
        tokio::join!(create(&tabs[0], me, new_task("tab one")), create(&tabs[1], me, new_task("tab two")));
    assert_eq!((a.user_id, b.user_id), (me, me));
    let shared = stored.lock().expect("store").clone().expect("a session is stored");
    assert_ne!(shared.refresh_token, session.refresh_token);
    assert_eq!(tabs[0].auth().tokens().as_ref(), Some(&shared));
    assert_eq!(tabs[1].auth().tokens().as_ref(), Some(&shared));

    // One tab refreshes alone; the other's tokens are now spent, and its
    // next refresh adopts the stored ones instead of replaying.
    let spent = shared.clone();
    let rotated = tabs[0].refresh_session(None).await.expect("tab one refreshes");
    assert_eq!(tabs[1].auth().tokens().as_ref(), Some(&spent));
    let adopted = tabs[1].refresh_session(Some(&spent.access_token)).await.expect("tab two adopts");
    assert_eq!(adopted, rotated);
    // The session survived: had tab two replayed, the server would have
    // revoked it and this exchange would be refused.
    let again = tabs[1].refresh_session(None).await.expect("the session is alive");
    let listed = tabs[0].task_list().user_id(me).send().await.expect("tab one lists").into_inner();
    assert_eq!(listed.items.len(), 2);
    let followed = tabs[0].refresh_session(Some(&rotated.access_token)).await.expect("tab one adopts");
    assert_eq!(followed, again);

    // Signing out in one tab ends the session in the other at its next refresh.
    tabs[0]
        .auth_sign_out()
        .body(SignOutRequest { refresh_token: again.refresh_token.clone() })
        .send()
        .await
        .expect("sign out");
    tabs[0].auth().clear();
    let result = tabs[1].refresh_session(None).await;
    assert!(matches!(result, Err(api_client::auth::RefreshError::Rejected)), "{result:?}");
    assert!(tabs[1].auth().tokens().is_none());
}

// spec: 001-task-service#FR-026
async fn pagination_walks_every_task_once(server: &TestServer) {
    let (client, session) = server.user("Page").await;
    let me = session.user.id;
    let mut created = Vec::new();
    for i in 0..25 {
        created.push(create(&client, me, new_task(&format!("task {i:02}"))).await.id);
    }
    let first = client.task_list().user_id(me).limit(10).send().await.expect("page 1").into_inner();
    assert_eq!(first.items.len(), 10);
    let token = first.next_page.clone().expect("more pages");
    let second =
        client.task_list().user_id(me).limit(10).page_token(token).send().await.expect("page 2").into_inner();
    assert_eq!(second.items.len(), 10);
    let third = client
        .task_list()
        .user_id(me)
        .limit(10)
        .page_token(second.next_page.clone().expect("third page"))
        .send()
        .await
        .expect("page 3")
        .into_inner();
    assert_eq!(third.items.len(), 5);
    assert_eq!(third.next_page, None, "no token after the last page");
    let walked: Vec<_> = first.items.iter().chain(&second.items).chain(&third.items).map(|t| t.id).collect();
    assert_eq!(walked, created, "created order, each task once");

    let streamed: Vec<Task> =
        client.task_list().user_id(me).limit(7).stream().try_collect().await.expect("stream");
    assert_eq!(streamed.iter().map(|t| t.id).collect::<Vec<_>>(), created);

    // A limit over 100 is clamped, not refused.
    for _ in 25..105 {
        create(&client, me, new_task("more")).await;
    }
    let big = client.task_list().user_id(me).limit(1000).send().await.expect("clamped").into_inner();
    assert_eq!(big.items.len(), 100);
    assert!(big.next_page.is_some());
}

// spec: 001-task-service#FR-025
async fn filters_and_sorts(server: &TestServer) {
    let (client, session) = server.user("Sorter").await;
    let me = session.user.id;
    let date = |d| NaiveDate::from_ymd_opt(2031, 3, d);
    let specs = [("banana", date(3)), ("Apple", None), ("cherry", date(1)), ("apricot", date(2))];
    let mut tasks = Vec::new();
    for (title, due_date) in specs {
        tasks
            .push(create(&client, me, TaskCreate { title: title.into(), description: None, due_date }).await);
    }
    client
        .task_complete()
        .user_id(me)
        .task_id(tasks[2].id)
        .body(TaskCompletion { completed: Some(true) })
        .send()
        .await
        .expect("complete cherry");

    let titles = |items: Vec<Task>| items.into_iter().map(|t| t.title).collect::<Vec<_>>();
    let list = |status, sort, order| {
        client
            .task_list()
            .user_id(me)
            .status(status)
            .sort(sort)
            .order(order)
            .limit(2)
            .stream()
            .try_collect::<Vec<_>>()
    };
    use SortOrder::{Asc, Desc};
    use TaskSort::{Created, DueDate, Title, Updated};
    use TaskStatusFilter::{All, Completed, Pending};
    assert_eq!(
        titles(list(All, Title, Asc).await.expect("title asc")),
        ["Apple", "apricot", "banana", "cherry"]
    );
    assert_eq!(
        titles(list(All, Title, Desc).await.expect("title desc")),
        ["cherry", "banana", "apricot", "Apple"]
    );
    assert_eq!(
        titles(list(All, DueDate, Asc).await.expect("due asc")),
        ["cherry", "apricot", "banana", "Apple"]
    );
    assert_eq!(
        titles(list(All, DueDate, Desc).await.expect("due desc")),
        ["Apple", "banana", "apricot", "cherry"]
    );
    assert_eq!(
        titles(list(All, Created, Desc).await.expect("created desc")),
        ["apricot", "cherry", "Apple", "banana"]
    );
    assert_eq!(titles(list(Pending, Created, Asc).await.expect("pending")), ["banana", "Apple", "apricot"]);
    assert_eq!(titles(list(Completed, Title, Asc).await.expect("completed")), ["cherry"]);
    // The most recently changed task comes last by `updated`.
    assert_eq!(
        titles(list(All, Updated, Asc).await.expect("updated")).last().map(String::as_str),
        Some("cherry")
    );
}

// spec: 001-task-service#FR-031
async fn malformed_ids_are_client_errors(server: &TestServer) {
    let (_, session) = server.user("Ids").await;
    let me = session.user.id;
    let token = Some(session.access_token.as_str());
    for path in [
        format!("/api/users/{me}/tasks/not-a-uuid"),
        "/api/users/not-a-uuid/tasks".to_owned(),
        format!("/api/users/{me}/tasks/{}x", Uuid::now_v7()),
    ] {
        let (status, _, body) = raw(server, reqwest::Method::GET, &path, token, None).await;
        assert!(status == 400 || status == 404, "{path}: {status} {body}");
    }
    let (status, _, _) = raw(server, reqwest::Method::GET, "/api/nothing-here", None, None).await;
    assert_eq!(status, 404);
}

// spec: 001-task-service#FR-033, 001-task-service#FR-038
async fn health_and_contract(server: &TestServer) {
    let client = server.client();
    let health = client.health().send().await.expect("healthy").into_inner();
    assert_eq!(health.status, "ok");
    let served = client.openapi_document().send().await.expect("document").into_inner();
    let checked_in: serde_json::Value =
        serde_json::from_str(include_str!("../../specs/contracts/charter.json"))
            .expect("the checked-in contract is JSON");
    assert_eq!(served, checked_in, "the server serves the checked-in contract");
}

// spec: 001-task-service#FR-008, 001-task-service#FR-009
async fn replaying_any_rotated_refresh_token_ends_the_session(server: &TestServer) {
    let (_, session) = server.user("Theft").await;
    let client = server.client();
    let refresh = |token: String| client.auth_refresh().body(RefreshRequest { refresh_token: token }).send();
    // An attacker copies R1 and refreshes twice; the victim later presents R1.
    let r2 = refresh(session.refresh_token.clone()).await.expect("R1 → R2").into_inner();
    let r3 = refresh(r2.refresh_token.clone()).await.expect("R2 → R3").into_inner();
    assert_eq!(refused("auth_refresh", refresh(session.refresh_token.clone()).await).0, 401);
    assert_eq!(
        refused("auth_refresh", refresh(r3.refresh_token.clone()).await).0,
        401,
        "the session is over"
    );

    // Signing out with a stale token still ends the session.
    let (_, other) = server.user("Tabs").await;
    let fresh = refresh(other.refresh_token.clone()).await.expect("rotate").into_inner();
    client
        .auth_sign_out()
        .body(SignOutRequest { refresh_token: other.refresh_token.clone() })
        .send()
        .await
        .expect("sign-out with the older token");
    assert_eq!(refused("auth_refresh", refresh(fresh.refresh_token).await).0, 401);
}

// spec: 001-task-service#FR-026
async fn long_titles_paginate_and_a_stale_title_token_is_refused(server: &TestServer) {
    let (client, session) = server.user("Long").await;
    let me = session.user.id;
    // 200 three-byte characters: far longer than a page token may carry.
    let titles = ["一".repeat(200), "二".repeat(200), "\"quoted\" ".repeat(20)];
    for title in &titles {
        create(&client, me, new_task(title)).await;
    }
    let walked: Vec<Task> = client
        .task_list()
        .user_id(me)
        .sort(TaskSort::Title)
        .limit(1)
        .stream()
        .try_collect()
        .await
        .expect("walk");
    assert_eq!(walked.len(), 3);

    let first = client
        .task_list()
        .user_id(me)
        .sort(TaskSort::Title)
        .limit(1)
        .send()
        .await
        .expect("page")
        .into_inner();
    let token = first.next_page.expect("more");
    client.task_delete().user_id(me).task_id(first.items[0].id).send().await.expect("delete");
    let stale = client.task_list().user_id(me).limit(1).page_token(token).send().await;
    let (status, body) = refused("task_list", stale);
    assert_eq!((status, body.error_code.as_deref()), (400, Some("StalePageToken")));
}

// spec: 001-task-service#FR-017, 001-task-service#FR-004
async fn control_characters_and_out_of_range_dates_are_refused(server: &TestServer) {
    let (client, session) = server.user("Nul").await;
    let me = session.user.id;
    let cases = [
        (TaskCreate { title: "a\u{0}b".into(), description: None, due_date: None }, "InvalidTitle"),
        (
            TaskCreate { title: "ok".into(), description: Some("a\u{0}b".into()), due_date: None },
            "InvalidDescription",
        ),
        (
            TaskCreate {
                title: "ok".into(),
                description: None,
                due_date: NaiveDate::from_ymd_opt(9999, 12, 31),
            },
            "InvalidDueDate",
        ),
    ];
    for (task, code) in cases {
        let (status, body) = refused("task_create", client.task_create().user_id(me).body(task).send().await);
        assert_eq!((status, body.error_code.as_deref()), (400, Some(code)), "{}", body.message);
    }
    let multiline = create(
        &client,
        me,
        TaskCreate {
            title: "ok".into(),
            description: Some("line one\nline two\ttab".into()),
            due_date: None,
        },
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
}

// spec: 001-task-service#FR-012
async fn a_token_for_a_user_who_does_not_exist_is_refused(server: &TestServer) {
    let ghost = Uuid::now_v7();
    let token = mint(
        json!({ "sub": ghost, "exp": Utc::now().timestamp() + 600 }),
        jsonwebtoken::Algorithm::HS256,
        TEST_SECRET,
    );
    let client = server.client();
    client.auth().set_tokens(Some(api_client::auth::Tokens {
        access_token: token,
        refresh_token: "none".into(),
        expires_at: Utc::now() + chrono::Duration::minutes(10),
    }));
    let result = client.task_create().user_id(ghost).body(new_task("boo")).send().await;
    assert_eq!(refused("task_create", result).0, 401);

    // Not valid before a time still to come.
    let (_, session) = server.user("Early").await;
    let early = mint(
        json!({ "sub": session.user.id, "exp": Utc::now().timestamp() + 600, "nbf": Utc::now().timestamp() + 300 }),
        jsonwebtoken::Algorithm::HS256,
        TEST_SECRET,
    );
    let (status, _, _) = raw(
        server,
        reqwest::Method::GET,
        &format!("/api/users/{}/tasks", session.user.id),
        Some(&early),
        None,
    )
    .await;
    assert_eq!(status, 401);
}

/// `health` tells a load balancer the truth: 503 once the database is gone.
// spec: 001-task-service#FR-032, 001-task-service#FR-034
#[tokio::test]
async fn health_is_503_when_postgres_goes_away() {
    let Some(url) = charter_tests::private_postgres_database().await else { return };
    let server = TestServer::start(Some(url.clone()), 900).await;
    let client = server.client();
    client.health().send().await.expect("healthy at first");
    charter_tests::drop_postgres_database(&url).await.expect("drop the database");
    let (status, body) = refused("health", client.health().send().await);
    assert_eq!((status, body.error_code.as_deref()), (503, Some("DatabaseUnavailable")));
}

/// Snapshots of what a client sees when things go wrong: the shape and the
/// wording of error bodies (request ids redacted).
// spec: 001-task-service#FR-028, 001-task-service#SC-004
#[tokio::test]
async fn error_bodies_snapshot() {
    let server = TestServer::sqlite().await;
    let (_, session) = server.user("Snap").await;
    let me = session.user.id;
    let token = Some(session.access_token.as_str());
    let json_body = |text: &str| Some(("application/json", text.as_bytes().to_vec()));
    let cases = [
        ("no_token", raw(&server, reqwest::Method::GET, &format!("/api/users/{me}/tasks"), None, None).await),
        (
            "foreign_user",
            raw(&server, reqwest::Method::GET, &format!("/api/users/{}/tasks", Uuid::nil()), token, None)
                .await,
        ),
        (
            "missing_task",
            raw(
                &server,
                reqwest::Method::GET,
                &format!("/api/users/{me}/tasks/{}", Uuid::nil()),
                token,
                None,
            )
            .await,
        ),
        (
            "empty_title",
            raw(
                &server,
                reqwest::Method::POST,
                &format!("/api/users/{me}/tasks"),
                token,
                json_body("{\"title\":\" \"}"),
            )
            .await,
        ),
        (
            "unknown_field",
            raw(
                &server,
                reqwest::Method::POST,
                &format!("/api/users/{me}/tasks"),
                token,
                json_body("{\"title\":\"a\",\"priority\":1}"),
            )
            .await,
        ),
        (
            "wrong_credentials",
            raw(
                &server,
                reqwest::Method::POST,
                "/api/auth/sign-in",
                None,
                json_body("{\"email\":\"no@example.com\",\"password\":\"whatever1\"}"),
            )
            .await,
        ),
    ];
    let bodies: serde_json::Map<String, serde_json::Value> = cases
        .into_iter()
        .map(|(name, (status, _, body))| (name.to_owned(), json!({ "status": status, "body": body })))
        .collect();
    insta::assert_json_snapshot!(bodies, {
        ".*.body.request_id" => "[request_id]",
    });
}

/// The contract as served, snapshotted so a change to it shows up in review.
// spec: 001-task-service#SC-006
#[tokio::test]
async fn openapi_document_snapshot() {
    let server = TestServer::sqlite().await;
    let document = server.client().openapi_document().send().await.expect("document").into_inner();
    insta::assert_json_snapshot!(document);
}

// spec: 001-task-service#FR-018, 001-task-service#FR-024
/// The list reads tasks through a different path from a single view (one
/// JSON row per page): both must answer the same tasks, text and all.
async fn lists_carry_every_field_as_stored(server: &TestServer) {
    let (client, session) = server.user("Fields").await;
    let me = session.user.id;
    let awkward = create(
        &client,
        me,
        TaskCreate {
            title: "\"Quoted\" \\ back\\slash, ünïcødé, 日本語, emoji 🚀, </script>".into(),
            description: Some("line one\nline two\ttab \r\n\"end\" \\u0000 literally".into()),
            due_date: NaiveDate::from_ymd_opt(2031, 2, 28),
        },
    )
    .await;
    let plain =
        create(&client, me, TaskCreate { title: "plain".into(), description: None, due_date: None }).await;
    let done = client
        .task_complete()
        .user_id(me)
        .task_id(plain.id)
        .body(TaskCompletion { completed: Some(true) })
        .send()
        .await
        .expect("complete")
        .into_inner();
    let listed = all_tasks(&client, me).await;
    let view = |task: &Task| serde_json::to_value(task).expect("json");
    assert_eq!(listed.iter().map(view).collect::<Vec<_>>(), [view(&awkward), view(&done)]);
    assert!(done.completed && done.completed_at.is_some());
}

// spec: 001-task-service#FR-025, 001-task-service#FR-026
/// The store's SQL and the domain's comparator are two statements of one
/// order: over a few hundred varied tasks, every filter, sort and
/// direction must list them exactly as `charter_domain::listing::compare`
/// sorts them.
async fn the_server_lists_in_the_domain_order(server: &TestServer) {
    use charter_domain::listing::{TaskKeys, compare, matches};
    let (client, session) = server.user("Order").await;
    let me = session.user.id;
    // A fixed pseudo-random sequence: varied, and the same on every run.
    let mut seed: u64 = 0x5eed;
    let mut next = move |bound: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % bound
    };
    let words = ["apple", "Apple", "banana", "Été", "zebra", "Zulu", "ägypten", "1st", "_x", "éclair", "b"];
    for i in 0..240 {
        let title = format!("{} {}", words[next(words.len() as u64) as usize], next(4));
        let due_date = (next(3) > 0)
            .then(|| NaiveDate::from_ymd_opt(2026, 1 + next(12) as u32, 1 + next(28) as u32).expect("date"));
        let task = create(&client, me, TaskCreate { title, description: None, due_date }).await;
        if i % 3 == 0 {
            client
                .task_complete()
                .user_id(me)
                .task_id(task.id)
                .body(TaskCompletion { completed: Some(true) })
                .send()
                .await
                .expect("complete");
        }
    }
    let everything = all_tasks(&client, me).await;
    assert_eq!(everything.len(), 240);
    fn keys(task: &Task) -> TaskKeys<'_> {
        TaskKeys {
            id: task.id,
            title: &task.title,
            due_date: task.due_date,
            created_at: task.created_at,
            updated_at: task.updated_at,
        }
    }
    for status in [TaskStatusFilter::All, TaskStatusFilter::Pending, TaskStatusFilter::Completed] {
        for sort in [TaskSort::Created, TaskSort::Updated, TaskSort::Title, TaskSort::DueDate] {
            for order in [SortOrder::Asc, SortOrder::Desc] {
                let listed: Vec<Task> = client
                    .task_list()
                    .user_id(me)
                    .status(status)
                    .sort(sort)
                    .order(order)
                    .limit(std::num::NonZeroU32::new(37).expect("non-zero"))
                    .stream()
                    .try_collect()
                    .await
                    .expect("list");
                let mut expected: Vec<&Task> =
                    everything.iter().filter(|t| matches(status, t.completed)).collect();
                expected.sort_by(|a, b| compare(&keys(a), &keys(b), sort, order));
                let listed: Vec<Uuid> = listed.iter().map(|t| t.id).collect();
                let expected: Vec<Uuid> = expected.iter().map(|t| t.id).collect();
                assert_eq!(listed, expected, "{status} by {sort} {order}");
            }
        }
    }
}

//! What a client sees when a request is wrong: statuses and bodies.

use super::*;

// spec: 001-task-service#FR-027, 001-task-service#FR-029, 001-task-service#FR-030
backend_test!(oversized_and_malformed_bodies_are_refused, async |server| {
    let (client, session) = server.user("Big").await;
    let me = session.user.id.as_str();
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
});

// spec: 001-task-service#FR-031
backend_test!(malformed_ids_are_client_errors, async |server| {
    let (_, session) = server.user("Ids").await;
    let me = session.user.id.as_str();
    let token = Some(session.access_token.as_str());
    for path in [
        format!("/api/users/{me}/tasks/not-a-uuid"),
        // Ids are opaque, but 1 to 64 of `[A-Za-z0-9_-]`.
        format!("/api/users/{}/tasks", "x".repeat(65)),
        "/api/users/not.an.id/tasks".to_owned(),
        format!("/api/users/{me}/tasks/{}x", Uuid::now_v7()),
    ] {
        let (status, _, body) = raw(server, reqwest::Method::GET, &path, token, None).await;
        assert!(status == 400 || status == 404, "{path}: {status} {body}");
    }
    let (status, _, _) = raw(server, reqwest::Method::GET, "/api/nothing-here", None, None).await;
    assert_eq!(status, 404);
});

/// Snapshots of what a client sees when things go wrong: the shape and the
/// wording of error bodies (request ids redacted).
// spec: 001-task-service#FR-028, 001-task-service#SC-004
#[tokio::test]
async fn error_bodies_snapshot() {
    let server = TestServer::sqlite().await;
    let (_, session) = server.user("Snap").await;
    let me = session.user.id.as_str();
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
                json_body("{\"title\":\"a\",\"colour\":1}"),
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

//! What an outside review tried against Charter, on SQLite and on
//! PostgreSQL: password guessing and stuffing, two tabs refreshing one
//! session at once, bodies that are not objects, tokens that bend RFC 8725,
//! and text that shows nothing or reorders what follows it.
//!
//! The connection-level fixes (idle sockets, the connection cap, HTTP/2,
//! `Host`, the SQLite log) are tested against the server binary in
//! `api-server/tests/process.rs`.

use super::*;
use std::time::Duration;

/// The header the throttling tests' servers take client addresses from, as
/// they would behind a proxy, so each test counts its own addresses.
const CLIENT_IP_HEADER: &str = "x-test-client-ip";

/// A sign-in from `address` (through [`CLIENT_IP_HEADER`]); answers the
/// status, headers and body.
async fn sign_in_from(
    server: &TestServer,
    address: &str,
    email: &str,
    password: &str,
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/auth/sign-in", server.base_url))
        .header(CLIENT_IP_HEADER, address)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("sign-in request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.expect("JSON body"))
}

async fn sign_up_from(server: &TestServer, address: &str) -> u16 {
    let email = format!("from-{}@example.com", Uuid::new_v4().simple());
    reqwest::Client::new()
        .post(format!("{}/api/auth/sign-up", server.base_url))
        .header(CLIENT_IP_HEADER, address)
        .json(&json!({ "email": email, "password": "correct horse battery", "name": "Sam" }))
        .send()
        .await
        .expect("sign-up request")
        .status()
        .as_u16()
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Checks a 429 from throttling: its body, `Retry-After` and the
/// `RateLimit-*` fields; answers `Retry-After` in seconds.
fn assert_throttled(
    (status, headers, body): &(u16, reqwest::header::HeaderMap, serde_json::Value),
    limit: u32,
    window: u64,
    what: &str,
) -> u64 {
    assert_eq!(*status, 429, "{body}");
    assert_eq!(body["error_code"], "TooManyRequests");
    assert!(body["message"].as_str().is_some_and(|m| m.contains(what)), "{body}");
    let retry_after: u64 = header(headers, "retry-after").parse().expect("Retry-After in seconds");
    assert!((1..=window).contains(&retry_after), "Retry-After {retry_after} within the {window} s window");
    assert_eq!(header(headers, "ratelimit-limit"), limit.to_string());
    assert_eq!(header(headers, "ratelimit-remaining"), "0");
    assert_eq!(header(headers, "ratelimit-reset"), retry_after.to_string());
    retry_after
}

// spec: 001-task-service#FR-045, 001-task-service#FR-047
backend_test!(sign_in_is_throttled_per_account_whatever_the_address, async |base| {
    let server = base
        .sibling(|config| {
            config.client_ip_header = Some(CLIENT_IP_HEADER.into());
            config.sign_in_account_limit = 3;
            config.sign_in_account_window = 1;
        })
        .await;
    let (_, victim) = server.user("Victim").await;
    let (_, bystander) = server.user("Bystander").await;
    let email = victim.user.email.as_deref().expect("an email");
    for (i, address) in ["192.0.2.1", "192.0.2.2", "192.0.2.3"].iter().enumerate() {
        let (status, _, body) = sign_in_from(&server, address, email, "wrong guess").await;
        assert_eq!(status, 401, "guess {i} is only wrong: {body}");
    }
    // The fourth attempt is refused before the password is looked at: the
    // right one fails too, from yet another address, in any letter case.
    let refused = sign_in_from(&server, "192.0.2.4", &email.to_uppercase(), "correct horse battery").await;
    let retry_after = assert_throttled(&refused, 3, 1, "account");
    // Other accounts are not affected.
    let (status, _, _) = sign_in_from(
        &server,
        "192.0.2.4",
        bystander.user.email.as_deref().expect("an email"),
        "correct horse battery",
    )
    .await;
    assert_eq!(status, 200);
    // The lockout ends with the window.
    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(100)).await;
    let (status, _, body) = sign_in_from(&server, "192.0.2.5", email, "correct horse battery").await;
    assert_eq!(status, 200, "the owner signs in once the window has passed: {body}");
});

// spec: 001-task-service#FR-045
backend_test!(a_successful_sign_in_clears_the_account_count, async |base| {
    let server = base
        .sibling(|config| {
            config.client_ip_header = Some(CLIENT_IP_HEADER.into());
            config.sign_in_account_limit = 3;
            config.sign_in_account_window = 600;
        })
        .await;
    let (_, session) = server.user("Typo").await;
    let email = session.user.email.as_deref().expect("an email");
    for _ in 0..2 {
        assert_eq!(sign_in_from(&server, "192.0.2.9", email, "typo typo").await.0, 401);
    }
    assert_eq!(sign_in_from(&server, "192.0.2.9", email, "correct horse battery").await.0, 200);
    // The count started again: three more attempts before the limit.
    for _ in 0..3 {
        assert_eq!(sign_in_from(&server, "192.0.2.9", email, "typo typo").await.0, 401);
    }
    let refused = sign_in_from(&server, "192.0.2.9", email, "correct horse battery").await;
    assert_throttled(&refused, 3, 600, "account");
});

// spec: 001-task-service#FR-046, 001-task-service#FR-047
backend_test!(sign_in_and_sign_up_are_throttled_per_address, async |base| {
    let server = base
        .sibling(|config| {
            config.client_ip_header = Some(CLIENT_IP_HEADER.into());
            config.auth_address_limit = 4;
            config.auth_address_window = 600;
        })
        .await;
    // Unique addresses per run and backend, so the counts are this test's.
    let octet = Uuid::new_v4().as_bytes()[0];
    let office = format!("198.51.{octet}.7");
    assert_eq!(sign_up_from(&server, &office).await, 201);
    assert_eq!(sign_in_from(&server, &office, "nobody@example.com", "wrong").await.0, 401);
    assert_eq!(sign_up_from(&server, &office).await, 201);
    assert_eq!(sign_in_from(&server, &office, "someone@example.com", "wrong").await.0, 401);
    // Stuffing many accounts from one address stops at the limit, for
    // sign-in and sign-up alike.
    let refused = sign_in_from(&server, &office, "third@example.com", "wrong").await;
    assert_throttled(&refused, 4, 600, "address");
    assert_eq!(sign_up_from(&server, &office).await, 429);
    // Another address is counted on its own.
    assert_eq!(sign_up_from(&server, &format!("198.51.{octet}.8")).await, 201);

    // One IPv6 subscriber (a /64) is one address.
    let prefix = format!("2001:db8:{octet:x}:1");
    for host in 1..=4 {
        assert_eq!(sign_up_from(&server, &format!("{prefix}::{host}")).await, 201);
    }
    assert_eq!(sign_up_from(&server, &format!("{prefix}:ffff::5")).await, 429);
    assert_eq!(sign_up_from(&server, &format!("2001:db8:{octet:x}:2::1")).await, 201);

    // A forwarded list: the last address is the one the proxy added.
    let spoofed = format!("203.0.113.1, {office}");
    assert_eq!(sign_up_from(&server, &spoofed).await, 429, "a client cannot pick its own address");
});

/// A fresh user's session on `server`, and a function to refresh with a
/// given token.
async fn refresh(server: &TestServer, token: &str) -> Result<api_client::types::AuthSession, u16> {
    server
        .client()
        .auth_refresh()
        .body(RefreshRequest { refresh_token: token.to_owned() })
        .send()
        .await
        .map(|answer| answer.into_inner())
        .map_err(|e| e.status().map_or(0, |s| s.as_u16()))
}

// spec: 001-task-service#FR-006, 001-task-service#FR-008
backend_test!(a_refresh_token_replayed_within_the_grace_period_keeps_the_session, async |base| {
    let server = base.sibling(|config| config.refresh_grace = 30).await;
    let (_, first) = server.user("Tabby").await;
    let second = refresh(&server, &first.refresh_token).await.expect("first exchange");
    // The other tab still holds the first token: within the grace period
    // it gets new tokens of the same session, not a revoked session.
    let third = refresh(&server, &first.refresh_token).await.expect("replayed within the grace period");
    assert_ne!(third.refresh_token, second.refresh_token, "each exchange issues its own token");
    assert_eq!(third.user.id, first.user.id);
    // Both tabs' tokens go on working, each once.
    let from_second = refresh(&server, &second.refresh_token).await.expect("the first tab's token works");
    let from_third = refresh(&server, &third.refresh_token).await.expect("the second tab's token works");
    let session = server.client();
    session.auth().set_session(&from_third);
    session.auth_session().send().await.expect("the session is alive");
    assert!(refresh(&server, &from_second.refresh_token).await.is_ok());
});

// spec: 001-task-service#FR-008
backend_test!(a_refresh_token_replayed_after_the_grace_period_ends_the_session, async |base| {
    let server = base.sibling(|config| config.refresh_grace = 1).await;
    let (_, first) = server.user("Thief").await;
    let second = refresh(&server, &first.refresh_token).await.expect("first exchange");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // Replayed after the grace period: a copied token. The session ends,
    // so the token issued in its place stops working too.
    assert_eq!(refresh(&server, &first.refresh_token).await.err(), Some(401));
    assert_eq!(refresh(&server, &second.refresh_token).await.err(), Some(401));

    // With the grace period off, the first replay ends the session.
    let strict = base.sibling(|config| config.refresh_grace = 0).await;
    let (_, first) = strict.user("Strict").await;
    let second = refresh(&strict, &first.refresh_token).await.expect("first exchange");
    assert_eq!(refresh(&strict, &first.refresh_token).await.err(), Some(401));
    assert_eq!(refresh(&strict, &second.refresh_token).await.err(), Some(401));
});

// spec: 001-task-service#FR-008
backend_test!(two_tabs_refreshing_at_once_both_stay_signed_in, async |base| {
    let server = base.sibling(|config| config.refresh_grace = 30).await;
    let (_, session) = server.user("Twins").await;
    // A second replica on the same database takes one of the two.
    let replica = server.sibling(|config| config.refresh_grace = 30).await;
    let (left, right) =
        tokio::join!(refresh(&server, &session.refresh_token), refresh(&replica, &session.refresh_token));
    let (left, right) = (left.expect("one tab"), right.expect("the other tab"));
    assert_ne!(left.refresh_token, right.refresh_token);
    assert!(refresh(&server, &left.refresh_token).await.is_ok());
    assert!(refresh(&replica, &right.refresh_token).await.is_ok());
});

// spec: 001-task-service#FR-048
backend_test!(bodies_must_be_json_objects, async |server| {
    let (client, session) = server.user("Array").await;
    let me = session.user.id.as_str();
    let token = session.access_token.as_str();
    let path = format!("/api/users/{me}/tasks");
    for body in [r#"["t","desc","2026-01-01"]"#, r#""title""#, "42", "null", "true", " \n [] "] {
        let (status, _, answer) = raw(
            server,
            reqwest::Method::POST,
            &path,
            Some(token),
            Some(("application/json", body.as_bytes().to_vec())),
        )
        .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error_code"], "InvalidBody");
        assert!(answer["message"].as_str().is_some_and(|m| m.contains("JSON object")), "{answer}");
    }
    let (status, _, _) = raw(
        server,
        reqwest::Method::POST,
        "/api/auth/sign-in",
        None,
        Some((
            "application/json",
            format!(r#"["{}","correct horse battery"]"#, session.user.email.as_deref().expect("an email"))
                .into_bytes(),
        )),
    )
    .await;
    assert_eq!(status, 400, "sign-in with an array");
    // An object, even after white space, is fine.
    let (status, _, _) = raw(
        server,
        reqwest::Method::POST,
        &path,
        Some(token),
        Some(("application/json", b" \n {\"title\": \"t\"}".to_vec())),
    )
    .await;
    assert_eq!(status, 201);
    let listed: Vec<_> = {
        use futures::TryStreamExt;
        client.task_list().user_id(me).stream().try_collect().await.expect("list")
    };
    assert_eq!(listed.len(), 1, "only the object body created a task");
});

// spec: 001-task-service#FR-049
backend_test!(tokens_are_checked_as_rfc_8725_asks, async |server| {
    let (_, session) = server.user("Rfc").await;
    let me = session.user.id.to_string();
    let now = Utc::now().timestamp();
    let hs256 = jsonwebtoken::Algorithm::HS256;
    let with_crit = {
        let mut header = jsonwebtoken::Header::new(hs256);
        header.crit = Some(vec!["exp".into()]);
        jsonwebtoken::encode(
            &header,
            &json!({ "sub": me, "exp": now + 600, "iat": now }),
            &jsonwebtoken::EncodingKey::from_secret(TEST_SECRET.as_bytes()),
        )
        .expect("encode")
    };
    let upper = me.to_uppercase();
    let simple = me.replace('-', "");
    let cases = [
        ("crit", with_crit, "crit"),
        (
            "25 hours",
            mint(json!({ "sub": me, "iat": now, "exp": now + 25 * 3600 }), hs256, TEST_SECRET),
            "24 hours",
        ),
        (
            "25 hours, no iat",
            mint(json!({ "sub": me, "exp": now + 25 * 3600 }), hs256, TEST_SECRET),
            "24 hours",
        ),
        // Ids are opaque and compared exactly: another spelling of a
        // UUID is another user, and no such user exists.
        (
            "upper case",
            mint(json!({ "sub": upper, "exp": now + 600 }), hs256, TEST_SECRET),
            "no longer exists",
        ),
        (
            "braced",
            mint(json!({ "sub": format!("{{{me}}}"), "exp": now + 600 }), hs256, TEST_SECRET),
            "not a user id",
        ),
        (
            "urn",
            mint(json!({ "sub": format!("urn:uuid:{me}"), "exp": now + 600 }), hs256, TEST_SECRET),
            "not a user id",
        ),
        ("simple", mint(json!({ "sub": simple, "exp": now + 600 }), hs256, TEST_SECRET), "no longer exists"),
        ("expired", mint(json!({ "sub": me, "exp": now - 5 }), hs256, TEST_SECRET), "expired"),
        (
            "nbf",
            mint(json!({ "sub": me, "exp": now + 600, "nbf": now + 300 }), hs256, TEST_SECRET),
            "not valid yet",
        ),
        ("no sub", mint(json!({ "exp": now + 600 }), hs256, TEST_SECRET), "(sub)"),
        ("no exp", mint(json!({ "sub": me }), hs256, TEST_SECRET), "(exp)"),
    ];
    for (case, token, says) in cases {
        let (status, _, body) =
            raw(server, reqwest::Method::GET, "/api/auth/session", Some(&token), None).await;
        assert_eq!(status, 401, "{case}: {body}");
        let message = body["message"].as_str().unwrap_or("");
        assert!(message.contains(says), "{case}: the message names the check: {message}");
        assert!(
            !message.contains(&token) && !message.contains(token.split('.').nth(1).unwrap_or("-")),
            "{case}"
        );
    }
    // A day exactly, and the canonical form, are fine.
    let day = mint(json!({ "sub": me, "iat": now, "exp": now + 24 * 3600 }), hs256, TEST_SECRET);
    let (status, _, body) = raw(server, reqwest::Method::GET, "/api/auth/session", Some(&day), None).await;
    assert_eq!(status, 200, "{body}");
});

// spec: 001-task-service#FR-050
backend_test!(titles_must_show_something_and_names_carry_no_bidi_controls, async |server| {
    let (client, session) = server.user("Unicode").await;
    let me = session.user.id.as_str();
    for title in [
        "\u{200B}\u{200B}",
        "\u{200D}\u{2060}",
        "\u{FEFF}",
        "\u{3164}",
        "\u{2800} \u{00AD}",
        "evil\u{202E}txt.exe",
        "a\u{2066}b",
    ] {
        let result = client.task_create().user_id(me).body(new_task(title)).send().await;
        let error = result.expect_err("refused");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{title:?}");
        match error {
            api_client::Error::ErrorResponse(body) => {
                assert_eq!(body.error_code.as_deref(), Some("InvalidTitle"), "{title:?}")
            }
            other => panic!("{title:?}: {other:?}"),
        }
    }
    for title in ["👩\u{200D}💻 review", "\u{200F}שלום", "\u{200B}x"] {
        let task = client
            .task_create()
            .user_id(me)
            .body(new_task(title))
            .send()
            .await
            .expect("a visible title is accepted")
            .into_inner();
        assert_eq!(task.title, title);
    }
    let refused = server
        .client()
        .auth_sign_up()
        .body(SignUpRequest {
            email: format!("bidi-{}@example.com", Uuid::new_v4().simple()),
            password: "correct horse battery".into(),
            name: "Eve\u{202E}lin".into(),
        })
        .send()
        .await
        .expect_err("a name with an override is refused");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400));
    let listed: Vec<_> = {
        use futures::TryStreamExt;
        client.task_list().user_id(me).stream().try_collect().await.expect("list")
    };
    assert_eq!(listed.len(), 3, "nothing refused was written");
});

// spec: 001-task-service#FR-046
/// Without a proxy header, the connection's own address is counted. On
/// SQLite only: this server's database is its own, while PostgreSQL's is
/// shared with every test signing up from 127.0.0.1 at the same time.
#[tokio::test]
async fn the_peer_address_is_counted_without_a_proxy_header() {
    let mut config = charter_tests::test_config();
    config.auth_address_limit = 2;
    config.auth_address_window = 600;
    let server = TestServer::with_config(config).await;
    let sign_up = || async {
        server
            .client()
            .auth_sign_up()
            .body(SignUpRequest {
                email: format!("peer-{}@example.com", Uuid::new_v4().simple()),
                password: "correct horse battery".into(),
                name: "Peer".into(),
            })
            .send()
            .await
            .map(drop)
            .map_err(|e| e.status().map(|s| s.as_u16()))
    };
    assert_eq!(sign_up().await, Ok(()));
    assert_eq!(sign_up().await, Ok(()));
    assert_eq!(sign_up().await, Err(Some(429)));
    // A header the server was not told to trust changes nothing.
    let status = reqwest::Client::new()
        .post(format!("{}/api/auth/sign-up", server.base_url))
        .header("x-forwarded-for", "192.0.2.200")
        .json(&json!({ "email": "xff@example.com", "password": "correct horse battery", "name": "X" }))
        .send()
        .await
        .expect("request")
        .status();
    assert_eq!(status, 429);
}

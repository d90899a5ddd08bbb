//! Accounts and sessions: sign-up, sign-in, refresh, sign-out, and the
//! access tokens every other call carries.

use super::*;

// spec: 001-task-service#FR-001, 001-task-service#FR-002, 001-task-service#FR-011
backend_test!(sign_up_issues_a_session_and_refuses_a_taken_email, async |server| {
    let client = server.client();
    let email = format!("Mixed.Case-{}@Example.COM", Uuid::new_v4().simple());
    let session = client
        .auth_sign_up()
        .body(SignUpRequest { email: email.clone(), password: "eight chr".into(), name: "  Ada  ".into() })
        .send()
        .await
        .expect("sign-up")
        .into_inner();
    assert_eq!(session.user.email, Some(email.to_lowercase()));
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
});

// spec: 001-task-service#FR-003, 001-task-service#FR-004, 001-task-service#SC-005
backend_test!(sign_up_validates_every_field_and_writes_nothing, async |server| {
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
});

// spec: 001-task-service#FR-005
backend_test!(sign_in_gives_one_answer_for_unknown_email_and_wrong_password, async |server| {
    let (_, session) = server.user("Grace").await;
    let client = server.client();
    let wrong_password = client
        .auth_sign_in()
        .body(SignInRequest {
            email: session.user.email.clone().expect("an email"),
            password: "not the password".into(),
        })
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
            email: session.user.email.as_deref().expect("an email").to_uppercase(),
            password: "correct horse battery".into(),
        })
        .send()
        .await
        .expect("emails compare case-insensitively")
        .into_inner();
    assert_eq!(ok.user.id, session.user.id);
});

// spec: 001-task-service#FR-010
backend_test!(session_names_the_signed_in_user, async |server| {
    let (client, session) = server.user("Linus").await;
    let current = client.auth_session().send().await.expect("session").into_inner();
    assert_eq!(current.user.id, session.user.id);
    let anonymous = server.client().auth_session().send().await;
    assert_eq!(refused("auth_session", anonymous).0, 401);
});

// spec: 001-task-service#FR-006, 001-task-service#FR-007, 001-task-service#FR-008
backend_test!(refresh_rotates_and_a_replayed_token_revokes_the_session, async |server| {
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
});

// spec: 001-task-service#FR-009
backend_test!(sign_out_ends_the_session, async |server| {
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
});

// spec: 001-task-service#FR-012
backend_test!(access_tokens_are_checked_strictly, async |server| {
    let (_, session) = server.user("Mallory").await;
    let me = session.user.id.as_str();
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
            mint(
                json!({ "sub": "admin/root", "exp": in_an_hour }),
                jsonwebtoken::Algorithm::HS256,
                TEST_SECRET,
            ),
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
});

// spec: 001-task-service#FR-013
backend_test!(external_tokens_with_the_shared_secret_are_accepted, async |server| {
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
    let created = create(&client, &session.user.id, new_task("From elsewhere")).await;
    assert_eq!(created.user_id, session.user.id);
});

// spec: 001-task-service#FR-039
backend_test!(expired_access_token_is_refreshed_by_the_client, async |server| {
    let (client, session) = server.user("Rex").await;
    let me = session.user.id.as_str();
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
    assert_eq!((a.user_id.as_str(), b.user_id.as_str()), (me, me));
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
});

// spec: 001-task-service#FR-042
backend_test!(clients_sharing_a_session_never_replay_each_others_refresh_tokens, async |server| {
    use api_client::auth::{SharedLockGuard, Tokens};
    use std::sync::{Arc, Mutex};

    let (first, session) = server.user("Tabs").await;
    let me = session.user.id.as_str();
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
    assert_eq!((a.user_id.as_str(), b.user_id.as_str()), (me, me));
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
});

// spec: 001-task-service#FR-008, 001-task-service#FR-009
backend_test!(replaying_any_rotated_refresh_token_ends_the_session, async |server| {
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
});

// spec: 001-task-service#FR-012
backend_test!(a_token_for_a_user_who_does_not_exist_is_refused, async |server| {
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
        &format!("/api/users/{}/tasks", &session.user.id),
        Some(&early),
        None,
    )
    .await;
    assert_eq!(status, 401);
});

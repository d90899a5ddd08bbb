//! Charter as the backend of a real Better Auth (feature
//! 007-better-auth-backend): its JWTs verified by its JWKS, its users
//! created on their first request. One scenario, since each part needs
//! the Better Auth before it (Node is started once).

use std::time::Duration;

use api_client::auth::Tokens;
use charter_tests::better_auth::BetterAuth;
use charter_tests::{drop_postgres_database, private_postgres_database, test_config};

use super::*;

/// A client of `server` holding a Better Auth JWT.
fn client_with(server: &TestServer, token: &str) -> Client {
    let client = server.client();
    client.auth().set_tokens(Some(Tokens {
        access_token: token.to_owned(),
        refresh_token: String::new(),
        // Better Auth's tokens live 15 minutes; the test is over long before.
        expires_at: Utc::now() + chrono::Duration::minutes(10),
    }));
    client
}

/// A Charter on SQLite that accepts `jwks_url`'s tokens.
async fn charter_for(jwks_url: &str) -> TestServer {
    let mut config = test_config();
    config.jwks_url = Some(jwks_url.to_owned());
    TestServer::with_config(config).await
}

async fn status_of(client: &Client, me: &str) -> u16 {
    match client.task_list().user_id(me).send().await {
        Ok(_) => 200,
        Err(e) => e.status().map_or(0, |s| s.as_u16()),
    }
}

// spec: 007-better-auth-backend#FR-001, 007-better-auth-backend#FR-002, 007-better-auth-backend#FR-003, 007-better-auth-backend#FR-005, 007-better-auth-backend#FR-007, 007-better-auth-backend#SC-002
#[tokio::test]
async fn a_better_auth_user_manages_tasks_in_charter() {
    let Some(database) = private_postgres_database().await else { return };
    let Some(better_auth) = BetterAuth::start(&database) else { return };
    let charter = charter_for(&better_auth.jwks_url()).await;

    // A new Better Auth user: their first request creates them in Charter.
    let (ada, ada_token) =
        better_auth.sign_up("Ada", &format!("ada-{}@example.com", Uuid::new_v4().simple())).await;
    assert!(!ada.contains('-') && ada.len() == 32, "Better Auth's own kind of id: {ada}");
    let client = client_with(&charter, &ada_token);
    assert!(all_tasks(&client, &ada).await.is_empty());
    let task = create(&client, &ada, new_task("Water the plants")).await;
    assert_eq!(task.user_id, ada);
    let done = client
        .task_complete()
        .user_id(&ada)
        .task_id(task.id)
        .body(TaskCompletion { completed: Some(true) })
        .send()
        .await
        .expect("complete")
        .into_inner();
    assert!(done.completed);
    let me = client.auth_session().send().await.expect("session").into_inner().user;
    assert_eq!((me.id.as_str(), me.name.as_str()), (ada.as_str(), "Ada"));
    assert!(me.email.is_some_and(|e| e.starts_with("ada-")));
    client.task_delete().user_id(&ada).task_id(task.id).send().await.expect("delete");
    // Such a user has no password in Charter.
    let refused_sign_in = charter
        .client()
        .auth_sign_in()
        .body(SignInRequest { email: format!("{ada}@example.com"), password: "correct horse battery".into() })
        .send()
        .await;
    assert_eq!(refused("auth_sign_in", refused_sign_in).0, 401);

    // Two first requests of a new user at once: one user, both answered.
    let (bo, bo_token) =
        better_auth.sign_up("Bo", &format!("bo-{}@example.com", Uuid::new_v4().simple())).await;
    let bo_client = client_with(&charter, &bo_token);
    let (first, second) = tokio::join!(
        bo_client.task_create().user_id(&bo).body(new_task("One")).send(),
        bo_client.task_create().user_id(&bo).body(new_task("Two")).send()
    );
    assert!(first.is_ok() && second.is_ok(), "{first:?} {second:?}");
    // Another Better Auth user cannot reach Ada's tasks.
    let kept = create(&client, &ada, new_task("Ada's own")).await;
    let (status, _) = refused("task_list", bo_client.task_list().user_id(&ada).send().await);
    assert_eq!(status, 403);
    let (status, _) = refused("task_view", bo_client.task_view().user_id(&bo).task_id(kept.id).send().await);
    assert_eq!(status, 404);

    // Charter's own tokens keep working beside Better Auth's.
    let (own, own_session) = charter.user("Own").await;
    assert!(all_tasks(&own, &own_session.user.id).await.is_empty());

    // Refused tokens: another audience, expired, another instance's keys.
    let now = Utc::now().timestamp();
    let elsewhere = better_auth.sign(json!({ "sub": ada, "aud": "https://elsewhere.example" })).await;
    assert_eq!(status_of(&client_with(&charter, &elsewhere), &ada).await, 401, "wrong aud");
    let expired = better_auth.sign(json!({ "sub": ada, "iat": now - 1000, "exp": now - 100 })).await;
    assert_eq!(status_of(&client_with(&charter, &expired), &ada).await, 401, "expired");
    let other_database = private_postgres_database().await.expect("a second database");
    let other = BetterAuth::start(&other_database).expect("a second Better Auth");
    let (stranger, stranger_token) = other.sign_up("Stranger", "stranger@example.com").await;
    assert_eq!(status_of(&client_with(&charter, &stranger_token), &stranger).await, 401, "another instance");

    // A new signing key: its tokens verify without a restart (the key set
    // is fetched again for an unknown kid, at most every 30 s, so the
    // first attempt may come too soon), and the old key's still do.
    let old_token = ada_token.clone();
    better_auth.new_key().await;
    let new_token = better_auth.sign(json!({ "sub": ada })).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(45);
    while status_of(&client_with(&charter, &new_token), &ada).await != 200 {
        assert!(tokio::time::Instant::now() < deadline, "the new key was never fetched");
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    assert_eq!(
        status_of(&client_with(&charter, &old_token), &ada).await,
        200,
        "the old key is still published"
    );

    // Better Auth gone, a Charter that holds no key yet: 503, not 401.
    let newest = better_auth.sign(json!({ "sub": ada })).await;
    let fresh = charter_for(&better_auth.jwks_url()).await;
    drop(better_auth);
    let (status, body) =
        refused("task_list", client_with(&fresh, &newest).task_list().user_id(&ada).send().await);
    assert_eq!((status, body.error_code.as_deref()), (503, Some("KeysUnavailable")));

    drop(other);
    for url in [database, other_database] {
        drop_postgres_database(&url).await.expect("drop");
    }
}

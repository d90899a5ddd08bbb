//! The contract as served, and the service's health.

use super::*;

// spec: 001-task-service#FR-033, 001-task-service#FR-038
backend_test!(health_and_contract, async |server| {
    let client = server.client();
    let health = client.health().send().await.expect("healthy").into_inner();
    assert_eq!(health.status, "ok");
    let served = client.openapi_document().send().await.expect("document").into_inner();
    let checked_in: serde_json::Value =
        serde_json::from_str(include_str!("../../../specs/contracts/charter.json"))
            .expect("the checked-in contract is JSON");
    assert_eq!(served, checked_in, "the server serves the checked-in contract");
});

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

/// The contract as served, snapshotted so a change to it shows up in review.
// spec: 001-task-service#SC-006
#[tokio::test]
async fn openapi_document_snapshot() {
    let server = TestServer::sqlite().await;
    let document = server.client().openapi_document().send().await.expect("document").into_inner();
    insta::assert_json_snapshot!(document);
}

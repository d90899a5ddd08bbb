//! The task service end to end: a real server on a real port, through the
//! generated client, on SQLite and on PostgreSQL.
//!
//! One binary, one module per topic; each scenario runs on both backends
//! (`backend_test!`).
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
use charter_tests::{TEST_SECRET, TestServer, backend_test, mint, raw};
use chrono::{NaiveDate, Utc};
use futures::TryStreamExt;
use serde_json::json;
use uuid::Uuid;

mod auth;
mod better_auth;
mod changes;
mod contract;
mod errors;
mod hardening;
mod listing;
mod organise;
mod replicas;
mod sync;
mod tasks;

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

/// A task with a title and nothing else; tests set the rest with `..`.
fn new_task(title: impl Into<String>) -> TaskCreate {
    TaskCreate::titled(title)
}

/// An update that replaces the title, clears description and due date,
/// and keeps everything else; tests set the rest with `..`.
fn replacement(title: impl Into<String>) -> TaskUpdate {
    TaskUpdate::replacing(title)
}

async fn create(client: &Client, user: &str, task: TaskCreate) -> Task {
    client.task_create().user_id(user).body(task).send().await.expect("create").into_inner()
}

async fn all_tasks(client: &Client, user: &str) -> Vec<Task> {
    client.task_list().user_id(user).stream().try_collect().await.expect("list")
}

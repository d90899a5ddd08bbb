//! Charter's HTTP API, as data: the Dropshot API trait, its wire types and
//! the extractors its endpoints take.
//!
//! This crate holds no storage or crypto code on purpose. The OpenAPI
//! document checked in at `specs/contracts/charter.json` is generated from
//! [`openapi_document`], which needs nothing but this crate, so the contract
//! can be regenerated and checked without a database or a server.
//!
//! - [`CharterApi`] is the trait `api-server` implements.
//! - [`types`] are the request and response bodies.
//! - [`extract`] holds [`extract::JsonBody`] (a JSON body that answers 413
//!   when it is too large) and [`extract::BearerToken`].
//! - [`OPERATION_ERRORS`] lists the error statuses each operation documents;
//!   [`openapi_document`] writes them into the contract.

pub mod extract;
pub mod types;

use dropshot::{
    Body, Header, HttpError, HttpResponseCreated, HttpResponseDeleted, HttpResponseHeaders, HttpResponseOk,
    HttpResponseUpdatedNoContent, PaginationParams, Path, Query, RequestContext, ResultsPage,
};

use crate::extract::{BearerToken, JsonBody};
use crate::types::{
    AssetPath, AuthSession, ChangesQuery, CreateConditions, CurrentSession, EventConditions, Health,
    ReadConditions, RefreshRequest, SignInRequest, SignOutRequest, SignUpRequest, SummaryQuery, Tag, TagList,
    TagPath, TagRename, Task, TaskBatch, TaskBatchResult, TaskChanges, TaskCompletion, TaskCreate, TaskETag,
    TaskEvent, TaskPageSelector, TaskPath, TaskScanParams, TaskSummary, TaskUpdate, UserPath,
    WriteConditions,
};

/// The contract's `info.version`. Bump MAJOR for a breaking change.
pub const API_VERSION: semver::Version = semver::Version::new(2, 0, 0);

/// Largest request body accepted, in bytes; a larger one is answered 413.
pub const MAX_REQUEST_BODY_BYTES: usize = 64 * 1024;

/// Largest page a list returns; a larger `limit` is clamped to it.
pub const MAX_PAGE_ITEMS: u32 = 100;

/// The error statuses each operation documents, besides the generic `4XX`
/// and `5XX` that Dropshot adds everywhere. Every bearer route may answer
/// 503 when an identity provider's keys cannot be fetched. `specs/api/rest-endpoints.md`
/// lists the same, and the integration tests check that every error they
/// provoke is one of these.
pub const OPERATION_ERRORS: &[(&str, &[u16])] = &[
    ("auth_sign_up", &[400, 409, 413, 429]),
    ("auth_sign_in", &[400, 401, 413, 429]),
    ("auth_refresh", &[400, 401, 413]),
    ("auth_sign_out", &[400, 413]),
    ("auth_session", &[401, 503]),
    ("task_list", &[400, 401, 403, 503]),
    ("task_create", &[400, 401, 403, 409, 413, 422, 503]),
    ("task_view", &[400, 401, 403, 404, 503]),
    ("task_update", &[400, 401, 403, 404, 409, 412, 413, 503]),
    ("task_delete", &[400, 401, 403, 404, 412, 503]),
    ("task_complete", &[400, 401, 403, 404, 409, 412, 413, 503]),
    ("task_batch", &[400, 401, 403, 404, 409, 412, 413, 422, 503]),
    ("task_changes", &[400, 401, 403, 410, 503]),
    ("task_events", &[400, 401, 403, 410, 503]),
    ("task_summary", &[400, 401, 403, 503]),
    ("tag_list", &[400, 401, 403, 503]),
    ("tag_rename", &[400, 401, 403, 404, 413, 503]),
    ("tag_delete", &[400, 401, 403, 404, 503]),
    ("health", &[503]),
    ("openapi_document", &[]),
];

/// Charter's API. `api-server` implements it; [`openapi_document`] describes
/// it without an implementation.
#[dropshot::api_description]
pub trait CharterApi {
    type Context;

    /// Create an account and sign in.
    ///
    /// The email must be unused (compared case-insensitively); the password
    /// must be 8 to 128 characters. Answers the new user with a fresh pair of
    /// tokens.
    #[endpoint { method = POST, path = "/api/auth/sign-up", tags = ["auth"] }]
    async fn auth_sign_up(
        rqctx: RequestContext<Self::Context>,
        body: JsonBody<SignUpRequest>,
    ) -> Result<HttpResponseCreated<AuthSession>, HttpError>;

    /// Sign in with email and password.
    ///
    /// A wrong email and a wrong password get the same 401 answer.
    /// Too many attempts for one email, or too many sign-ins and sign-ups
    /// from one address, get 429 with `Retry-After`.
    #[endpoint { method = POST, path = "/api/auth/sign-in", tags = ["auth"] }]
    async fn auth_sign_in(
        rqctx: RequestContext<Self::Context>,
        body: JsonBody<SignInRequest>,
    ) -> Result<HttpResponseOk<AuthSession>, HttpError>;

    /// Exchange a refresh token for a new access token and refresh token.
    ///
    /// Refresh tokens rotate: the one presented stops working. Presenting a
    /// token rotated less than the grace period ago (30 s by default) gets
    /// new tokens of the same session, so two tabs refreshing at once both
    /// stay signed in; presenting one rotated longer ago revokes the whole
    /// session.
    #[endpoint { method = POST, path = "/api/auth/refresh", tags = ["auth"] }]
    async fn auth_refresh(
        rqctx: RequestContext<Self::Context>,
        body: JsonBody<RefreshRequest>,
    ) -> Result<HttpResponseOk<AuthSession>, HttpError>;

    /// End the session a refresh token belongs to.
    ///
    /// Idempotent: an unknown or already revoked token also answers 204.
    /// Access tokens already issued stay valid until they expire.
    #[endpoint { method = POST, path = "/api/auth/sign-out", tags = ["auth"] }]
    async fn auth_sign_out(
        rqctx: RequestContext<Self::Context>,
        body: JsonBody<SignOutRequest>,
    ) -> Result<HttpResponseUpdatedNoContent, HttpError>;

    /// The signed-in user, from the bearer access token.
    #[endpoint { method = GET, path = "/api/auth/session", tags = ["auth"] }]
    async fn auth_session(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
    ) -> Result<HttpResponseOk<CurrentSession>, HttpError>;

    /// List the user's tasks, a page at a time.
    ///
    /// Filter with `status`, `q` (search), `priority`, `tag`, `due_before`,
    /// `due_after` and `overdue` (all combinable; `tz` decides "today"),
    /// order with `sort` and `order`. Pass the `next_page` of one answer as
    /// `page_token` to get the next page; the token remembers the filters
    /// and the order.
    #[endpoint { method = GET, path = "/api/users/{user_id}/tasks", tags = ["tasks"] }]
    async fn task_list(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<UserPath>,
        query: Query<PaginationParams<TaskScanParams, TaskPageSelector>>,
    ) -> Result<HttpResponseOk<ResultsPage<Task>>, HttpError>;

    /// Create a task.
    ///
    /// The answer's `ETag` is the new task's entity tag. With an
    /// `Idempotency-Key`, a retry creates nothing and gets the first answer.
    #[endpoint { method = POST, path = "/api/users/{user_id}/tasks", tags = ["tasks"] }]
    async fn task_create(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<UserPath>,
        conditions: Header<CreateConditions>,
        body: JsonBody<TaskCreate>,
    ) -> Result<HttpResponseHeaders<HttpResponseCreated<Task>, TaskETag>, HttpError>;

    /// Fetch one task.
    ///
    /// The answer's `ETag` is the task's entity tag; with `If-None-Match`
    /// naming it, the answer is 304 without a body.
    #[endpoint { method = GET, path = "/api/users/{user_id}/tasks/{task_id}", tags = ["tasks"] }]
    async fn task_view(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<TaskPath>,
        conditions: Header<ReadConditions>,
    ) -> Result<HttpResponseHeaders<HttpResponseOk<Task>, TaskETag>, HttpError>;

    /// Replace a task's title, description and due date, and change its
    /// other fields.
    ///
    /// Omitted `description` and `due_date` are cleared; an omitted
    /// `completed`, `priority`, `tags`, `recurrence` or `remind_at` keeps
    /// the current value. A changed due date moves the reminder with it.
    /// With `If-Match`, only if the task is still at that version.
    #[endpoint { method = PUT, path = "/api/users/{user_id}/tasks/{task_id}", tags = ["tasks"] }]
    async fn task_update(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<TaskPath>,
        conditions: Header<WriteConditions>,
        body: JsonBody<TaskUpdate>,
    ) -> Result<HttpResponseHeaders<HttpResponseOk<Task>, TaskETag>, HttpError>;

    /// Delete a task; with `If-Match`, only if it is still at that version.
    #[endpoint { method = DELETE, path = "/api/users/{user_id}/tasks/{task_id}", tags = ["tasks"] }]
    async fn task_delete(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<TaskPath>,
        conditions: Header<WriteConditions>,
    ) -> Result<HttpResponseDeleted, HttpError>;

    /// Toggle a task's completion, or set it.
    ///
    /// With `{"completed": true|false}` the state is set, so a retry is
    /// safe; with `{}` (or an empty body) it is toggled. Completing a
    /// repeating task moves it to its next date instead, until its rule
    /// ends. With `If-Match`, only if the task is still at that version
    /// (which makes a retried completion of a repeating task safe).
    #[endpoint {
        method = PATCH,
        path = "/api/users/{user_id}/tasks/{task_id}/complete",
        tags = ["tasks"],
    }]
    async fn task_complete(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<TaskPath>,
        conditions: Header<WriteConditions>,
        body: JsonBody<TaskCompletion>,
    ) -> Result<HttpResponseHeaders<HttpResponseOk<Task>, TaskETag>, HttpError>;

    /// Apply up to 100 task operations, all or nothing.
    ///
    /// The operations (`create`, `update`, `complete`, `delete`, each with
    /// an optional `if_match` version) run in order in one transaction;
    /// the answer lists each result in order. When one fails, the answer
    /// is its error, with a message beginning `operations[<index>]`, and
    /// nothing is written. With an `Idempotency-Key`, a retry writes
    /// nothing and gets the first answer.
    #[endpoint { method = POST, path = "/api/users/{user_id}/batch", tags = ["tasks"] }]
    async fn task_batch(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<UserPath>,
        conditions: Header<CreateConditions>,
        body: JsonBody<TaskBatch>,
    ) -> Result<HttpResponseHeaders<HttpResponseOk<TaskBatchResult>>, HttpError>;

    /// What changed since a cursor: tasks created or changed, and
    /// tombstones of deleted ones.
    ///
    /// Without `cursor`, every task (and no tombstones). Pass the answer's
    /// `cursor` back to continue; `more` says another page follows at
    /// once. A cursor older than the tombstones kept (30 days by default)
    /// answers 410 `CursorExpired`: sync again from the start.
    #[endpoint { method = GET, path = "/api/users/{user_id}/changes", tags = ["tasks"] }]
    async fn task_changes(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<UserPath>,
        query: Query<ChangesQuery>,
    ) -> Result<HttpResponseOk<TaskChanges>, HttpError>;

    /// A live stream of the user's changes, as server-sent events.
    ///
    /// Events `task.created`, `task.updated`, `task.deleted` and
    /// `reminder.due` (see `TaskEvent`), each with a change cursor as its
    /// `id`; with `Last-Event-ID`, every event after it comes first. A
    /// `: keep-alive` comment every 15 seconds; the stream ends when the
    /// access token expires (reconnect with a fresh one and the last id).
    #[endpoint { method = GET, path = "/api/users/{user_id}/events", tags = ["tasks"] }]
    async fn task_events(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<UserPath>,
        conditions: Header<EventConditions>,
    ) -> Result<http::Response<Body>, HttpError>;

    /// Count the user's tasks: pending, completed, overdue, due today, per
    /// priority and per tag.
    ///
    /// `tz` (an IANA time zone, default `UTC`) decides what "today" is.
    #[endpoint { method = GET, path = "/api/users/{user_id}/summary", tags = ["tasks"] }]
    async fn task_summary(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<UserPath>,
        query: Query<SummaryQuery>,
    ) -> Result<HttpResponseOk<TaskSummary>, HttpError>;

    /// List the user's tags with how many tasks have each.
    #[endpoint { method = GET, path = "/api/users/{user_id}/tags", tags = ["tags"] }]
    async fn tag_list(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<UserPath>,
    ) -> Result<HttpResponseOk<TagList>, HttpError>;

    /// Rename a tag on every task that has it.
    ///
    /// Renaming onto another tag (ignoring case) merges the two, keeping
    /// that tag's spelling; changing only the case changes the spelling.
    #[endpoint { method = PUT, path = "/api/users/{user_id}/tags/{tag}", tags = ["tags"] }]
    async fn tag_rename(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<TagPath>,
        body: JsonBody<TagRename>,
    ) -> Result<HttpResponseOk<Tag>, HttpError>;

    /// Remove a tag from every task that has it; no task is deleted.
    #[endpoint { method = DELETE, path = "/api/users/{user_id}/tags/{tag}", tags = ["tags"] }]
    async fn tag_delete(
        rqctx: RequestContext<Self::Context>,
        token: BearerToken,
        path: Path<TagPath>,
    ) -> Result<HttpResponseDeleted, HttpError>;

    /// Liveness and readiness: 200 when the database answers, 503 otherwise.
    #[endpoint { method = GET, path = "/api/health", tags = ["system"] }]
    async fn health(rqctx: RequestContext<Self::Context>) -> Result<HttpResponseOk<Health>, HttpError>;

    /// This API's OpenAPI document.
    #[endpoint { method = GET, path = "/api/openapi.json", tags = ["system"] }]
    async fn openapi_document(
        rqctx: RequestContext<Self::Context>,
    ) -> Result<HttpResponseOk<serde_json::Value>, HttpError>;

    // The web app, served from the API's origin. Unpublished: these are
    // pages, not API, and stay out of the contract. Dropshot's router
    // cannot hold a catch-all at the root beside `/api`, so each page of
    // the app has its route and answers the app's `index.html`, which
    // routes in the browser.

    /// The web app's home page.
    #[endpoint { method = GET, path = "/", unpublished = true }]
    async fn page_home(rqctx: RequestContext<Self::Context>) -> Result<http::Response<Body>, HttpError>;

    /// The web app's sign-in page.
    #[endpoint { method = GET, path = "/sign-in", unpublished = true }]
    async fn page_sign_in(rqctx: RequestContext<Self::Context>) -> Result<http::Response<Body>, HttpError>;

    /// The web app's sign-up page.
    #[endpoint { method = GET, path = "/sign-up", unpublished = true }]
    async fn page_sign_up(rqctx: RequestContext<Self::Context>) -> Result<http::Response<Body>, HttpError>;

    /// The web app's task page.
    #[endpoint { method = GET, path = "/tasks", unpublished = true }]
    async fn page_tasks(rqctx: RequestContext<Self::Context>) -> Result<http::Response<Body>, HttpError>;

    /// The web app's content-hashed files (scripts, styles, wasm).
    #[endpoint { method = GET, path = "/assets/{path:.*}", unpublished = true }]
    async fn web_asset(
        rqctx: RequestContext<Self::Context>,
        path: Path<AssetPath>,
    ) -> Result<http::Response<Body>, HttpError>;
}

/// Errors building the OpenAPI document: only a mistake in this crate (a bad
/// endpoint declaration) can cause one.
#[derive(Debug)]
pub struct DocumentError(String);

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DocumentError {}

/// The OpenAPI document of [`CharterApi`], exactly as checked in under
/// `specs/contracts/`.
pub fn openapi_document() -> Result<serde_json::Value, DocumentError> {
    let description = charter_api_mod::stub_api_description()
        .map_err(|e| DocumentError(format!("invalid API description: {e}")))?;
    let mut openapi = description.openapi("Charter", API_VERSION);
    openapi
        .description("Charter: a spec-governed, multi-user task service.")
        .license_name("MIT OR Apache-2.0");
    let mut document =
        openapi.json().map_err(|e| DocumentError(format!("cannot serialise the document: {e}")))?;
    add_documented_errors(&mut document)?;
    add_not_modified(&mut document);
    describe_page_parameters(&mut document);
    describe_event_stream(&mut document)?;
    Ok(document)
}

/// `task_events` answers a stream Dropshot cannot describe (its typed
/// responses are JSON): the contract states its `text/event-stream`
/// answer, one schema per kind of event as its SSE fields (`event`, `id`,
/// and `data`, a string of JSON whose `contentSchema` is the payload), made
/// from [`TaskEvent`], which is also put among the components so that the
/// generated client has the type to read events into.
fn describe_event_stream(document: &mut serde_json::Value) -> Result<(), DocumentError> {
    let mut generator = schemars::r#gen::SchemaSettings::openapi3().into_generator();
    generator.subschema_for::<TaskEvent>();
    let definitions = generator.take_definitions();
    let event = definitions
        .get("TaskEvent")
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| DocumentError(format!("cannot serialise TaskEvent: {e}")))?
        .ok_or_else(|| DocumentError("TaskEvent has no schema".into()))?;
    let kinds =
        event["oneOf"].as_array().ok_or_else(|| DocumentError("TaskEvent is not one of its kinds".into()))?;
    let items: Vec<serde_json::Value> = kinds
        .iter()
        .map(|kind| {
            let mut item = serde_json::json!({
                "type": "object",
                "required": ["data", "event", "id"],
                "properties": {
                    "event": kind["properties"]["event"],
                    "id": {
                        "type": "string",
                        "description": "A change cursor: send it as Last-Event-ID to resume after this event",
                        "pattern": charter_domain::task::CHANGE_CURSOR_PATTERN,
                    },
                    "data": {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "contentSchema": kind["properties"]["data"],
                    },
                },
            });
            if let Some(description) = kind.get("description") {
                item["description"] = description.clone();
            }
            item
        })
        .collect();
    let schemas = document
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
        .ok_or_else(|| DocumentError("document has no component schemas".into()))?;
    for (name, schema) in definitions {
        let schema = serde_json::to_value(schema)
            .map_err(|e| DocumentError(format!("cannot serialise the schema {name}: {e}")))?;
        schemas.entry(name).or_insert(schema);
    }
    schemas.sort_keys();
    let responses = document
        .pointer_mut("/paths/~1api~1users~1{user_id}~1events/get/responses")
        .and_then(|r| r.as_object_mut())
        .ok_or_else(|| DocumentError("task_events has no responses".into()))?;
    responses.remove("default");
    responses.insert(
        "200".into(),
        serde_json::json!({
            "description": "Server-sent events, one per change (see TaskEvent for each kind's data), and \
                            `: keep-alive` comments",
            "content": { "text/event-stream": { "schema": { "oneOf": items } } }
        }),
    );
    responses.sort_keys();
    Ok(())
}

/// Dropshot writes the page parameters of a paginated list itself; the
/// contract states what Charter does with them: `limit` is clamped to
/// [`MAX_PAGE_ITEMS`] (so that is its maximum), and `page_token` is opaque.
fn describe_page_parameters(document: &mut serde_json::Value) {
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for operation in
        paths.values_mut().filter_map(|item| item.as_object_mut()).flat_map(|item| item.values_mut())
    {
        if operation.get("x-dropshot-pagination").is_none() {
            continue;
        }
        let Some(parameters) = operation.get_mut("parameters").and_then(|p| p.as_array_mut()) else {
            continue;
        };
        for parameter in parameters {
            match parameter.get("name").and_then(|n| n.as_str()) {
                Some("limit") => {
                    parameter["schema"]["maximum"] = serde_json::json!(MAX_PAGE_ITEMS);
                    parameter["description"] = serde_json::json!(format!(
                        "Most items in one page, at most {MAX_PAGE_ITEMS} (larger values are clamped to it)"
                    ));
                }
                Some("page_token") => {
                    parameter["description"] = serde_json::json!(
                        "The `next_page` of the previous page, passed back unchanged: an opaque token that \
                         carries the filter, the order and the position"
                    );
                }
                _ => {}
            }
        }
    }
}

/// Every operation that takes `If-None-Match` may answer 304, which
/// Charter's connection layer makes from the 200 (Dropshot's typed
/// responses have one success status): the contract says so.
fn add_not_modified(document: &mut serde_json::Value) {
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for operation in
        paths.values_mut().filter_map(|item| item.as_object_mut()).flat_map(|item| item.values_mut())
    {
        let conditional = operation.get("parameters").and_then(|p| p.as_array()).is_some_and(|parameters| {
            parameters.iter().any(|p| p.get("name").and_then(|n| n.as_str()) == Some("If-None-Match"))
        });
        if let (true, Some(responses)) =
            (conditional, operation.get_mut("responses").and_then(|r| r.as_object_mut()))
        {
            responses.insert(
                "304".into(),
                serde_json::json!({ "description": "Not Modified: the ETag is one of If-None-Match's; no body" }),
            );
            responses.sort_keys();
        }
    }
}

/// Writes [`OPERATION_ERRORS`] into each operation's `responses`, so the
/// contract says which errors to expect, not only "4XX".
fn add_documented_errors(document: &mut serde_json::Value) -> Result<(), DocumentError> {
    let paths = document
        .get_mut("paths")
        .and_then(|p| p.as_object_mut())
        .ok_or_else(|| DocumentError("document has no paths".into()))?;
    let mut seen = Vec::new();
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for operation in item.values_mut() {
            let Some(id) = operation.get("operationId").and_then(|v| v.as_str()) else {
                continue;
            };
            let id = id.to_owned();
            let statuses = OPERATION_ERRORS
                .iter()
                .find(|(op, _)| *op == id)
                .map(|(_, s)| *s)
                .ok_or_else(|| DocumentError(format!("{id} is missing from OPERATION_ERRORS")))?;
            let responses = operation
                .get_mut("responses")
                .and_then(|r| r.as_object_mut())
                .ok_or_else(|| DocumentError(format!("{id} has no responses")))?;
            for status in statuses {
                responses.insert(
                    status.to_string(),
                    serde_json::json!({ "$ref": "#/components/responses/Error" }),
                );
            }
            responses.sort_keys();
            seen.push(id);
        }
    }
    if let Some((extra, _)) = OPERATION_ERRORS.iter().find(|(op, _)| !seen.iter().any(|s| s == op)) {
        return Err(DocumentError(format!("OPERATION_ERRORS names unknown operation {extra}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    // spec: 006-safe-writes-and-sync#FR-004, 006-safe-writes-and-sync#SC-001
    #[test]
    fn the_contract_states_the_safe_write_and_sync_operations_and_headers() {
        let document = super::openapi_document().expect("document builds");
        let operation = |path: &str, method: &str| document["paths"][path][method].clone();
        let headers = |op: &serde_json::Value| -> Vec<String> {
            op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "header")
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect()
        };
        let view = operation("/api/users/{user_id}/tasks/{task_id}", "get");
        assert_eq!(headers(&view), ["If-None-Match"]);
        assert!(
            view["responses"]["304"].is_object() && view["responses"]["200"]["headers"]["ETag"].is_object()
        );
        for method in ["put", "delete"] {
            let write = operation("/api/users/{user_id}/tasks/{task_id}", method);
            assert_eq!(headers(&write), ["If-Match"], "{method}");
            assert!(write["responses"]["412"].is_object(), "{method}");
        }
        let batch = operation("/api/users/{user_id}/batch", "post");
        assert_eq!(
            (batch["operationId"].as_str(), headers(&batch)),
            (Some("task_batch"), vec!["Idempotency-Key".into()])
        );
        let changes = operation("/api/users/{user_id}/changes", "get");
        assert!(changes["responses"]["410"].is_object());
        let events = operation("/api/users/{user_id}/events", "get");
        assert_eq!(headers(&events), ["Last-Event-ID"]);
        let kinds = events["responses"]["200"]["content"]["text/event-stream"]["schema"]["oneOf"].clone();
        let names: Vec<&str> = kinds
            .as_array()
            .expect("kinds")
            .iter()
            .filter_map(|k| k["properties"]["event"]["enum"][0].as_str())
            .collect();
        assert_eq!(names, ["task.created", "task.updated", "task.deleted", "reminder.due"]);
        assert_eq!(
            kinds[2]["properties"]["data"]["contentSchema"]["$ref"],
            "#/components/schemas/TaskTombstone"
        );
        assert!(document["components"]["schemas"]["TaskEvent"].is_object(), "the client's type for events");
    }

    #[test]
    fn document_builds_and_lists_every_operation() {
        let document = super::openapi_document().expect("document builds");
        let count: usize = document["paths"]
            .as_object()
            .expect("paths")
            .values()
            .map(|item| item.as_object().map_or(0, |o| o.len()))
            .sum();
        assert_eq!(count, super::OPERATION_ERRORS.len());
        assert!(document["paths"]["/api/users/{user_id}/tasks"]["get"]["x-dropshot-pagination"].is_object());
    }
}

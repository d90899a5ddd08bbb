//! The HTTP layer: `CharterApi`'s endpoints, each a thin translation from
//! the wire to the domain, and the one mapping of domain errors to HTTP.

use dropshot::{
    Body, ClientErrorStatusCode, Header, HttpError, HttpResponseCreated, HttpResponseDeleted,
    HttpResponseHeaders, HttpResponseOk, HttpResponseUpdatedNoContent, PaginationParams, Path, Query,
    RequestContext, ResultsPage, WhichPage,
};

use charter_api::extract::{BearerToken, JsonBody, unauthenticated};
use charter_api::types::{
    AssetPath, AuthSession, ChangesQuery, CreateConditions, CurrentSession, EventConditions, Health,
    ReadConditions, RefreshRequest, SignInRequest, SignOutRequest, SignUpRequest, SummaryQuery, Tag, TagList,
    TagPath, TagRename, Task, TaskBatch, TaskBatchResult, TaskChanges, TaskCompletion, TaskCreate, TaskETag,
    TaskPageSelector, TaskPath, TaskScanParams, TaskSummary, TaskUpdate, UserPath, WriteConditions,
};
use charter_api::{CharterApi, MAX_PAGE_ITEMS};
use charter_domain::conditions::{EntityTags, task_etag};
use charter_domain::listing::TaskFilter;

use crate::context::AppState;
use crate::error::Error;
use crate::store::StoreError;
use crate::web;
use crate::{batch, changes, events, idempotency};

impl From<Error> for HttpError {
    fn from(error: Error) -> Self {
        let message = error.to_string();
        let client =
            |code: &str, status| HttpError::for_client_error(Some(code.to_owned()), status, message.clone());
        match error {
            Error::Invalid { code, .. } => client(code, ClientErrorStatusCode::BAD_REQUEST),
            Error::EmailTaken => client("EmailTaken", ClientErrorStatusCode::CONFLICT),
            Error::InvalidCredentials => unauthenticated_with_code("InvalidCredentials", &message),
            Error::InvalidRefreshToken => unauthenticated_with_code("InvalidRefreshToken", &message),
            Error::Unauthenticated(text) => unauthenticated(text),
            Error::Forbidden => client("Forbidden", ClientErrorStatusCode::FORBIDDEN),
            Error::TaskNotFound => client("TaskNotFound", ClientErrorStatusCode::NOT_FOUND),
            Error::TagNotFound => client("TagNotFound", ClientErrorStatusCode::NOT_FOUND),
            Error::Conflict(_) => client("TaskChanged", ClientErrorStatusCode::CONFLICT),
            Error::IdempotencyKeyReused => {
                client("IdempotencyKeyReused", ClientErrorStatusCode::UNPROCESSABLE_ENTITY)
            }
            Error::IdempotencyKeyInFlight => {
                client("IdempotencyKeyInFlight", ClientErrorStatusCode::CONFLICT)
            }
            Error::CursorExpired => client("CursorExpired", ClientErrorStatusCode::GONE),
            Error::InOperation { index, source } => {
                let mut error = HttpError::from(*source);
                error.external_message = format!("operations[{index}]: {}", error.external_message);
                error
            }
            Error::PreconditionFailed { .. } => {
                client("PreconditionFailed", ClientErrorStatusCode::PRECONDITION_FAILED)
            }
            Error::Busy => {
                let mut error = client("TooManyRequests", ClientErrorStatusCode::TOO_MANY_REQUESTS);
                error.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("5"));
                error
            }
            Error::Throttled(throttled) => {
                let mut error = client("TooManyRequests", ClientErrorStatusCode::TOO_MANY_REQUESTS);
                let headers = error.headers_mut();
                let reset = http::HeaderValue::from(throttled.reset_seconds);
                headers.insert(http::header::RETRY_AFTER, reset.clone());
                headers.insert("ratelimit-limit", http::HeaderValue::from(throttled.limit));
                headers.insert("ratelimit-remaining", http::HeaderValue::from_static("0"));
                headers.insert("ratelimit-reset", reset);
                error
            }
            Error::KeysUnavailable => HttpError::for_unavail(Some("KeysUnavailable".into()), message.clone()),
            Error::Store(StoreError::Unavailable(_)) => HttpError::for_unavail(
                Some("DatabaseUnavailable".into()),
                "the database is not reachable".into(),
            ),
            // The whole chain goes to the log (Dropshot's internal message);
            // the client hears only that the server failed.
            Error::Store(_) | Error::Internal { .. } | Error::Corrupt { .. } => {
                HttpError::for_internal_error(error.chain())
            }
        }
    }
}

fn unauthenticated_with_code(code: &str, message: &str) -> HttpError {
    let mut error = unauthenticated(message);
    error.error_code = Some(code.to_owned());
    error
}

/// The type `CharterApi` is implemented on; it is never constructed.
pub enum CharterServer {}

impl CharterApi for CharterServer {
    type Context = AppState;

    async fn auth_sign_up(
        rqctx: RequestContext<AppState>,
        body: JsonBody<SignUpRequest>,
    ) -> Result<HttpResponseCreated<AuthSession>, HttpError> {
        let accounts = &rqctx.context().accounts;
        let client = accounts.throttle.client_address(rqctx.request.remote_addr(), rqctx.request.headers());
        let session = accounts.sign_up(body.into_inner(), client).await?;
        Ok(HttpResponseCreated(session))
    }

    async fn auth_sign_in(
        rqctx: RequestContext<AppState>,
        body: JsonBody<SignInRequest>,
    ) -> Result<HttpResponseOk<AuthSession>, HttpError> {
        let accounts = &rqctx.context().accounts;
        let client = accounts.throttle.client_address(rqctx.request.remote_addr(), rqctx.request.headers());
        Ok(HttpResponseOk(accounts.sign_in(body.into_inner(), client).await?))
    }

    async fn auth_refresh(
        rqctx: RequestContext<AppState>,
        body: JsonBody<RefreshRequest>,
    ) -> Result<HttpResponseOk<AuthSession>, HttpError> {
        let request = body.into_inner();
        Ok(HttpResponseOk(rqctx.context().accounts.refresh(&request.refresh_token).await?))
    }

    async fn auth_sign_out(
        rqctx: RequestContext<AppState>,
        body: JsonBody<SignOutRequest>,
    ) -> Result<HttpResponseUpdatedNoContent, HttpError> {
        rqctx.context().accounts.sign_out(&body.into_inner().refresh_token).await?;
        Ok(HttpResponseUpdatedNoContent())
    }

    async fn auth_session(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
    ) -> Result<HttpResponseOk<CurrentSession>, HttpError> {
        let accounts = &rqctx.context().accounts;
        let bearer = accounts.verify(token.as_str()).await?;
        Ok(HttpResponseOk(CurrentSession { user: accounts.user(&bearer.user_id).await? }))
    }

    async fn task_list(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<UserPath>,
        query: Query<PaginationParams<TaskScanParams, TaskPageSelector>>,
    ) -> Result<HttpResponseOk<ResultsPage<Task>>, HttpError> {
        let state = rqctx.context();
        let user_id = &state.authorize(&token, &path.into_inner().user_id).await?;
        let query = query.into_inner();
        let limit = rqctx.page_limit(&query)?.get().min(MAX_PAGE_ITEMS);
        let page = match &query.page {
            WhichPage::First(scan) => {
                let filter = TaskFilter::from_scan(scan).map_err(Error::from)?;
                state.tasks.list(user_id, &filter, scan.sort, scan.order, None, limit).await?
            }
            WhichPage::Next(selector) => {
                let after = &selector.after;
                state
                    .tasks
                    .list(user_id, &selector.filter, after.sort(), selector.order, Some(after), limit)
                    .await?
            }
        };
        let next = page.next;
        let mut results = ResultsPage::new(page.items, &(), |_, _| next.clone())?;
        if next.is_none() {
            // Dropshot offers a token whenever a page has items; ours only
            // when there is more to read.
            results.next_page = None;
        }
        Ok(HttpResponseOk(results))
    }

    async fn task_create(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<UserPath>,
        conditions: Header<CreateConditions>,
        body: JsonBody<TaskCreate>,
    ) -> Result<HttpResponseHeaders<HttpResponseCreated<Task>, TaskETag>, HttpError> {
        let state = rqctx.context();
        let user_id = &state.authorize(&token, &path.into_inner().user_id).await?;
        let request = body.into_inner();
        let answer = match conditions.into_inner().idempotency_key {
            None => {
                idempotency::Answer { value: state.tasks.create(user_id, request).await?, replayed: false }
            }
            Some(key) => {
                let store = &state.tasks.store;
                idempotency::once(store, user_id, &key, "task_create", &request, 201, || {
                    state.tasks.create(user_id, request.clone())
                })
                .await?
            }
        };
        let etag = etag_of(&answer.value);
        let mut response = HttpResponseHeaders::new(HttpResponseCreated(answer.value), etag);
        if answer.replayed {
            response.headers_mut().insert("idempotent-replayed", http::HeaderValue::from_static("true"));
        }
        Ok(response)
    }

    async fn task_view(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<TaskPath>,
        // `If-None-Match` is answered by the connection layer, which turns
        // this 200 into a 304 when the ETag matches (see `connections`).
        _conditions: Header<ReadConditions>,
    ) -> Result<HttpResponseHeaders<HttpResponseOk<Task>, TaskETag>, HttpError> {
        let state = rqctx.context();
        let path = path.into_inner();
        let user_id = &state.authorize(&token, &path.user_id).await?;
        Ok(with_etag(state.tasks.view(user_id, path.task_id).await?))
    }

    async fn task_update(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<TaskPath>,
        conditions: Header<WriteConditions>,
        body: JsonBody<TaskUpdate>,
    ) -> Result<HttpResponseHeaders<HttpResponseOk<Task>, TaskETag>, HttpError> {
        let state = rqctx.context();
        let path = path.into_inner();
        let user_id = &state.authorize(&token, &path.user_id).await?;
        let expected = expected(conditions);
        Ok(with_etag(state.tasks.update(user_id, path.task_id, expected.as_ref(), body.into_inner()).await?))
    }

    async fn task_delete(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<TaskPath>,
        conditions: Header<WriteConditions>,
    ) -> Result<HttpResponseDeleted, HttpError> {
        let state = rqctx.context();
        let path = path.into_inner();
        let user_id = &state.authorize(&token, &path.user_id).await?;
        state.tasks.delete(user_id, path.task_id, expected(conditions).as_ref()).await?;
        Ok(HttpResponseDeleted())
    }

    async fn task_complete(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<TaskPath>,
        conditions: Header<WriteConditions>,
        body: JsonBody<TaskCompletion>,
    ) -> Result<HttpResponseHeaders<HttpResponseOk<Task>, TaskETag>, HttpError> {
        let state = rqctx.context();
        let path = path.into_inner();
        let user_id = &state.authorize(&token, &path.user_id).await?;
        let expected = expected(conditions);
        Ok(with_etag(
            state.tasks.complete(user_id, path.task_id, expected.as_ref(), body.into_inner()).await?,
        ))
    }

    async fn task_batch(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<UserPath>,
        conditions: Header<CreateConditions>,
        body: JsonBody<TaskBatch>,
    ) -> Result<HttpResponseHeaders<HttpResponseOk<TaskBatchResult>>, HttpError> {
        let state = rqctx.context();
        let user_id = &state.authorize(&token, &path.into_inner().user_id).await?;
        let request = body.into_inner();
        let answer = match conditions.into_inner().idempotency_key {
            None => idempotency::Answer {
                value: batch::apply(&state.tasks, user_id, request).await?,
                replayed: false,
            },
            Some(key) => {
                let store = &state.tasks.store;
                idempotency::once(store, user_id, &key, "task_batch", &request, 200, || {
                    batch::apply(&state.tasks, user_id, request.clone())
                })
                .await?
            }
        };
        let mut response = HttpResponseHeaders::new_unnamed(HttpResponseOk(answer.value));
        if answer.replayed {
            response.headers_mut().insert("idempotent-replayed", http::HeaderValue::from_static("true"));
        }
        Ok(response)
    }

    async fn task_changes(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<UserPath>,
        query: Query<ChangesQuery>,
    ) -> Result<HttpResponseOk<TaskChanges>, HttpError> {
        let state = rqctx.context();
        let user_id = &state.authorize(&token, &path.into_inner().user_id).await?;
        let query = query.into_inner();
        let limit = query.limit.map_or(charter_domain::task::CHANGES_MAX_PAGE, |l| l.get());
        Ok(HttpResponseOk(changes::since(&state.tasks.store, user_id, query.cursor.as_deref(), limit).await?))
    }

    async fn task_events(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<UserPath>,
        conditions: Header<EventConditions>,
    ) -> Result<http::Response<Body>, HttpError> {
        let state = rqctx.context();
        let (user_id, expires_at) = state.authorize_until(&token, &path.into_inner().user_id).await?;
        let last_event_id = conditions.into_inner().last_event_id;
        Ok(events::stream(&state.tasks.store, &user_id, last_event_id.as_deref(), expires_at).await?)
    }

    async fn task_summary(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<UserPath>,
        query: Query<SummaryQuery>,
    ) -> Result<HttpResponseOk<TaskSummary>, HttpError> {
        let state = rqctx.context();
        let user_id = &state.authorize(&token, &path.into_inner().user_id).await?;
        Ok(HttpResponseOk(state.tasks.summary(user_id, query.into_inner().tz.as_deref()).await?))
    }

    async fn tag_list(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<UserPath>,
    ) -> Result<HttpResponseOk<TagList>, HttpError> {
        let state = rqctx.context();
        let user_id = &state.authorize(&token, &path.into_inner().user_id).await?;
        Ok(HttpResponseOk(TagList { items: state.tasks.tags(user_id).await? }))
    }

    async fn tag_rename(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<TagPath>,
        body: JsonBody<TagRename>,
    ) -> Result<HttpResponseOk<Tag>, HttpError> {
        let state = rqctx.context();
        let path = path.into_inner();
        let user_id = &state.authorize(&token, &path.user_id).await?;
        Ok(HttpResponseOk(state.tasks.rename_tag(user_id, &path.tag, &body.into_inner().name).await?))
    }

    async fn tag_delete(
        rqctx: RequestContext<AppState>,
        token: BearerToken,
        path: Path<TagPath>,
    ) -> Result<HttpResponseDeleted, HttpError> {
        let state = rqctx.context();
        let path = path.into_inner();
        let user_id = &state.authorize(&token, &path.user_id).await?;
        state.tasks.delete_tag(user_id, &path.tag).await?;
        Ok(HttpResponseDeleted())
    }

    async fn health(rqctx: RequestContext<AppState>) -> Result<HttpResponseOk<Health>, HttpError> {
        if let Err(e) = rqctx.context().tasks.store.ping().await {
            // Any failure here means "not ready", whatever its kind.
            let mut error = HttpError::for_unavail(
                Some("DatabaseUnavailable".into()),
                "the database is not reachable".into(),
            );
            error.internal_message = Error::Store(e).chain();
            return Err(error);
        }
        Ok(HttpResponseOk(Health { status: "ok".into() }))
    }

    async fn openapi_document(
        rqctx: RequestContext<AppState>,
    ) -> Result<HttpResponseOk<serde_json::Value>, HttpError> {
        Ok(HttpResponseOk(rqctx.context().openapi.clone()))
    }

    async fn page_home(rqctx: RequestContext<AppState>) -> Result<http::Response<Body>, HttpError> {
        web::index(&rqctx).await
    }

    async fn page_sign_in(rqctx: RequestContext<AppState>) -> Result<http::Response<Body>, HttpError> {
        web::index(&rqctx).await
    }

    async fn page_sign_up(rqctx: RequestContext<AppState>) -> Result<http::Response<Body>, HttpError> {
        web::index(&rqctx).await
    }

    async fn page_tasks(rqctx: RequestContext<AppState>) -> Result<http::Response<Body>, HttpError> {
        web::index(&rqctx).await
    }

    async fn web_asset(
        rqctx: RequestContext<AppState>,
        path: Path<AssetPath>,
    ) -> Result<http::Response<Body>, HttpError> {
        web::asset(&rqctx, path.into_inner()).await
    }
}

fn etag_of(task: &Task) -> TaskETag {
    TaskETag { etag: task_etag(task.version) }
}

fn with_etag(task: Task) -> HttpResponseHeaders<HttpResponseOk<Task>, TaskETag> {
    let etag = etag_of(&task);
    HttpResponseHeaders::new(HttpResponseOk(task), etag)
}

/// The entity tags an `If-Match` names, when there is one.
fn expected(conditions: Header<WriteConditions>) -> Option<EntityTags> {
    conditions.into_inner().if_match.as_deref().map(EntityTags::parse)
}

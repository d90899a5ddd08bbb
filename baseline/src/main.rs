//! `charter-baseline`: the fastest server Charter's own stack makes, for
//! `cargo xtask bench api` to measure Charter against in the same run.
//!
//! Dropshot as Charter uses it (the same vendored build, allocator and wire
//! types), with no database, no authentication and no connection layer of
//! Charter's: `GET /tasks` answers the page of tasks read at start from
//! the file given as its only argument (the very page Charter answered),
//! serialised on every request as Charter does, and `GET /ping` a
//! one-field object. It prints `listening on http://ADDRESS` when ready.

use std::sync::Arc;

use charter_api::types::Task;
use dropshot::{
    ApiDescription, ConfigDropshot, ConfigLogging, ConfigLoggingLevel, HttpError, HttpResponseOk,
    RequestContext, ResultsPage, ServerBuilder, endpoint,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The same allocator as `charter-server`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The page Charter answered, as its wire type.
#[derive(Deserialize)]
struct Page {
    items: Vec<Task>,
}

#[derive(Serialize, JsonSchema)]
struct Pong {
    ok: bool,
}

#[endpoint { method = GET, path = "/tasks" }]
async fn tasks(
    rqctx: RequestContext<Arc<Vec<Task>>>,
) -> Result<HttpResponseOk<ResultsPage<Task>>, HttpError> {
    Ok(HttpResponseOk(ResultsPage { items: rqctx.context().as_ref().clone(), next_page: None }))
}

#[endpoint { method = GET, path = "/ping" }]
async fn ping(_rqctx: RequestContext<Arc<Vec<Task>>>) -> Result<HttpResponseOk<Pong>, HttpError> {
    Ok(HttpResponseOk(Pong { ok: true }))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (Some(bind), Some(page)) = (args.next(), args.next()) else {
        return Err("usage: charter-baseline ADDRESS PAGE.json".into());
    };
    let bind = bind.parse().map_err(|e| format!("{bind}: {e}"))?;
    let page = std::fs::read(&page).map_err(|e| format!("{page}: {e}"))?;
    let page: Page = serde_json::from_slice(&page).map_err(|e| format!("the page: {e}"))?;

    let mut api = ApiDescription::new();
    api.register(tasks).map_err(|e| e.to_string())?;
    api.register(ping).map_err(|e| e.to_string())?;
    let log = ConfigLogging::StderrTerminal { level: ConfigLoggingLevel::Warn }
        .to_logger("charter-baseline")
        .map_err(|e| e.to_string())?;
    let config = ConfigDropshot { bind_address: bind, ..Default::default() };
    let server = ServerBuilder::new(api, Arc::new(page.items), log.clone())
        .config(config)
        .start()
        .map_err(|e| e.to_string())?;
    eprintln!("listening on http://{}", server.local_addr());
    server.await
}

//! `charter mcp`: the [`tools`](crate::tools) served with rmcp, the
//! official MCP SDK.
//!
//! Over stdio (an agent starting `charter mcp` itself) every call runs as
//! the signed-in user, as the other commands do. Over Streamable HTTP
//! (`--http ADDRESS`, on `/mcp`) nobody is signed in: each request must
//! carry its caller's bearer token, which is passed through to the API,
//! so the API's own checks decide what the caller reaches. rmcp's
//! DNS-rebinding guard refuses (403) a `Host` other than the allowed ones.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use api_client::Client;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};

use crate::failure::Failure;
use crate::session::{self, Session};
use crate::tools::{self, CallError};

/// Whom a call runs as.
#[derive(Clone)]
enum Caller {
    /// The signed-in user (stdio).
    Session(Arc<Session>),
    /// The bearer of each HTTP request, at this API, over one HTTP client
    /// shared by every call (made once: it holds the TLS configuration and
    /// the connection pool).
    Bearer { url: Arc<str>, http: reqwest::Client },
}

#[derive(Clone)]
struct CharterTools {
    tools: Arc<Vec<Tool>>,
    caller: Caller,
}

impl CharterTools {
    fn new(caller: Caller) -> Result<CharterTools, Failure> {
        let tools = tools::schemas()
            .map_err(Failure::refused)?
            .into_iter()
            .map(|(spec, schema)| Tool::new(spec.name, spec.description, schema))
            .collect();
        Ok(CharterTools { tools: Arc::new(tools), caller })
    }

    fn session(&self, context: &RequestContext<RoleServer>) -> Result<Arc<Session>, String> {
        match &self.caller {
            Caller::Session(session) => Ok(session.clone()),
            Caller::Bearer { url, http } => {
                let token = context
                    .extensions
                    .get::<http::request::Parts>()
                    .and_then(|parts| bearer(&parts.headers))
                    .ok_or("the request carries no bearer token")?;
                let client = |auth| Client::new_with_client(url, http.clone(), auth);
                session::bearer_session(&token, client).map(Arc::new).map_err(|f| f.message)
            }
        }
    }
}

impl ServerHandler for CharterTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("charter", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Charter's tasks for the signed-in user: add, list, read, update, complete and delete tasks, \
                 count them, and manage their tags.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.as_ref().clone()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|tool| tool.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let failed = |message: String| Ok(CallToolResult::error(vec![ContentBlock::text(message)]).into());
        let session = match self.session(&context) {
            Ok(session) => session,
            Err(message) => return failed(message),
        };
        match tools::call(&session, &request.name, request.arguments.unwrap_or_default()).await {
            Ok(outcome) => {
                let mut result = CallToolResult::success(vec![ContentBlock::text(outcome.text)]);
                result.structured_content = Some(outcome.structured);
                Ok(result.into())
            }
            Err(CallError::Failed(message)) => failed(message),
            Err(CallError::UnknownTool) => {
                Err(ErrorData::invalid_params(format!("no tool {}", request.name), None))
            }
        }
    }
}

/// Serves the signed-in user's tools on standard input and output.
pub async fn serve_stdio() -> Result<(), Failure> {
    let tools = CharterTools::new(Caller::Session(Arc::new(session::open()?)))?;
    let running = tools
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| Failure::refused(format!("the MCP session did not start: {e}")))?;
    running.waiting().await.map_err(|e| Failure::refused(format!("the MCP session failed: {e}")))?;
    Ok(())
}

/// Serves the tools over Streamable HTTP at `address`, on `/mcp`, to
/// callers with a bearer token, answering only `allowed_hosts` (rmcp's
/// loopback names when empty).
pub async fn serve_http(address: SocketAddr, allowed_hosts: Vec<String>) -> Result<(), Failure> {
    // The timeouts api-client's own clients have.
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| Failure::refused(format!("cannot make an HTTP client: {e}")))?;
    let tools = CharterTools::new(Caller::Bearer { url: session::server_url()?.into(), http })?;
    let mut config = StreamableHttpServerConfig::default();
    if !allowed_hosts.is_empty() {
        config = config.with_allowed_hosts(allowed_hosts);
    }
    let service = StreamableHttpService::new(
        move || Ok(tools.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| Failure::unreachable(format!("cannot listen on {address}: {e}")))?;
    let local = listener.local_addr().map_err(|e| Failure::unreachable(e.to_string()))?;
    eprintln!("charter mcp: serving MCP on http://{local}/mcp");
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    eprintln!("charter mcp: accept failed: {error}");
                    continue;
                }
            },
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let service = service.clone();
        tokio::spawn(async move {
            let route = hyper::service::service_fn(move |request| route(service.clone(), request));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), route)
                .await;
        });
    }
}

type McpService = StreamableHttpService<CharterTools, LocalSessionManager>;
type Answer = http::Response<http_body_util::combinators::BoxBody<Bytes, Infallible>>;

/// `/mcp` with a bearer token goes to rmcp; anything else is answered here.
async fn route(mut service: McpService, request: http::Request<Incoming>) -> Result<Answer, Infallible> {
    if request.uri().path() != "/mcp" {
        return Ok(plain(http::StatusCode::NOT_FOUND, "not found: MCP is served on /mcp"));
    }
    if bearer(request.headers()).is_none() {
        let mut answer = plain(
            http::StatusCode::UNAUTHORIZED,
            "a bearer token is required: Authorization: Bearer <token>",
        );
        answer.headers_mut().insert(http::header::WWW_AUTHENTICATE, http::HeaderValue::from_static("Bearer"));
        return Ok(answer);
    }
    tower_service::Service::call(&mut service, request).await
}

fn plain(status: http::StatusCode, text: &'static str) -> Answer {
    let mut answer = http::Response::new(Full::new(Bytes::from_static(text.as_bytes())).boxed());
    *answer.status_mut() = status;
    answer
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain; charset=utf-8"));
    answer
}

fn bearer(headers: &http::HeaderMap) -> Option<String> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim().to_owned())
}

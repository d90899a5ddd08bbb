//! Accepting and serving connections: Charter's own loop in place of
//! Dropshot's (which the patch in `vendor/dropshot/PATCH.md` lets it
//! replace), so that a client cannot hold the server's resources without
//! sending requests.
//!
//! - **HTTP/1.1 only.** hyper's HTTP/1 server, not the HTTP/1 + HTTP/2
//!   `auto` builder: cleartext HTTP/2 (h2c) widens the attack surface for
//!   no user, and the `auto` builder waits for a connection's first bytes
//!   with no timeout at all.
//! - **A request-head timeout** that runs from the moment a connection
//!   opens, and again after every response: a silent socket, a trickled
//!   head and an idle keep-alive connection are all closed after it.
//! - **A cap on connections.** At the cap, a new connection makes room by
//!   closing the one that has waited longest with no request in progress;
//!   when every connection is busy the newcomer is refused with 503. When
//!   the process runs out of file descriptors, accepting backs off and an
//!   idle connection is closed, so the server never stops accepting.
//! - **One `Host`.** An HTTP/1.1 request without one, or any request with
//!   two, is answered 400 before Dropshot routes it (RFC 9112 §3.2).

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use charter_domain::conditions::EntityTags;
use dropshot::{Body, ServerConnectionHandler, ServerContext, ServerRequestHandler};
use http::{HeaderValue, Request, Response, StatusCode, Version, header};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::service::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use slog::{Logger, debug, warn};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinSet;

/// How many connections the server holds and how long they may stay silent.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// A connection that has not sent a complete request head this long
    /// after it opened, or after its last response, is closed.
    pub header_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
}

/// File descriptors kept back from connections for everything else the
/// process opens: the listener, the runtime, logs, files it serves.
const RESERVED_DESCRIPTORS: u64 = 64;
/// Descriptors one database connection may hold (SQLite: the database,
/// its WAL and its shared-memory index; PostgreSQL: one socket).
const DESCRIPTORS_PER_DATABASE_CONNECTION: u64 = 3;
/// The cap when the descriptor limit is too generous to bound anything
/// useful.
const DEFAULT_MAX_CONNECTIONS: u64 = 4096;

/// The connection cap to use when none is configured: what the process's
/// file-descriptor limit leaves after the descriptors already open (a
/// parent may pass some down), the database and a reserve. The soft limit
/// is first raised to the hard one, as Go's runtime does, since the soft
/// default (often 1024) is a relic of `select(2)`.
pub fn default_max_connections(db_max_connections: u32) -> usize {
    let limit = raise_descriptor_limit().unwrap_or(1024);
    let reserved = RESERVED_DESCRIPTORS
        + DESCRIPTORS_PER_DATABASE_CONNECTION * u64::from(db_max_connections)
        + open_descriptors();
    let cap = limit.saturating_sub(reserved).clamp(16, DEFAULT_MAX_CONNECTIONS);
    usize::try_from(cap).unwrap_or(usize::MAX)
}

/// How many file descriptors the process has open now (Linux: the
/// entries of `/proc/self/fd`; elsewhere none are counted).
fn open_descriptors() -> u64 {
    std::fs::read_dir("/proc/self/fd").map_or(0, |entries| entries.count() as u64)
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; answers the soft
/// limit in force afterwards.
fn raise_descriptor_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let raised = rustix::process::Rlimit { current: limit.maximum, maximum: limit.maximum };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            limit = raised;
        }
    }
    // `None` means unlimited, which the cap's upper bound then decides.
    Some(limit.current.unwrap_or(u64::MAX))
}

/// Serves `listener` until `close` fires, then stops accepting, lets every
/// connection finish its request in flight, and returns.
pub async fn serve<C: ServerContext>(
    listener: TcpListener,
    handlers: ServerConnectionHandler<C>,
    mut close: oneshot::Receiver<()>,
    limits: ConnectionLimits,
    log: Logger,
) {
    let registry = Arc::new(Registry::new(limits.header_timeout));
    let (shutdown, shutdown_seen) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut descriptor_warning = RateLimitedWarning::new(Duration::from_secs(60));
    loop {
        // A newcomer at the cap makes room by evicting the longest idle
        // connection; the next is accepted only once an evicted one has
        // given its descriptor back (eviction only asks its task to close
        // it), so a burst cannot overshoot the cap by more than one.
        let making_room = registry.occupied() > limits.max_connections && registry.closing() > 0;
        tokio::select! {
            () = registry.closed.notified(), if making_room => {}
            accepted = listener.accept(), if !making_room => match accepted {
                Ok((socket, peer)) => {
                    if registry.occupied() >= limits.max_connections && !registry.evict_longest_idle() {
                        // Every connection is busy.
                        refuse_busy(&socket);
                        continue;
                    }
                    let connection = registry.open();
                    tasks.spawn(serve_connection(
                        socket,
                        handlers.make_http_request_handler(peer),
                        connection,
                        Arc::clone(&registry),
                        shutdown_seen.clone(),
                        limits.header_timeout,
                    ));
                }
                Err(e) if is_per_connection_error(&e) => {}
                Err(e) => {
                    // Out of descriptors (EMFILE, ENFILE) or memory: make
                    // room, and back off rather than spin on the error.
                    registry.evict_longest_idle();
                    if descriptor_warning.due() {
                        warn!(log, "cannot accept connections: {e}; closing idle ones";
                              "open" => registry.occupied(), "max_connections" => limits.max_connections);
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = tasks.join_next() => {}
            _ = &mut close => break,
        }
    }
    drop(listener);
    debug!(log, "closing connections"; "open" => registry.occupied());
    let _ = shutdown.send(true);
    while tasks.join_next().await.is_some() {}
}

/// Errors of one would-be connection, which say nothing about the listener.
fn is_per_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}

/// A last answer to a connection there is no room for. Best effort: the
/// socket is new, so its send buffer is empty and a short write fits.
fn refuse_busy(socket: &TcpStream) {
    const BODY: &str = r#"{"request_id":"","error_code":"ServiceUnavailable","message":"the server has no room for another connection; try again shortly"}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = socket.try_write(answer.as_bytes());
}

async fn serve_connection<C: ServerContext>(
    socket: TcpStream,
    handler: ServerRequestHandler<C>,
    connection: Arc<Connection>,
    registry: Arc<Registry>,
    mut shutdown: watch::Receiver<bool>,
    header_timeout: Duration,
) {
    // Responses are written whole; waiting to coalesce them only adds latency.
    let _ = socket.set_nodelay(true);
    let service = CharterService { handler: Arc::new(handler), connection: Arc::clone(&connection) };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).keep_alive(true);
    let served = builder.serve_connection(TokioIo::new(socket), service);
    tokio::pin!(served);
    let mut shutting_down = false;
    loop {
        tokio::select! {
            _ = served.as_mut() => break,
            // Dropping the connection closes the socket.
            () = connection.evict.notified() => break,
            _ = shutdown.changed(), if !shutting_down => {
                shutting_down = true;
                served.as_mut().graceful_shutdown();
            }
        }
    }
    registry.close(connection.id);
}

/// The connections open now, and which of them are between requests.
struct Registry {
    stalled_after_ms: u64,
    started: Instant,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Connection>>>,
    /// Connections evicted whose tasks have not closed them yet: their
    /// descriptors are still in use.
    closing: AtomicUsize,
    /// Signalled whenever a connection's task ends.
    closed: Notify,
}

struct Connection {
    id: u64,
    /// The registry's start, which `idle_since` counts from.
    clock: Instant,
    /// Requests whose response has not been sent in full yet.
    in_flight: AtomicUsize,
    /// Milliseconds after the registry started at which the connection
    /// last became idle (opened, or finished a response).
    idle_since: AtomicU64,
    /// Milliseconds after the registry started at which its request in
    /// progress began.
    busy_since: AtomicU64,
    evict: Notify,
}

impl Registry {
    /// A request in progress for longer than `stalled_after` no longer
    /// keeps its connection from being evicted.
    fn new(stalled_after: Duration) -> Self {
        Registry {
            stalled_after_ms: u64::try_from(stalled_after.as_millis()).unwrap_or(u64::MAX),
            started: Instant::now(),
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
            closing: AtomicUsize::new(0),
            closed: Notify::new(),
        }
    }

    /// Connections holding a descriptor: open, or evicted and not yet
    /// closed.
    fn occupied(&self) -> usize {
        self.lock().len() + self.closing()
    }

    fn closing(&self) -> usize {
        self.closing.load(Ordering::Acquire)
    }

    fn open(&self) -> Arc<Connection> {
        let connection = Arc::new(Connection {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            clock: self.started,
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(millis_since(self.started)),
            busy_since: AtomicU64::new(0),
            evict: Notify::new(),
        });
        self.lock().insert(connection.id, Arc::clone(&connection));
        connection
    }

    /// A connection's task has ended: its descriptor is free.
    fn close(&self, id: u64) {
        if self.lock().remove(&id).is_none() {
            // It had been evicted.
            self.closing.fetch_sub(1, Ordering::AcqRel);
        }
        self.closed.notify_one();
    }

    /// Asks the connection idle the longest to close, if any is idle;
    /// answers whether one was. A connection whose request has been in
    /// progress longer than `stalled_after` (a trickled body: Charter's
    /// requests take milliseconds) counts as idle since its request began.
    /// It counts as closing until its task ends.
    fn evict_longest_idle(&self) -> bool {
        let now = millis_since(self.started);
        let mut open = self.lock();
        let longest = open
            .values()
            .filter_map(|c| {
                if c.in_flight.load(Ordering::Acquire) == 0 {
                    return Some((c.idle_since.load(Ordering::Relaxed), c.id));
                }
                let busy_since = c.busy_since.load(Ordering::Relaxed);
                (now.saturating_sub(busy_since) > self.stalled_after_ms).then_some((busy_since, c.id))
            })
            .min()
            .map(|(_, id)| id);
        match longest.and_then(|id| open.remove(&id)) {
            Some(connection) => {
                self.closing.fetch_add(1, Ordering::AcqRel);
                connection.evict.notify_one();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Connection>>> {
        // A panic while holding the lock leaves the map consistent (every
        // operation is a single insert or remove), so keep using it.
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Marks a connection busy from the moment a request arrives until its
/// response body has been sent (or dropped).
struct InFlight {
    connection: Arc<Connection>,
}

impl InFlight {
    fn start(connection: &Arc<Connection>) -> Self {
        if connection.in_flight.fetch_add(1, Ordering::AcqRel) == 0 {
            connection.busy_since.store(millis_since(connection.clock), Ordering::Relaxed);
        }
        InFlight { connection: Arc::clone(connection) }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.connection.idle_since.store(millis_since(self.connection.clock), Ordering::Relaxed);
        self.connection.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

fn millis_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Dropshot's request handler behind the `Host` check, counting requests
/// in flight.
struct CharterService<C: ServerContext> {
    handler: Arc<ServerRequestHandler<C>>,
    connection: Arc<Connection>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<C: ServerContext> Service<Request<Incoming>> for CharterService<C> {
    type Response = Response<TrackedBody>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let in_flight = InFlight::start(&self.connection);
        if let Some(problem) = host_problem(&request) {
            let response = bad_host(problem).map(|body| TrackedBody { body, _in_flight: in_flight });
            return Box::pin(std::future::ready(Ok(response)));
        }
        let unless = conditional_get(&request);
        let handled = self.handler.call(request);
        Box::pin(async move {
            let mut response = handled.await?;
            if let Some(unless) = unless {
                not_modified(&mut response, &unless);
            }
            Ok(response.map(|body| TrackedBody { body, _in_flight: in_flight }))
        })
    }
}

/// The `If-None-Match` of a GET, if it has one.
fn conditional_get<B>(request: &Request<B>) -> Option<EntityTags> {
    if request.method() != http::Method::GET {
        return None;
    }
    request.headers().get(header::IF_NONE_MATCH)?.to_str().ok().map(EntityTags::parse)
}

/// Turns a 200 whose `ETag` is among `unless` into a 304 without a body
/// (RFC 9110 §13.1.2), keeping the headers a 304 carries. Dropshot's typed
/// responses have one success status, so endpoints answer 200 with their
/// `ETag` and this, the layer every response passes, applies the rule.
fn not_modified(response: &mut Response<Body>, unless: &EntityTags) {
    let matched = response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::ETAG)
            .and_then(|etag| etag.to_str().ok())
            .is_some_and(|etag| unless.match_weak(etag));
    if !matched {
        return;
    }
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    *response.body_mut() = Body::empty();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
}

/// Why a request's `Host` is unacceptable, if it is.
fn host_problem<B>(request: &Request<B>) -> Option<&'static str> {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (None, _) if request.version() >= Version::HTTP_11 => Some("an HTTP/1.1 request needs a Host header"),
        (None, _) => None,
        (Some(_), Some(_)) => Some("a request must have exactly one Host header"),
        (Some(host), None) if !is_valid_host(host) => Some("the Host header is not a valid host[:port]"),
        (Some(_), None) => None,
    }
}

fn is_valid_host(value: &HeaderValue) -> bool {
    value
        .to_str()
        .ok()
        .filter(|text| !text.is_empty() && !text.contains('@'))
        .is_some_and(|text| text.parse::<http::uri::Authority>().is_ok())
}

fn bad_host(message: &str) -> Response<Body> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let body = serde_json::json!({ "request_id": request_id, "error_code": "BadHost", "message": message });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", id);
    }
    response
}

/// A response body that keeps its connection marked busy until it is sent.
struct TrackedBody {
    body: Body,
    _in_flight: InFlight,
}

impl hyper::body::Body for TrackedBody {
    type Data = <Body as hyper::body::Body>::Data;
    type Error = <Body as hyper::body::Body>::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A warning that repeats at most once per period, so that a flood of the
/// same failure cannot fill the log.
struct RateLimitedWarning {
    period: Duration,
    last: Option<Instant>,
}

impl RateLimitedWarning {
    fn new(period: Duration) -> Self {
        RateLimitedWarning { period, last: None }
    }

    fn due(&mut self) -> bool {
        let now = Instant::now();
        let due = self.last.is_none_or(|last| now.duration_since(last) >= self.period);
        if due {
            self.last = Some(now);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(version: Version, hosts: &[&str]) -> Request<()> {
        let mut builder = Request::builder().version(version).uri("/api/health");
        for host in hosts {
            builder = builder.header(header::HOST, *host);
        }
        builder.body(()).expect("request")
    }

    // spec: 001-task-service#FR-044
    #[test]
    fn host_rules() {
        assert_eq!(host_problem(&request(Version::HTTP_11, &["localhost:8000"])), None);
        assert_eq!(host_problem(&request(Version::HTTP_11, &["[::1]:8000"])), None);
        assert_eq!(host_problem(&request(Version::HTTP_10, &[])), None, "HTTP/1.0 needs no Host");
        assert!(host_problem(&request(Version::HTTP_11, &[])).is_some());
        assert!(host_problem(&request(Version::HTTP_11, &["a", "b"])).is_some());
        assert!(host_problem(&request(Version::HTTP_10, &["a", "a"])).is_some());
        assert!(host_problem(&request(Version::HTTP_11, &["user@host"])).is_some());
        assert!(host_problem(&request(Version::HTTP_11, &[""])).is_some());
    }

    #[test]
    fn the_longest_idle_connection_is_evicted_and_busy_ones_are_not() {
        let registry = Registry::new(Duration::from_secs(3600));
        let first = registry.open();
        let second = registry.open();
        first.idle_since.store(5, Ordering::Relaxed);
        second.idle_since.store(1, Ordering::Relaxed);
        let busy = InFlight::start(&second);
        assert!(registry.evict_longest_idle());
        assert_eq!((registry.occupied(), registry.closing()), (2, 1), "the idle one is closing");
        registry.close(first.id);
        assert_eq!((registry.occupied(), registry.closing()), (1, 0), "and then closed");
        assert!(!registry.evict_longest_idle(), "the busy one stays");
        drop(busy);
        assert!(registry.evict_longest_idle());
        registry.close(second.id);
        assert_eq!(registry.occupied(), 0);
    }

    // spec: 001-task-service#FR-043
    #[test]
    fn a_request_stalled_past_the_timeout_does_not_keep_its_connection() {
        let registry = Registry::new(Duration::from_millis(20));
        let slow = registry.open();
        let _stalled = InFlight::start(&slow);
        assert!(!registry.evict_longest_idle(), "a request just begun keeps its connection");
        std::thread::sleep(Duration::from_millis(40));
        assert!(registry.evict_longest_idle(), "one in progress past the timeout does not");
    }
}

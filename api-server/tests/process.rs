//! The server binary as an operator runs it, attacked at the edges: silent
//! and trickling sockets under a small file-descriptor limit, connection
//! caps, HTTP/2 and `Host` tricks, and its SQLite write-ahead log across
//! SIGTERM and kill -9. Each test starts `charter-server` as a process of
//! its own on an ephemeral port and talks to it over real sockets.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use machine::ChildGuard;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A `charter-server` process, killed when dropped.
struct ServerProcess {
    child: ChildGuard,
    address: String,
    /// Everything the server has written to stderr so far.
    log: machine::ChildLog,
}

impl ServerProcess {
    /// Starts the binary on SQLite in `data_dir` with these extra
    /// environment variables, under `ulimit -n` when `descriptors` is set,
    /// and waits until it listens.
    fn start(data_dir: &Path, env: &[(&str, &str)], descriptors: Option<u32>) -> ServerProcess {
        let binary = env!("CARGO_BIN_EXE_charter-server");
        let mut command = match descriptors {
            // A shell sets the limit, then becomes the server.
            Some(n) => {
                let mut shell = Command::new("sh");
                shell.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\"")).arg(binary);
                shell
            }
            None => Command::new(binary),
        };
        command
            .env_clear()
            .envs(coverage_profile())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("CHARTER_BIND", "127.0.0.1:0")
            .env("CHARTER_DATA_DIR", data_dir)
            .env("CHARTER_LOG", "info")
            .env("BETTER_AUTH_SECRET", "process-test-secret-0123456789abcdefghijkl")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = ChildGuard(command.spawn().expect("charter-server starts"));
        let log = machine::ChildLog::follow(&mut child.0, "listening on http://").expect("stderr is piped");
        let Some(address) = log.marked(Duration::from_secs(30)) else {
            panic!("the server did not start listening:\n{}", log.text())
        };
        ServerProcess { child, address, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn log(&self) -> String {
        self.log.text()
    }

    /// Sends SIGTERM and waits for the process to exit; answers its status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid =
            rustix::process::Pid::from_raw(i32::try_from(self.child.0.id()).expect("pid")).expect("pid");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
        wait_for_exit(&mut self.child.0, Duration::from_secs(30))
    }

    /// SIGKILL: the process gets no chance to tidy anything.
    fn kill_hard(mut self) {
        self.child.0.kill().expect("kill -9");
        let _ = self.child.0.wait();
    }
}

/// Where a coverage run (`cargo xtask coverage`) wants the server's
/// profile written: the one variable kept from the test's environment, so
/// that the binary's lines count.
fn coverage_profile() -> Option<(&'static str, std::ffi::OsString)> {
    std::env::var_os("LLVM_PROFILE_FILE").map(|file| ("LLVM_PROFILE_FILE", file))
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not exit within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads what the server sends until it closes the connection, or `limit`
/// passes (then `None`).
async fn read_until_closed(socket: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(limit, socket.read_to_end(&mut received)).await;
    match read {
        Ok(Ok(_)) | Ok(Err(_)) => Some(received),
        Err(_) => None,
    }
}

/// One raw request on a new connection; answers the status line's code and
/// the body.
async fn raw_request(address: &str, request: &str) -> (u16, String) {
    let mut socket = TcpStream::connect(address).await.expect("connect");
    socket.write_all(request.as_bytes()).await.expect("send");
    let answer =
        read_until_closed(&mut socket, Duration::from_secs(10)).await.expect("an answer, then close");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.get(9..12).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

/// `count` connections, each in the middle of a request: the head sent,
/// and the first byte of a body of 100.
async fn requests_with_unfinished_bodies(address: &str, count: usize) -> Vec<TcpStream> {
    let mut sockets = Vec::new();
    for _ in 0..count {
        let mut socket = TcpStream::connect(address).await.expect("connect");
        socket
            .write_all(
                b"POST /api/auth/sign-in HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n\
                  content-length: 100\r\n\r\n{",
            )
            .await
            .expect("send");
        sockets.push(socket);
    }
    sockets
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(3)).build().expect("client")
}

// spec: 001-task-service#FR-043
#[tokio::test]
async fn silent_sockets_cannot_exhaust_a_small_descriptor_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ServerProcess::start(dir.path(), &[], Some(256));
    let mut silent = Vec::new();
    for _ in 0..300 {
        // Connections past the cap wait in the kernel's queue until the
        // server accepts them, evicting older silent ones.
        if let Ok(Ok(socket)) =
            tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(&server.address)).await
        {
            silent.push(socket);
        }
    }
    assert!(silent.len() >= 256, "opened {} silent connections", silent.len());
    let health = client().get(server.url("/api/health")).send().await.expect("health answers within 3 s");
    assert_eq!(health.status(), 200);
    let log = server.log();
    assert!(!log.contains("Too many open files"), "the server ran out of descriptors:\n{log}");
    drop(silent);
}

// spec: 001-task-service#FR-043
#[tokio::test]
async fn connections_that_send_no_head_are_closed_after_the_timeout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ServerProcess::start(dir.path(), &[("CHARTER_HEADER_TIMEOUT", "0.5")], None);

    let opened = Instant::now();
    let mut silent = TcpStream::connect(&server.address).await.expect("connect");
    let closed = read_until_closed(&mut silent, Duration::from_secs(5)).await;
    assert_eq!(closed.as_deref().map(<[u8]>::len), Some(0), "a silent connection is closed, unanswered");
    assert!(opened.elapsed() >= Duration::from_millis(400), "not before the timeout: {:?}", opened.elapsed());

    // A head that never ends is no better than silence.
    let mut trickle = TcpStream::connect(&server.address).await.expect("connect");
    trickle.write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n").await.expect("send");
    let answer = read_until_closed(&mut trickle, Duration::from_secs(5)).await.expect("closed");
    assert!(!answer.starts_with(b"HTTP/1.1 200"), "an unfinished head is not served");

    // After a response, the connection has the same time for its next head.
    let mut keep_alive = TcpStream::connect(&server.address).await.expect("connect");
    keep_alive.write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n").await.expect("send");
    let answer = read_until_closed(&mut keep_alive, Duration::from_secs(5)).await.expect("closed when idle");
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
}

// spec: 001-task-service#FR-043
#[tokio::test]
async fn at_the_cap_the_longest_idle_connection_makes_room_and_busy_ones_refuse() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ServerProcess::start(dir.path(), &[("CHARTER_MAX_CONNECTIONS", "3")], None);
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(&server.address).await.expect("connect"));
        // Accepted in this order, so the first is the longest idle.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let health = client().get(server.url("/api/health")).send().await.expect("served at the cap");
    assert_eq!(health.status(), 200);
    let evicted = read_until_closed(&mut idle[0], Duration::from_secs(5)).await;
    assert_eq!(evicted.as_deref().map(<[u8]>::len), Some(0), "the longest idle connection was closed");
    drop(idle);

    // Three connections each in the middle of a request (a body that has
    // not arrived yet): a fourth has nowhere to go and is told so.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let busy = requests_with_unfinished_bodies(&server.address, 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) =
        raw_request(&server.address, "GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
    assert_eq!(status, 503, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("JSON error");
    assert_eq!(body["error_code"], "ServiceUnavailable");
    drop(busy);
    // Once they are gone, there is room again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let health = client().get(server.url("/api/health")).send().await.expect("served again");
    assert_eq!(health.status(), 200);
}

// spec: 001-task-service#FR-043
#[tokio::test]
async fn trickled_bodies_cannot_hold_every_slot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [("CHARTER_MAX_CONNECTIONS", "3"), ("CHARTER_HEADER_TIMEOUT", "0.5")];
    let server = ServerProcess::start(dir.path(), &env, None);
    // Three requests whose bodies never finish arriving.
    let slow = requests_with_unfinished_bodies(&server.address, 3).await;
    // Past the head timeout they count as stalled: a newcomer evicts one.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let health =
        client().get(server.url("/api/health")).send().await.expect("served despite the slow bodies");
    assert_eq!(health.status(), 200);
    drop(slow);
}

// spec: 001-task-service#FR-044
#[tokio::test]
async fn only_http_1_with_exactly_one_host_is_served() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ServerProcess::start(dir.path(), &[], None);

    let (status, body) = raw_request(&server.address, "GET /api/health HTTP/1.1\r\n\r\n").await;
    assert_eq!(status, 400, "no Host: {body}");
    let error: serde_json::Value = serde_json::from_str(&body).expect("JSON error");
    assert_eq!(error["error_code"], "BadHost");
    assert!(error["request_id"].as_str().is_some_and(|id| !id.is_empty()));
    let (status, _) =
        raw_request(&server.address, "GET /api/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").await;
    assert_eq!(status, 400, "two Host headers");
    let (status, _) = raw_request(&server.address, "GET /api/health HTTP/1.1\r\nHost: x@y\r\n\r\n").await;
    assert_eq!(status, 400, "not a host");
    let (status, _) = raw_request(&server.address, "GET /api/health HTTP/1.0\r\n\r\n").await;
    assert_eq!(status, 200, "HTTP/1.0 needs no Host");
    let (status, _) = raw_request(
        &server.address,
        "GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200);

    // Cleartext HTTP/2 with prior knowledge: never answered as HTTP/2.
    let mut socket = TcpStream::connect(&server.address).await.expect("connect");
    socket
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .expect("send");
    let answer = read_until_closed(&mut socket, Duration::from_secs(5)).await.expect("closed");
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 4") || answer.starts_with(b"HTTP/1.1 5"),
        "h2c was answered: {answer:?}"
    );
}

fn wal_size(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("charter.db-wal")).map(|m| m.len()).unwrap_or(0)
}

/// A user and the tasks written for them.
struct Written {
    token: String,
    user: String,
    ids: Vec<String>,
}

/// Signs up and creates `count` tasks.
async fn write_tasks(address: String, count: usize) -> Written {
    let url = |path: &str| format!("http://{address}{path}");
    let http = client();
    static USERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = USERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let email = format!("wal-{}-{n}-{}@example.com", std::process::id(), nanos());
    let session: serde_json::Value = http
        .post(url("/api/auth/sign-up"))
        .json(&serde_json::json!({ "email": email, "password": "correct horse battery", "name": "Wal" }))
        .send()
        .await
        .expect("sign-up")
        .json()
        .await
        .expect("session");
    let token = session["access_token"].as_str().expect("token").to_owned();
    let user = session["user"]["id"].as_str().expect("id").to_owned();
    let mut ids = Vec::new();
    for i in 0..count {
        let task: serde_json::Value = http
            .post(url(&format!("/api/users/{user}/tasks")))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "title": format!("task {i} {}", "x".repeat(150)), "description": "d".repeat(900) }))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("task");
        ids.push(task["id"].as_str().expect("id").to_owned());
    }
    Written { token, user, ids }
}

/// How many of the written tasks the server can find.
async fn tasks_found(server: &ServerProcess, written: &Written) -> usize {
    let http = client();
    let mut found = 0;
    for id in &written.ids {
        let status = http
            .get(server.url(&format!("/api/users/{}/tasks/{id}", written.user)))
            .bearer_auth(&written.token)
            .send()
            .await
            .expect("view")
            .status();
        found += usize::from(status == 200);
    }
    found
}

fn nanos() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").subsec_nanos()
}

async fn wait_for_empty_wal(dir: &Path, limit: Duration) -> u64 {
    let deadline = Instant::now() + limit;
    loop {
        let size = wal_size(dir);
        if size == 0 || Instant::now() >= deadline {
            return size;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// spec: 001-task-service#FR-051
#[tokio::test]
async fn the_write_ahead_log_shrinks_when_idle_and_after_sigterm_and_kill_9() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data: PathBuf = dir.path().to_path_buf();
    let env = [("CHARTER_WAL_CHECKPOINT_IDLE", "0.2")];

    let server = ServerProcess::start(&data, &env, None);
    // Eight writers at once, as in the review, while the log is watched.
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watching = {
        let (peak, data) = (Arc::clone(&peak), data.clone());
        tokio::spawn(async move {
            loop {
                peak.fetch_max(wal_size(&data), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let mut writers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        writers.spawn(write_tasks(server.address.clone(), 100));
    }
    while let Some(writer) = writers.join_next().await {
        writer.expect("writer");
    }
    watching.abort();
    let after_writes = wal_size(&data);
    let idle = wait_for_empty_wal(&data, Duration::from_secs(10)).await;
    println!(
        "WAL under 8 writers (800 tasks): peak {} bytes, {after_writes} bytes at the end; after 0.2 s idle: {idle} bytes",
        peak.load(std::sync::atomic::Ordering::Relaxed)
    );
    assert_eq!(idle, 0, "the log is truncated once writes stop");

    write_tasks(server.address.clone(), 100).await;
    let status = server.terminate();
    assert!(status.success(), "SIGTERM exits cleanly: {status}");
    let after_sigterm = wal_size(&data);
    println!("WAL after SIGTERM: {after_sigterm} bytes");
    assert_eq!(after_sigterm, 0, "shutdown folds the log into the database");

    // kill -9 in the middle of writing: nothing acknowledged is lost, and
    // the next start folds in what the killed server left.
    let server = ServerProcess::start(&data, &[("CHARTER_WAL_CHECKPOINT_IDLE", "3600")], None);
    let acknowledged = write_tasks(server.address.clone(), 200).await;
    let before_kill = wal_size(&data);
    server.kill_hard();
    let after_kill = wal_size(&data);
    println!("WAL after kill -9: {after_kill} bytes (it was {before_kill} bytes)");
    let server = ServerProcess::start(&data, &env, None);
    let after_restart = wal_size(&data);
    println!("WAL after restarting: {after_restart} bytes");
    assert!(after_restart <= 16 * 1024 * 1024, "bounded by journal_size_limit: {after_restart}");
    let restarted = wait_for_empty_wal(&data, Duration::from_secs(10)).await;
    assert_eq!(restarted, 0);
    assert_eq!(
        tasks_found(&server, &acknowledged).await,
        acknowledged.ids.len(),
        "every acknowledged write survived"
    );
    drop(server);
}

// spec: 001-task-service#FR-034
/// A server that cannot start says why, with every cause, naming what it
/// could not open and never a password.
#[test]
fn start_up_failures_name_their_cause() {
    let cases = [
        (
            vec![("CHARTER_DATA_DIR", "/proc/charter-cannot-be-here")],
            vec!["cannot create the data directory /proc/charter-cannot-be-here"],
        ),
        (
            vec![("DATABASE_URL", "postgres://charter:hunter2@127.0.0.1:1/none")],
            vec!["cannot open the database", "postgres://127.0.0.1:1/none"],
        ),
        (
            vec![("DATABASE_URL", "mysql://localhost/x")],
            vec!["cannot open the database", "unsupported DATABASE_URL scheme"],
        ),
        (
            vec![("BETTER_AUTH_SECRET", "short")],
            vec!["cannot load the signing secret", "shorter than 32 bytes"],
        ),
    ];
    for (env, expected) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let output = Command::new(env!("CARGO_BIN_EXE_charter-server"))
            .env_clear()
            .envs(coverage_profile())
            .env("CHARTER_BIND", "127.0.0.1:0")
            .env("CHARTER_DATA_DIR", dir.path())
            .env("BETTER_AUTH_SECRET", "process-test-secret-0123456789abcdefghijkl")
            .envs(env.iter().copied())
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{env:?} must not start");
        for text in expected {
            assert!(stderr.contains(text), "{env:?}: {text:?} missing from:\n{stderr}");
        }
        assert!(
            !stderr.contains("hunter2") && !stderr.contains("short\""),
            "{env:?}: a secret leaked:\n{stderr}"
        );
    }
}

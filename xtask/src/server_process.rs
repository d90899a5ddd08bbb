//! What the benchmarks and the contract fuzzer share: a build of the
//! server in its own process on a free port, seeded through the generated
//! client, and how a figure is judged against its target.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use machine::ChildGuard;

use crate::{cargo, run_command};

pub(crate) fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

/// Which build of the server to run.
#[derive(Clone, Copy)]
pub(crate) enum Build {
    /// What benchmarks measure.
    Release,
    /// What the tests have already built.
    Debug,
}

/// Builds the server and starts it on a free port, on SQLite in
/// `data_dir`, serving `web_dir` when given, with `env` added to its
/// environment. Answers the process and its base URL.
pub(crate) fn start_server(
    root: &Path,
    build: Build,
    data_dir: &Path,
    web_dir: Option<&Path>,
    env: &[(&str, &str)],
) -> Result<(ChildGuard, String)> {
    let mut cargo_build = cargo();
    cargo_build.args(["build", "--package", "api-server", "--bin", "charter-server"]);
    let profile = match build {
        Build::Release => {
            cargo_build.arg("--release");
            "release"
        }
        Build::Debug => "debug",
    };
    run_command(root, &mut cargo_build)?;
    let binary = crate::web::target_dir(root).join(profile).join("charter-server");
    std::fs::create_dir_all(data_dir)?;
    let port = machine::free_port()?;
    let mut command = Command::new(&binary);
    command
        .args(["--bind", &format!("127.0.0.1:{port}"), "--log", "warn"])
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env("BETTER_AUTH_SECRET", format!("bench-secret-{}-0123456789abcdefghijklmnop", std::process::id()))
        // Load generators drop connections mid-request when they stop; the
        // server's warnings about that would bury the figures.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .envs(env.iter().copied());
    if let Some(web_dir) = web_dir {
        command.arg("--web-dir").arg(web_dir);
    }
    let child = command.spawn().with_context(|| format!("starting {}", binary.display()))?;
    let child = ChildGuard(child);
    if !machine::wait_for_listener(([127, 0, 0, 1], port).into(), Duration::from_secs(30)) {
        bail!("{} did not listen on port {port} within 30 s", binary.display());
    }
    Ok((child, format!("http://127.0.0.1:{port}")))
}

/// Waits for the server, then signs up a user with `tasks` tasks made by
/// `task`, through the generated client. Answers the session.
pub(crate) async fn seed(
    base: &str,
    tasks: usize,
    task: impl Fn(usize) -> api_client::types::TaskCreate,
) -> Result<api_client::types::AuthSession> {
    let client = api_client::Client::with_auth(base);
    let started = Instant::now();
    while client.health().send().await.is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the server did not answer /api/health within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Each seeded user is new, so one server can hold several.
    static USERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = USERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let session = client
        .auth_sign_up()
        .body(api_client::types::SignUpRequest {
            email: format!("bench-{n}@example.com"),
            password: "benchmark password".into(),
            name: "Bench".into(),
        })
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("sign-up failed: {e}"))?
        .into_inner();
    client.auth().set_session(&session);
    // A few requests in flight at once: ten thousand tasks one after the
    // other would take most of a minute on PostgreSQL.
    const IN_FLIGHT: usize = 8;
    let mut running = tokio::task::JoinSet::new();
    for i in 0..tasks {
        if running.len() >= IN_FLIGHT
            && let Some(done) = running.join_next().await
        {
            done??;
        }
        let (client, user_id, body) = (client.clone(), session.user.id.clone(), task(i));
        running.spawn(async move {
            client
                .task_create()
                .user_id(user_id)
                .body(body)
                .send()
                .await
                .map(drop)
                .map_err(|e| anyhow::anyhow!("creating a task failed: {e}"))
        });
    }
    while let Some(done) = running.join_next().await {
        done??;
    }
    Ok(session)
}

/// A task of a realistic mix: words people search for, tags, priorities
/// and due dates around today.
pub(crate) fn organised_task(i: usize) -> api_client::types::TaskCreate {
    const WORDS: [&str; 16] = [
        "report",
        "invoice",
        "garden",
        "plants",
        "dentist",
        "birthday",
        "review",
        "budget",
        "café",
        "groceries",
        "meeting",
        "résumé",
        "taxes",
        "paint",
        "car",
        "email",
    ];
    const TAGS: [&str; 6] = ["work", "home", "errands", "health", "money", "family"];
    let word = |k: usize| WORDS[(i * 7 + k * 13) % WORDS.len()];
    let today = chrono::Utc::now().date_naive();
    let offset = (i % 61) as i64 - 30;
    api_client::types::TaskCreate {
        description: i.is_multiple_of(3).then(|| format!("About the {} and the {}.", word(3), word(4))),
        due_date: (!i.is_multiple_of(4)).then(|| today + chrono::Duration::days(offset)),
        priority: ["none", "low", "medium", "high"][i % 4].parse().ok(),
        tags: Some((0..i % 3).map(|k| TAGS[(i + k) % TAGS.len()].to_owned()).collect()),
        ..new_task(format!("{} the {} {} {i}", word(0), word(1), word(2)))
    }
}

/// A task with a title and nothing else; callers set the rest with `..`.
pub(crate) fn new_task(title: impl Into<String>) -> api_client::types::TaskCreate {
    api_client::types::TaskCreate::titled(title)
}

//! `cargo xtask bench web`: the web app's two budgets, printed, never
//! asserted.
//!
//! - Size: the wasm, JavaScript and CSS a browser downloads, compressed
//!   (brotli, as served; gzip shown too), against 300 KB.
//! - Speed: from navigation to the list of 100 tasks rendered and
//!   interactive, in headless Chromium, against 500 ms; and the same for a
//!   user with 10,000 tasks (the first page and the server's counts). The app sets the
//!   performance mark `charter:tasks-rendered` when its first list is on
//!   screen with its handlers attached; its `startTime` is milliseconds
//!   since navigation start. The first visit (empty cache) and the median of
//!   later visits are reported.
//!
//! The server is the release build, in its own process, on SQLite; the
//! browser is driven over WebDriver (chromedriver) with plain HTTP.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use machine::ChildGuard;

use crate::server_process::{Build, new_task, seed, start_server, verdict};

const SIZE_BUDGET_KB: f64 = 300.0;
const TIME_BUDGET_MS: f64 = 500.0;
const TASKS: usize = 100;
/// A long list: the dashboard shows its first page and the counts, which
/// the server makes (005-organise-and-plan SC-002).
const BIG: usize = 10_000;
const WARM_VISITS: usize = 7;

pub fn run(root: &Path) -> Result<()> {
    let bundle = crate::web::build(root, &crate::web::WebArgs::default())?;
    crate::web::print_sizes(&bundle);
    let shipped = |name: &str| [".wasm", ".js", ".css"].iter().any(|ext| name.ends_with(ext));
    let (gz, br) = bundle
        .assets
        .iter()
        .filter(|(name, ..)| shipped(name))
        .fold((0, 0), |(gz, br), (_, _, g, b)| (gz + g, br + b));
    let (gz_kb, br_kb) = (gz as f64 / 1024.0, br as f64 / 1024.0);

    let (chromium, chromedriver) =
        match (machine::find_program(&["chromium"]), machine::find_program(&["chromedriver"])) {
            (Some(c), Some(d)) => (c, d),
            _ => bail!("chromium and chromedriver are needed: `apt-get install -y chromium chromium-driver`"),
        };
    let scratch = crate::web::target_dir(root).join("bench-web");
    let _ = std::fs::remove_dir_all(&scratch);
    let (_server, base) = start_server(root, Build::Release, &scratch.join("data"), Some(&bundle.dist), &[])?;
    let driver_port = machine::free_port()?;
    let _driver = ChildGuard(
        Command::new(&chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver")?,
    );

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let ((cold, warm), (big_cold, big_warm)) = runtime.block_on(async {
        let session = seed(&base, TASKS, bench_task).await?;
        eprintln!("seeding {BIG} tasks for a second user…");
        let big = seed(&base, BIG, crate::server_process::organised_task).await?;
        let driver =
            WebDriver::start(&format!("http://127.0.0.1:{driver_port}"), &chromium, &scratch).await?;
        let result = async {
            Ok::<_, anyhow::Error>((
                measure(&driver, &base, &session).await?,
                measure(&driver, &base, &big).await?,
            ))
        }
        .await;
        driver.end().await;
        result
    })?;

    println!("web app budgets (headless Chromium, release server on SQLite):");
    println!(
        "  shipped wasm + js + css   {br_kb:>7.1} KB brotli ({gz_kb:.1} KB gzip)   budget ≤ {SIZE_BUDGET_KB:.0} KB   {}",
        verdict(br_kb <= SIZE_BUDGET_KB && gz_kb <= SIZE_BUDGET_KB)
    );
    println!(
        "  navigation → {TASKS} tasks shown, first visit   {cold:>7.0} ms   budget ≤ {TIME_BUDGET_MS:.0} ms   {}",
        verdict(cold <= TIME_BUDGET_MS)
    );
    println!(
        "  navigation → {TASKS} tasks shown, repeat visit  {warm:>7.0} ms   (median of {WARM_VISITS})   {}",
        verdict(warm <= TIME_BUDGET_MS)
    );
    println!(
        "  navigation → dashboard of {BIG} tasks           {big_warm:>7.0} ms   (median of {WARM_VISITS}; first {big_cold:.0} ms)   budget ≤ {TIME_BUDGET_MS:.0} ms   {}",
        verdict(big_warm <= TIME_BUDGET_MS)
    );
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// The task the benchmark's user has at `i`: dated, some described.
fn bench_task(i: usize) -> api_client::types::TaskCreate {
    api_client::types::TaskCreate {
        description: i.is_multiple_of(3).then(|| "Some details about this task".to_string()),
        due_date: chrono::NaiveDate::from_ymd_opt(2026, 1 + (i % 12) as u32, 1 + (i % 28) as u32),
        ..new_task(format!("Task number {i} with a realistic title"))
    }
}

/// (first visit, median of repeat visits), in milliseconds.
async fn measure(
    driver: &WebDriver,
    base: &str,
    session: &api_client::types::AuthSession,
) -> Result<(f64, f64)> {
    // Sign in the way the app remembers a session, on the app's origin, but
    // from a page that does not load the app (a cold cache for the first visit).
    driver.go(&format!("{base}/api/health")).await?;
    let tokens = json!({
        "access_token": session.access_token,
        "refresh_token": session.refresh_token,
        "expires_at": session.expires_at,
    });
    driver
        .execute(
            "localStorage.setItem('charter.tokens', arguments[0]); localStorage.setItem('charter.user', arguments[1]);",
            vec![json!(tokens.to_string()), json!(serde_json::to_string(&session.user)?)],
        )
        .await?;
    let visit = async || -> Result<f64> {
        driver.go(&format!("{base}/tasks")).await?;
        driver.rendered_at().await
    };
    let cold = visit().await?;
    let mut warm = Vec::new();
    for _ in 0..WARM_VISITS {
        warm.push(visit().await?);
    }
    warm.sort_by(f64::total_cmp);
    Ok((cold, warm[warm.len() / 2]))
}

/// Just enough of the WebDriver protocol, over reqwest.
struct WebDriver {
    http: reqwest::Client,
    session: String,
}

impl WebDriver {
    async fn start(url: &str, chromium: &Path, scratch: &Path) -> Result<WebDriver> {
        let http = reqwest::Client::new();
        let capabilities = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": chromium,
            "args": machine::chromium_args(&scratch.join("profile")),
        }}}});
        let started = Instant::now();
        loop {
            let answer = http.post(format!("{url}/session")).json(&capabilities).send().await;
            if let Ok(answer) = answer {
                let body: Value = answer.json().await?;
                let session = body["value"]["sessionId"]
                    .as_str()
                    .with_context(|| format!("chromedriver refused the session: {body}"))?;
                return Ok(WebDriver { http, session: format!("{url}/session/{session}") });
            }
            if started.elapsed() > Duration::from_secs(20) {
                bail!("chromedriver did not start within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn command(&self, path: &str, body: Value) -> Result<Value> {
        let answer: Value =
            self.http.post(format!("{}/{path}", self.session)).json(&body).send().await?.json().await?;
        if answer["value"].get("error").is_some() {
            bail!("WebDriver {path} failed: {}", answer["value"]);
        }
        Ok(answer["value"].clone())
    }

    async fn go(&self, url: &str) -> Result<()> {
        self.command("url", json!({ "url": url })).await.map(|_| ())
    }

    async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.command("execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Milliseconds from navigation start to the app's rendered mark.
    async fn rendered_at(&self) -> Result<f64> {
        let started = Instant::now();
        loop {
            let at = self
                .execute(
                    "const m = performance.getEntriesByName('charter:tasks-rendered')[0];
                     const n = document.querySelectorAll('#task-list li').length;
                     return m ? [m.startTime, n] : null;",
                    vec![],
                )
                .await?;
            if let Some(pair) = at.as_array() {
                let shown = pair[1].as_u64().unwrap_or(0);
                if shown < TASKS as u64 {
                    bail!("the list showed {shown} tasks, not {TASKS}");
                }
                return pair[0].as_f64().context("a mark time");
            }
            if started.elapsed() > Duration::from_secs(20) {
                bail!("the task list did not render within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn end(&self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}

//! `cargo xtask bench api`: the speed and memory figures, printed, never
//! asserted (a timed test on a shared 2-core machine would be flaky and
//! prove nothing).
//!
//! Charter is measured beside a baseline in the same run, with the same
//! load generator (`wrk`, Debian's package, installed when missing and we
//! are root): `charter-baseline`, bare Dropshot answering the very page
//! Charter answered from memory, and a trivial object. Absolute figures
//! move with the machine; the ratios to the baseline do not
//! (009-performance-ceiling). Then, with 10,000 tasks on SQLite and on
//! PostgreSQL (005-organise-and-plan SC-002, SC-003): `task_summary`'s time
//! and searches' p99.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use machine::ChildGuard;

use crate::run_command;
use crate::server_process::{Build, new_task, organised_task, seed, start_server, verdict};

#[derive(Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    target: Target,
}

#[derive(Subcommand)]
enum Target {
    /// Charter's list and create beside a bare Dropshot baseline, on SQLite
    /// and PostgreSQL, with ratios; then the organising figures.
    Api {
        /// Seconds of load per measurement.
        #[arg(long, default_value_t = 10)]
        seconds: u32,
        /// Concurrent connections (repeat for more than one level).
        #[arg(long = "connections", default_values_t = [16, 64])]
        connections: Vec<u32>,
    },
    /// The web app's compressed size and its time from navigation to a
    /// list of 100 tasks, in headless Chromium.
    Web,
    /// How long `cargo xtask check-specs` takes on this repository.
    CheckSpecs {
        /// Timed runs, after one untimed warm-up.
        #[arg(long, default_value_t = 20)]
        runs: u32,
    },
}

/// 009-performance-ceiling SC-001.
const LIST_RATIO_SQLITE: f64 = 0.50;
const LIST_RATIO_POSTGRES: f64 = 0.30;
const CREATE_RATIO_SQLITE: f64 = 0.15;
const CREATE_P99_MS_SQLITE: f64 = 10.0;
const PEAK_MIB: f64 = 64.0;
/// 001-task-service SC-001: the list at 64 connections.
const TARGET_RPS: f64 = 17_000.0;
const TARGET_P99_MS: f64 = 10.0;

const LISTED_TASKS: usize = 50;

pub fn run(root: &Path, args: BenchArgs) -> Result<()> {
    match args.target {
        Target::Api { seconds, connections } => api(root, seconds, &connections),
        Target::Web => crate::bench_web::run(root),
        Target::CheckSpecs { runs } => crate::check_specs::bench(root, runs),
    }
}

/// One wrk measurement.
struct Load {
    rps: f64,
    p50: f64,
    p99: f64,
}

/// What one server did under load: a measurement per operation and
/// connection count, and its peak resident memory.
struct Measured {
    loads: Vec<(&'static str, u32, Load)>,
    peak_mib: Option<f64>,
}

impl Measured {
    fn rps(&self, operation: &str, connections: u32) -> Option<f64> {
        self.load(operation, connections).map(|l| l.rps)
    }

    fn load(&self, operation: &str, connections: u32) -> Option<&Load> {
        self.loads.iter().find(|(o, c, _)| *o == operation && *c == connections).map(|(_, _, l)| l)
    }
}

fn api(root: &Path, seconds: u32, connections: &[u32]) -> Result<()> {
    ensure_wrk(root)?;
    let work = crate::web::target_dir(root).join("bench-api");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let create_script = work.join("create.lua");
    std::fs::write(&create_script, CREATE_SCRIPT)?;
    let page = work.join("page.json");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;

    let mut charter = Vec::new();
    // SQLite always; PostgreSQL when a server is there to make a scratch
    // database on, else the reason why not.
    let mut backends: Vec<(&str, Vec<(&str, String)>)> = vec![("SQLite", Vec::new())];
    match postgres_scratch(root, "charter_bench_api") {
        Ok(url) => backends.push(("PostgreSQL", vec![("DATABASE_URL", url)])),
        Err(why) => println!("PostgreSQL: not measured ({why})"),
    }
    for (backend, env) in backends {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let data_dir = work.join(backend);
        let (server, base) = start_server(root, Build::Release, &data_dir, None, &env)?;
        let lister = runtime.block_on(seed(&base, LISTED_TASKS, |i| api_client::types::TaskCreate {
            description: Some("A description of typical length for a task in a list.".into()),
            ..new_task(format!("Task number {i}"))
        }))?;
        let writer = runtime.block_on(seed(&base, 0, |i| new_task(format!("{i}"))))?;
        if backend == "SQLite" {
            // The baseline answers the very page Charter answers.
            let client = api_client::Client::with_auth(&base);
            client.auth().set_session(&lister);
            let answered = runtime
                .block_on(client.task_list().user_id(&lister.user.id).limit(LISTED_TASKS as u32).send())
                .map_err(|e| anyhow::anyhow!("listing failed: {e}"))?
                .into_inner();
            std::fs::write(&page, serde_json::to_vec(&answered)?)?;
        }
        let list_url = format!("{base}/api/users/{}/tasks?limit={LISTED_TASKS}", lister.user.id);
        let create_url = format!("{base}/api/users/{}/tasks", writer.user.id);
        let mut loads = Vec::new();
        for &c in connections {
            loads.push(("list", c, measure(&list_url, Some(&lister.access_token), None, seconds, c)?));
            loads.push((
                "create",
                c,
                measure(&create_url, Some(&writer.access_token), Some(&create_script), seconds, c)?,
            ));
        }
        let peak_mib = peak_memory_kib(server.0.id()).map(|kib| kib as f64 / 1024.0);
        drop(server);
        charter.push((backend, Measured { loads, peak_mib }));
    }

    let (server, base) = start_baseline(root, &page)?;
    let mut loads = Vec::new();
    for &c in connections {
        loads.push(("list", c, measure(&format!("{base}/tasks"), None, None, seconds, c)?));
        loads.push(("trivial", c, measure(&format!("{base}/ping"), None, None, seconds, c)?));
    }
    let baseline =
        Measured { loads, peak_mib: peak_memory_kib(server.0.id()).map(|kib| kib as f64 / 1024.0) };
    drop(server);
    let _ = std::fs::remove_dir_all(&work);

    print!("{}", report(&baseline, &charter, seconds, connections));
    organise(root, "SQLite", &[])?;
    match postgres_scratch(root, "charter_bench_organise") {
        Ok(url) => organise(root, "PostgreSQL", &[("DATABASE_URL", url.as_str())])?,
        Err(why) => println!("summary and search on PostgreSQL: not measured ({why})"),
    }
    Ok(())
}

/// wrk's request for a create: the benchmark user's token comes as a
/// header on the command line.
const CREATE_SCRIPT: &str = r#"wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"A task made under load","description":"A description of typical length for a task in a list."}'
"#;

/// Warms up for two seconds, then measures.
fn measure(
    url: &str,
    token: Option<&str>,
    script: Option<&Path>,
    seconds: u32,
    connections: u32,
) -> Result<Load> {
    wrk(url, token, script, 2, connections)?;
    eprintln!(
        "measuring: {seconds} s, {connections} connections, {} {url}",
        if script.is_some() { "POST" } else { "GET" }
    );
    let report = wrk(url, token, script, seconds, connections)?;
    Ok(Load {
        rps: figure(&report, "Requests/sec:").context("wrk printed no Requests/sec")?,
        p50: latency_ms(&report, "50%").context("wrk printed no 50% latency")?,
        p99: latency_ms(&report, "99%").context("wrk printed no 99% latency")?,
    })
}

/// The side-by-side table: each figure with its ratio to the baseline of
/// the same run and its target's verdict.
fn report(baseline: &Measured, charter: &[(&str, Measured)], seconds: u32, connections: &[u32]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nlist of {LISTED_TASKS} tasks and create, release builds, wrk for {seconds} s, ratios to the baseline of the same run:"
    );
    let _ = writeln!(
        out,
        "  {:<36} {:>5} {:>12} {:>9} {:>9} {:>7}   target",
        "server, operation", "conns", "requests/s", "p50 ms", "p99 ms", "ratio"
    );
    let mut line = |what: &str, c: u32, load: &Load, ratio: Option<f64>, target: String| {
        let ratio = ratio.map(|r| format!("{r:.2}")).unwrap_or_else(|| "1.00".into());
        let _ = writeln!(
            out,
            "  {what:<36} {c:>5} {:>12.0} {:>9.2} {:>9.2} {ratio:>7}   {target}",
            load.rps, load.p50, load.p99
        );
    };
    for &c in connections {
        for (operation, what) in
            [("list", "baseline, list 50 from memory"), ("trivial", "baseline, trivial GET")]
        {
            if let Some(load) = baseline.load(operation, c) {
                line(what, c, load, None, String::new());
            }
        }
        for (backend, measured) in charter {
            let (list_target, create_target) = match *backend {
                "SQLite" => (Some(LIST_RATIO_SQLITE), Some(CREATE_RATIO_SQLITE)),
                _ => (Some(LIST_RATIO_POSTGRES), None),
            };
            if let Some(load) = measured.load("list", c) {
                let ratio = baseline.rps("list", c).map(|b| load.rps / b);
                let target = match (list_target, ratio) {
                    (Some(t), Some(r)) => format!("ratio ≥ {t:.2}   {}", verdict(r >= t)),
                    _ => String::new(),
                };
                line(&format!("{backend}, list 50"), c, load, ratio, target);
            }
            if let Some(load) = measured.load("create", c) {
                let ratio = baseline.rps("trivial", c).map(|b| load.rps / b);
                let mut target = match (create_target, ratio) {
                    (Some(t), Some(r)) => format!("ratio ≥ {t:.2}   {}", verdict(r >= t)),
                    _ => String::new(),
                };
                if *backend == "SQLite" && c == 16 {
                    target.push_str(&format!(
                        "; p99 ≤ {CREATE_P99_MS_SQLITE:.0} ms   {}",
                        verdict(load.p99 <= CREATE_P99_MS_SQLITE)
                    ));
                }
                line(&format!("{backend}, create (ratio to trivial)"), c, load, ratio, target);
            }
        }
    }
    let mut peak = |name: &str, measured: &Measured, target: bool| {
        if let Some(mib) = measured.peak_mib {
            let verdict = if target {
                format!("   target ≤ {PEAK_MIB:.0} MiB   {}", verdict(mib <= PEAK_MIB))
            } else {
                String::new()
            };
            let _ = writeln!(out, "  peak resident memory, {name:<15} {mib:>6.1} MiB{verdict}");
        }
    };
    peak("baseline", baseline, false);
    for (backend, measured) in charter {
        peak(backend, measured, true);
    }
    if let Some((_, sqlite)) = charter.iter().find(|(b, _)| *b == "SQLite")
        && let Some(load) = sqlite.load("list", 64)
    {
        let _ = writeln!(
            out,
            "  001-task-service SC-001, SQLite list at 64 connections: {:.0} requests/s (≥ {TARGET_RPS:.0}) {}, p99 {:.2} ms (≤ {TARGET_P99_MS:.0}) {}",
            load.rps,
            verdict(load.rps >= TARGET_RPS),
            load.p99,
            verdict(load.p99 <= TARGET_P99_MS)
        );
    }
    out
}

/// Builds and starts `charter-baseline` on a free port with `page`.
fn start_baseline(root: &Path, page: &Path) -> Result<(ChildGuard, String)> {
    run_command(root, crate::cargo().args(["build", "--release", "--package", "charter-baseline"]))?;
    let binary = crate::web::target_dir(root).join("release").join("charter-baseline");
    let port = machine::free_port()?;
    let child = Command::new(&binary)
        .arg(format!("127.0.0.1:{port}"))
        .arg(page)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let child = ChildGuard(child);
    if !machine::wait_for_listener(([127, 0, 0, 1], port).into(), Duration::from_secs(30)) {
        bail!("{} did not listen on port {port} within 30 s", binary.display());
    }
    Ok((child, format!("http://127.0.0.1:{port}")))
}

/// Tasks in the organising benchmark (005-organise-and-plan SC-002, SC-003).
const ORGANISED_TASKS: usize = 10_000;
const SUMMARY_TARGET_MS: f64 = 5.0;
const SEARCH_TARGET_P99_MS: f64 = 20.0;

/// The summary's and search's server time with 10,000 tasks, measured
/// one request at a time (wrk, one connection: the latency is the
/// server's time plus loopback).
fn organise(root: &Path, backend: &str, env: &[(&str, &str)]) -> Result<()> {
    let data_dir = crate::web::target_dir(root).join("bench-organise");
    let _ = std::fs::remove_dir_all(&data_dir);
    let (server, base) = start_server(root, Build::Release, &data_dir, None, env)?;
    eprintln!("seeding {ORGANISED_TASKS} tasks on {backend}…");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let session = runtime.block_on(seed(&base, ORGANISED_TASKS, organised_task))?;
    let (user_id, token) = (session.user.id, session.access_token);
    let one_at_a_time = |path: &str| -> Result<(f64, f64)> {
        let url = format!("{base}/api/users/{user_id}{path}");
        wrk(&url, Some(&token), None, 1, 1)?;
        let report = wrk(&url, Some(&token), None, 5, 1)?;
        let p50 = latency_ms(&report, "50%").context("wrk printed no 50% latency")?;
        let p99 = latency_ms(&report, "99%").context("wrk printed no 99% latency")?;
        Ok((p50, p99))
    };
    println!("{ORGANISED_TASKS} tasks on {backend} (release build, one request at a time):");
    let (p50, p99) = one_at_a_time("/summary?tz=Europe/Paris")?;
    println!(
        "  task_summary              p50 {p50:>7.2} ms  p99 {p99:>7.2} ms   target ≤ {SUMMARY_TARGET_MS:.0} ms   {}",
        verdict(p50 <= SUMMARY_TARGET_MS)
    );
    for q in ["cafe", "report the inv", "r", "garden plants dentist"] {
        let (p50, p99) = one_at_a_time(&format!("/tasks?q={}", q.replace(' ', "%20")))?;
        println!(
            "  search q={q:<22} p50 {p50:>7.2} ms  p99 {p99:>7.2} ms   target p99 ≤ {SEARCH_TARGET_P99_MS:.0} ms   {}",
            verdict(p99 <= SEARCH_TARGET_P99_MS)
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(())
}

/// A fresh database on the PostgreSQL the tests use (127.0.0.1:5432,
/// user `postgres`, or `DATABASE_URL`'s server), made with `psql`.
fn postgres_scratch(root: &Path, name: &str) -> Result<String> {
    let server = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (prefix, _) = server.rsplit_once('/').context("DATABASE_URL has no database name")?;
    for sql in [format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"), format!("CREATE DATABASE {name}")] {
        let status = Command::new("psql")
            .args([server.as_str(), "-q", "-c", &sql])
            .current_dir(root)
            .output()
            .context("psql is not installed")?;
        if !status.status.success() {
            bail!("psql failed: {}", String::from_utf8_lossy(&status.stderr).trim());
        }
    }
    Ok(format!("{prefix}/{name}"))
}

fn wrk(
    url: &str,
    token: Option<&str>,
    script: Option<&Path>,
    seconds: u32,
    connections: u32,
) -> Result<String> {
    let mut command = Command::new("wrk");
    // wrk wants at least one connection per thread.
    command
        .args(["--latency", "-t", &connections.clamp(1, 2).to_string(), "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s")]);
    if let Some(token) = token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command.arg(url).output().context("running wrk")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    if text.contains("Non-2xx") {
        bail!("the server answered errors under load:\n{text}");
    }
    Ok(text)
}

fn figure(report: &str, label: &str) -> Option<f64> {
    report.lines().find_map(|line| line.trim().strip_prefix(label)?.trim().parse().ok())
}

/// A latency percentile line of `wrk --latency` (`99%    3.21ms`), in ms.
fn latency_ms(report: &str, percentile: &str) -> Option<f64> {
    let value = report.lines().find_map(|line| line.trim().strip_prefix(percentile).map(str::trim))?;
    let (number, unit) = value.split_at(value.find(|c: char| c.is_ascii_alphabetic())?);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        _ => return None,
    })
}

fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?.trim().parse().ok())
}

/// wrk comes from Debian; as root we install it, otherwise we say how.
fn ensure_wrk(root: &Path) -> Result<()> {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root {
        bail!("the benchmark needs `wrk`: install it with `sudo apt-get install wrk`");
    }
    run_command(root, Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "wrk"]))
        .or_else(|_| {
            run_command(root, Command::new("apt-get").arg("update"))?;
            run_command(
                root,
                Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "wrk"]),
            )
        })
}

#[cfg(test)]
mod tests {
    const REPORT: &str = "Running 10s test @ http://127.0.0.1:1/x\n  Latency Distribution\n     50%  812.00us\n     75%    1.20ms\n     90%    2.01ms\n     99%    5.50ms\n  171234 requests in 10.00s, 1.2GB read\nRequests/sec:  17123.40\nTransfer/sec:    120.00MB\n";

    // spec: 009-performance-ceiling#FR-001, 009-performance-ceiling#SC-001
    #[test]
    fn every_figure_is_shown_with_its_ratio_to_the_baseline_of_the_run() {
        use super::{Load, Measured, report};
        let load = |rps: f64, p99: f64| Load { rps, p50: 1.0, p99 };
        let baseline = Measured {
            loads: vec![("list", 16, load(20_000.0, 3.0)), ("trivial", 16, load(80_000.0, 2.0))],
            peak_mib: Some(21.0),
        };
        let sqlite = Measured {
            loads: vec![("list", 16, load(10_000.0, 4.0)), ("create", 16, load(16_000.0, 12.0))],
            peak_mib: Some(70.0),
        };
        let postgres = Measured { loads: vec![("list", 16, load(5_000.0, 6.0))], peak_mib: Some(50.0) };
        let table = report(&baseline, &[("SQLite", sqlite), ("PostgreSQL", postgres)], 10, &[16]);
        let row = |start: &str| {
            table.lines().find(|l| l.trim_start().starts_with(start)).unwrap_or_default().to_owned()
        };
        assert!(row("SQLite, list 50").contains(" 0.50   ratio ≥ 0.50   met"), "{table}");
        assert!(row("PostgreSQL, list 50").contains(" 0.25   ratio ≥ 0.30   NOT met"), "{table}");
        let create = row("SQLite, create");
        assert!(create.contains(" 0.20   ratio ≥ 0.15   met; p99 ≤ 10 ms   NOT met"), "{table}");
        assert!(row("peak resident memory, SQLite").ends_with("NOT met"), "{table}");
        assert!(row("peak resident memory, PostgreSQL").ends_with("met"), "{table}");
    }

    #[test]
    fn reads_wrk_figures() {
        assert_eq!(super::figure(REPORT, "Requests/sec:"), Some(17123.40));
        assert_eq!(super::latency_ms(REPORT, "50%"), Some(0.812));
        assert_eq!(super::latency_ms(REPORT, "99%"), Some(5.5));
    }
}

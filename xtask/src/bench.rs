//! `cargo xtask bench api`: the speed and memory figures, printed, never
//! asserted (a timed test on a shared 2-core machine would be flaky and
//! prove nothing).
//!
//! The API figure is the one SC-001 sets: an authenticated list of 50 tasks,
//! at least 17,000 requests/s with p99 at most 10 ms. Then, with 10,000
//! tasks on SQLite and on PostgreSQL (005-organise-and-plan SC-002, SC-003):
//! `task_summary`'s time and searches' p99. The server runs as a
//! release build in its own process on SQLite; `wrk` (Debian's package,
//! installed when missing and we are root) generates the load over loopback.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use crate::run_command;
use crate::server_process::{Build, new_task, organised_task, seed, start_server, verdict};

#[derive(Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    target: Target,
}

#[derive(Subcommand)]
enum Target {
    /// Throughput and latency of the authenticated task list, and the
    /// server's peak memory.
    Api {
        /// Seconds of load.
        #[arg(long, default_value_t = 10)]
        seconds: u32,
        /// Concurrent connections.
        #[arg(long, default_value_t = 64)]
        connections: u32,
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

const TARGET_RPS: f64 = 17_000.0;
const TARGET_P99_MS: f64 = 10.0;

pub fn run(root: &Path, args: BenchArgs) -> Result<()> {
    match args.target {
        Target::Api { seconds, connections } => api(root, seconds, connections),
        Target::Web => crate::bench_web::run(root),
        Target::CheckSpecs { runs } => crate::check_specs::bench(root, runs),
    }
}

fn api(root: &Path, seconds: u32, connections: u32) -> Result<()> {
    ensure_wrk(root)?;
    let data_dir = crate::web::target_dir(root).join("bench-api");
    let _ = std::fs::remove_dir_all(&data_dir);
    let (server, base) = start_server(root, Build::Release, &data_dir, None, &[])?;

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let session = runtime.block_on(seed(&base, 50, |i| api_client::types::TaskCreate {
        description: Some("A description of typical length for a task in a list.".into()),
        ..new_task(format!("Task number {i}"))
    }))?;
    let (user_id, token) = (session.user.id, session.access_token);
    let url = format!("{base}/api/users/{user_id}/tasks?limit=50");

    eprintln!("warming up…");
    wrk(&url, &token, 2, connections)?;
    eprintln!("measuring: {seconds} s, {connections} connections, GET {url}");
    let report = wrk(&url, &token, seconds, connections)?;
    let peak_kib = peak_memory_kib(server.0.id());
    drop(server);
    let _ = std::fs::remove_dir_all(&data_dir);

    let rps = figure(&report, "Requests/sec:").context("wrk printed no Requests/sec")?;
    let p50 = latency_ms(&report, "50%");
    let p99 = latency_ms(&report, "99%").context("wrk printed no 99% latency")?;
    println!(
        "authenticated list of 50 tasks (SQLite, release build, {connections} connections, {seconds} s):"
    );
    println!(
        "  throughput  {rps:>10.0} requests/s   target ≥ {TARGET_RPS:.0}   {}",
        verdict(rps >= TARGET_RPS)
    );
    if let Some(p50) = p50 {
        println!("  latency p50 {p50:>10.2} ms");
    }
    println!(
        "  latency p99 {p99:>10.2} ms           target ≤ {TARGET_P99_MS:.0}   {}",
        verdict(p99 <= TARGET_P99_MS)
    );
    if let Some(kib) = peak_kib {
        println!("  server peak memory {:.1} MiB", kib as f64 / 1024.0);
    }
    organise(root, "SQLite", &[])?;
    match postgres_scratch(root) {
        Ok(url) => organise(root, "PostgreSQL", &[("DATABASE_URL", url.as_str())])?,
        Err(why) => println!("summary and search on PostgreSQL: not measured ({why})"),
    }
    Ok(())
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
        wrk(&url, &token, 1, 1)?;
        let report = wrk(&url, &token, 5, 1)?;
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
fn postgres_scratch(root: &Path) -> Result<String> {
    let server = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (prefix, _) = server.rsplit_once('/').context("DATABASE_URL has no database name")?;
    let name = "charter_bench_organise";
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

fn wrk(url: &str, token: &str, seconds: u32, connections: u32) -> Result<String> {
    let output = Command::new("wrk")
        // wrk wants at least one connection per thread.
        .args(["--latency", "-t", &connections.clamp(1, 2).to_string(), "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s")])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .arg(url)
        .output()
        .context("running wrk")?;
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

    #[test]
    fn reads_wrk_figures() {
        assert_eq!(super::figure(REPORT, "Requests/sec:"), Some(17123.40));
        assert_eq!(super::latency_ms(REPORT, "50%"), Some(0.812));
        assert_eq!(super::latency_ms(REPORT, "99%"), Some(5.5));
    }
}

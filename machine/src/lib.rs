//! What Charter's automation (`xtask`) and tests (`charter-tests`,
//! `api-server`'s process tests) need of the machine they run on, written
//! once: whether this is a CI run, where a program is, a free port,
//! Chromium's flags for a headless run here, waiting for a server to
//! listen, reading what a child process logs, and ending a child process
//! with its owner. Standard library only.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Whether this is a CI run (`CI` set to anything but empty, `0` or
/// `false`), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The first of `names` found in a directory of `PATH`. pyenv-style shim
/// directories are passed over: a shim answers for programs that are
/// installed but not selected, and then fails.
pub fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).filter(|d| !d.ends_with("shims")).collect();
    names.iter().find_map(|name| dirs.iter().map(|dir| dir.join(name)).find(|candidate| candidate.is_file()))
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something accepts connections at `address`; answers
/// whether it did within `patience`.
pub fn wait_for_listener(address: SocketAddr, patience: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < patience {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Headless Chromium's arguments on these machines, as root, with a fresh
/// profile in `profile`. Without the background-networking flags Chromium
/// floods the closed network with connections that are refused.
pub fn chromium_args(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain(std::iter::once(format!("--user-data-dir={}", profile.display())))
    .collect()
}

/// A child process killed and reaped when its owner drops it (a test that
/// panics included), so no server outlives the run that started it.
pub struct ChildGuard(pub std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a child process has written to its stderr, read line by line on a
/// thread of its own, and the first word after a marker it wrote (a
/// server's "listening on http://" line names its address).
pub struct ChildLog {
    lines: std::sync::Arc<std::sync::Mutex<String>>,
    found: std::sync::mpsc::Receiver<String>,
}

impl ChildLog {
    /// Takes `child`'s piped stderr and starts reading it, looking for
    /// the first line containing `marker`.
    pub fn follow(child: &mut std::process::Child, marker: &'static str) -> Option<ChildLog> {
        use std::io::{BufRead, BufReader};
        let stderr = child.stderr.take()?;
        let lines = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (found_tx, found) = std::sync::mpsc::channel();
        let sink = std::sync::Arc::clone(&lines);
        std::thread::spawn(move || {
            let mut found_tx = Some(found_tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find(marker) {
                    let word: String = line[at + marker.len()..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != ',')
                        .collect();
                    if let Some(tx) = found_tx.take() {
                        let _ = tx.send(word);
                    }
                }
                let mut log = sink.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                log.push_str(&line);
                log.push('\n');
            }
        });
        Some(ChildLog { lines, found })
    }

    /// The word after the marker, once written, within `patience`.
    pub fn marked(&self, patience: Duration) -> Option<String> {
        self.found.recv_timeout(patience).ok()
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        self.lines.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_can_be_listened_on_and_waited_for() {
        let port = free_port().expect("a port");
        let address: SocketAddr = ([127, 0, 0, 1], port).into();
        assert!(!wait_for_listener(address, Duration::from_millis(100)), "nothing listens yet");
        let _listener = TcpListener::bind(address).expect("the port was free");
        assert!(wait_for_listener(address, Duration::from_secs(2)));
    }

    #[test]
    fn programs_are_found_on_path() {
        assert!(find_program(&["sh"]).is_some());
        assert!(find_program(&["no-such-program-anywhere"]).is_none());
        assert!(chromium_args(Path::new("/tmp/p")).iter().any(|a| a == "--user-data-dir=/tmp/p"));
    }
}

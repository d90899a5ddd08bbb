//! `cargo xtask web`: builds the web app into `web/dist`, offline.
//!
//! 1. `cargo build -p web --target wasm32-unknown-unknown --profile web-release`
//!    (opt-level z, LTO, one codegen unit, panic=abort: see the root
//!    Cargo.toml);
//! 2. `wasm-bindgen --target web` at exactly the version of the
//!    `wasm-bindgen` crate in Cargo.lock (the CLI and the crate must match),
//!    installed with `cargo install` when missing or different;
//! 3. `wasm-opt -Oz` from npm's `binaryen` (Debian's is too old to parse
//!    current rustc output), installed into `<target>/tools` when npm is
//!    there, skipped with a note otherwise;
//! 4. content-hashed names under `web/dist/assets/`, `web/dist/index.html`,
//!    and `.gz` and `.br` siblings of every asset for the server to send
//!    when the browser accepts them.
//!
//! Trunk was the other choice; it needs a newer rustc than ours at its
//! latest, and these four steps are all the app needs.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::Args;
use sha2::{Digest, Sha256};

use crate::{cargo, run_command};

/// The binaryen release whose `wasm-opt` reads what rustc writes today.
const BINARYEN_NPM: &str = "binaryen@132";

#[derive(Args, Default)]
pub struct WebArgs {
    /// Skip wasm-opt even when it is available (faster, bigger).
    #[arg(long)]
    pub no_opt: bool,
}

/// What `build` produced.
pub struct Bundle {
    pub dist: PathBuf,
    /// (name, raw bytes, gzip bytes, brotli bytes) of each asset.
    pub assets: Vec<(String, usize, usize, usize)>,
}

pub fn run(root: &Path, args: WebArgs) -> Result<()> {
    let bundle = build(root, &args)?;
    print_sizes(&bundle);
    Ok(())
}

pub fn print_sizes(bundle: &Bundle) {
    eprintln!("web bundle in {}:", bundle.dist.display());
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for (name, r, g, b) in &bundle.assets {
        eprintln!("  {name:<32} {:>8.1} KB raw {:>8.1} KB gzip {:>8.1} KB brotli", kb(*r), kb(*g), kb(*b));
        raw += r;
        gz += g;
        br += b;
    }
    eprintln!("  {:<32} {:>8.1} KB raw {:>8.1} KB gzip {:>8.1} KB brotli", "total", kb(raw), kb(gz), kb(br));
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

/// The directory cargo builds into.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

pub fn build(root: &Path, args: &WebArgs) -> Result<Bundle> {
    ensure_wasm_target(root)?;
    run_command(
        root,
        cargo().args([
            "build",
            "--package",
            "web",
            "--bin",
            "web",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "web-release",
        ]),
    )?;
    let target = target_dir(root);
    let wasm = target.join("wasm32-unknown-unknown/web-release/web.wasm");
    if !wasm.is_file() {
        bail!("the build did not produce {}", wasm.display());
    }

    let bindgen = ensure_wasm_bindgen(root)?;
    let staging = target.join("web-staging");
    if staging.exists() {
        fs::remove_dir_all(&staging).with_context(|| format!("cannot clear {}", staging.display()))?;
    }
    run_command(
        root,
        Command::new(&bindgen)
            .args(["--target", "web", "--no-typescript", "--out-name", "web", "--out-dir"])
            .arg(&staging)
            .arg(&wasm),
    )?;
    let bg = staging.join("web_bg.wasm");

    if args.no_opt {
        eprintln!("note: --no-opt: skipping wasm-opt");
    } else if let Some(wasm_opt) = ensure_wasm_opt(root, &target)? {
        let optimised = staging.join("web_bg.opt.wasm");
        run_command(
            root,
            Command::new(wasm_opt)
                .arg("-Oz")
                .args([
                    "--enable-bulk-memory",
                    "--enable-nontrapping-float-to-int",
                    "--enable-sign-ext",
                    "--enable-mutable-globals",
                    "--enable-reference-types",
                    "--enable-multivalue",
                ])
                .arg(&bg)
                .arg("-o")
                .arg(&optimised),
        )?;
        fs::rename(&optimised, &bg)?;
    }

    let dist = root.join("web/dist");
    if dist.exists() {
        fs::remove_dir_all(&dist).with_context(|| format!("cannot clear {}", dist.display()))?;
    }
    let assets_dir = dist.join("assets");
    fs::create_dir_all(&assets_dir)?;
    let mut assets = Vec::new();
    let mut place = |source: &Path, stem: &str, ext: &str| -> Result<String> {
        let bytes = fs::read(source).with_context(|| format!("cannot read {}", source.display()))?;
        let hash = Sha256::digest(&bytes);
        let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let name = format!("{stem}-{hex}.{ext}");
        let (gz, br) = write_with_siblings(&assets_dir.join(&name), &bytes)?;
        assets.push((name.clone(), bytes.len(), gz, br));
        Ok(name)
    };
    let wasm_name = place(&bg, "web_bg", "wasm")?;
    let js_name = place(&staging.join("web.js"), "web", "js")?;
    let css_name = place(&root.join("web/style.css"), "style", "css")?;

    let template = fs::read_to_string(root.join("web/index.html")).context("cannot read web/index.html")?;
    let index =
        template.replace("{{js}}", &js_name).replace("{{wasm}}", &wasm_name).replace("{{css}}", &css_name);
    write_with_siblings(&dist.join("index.html"), index.as_bytes())?;
    Ok(Bundle { dist, assets })
}

/// Writes `path`, `path.gz` and `path.br`; returns the compressed sizes.
fn write_with_siblings(path: &Path, bytes: &[u8]) -> Result<(usize, usize)> {
    fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gz = gz.finish()?;
    let mut br = Vec::new();
    {
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
        brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
    }
    let sibling = |ext: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(ext);
        PathBuf::from(name)
    };
    fs::write(sibling(".gz"), &gz)?;
    fs::write(sibling(".br"), &br)?;
    Ok((gz.len(), br.len()))
}

/// The version of the `wasm-bindgen` crate that Cargo.lock pins.
fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).context("cannot read Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_string());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package: does the web crate still depend on it?")
}

/// A `wasm-bindgen` CLI of the locked version, installed when needed.
fn ensure_wasm_bindgen(root: &Path) -> Result<PathBuf> {
    let wanted = locked_wasm_bindgen(root)?;
    let installed = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match installed.as_deref() {
        Some(v) if v.split_whitespace().nth(1) == Some(wanted.as_str()) => {}
        other => {
            eprintln!(
                "wasm-bindgen {wanted} is needed (found {}): installing it (a few minutes, once)",
                other.unwrap_or("none")
            );
            // Not --locked: the CLI's own lock file names a version that
            // is no longer in the registry.
            run_command(root, cargo().args(["install", "wasm-bindgen-cli", "--version", &wanted]))?;
        }
    }
    Ok(PathBuf::from("wasm-bindgen"))
}

/// npm's `wasm-opt` under `<target>/tools`, installed when npm is there.
fn ensure_wasm_opt(root: &Path, target: &Path) -> Result<Option<PathBuf>> {
    let tools = target.join("tools");
    let wasm_opt = tools.join("node_modules/.bin/wasm-opt");
    let works = |path: &Path| Command::new(path).arg("--version").output().is_ok_and(|o| o.status.success());
    if works(&wasm_opt) {
        return Ok(Some(wasm_opt));
    }
    if Command::new("npm").arg("--version").output().is_err() {
        eprintln!("note: npm is not installed: skipping wasm-opt (the bundle works, only bigger)");
        return Ok(None);
    }
    fs::create_dir_all(&tools)?;
    let installed = run_command(
        root,
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
            .arg(&tools)
            .arg(BINARYEN_NPM),
    );
    match installed {
        Ok(()) if works(&wasm_opt) => Ok(Some(wasm_opt)),
        _ => {
            eprintln!("note: could not install {BINARYEN_NPM} from npm: skipping wasm-opt");
            Ok(None)
        }
    }
}

/// Installs the wasm target through rustup when it is missing.
pub fn ensure_wasm_target(root: &Path) -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !installed {
        run_command(root, Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

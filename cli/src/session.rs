//! Who the commands act for: a session signed in with `charter login` and
//! kept in the user's config directory, or a token handed over in
//! `CHARTER_TOKEN`.
//!
//! The credentials file (`<config dir>/charter/credentials.json`) holds the
//! server's URL, the user and the tokens; it is created owner-only (0600,
//! in a 0700 directory) and rewritten, the same way, whenever api-client
//! refreshes the tokens. A `CHARTER_TOKEN` is used as given: nothing is
//! refreshed or written for it.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use api_client::Client;
use api_client::auth::{Auth, Tokens};
use api_client::types::{SignInRequest, SignOutRequest};
use base64::Engine;
use clap::Args;
use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::output::{Output, print_json};

/// Where `charter login` signs in when neither `--url` nor `CHARTER_URL`
/// says: `cargo xtask serve`'s address.
const DEFAULT_URL: &str = "http://127.0.0.1:8000";

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The server [default: CHARTER_URL, else the last one, else http://127.0.0.1:8000].
    #[arg(long)]
    url: Option<String>,
    /// The account's email [default: asked for].
    #[arg(long)]
    email: Option<String>,
}

/// What `charter login` keeps.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Credentials {
    url: String,
    user_id: String,
    #[serde(default)]
    email: Option<String>,
    name: String,
    tokens: Tokens,
}

/// A client acting for one user.
pub struct Session {
    pub client: Client,
    pub user_id: String,
}

/// The session the commands run with: `CHARTER_TOKEN` when set (at
/// `CHARTER_URL` or the stored server), else the stored one.
pub fn open() -> Result<Session, Failure> {
    if let Some(token) = env("CHARTER_TOKEN") {
        let url = server_url()?;
        return bearer_session(&token, |auth| Client::new(&url, auth));
    }
    let Some(credentials) = load()? else {
        return Err(Failure::unreachable("not signed in: run `charter login`, or set CHARTER_TOKEN"));
    };
    let url = env("CHARTER_URL").unwrap_or_else(|| credentials.url.clone());
    let user_id = credentials.user_id.clone();
    let client = Client::with_auth(&url);
    client.auth().set_tokens(Some(credentials.tokens.clone()));
    // Persist refreshed tokens; a failed write only costs a later sign-in.
    client.auth().on_change(move |tokens| {
        if let Some(tokens) = tokens {
            let renewed = Credentials { tokens: tokens.clone(), ..credentials.clone() };
            if let Err(failure) = save(&renewed) {
                eprintln!("warning: {}", failure.message);
            }
        }
    });
    Ok(Session { client, user_id })
}

/// The server: `CHARTER_URL`, else the one signed in to, else
/// [`DEFAULT_URL`].
pub fn server_url() -> Result<String, Failure> {
    Ok(match env("CHARTER_URL") {
        Some(url) => url,
        None => load()?.map(|c| c.url).unwrap_or_else(|| DEFAULT_URL.to_owned()),
    })
}

/// A session for a bearer token handed over whole, on the client `client`
/// makes of its [`Auth::bearer`]: the user is the token's subject (the API
/// checks the token itself on every call).
pub fn bearer_session(token: &str, client: impl FnOnce(Auth) -> Client) -> Result<Session, Failure> {
    let user_id =
        subject(token).ok_or_else(|| Failure::unreachable("the token is not a JWT with a subject"))?;
    Ok(Session { client: client(Auth::bearer(token)), user_id })
}

/// The `sub` claim of a JWT, read without verifying it.
fn subject(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("sub")?.as_str().map(str::to_owned)
}

pub async fn login(args: LoginArgs) -> Result<(), Failure> {
    let url = match args.url {
        Some(url) => url,
        // A damaged file (the only error here) is replaced by signing in.
        None => server_url().unwrap_or_else(|_| DEFAULT_URL.to_owned()),
    };
    let mut stdin = std::io::stdin().lock();
    let email = match args.email {
        Some(email) => email,
        None => ask(&mut stdin, "Email: ")?,
    };
    let password = match env("CHARTER_PASSWORD") {
        Some(password) => password,
        None if std::io::stdin().is_terminal() => rpassword::prompt_password("Password: ")
            .map_err(|e| Failure::usage(format!("cannot read the password: {e}")))?,
        None => read_line(&mut stdin)?.ok_or_else(|| Failure::usage("no password on standard input"))?,
    };
    let client = Client::with_auth(&url);
    let session = client
        .auth_sign_in()
        .body(SignInRequest { email, password })
        .send()
        .await
        .map_err(Failure::sign_in)?
        .into_inner();
    let credentials = Credentials {
        url: url.clone(),
        user_id: session.user.id.clone(),
        email: session.user.email.clone(),
        name: session.user.name.clone(),
        tokens: Tokens::from(&session),
    };
    save(&credentials)?;
    println!("Signed in to {url} as {}.", who(&credentials.name, credentials.email.as_deref()));
    Ok(())
}

pub async fn logout() -> Result<(), Failure> {
    let Some(credentials) = load()? else {
        println!("Not signed in.");
        return Ok(());
    };
    // End the session on the server too, so the refresh token dies with
    // the file; if the server is away, forgetting it here still signs out.
    let client = Client::with_auth(&credentials.url);
    let sign_out = SignOutRequest { refresh_token: credentials.tokens.refresh_token.clone() };
    if let Err(error) = client.auth_sign_out().body(sign_out).send().await {
        eprintln!("warning: the server did not end the session: {}", crate::failure::api_message(&error));
    }
    let path = credentials_path()?;
    std::fs::remove_file(&path)
        .map_err(|e| Failure::refused(format!("cannot delete {}: {e}", path.display())))?;
    println!("Signed out of {}.", credentials.url);
    Ok(())
}

pub async fn whoami(output: Output) -> Result<(), Failure> {
    let session = open()?;
    let user = session.client.auth_session().send().await.map_err(Failure::api)?.into_inner().user;
    if output.json {
        print_json(&user)
    } else {
        println!("{} ({})", who(&user.name, user.email.as_deref()), user.id);
        Ok(())
    }
}

fn who(name: &str, email: Option<&str>) -> String {
    match email {
        Some(email) => format!("{name} <{email}>"),
        None => name.to_owned(),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn ask(stdin: &mut impl BufRead, prompt: &str) -> Result<String, Failure> {
    if std::io::stdin().is_terminal() {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
    }
    read_line(stdin)?
        .ok_or_else(|| Failure::usage(format!("no answer to {}", prompt.trim_end_matches([':', ' ']))))
}

fn read_line(stdin: &mut impl BufRead) -> Result<Option<String>, Failure> {
    let mut line = String::new();
    let read =
        stdin.read_line(&mut line).map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    Ok((read > 0 && !line.is_empty()).then_some(line))
}

fn credentials_path() -> Result<PathBuf, Failure> {
    let dir = dirs::config_dir()
        .ok_or_else(|| Failure::usage("no config directory: set HOME or XDG_CONFIG_HOME"))?;
    Ok(dir.join("charter").join("credentials.json"))
}

fn load() -> Result<Option<Credentials>, Failure> {
    let path = credentials_path()?;
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Failure::unreachable(format!("{} is damaged ({e}): run `charter login` again", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::unreachable(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Writes the credentials owner-only: a new file beside the old one, made
/// 0600 before anything is written to it, then renamed over it.
fn save(credentials: &Credentials) -> Result<(), Failure> {
    let path = credentials_path()?;
    let failed = |e: std::io::Error| Failure::refused(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().expect("the credentials file is in a directory");
    std::fs::create_dir_all(dir).map_err(failed)?;
    let text = serde_json::to_vec_pretty(credentials).map_err(|e| Failure::refused(e.to_string()))?;
    let partial = dir.join(format!("credentials.json.{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
        options.mode(0o600);
    }
    let mut file = options.open(&partial).map_err(failed)?;
    file.write_all(&text).and_then(|()| file.sync_all()).map_err(failed)?;
    std::fs::rename(&partial, &path).map_err(failed)
}

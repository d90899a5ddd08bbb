//! The web app, served from the API's origin (no CORS, one deployment).
//!
//! Dropshot cannot mount a catch-all at the root beside `/api`, so each
//! page of the app is registered by its path and answers `index.html`;
//! the app routes in the browser from there. Assets live under `/assets/`
//! with content-hashed names (`cargo xtask web` writes them), so they are
//! cached for a year; `index.html` is revalidated on every load so a new
//! build is picked up at once. When the browser accepts brotli or gzip,
//! the precompressed sibling (`.br`, `.gz`) written at build time is sent.
//!
//! The routes are `unpublished` endpoints of the `CharterApi` trait, as
//! omicron's console routes are: not part of the API, not in the OpenAPI
//! document; `http.rs` hands them to the functions here.

use std::path::{Path as FsPath, PathBuf};

use dropshot::{Body, HttpError, RequestContext};
use http::header::{self, HeaderValue};
use http::{Response, StatusCode};

use charter_api::types::AssetPath;

use crate::context::AppState;

/// The page shown when `index.html` is not there.
const NOT_BUILT: &str = "<!doctype html>
<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>Charter</title></head>
<body style=\"font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5\">
<h1>Charter's web app is not built</h1>
<p>The API is running (see <a href=\"/api/openapi.json\">/api/openapi.json</a>), but the web app's files are missing.
Build them with <code>cargo xtask web</code> (or start with <code>cargo xtask serve</code>, which builds them first),
then reload this page.</p>
</body></html>
";

const NO_CACHE: &str = "no-cache";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One of the web app's content-hashed files, precompressed when the
/// browser accepts it.
pub async fn asset(rqctx: &RequestContext<AppState>, path: AssetPath) -> Result<Response<Body>, HttpError> {
    let name = path.path.join("/");
    let not_found =
        || HttpError::for_not_found(Some("AssetNotFound".into()), format!("no asset named {name:?}"));
    if !is_plain_file_name(&name) {
        return Err(not_found());
    }
    let dir = rqctx.context().web_dir.join("assets");
    let accept = accepted_encodings(rqctx.request.headers());
    match read_best(&dir.join(&name), accept).await {
        Some((bytes, encoding)) => Ok(respond(bytes, content_type(&name), encoding, IMMUTABLE)),
        None => Err(not_found()),
    }
}

/// The app's `index.html`, for every page: the app routes in the browser.
pub async fn index(rqctx: &RequestContext<AppState>) -> Result<Response<Body>, HttpError> {
    let path = rqctx.context().web_dir.join("index.html");
    let accept = accepted_encodings(rqctx.request.headers());
    let (bytes, encoding) =
        read_best(&path, accept).await.unwrap_or_else(|| (NOT_BUILT.as_bytes().to_vec(), None));
    Ok(respond(bytes, "text/html; charset=utf-8", encoding, NO_CACHE))
}

fn respond(
    bytes: Vec<u8>,
    content_type: &'static str,
    encoding: Option<&'static str>,
    cache: &'static str,
) -> Response<Body> {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// One file name of the bundle: no directories, no dot files, nothing
/// that could step outside the assets directory.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[derive(Clone, Copy, Default, PartialEq, Debug)]
struct Accepts {
    br: bool,
    gzip: bool,
}

/// Which compressions the request's `Accept-Encoding` allows (`q=0` refuses).
fn accepted_encodings(headers: &http::HeaderMap) -> Accepts {
    let mut accepts = Accepts::default();
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            match coding.as_str() {
                "br" => accepts.br = !refused,
                "gzip" | "x-gzip" => accepts.gzip = !refused,
                _ => {}
            }
        }
    }
    accepts
}

/// The file, or its best precompressed sibling the client accepts.
async fn read_best(path: &FsPath, accepts: Accepts) -> Option<(Vec<u8>, Option<&'static str>)> {
    let sibling = |ext: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(ext);
        PathBuf::from(name)
    };
    if accepts.br
        && let Ok(bytes) = tokio::fs::read(sibling(".br")).await
    {
        return Some((bytes, Some("br")));
    }
    if accepts.gzip
        && let Ok(bytes) = tokio::fs::read(sibling(".gz")).await
    {
        return Some((bytes, Some("gzip")));
    }
    tokio::fs::read(path).await.ok().map(|bytes| (bytes, None))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).as_deref() {
        Some("wasm") => "application/wasm",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_served() {
        assert!(is_plain_file_name("web_bg-0123abcd.wasm"));
        for bad in ["", "../secret", "a/b.js", ".env", "..", "a\\b", "%2e%2e", "a b"] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn encodings() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(accepted_encodings(&headers), Accepts::default());
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br;q=0"));
        assert_eq!(accepted_encodings(&headers), Accepts { br: false, gzip: true });
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br, gzip;q=0.5"));
        assert_eq!(accepted_encodings(&headers), Accepts { br: true, gzip: true });
    }

    #[test]
    fn types() {
        assert_eq!(content_type("a.wasm"), "application/wasm");
        assert_eq!(content_type("a.JS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("a"), "application/octet-stream");
    }
}

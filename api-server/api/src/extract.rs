//! Extractors of our own, where Dropshot's answer is not the one we want.
//!
//! - [`JsonBody`] replaces `TypedBody`: same OpenAPI description, but a body
//!   over the limit is 413 (not 400), an empty body reads as `{}`, a body
//!   that is not a JSON object is 400, and a parse error names the field at
//!   fault.
//! - [`BearerToken`] takes the `Authorization: Bearer …` header without
//!   declaring it as a parameter, so generated clients get no
//!   `authorization` argument on every call.

use async_trait::async_trait;
use dropshot::{
    ApiEndpointBodyContentType, ClientErrorStatusCode, ExclusiveExtractor, ExtractorMetadata, HttpError,
    RequestContext, ServerContext, SharedExtractor, TypedBody,
};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

#[async_trait]
impl<T> ExclusiveExtractor for JsonBody<T>
where
    T: JsonSchema + DeserializeOwned + Send + Sync + 'static,
{
    async fn from_request<Context: ServerContext>(
        rqctx: &RequestContext<Context>,
        request: http::Request<dropshot::Body>,
    ) -> Result<Self, HttpError> {
        let (parts, body) = request.into_parts();
        if let Some(value) = parts.headers.get(http::header::CONTENT_TYPE) {
            let is_json = value.to_str().is_ok_and(|v| {
                let mime = v.split(';').next().unwrap_or("").trim();
                mime.eq_ignore_ascii_case("application/json")
            });
            if !is_json {
                return Err(HttpError::for_bad_request(
                    Some("UnsupportedContentType".into()),
                    "the request body must be JSON (Content-Type: application/json)".into(),
                ));
            }
        }
        let limit = rqctx.request_body_max_bytes();
        let bytes = match Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(body_too_large(limit));
            }
            Err(e) => {
                return Err(HttpError::for_bad_request(
                    Some("InvalidBody".into()),
                    format!("could not read the request body: {e}"),
                ));
            }
        };
        let text: &[u8] = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            None => b"{}",
            Some(b'{') => &bytes,
            // serde reads a struct from a JSON array too (its fields in
            // order): refuse anything but an object, as the contract says.
            Some(_) => {
                return Err(HttpError::for_bad_request(
                    Some("InvalidBody".into()),
                    "the request body must be a JSON object".into(),
                ));
            }
        };
        let mut deserializer = serde_json::Deserializer::from_slice(text);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = if path == "." || path.is_empty() {
                format!("invalid JSON body: {inner}")
            } else {
                format!("invalid JSON body at `{path}`: {inner}")
            };
            HttpError::for_bad_request(Some("InvalidBody".into()), message)
        })?;
        deserializer.end().map_err(|e| {
            HttpError::for_bad_request(Some("InvalidBody".into()), format!("invalid JSON body: {e}"))
        })?;
        Ok(JsonBody(value))
    }

    fn metadata(content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        // Borrowed so that the document is exactly what `TypedBody` produces.
        <TypedBody<T> as ExclusiveExtractor>::metadata(content_type)
    }
}

fn body_too_large(limit: usize) -> HttpError {
    HttpError::for_client_error(
        Some("PayloadTooLarge".into()),
        ClientErrorStatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than the limit of {limit} bytes"),
    )
}

/// The bearer token of a request, not yet verified: `api-server` checks its
/// signature, algorithm and expiry.
#[derive(Debug, Clone)]
pub struct BearerToken(http::HeaderValue);

impl BearerToken {
    /// The token, without the `Bearer ` prefix.
    pub fn as_str(&self) -> &str {
        // Checked in `from_request`: ASCII, and starts with the scheme.
        self.0.to_str().map(|v| v[BEARER.len()..].trim()).unwrap_or("")
    }
}

const BEARER: &str = "Bearer ";

#[async_trait]
impl SharedExtractor for BearerToken {
    async fn from_request<Context: ServerContext>(
        rqctx: &RequestContext<Context>,
    ) -> Result<Self, HttpError> {
        let value = rqctx.request.headers().get(http::header::AUTHORIZATION).ok_or_else(|| {
            unauthenticated("this request needs an `Authorization: Bearer <access token>` header")
        })?;
        let text =
            value.to_str().map_err(|_| unauthenticated("the Authorization header is not valid ASCII"))?;
        let has_scheme = text.len() > BEARER.len() && text[..BEARER.len()].eq_ignore_ascii_case(BEARER);
        if !has_scheme || text[BEARER.len()..].trim().is_empty() {
            return Err(unauthenticated("the Authorization header must be `Bearer <access token>`"));
        }
        Ok(BearerToken(value.clone()))
    }

    fn metadata(_content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        ExtractorMetadata { extension_mode: dropshot::ExtensionMode::None, parameters: vec![] }
    }
}

/// A 401 with `WWW-Authenticate: Bearer`, as RFC 6750 asks. `api-server`
/// uses it too, so every 401 looks the same.
pub fn unauthenticated(message: &str) -> HttpError {
    let mut error = HttpError::for_client_error(
        Some("Unauthenticated".into()),
        ClientErrorStatusCode::UNAUTHORIZED,
        message.to_owned(),
    );
    error
        .headers_mut()
        .insert(http::header::WWW_AUTHENTICATE, http::HeaderValue::from_static("Bearer realm=\"charter\""));
    error
}

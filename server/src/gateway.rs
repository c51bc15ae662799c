//! `GET /gateway/verify`: the key check for API gateways, in the style of nginx
//! `auth_request` and Envoy `ext_authz` (HTTP mode), and `GET /readyz`.
//!
//! The key comes from `X-API-Key`, `Authorization: Bearer …`, or the `api_key` query
//! parameter of the original URI; the original path from `X-Original-URI`. Allowed
//! calls get 200 with headers naming the app, developer and organisation and the rate
//! limit; refused ones 401, 403 or 429 (with `Retry-After`), each with
//! `X-Portico-Reason` and a JSON body. A store that cannot be reached gives 503.
//!
//! nginx's `auth_request` turns any status but 2xx, 401 and 403 into a 500. A gateway
//! that sends `X-Portico-Limit-Status: 403` gets limit refusals as 403 with
//! `X-Portico-Status: 429`, which the shipped nginx configuration turns back into a 429
//! for the client (see `deploy/nginx/`).

use crate::routes::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use portico_domain::gateway::{Allowed, Decision, Limits};
use serde_json::json;
use uuid::Uuid;

/// The key a call presents, in the order gateways usually send it.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(key) = text("x-api-key").filter(|k| !k.is_empty()) {
        return Some(key);
    }
    if let Some(bearer) = text("authorization")
        .and_then(|a| a.strip_prefix("Bearer ").or_else(|| a.strip_prefix("bearer ")).map(str::trim))
    {
        return Some(bearer);
    }
    let uri = text("x-original-uri")?;
    let query = uri.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix("api_key="))
}

fn original_path(headers: &HeaderMap) -> &str {
    let uri = headers.get("x-original-uri").and_then(|v| v.to_str().ok()).unwrap_or("/");
    let path = uri.split(['?', '#']).next().unwrap_or("/");
    if path.is_empty() { "/" } else { path }
}

/// The headers of the answers, parsed once.
static APP: HeaderName = HeaderName::from_static("x-portico-app");
static APP_ID: HeaderName = HeaderName::from_static("x-portico-app-id");
static DEVELOPER: HeaderName = HeaderName::from_static("x-portico-developer");
static ORGANISATION: HeaderName = HeaderName::from_static("x-portico-organisation");
static PRODUCT_ID: HeaderName = HeaderName::from_static("x-portico-product-id");
static REASON: HeaderName = HeaderName::from_static("x-portico-reason");
static STATUS: HeaderName = HeaderName::from_static("x-portico-status");
static LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
static REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
static RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Room for an answer's headers and those the router's layers add (security headers,
/// `Vary`, `Content-Length`), so the map is allocated once and never grows.
const HEADERS: usize = 16;

fn limit_headers(headers: &mut HeaderMap, limits: &Limits) {
    headers.insert(&LIMIT, HeaderValue::from(limits.limit));
    headers.insert(&REMAINING, HeaderValue::from(limits.remaining));
    headers.insert(&RESET, HeaderValue::from(limits.reset_secs));
}

/// An allowed call's answer. Its header values and its body are written side by side
/// into one buffer, and each takes its slice of it: one allocation for them all, where
/// a value each (names, ids, limits, the body's text and its length) made ten. The
/// response is built with its header map as is, not merged into another.
fn allowed(a: &Allowed) -> Response {
    let mut text = BytesMut::with_capacity(
        a.app_name().len() + a.developer().len() + a.organisation().len() + 2 * 36 + 4 * 20 + 26,
    );
    let mut put = |bytes: &[u8]| {
        let start = text.len();
        text.extend_from_slice(bytes);
        start..text.len()
    };
    let app = put(a.app_name().as_bytes());
    let developer = put(a.developer().as_bytes());
    let organisation = put(a.organisation().as_bytes());
    let mut buffer = Uuid::encode_buffer();
    let product_id = put(a.product_id.hyphenated().encode_lower(&mut buffer).as_bytes());
    let mut numbers = itoa::Buffer::new();
    let limit = put(numbers.format(a.limits.limit).as_bytes());
    let remaining = put(numbers.format(a.limits.remaining).as_bytes());
    let reset = put(numbers.format(a.limits.reset_secs).as_bytes());
    let body_start = put(br#"{"allow":true,"app_id":""#).start;
    let app_id = put(a.app_id().hyphenated().encode_lower(&mut buffer).as_bytes());
    let body = body_start..put(br#""}"#).end;
    let length = put(numbers.format(body.len()).as_bytes());
    let text = text.freeze();

    let mut response = Response::new(Body::from(text.slice(body)));
    let headers = response.headers_mut();
    headers.reserve(HEADERS);
    // Names are left out should one not be a valid header value.
    for (name, range) in [
        (&APP, app),
        (&APP_ID, app_id),
        (&DEVELOPER, developer),
        (&ORGANISATION, organisation),
        (&PRODUCT_ID, product_id),
        (&LIMIT, limit),
        (&REMAINING, remaining),
        (&RESET, reset),
        (&header::CONTENT_LENGTH, length),
    ] {
        if let Ok(value) = HeaderValue::from_maybe_shared(text.slice(range)) {
            headers.insert(name, value);
        }
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The verification endpoint. It takes the request whole, so its headers are read
/// where they are rather than copied.
pub async fn verify(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers();
    let key = presented_key(headers);
    let path = original_path(headers);
    let limit_status = headers.get("x-portico-limit-status").and_then(|v| v.to_str().ok()) == Some("403");
    let decision = state.gateway.decide(key, path).await;
    // A refusal's headers (an allowed answer builds its own).
    let mut out = HeaderMap::new();
    match decision {
        Ok(Decision::Allow(a)) => allowed(&a),
        Ok(Decision::Deny { reason, limit }) => {
            let mut status = StatusCode::from_u16(reason.status()).unwrap_or(StatusCode::FORBIDDEN);
            out.insert(&REASON, HeaderValue::from_static(reason.code()));
            if let Some(limits) = &limit {
                limit_headers(&mut out, limits);
                out.insert(header::RETRY_AFTER, HeaderValue::from(limits.reset_secs.max(1)));
            }
            if status == StatusCode::UNAUTHORIZED {
                out.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("ApiKey realm=\"portico\""));
            }
            if status == StatusCode::TOO_MANY_REQUESTS && limit_status {
                out.insert(&STATUS, HeaderValue::from(429u16));
                status = StatusCode::FORBIDDEN;
            }
            let body = json!({ "allow": false, "reason": reason.code(), "message": reason.message() });
            (status, out, axum::Json(body)).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "gateway: key store unavailable");
            let body = json!({ "allow": false, "reason": "unavailable", "message": "The key store cannot be reached." });
            out.insert(&REASON, HeaderValue::from_static("unavailable"));
            out.insert(header::RETRY_AFTER, HeaderValue::from(1u64));
            (StatusCode::SERVICE_UNAVAILABLE, out, axum::Json(body)).into_response()
        }
    }
}

/// Ready when the key store answers (a gateway should stop sending traffic otherwise).
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.gateway.ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "the key store cannot be reached").into_response()
    }
}

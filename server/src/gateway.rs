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
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_domain::gateway::{Decision, Limits};
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

/// Sets a header whose value is text (left out if it cannot be a header value).
fn set_text(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(HeaderName::from_static(name), v);
    }
}

fn set_number(headers: &mut HeaderMap, name: &'static str, value: u64) {
    headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
}

fn limit_headers(headers: &mut HeaderMap, limits: &Limits) {
    set_number(headers, "x-ratelimit-limit", limits.limit);
    set_number(headers, "x-ratelimit-remaining", limits.remaining);
    set_number(headers, "x-ratelimit-reset", limits.reset_secs);
}

/// The verification endpoint.
pub async fn verify(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let key = presented_key(&headers);
    let path = original_path(&headers);
    let limit_status = headers.get("x-portico-limit-status").and_then(|v| v.to_str().ok()) == Some("403");
    let mut out = HeaderMap::with_capacity(10);
    match state.gateway.decide(key, path).await {
        Ok(Decision::Allow(a)) => {
            let mut id_buffer = Uuid::encode_buffer();
            let app_id = a.app_id.hyphenated().encode_lower(&mut id_buffer);
            set_text(&mut out, "x-portico-app", a.app_name());
            set_text(&mut out, "x-portico-app-id", app_id);
            set_text(&mut out, "x-portico-developer", a.developer());
            set_text(&mut out, "x-portico-organisation", a.organisation());
            let mut buffer = Uuid::encode_buffer();
            set_text(&mut out, "x-portico-product-id", a.product_id.hyphenated().encode_lower(&mut buffer));
            limit_headers(&mut out, &a.limits);
            // Written as text: an allowed call's body is small and fixed in shape, and
            // building a JSON value for it is a measurable share of the call's cost.
            out.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            (StatusCode::OK, out, format!(r#"{{"allow":true,"app_id":"{app_id}"}}"#)).into_response()
        }
        Ok(Decision::Deny { reason, limit }) => {
            let mut status = StatusCode::from_u16(reason.status()).unwrap_or(StatusCode::FORBIDDEN);
            set_text(&mut out, "x-portico-reason", reason.code());
            if let Some(limits) = &limit {
                limit_headers(&mut out, limits);
                out.insert(header::RETRY_AFTER, HeaderValue::from(limits.reset_secs.max(1)));
            }
            if status == StatusCode::UNAUTHORIZED {
                out.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("ApiKey realm=\"portico\""));
            }
            if status == StatusCode::TOO_MANY_REQUESTS && limit_status {
                set_number(&mut out, "x-portico-status", 429);
                status = StatusCode::FORBIDDEN;
            }
            let body = json!({ "allow": false, "reason": reason.code(), "message": reason.message() });
            (status, out, axum::Json(body)).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "gateway: key store unavailable");
            let body = json!({ "allow": false, "reason": "unavailable", "message": "The key store cannot be reached." });
            set_text(&mut out, "x-portico-reason", "unavailable");
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

//! The HTTP surface: `router(state)` builds it, so tests drive the real router.

use crate::config::Config;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::ConnectInfo;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::provide_context;
use portico_app::backend::{Backend, ClientAddr};
use portico_domain::gateway::Gateway;
use portico_model::AppError;
use server_fn::error::{FromServerFnError, SERVER_FN_ERROR_HEADER};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// What every handler shares, behind one `Arc`: the router clones the state for each
/// request (and an extractor once more), so one reference count to move, not one per
/// part, on a line both cores write.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`].
pub struct Shared {
    pub backend: Arc<Backend>,
    /// Key verification for API gateways (`/gateway/verify`).
    pub gateway: Arc<Gateway>,
    /// Origins allowed to send state-changing requests (the public URL's origin).
    pub public_origin: Box<str>,
    pub dist: PathBuf,
}

impl AppState {
    pub fn new(backend: Arc<Backend>, gateway: Arc<Gateway>, config: &Config) -> Self {
        Self(Arc::new(Shared {
            backend,
            gateway,
            public_origin: config.public_origin().into(),
            dist: config.dist.clone(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The whole application with `extra` routes served through the same layers (the
/// gateway benchmark's trivial handler, so both pay the same middleware).
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let index = state.dist.join("index.html");
    let spa = ServeDir::new(&state.dist).fallback(ServeFile::new(index));
    let api = Router::new()
        .route("/api/{*fn_name}", post(server_fn_handler))
        .layer(middleware::from_fn_with_state(state.clone(), refuse_cross_site));
    Router::new()
        .merge(api)
        .merge(crate::api_v1::router())
        .merge(extra)
        .route("/healthz", get(healthz))
        .route("/readyz", get(crate::gateway::readyz))
        .route("/gateway/verify", get(crate::gateway::verify))
        .route("/exports/{id}/download", get(crate::exports::download))
        .fallback_service(
            Router::new()
                .fallback_service(spa)
                .layer(middleware::from_fn_with_state(state.clone(), client_not_built))
                .layer(middleware::from_fn(cache_headers)),
        )
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

/// Runs a server function with the backend in context, then gives its error (if any)
/// the status [`AppError::status_code`] names. Errors are logged here, once.
async fn server_fn_handler(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let backend = state.backend.clone();
    let client = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| ClientAddr(c.0.ip()));
    let context = move || {
        provide_context(backend.clone());
        if let Some(client) = client {
            provide_context(client);
        }
    };
    let response = leptos_axum::handle_server_fns_with_context(context, req).await.into_response();
    if !response.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, 1 << 20).await.unwrap_or_default();
    let error = AppError::de(bytes.clone());
    parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let AppError::RateLimited(seconds) = error {
        parts.headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if parts.status.is_server_error() {
        tracing::error!(%path, status = parts.status.as_u16(), %error, "server function failed");
    } else {
        tracing::info!(%path, status = parts.status.as_u16(), %error, "server function refused");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Refuses state-changing requests sent by another site. Browsers send `Origin` with
/// every POST and `Sec-Fetch-Site` with every request; either is enough to tell. A
/// client that sends neither is not a browser and carries no victim's cookies.
async fn refuse_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || is_same_origin(req.headers(), &state.public_origin) {
        return next.run(req).await;
    }
    tracing::warn!(
        origin = ?req.headers().get(header::ORIGIN),
        path = %req.uri().path(),
        "cross-site request refused"
    );
    let error = AppError::CrossSite;
    let mut response = (StatusCode::FORBIDDEN, error.ser()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(SERVER_FN_ERROR_HEADER, HeaderValue::from_static("csrf"));
    response
}

/// Whether a request's `Origin` / `Sec-Fetch-Site` say it comes from this portal.
pub fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if origin == public_origin {
        return true;
    }
    // The portal reached under another name than the public URL (127.0.0.1 vs
    // localhost): same-origin means the origin names the host the request was sent to.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o == h)
}

/// `GET /healthz`: 200 once the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    if portico_domain::db::ping(&state.backend.db).await {
        (StatusCode::OK, Json(serde_json::json!({ "status": "ok", "database": "up" }))).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "database": "down" })),
        )
            .into_response()
    }
}

/// Long-lived caching for Trunk's content-hashed files; `no-cache` for everything
/// else, so a new release's `index.html` is picked up at once.
async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut response = next.run(req).await;
    let value = if hashed && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// `portico-web-1f2e3d4c5b6a7988.js` → hashed; `index.html` → not.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _ext)) = file.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A readable page instead of a bare 404 when the web client has not been built.
async fn client_not_built(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.dist.join("index.html").is_file() {
        return next.run(req).await;
    }
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>Portico</title>\
         <h1>The web client is not built</h1>\
         <p>No <code>index.html</code> in <code>{}</code>. Run <code>cargo xtask run</code> \
         (or <code>trunk build --release</code>) and reload.</p>",
        state.dist.display()
    );
    (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], Bytes::from(body))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_trunk_hashed_assets() {
        assert!(is_hashed_asset("/portico-web-1f2e3d4c5b6a7988.js"));
        assert!(is_hashed_asset("/portico-web-1f2e3d4c5b6a7988_bg.wasm"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/dashboard"));
        assert!(!is_hashed_asset("/favicon.svg"));
    }

    #[test]
    fn origin_rules() {
        let mut h = HeaderMap::new();
        assert!(is_same_origin(&h, "http://127.0.0.1:3000"), "no browser headers: not a browser");
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:3000"));
        assert!(is_same_origin(&h, "http://127.0.0.1:3000"));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!is_same_origin(&h, "http://127.0.0.1:3000"));
        h.insert(header::HOST, HeaderValue::from_static("localhost:3000"));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://localhost:3000"));
        assert!(is_same_origin(&h, "http://127.0.0.1:3000"), "origin names the host asked");
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!is_same_origin(&h, "http://127.0.0.1:3000"));
    }
}

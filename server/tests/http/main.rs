//! HTTP tests through the real router (`oneshot`), on SQLite and PostgreSQL.
//! One test binary; the harness is here, the cases in the modules.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod account_recovery;
mod api_v1;
mod catalog;
mod exports;
mod foundation;
mod gateway;
mod nginx;
mod organisations;
mod two_hosts;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clap::Parser;
use http_body_util::BodyExt;
use portico_server::config::{Cli, Config};
use portico_server::{router, startup};
use sea_orm::DatabaseConnection;
use serde_json::Value;
use std::path::PathBuf;
use tower::ServiceExt;

pub const ADMIN_EMAIL: &str = "root@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const ORIGIN: &str = "http://127.0.0.1:3000";

pub struct TestApp {
    pub router: Router,
    pub db: DatabaseConnection,
    /// The app's own folders (client files, exports), removed with it.
    _dirs: TempDirs,
}

/// Folders a test made under the system's temporary folder, removed when dropped.
pub struct TempDirs(pub Vec<PathBuf>);

impl Drop for TempDirs {
    fn drop(&mut self) {
        for dir in &self.0 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The session id this reply set, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie().and_then(|c| {
            let value = c.strip_prefix("portico_session=")?.split(';').next()?;
            (!value.is_empty()).then(|| value.to_owned())
        })
    }

    pub fn set_cookie(&self) -> Option<String> {
        self.headers.get(header::SET_COOKIE).map(|v| v.to_str().unwrap().to_owned())
    }
}

fn dist_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portico-dist-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>Portico</title><body>spa</body>").unwrap();
    // Large enough to be worth compressing.
    std::fs::write(dir.join("portico-web-0123456789abcdef.js"), "console.log('portico');\n".repeat(200))
        .unwrap();
    dir
}

pub async fn spawn_app_with(db: DatabaseConnection, extra: &[&str]) -> TestApp {
    let mut args = vec!["portico", "--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD];
    args.extend_from_slice(extra);
    let cli = Cli::parse_from(args);
    let mut config = Config::from_settings(&cli.settings).unwrap();
    config.dist = dist_dir();
    config.export_dir =
        std::env::temp_dir().join(format!("portico-exports-{}", uuid::Uuid::now_v7().simple()));
    let dirs = TempDirs(vec![config.dist.clone(), config.export_dir.clone()]);
    let state = startup::prepare_with_db(&config, db.clone()).await.unwrap();
    TestApp { router: router(state), db, _dirs: dirs }
}

pub async fn spawn_app(db: DatabaseConnection) -> TestApp {
    spawn_app_with(db, &[]).await
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply { status, headers, body }
    }

    /// Calls a server function the way the browser does (POST, form-encoded, same origin).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Reply {
        self.call_from(endpoint, form, cookie, Some(ORIGIN)).await
    }

    pub async fn call_from(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Reply {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(origin) = origin {
            req = req.header(header::ORIGIN, origin);
        }
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("portico_session={c}"));
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = Request::get(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn sign_up(&self, email: &str) -> Reply {
        self.call(
            "sign_up",
            &[
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("email", email),
                ("password", "analytical-engine"),
            ],
            None,
        )
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str, cookie: Option<&str>) -> Reply {
        self.call("sign_in", &[("email", email), ("password", password)], cookie).await
    }

    pub async fn who_am_i(&self, cookie: &str) -> Value {
        let r = self.call("who_am_i", &[], Some(cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `token=` value of the first link in a mail's text.
pub fn token_in(text: &str) -> String {
    let start = text.find("token=").expect("a token link") + "token=".len();
    text[start..].chars().take_while(char::is_ascii_alphanumeric).collect()
}

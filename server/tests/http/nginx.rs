//! Real nginx (the Debian package) in front of a small upstream, using the shipped
//! `deploy/nginx/portico.conf` unchanged but for its addresses: a valid key passes, an
//! unknown key gets 401, an over-quota key 429 with Retry-After, a deactivated
//! developer's key is refused at once and works again after reactivation.

use crate::gateway::{Setup, key_on_plan, setup};
use crate::organisations::ok;
use portico_domain::{apikey, db_test};
use sea_orm::DatabaseConnection;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// nginx as a child process with its own prefix; stopped (and the prefix deleted) when
/// dropped.
struct Nginx {
    child: Child,
    port: u16,
    _prefix: crate::TempDirs,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("nginx must be installed for this test (Debian package nginx-light; .ci/run installs it)")
}

pub async fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port()
}

async fn start_nginx(portico: u16, upstream: u16) -> Nginx {
    let port = free_port().await;
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/nginx/portico.conf"))
            .unwrap();
    let site = shipped
        .replace("server 127.0.0.1:3000;", &format!("server 127.0.0.1:{portico};"))
        .replace("server 127.0.0.1:8080;", &format!("server 127.0.0.1:{upstream};"))
        .replace("listen 8000;", &format!("listen 127.0.0.1:{port};"));
    assert_ne!(site, shipped, "the shipped configuration has the addresses the test replaces");
    let prefix = std::env::temp_dir().join(format!("portico-nginx-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(prefix.join("logs")).unwrap();
    std::fs::write(prefix.join("portico.conf"), site).unwrap();
    let main = format!(
        "worker_processes 1;\nerror_log {p}/logs/error.log warn;\npid {p}/nginx.pid;\nevents {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {p}/body;\n  proxy_temp_path {p}/proxy;\n\
         fastcgi_temp_path {p}/fastcgi;\n  uwsgi_temp_path {p}/uwsgi;\n  scgi_temp_path {p}/scgi;\n\
         include {p}/portico.conf;\n}}\n",
        p = prefix.display()
    );
    std::fs::write(prefix.join("nginx.conf"), main).unwrap();
    let child = Command::new(nginx_binary())
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .args(["-g", "daemon off; master_process off;"])
        .spawn()
        .expect("start nginx");
    let nginx = Nginx { child, port, _prefix: crate::TempDirs(vec![prefix.clone()]) };
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return nginx;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "nginx did not start: {}",
        std::fs::read_to_string(prefix.join("logs/error.log")).unwrap_or_default()
    );
}

/// A GET over a fresh connection: status, headers (lower-cased) and body.
pub async fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Serves the router on a real port (nginx needs one).
async fn serve(router: axum::Router) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    port
}

/// The API behind the gateway: says who nginx said is calling.
fn upstream() -> axum::Router {
    axum::Router::new().fallback(|headers: axum::http::HeaderMap| async move {
        let app = headers.get("x-portico-app").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
        let key_passed_on = headers.contains_key("x-api-key");
        format!("upstream ok; app={app}; key passed on={key_passed_on}")
    })
}

async fn the_shipped_nginx_configuration_lets_good_keys_through_and_stops_the_rest(db: DatabaseConnection) {
    let s: Setup = setup(db).await;
    let portico = serve(s.app.router.clone()).await;
    let api = serve(upstream()).await;
    let nginx = start_nginx(portico, api).await;
    let key = key_on_plan(&s, "Gateway", "1000", "Second", Some("5")).await;

    let (status, headers, body) = get(nginx.port, "/payments/1", &[("X-API-Key", &key)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "upstream ok; app=Gateway; key passed on=false");
    assert_eq!(header(&headers, "x-ratelimit-limit"), Some("1000"));
    let (status, _, body) = get(nginx.port, &format!("/payments/2?api_key={key}"), &[]).await;
    assert_eq!(status, 200, "{body}");

    let (status, headers, _) = get(nginx.port, "/payments", &[("X-API-Key", &apikey::generate())]).await;
    assert_eq!((status, header(&headers, "x-portico-reason")), (401, Some("unknown_key")));
    let (status, _, _) = get(nginx.port, "/payments", &[]).await;
    assert_eq!(status, 401);
    let (status, _, _) = get(nginx.port, "/elsewhere", &[("X-API-Key", &key)]).await;
    assert_eq!(status, 403);

    // A deactivated developer's key stops at once and works again after reactivation.
    ok(&s.app, "deactivate_user", &[("id", s.ada_id.as_str())], &s.admin).await;
    let (status, headers, _) = get(nginx.port, "/payments", &[("X-API-Key", &key)]).await;
    assert_eq!((status, header(&headers, "x-portico-reason")), (403, Some("developer_inactive")));
    ok(&s.app, "activate_user", &[("id", s.ada_id.as_str())], &s.admin).await;
    let (status, _, _) = get(nginx.port, "/payments", &[("X-API-Key", &key)]).await;
    assert_eq!(status, 200);

    // The quota of 5: three calls were allowed (refused ones do not count), two more
    // pass, the next gets 429.
    for _ in 0..2 {
        let (status, _, _) = get(nginx.port, "/payments", &[("X-API-Key", &key)]).await;
        assert_eq!(status, 200);
    }
    let (status, headers, body) = get(nginx.port, "/payments", &[("X-API-Key", &key)]).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(header(&headers, "x-portico-reason"), Some("quota_exceeded"));
    assert!(header(&headers, "retry-after").is_some_and(|v| v.parse::<u64>().is_ok()), "{headers:?}");
}
db_test!(the_shipped_nginx_configuration_lets_good_keys_through_and_stops_the_rest);

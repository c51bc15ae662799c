//! Exports over HTTP: an admin starts one with a server function, follows it to `done`,
//! and downloads the file as an attachment; nobody else can download it.

use crate::organisations::{developer, ok, str_of};
use crate::*;
use axum::http::{StatusCode, header};
use portico_domain::db_test;
use sea_orm::DatabaseConnection;

async fn an_admin_downloads_a_finished_export_and_nobody_else_can(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, None).await.session_cookie().unwrap();
    let (dev, _) = developer(&app, "ada@example.com").await;
    let form =
        [("request[kind]", "Developers"), ("request[format]", "Csv"), ("request[search][text]", "ada")];
    let job = ok(&app, "start_export", &form, &admin).await;
    let id = str_of(&job["id"]);
    let mut status = String::new();
    for _ in 0..100 {
        let now = ok(&app, "get_export", &[("id", &id)], &admin).await;
        status = str_of(&now["status"]);
        if status == "Done" || status == "Failed" {
            assert_eq!((now["rows_done"].as_u64(), now["rows_total"].as_u64()), (Some(1), Some(1)));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "Done");
    let path = format!("/exports/{id}/download");
    let file = app.get(&path, &[("cookie", &format!("portico_session={admin}"))]).await;
    assert_eq!(file.status, StatusCode::OK);
    let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"developers-") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert!(file.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let body = file.body.as_str().unwrap();
    assert!(body.starts_with("id,email,first_name,last_name") && body.contains("ada@example.com"), "{body}");
    assert!(!body.contains("root@example.com"), "only the search's matches");
    // A developer, a visitor and a stranger's id.
    let refused = app.get(&path, &[("cookie", &format!("portico_session={dev}"))]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&path, &[]).await.status, StatusCode::UNAUTHORIZED);
    let unknown = format!("/exports/{}/download", uuid::Uuid::now_v7());
    assert_eq!(
        app.get(&unknown, &[("cookie", &format!("portico_session={admin}"))]).await.status,
        StatusCode::NOT_FOUND
    );
    let listed = ok(&app, "list_exports", &[], &admin).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
}
db_test!(an_admin_downloads_a_finished_export_and_nobody_else_can);

//! Exports: developers (everything or a search) as CSV (escaped, formulas neutralised,
//! attributes as `attr.<name>` columns) and JSON (nested), apps and products, the job's
//! progress to `done`, admins only, and jobs a restart interrupted.

use crate::{admin, boot, developer};
use portico_domain::entities::export_job;
use portico_domain::entities::user::OrgRole;
use portico_domain::services::{developers, exports, organisations, products, profile};
use portico_domain::{Actor, DomainError, db_test, export};
use portico_model::{
    AccountStatus, AttributeInput, DeveloperQuery, ExportFormat, ExportJob, ExportKind, ExportRequest,
    ExportStatus, ProductInput,
};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde_json::Value;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// A fresh export folder, deleted with what it holds when dropped.
struct Dir(PathBuf);

impl std::ops::Deref for Dir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dir() -> Dir {
    let d = std::env::temp_dir().join(format!("portico-exports-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    Dir(d)
}

async fn finished(db: &DatabaseConnection, admin: &Actor, job: &ExportJob) -> ExportJob {
    for _ in 0..200 {
        let now = exports::get(db, admin, job.id.0).await.unwrap();
        if !now.status.is_open() {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the export did not finish");
}

async fn export(db: &DatabaseConnection, admin: &Actor, request: ExportRequest) -> (ExportJob, String) {
    let dir = dir();
    let job = exports::start(db, admin, request, &dir).await.unwrap();
    let done = finished(db, admin, &job).await;
    assert_eq!(done.status, ExportStatus::Done, "{:?}", done.error);
    let (path, _) = exports::download(db, admin, job.id.0, &dir).await.unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(done.bytes, text.len() as u64);
    (done, text)
}

async fn world(db: &DatabaseConnection) -> Actor {
    boot(db).await;
    let admin = admin(db).await;
    let acme = organisations::create(db, &admin, "Acme, Inc.").await.unwrap();
    for (email, first) in [("ada@acme.test", "Ada"), ("bob@acme.test", "Bob"), ("cy@example.com", "Cy")] {
        let dev = developer(db, email).await;
        let me = Actor::from(&dev);
        profile::update_names(db, &me, first, "Quote \"Q\" Smith").await.unwrap();
        if email.ends_with("acme.test") {
            organisations::assign(db, &admin, dev.id, acme.id, &[], OrgRole::Member).await.unwrap();
        }
        let tier = if first == "Ada" { "=HYPERLINK(\"http://evil\")" } else { "gold" };
        developers::set_attribute(db, &admin, dev.id, AttributeInput::parse("tier", tier).unwrap())
            .await
            .unwrap();
    }
    let bob = portico_domain::services::accounts::find_by_email(
        db,
        &portico_model::Email::parse("bob@acme.test").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    developers::set_attribute(db, &admin, bob.id, AttributeInput::parse("crm", "42").unwrap()).await.unwrap();
    let input =
        ProductInput::parse("Maps", "maps", "Maps, tiles", "https://api.example.com", "# Maps").unwrap();
    products::create(db, &admin, input).await.unwrap();
    admin
}

fn request(kind: ExportKind, format: ExportFormat, search: Option<DeveloperQuery>) -> ExportRequest {
    ExportRequest { kind, format, search }
}

async fn a_developer_csv_escapes_neutralises_and_flattens_attributes(db: DatabaseConnection) {
    let admin = world(&db).await;
    let (job, text) = export(&db, &admin, request(ExportKind::Developers, ExportFormat::Csv, None)).await;
    assert_eq!((job.rows_done, job.rows_total, job.percent()), (4, 4, 100));
    let mut lines = text.split("\r\n");
    let header = lines.next().unwrap();
    assert!(header.ends_with(",attr.crm,attr.tier"), "{header}");
    assert!(!header.contains("teams"), "nested data stays out of the CSV");
    let ada = text.lines().find(|l| l.contains("ada@acme.test")).unwrap();
    assert!(ada.contains(",\"Quote \"\"Q\"\" Smith\","), "quotes doubled: {ada}");
    assert!(ada.contains("\"Acme, Inc.\""), "commas quoted: {ada}");
    assert!(ada.ends_with(",,\"'=HYPERLINK(\"\"http://evil\"\")\""), "formula neutralised: {ada}");
    let bob = text.lines().find(|l| l.contains("bob@acme.test")).unwrap();
    assert!(bob.ends_with(",42,gold"), "{bob}");
    assert_eq!(text.matches("\r\n").count(), 5, "a header and four rows");
}
db_test!(a_developer_csv_escapes_neutralises_and_flattens_attributes);

async fn a_developer_json_keeps_everything_nested_and_follows_the_search(db: DatabaseConnection) {
    let admin = world(&db).await;
    let search = DeveloperQuery {
        text: "acme".into(),
        status: Some(AccountStatus::Active),
        ..DeveloperQuery::default()
    };
    let (job, text) =
        export(&db, &admin, request(ExportKind::Developers, ExportFormat::Json, Some(search))).await;
    assert_eq!(job.filter_summary, "search “acme”, status active");
    let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut emails: Vec<&str> = rows.iter().map(|r| r["email"].as_str().unwrap()).collect();
    emails.sort_unstable();
    assert_eq!(emails, ["ada@acme.test", "bob@acme.test"], "only the search's matches");
    let bob = rows.iter().find(|r| r["email"] == "bob@acme.test").unwrap();
    assert_eq!(bob["organisation"]["name"], "Acme, Inc.");
    assert_eq!(bob["teams"], serde_json::json!(["Default team"]));
    assert_eq!(bob["attributes"], serde_json::json!({ "crm": "42", "tier": "gold" }));
    assert_eq!(job.rows_total, 2);
}
db_test!(a_developer_json_keeps_everything_nested_and_follows_the_search);

async fn batch_boundaries_change_nothing_in_the_file(db: DatabaseConnection) {
    let admin = world(&db).await;
    // More developers than the smallest batches, some with attributes, all in a team.
    let orgs = organisations::list(&db, &admin, Some("Acme"), None).await.unwrap();
    let acme = orgs.into_iter().find(|o| o.org.name == "Acme, Inc.").unwrap();
    for i in 0..5 {
        let dev = developer(&db, &format!("dev{i}@acme.test")).await;
        organisations::assign(&db, &admin, dev.id, acme.org.id, &[], OrgRole::Member).await.unwrap();
        if i % 2 == 0 {
            let value = format!("v{i}");
            developers::set_attribute(&db, &admin, dev.id, AttributeInput::parse("crm", &value).unwrap())
                .await
                .unwrap();
        }
    }
    let acme_search = DeveloperQuery { text: "acme".into(), ..DeveloperQuery::default() };
    for format in [ExportFormat::Csv, ExportFormat::Json] {
        for search in [None, Some(acme_search.clone())] {
            let mut files = Vec::new();
            for batch in [1, 2, 3, export::BATCH] {
                let (mut out, mut reported) = (Vec::new(), Vec::new());
                let rows = export::developers_in_batches(
                    &db,
                    format,
                    search.clone(),
                    &mut out,
                    |n| reported.push(n),
                    batch,
                )
                .await
                .unwrap();
                assert_eq!(reported.last().copied(), Some(rows), "progress ends at the rows written");
                assert!(reported.windows(2).all(|w| w[0] < w[1]), "progress only grows: {reported:?}");
                files.push((batch, rows, String::from_utf8(out).unwrap()));
            }
            let (_, rows, whole) = files.last().unwrap().clone();
            let expected = if search.is_some() { 7 } else { 9 };
            assert_eq!(rows, expected, "{format:?} {search:?}");
            for (batch, n, text) in &files {
                assert_eq!((*n, text), (rows, &whole), "batch of {batch}, {format:?}, {search:?}");
            }
            if format == ExportFormat::Json {
                let records: Vec<Value> = serde_json::from_str(&whole).unwrap();
                let dev4 = records.iter().find(|r| r["email"] == "dev4@acme.test").unwrap();
                assert_eq!(dev4["attributes"], serde_json::json!({ "crm": "v4" }));
                assert_eq!(dev4["organisation"]["name"], "Acme, Inc.");
                assert_eq!(records.iter().filter(|r| r["attributes"].get("crm").is_some()).count(), 4);
            } else {
                assert_eq!(whole.lines().filter(|l| l.contains(",v0,") || l.contains(",v2,")).count(), 2);
            }
        }
    }
}
db_test!(batch_boundaries_change_nothing_in_the_file);

async fn apps_and_products_export_and_only_admins_may(db: DatabaseConnection) {
    let admin = world(&db).await;
    let (_, csv) = export(&db, &admin, request(ExportKind::Products, ExportFormat::Csv, None)).await;
    assert!(csv.starts_with("id,name,slug,summary,base_url,published,apis,catalogs\r\n"));
    assert!(csv.contains(",Maps,maps,\"Maps, tiles\","), "{csv}");
    let (_, json) = export(&db, &admin, request(ExportKind::Products, ExportFormat::Json, None)).await;
    let products: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(products[0]["documentation"], "# Maps");
    let (job, json) = export(&db, &admin, request(ExportKind::Apps, ExportFormat::Json, None)).await;
    assert_eq!((job.rows_done, json.trim()), (0, "[]"), "no apps yet: an empty array");
    // A search belongs to developer exports only.
    let wrong = exports::start(
        &db,
        &admin,
        request(ExportKind::Apps, ExportFormat::Csv, Some(DeveloperQuery::default())),
        &dir(),
    )
    .await;
    assert!(matches!(wrong, Err(DomainError::Invalid(_))));
    // Developers may not export, list or download.
    let dev = Actor::from(&developer(&db, "eve@example.com").await);
    let refused =
        exports::start(&db, &dev, request(ExportKind::Developers, ExportFormat::Csv, None), &dir()).await;
    assert!(matches!(refused, Err(DomainError::Forbidden)));
    assert!(matches!(exports::list(&db, &dev).await, Err(DomainError::Forbidden)));
    assert!(matches!(exports::download(&db, &dev, job.id.0, &dir()).await, Err(DomainError::Forbidden)));
    assert_eq!(exports::list(&db, &admin).await.unwrap().len(), 3);
}
db_test!(apps_and_products_export_and_only_admins_may);

async fn jobs_a_restart_interrupted_are_failed_not_left_running(db: DatabaseConnection) {
    let admin = world(&db).await;
    let id = Uuid::now_v7();
    export_job::ActiveModel {
        id: Set(id),
        kind: Set("developers".into()),
        format: Set("csv".into()),
        filter: Set("null".into()),
        filter_summary: Set("everything".into()),
        status: Set("running".into()),
        rows_done: Set(10),
        rows_total: Set(100),
        bytes: Set(0),
        error: Set(None),
        created_by: Set(admin.user_id),
        created_at: Set(chrono::Utc::now()),
        finished_at: Set(None),
    }
    .insert(&db)
    .await
    .unwrap();
    assert_eq!(exports::fail_interrupted(&db).await.unwrap(), 1);
    let job = exports::get(&db, &admin, id).await.unwrap();
    assert_eq!(job.status, ExportStatus::Failed);
    assert!(job.error.unwrap().contains("restart"));
    assert!(matches!(exports::download(&db, &admin, id, &dir()).await, Err(DomainError::Conflict(_))));
}
db_test!(jobs_a_restart_interrupted_are_failed_not_left_running);

//! The fast developers CSV (one text value per batch on SQLite, binary `COPY` on
//! PostgreSQL) against the general reader: developers with awkward values (quotes,
//! commas, line breaks, formulas, unicode, empty and NULL fields, many attributes,
//! attribute names that need quoting, separators and timestamps the fast reader must
//! hand back) give the same file byte for byte, in every batch size.

use crate::boot;
use chrono::{TimeZone, Utc};
use portico_domain::entities::{developer_attribute, organisation, user};
use portico_domain::export::{self, Reader, Written};
use portico_model::{DeveloperQuery, ExportFormat};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, Set};
use uuid::Uuid;

const AWKWARD: &[&str] = &[
    "plain",
    "",
    "comma, inside",
    "say \"hi\"",
    "\"",
    "two\nlines",
    "carriage\rreturn",
    "crlf\r\nend",
    "=SUM(A1:A9)",
    "+1 555",
    "-1",
    "@handle",
    "\tlead tab",
    "\rlead cr",
    "a=b",
    "Zoë Ångström — 東京 🚀",
    "' quoted start",
    " spaced ",
    "trailing,",
    "=\"a,b\"\n",
];

async fn org(db: &DatabaseConnection, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    organisation::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        status: Set(organisation::OrgStatus::Active),
        is_default: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        requested_by: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
    }
    .insert(db)
    .await
    .unwrap();
    id
}

/// Developers made of every awkward value, some with many attributes. Returns their ids.
async fn world(db: &DatabaseConnection) -> Vec<Uuid> {
    boot(db).await;
    let orgs = [org(db, "Acme, \"Inc\"").await, org(db, "=cmd|' /C calc'!A0").await, org(db, "Plain").await];
    let statuses = [
        user::UserStatus::Pending,
        user::UserStatus::Active,
        user::UserStatus::Inactive,
        user::UserStatus::Rejected,
    ];
    let base = Utc.with_ymd_and_hms(2026, 12, 4, 18, 22, 45).unwrap();
    // Whole seconds, milliseconds, microseconds, nanoseconds (PostgreSQL keeps micros).
    let fractions = [0, 918_000_000, 918_198_000, 918_198_885, 1_000, 100_000_000];
    let attr_names = ["tier", "crm_id", "a,b", "=formula", "quote\"d", "ünï", "line\nname", "-x", "@y", "z"];
    let mut ids = Vec::new();
    for (i, value) in AWKWARD.iter().enumerate() {
        let id = Uuid::now_v7();
        let at = base
            + chrono::Duration::nanoseconds(fractions[i % fractions.len()])
            + chrono::Duration::days(i as i64);
        let other = AWKWARD[(i + 7) % AWKWARD.len()];
        user::ActiveModel {
            id: Set(id),
            email: Set(format!("{i}.{}@example.com", value.escape_default())),
            first_name: Set((*value).to_owned()),
            last_name: Set(other.to_owned()),
            username: Set((i % 3 != 0).then(|| format!("{other}{i}"))),
            password_hash: Set(None),
            portal_role: Set(if i == 5 { user::PortalRole::Admin } else { user::PortalRole::Developer }),
            status: Set(statuses[i % statuses.len()]),
            org_id: Set(orgs[i % orgs.len()]),
            org_role: Set(if i % 4 == 1 { user::OrgRole::SuperAdmin } else { user::OrgRole::Member }),
            must_change_password: Set(false),
            created_at: Set(at),
            updated_at: Set(at + chrono::Duration::microseconds(1)),
            status_changed_at: Set(at + chrono::Duration::milliseconds(1)),
        }
        .insert(db)
        .await
        .unwrap();
        // Every second developer has attributes; some have every name.
        let names: &[&str] = match i % 4 {
            0 => &attr_names,
            2 => &attr_names[i % 5..i % 5 + 3],
            _ => &[],
        };
        for (k, name) in names.iter().enumerate() {
            developer_attribute::ActiveModel {
                user_id: Set(id),
                name: Set((*name).to_owned()),
                value: Set(AWKWARD[(i + k) % AWKWARD.len()].to_owned()),
                created_at: Set(at),
                updated_at: Set(at),
            }
            .insert(db)
            .await
            .unwrap();
        }
        ids.push(id);
    }
    ids
}

async fn csv(db: &DatabaseConnection, reader: Reader, batch: u64) -> (Written, String, Vec<u64>) {
    let (mut out, mut reported) = (Vec::new(), Vec::new());
    let written =
        export::developers_with(db, ExportFormat::Csv, None, &mut out, |n| reported.push(n), reader, batch)
            .await
            .unwrap();
    (written, String::from_utf8(out).unwrap(), reported)
}

/// Every batch size writes what the general reader writes, and the fast reader runs.
async fn same_files(db: &DatabaseConnection, expect_general_batches: bool) {
    let (general, expected, _) = csv(db, Reader::General, export::BATCH).await;
    assert_eq!(general.reader, Reader::General);
    for batch in [1, 2, 3, 7, export::BATCH] {
        let (fast, text, reported) = csv(db, Reader::Fast, batch).await;
        assert_eq!(fast.reader, Reader::Fast, "the fast reader ran (batch {batch})");
        assert_eq!(fast.rows, general.rows);
        if text != expected {
            for (n, (a, b)) in text.split("\r\n").zip(expected.split("\r\n")).enumerate() {
                assert_eq!(a, b, "line {n}, batch {batch}");
            }
        }
        assert_eq!(text, expected, "batch {batch}");
        assert_eq!(reported.last().copied(), Some(fast.rows), "progress ends at the rows written");
        assert!(reported.windows(2).all(|w| w[0] < w[1]), "progress only grows: {reported:?}");
        if batch == export::BATCH {
            assert_eq!(fast.general_batches > 0, expect_general_batches, "batch {batch}: {fast:?}");
        }
    }
}

async fn the_fast_csv_is_the_general_csv_byte_for_byte(db: DatabaseConnection) {
    let ids = world(&db).await;
    // Plain data: no batch goes the general way.
    same_files(&db, false).await;
    let (_, text, _) = csv(&db, Reader::Fast, 3).await;
    let header = text.split("\r\n").next().unwrap();
    assert!(header.contains(",\"attr.a,b\",") && header.contains(",\"attr.quote\"\"d\","), "{header}");
    assert!(text.contains(",\"'=cmd|' /C calc'!A0\","), "formulas neutralised");
    assert!(text.contains("918198+00:00") && text.contains("T18:22:45+00:00"), "timestamps");
    assert_eq!(text.matches("@example.com").count(), ids.len() + 1, "and the admin");

    // Values the fast reader cannot pass through: separators inside values (of users and
    // of attributes), and on SQLite timestamps stored otherwise than the file writes them.
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let (ph1, ph2) = if sqlite { ("?", "?") } else { ("$1", "$2") };
    let update = format!("UPDATE users SET first_name = {ph1} WHERE id = {ph2}");
    for (id, name) in [(ids[1], "unit\u{1f}sep"), (ids[4], "record\u{1e}sep")] {
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            update.as_str(),
            [name.into(), id.into()],
        ))
        .await
        .unwrap();
    }
    let update =
        format!("UPDATE developer_attributes SET value = {ph1} WHERE user_id = {ph2} AND name = 'tier'");
    for (id, value) in [(ids[0], "unit\u{1f}sep"), (ids[8], "record\u{1e}sep")] {
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            update.as_str(),
            [value.into(), id.into()],
        ))
        .await
        .unwrap();
    }
    if sqlite {
        for (id, stored) in [
            (ids[7], "2026-12-04T18:22:45.000+00:00"),
            (ids[9], "2026-12-04 18:22:45.918"),
            (ids[12], "2026-12-04T18:22:45.918000+00:00"),
        ] {
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "UPDATE users SET updated_at = ? WHERE id = ?",
                [stored.into(), id.into()],
            ))
            .await
            .unwrap();
        }
    }
    same_files(&db, sqlite).await;

    // JSON and searches read the general way.
    let mut out = Vec::new();
    let search = DeveloperQuery { text: "plain".into(), ..DeveloperQuery::default() };
    let json = export::developers_with(&db, ExportFormat::Json, None, &mut out, |_| {}, Reader::Fast, 4);
    assert_eq!(json.await.unwrap().reader, Reader::General);
    let searched =
        export::developers_with(&db, ExportFormat::Csv, Some(search), &mut out, |_| {}, Reader::Fast, 4);
    assert_eq!(searched.await.unwrap().reader, Reader::General);
}
portico_domain::db_test!(the_fast_csv_is_the_general_csv_byte_for_byte);

async fn an_empty_table_of_attributes_and_one_developer(db: DatabaseConnection) {
    boot(&db).await;
    // Only the bootstrap admin, no attributes at all.
    let (general, expected, _) = csv(&db, Reader::General, export::BATCH).await;
    for batch in [1, export::BATCH] {
        let (fast, text, reported) = csv(&db, Reader::Fast, batch).await;
        assert_eq!((fast.rows, &text), (general.rows, &expected));
        assert_eq!(reported, vec![1]);
    }
    assert_eq!(expected.matches("\r\n").count(), 2);
}
portico_domain::db_test!(an_empty_table_of_attributes_and_one_developer);

async fn a_value_stored_as_another_type_is_read_the_general_way(db: DatabaseConnection) {
    if db.get_database_backend() != DbBackend::Sqlite {
        return; // PostgreSQL's columns hold their declared type.
    }
    let ids = world(&db).await;
    // SQLite keeps a blob in a text column as a blob.
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE users SET last_name = CAST('Blob' AS BLOB) WHERE id = ?",
        [ids[3].into()],
    ))
    .await
    .unwrap();
    let db = &db;
    let read = |reader| async move {
        let mut out = Vec::new();
        let written =
            export::developers_with(db, ExportFormat::Csv, None, &mut out, |_| {}, reader, export::BATCH)
                .await;
        written.map(|w| (w.rows, w.general_batches, out)).map_err(|e| e.to_string())
    };
    let general = read(Reader::General).await;
    let fast = read(Reader::Fast).await;
    match (general, fast) {
        (Ok((rows, _, expected)), Ok((fast_rows, general_batches, text))) => {
            assert_eq!((fast_rows, text), (rows, expected));
            assert_eq!(general_batches, 1, "the batch with the blob went the general way");
        }
        (Err(general), Err(fast)) => assert_eq!(fast, general, "the same refusal"),
        (general, fast) => panic!("general {:?} but fast {:?}", general.map(|g| g.0), fast.map(|f| f.0)),
    }
}
portico_domain::db_test!(a_value_stored_as_another_type_is_read_the_general_way);

//! The developer live search against an oracle: for generated developers and prefixes
//! typed the way people type them (one, two, three and more letters, several words, with
//! and without a status filter, in each sort order), every page of the search, under
//! each strategy, equals a brute-force filter and sort in Rust over all users.

use crate::{admin, boot, developer};
use portico_domain::entities::user::OrgRole;
use portico_domain::entities::{api_key, developer_attribute, organisation, team, team_membership, user};
use portico_domain::services::{organisations, profile, search_index};
use portico_domain::{Actor, db_test};
use portico_model::{AccountStatus, DeveloperQuery, DeveloperSort};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement};
use std::collections::HashMap;
use uuid::Uuid;

/// A user as the oracle sees them: the fields a search covers, the status and the sort
/// keys.
struct Person {
    id: Uuid,
    fields: Vec<String>,
    status: user::UserStatus,
    created: chrono::DateTime<chrono::Utc>,
    name: String,
    email: String,
}

async fn people(db: &DatabaseConnection) -> Vec<Person> {
    let orgs: HashMap<Uuid, String> =
        organisation::Entity::find().all(db).await.unwrap().into_iter().map(|o| (o.id, o.name)).collect();
    let teams: HashMap<Uuid, String> =
        team::Entity::find().all(db).await.unwrap().into_iter().map(|t| (t.id, t.name)).collect();
    let mut extra: HashMap<Uuid, Vec<String>> = HashMap::new();
    for m in team_membership::Entity::find().all(db).await.unwrap() {
        extra.entry(m.user_id).or_default().push(teams[&m.team_id].clone());
    }
    for a in developer_attribute::Entity::find().all(db).await.unwrap() {
        extra.entry(a.user_id).or_default().push(a.value);
    }
    for k in api_key::Entity::find().all(db).await.unwrap() {
        extra.entry(k.created_by).or_default().push(k.prefix);
    }
    user::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| {
            let mut fields = vec![u.first_name.clone(), u.last_name.clone(), u.email.clone()];
            fields.extend(u.username.clone());
            fields.push(orgs[&u.org_id].clone());
            fields.extend(extra.remove(&u.id).unwrap_or_default());
            Person {
                id: u.id,
                fields: fields.iter().map(|f| f.trim().to_lowercase()).collect(),
                status: u.status,
                created: u.created_at,
                name: format!("{} {}", u.first_name, u.last_name).to_lowercase(),
                email: u.email,
            }
        })
        .collect()
}

/// Whether a typed term finds this field: three characters or more anywhere in it,
/// fewer at the start of one of its words (the field's start, after white space, or a
/// letter, digit or `_` after anything else).
fn finds(field: &str, term: &str) -> bool {
    if term.chars().count() >= 3 {
        return field.contains(term);
    }
    let chars: Vec<char> = field.chars().collect();
    let want: Vec<char> = term.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    (0..chars.len()).any(|i| {
        let starts = i == 0 || chars[i - 1].is_whitespace() || (word(chars[i]) && !word(chars[i - 1]));
        starts && !chars[i].is_whitespace() && chars[i..].starts_with(&want)
    })
}

/// The oracle: the ids a search must list, in order.
fn expected(all: &[Person], q: &DeveloperQuery) -> Vec<Uuid> {
    let terms: Vec<String> = q.text.split_whitespace().map(str::to_lowercase).collect();
    let status = q.status.map(|s| match s {
        AccountStatus::Pending => user::UserStatus::Pending,
        AccountStatus::Active => user::UserStatus::Active,
        AccountStatus::Inactive => user::UserStatus::Inactive,
        AccountStatus::Rejected => user::UserStatus::Rejected,
    });
    let mut found: Vec<&Person> = all
        .iter()
        .filter(|p| status.is_none_or(|s| p.status == s))
        .filter(|p| terms.iter().all(|t| p.fields.iter().any(|f| finds(f, t))))
        .collect();
    match q.sort {
        DeveloperSort::Newest => found.sort_by_key(|p| std::cmp::Reverse((p.created, p.id))),
        DeveloperSort::Oldest => found.sort_by_key(|p| (p.created, p.id)),
        DeveloperSort::Name => found.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id))),
        DeveloperSort::Email => found.sort_by(|a, b| (&a.email, a.id).cmp(&(&b.email, b.id))),
    }
    found.into_iter().map(|p| p.id).collect()
}

/// Every page of a search, in order, and the first page's count.
async fn listed(
    db: &DatabaseConnection,
    who: &Actor,
    mut q: DeveloperQuery,
    strategy: search_index::Strategy,
) -> (Vec<Uuid>, u32, bool) {
    let mut ids = Vec::new();
    let mut count = None;
    loop {
        let (rows, page) = search_index::search_with(db, who, &q, strategy).await.unwrap();
        count.get_or_insert((page.matched, page.more));
        ids.extend(rows.into_iter().map(|r| r.user_id));
        match page.next {
            Some(next) => q.after = Some(next),
            None => break,
        }
    }
    let (matched, more) = count.unwrap_or_default();
    (ids, matched, more)
}

/// What people type: prefixes of generated names, emails and organisations, and a few
/// fixed texts.
fn typed(all: &[Person]) -> Vec<String> {
    let mut texts: Vec<String> = [
        "w", "wo", "wid", "wide wo", "o'", "ne", "ex", "ca", "_u", "se", "ann", "an", "de", "la c", "zq",
        "x", "m j", "ja s", "9",
    ]
    .map(str::to_owned)
    .to_vec();
    let prefix = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    for p in all.iter().step_by(23) {
        let (first, last, email) = (&p.fields[0], &p.fields[1], &p.fields[2]);
        for n in [1, 2, 3, 5] {
            texts.push(prefix(first, n));
        }
        texts.push(prefix(last, 2));
        texts.push(prefix(email, 4));
        texts.push(format!("{} {}", prefix(first, 3), prefix(last, 1)));
        texts.push(format!("{} {}", prefix(last, 2), prefix(first, 2)));
        if let Some(org) = p.fields.get(4).and_then(|o| o.split_whitespace().last()) {
            texts.push(prefix(org, 2));
        }
    }
    texts.sort();
    texts.dedup();
    texts
}

async fn search_equals_a_brute_force_filter_over_every_user(db: DatabaseConnection) {
    use search_index::Strategy;
    boot(&db).await;
    let admin = admin(&db).await;
    let wide = organisations::create(&db, &admin, "Wide World Importers").await.unwrap();
    let team = organisations::create_team(&db, &admin, wide.id, "La Cosa").await.unwrap();
    for (email, first, last) in [
        ("ann.o@wide.test", "Mary-Ann", "O'Neil"),
        ("jc@wide.test", "Juan", "de la Cruz"),
        ("w9@wide.test", "Wolf", "9Lives"),
        ("snake_case@wide.test", "Ca_se", "_Under"),
    ] {
        let dev = developer(&db, email).await;
        organisations::assign(&db, &admin, dev.id, wide.id, &[team.id], OrgRole::Member).await.unwrap();
        profile::update_names(&db, &Actor::from(&dev), first, last).await.unwrap();
    }
    portico_domain::demo::bulk_developers(&db, 160, |_| {}).await.unwrap();
    let all = people(&db).await;
    let statuses = [None, Some(AccountStatus::Active), Some(AccountStatus::Pending)];
    let mut non_empty = 0;
    let texts = typed(&all);
    for text in &texts {
        for status in statuses {
            for sort in DeveloperSort::ALL {
                let q = DeveloperQuery { text: text.clone(), status, sort, limit: 10, ..Default::default() };
                let want = expected(&all, &q);
                for strategy in [Strategy::Auto, Strategy::Scan] {
                    let (ids, matched, more) = listed(&db, &admin, q.clone(), strategy).await;
                    let what = format!("{text:?} {status:?} {sort:?} {strategy:?}");
                    assert_eq!(ids, want, "{what}");
                    assert_eq!((matched as usize, more), (want.len().min(1000), want.len() > 1000), "{what}");
                }
                non_empty += usize::from(!want.is_empty());
            }
        }
    }
    assert!(non_empty * 2 >= texts.len() * 12, "most searches find someone ({non_empty})");
}
db_test!(search_equals_a_brute_force_filter_over_every_user);

/// PostgreSQL connections plan each statement for its values: with a generic plan (what
/// PostgreSQL may keep after five runs of a prepared statement) the search's probe read
/// the trigram index whatever the pattern, 19 ms for "c" at a million developers where
/// the plan made for "c" takes 1.3 ms.
#[tokio::test]
async fn postgres_connections_plan_each_statement_for_its_values() {
    let Some(url) = portico_domain::testing::postgres_url() else {
        eprintln!("PostgreSQL skipped: PORTICO_TEST_POSTGRES_URL=skip");
        return;
    };
    let db = portico_domain::db::connect(&url).await.expect("connect");
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SHOW plan_cache_mode"))
        .await
        .expect("show")
        .expect("a row");
    let mode: String = row.try_get("", "plan_cache_mode").expect("the setting");
    assert_eq!(mode, "force_custom_plan");
}

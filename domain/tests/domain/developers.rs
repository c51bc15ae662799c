//! Admin developer management: live search over the index (every field it covers,
//! filters, sorts, keyset pages), the index kept current by every write, custom
//! attributes and their limit, edits that never touch keys, lifecycle at the gateway,
//! plan changes and revocation, delete (preview equals what goes), and the audit log.

use crate::{admin, boot, developer, mailer};
use chrono::Duration;
use portico_domain::entities::user::OrgRole;
use portico_domain::entities::{api_key, app, developer_search, user};
use portico_domain::gateway::{Decision, Gateway, Reason};
use portico_domain::services::access::{self, AppChoice, NewRequest};
use portico_domain::services::invitations::{self, Invitee};
use portico_domain::services::lifecycle::{self, Transition};
use portico_domain::services::{
    accounts, audit, catalogs, developer_delete, developers, organisations, products, profile, search_index,
};
use portico_domain::{Actor, DomainError, db_test};
use portico_model::{
    AccountStatus, ApiInput, AppInput, AttributeInput, AuditQuery, DeveloperEdit, DeveloperQuery,
    DeveloperSort, Email, PersonName, PlanInput, ProductInput, QuotaPeriod, RatePeriod, Visibility,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

struct World {
    admin: Actor,
    /// Acme's super admins (Ada, Alan) and a member (Bob) in team Payments; Ivy an
    /// individual with an app of her own and a key.
    ada: Actor,
    bob: Actor,
    ivy: Actor,
    acme: Uuid,
    payments: Uuid,
    open: Uuid,
    starter: Uuid,
    pro: Uuid,
    ivy_key: String,
    ivy_request: Uuid,
}

async fn actor(db: &DatabaseConnection, id: Uuid) -> Actor {
    Actor::from(&accounts::get(db, id).await.unwrap())
}

fn plan(name: &str, quota: u32) -> PlanInput {
    PlanInput {
        name: name.into(),
        rate_limit: 1000,
        rate_period: RatePeriod::Second,
        quota: Some(quota),
        quota_period: QuotaPeriod::Day,
        key_lifetime_days: None,
        requires_approval: false,
    }
}

async fn world(db: &DatabaseConnection) -> World {
    boot(db).await;
    let admin = admin(db).await;
    let acme = organisations::create(db, &admin, "Acme Rockets").await.unwrap();
    let payments = organisations::create_team(db, &admin, acme.id, "Payments").await.unwrap();
    let mut people = Vec::new();
    for (email, first, last, role) in [
        ("ada@acme.test", "Ada", "Byron", OrgRole::SuperAdmin),
        ("alan@acme.test", "Alan", "Turing", OrgRole::SuperAdmin),
        ("bob@acme.test", "Bob", "Marley", OrgRole::Member),
    ] {
        let dev = developer(db, email).await;
        organisations::assign(db, &admin, dev.id, acme.id, &[payments.id], role).await.unwrap();
        let who = actor(db, dev.id).await;
        profile::update_names(db, &who, first, last).await.unwrap();
        people.push(who);
    }
    let ivy = Actor::from(&developer(db, "ivy@example.com").await);
    profile::update_names(db, &ivy, "Ivy", "Green").await.unwrap();
    let input = ProductInput::parse("Maps", "maps", "Maps", "https://api.example.com", "# Maps").unwrap();
    let maps = products::create(db, &admin, input.clone()).await.unwrap();
    products::update(db, &admin, maps, input, true).await.unwrap();
    products::add_api(db, &admin, maps, ApiInput::parse("Maps", "/maps").unwrap(), None).await.unwrap();
    let open = catalogs::create(db, &admin, "Open", Visibility::Public).await.unwrap();
    catalogs::set_product(db, &admin, open, maps, true).await.unwrap();
    let starter = catalogs::create_plan(db, &admin, open, plan("Starter", 2)).await.unwrap().id.0;
    let pro = catalogs::create_plan(db, &admin, open, plan("Pro", 100)).await.unwrap().id.0;
    let ask = NewRequest {
        catalog_id: open,
        plan_id: starter,
        product_ids: vec![maps],
        app: AppChoice::New(AppInput::parse("Ivy's app", "").unwrap()),
        comment: String::new(),
        idempotency_key: "developers-form-1".into(),
    };
    let outcome = access::request(db, &mailer(), &ivy, ask).await.unwrap();
    let [ada, _alan, bob] = <[Actor; 3]>::try_from(people).unwrap();
    World {
        admin,
        ada,
        bob,
        ivy,
        acme: acme.id,
        payments: payments.id,
        open,
        starter,
        pro,
        ivy_key: outcome.key.unwrap().secret,
        ivy_request: outcome.request.id.0,
    }
}

fn query(text: &str) -> DeveloperQuery {
    DeveloperQuery { text: text.into(), ..DeveloperQuery::default() }
}

async fn emails(db: &DatabaseConnection, who: &Actor, q: DeveloperQuery) -> Vec<String> {
    let (rows, _) = search_index::search(db, who, &q).await.unwrap();
    rows.into_iter().map(|r| r.email).collect()
}

async fn search_finds_developers_by_every_field_it_covers(db: DatabaseConnection) {
    let w = world(&db).await;
    let prefix = api_key::Entity::find().one(&db).await.unwrap().unwrap().prefix;
    developers::set_attribute(
        &db,
        &w.admin,
        w.bob.user_id,
        AttributeInput::parse("crm", "Zeppelin-42").unwrap(),
    )
    .await
    .unwrap();
    let bob = vec!["bob@acme.test".to_owned()];
    for (typed, expected) in [
        ("marley bob", bob.clone()),
        ("zeppelin", bob.clone()),
        ("bob@acme", bob.clone()),
        (prefix.as_str(), vec!["ivy@example.com".to_owned()]),
        (&prefix.to_uppercase(), vec!["ivy@example.com".to_owned()]),
    ] {
        assert_eq!(emails(&db, &w.admin, query(typed)).await, expected, "{typed:?}");
    }
    let acme = emails(&db, &w.admin, DeveloperQuery { sort: DeveloperSort::Email, ..query("rockets") }).await;
    assert_eq!(acme, vec!["ada@acme.test", "alan@acme.test", "bob@acme.test"], "by organisation name");
    let team =
        emails(&db, &w.admin, DeveloperQuery { sort: DeveloperSort::Email, ..query("payments") }).await;
    assert_eq!(team, acme, "by team name");
    // Short terms (one or two letters) match the start of a word of any indexed field.
    assert_eq!(emails(&db, &w.admin, query("al")).await, vec!["alan@acme.test"]);
    let m = emails(&db, &w.admin, DeveloperQuery { sort: DeveloperSort::Email, ..query("b") }).await;
    assert_eq!(m, vec!["ada@acme.test", "bob@acme.test"], "Byron's last name, Bob's first");
    assert!(emails(&db, &w.admin, query("xq")).await.is_empty());
    // Filters: status and organisation.
    let in_acme = DeveloperQuery { org_id: Some(w.acme.into()), sort: DeveloperSort::Email, ..query("") };
    assert_eq!(emails(&db, &w.admin, in_acme).await.len(), 3);
    let pending = DeveloperQuery { status: Some(AccountStatus::Pending), ..query("") };
    assert!(emails(&db, &w.admin, pending).await.is_empty());
    // Odd input is text, not syntax.
    for odd in ["\"", "a\"b OR c", "%_%", "NEAR(", "'; DROP TABLE users; --"] {
        search_index::search(&db, &w.admin, &query(odd)).await.unwrap();
    }
    // Admins only.
    let r = search_index::search(&db, &w.ada, &query("")).await;
    assert!(matches!(r, Err(DomainError::Forbidden)));
}
db_test!(search_finds_developers_by_every_field_it_covers);

async fn keyset_pages_cover_every_match_once_in_each_order(db: DatabaseConnection) {
    let w = world(&db).await;
    for i in 0..23 {
        developer(&db, &format!("page-{i:02}@example.com")).await;
    }
    let total = user::Entity::find().count(&db).await.unwrap() as usize;
    for sort in DeveloperSort::ALL {
        let mut seen = Vec::new();
        let mut q = DeveloperQuery { sort, limit: 7, ..query("") };
        loop {
            let (rows, page) = search_index::search(&db, &w.admin, &q).await.unwrap();
            assert_eq!((page.matched as usize, page.more), (total, false));
            seen.extend(rows.into_iter().map(|r| (r.email, r.sort_name, r.created_at)));
            match page.next {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len(), total, "{sort:?}: every match once");
        let mut sorted = seen.clone();
        match sort {
            DeveloperSort::Newest => sorted.sort_by_key(|a| std::cmp::Reverse(a.2)),
            DeveloperSort::Oldest => sorted.sort_by_key(|a| a.2),
            DeveloperSort::Name => sorted.sort_by(|a, b| a.1.cmp(&b.1)),
            DeveloperSort::Email => sorted.sort_by(|a, b| a.0.cmp(&b.0)),
        }
        let key = |v: &Vec<(String, String, chrono::DateTime<chrono::Utc>)>| match sort {
            DeveloperSort::Name => v.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            DeveloperSort::Email => v.iter().map(|r| r.0.clone()).collect(),
            _ => v.iter().map(|r| r.2.to_rfc3339()).collect(),
        };
        assert_eq!(key(&seen), key(&sorted), "{sort:?}: in order");
    }
    let bad = DeveloperQuery { after: Some("not-a-cursor".into()), ..query("") };
    assert!(matches!(search_index::search(&db, &w.admin, &bad).await, Err(DomainError::Invalid(_))));
}
db_test!(keyset_pages_cover_every_match_once_in_each_order);

async fn every_write_keeps_the_index_current(db: DatabaseConnection) {
    let w = world(&db).await;
    organisations::rename(&db, &w.admin, w.acme, "Acme Spaceships").await.unwrap();
    organisations::rename_team(&db, &w.admin, w.payments, "Billing").await.unwrap();
    let edit = DeveloperEdit {
        first_name: "Robert".into(),
        last_name: "Tables".into(),
        email: "robert@acme.test".into(),
        username: "bobby".into(),
    };
    developers::update(&db, &w.admin, w.bob.user_id, edit.parse().unwrap()).await.unwrap();
    developers::set_attribute(
        &db,
        &w.admin,
        w.ivy.user_id,
        AttributeInput::parse("tier", "platinum").unwrap(),
    )
    .await
    .unwrap();
    lifecycle::apply(&db, &mailer(), &w.admin, w.ivy.user_id, Transition::Deactivate).await.unwrap();
    let carl = developer(&db, "carl@example.com").await;
    organisations::assign(&db, &w.admin, carl.id, w.acme, &[], OrgRole::Member).await.unwrap();
    profile::update_names(&db, &w.ada, "Augusta", "King").await.unwrap();
    organisations::delete_team(&db, &w.admin, w.payments).await.unwrap();
    assert_eq!(search_index::stale(&db).await.unwrap(), Vec::<Uuid>::new(), "no row lags the tables");
    assert_eq!(emails(&db, &w.admin, query("spaceships robert")).await, vec!["robert@acme.test"]);
    assert_eq!(emails(&db, &w.admin, query("bobby")).await, vec!["robert@acme.test"]);
    assert_eq!(emails(&db, &w.admin, query("platinum")).await, vec!["ivy@example.com"]);
    assert!(
        emails(&db, &w.admin, query("billing")).await.is_empty(),
        "the deleted team is gone from documents"
    );
    assert_eq!(emails(&db, &w.admin, query("augusta")).await, vec!["ada@acme.test"]);
    let inactive = DeveloperQuery { status: Some(AccountStatus::Inactive), ..query("") };
    assert_eq!(emails(&db, &w.admin, inactive).await, vec!["ivy@example.com"]);
}
db_test!(every_write_keeps_the_index_current);

async fn attributes_stop_at_eighteen_and_are_audited(db: DatabaseConnection) {
    let w = world(&db).await;
    let set = |name: String, value: &str| {
        let (db, admin, id) = (db.clone(), w.admin.clone(), w.bob.user_id);
        let input = AttributeInput::parse(&name, value).unwrap();
        async move { developers::set_attribute(&db, &admin, id, input).await }
    };
    for i in 0..18 {
        set(format!("attr{i:02}"), "v").await.unwrap();
    }
    let refused = set("attr18".into(), "v").await;
    match refused {
        Err(DomainError::Invalid(errors)) => assert!(errors[0].message.contains("at most 18"), "{errors:?}"),
        other => panic!("the 19th attribute must be refused: {other:?}"),
    }
    // Changing one of the 18 is fine; deleting one makes room.
    let attrs = set("attr00".into(), "changed").await.unwrap();
    assert_eq!((attrs.len(), attrs[0].value.as_str()), (18, "changed"));
    developers::delete_attribute(&db, &w.admin, w.bob.user_id, "attr01").await.unwrap();
    assert_eq!(set("attr18".into(), "v").await.unwrap().len(), 18);
    assert!(matches!(
        developers::delete_attribute(&db, &w.admin, w.bob.user_id, "nope").await,
        Err(DomainError::NotFound)
    ));
    // Developers cannot set attributes.
    let r =
        developers::set_attribute(&db, &w.ada, w.bob.user_id, AttributeInput::parse("x", "y").unwrap()).await;
    assert!(matches!(r, Err(DomainError::Forbidden)));
    let profile = developers::profile(&db, &w.admin, w.bob.user_id).await.unwrap();
    let change =
        profile.audit.iter().find(|e| e.action == "attribute.set" && e.summary.contains("attr00")).unwrap();
    assert_eq!(change.actor, "root@example.com");
    assert!(change.changes.iter().any(|c| c.before == "v" && c.after == "changed"), "{:?}", change.changes);
}
db_test!(attributes_stop_at_eighteen_and_are_audited);

async fn edits_never_touch_keys_and_refuse_taken_addresses(db: DatabaseConnection) {
    let w = world(&db).await;
    let keys_before = api_key::Entity::find().all(&db).await.unwrap();
    let edit = |email: &str, username: &str| DeveloperEdit {
        first_name: "Ivy".into(),
        last_name: "Bridge".into(),
        email: email.into(),
        username: username.into(),
    };
    developers::update(&db, &w.admin, w.ivy.user_id, edit("ivy.b@example.com", "ivyb").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(api_key::Entity::find().all(&db).await.unwrap(), keys_before, "keys untouched");
    let gateway = Gateway::new(db.clone());
    assert!(matches!(gateway.decide(Some(&w.ivy_key), "/maps").await.unwrap(), Decision::Allow(_)));
    let taken =
        developers::update(&db, &w.admin, w.bob.user_id, edit("ivy.b@example.com", "").parse().unwrap())
            .await;
    assert!(matches!(&taken, Err(DomainError::Invalid(e)) if e[0].field == "email"), "{taken:?}");
    let taken =
        developers::update(&db, &w.admin, w.bob.user_id, edit("bob@acme.test", "IVYB").parse().unwrap())
            .await;
    assert!(matches!(&taken, Err(DomainError::Invalid(e)) if e[0].field == "username"), "{taken:?}");
    let entry = &developers::profile(&db, &w.admin, w.ivy.user_id).await.unwrap().audit[0];
    assert_eq!(entry.action, "developer.update");
    let fields: Vec<(&str, &str, &str)> =
        entry.changes.iter().map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str())).collect();
    assert!(fields.contains(&("email", "ivy@example.com", "ivy.b@example.com")), "{fields:?}");
    assert!(fields.contains(&("last_name", "Green", "Bridge")), "{fields:?}");
}
db_test!(edits_never_touch_keys_and_refuse_taken_addresses);

async fn deactivation_stops_keys_at_once_and_reactivation_restores_them(db: DatabaseConnection) {
    let w = world(&db).await;
    let gateway = Gateway::new(db.clone());
    assert!(matches!(gateway.decide(Some(&w.ivy_key), "/maps").await.unwrap(), Decision::Allow(_)));
    lifecycle::apply(&db, &mailer(), &w.admin, w.ivy.user_id, Transition::Deactivate).await.unwrap();
    let refused = gateway.decide(Some(&w.ivy_key), "/maps").await.unwrap();
    assert!(matches!(refused, Decision::Deny { reason: Reason::DeveloperInactive, .. }), "{refused:?}");
    // The inactive developer still signs in and sees their apps; key and app keep their status.
    let apps =
        portico_domain::services::apps::list_mine(&db, &actor(&db, w.ivy.user_id).await).await.unwrap();
    assert_eq!(apps[0].keys[0].status, portico_model::KeyStatus::Active);
    lifecycle::apply(&db, &mailer(), &w.admin, w.ivy.user_id, Transition::Activate).await.unwrap();
    assert!(matches!(gateway.decide(Some(&w.ivy_key), "/maps").await.unwrap(), Decision::Allow(_)));
    let log =
        audit::list(&db, &w.admin, &AuditQuery { action: "developer.".into(), ..AuditQuery::default() })
            .await
            .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(&actions[..2], ["developer.activate", "developer.deactivate"], "newest first");
    let by_target =
        audit::list(&db, &w.admin, &AuditQuery { target: "IVY@".into(), ..AuditQuery::default() })
            .await
            .unwrap();
    assert!(by_target.len() >= 2 && by_target.iter().all(|e| e.target_label == "ivy@example.com"));
    assert!(matches!(audit::list(&db, &w.ada, &AuditQuery::default()).await, Err(DomainError::Forbidden)));
}
db_test!(deactivation_stops_keys_at_once_and_reactivation_restores_them);

async fn a_plan_change_keeps_the_keys_and_a_revoked_subscription_stops_them(db: DatabaseConnection) {
    let w = world(&db).await;
    let gateway = Gateway::new(db.clone());
    let calls = |n| {
        let (gateway, key) = (gateway.clone(), w.ivy_key.clone());
        async move {
            let mut allowed = 0;
            for _ in 0..n {
                if matches!(gateway.decide(Some(&key), "/maps").await.unwrap(), Decision::Allow(_)) {
                    allowed += 1;
                }
            }
            allowed
        }
    };
    assert_eq!(calls(3).await, 2, "Starter allows 2 a day");
    let keys_before = api_key::Entity::find().all(&db).await.unwrap();
    developers::change_plan(&db, &w.admin, w.ivy_request, w.pro).await.unwrap();
    assert_eq!(api_key::Entity::find().all(&db).await.unwrap(), keys_before, "no new keys");
    assert_eq!(calls(3).await, 3, "Pro's quota applies on the next call");
    let same = developers::change_plan(&db, &w.admin, w.ivy_request, w.pro).await;
    assert!(matches!(same, Err(DomainError::Invalid(_))));
    let other_catalog = catalogs::create(&db, &w.admin, "Other", Visibility::Public).await.unwrap();
    let foreign = catalogs::create_plan(&db, &w.admin, other_catalog, plan("Foreign", 1)).await.unwrap().id.0;
    assert!(matches!(
        developers::change_plan(&db, &w.admin, w.ivy_request, foreign).await,
        Err(DomainError::Invalid(_))
    ));
    assert!(matches!(
        developers::change_plan(&db, &w.ada, w.ivy_request, w.starter).await,
        Err(DomainError::Forbidden)
    ));
    let profile = developers::profile(&db, &w.admin, w.ivy.user_id).await.unwrap();
    let sub = &profile.subscriptions[0];
    assert_eq!(sub.request.plan.name, "Pro");
    assert_eq!(sub.other_plans.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["Starter"]);
    developers::revoke_subscription(&db, &w.admin, w.ivy_request).await.unwrap();
    assert_eq!(calls(1).await, 0, "its keys stop at once");
    assert!(developers::profile(&db, &w.admin, w.ivy.user_id).await.unwrap().subscriptions.is_empty());
    assert!(matches!(
        developers::revoke_subscription(&db, &w.admin, w.ivy_request).await,
        Err(DomainError::Conflict(_))
    ));
    let _ = w.open;
}
db_test!(a_plan_change_keeps_the_keys_and_a_revoked_subscription_stops_them);

async fn delete_removes_exactly_what_the_preview_lists(db: DatabaseConnection) {
    let w = world(&db).await;
    // Ivy also has a pending request and a session; Ada (super admin) an open invitation.
    let ask = NewRequest {
        catalog_id: w.open,
        plan_id: w.pro,
        product_ids: products::list(&db, &w.admin).await.unwrap().iter().map(|p| p.id.0).collect(),
        app: AppChoice::New(AppInput::parse("Second app", "").unwrap()),
        comment: String::new(),
        idempotency_key: "developers-form-2".into(),
    };
    access::request(&db, &mailer(), &w.ivy, ask).await.unwrap();
    let invitee = Invitee {
        first_name: PersonName::parse("first_name", "Nina").unwrap(),
        last_name: PersonName::parse("last_name", "New").unwrap(),
        email: Email::parse("nina@acme.test").unwrap(),
    };
    invitations::invite_teammate(&db, &mailer(), &w.ada, invitee, OrgRole::Member, Duration::hours(24))
        .await
        .unwrap();
    let preview = developer_delete::preview(&db, &w.admin, w.ivy.user_id).await.unwrap();
    assert_eq!(preview.apps, vec!["Ivy's app", "Second app"]);
    assert_eq!((preview.keys, preview.pending_requests, preview.invitations), (2, 0, 0));
    assert_eq!(preview.memberships.len(), 1);
    let ada_preview = developer_delete::preview(&db, &w.admin, w.ada.user_id).await.unwrap();
    assert_eq!(ada_preview.invitations, 1);

    // A wrong confirmation deletes nothing.
    let wrong = developer_delete::delete(&db, &w.admin, w.ivy.user_id, "someone@else.test").await;
    assert!(matches!(&wrong, Err(DomainError::Invalid(e)) if e[0].field == "confirm"), "{wrong:?}");
    assert!(accounts::get(&db, w.ivy.user_id).await.is_ok());

    let gateway = Gateway::new(db.clone());
    gateway.decide(Some(&w.ivy_key), "/maps").await.unwrap();
    gateway.flush().await.unwrap();
    let deleted = developer_delete::delete(&db, &w.admin, w.ivy.user_id, "IVY@example.com").await.unwrap();
    assert_eq!(deleted, preview, "what went is what the preview listed");
    assert!(matches!(accounts::get(&db, w.ivy.user_id).await, Err(DomainError::NotFound)));
    let revoked =
        api_key::Entity::find().filter(api_key::Column::RevokedAt.is_not_null()).count(&db).await.unwrap();
    assert_eq!(revoked, u64::from(preview.keys));
    let live_apps = app::Entity::find().filter(app::Column::DeletedAt.is_null()).count(&db).await.unwrap();
    assert_eq!(live_apps, 0);
    assert!(matches!(
        gateway.decide(Some(&w.ivy_key), "/maps").await.unwrap(),
        Decision::Deny { reason: Reason::RevokedKey, .. }
    ));
    assert_eq!(
        developer_search::Entity::find()
            .filter(developer_search::Column::Email.eq("ivy@example.com"))
            .count(&db)
            .await
            .unwrap(),
        0
    );
    assert!(emails(&db, &w.admin, query("ivy@example")).await.is_empty());
    assert_eq!(search_index::stale(&db).await.unwrap(), Vec::<Uuid>::new());
    // Usage history stays for the portal's aggregates.
    let portal = portico_domain::services::usage::portal_series(&db, &w.admin).await.unwrap();
    assert_eq!(portal.allowed, 1);
    // The last super admin of an organisation must hand over first; admins are not developers.
    developer_delete::delete(&db, &w.admin, w.ada.user_id, "ada@acme.test").await.unwrap();
    let alan = user::Entity::find()
        .filter(user::Column::Email.eq("alan@acme.test"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let last = developer_delete::delete(&db, &w.admin, alan.id, "alan@acme.test").await;
    assert!(matches!(last, Err(DomainError::Conflict(_))), "{last:?}");
    let root = developer_delete::preview(&db, &w.admin, w.admin.user_id).await;
    assert!(matches!(root, Err(DomainError::Conflict(_))));
    assert!(matches!(developer_delete::preview(&db, &w.bob, alan.id).await, Err(DomainError::Forbidden)));
}
db_test!(delete_removes_exactly_what_the_preview_lists);

/// Every page, in order, of a search under one strategy, and the count of the first.
async fn all_pages(
    db: &DatabaseConnection,
    who: &Actor,
    mut q: DeveloperQuery,
    strategy: search_index::Strategy,
) -> (Vec<String>, (u32, bool)) {
    let mut seen = Vec::new();
    let mut count = None;
    loop {
        let (rows, page) = search_index::search_with(db, who, &q, strategy).await.unwrap();
        count.get_or_insert((page.matched, page.more));
        seen.extend(rows.into_iter().map(|r| r.email));
        match page.next {
            Some(next) => q.after = Some(next),
            None => break,
        }
    }
    (seen, count.unwrap_or_default())
}

/// The search reads rows in one of two ways (from the text index, or walking the sort
/// order and testing each row); which one it picks must never change what is found.
async fn both_search_strategies_find_the_same_rows_in_the_same_order(db: DatabaseConnection) {
    use search_index::Strategy;
    let w = world(&db).await;
    portico_domain::demo::bulk_developers(&db, 240, |_| {}).await.unwrap();
    let org = user::Entity::find()
        .filter(user::Column::Email.contains(".example"))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .org_id;
    let texts = [
        "",
        "ja",
        "m",
        "mary",
        "smith",
        "james s",
        "wil j",
        "northwind",
        "example",
        "acme",
        "zq",
        "crm",
        "m j",
    ];
    let statuses = [None, Some(AccountStatus::Active), Some(AccountStatus::Pending)];
    let mut non_empty = 0;
    for text in texts {
        for status in statuses {
            for org_id in [None, Some(org.into())] {
                for sort in DeveloperSort::ALL {
                    let q = DeveloperQuery {
                        text: text.into(),
                        status,
                        org_id,
                        sort,
                        limit: 9,
                        ..Default::default()
                    };
                    let by_text = all_pages(&db, &w.admin, q.clone(), Strategy::Text).await;
                    let by_scan = all_pages(&db, &w.admin, q.clone(), Strategy::Scan).await;
                    let auto = all_pages(&db, &w.admin, q.clone(), Strategy::Auto).await;
                    let what = format!("{text:?} {status:?} {org_id:?} {sort:?}");
                    assert_eq!(by_scan, by_text, "{what}");
                    assert_eq!(auto, by_text, "{what}");
                    assert_eq!(by_text.1.0 as usize, by_text.0.len().min(1000), "{what}: the count");
                    non_empty += usize::from(!by_text.0.is_empty());
                }
            }
        }
    }
    assert!(non_empty >= 150, "most of the searches find someone ({non_empty} of 312)");
}
db_test!(both_search_strategies_find_the_same_rows_in_the_same_order);

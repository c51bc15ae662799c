//! The catalog and the way to a key: private catalogs' visibility, the access-request
//! state machine, idempotency under concurrent requests, the key format, hash-only key
//! storage, rotation with a grace period, and organisations kept apart.

use crate::{admin, boot, developer, mailer};
use chrono::{Duration, Utc};
use portico_domain::entities::user::OrgRole;
use portico_domain::entities::{access_request, api_key, app, outbox_message};
use portico_domain::services::access::{self, AppChoice, NewRequest};
use portico_domain::services::{accounts, apps, cart, catalogs, keys, org_members, organisations, products};
use portico_domain::{Actor, DomainError, apikey, db_test};
use portico_model::{
    ApiInput, AppInput, KeyStatus, PlanInput, ProductInput, QuotaPeriod, RatePeriod, RequestStatus,
    Visibility,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

/// Acme (team Payments with Ada, its super admin, and Bob; Carl in the default team),
/// Globex (Hank), an individual (Ivy); a public catalog "Open" and a private catalog
/// "Partners" shown to Acme's Payments team; products Maps (in both) and Pay (in
/// Partners only); a manual-approval plan in Partners and an instant plan in Open.
struct World {
    admin: Actor,
    ada: Actor,
    bob: Actor,
    carl: Actor,
    hank: Actor,
    ivy: Actor,
    open: Uuid,
    partners: Uuid,
    maps: Uuid,
    pay: Uuid,
    gold: Uuid,
    free: Uuid,
    payments_team: Uuid,
}

async fn actor(db: &DatabaseConnection, id: Uuid) -> Actor {
    Actor::from(&accounts::get(db, id).await.unwrap())
}

fn product(name: &str, slug: &str) -> ProductInput {
    ProductInput::parse(name, slug, "Summary", "https://api.example.com", "# Docs").unwrap()
}

fn plan(name: &str, approval: bool, lifetime: Option<u32>) -> PlanInput {
    PlanInput {
        name: name.into(),
        rate_limit: 10,
        rate_period: RatePeriod::Second,
        quota: Some(10_000),
        quota_period: QuotaPeriod::Day,
        key_lifetime_days: lifetime,
        requires_approval: approval,
    }
}

async fn world(db: &DatabaseConnection) -> World {
    boot(db).await;
    let admin = admin(db).await;
    let acme = organisations::create(db, &admin, "Acme").await.unwrap();
    let globex = organisations::create(db, &admin, "Globex").await.unwrap();
    let payments = organisations::create_team(db, &admin, acme.id, "Payments").await.unwrap();
    let mut people = Vec::new();
    for (email, org, teams, role) in [
        ("ada@acme.test", acme.id, vec![payments.id], OrgRole::SuperAdmin),
        ("bob@acme.test", acme.id, vec![payments.id], OrgRole::Member),
        ("carl@acme.test", acme.id, vec![], OrgRole::Member),
        ("hank@globex.test", globex.id, vec![], OrgRole::SuperAdmin),
    ] {
        let dev = developer(db, email).await;
        organisations::assign(db, &admin, dev.id, org, &teams, role).await.unwrap();
        people.push(actor(db, dev.id).await);
    }
    let ivy = Actor::from(&developer(db, "ivy@example.com").await);
    let open = catalogs::create(db, &admin, "Open", Visibility::Public).await.unwrap();
    let partners = catalogs::create(db, &admin, "Partners", Visibility::Private).await.unwrap();
    catalogs::set_team(db, &admin, partners, payments.id, true).await.unwrap();
    let maps = products::create(db, &admin, product("Maps", "maps")).await.unwrap();
    let pay = products::create(db, &admin, product("Pay", "pay")).await.unwrap();
    for (id, p) in [(maps, product("Maps", "maps")), (pay, product("Pay", "pay"))] {
        products::update(db, &admin, id, p, true).await.unwrap();
    }
    catalogs::set_product(db, &admin, open, maps, true).await.unwrap();
    catalogs::set_product(db, &admin, partners, maps, true).await.unwrap();
    catalogs::set_product(db, &admin, partners, pay, true).await.unwrap();
    let gold = catalogs::create_plan(db, &admin, partners, plan("Gold", true, Some(90))).await.unwrap().id.0;
    let free = catalogs::create_plan(db, &admin, open, plan("Free", false, None)).await.unwrap().id.0;
    let [ada, bob, carl, hank] = <[Actor; 4]>::try_from(people).unwrap();
    World {
        admin,
        ada,
        bob,
        carl,
        hank,
        ivy,
        open,
        partners,
        maps,
        pay,
        gold,
        free,
        payments_team: payments.id,
    }
}

fn ask(catalog: Uuid, plan: Uuid, products: &[Uuid], app: AppChoice, key: &str) -> NewRequest {
    NewRequest {
        catalog_id: catalog,
        plan_id: plan,
        product_ids: products.to_vec(),
        app,
        comment: "For our checkout".into(),
        idempotency_key: key.into(),
    }
}

fn new_app(name: &str) -> AppChoice {
    AppChoice::New(AppInput::parse(name, "").unwrap())
}

async fn private_catalogs_are_seen_only_by_their_audience(db: DatabaseConnection) {
    let w = world(&db).await;
    let names = |l: portico_model::CatalogListing| -> (Vec<String>, Vec<String>) {
        (l.catalogs.into_iter().map(|c| c.name).collect(), l.products.into_iter().map(|p| p.name).collect())
    };
    let everything =
        (vec!["Open".to_owned(), "Partners".to_owned()], vec!["Maps".to_owned(), "Pay".to_owned()]);
    let public_only = (vec!["Open".to_owned()], vec!["Maps".to_owned()]);
    assert_eq!(names(catalogs::listing(&db, Some(&w.ada)).await.unwrap()), everything, "team member");
    assert_eq!(names(catalogs::listing(&db, Some(&w.admin)).await.unwrap()), everything, "admin");
    for (who, a) in [
        ("other team", Some(&w.carl)),
        ("other org", Some(&w.hank)),
        ("individual", Some(&w.ivy)),
        ("visitor", None),
    ] {
        assert_eq!(names(catalogs::listing(&db, a).await.unwrap()), public_only, "{who}");
    }
    // The product page follows: Pay does not exist for outsiders; Maps shows only the
    // catalogs (and plans) they may see.
    assert!(matches!(
        products::detail_for_consumer(&db, Some(&w.carl), "pay").await,
        Err(DomainError::NotFound)
    ));
    let maps = products::detail_for_consumer(&db, Some(&w.carl), "maps").await.unwrap();
    assert_eq!(maps.offers.iter().map(|o| o.catalog.name.as_str()).collect::<Vec<_>>(), ["Open"]);
    let maps = products::detail_for_consumer(&db, Some(&w.bob), "maps").await.unwrap();
    assert_eq!(maps.offers.len(), 2);
    assert_eq!(maps.offers[1].plans[0].name, "Gold");
    // Outsiders cannot put a hidden catalog's product in their cart either.
    assert!(matches!(cart::add(&db, &w.hank, w.pay, w.partners).await, Err(DomainError::NotFound)));
    // Showing the catalog to Globex as an organisation lets all of Globex in.
    catalogs::set_org(&db, &w.admin, w.partners, w.hank.org_id, true).await.unwrap();
    assert_eq!(names(catalogs::listing(&db, Some(&w.hank)).await.unwrap()), everything);
    // Drafts are for admins only.
    products::update(&db, &w.admin, w.pay, product("Pay", "pay"), false).await.unwrap();
    assert!(matches!(
        products::detail_for_consumer(&db, Some(&w.bob), "pay").await,
        Err(DomainError::NotFound)
    ));
    assert!(products::detail_for_consumer(&db, Some(&w.admin), "pay").await.is_ok());
    // Non-admins manage nothing.
    assert!(matches!(
        catalogs::set_team(&db, &w.ada, w.partners, w.payments_team, false).await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(products::list(&db, &w.bob).await, Err(DomainError::Forbidden)));
}
db_test!(private_catalogs_are_seen_only_by_their_audience);

async fn the_cart_is_kept_per_user_and_grouped_by_catalog(db: DatabaseConnection) {
    let w = world(&db).await;
    cart::add(&db, &w.bob, w.maps, w.open).await.unwrap();
    cart::add(&db, &w.bob, w.pay, w.partners).await.unwrap();
    cart::add(&db, &w.bob, w.maps, w.partners).await.unwrap();
    cart::add(&db, &w.bob, w.maps, w.partners).await.unwrap();
    let mine = cart::get(&db, &w.bob).await.unwrap();
    let groups: Vec<(String, Vec<String>)> = mine
        .groups
        .iter()
        .map(|g| (g.catalog.name.clone(), g.products.iter().map(|p| p.name.clone()).collect()))
        .collect();
    assert_eq!(
        groups,
        [("Open".into(), vec!["Maps".into()]), ("Partners".into(), vec!["Maps".into(), "Pay".into()])]
    );
    assert_eq!(mine.groups[1].plans[0].name, "Gold");
    assert!(cart::get(&db, &w.ada).await.unwrap().is_empty(), "carts are per user");
    cart::remove(&db, &w.bob, w.maps, w.open).await.unwrap();
    assert_eq!(cart::get(&db, &w.bob).await.unwrap().len(), 2);
}
db_test!(the_cart_is_kept_per_user_and_grouped_by_catalog);

async fn manual_approval_requests_wait_for_an_admin_who_decides_once(db: DatabaseConnection) {
    let w = world(&db).await;
    let m = mailer();
    cart::add(&db, &w.bob, w.maps, w.partners).await.unwrap();
    cart::add(&db, &w.bob, w.pay, w.partners).await.unwrap();
    let out = access::request(
        &db,
        &m,
        &w.bob,
        ask(w.partners, w.gold, &[w.maps, w.pay], new_app("Checkout"), "form-0001"),
    )
    .await
    .unwrap();
    assert_eq!(out.request.status, RequestStatus::Pending);
    assert!(out.key.is_none(), "no key before approval");
    assert_eq!(out.request.products.len(), 2, "one request, one set of credentials for both products");
    assert!(cart::get(&db, &w.bob).await.unwrap().is_empty(), "requested products leave the cart");
    let admin_mail = portico_domain::testing::latest_mail_to(&db, "root@example.com").await;
    assert_eq!(admin_mail.template, "access_request_received");
    assert!(admin_mail.text_body.contains("Maps, Pay"), "{}", admin_mail.text_body);
    let request_id = out.request.id.0;
    // No keys while pending, and nobody but an admin decides.
    assert!(matches!(keys::create(&db, &w.bob, request_id).await, Err(DomainError::Conflict(_))));
    assert!(matches!(
        access::decide(&db, &m, &w.ada, request_id, true, None).await,
        Err(DomainError::Forbidden)
    ));
    let approved = access::decide(&db, &m, &w.admin, request_id, true, None).await.unwrap();
    assert_eq!(approved.status, RequestStatus::Approved);
    let mail = portico_domain::testing::latest_mail_to(&db, "bob@acme.test").await;
    assert_eq!(mail.template, "access_request_approved");
    assert!(mail.text_body.contains(&format!("/apps/{}", approved.app_id)), "{}", mail.text_body);
    // Decided once: a second decision (say, another admin's reject) is refused.
    assert!(matches!(
        access::decide(&db, &m, &w.admin, request_id, false, Some("late")).await,
        Err(DomainError::Conflict(_))
    ));
    // Now the teammate makes a key; the plan's 90-day lifetime applies.
    let key = keys::create(&db, &w.ada, request_id).await.unwrap();
    let expires = key.key.expires_at.unwrap();
    assert!((expires - Utc::now() - Duration::days(90)).num_seconds().abs() < 60);
    assert_eq!(key.key.status, KeyStatus::Active);

    // A rejection carries its reason to the requester and frees the products to ask again.
    let again =
        access::request(&db, &m, &w.ada, ask(w.partners, w.gold, &[w.pay], new_app("Refunds"), "form-0002"))
            .await
            .unwrap();
    access::decide(&db, &m, &w.admin, again.request.id.0, false, Some("Tell us more about the app"))
        .await
        .unwrap();
    let mail = portico_domain::testing::latest_mail_to(&db, "ada@acme.test").await;
    assert_eq!(mail.template, "access_request_rejected");
    assert!(mail.text_body.contains("Tell us more about the app"));
    let listed = access::list_for_admin(&db, &w.admin, Some(RequestStatus::Rejected)).await.unwrap();
    assert_eq!(listed[0].reason.as_deref(), Some("Tell us more about the app"));
    let retry = ask(w.partners, w.gold, &[w.pay], AppChoice::Existing(again.request.app_id.0), "form-0003");
    assert_eq!(access::request(&db, &m, &w.ada, retry).await.unwrap().request.status, RequestStatus::Pending);
}
db_test!(manual_approval_requests_wait_for_an_admin_who_decides_once);

async fn a_plan_without_approval_gives_a_working_key_at_once(db: DatabaseConnection) {
    let w = world(&db).await;
    let out = access::request(
        &db,
        &mailer(),
        &w.ivy,
        ask(w.open, w.free, &[w.maps], new_app("Hobby"), "form-ivy-1"),
    )
    .await
    .unwrap();
    assert_eq!(out.request.status, RequestStatus::Approved);
    let key = out.key.expect("the first key comes with the answer");
    // The format round-trips: the key passes its own checksum and finds its row.
    assert_eq!(apikey::check(&key.secret), Ok(()));
    assert!(key.secret.starts_with(&key.key.prefix));
    let row = keys::find_by_secret(&db, &key.secret).await.unwrap().expect("the key's row");
    assert_eq!(row.id, key.key.id.0);
    // A typo is no key, and needs no lookup to say so.
    let mut typo = key.secret.clone().into_bytes();
    typo[10] = if typo[10] == b'x' { b'y' } else { b'x' };
    let typo = String::from_utf8(typo).unwrap();
    assert!(apikey::check(&typo).is_err());
    assert!(keys::find_by_secret(&db, &typo).await.unwrap().is_none());
    // No admin mail for an instant plan; the individual's app is their own.
    assert_eq!(
        outbox_message::Entity::find()
            .filter(outbox_message::Column::Template.eq("access_request_received"))
            .count(&db)
            .await
            .unwrap(),
        0
    );
    let ivys = apps::list_mine(&db, &w.ivy).await.unwrap();
    assert_eq!(ivys.len(), 1);
    assert!(!ivys[0].shared);
    let other_individual = Actor::from(&developer(&db, "jo@example.com").await);
    assert!(apps::list_mine(&db, &other_individual).await.unwrap().is_empty(), "individuals share nothing");
}
db_test!(a_plan_without_approval_gives_a_working_key_at_once);

async fn keys_are_stored_only_as_hashes(db: DatabaseConnection) {
    let w = world(&db).await;
    let m = mailer();
    let out =
        access::request(&db, &m, &w.bob, ask(w.open, w.free, &[w.maps], new_app("Store"), "form-hash-1"))
            .await
            .unwrap();
    let mut secrets = vec![out.key.unwrap().secret];
    secrets.push(keys::create(&db, &w.ada, out.request.id.0).await.unwrap().secret);
    let rows = api_key::Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.len(), 2);
    // No column of any key row, nor any mail, holds a usable key.
    let mails = outbox_message::Entity::find().all(&db).await.unwrap();
    for secret in &secrets {
        for row in &rows {
            assert!(!format!("{row:?}").contains(secret.as_str()), "{row:?}");
            assert!(row.prefix.len() < apikey::LEN / 2, "only a short prefix is kept");
        }
        for mail in &mails {
            assert!(!mail.text_body.contains(secret.as_str()) && !mail.html_body.contains(secret.as_str()));
        }
        assert!(rows.iter().any(|r| r.key_hash == portico_domain::secret::hash_token(secret)));
    }
}
db_test!(keys_are_stored_only_as_hashes);

async fn rotation_keeps_the_old_key_for_its_grace_and_revoke_ends_it_at_once(db: DatabaseConnection) {
    let w = world(&db).await;
    let out = access::request(
        &db,
        &mailer(),
        &w.bob,
        ask(w.open, w.free, &[w.maps], new_app("Rotor"), "form-rot-1"),
    )
    .await
    .unwrap();
    let first = out.key.unwrap();
    let second = keys::rotate(&db, &w.ada, first.key.id.0, 24).await.unwrap();
    assert_ne!(second.secret, first.secret);
    assert_eq!(second.key.request_id, first.key.request_id, "same products and plan");
    let app = apps::view(&db, &w.bob, out.request.app_id.0).await.unwrap();
    let old = app.keys.iter().find(|k| k.id == first.key.id).unwrap();
    let grace_end = old.expires_at.unwrap();
    assert!((grace_end - Utc::now() - Duration::hours(24)).num_seconds().abs() < 60, "{grace_end}");
    assert_eq!(old.status, KeyStatus::ExpiringSoon, "still works during the grace period");
    // Rotating with no grace ends the old key at once.
    let third = keys::rotate(&db, &w.bob, second.key.id.0, 0).await.unwrap();
    let app = apps::view(&db, &w.bob, out.request.app_id.0).await.unwrap();
    assert_eq!(app.keys.iter().find(|k| k.id == second.key.id).unwrap().status, KeyStatus::Expired);
    assert!(matches!(keys::rotate(&db, &w.bob, second.key.id.0, 24).await, Err(DomainError::Conflict(_))));
    assert!(keys::rotate(&db, &w.bob, third.key.id.0, 10_000).await.is_err(), "grace is bounded");
    keys::revoke(&db, &w.carl, third.key.id.0).await.unwrap();
    let app = apps::view(&db, &w.bob, out.request.app_id.0).await.unwrap();
    assert_eq!(app.keys.iter().find(|k| k.id == third.key.id).unwrap().status, KeyStatus::Revoked);
    assert_eq!(app.keys.iter().find(|k| k.id == first.key.id).unwrap().status, KeyStatus::ExpiringSoon);
    // Deleting the app revokes every key.
    apps::delete(&db, &w.bob, out.request.app_id.0).await.unwrap();
    let left = api_key::Entity::find().filter(api_key::Column::RevokedAt.is_null()).count(&db).await.unwrap();
    assert_eq!(left, 0);
    assert!(matches!(apps::view(&db, &w.bob, out.request.app_id.0).await, Err(DomainError::NotFound)));
    let request = access_request::Entity::find_by_id(out.request.id.0).one(&db).await.unwrap().unwrap();
    assert_eq!(request.status, access_request::RequestStatus::Revoked);
}
db_test!(rotation_keeps_the_old_key_for_its_grace_and_revoke_ends_it_at_once);

async fn concurrent_requests_for_the_same_app_product_and_plan_make_one(db: DatabaseConnection) {
    let w = world(&db).await;
    let m = mailer();
    let app = apps::create(&db, &w.ada, AppInput::parse("Shared", "").unwrap()).await.unwrap();
    // Eight tabs at once, each with its own form.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (db, m, bob) = (db.clone(), m.clone(), w.bob.clone());
        let new =
            ask(w.partners, w.gold, &[w.maps, w.pay], AppChoice::Existing(app.id), &format!("tab-{i:04}"));
        tasks.push(tokio::spawn(async move { access::request(&db, &m, &bob, new).await }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap().request.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every tab got the one request");
    assert_eq!(access_request::Entity::find().count(&db).await.unwrap(), 1);
    // Eight double clicks of one form that makes a new app: one request, one app.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (db, m, bob) = (db.clone(), m.clone(), w.bob.clone());
        let new = ask(w.open, w.free, &[w.maps], new_app("Double click"), "same-form-0001");
        tasks.push(tokio::spawn(async move { access::request(&db, &m, &bob, new).await }));
    }
    let mut keys_given = 0;
    for t in tasks {
        let out = t.await.unwrap().unwrap();
        keys_given += usize::from(out.key.is_some());
    }
    assert_eq!(keys_given, 1, "the key is shown once");
    assert_eq!(access_request::Entity::find().count(&db).await.unwrap(), 2);
    assert_eq!(app::Entity::find().filter(app::Column::Name.eq("Double click")).count(&db).await.unwrap(), 1);
    // Asking for part of what is held, plus something new, is refused by name.
    let partial = ask(w.partners, w.gold, &[w.pay], AppChoice::Existing(app.id), "tab-partial");
    match access::request(&db, &m, &w.ada, partial).await {
        Err(DomainError::Conflict(msg)) => assert!(msg.contains("Pay"), "{msg}"),
        other => panic!("expected a conflict, got {:?}", other.map(|o| o.request.id)),
    }
}
db_test!(concurrent_requests_for_the_same_app_product_and_plan_make_one);

async fn apps_and_keys_stay_inside_their_organisation(db: DatabaseConnection) {
    let w = world(&db).await;
    let out = access::request(
        &db,
        &mailer(),
        &w.bob,
        ask(w.open, w.free, &[w.maps], new_app("Acme app"), "form-iso-1"),
    )
    .await
    .unwrap();
    let (app_id, request_id, key_id) = (out.request.app_id.0, out.request.id.0, out.key.unwrap().key.id.0);
    // Globex's super admin reaches none of it.
    assert!(matches!(apps::view(&db, &w.hank, app_id).await, Err(DomainError::NotFound)));
    assert!(matches!(keys::create(&db, &w.hank, request_id).await, Err(DomainError::NotFound)));
    assert!(matches!(keys::rotate(&db, &w.hank, key_id, 24).await, Err(DomainError::NotFound)));
    assert!(matches!(keys::revoke(&db, &w.hank, key_id).await, Err(DomainError::NotFound)));
    assert!(matches!(apps::delete(&db, &w.hank, app_id).await, Err(DomainError::NotFound)));
    let hijack = ask(w.open, w.free, &[w.maps], AppChoice::Existing(app_id), "form-hank-1");
    assert!(matches!(access::request(&db, &mailer(), &w.hank, hijack).await, Err(DomainError::NotFound)));
    assert!(apps::list_mine(&db, &w.hank).await.unwrap().is_empty());
    assert_eq!(
        apps::view(&db, &w.hank.clone(), app_id).await.map(|_| ()).unwrap_err().to_string(),
        "not found"
    );
    // Everyone in Acme shares the app; it stays when its creator leaves.
    assert_eq!(apps::list_mine(&db, &w.carl).await.unwrap().len(), 1);
    org_members::remove_member(&db, &w.ada, w.bob.user_id).await.unwrap();
    let bob_now = actor(&db, w.bob.user_id).await;
    assert!(
        apps::list_mine(&db, &bob_now).await.unwrap().is_empty(),
        "Bob left; the app did not go with him"
    );
    let acme_apps = apps::list_mine(&db, &w.ada).await.unwrap();
    assert_eq!(acme_apps.len(), 1);
    assert_eq!(acme_apps[0].keys[0].status, KeyStatus::Active, "his key still works for Acme");
    // Admins see every app.
    assert_eq!(apps::list_all(&db, &w.admin).await.unwrap().len(), 1);
    assert!(matches!(apps::list_all(&db, &w.ada).await, Err(DomainError::Forbidden)));
}
db_test!(apps_and_keys_stay_inside_their_organisation);

async fn bad_input_is_refused_with_its_field_and_nothing_is_written(db: DatabaseConnection) {
    let w = world(&db).await;
    let m = mailer();
    let no_products = ask(w.partners, w.gold, &[], new_app("Empty"), "form-bad-1");
    assert!(
        matches!(access::request(&db, &m, &w.bob, no_products).await, Err(DomainError::Invalid(e)) if e[0].field == "products")
    );
    let wrong_plan = ask(w.partners, w.free, &[w.maps], new_app("Wrong"), "form-bad-2");
    assert!(
        matches!(access::request(&db, &m, &w.bob, wrong_plan).await, Err(DomainError::Invalid(e)) if e[0].field == "plan")
    );
    let not_offered = ask(w.open, w.free, &[w.pay], new_app("Pay"), "form-bad-3");
    assert!(
        matches!(access::request(&db, &m, &w.bob, not_offered).await, Err(DomainError::Invalid(e)) if e[0].field == "products")
    );
    let bad_key = ask(w.open, w.free, &[w.maps], new_app("Key"), "x");
    assert!(access::request(&db, &m, &w.bob, bad_key).await.is_err());
    assert_eq!(access_request::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(app::Entity::find().count(&db).await.unwrap(), 0, "no app was left half-made");
    // A product's API with a broken OpenAPI document is refused, the product unchanged.
    let api = ApiInput::parse("Maps", "/maps").unwrap();
    let err = products::add_api(&db, &w.admin, w.maps, api.clone(), Some("openapi: [")).await.unwrap_err();
    assert!(matches!(err, DomainError::Invalid(e) if e[0].field == "spec"));
    assert!(products::detail_for_admin(&db, &w.admin, w.maps).await.unwrap().apis.is_empty());
    let spec = "openapi: 3.1.0\ninfo: {title: Maps, version: '2'}\npaths:\n  /maps/tiles:\n    get: {summary: Get a tile}\n";
    let added = products::add_api(&db, &w.admin, w.maps, api, Some(spec)).await.unwrap();
    assert_eq!(added.operations[0].summary, "Get a tile");
    // Slugs and plan names are unique, with a field to show it.
    let dup = products::create(&db, &w.admin, product("Maps 2", "maps")).await.unwrap_err();
    assert!(matches!(dup, DomainError::Invalid(e) if e[0].field == "slug"));
    let dup = catalogs::create_plan(&db, &w.admin, w.open, plan("Free", false, None)).await.unwrap_err();
    assert!(matches!(dup, DomainError::Invalid(e) if e[0].field == "plan_name"));
    // A plan in use cannot be deleted; an unused one can.
    access::request(&db, &m, &w.bob, ask(w.open, w.free, &[w.maps], new_app("Uses free"), "form-bad-4"))
        .await
        .unwrap();
    assert!(matches!(catalogs::delete_plan(&db, &w.admin, w.free).await, Err(DomainError::Conflict(_))));
    let spare = catalogs::create_plan(&db, &w.admin, w.open, plan("Spare", false, None)).await.unwrap();
    catalogs::delete_plan(&db, &w.admin, spare.id.0).await.unwrap();
}
db_test!(bad_input_is_refused_with_its_field_and_nothing_is_written);

//! The audit log covers every admin action: the catalog (products, APIs, catalogs and
//! their audiences, plans), access decisions, invitations and invite codes,
//! organisation registrations, settings and email templates, keys — each with who did
//! it, the target and, for edits, before → after.

use crate::{admin, boot, developer, hasher, mailer};
use portico_domain::entities::organisation;
use portico_domain::mail::templates;
use portico_domain::services::invitations::{self, AddUser, Credential};
use portico_domain::services::invite_codes::{self, NewCode};
use portico_domain::services::org_registration::{self, Decision};
use portico_domain::services::{accounts, audit, catalogs, keys, settings};
use portico_domain::{Actor, db_test, demo};
use portico_model::email::{EmailTemplate, TemplateKey};
use portico_model::{AuditEntry, AuditQuery, Email, PersonName, PlanInput, QuotaPeriod, RatePeriod};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::BTreeSet;

async fn log(db: &DatabaseConnection, admin: &Actor, action: &str) -> Vec<AuditEntry> {
    let q = AuditQuery { action: action.into(), ..Default::default() };
    audit::list(db, admin, &q).await.unwrap()
}

db_test!(every_admin_action_is_in_the_log);
async fn every_admin_action_is_in_the_log(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    // The demo goes through the catalog's and organisations' services as this admin.
    demo::seed(&db, &hasher(), &admin).await.unwrap().unwrap();
    let all = audit::list(&db, &admin, &AuditQuery::default()).await.unwrap();
    let actions: BTreeSet<&str> = all.iter().map(|e| e.action.as_str()).collect();
    for expected in [
        "product.create",
        "product.update",
        "product.add_api",
        "catalog.create",
        "catalog.product_add",
        "catalog.org_add",
        "plan.create",
        "organisation.create",
        "team.create",
        "attribute.set",
        "access.approve",
        "access.reject",
    ] {
        assert!(actions.contains(expected), "{expected} is missing from {actions:?}");
    }
    assert!(all.iter().all(|e| !e.actor.is_empty()), "every entry names who did it");
    let published = log(&db, &admin, "product.update").await;
    let change = published[0].changes.iter().find(|c| c.field == "published").expect("published changed");
    assert_eq!((change.before.as_str(), change.after.as_str()), ("false", "true"));

    // Plans: an edit shows the terms before and after; a delete names the plan.
    let catalog = catalogs::list(&db, &admin)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.catalog.name == "Public APIs")
        .unwrap();
    let terms = PlanInput {
        name: "Trial".into(),
        rate_limit: 5,
        rate_period: RatePeriod::Second,
        quota: Some(100),
        quota_period: QuotaPeriod::Day,
        key_lifetime_days: None,
        requires_approval: false,
    };
    let trial = catalogs::create_plan(&db, &admin, catalog.catalog.id.0, terms.clone()).await.unwrap();
    catalogs::update_plan(&db, &admin, trial.id.0, PlanInput { rate_limit: 7, ..terms }).await.unwrap();
    let edit = &log(&db, &admin, "plan.update").await[0];
    let change = edit.changes.iter().find(|c| c.field == "terms").unwrap();
    assert!(change.before.starts_with("5/") && change.after.starts_with("7/"), "{change:?}");
    catalogs::delete_plan(&db, &admin, trial.id.0).await.unwrap();
    assert_eq!(log(&db, &admin, "plan.delete").await[0].target_label, "Trial");

    // Settings and templates.
    let mut portal = settings::get(&db).await.unwrap();
    portal.portal_name = "Acme Developer Hub".into();
    settings::update(&db, &admin, &portal).await.unwrap();
    let entry = &log(&db, &admin, "settings.update").await[0];
    assert!(entry.changes.iter().any(|c| c.field == "portal name" && c.after == "Acme Developer Hub"));
    let custom =
        EmailTemplate { subject: "Welcome".into(), text: "Hello".into(), html: "<p>Hello</p>".into() };
    templates::update(&db, &admin, TemplateKey::Invite, custom).await.unwrap();
    templates::restore_default(&db, &admin, TemplateKey::Invite).await.unwrap();
    assert_eq!(log(&db, &admin, "template.").await.len(), 2);

    // Invitations and invite codes.
    let invitee = AddUser {
        first_name: PersonName::parse("first_name", "Ivy").unwrap(),
        last_name: PersonName::parse("last_name", "Invited").unwrap(),
        email: Email::parse("ivy@example.com").unwrap(),
        credential: Credential::Invite,
    };
    let added =
        invitations::add_user(&db, &hasher(), &mailer(), &admin, invitee, None, chrono::Duration::hours(24))
            .await
            .unwrap();
    let invitations::Added::Invited(inv) = added else { panic!("an invitation") };
    invitations::resend(&db, &mailer(), &admin, inv.id, chrono::Duration::hours(24)).await.unwrap();
    invitations::revoke(&db, &admin, inv.id).await.unwrap();
    let trail: Vec<String> = log(&db, &admin, "invitation.").await.into_iter().map(|e| e.action).collect();
    assert_eq!(trail, ["invitation.revoke", "invitation.resend", "invitation.send"], "newest first");
    let acme = organisation::Entity::find()
        .filter(organisation::Column::Name.eq(demo::MARKER_ORG))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let team = accounts::default_team_of(&db, acme.id).await.unwrap();
    let (code, _) =
        invite_codes::create(&db, &admin, NewCode { team_id: team.id, max_uses: Some(5), expires_at: None })
            .await
            .unwrap();
    invite_codes::revoke(&db, &admin, code.id).await.unwrap();
    assert_eq!(log(&db, &admin, "invite_code.").await.len(), 2);

    // An organisation registration decided.
    settings::set_org_registration(&db, true, false).await.unwrap();
    let dev = developer(&db, "founder@example.com").await;
    let dev = accounts::get(&db, dev.id).await.unwrap();
    org_registration::request(&db, &mailer(), &Actor::from(&dev), "Founders Ltd").await.unwrap();
    let founders = organisation::Entity::find()
        .filter(organisation::Column::Name.eq("Founders Ltd"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let reason = Some("We cannot verify this company.".to_owned());
    org_registration::decide(&db, &mailer(), &admin, founders.id, Decision::Reject { reason }).await.unwrap();
    let entry = &log(&db, &admin, "organisation.reject").await[0];
    assert_eq!(entry.target_label, "Founders Ltd");
    assert!(entry.changes.iter().any(|c| c.field == "status" && c.after == "rejected"));

    // A key revoked by its developer is on record too, with who did it.
    let ada = accounts::find_by_email(&db, &Email::parse("ada.lovelace@acme-payments.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let ada = Actor::from(&ada);
    let dashboard = portico_domain::services::usage::my_dashboard(&db, &ada, None, None).await.unwrap();
    keys::revoke(&db, &ada, dashboard.keys[0].id.0).await.unwrap();
    let entry = &log(&db, &admin, "key.revoke").await[0];
    assert_eq!(entry.actor, "ada.lovelace@acme-payments.example");
    assert_eq!(entry.target_label, dashboard.keys[0].prefix);
}

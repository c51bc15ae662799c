//! The consumer side of organisations: developers' registrations and the admins'
//! decisions, super admins and their members, teammate invitations and invite codes.

use crate::{admin, boot, developer, hasher, input, last_link_to, mailer, token_of};
use chrono::{Duration, Utc};
use portico_domain::entities::organisation::{self, OrgStatus};
use portico_domain::entities::user::{self, OrgRole, UserStatus};
use portico_domain::entities::{invite_code, team_membership};
use portico_domain::services::accounts::{self, SignUpExtras};
use portico_domain::services::invitations::{self, Invitee};
use portico_domain::services::org_members::{self, MemberChange};
use portico_domain::services::org_registration::{self, Decision, Requested};
use portico_domain::services::{invite_codes, organisations, settings};
use portico_domain::{Actor, DomainError, db_test};
use portico_model::{Email, PersonName};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

async fn reload(db: &DatabaseConnection, id: Uuid) -> user::Model {
    accounts::get(db, id).await.unwrap()
}

async fn actor(db: &DatabaseConnection, id: Uuid) -> Actor {
    Actor::from(&reload(db, id).await)
}

async fn mails_of(db: &DatabaseConnection, template: &str, to: &str) -> u64 {
    portico_domain::entities::outbox_message::Entity::find()
        .filter(portico_domain::entities::outbox_message::Column::Template.eq(template))
        .filter(portico_domain::entities::outbox_message::Column::ToAddress.eq(to))
        .count(db)
        .await
        .unwrap()
}

/// An active organisation with `email` as its super admin.
async fn org_with_super_admin(
    db: &DatabaseConnection,
    name: &str,
    email: &str,
) -> (organisation::Model, Actor) {
    let admin = admin(db).await;
    let org = organisations::create(db, &admin, name).await.unwrap();
    let dev = developer(db, email).await;
    organisations::assign(db, &admin, dev.id, org.id, &[], OrgRole::SuperAdmin).await.unwrap();
    (org, actor(db, dev.id).await)
}

fn invitee(email: &str) -> Invitee {
    Invitee {
        first_name: PersonName::parse("first_name", "Grace").unwrap(),
        last_name: PersonName::parse("last_name", "Hopper").unwrap(),
        email: Email::parse(email).unwrap(),
    }
}

async fn an_organisation_request_waits_for_an_admin_who_approves_or_rejects_it(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let ada = developer(&db, "ada@example.com").await;
    let ada_actor = actor(&db, ada.id).await;

    let Requested::Pending(acme) =
        org_registration::request(&db, &mailer(), &ada_actor, "Acme").await.unwrap()
    else {
        panic!("auto-approve is off by default: the request waits");
    };
    assert_eq!((acme.status, acme.requested_by), (OrgStatus::Pending, Some(ada.id)));
    assert_eq!(mails_of(&db, "org_registration_received", "root@example.com").await, 1, "admins are told");
    assert_eq!(reload(&db, ada.id).await.org_id, ada.org_id, "still an individual until approved");
    // Until approved the requester cannot invite anyone (they are not its super admin).
    let r = invitations::invite_teammate(
        &db,
        &mailer(),
        &ada_actor,
        invitee("x@example.com"),
        OrgRole::Member,
        Duration::hours(1),
    )
    .await;
    assert!(matches!(r, Err(DomainError::Forbidden)), "{r:?}");
    // One request at a time; names are unique ignoring case.
    let again = org_registration::request(&db, &mailer(), &ada_actor, "Other").await;
    assert!(matches!(again, Err(DomainError::Conflict(_))), "{again:?}");
    let bob = actor(&db, developer(&db, "bob@example.com").await.id).await;
    let clash = org_registration::request(&db, &mailer(), &bob, "ACME").await;
    assert!(matches!(&clash, Err(DomainError::Invalid(f)) if f[0].field == "organisation"), "{clash:?}");

    // Only portal admins decide.
    let r = org_registration::decide(&db, &mailer(), &bob, acme.id, Decision::Approve).await;
    assert!(matches!(r, Err(DomainError::Forbidden)));
    let reason = Some("We could not verify this company.".to_owned());
    let rejected =
        org_registration::decide(&db, &mailer(), &admin, acme.id, Decision::Reject { reason }).await.unwrap();
    assert_eq!(rejected.status, OrgStatus::Rejected);
    assert_eq!(rejected.decision_reason.as_deref(), Some("We could not verify this company."));
    let mail = portico_domain::testing::latest_mail_to(&db, "ada@example.com").await;
    assert_eq!(mail.template, "org_registration_rejected");
    assert!(mail.text_body.contains("We could not verify this company."), "{}", mail.text_body);
    let twice = org_registration::decide(&db, &mailer(), &admin, acme.id, Decision::Approve).await;
    assert!(matches!(twice, Err(DomainError::Conflict(_))), "a decided request stays decided");
    assert_eq!(org_registration::my_request(&db, &ada_actor).await.unwrap().unwrap().id, acme.id);

    // A new request after a rejection (the rejected name is free again), then approval.
    let Requested::Pending(acme2) =
        org_registration::request(&db, &mailer(), &ada_actor, "Acme").await.unwrap()
    else {
        panic!("pending");
    };
    org_registration::decide(&db, &mailer(), &admin, acme2.id, Decision::Approve).await.unwrap();
    let ada = reload(&db, ada.id).await;
    assert_eq!((ada.org_id, ada.org_role), (acme2.id, OrgRole::SuperAdmin), "the requester runs it now");
    let team = accounts::default_team_of(&db, acme2.id).await.unwrap();
    let in_team = team_membership::Entity::find()
        .filter(team_membership::Column::UserId.eq(ada.id))
        .filter(team_membership::Column::TeamId.eq(team.id))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(in_team, 1, "in the new organisation's default team");
    let mail = portico_domain::testing::latest_mail_to(&db, "ada@example.com").await;
    assert_eq!(mail.template, "org_registration_approved");
    // Now they can invite.
    let ada_actor = Actor::from(&ada);
    invitations::invite_teammate(
        &db,
        &mailer(),
        &ada_actor,
        invitee("grace@example.com"),
        OrgRole::Member,
        Duration::hours(1),
    )
    .await
    .unwrap();
}
db_test!(an_organisation_request_waits_for_an_admin_who_approves_or_rejects_it);

async fn auto_approved_requests_are_active_at_once_and_switched_off_requests_are_refused(
    db: DatabaseConnection,
) {
    boot(&db).await;
    settings::set_org_registration(&db, true, true).await.unwrap();
    let ada = developer(&db, "ada@example.com").await;
    let r = org_registration::request(&db, &mailer(), &actor(&db, ada.id).await, "Initech").await.unwrap();
    let Requested::Active(org) = r else { panic!("auto-approved") };
    assert_eq!(org.status, OrgStatus::Active);
    let ada = reload(&db, ada.id).await;
    assert_eq!((ada.org_id, ada.org_role), (org.id, OrgRole::SuperAdmin));
    assert_eq!(mails_of(&db, "org_registration_received", "root@example.com").await, 0, "nothing to decide");
    // A member of an organisation cannot register another.
    let again = org_registration::request(&db, &mailer(), &Actor::from(&ada), "Initech 2").await;
    assert!(matches!(again, Err(DomainError::Conflict(_))), "{again:?}");

    settings::set_org_registration(&db, false, false).await.unwrap();
    let bob = actor(&db, developer(&db, "bob@example.com").await.id).await;
    let off = org_registration::request(&db, &mailer(), &bob, "Umbrella").await;
    assert!(matches!(&off, Err(DomainError::Invalid(f)) if f[0].field == "organisation"), "{off:?}");
    assert_eq!(organisation::Entity::find().count(&db).await.unwrap(), 2, "nothing was written");
}
db_test!(auto_approved_requests_are_active_at_once_and_switched_off_requests_are_refused);

async fn the_last_super_admin_can_be_neither_demoted_nor_removed(db: DatabaseConnection) {
    boot(&db).await;
    let (acme, ada) = org_with_super_admin(&db, "Acme", "ada@example.com").await;
    let change = |role| MemberChange {
        first_name: PersonName::parse("first_name", "Ada").unwrap(),
        last_name: PersonName::parse("last_name", "King").unwrap(),
        role,
    };
    let r = org_members::update_member(&db, &ada, ada.user_id, change(OrgRole::Member)).await;
    assert!(matches!(r, Err(DomainError::Conflict(_))), "{r:?}");
    let r = org_members::remove_member(&db, &ada, ada.user_id).await;
    assert!(matches!(r, Err(DomainError::Conflict(_))), "{r:?}");
    assert_eq!(reload(&db, ada.user_id).await.org_role, OrgRole::SuperAdmin, "unchanged");

    // A teammate joins by invitation; promoted, they make the demotion possible.
    let inv = invitations::invite_teammate(
        &db,
        &mailer(),
        &ada,
        invitee("grace@example.com"),
        OrgRole::Member,
        Duration::hours(1),
    )
    .await
    .unwrap();
    assert_eq!(inv.org_id, acme.id);
    let token = token_of(&last_link_to(&db, "grace@example.com").await);
    let grace =
        invitations::accept(&db, &hasher(), &token, "Grace", "Hopper", "compiler-pioneer").await.unwrap();
    assert_eq!((grace.org_id, grace.org_role, grace.status), (acme.id, OrgRole::Member, UserStatus::Active));

    // A team member manages nobody.
    let grace_actor = Actor::from(&grace);
    let r = org_members::update_member(&db, &grace_actor, ada.user_id, change(OrgRole::Member)).await;
    assert!(matches!(r, Err(DomainError::Forbidden)), "{r:?}");
    let r = org_members::remove_member(&db, &grace_actor, ada.user_id).await;
    assert!(matches!(r, Err(DomainError::Forbidden)), "{r:?}");
    let r = invitations::invite_teammate(
        &db,
        &mailer(),
        &grace_actor,
        invitee("x@example.com"),
        OrgRole::Member,
        Duration::hours(1),
    )
    .await;
    assert!(matches!(r, Err(DomainError::Forbidden)), "{r:?}");

    org_members::update_member(&db, &ada, grace.id, change(OrgRole::SuperAdmin)).await.unwrap();
    let updated = org_members::update_member(&db, &ada, ada.user_id, change(OrgRole::Member)).await.unwrap();
    assert_eq!((updated.last_name.as_str(), updated.org_role), ("King", OrgRole::Member));
    // Grace, now the only super admin, removes Ada: she becomes an individual.
    let grace_actor = actor(&db, grace.id).await;
    org_members::remove_member(&db, &grace_actor, ada.user_id).await.unwrap();
    let home = organisations::default_org(&db).await.unwrap();
    assert_eq!(reload(&db, ada.user_id).await.org_id, home.id);
}
db_test!(the_last_super_admin_can_be_neither_demoted_nor_removed);

async fn a_super_admin_reaches_nothing_of_another_organisation(db: DatabaseConnection) {
    boot(&db).await;
    let (acme, ada) = org_with_super_admin(&db, "Acme", "ada@example.com").await;
    let (_globex, hank) = org_with_super_admin(&db, "Globex", "hank@example.com").await;
    let inv = invitations::invite_teammate(
        &db,
        &mailer(),
        &ada,
        invitee("grace@example.com"),
        OrgRole::Member,
        Duration::hours(1),
    )
    .await
    .unwrap();
    let change = MemberChange {
        first_name: PersonName::parse("first_name", "Mallory").unwrap(),
        last_name: PersonName::parse("last_name", "X").unwrap(),
        role: OrgRole::Member,
    };
    let r = org_members::update_member(&db, &hank, ada.user_id, change).await;
    assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
    let r = org_members::remove_member(&db, &hank, ada.user_id).await;
    assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
    let r = invitations::revoke(&db, &hank, inv.id).await;
    assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
    let r = invitations::resend(&db, &mailer(), &hank, inv.id, Duration::hours(1)).await;
    assert!(matches!(r, Err(DomainError::NotFound)), "{r:?}");
    assert!(matches!(organisations::detail(&db, &hank, acme.id).await, Err(DomainError::NotFound)));
    assert!(invitations::list_for_my_org(&db, &hank).await.unwrap().is_empty());
    // Nothing changed: Ada is still Acme's super admin, the invitation still open.
    assert_eq!(reload(&db, ada.user_id).await.org_role, OrgRole::SuperAdmin);
    assert_eq!(invitations::list_for_my_org(&db, &ada).await.unwrap().len(), 1);
}
db_test!(a_super_admin_reaches_nothing_of_another_organisation);

async fn invite_codes_place_sign_ups_in_their_team_within_their_limits(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let acme = organisations::create(&db, &admin, "Acme").await.unwrap();
    let ops = organisations::create_team(&db, &admin, acme.id, "Ops").await.unwrap();
    let new = |max_uses, expires_at| invite_codes::NewCode { team_id: ops.id, max_uses, expires_at };
    let dev = actor(&db, developer(&db, "dev@example.com").await.id).await;
    assert!(matches!(invite_codes::create(&db, &dev, new(None, None)).await, Err(DomainError::Forbidden)));

    let (row, code) = invite_codes::create(&db, &admin, new(Some(1), None)).await.unwrap();
    assert!(!row.code_hash.contains(&code) && row.prefix.len() < code.len(), "only a hash is stored");
    settings::set_auto_approve_registrations(&db, false).await.unwrap();
    let extras = |code: &str| SignUpExtras { invite_code: Some(code.to_owned()), organisation: None };
    // Typed in lower case with spaces: still the code.
    let typed = code.to_lowercase().replace('-', " ");
    let ada = accounts::sign_up_with(&db, &hasher(), &mailer(), input("ada@example.com"), extras(&typed))
        .await
        .unwrap();
    assert_eq!(
        (ada.org_id, ada.status),
        (acme.id, UserStatus::Pending),
        "in Acme, still waiting for approval"
    );
    let teams: Vec<Uuid> = team_membership::Entity::find()
        .filter(team_membership::Column::UserId.eq(ada.id))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.team_id)
        .collect();
    assert_eq!(teams, vec![ops.id], "in the code's team");

    // Used up: refused, and no account is written.
    let users = user::Entity::find().count(&db).await.unwrap();
    let r = accounts::sign_up_with(&db, &hasher(), &mailer(), input("bob@example.com"), extras(&code)).await;
    assert!(matches!(&r, Err(DomainError::Invalid(f)) if f[0].field == "invite_code"), "{r:?}");
    assert_eq!(user::Entity::find().count(&db).await.unwrap(), users);

    // Expired and revoked codes are refused too; a made-up one as well.
    let (_, expired) =
        invite_codes::create(&db, &admin, new(None, Some(Utc::now() + Duration::milliseconds(50))))
            .await
            .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    let r =
        accounts::sign_up_with(&db, &hasher(), &mailer(), input("bob@example.com"), extras(&expired)).await;
    assert!(matches!(&r, Err(DomainError::Invalid(f)) if f[0].field == "invite_code"), "expired: {r:?}");
    let (revoked_row, revoked) = invite_codes::create(&db, &admin, new(None, None)).await.unwrap();
    invite_codes::revoke(&db, &admin, revoked_row.id).await.unwrap();
    let r =
        accounts::sign_up_with(&db, &hasher(), &mailer(), input("bob@example.com"), extras(&revoked)).await;
    assert!(matches!(&r, Err(DomainError::Invalid(f)) if f[0].field == "invite_code"), "revoked: {r:?}");
    let r =
        accounts::sign_up_with(&db, &hasher(), &mailer(), input("bob@example.com"), extras("AAAA-BBBB-CCCC"))
            .await;
    assert!(matches!(&r, Err(DomainError::Invalid(f)) if f[0].field == "invite_code"), "unknown: {r:?}");
    // A code and an organisation name at once: refused before anything is written.
    let both = SignUpExtras { invite_code: Some(revoked), organisation: Some("Bob Inc".into()) };
    let r = accounts::sign_up_with(&db, &hasher(), &mailer(), input("bob@example.com"), both).await;
    assert!(matches!(&r, Err(DomainError::Invalid(f)) if f[0].field == "organisation"), "{r:?}");
    assert_eq!(user::Entity::find().count(&db).await.unwrap(), users);
}
db_test!(invite_codes_place_sign_ups_in_their_team_within_their_limits);

async fn a_codes_last_use_admits_exactly_one_of_simultaneous_sign_ups(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let acme = organisations::create(&db, &admin, "Acme").await.unwrap();
    let team = accounts::default_team_of(&db, acme.id).await.unwrap();
    let new = invite_codes::NewCode { team_id: team.id, max_uses: Some(1), expires_at: None };
    let (row, code) = invite_codes::create(&db, &admin, new).await.unwrap();
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let (db, code) = (db.clone(), code.clone());
            tokio::spawn(async move {
                let extras = SignUpExtras { invite_code: Some(code), organisation: None };
                accounts::sign_up_with(
                    &db,
                    &hasher(),
                    &mailer(),
                    input(&format!("racer{i}@example.com")),
                    extras,
                )
                .await
            })
        })
        .collect();
    let mut admitted = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            admitted += 1;
        }
    }
    assert_eq!(admitted, 1);
    let in_acme = user::Entity::find().filter(user::Column::OrgId.eq(acme.id)).count(&db).await.unwrap();
    assert_eq!(in_acme, 1, "one account, not more");
    let row = invite_code::Entity::find_by_id(row.id).one(&db).await.unwrap().unwrap();
    assert_eq!(row.uses, 1);
}
db_test!(a_codes_last_use_admits_exactly_one_of_simultaneous_sign_ups);

async fn sign_up_can_register_an_organisation_in_the_same_step(db: DatabaseConnection) {
    boot(&db).await;
    let extras = SignUpExtras { invite_code: None, organisation: Some("  Wayne Enterprises ".into()) };
    let bruce =
        accounts::sign_up_with(&db, &hasher(), &mailer(), input("bruce@example.com"), extras).await.unwrap();
    let req = org_registration::my_request(&db, &Actor::from(&bruce)).await.unwrap().expect("a request");
    assert_eq!(
        (req.name.as_str(), req.status, req.requested_by),
        ("Wayne Enterprises", OrgStatus::Pending, Some(bruce.id))
    );
    // A name already taken: neither the account nor a request is written.
    let extras = SignUpExtras { invite_code: None, organisation: Some("wayne enterprises".into()) };
    let r = accounts::sign_up_with(&db, &hasher(), &mailer(), input("alfred@example.com"), extras).await;
    assert!(matches!(&r, Err(DomainError::Invalid(f)) if f[0].field == "organisation"), "{r:?}");
    let alfred = Email::parse("alfred@example.com").unwrap();
    assert!(accounts::find_by_email(&db, &alfred).await.unwrap().is_none());
}
db_test!(sign_up_can_register_an_organisation_in_the_same_step);

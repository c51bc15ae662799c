//! Organisations, teams and memberships.

use crate::{admin, boot, developer, hasher};
use portico_domain::entities::organisation::OrgStatus;
use portico_domain::entities::team_membership;
use portico_domain::entities::user::OrgRole;
use portico_domain::services::accounts;
use portico_domain::services::organisations;
use portico_domain::services::sessions::{self, SessionPolicy};
use portico_domain::{Actor, DomainError, db_test};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

async fn teams_of(db: &DatabaseConnection, user: Uuid) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = team_membership::Entity::find()
        .filter(team_membership::Column::UserId.eq(user))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.team_id)
        .collect();
    ids.sort();
    ids
}

async fn a_new_organisation_has_a_default_team_and_can_be_renamed_and_listed(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let blank = organisations::create(&db, &admin, "   ").await;
    assert!(matches!(&blank, Err(DomainError::Invalid(f)) if f[0].field == "name"), "{blank:?}");
    let acme = organisations::create(&db, &admin, " Acme Corp ").await.unwrap();
    assert_eq!((acme.name.as_str(), acme.status), ("Acme Corp", OrgStatus::Active));
    let detail = organisations::detail(&db, &admin, acme.id).await.unwrap();
    assert_eq!(detail.teams.len(), 1);
    assert!(detail.teams[0].is_default);
    organisations::rename(&db, &admin, acme.id, "Acme Inc").await.unwrap();
    organisations::rename_team(&db, &admin, detail.teams[0].id, "Everyone").await.unwrap();
    let found = organisations::list(&db, &admin, Some("acme"), None).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].org.name.as_str(), found[0].teams, found[0].members), ("Acme Inc", 1, 0));
    assert_eq!(organisations::list(&db, &admin, None, None).await.unwrap().len(), 2, "with the default one");

    let dev = Actor::from(&developer(&db, "ada@example.com").await);
    assert!(matches!(organisations::create(&db, &dev, "Mine").await, Err(DomainError::Forbidden)));
    assert!(matches!(organisations::list(&db, &dev, None, None).await, Err(DomainError::Forbidden)));
    // Another organisation's details do not exist for a developer outside it.
    assert!(matches!(organisations::detail(&db, &dev, acme.id).await, Err(DomainError::NotFound)));
    // Nor is the default organisation's member list: it holds every individual.
    assert!(matches!(organisations::detail(&db, &dev, dev.org_id).await, Err(DomainError::NotFound)));
}
db_test!(a_new_organisation_has_a_default_team_and_can_be_renamed_and_listed);

async fn users_join_teams_of_their_own_organisation_only(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let acme = organisations::create(&db, &admin, "Acme").await.unwrap();
    let globex = organisations::create(&db, &admin, "Globex").await.unwrap();
    let acme_default = organisations::detail(&db, &admin, acme.id).await.unwrap().teams[0].id;
    let ops = organisations::create_team(&db, &admin, acme.id, "Ops").await.unwrap();
    let globex_default = organisations::detail(&db, &admin, globex.id).await.unwrap().teams[0].id;
    let ada = developer(&db, "ada@example.com").await;

    // Still in the default organisation: Acme's teams are refused.
    let r = organisations::add_to_team(&db, &admin, ops.id, ada.id).await;
    assert!(matches!(&r, Err(DomainError::Invalid(f)) if f[0].field == "team"), "{r:?}");

    let moved = organisations::assign(&db, &admin, ada.id, acme.id, &[], OrgRole::SuperAdmin).await.unwrap();
    assert_eq!((moved.org_id, moved.org_role), (acme.id, OrgRole::SuperAdmin));
    assert_eq!(teams_of(&db, ada.id).await, vec![acme_default], "the default team when none is chosen");
    organisations::add_to_team(&db, &admin, ops.id, ada.id).await.unwrap();
    organisations::add_to_team(&db, &admin, ops.id, ada.id).await.unwrap();
    let mut both = vec![acme_default, ops.id];
    both.sort();
    assert_eq!(teams_of(&db, ada.id).await, both, "several teams, no duplicates");

    // Teams of two organisations at once are refused, and nothing changes.
    let r =
        organisations::assign(&db, &admin, ada.id, acme.id, &[ops.id, globex_default], OrgRole::Member).await;
    assert!(matches!(&r, Err(DomainError::Invalid(f)) if f[0].field == "teams"), "{r:?}");
    assert_eq!(teams_of(&db, ada.id).await, both);
    let r = organisations::add_to_team(&db, &admin, globex_default, ada.id).await;
    assert!(matches!(r, Err(DomainError::Invalid(_))));

    // The last team cannot be left.
    organisations::remove_from_team(&db, &admin, ops.id, ada.id).await.unwrap();
    let r = organisations::remove_from_team(&db, &admin, acme_default, ada.id).await;
    assert!(matches!(r, Err(DomainError::Conflict(_))), "{r:?}");
}
db_test!(users_join_teams_of_their_own_organisation_only);

async fn deleting_a_team_moves_its_members_and_keeps_a_default(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let acme = organisations::create(&db, &admin, "Acme").await.unwrap();
    let default_team = organisations::detail(&db, &admin, acme.id).await.unwrap().teams[0].clone();
    let ops = organisations::create_team(&db, &admin, acme.id, "Ops").await.unwrap();
    let ada = developer(&db, "ada@example.com").await;
    organisations::assign(&db, &admin, ada.id, acme.id, &[ops.id], OrgRole::Member).await.unwrap();
    assert_eq!(teams_of(&db, ada.id).await, vec![ops.id]);

    organisations::delete_team(&db, &admin, ops.id).await.unwrap();
    assert_eq!(teams_of(&db, ada.id).await, vec![default_team.id], "members move to the default team");

    // Deleting the default team while another exists promotes the other.
    let dev_team = organisations::create_team(&db, &admin, acme.id, "Dev").await.unwrap();
    organisations::delete_team(&db, &admin, default_team.id).await.unwrap();
    let detail = organisations::detail(&db, &admin, acme.id).await.unwrap();
    assert_eq!(detail.teams.len(), 1);
    assert!(detail.teams[0].is_default && detail.teams[0].id == dev_team.id);
    assert_eq!(teams_of(&db, ada.id).await, vec![dev_team.id]);
    // The last team stays.
    assert!(matches!(
        organisations::delete_team(&db, &admin, dev_team.id).await,
        Err(DomainError::Conflict(_))
    ));
}
db_test!(deleting_a_team_moves_its_members_and_keeps_a_default);

async fn an_inactive_organisations_members_cannot_sign_in(db: DatabaseConnection) {
    boot(&db).await;
    let admin = admin(&db).await;
    let acme = organisations::create(&db, &admin, "Acme").await.unwrap();
    let ada = developer(&db, "ada@example.com").await;
    organisations::assign(&db, &admin, ada.id, acme.id, &[], OrgRole::Member).await.unwrap();
    let policy = SessionPolicy::default();
    let session = sessions::create(&db, ada.id, policy).await.unwrap();

    organisations::set_active(&db, &admin, acme.id, false).await.unwrap();
    let r = accounts::authenticate(&db, &hasher(), "ada@example.com", "analytical-engine").await;
    assert!(matches!(r, Err(DomainError::AccountDisabled)), "{r:?}");
    assert!(sessions::resolve(&db, &session, policy).await.unwrap().is_none(), "existing sessions end");

    organisations::set_active(&db, &admin, acme.id, true).await.unwrap();
    accounts::authenticate(&db, &hasher(), "ada@example.com", "analytical-engine").await.unwrap();

    // The default organisation, and the admin's own, stay active.
    let r = organisations::set_active(&db, &admin, admin.org_id, false).await;
    assert!(matches!(r, Err(DomainError::Conflict(_))), "{r:?}");
}
db_test!(an_inactive_organisations_members_cannot_sign_in);

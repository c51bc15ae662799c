//! Organisations and their teams, managed by portal admins: create (with a default
//! team), rename, activate/deactivate, teams and memberships.
//!
//! Rules kept here: a user belongs to exactly one organisation and to one or more of
//! its teams — never to a team of another organisation; every organisation keeps at
//! least one team and exactly one default team.

use crate::entities::organisation::{self, OrgStatus};
use crate::entities::team;
use crate::entities::team_membership;
use crate::entities::user::{self, OrgRole};
use crate::services::audit::{self, Event};
use crate::services::search_index;
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model::{FieldError, GroupName};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TransactionSession, TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

/// An organisation with its counts, for lists.
pub struct OrgSummary {
    pub org: organisation::Model,
    pub members: u64,
    pub teams: u64,
    /// Who registered it ("Ada Lovelace <ada@example.com>"), for developers' requests.
    pub requester: Option<String>,
}

/// An organisation with its teams and members (and each member's teams).
pub struct OrgDetail {
    pub org: organisation::Model,
    pub requester: Option<String>,
    pub teams: Vec<team::Model>,
    pub members: Vec<(user::Model, Vec<Uuid>)>,
}

fn name(field: &str, raw: &str) -> DomainResult<GroupName> {
    Ok(GroupName::parse(field, raw)?)
}

/// Creates an active organisation with its default team. Portal admins only.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    org_name: &str,
) -> DomainResult<organisation::Model> {
    actor.require_portal_admin()?;
    let org_name = name("name", org_name)?;
    let txn = db.begin().await?;
    let org = insert_with_default_team(
        &txn,
        NewOrg { name: org_name.as_str(), status: OrgStatus::Active, is_default: false, requested_by: None },
    )
    .await?;
    let event = Event::new(
        "organisation.create",
        "organisation",
        org.id,
        &org.name,
        Some(org.id),
        format!("Created organisation {}", org.name),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, org.id = %org.id, "organisation created");
    Ok(org)
}

/// An organisation about to be stored.
pub struct NewOrg<'a> {
    pub name: &'a str,
    pub status: OrgStatus,
    pub is_default: bool,
    /// The developer who asked for it, for consumer registrations.
    pub requested_by: Option<Uuid>,
}

/// Stores an organisation and its default team (inside the caller's transaction): the
/// one place organisations are created, so none ever lacks its default team.
pub async fn insert_with_default_team(
    db: &impl ConnectionTrait,
    new: NewOrg<'_>,
) -> DomainResult<organisation::Model> {
    let now = Utc::now();
    let org = organisation::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(new.name.to_owned()),
        status: Set(new.status),
        is_default: Set(new.is_default),
        created_at: Set(now),
        updated_at: Set(now),
        requested_by: Set(new.requested_by),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
    }
    .insert(db)
    .await?;
    team::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(org.id),
        name: Set(crate::services::bootstrap::DEFAULT_TEAM_NAME.to_owned()),
        is_default: Set(true),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(org)
}

/// Renames an organisation. Portal admins only.
pub async fn rename(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org_id: Uuid,
    new_name: &str,
) -> DomainResult<organisation::Model> {
    actor.require_portal_admin()?;
    let new_name = name("name", new_name)?;
    let txn = db.begin().await?;
    let org = get_org(&txn, org_id).await?;
    let old_name = org.name.clone();
    let mut active: organisation::ActiveModel = org.into();
    active.name = Set(new_name.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    let org = active.update(&txn).await?;
    let event = Event::new(
        "organisation.rename",
        "organisation",
        org.id,
        &org.name,
        Some(org.id),
        format!("Renamed organisation {old_name} to {}", org.name),
    )
    .change("name", &old_name, &org.name);
    audit::record(&txn, Some(actor), event).await?;
    search_index::refresh_org(&txn, org.id).await?;
    txn.commit().await?;
    Ok(org)
}

/// active ⇄ inactive. An inactive organisation's members cannot sign in. The default
/// organisation, where every self-registered developer lands, stays active.
pub async fn set_active(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org_id: Uuid,
    active: bool,
) -> DomainResult<organisation::Model> {
    actor.require_portal_admin()?;
    let org = get_org(db, org_id).await?;
    let to = match (org.status, active) {
        (OrgStatus::Active, false) if org.is_default => {
            return Err(DomainError::Conflict("The default organisation cannot be deactivated.".into()));
        }
        (OrgStatus::Active, false) => OrgStatus::Inactive,
        (OrgStatus::Inactive, true) => OrgStatus::Active,
        (from, _) => {
            return Err(DomainError::Conflict(format!("The organisation is {from:?}; nothing to change.")));
        }
    };
    if actor.org_id == org_id && to == OrgStatus::Inactive {
        return Err(DomainError::Conflict("You cannot deactivate your own organisation.".into()));
    }
    let from = org.status;
    let mut row: organisation::ActiveModel = org.into();
    row.status = Set(to);
    row.updated_at = Set(Utc::now());
    let org = row.update(db).await?;
    let action = if to == OrgStatus::Active { "organisation.activate" } else { "organisation.deactivate" };
    let event = Event::new(
        action,
        "organisation",
        org.id,
        &org.name,
        Some(org.id),
        format!("{} {}", if to == OrgStatus::Active { "Activated" } else { "Deactivated" }, org.name),
    )
    .change("status", format!("{from:?}").to_lowercase(), format!("{to:?}").to_lowercase());
    audit::record(db, Some(actor), event).await?;
    crate::gateway::changed(db).await?;
    tracing::info!(by = %actor.user_id, org.id = %org.id, status = ?org.status, "organisation status changed");
    Ok(org)
}

/// Organisations matching `search` (case-insensitive, in the name), the default one
/// first, then newest first, with member and team counts. Portal admins only.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    search: Option<&str>,
    status: Option<OrgStatus>,
) -> DomainResult<Vec<OrgSummary>> {
    actor.require_portal_admin()?;
    let mut query = organisation::Entity::find();
    if let Some(status) = status {
        query = query.filter(organisation::Column::Status.eq(status));
    }
    let mut orgs = query
        .order_by_desc(organisation::Column::IsDefault)
        .order_by_desc(organisation::Column::CreatedAt)
        .all(db)
        .await?;
    if let Some(needle) = search.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()) {
        orgs.retain(|o| o.name.to_lowercase().contains(&needle));
    }
    let ids: Vec<Uuid> = orgs.iter().map(|o| o.id).collect();
    let mut members: HashMap<Uuid, u64> = HashMap::new();
    for u in user::Entity::find().filter(user::Column::OrgId.is_in(ids.clone())).all(db).await? {
        *members.entry(u.org_id).or_default() += 1;
    }
    let mut teams: HashMap<Uuid, u64> = HashMap::new();
    for t in team::Entity::find().filter(team::Column::OrgId.is_in(ids)).all(db).await? {
        *teams.entry(t.org_id).or_default() += 1;
    }
    let requester_ids: Vec<Uuid> = orgs.iter().filter_map(|o| o.requested_by).collect();
    let requesters: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(requester_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, requester_label(&u)))
        .collect();
    Ok(orgs
        .into_iter()
        .map(|org| OrgSummary {
            members: members.get(&org.id).copied().unwrap_or(0),
            teams: teams.get(&org.id).copied().unwrap_or(0),
            requester: org.requested_by.and_then(|id| requesters.get(&id).cloned()),
            org,
        })
        .collect())
}

/// An organisation with its teams and members. Portal admins, or members of it —
/// nobody else learns that it exists. The default organisation is a place for
/// individuals, not a team: its member list is for portal admins only.
pub async fn detail(db: &impl ConnectionTrait, actor: &Actor, org_id: Uuid) -> DomainResult<OrgDetail> {
    if !actor.is_portal_admin() && actor.org_id != org_id {
        return Err(DomainError::NotFound);
    }
    let org = get_org(db, org_id).await?;
    if org.is_default && !actor.is_portal_admin() {
        return Err(DomainError::NotFound);
    }
    let teams = team::Entity::find()
        .filter(team::Column::OrgId.eq(org_id))
        .order_by_desc(team::Column::IsDefault)
        .order_by_asc(team::Column::Name)
        .all(db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::OrgId.eq(org_id))
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .all(db)
        .await?;
    let memberships = team_membership::Entity::find()
        .filter(team_membership::Column::UserId.is_in(users.iter().map(|u| u.id)))
        .all(db)
        .await?;
    let members = users
        .into_iter()
        .map(|u| {
            let ids = memberships.iter().filter(|m| m.user_id == u.id).map(|m| m.team_id).collect();
            (u, ids)
        })
        .collect();
    let requester = requester_of(db, &org).await?;
    Ok(OrgDetail { org, requester, teams, members })
}

fn requester_label(u: &user::Model) -> String {
    format!("{} {} <{}>", u.first_name, u.last_name, u.email)
}

/// Who registered an organisation, if a developer did and still has an account.
pub async fn requester_of(
    db: &impl ConnectionTrait,
    org: &organisation::Model,
) -> DomainResult<Option<String>> {
    Ok(match org.requested_by {
        Some(id) => user::Entity::find_by_id(id).one(db).await?.as_ref().map(requester_label),
        None => None,
    })
}

pub(crate) async fn get_org(db: &impl ConnectionTrait, org_id: Uuid) -> DomainResult<organisation::Model> {
    organisation::Entity::find_by_id(org_id).one(db).await?.ok_or(DomainError::NotFound)
}

async fn get_team(db: &impl ConnectionTrait, team_id: Uuid) -> DomainResult<team::Model> {
    team::Entity::find_by_id(team_id).one(db).await?.ok_or(DomainError::NotFound)
}

/// A new team in an organisation. Portal admins only.
pub async fn create_team(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org_id: Uuid,
    team_name: &str,
) -> DomainResult<team::Model> {
    actor.require_portal_admin()?;
    let team_name = name("name", team_name)?;
    let org = get_org(db, org_id).await?;
    let team = team::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(org_id),
        name: Set(team_name.as_str().to_owned()),
        is_default: Set(false),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    let event = Event::new(
        "team.create",
        "team",
        team.id,
        &team.name,
        Some(org_id),
        format!("Created team {} in {}", team.name, org.name),
    );
    audit::record(db, Some(actor), event).await?;
    Ok(team)
}

/// Renames a team (the default team too). Portal admins only.
pub async fn rename_team(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    team_id: Uuid,
    new_name: &str,
) -> DomainResult<team::Model> {
    actor.require_portal_admin()?;
    let new_name = name("name", new_name)?;
    let txn = db.begin().await?;
    let team = get_team(&txn, team_id).await?;
    let old_name = team.name.clone();
    let mut row: team::ActiveModel = team.into();
    row.name = Set(new_name.as_str().to_owned());
    let team = row.update(&txn).await?;
    let event = Event::new(
        "team.rename",
        "team",
        team.id,
        &team.name,
        Some(team.org_id),
        format!("Renamed team {old_name} to {}", team.name),
    )
    .change("name", &old_name, &team.name);
    audit::record(&txn, Some(actor), event).await?;
    search_index::refresh_team(&txn, team.id).await?;
    txn.commit().await?;
    Ok(team)
}

/// Deletes a team. Its members who would be left in no team move to the default team;
/// deleting the default team makes the oldest remaining team the default; the last
/// team of an organisation cannot be deleted. Portal admins only.
pub async fn delete_team(db: &DatabaseConnection, actor: &Actor, team_id: Uuid) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let doomed = get_team(&txn, team_id).await?;
    let remaining = team::Entity::find()
        .filter(team::Column::OrgId.eq(doomed.org_id))
        .filter(team::Column::Id.ne(team_id))
        .order_by_asc(team::Column::CreatedAt)
        .all(&txn)
        .await?;
    let Some(oldest) = remaining.first() else {
        return Err(DomainError::Conflict("An organisation keeps at least one team.".into()));
    };
    let default_id = match remaining.iter().find(|t| t.is_default) {
        Some(t) => t.id,
        None => {
            let mut promoted: team::ActiveModel = oldest.clone().into();
            promoted.is_default = Set(true);
            promoted.update(&txn).await?.id
        }
    };
    let members =
        team_membership::Entity::find().filter(team_membership::Column::TeamId.eq(team_id)).all(&txn).await?;
    let member_ids: Vec<Uuid> = members.iter().map(|m| m.user_id).collect();
    for m in members {
        let other_teams = team_membership::Entity::find()
            .filter(team_membership::Column::UserId.eq(m.user_id))
            .filter(team_membership::Column::TeamId.ne(team_id))
            .count(&txn)
            .await?;
        if other_teams == 0 {
            team_membership::ActiveModel {
                team_id: Set(default_id),
                user_id: Set(m.user_id),
                created_at: Set(Utc::now()),
            }
            .insert(&txn)
            .await?;
        }
    }
    team::Entity::delete_by_id(team_id).exec(&txn).await?;
    let event = Event::new(
        "team.delete",
        "team",
        doomed.id,
        &doomed.name,
        Some(doomed.org_id),
        format!("Deleted team {}", doomed.name),
    );
    audit::record(&txn, Some(actor), event).await?;
    search_index::refresh(&txn, &member_ids).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, team.id = %team_id, "team deleted");
    Ok(())
}

/// Puts a user in a team of their own organisation (a user may be in several).
pub async fn add_to_team(
    db: &impl ConnectionTrait,
    actor: &Actor,
    team_id: Uuid,
    user_id: Uuid,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let team = get_team(db, team_id).await?;
    let user = user::Entity::find_by_id(user_id).one(db).await?.ok_or(DomainError::NotFound)?;
    if user.org_id != team.org_id {
        return Err(FieldError::new(
            "team",
            "A user can only join teams of their own organisation. Move them to that organisation first.",
        )
        .into());
    }
    let exists = team_membership::Entity::find_by_id((team_id, user_id)).one(db).await?.is_some();
    if !exists {
        team_membership::ActiveModel {
            team_id: Set(team_id),
            user_id: Set(user_id),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await?;
        let event = Event::developer(
            "team.add_member",
            user.id,
            &user.email,
            user.org_id,
            format!("Added {} to team {}", user.email, team.name),
        );
        audit::record(db, Some(actor), event).await?;
        search_index::refresh(db, &[user_id]).await?;
    }
    Ok(())
}

/// Takes a user out of a team; their last team cannot be left.
pub async fn remove_from_team(
    db: &impl ConnectionTrait,
    actor: &Actor,
    team_id: Uuid,
    user_id: Uuid,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let teams =
        team_membership::Entity::find().filter(team_membership::Column::UserId.eq(user_id)).count(db).await?;
    let membership = team_membership::Entity::find_by_id((team_id, user_id)).one(db).await?;
    match membership {
        None => Err(DomainError::NotFound),
        Some(_) if teams <= 1 => Err(DomainError::Conflict("A user stays in at least one team.".into())),
        Some(_) => {
            team_membership::Entity::delete_by_id((team_id, user_id)).exec(db).await?;
            let (user, team) =
                (user::Entity::find_by_id(user_id).one(db).await?, get_team(db, team_id).await?);
            let email = user.map(|u| u.email).unwrap_or_default();
            let event = Event::developer(
                "team.remove_member",
                user_id,
                &email,
                team.org_id,
                format!("Took {email} out of team {}", team.name),
            );
            audit::record(db, Some(actor), event).await?;
            search_index::refresh(db, &[user_id]).await?;
            Ok(())
        }
    }
}

/// Moves a user to an organisation, into `team_ids` of it (its default team when
/// empty), with a consumer role. Every team must belong to that organisation.
pub async fn assign(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: Uuid,
    org_id: Uuid,
    team_ids: &[Uuid],
    role: OrgRole,
) -> DomainResult<user::Model> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let before = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    move_user(&txn, user_id, org_id, team_ids, role).await?;
    let (from, to) = (get_org(&txn, before.org_id).await?, get_org(&txn, org_id).await?);
    let event = Event::developer(
        "developer.assign",
        user_id,
        &before.email,
        org_id,
        format!("Moved {} to {}", before.email, to.name),
    )
    .change("organisation", &from.name, &to.name)
    .change("role", format!("{:?}", before.org_role), format!("{role:?}"));
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, user.id = %user_id, org.id = %org_id, "user assigned");
    user::Entity::find_by_id(user_id).one(db).await?.ok_or(DomainError::NotFound)
}

/// Puts a user into an organisation (inside the caller's transaction): their team
/// memberships are replaced by `team_ids` of that organisation (its default team when
/// empty) and their consumer role set. The one place users change organisation, so the
/// one-organisation rule holds whichever way they move.
pub async fn move_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    org_id: Uuid,
    team_ids: &[Uuid],
    role: OrgRole,
) -> DomainResult<()> {
    get_org(db, org_id).await?;
    let user = user::Entity::find_by_id(user_id).one(db).await?.ok_or(DomainError::NotFound)?;
    let org_teams = team::Entity::find().filter(team::Column::OrgId.eq(org_id)).all(db).await?;
    let targets: Vec<Uuid> = if team_ids.is_empty() {
        org_teams.iter().filter(|t| t.is_default).map(|t| t.id).collect()
    } else {
        team_ids.to_vec()
    };
    if targets.is_empty() || targets.iter().any(|id| !org_teams.iter().any(|t| t.id == *id)) {
        return Err(FieldError::new("teams", "Choose teams of the chosen organisation.").into());
    }
    team_membership::Entity::delete_many()
        .filter(team_membership::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    for team_id in &targets {
        team_membership::ActiveModel {
            team_id: Set(*team_id),
            user_id: Set(user_id),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await?;
    }
    user::Entity::update_many()
        .col_expr(user::Column::OrgId, Expr::value(org_id))
        .col_expr(user::Column::OrgRole, Expr::value(role))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user.id))
        .exec(db)
        .await?;
    search_index::refresh(db, &[user.id]).await?;
    Ok(())
}

/// The default organisation, where individual developers live.
pub async fn default_org(db: &impl ConnectionTrait) -> DomainResult<organisation::Model> {
    organisation::Entity::find()
        .filter(organisation::Column::IsDefault.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::Internal("the default organisation is missing".into()))
}

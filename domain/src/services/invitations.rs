//! Admins add users: EITHER with a password they set (optionally "must change at next
//! sign-in") OR by an emailed invitation to register — never both; the type makes the
//! choice. Invitation links are single-use, expire, and are stored only hashed.

use crate::entities::invitation;
use crate::entities::organisation::{self, OrgStatus};
use crate::entities::user::{self, OrgRole, PortalRole, UserStatus};
use crate::mail::Mailer;
use crate::password::PasswordHasher;
use crate::secret::{hash_token, random_token};
use crate::services::accounts::{self, NewUser};
use crate::services::audit::{self, Event};
use crate::services::{org_members, organisations};
use crate::{Actor, DomainError, DomainResult};
use chrono::{Duration, Utc};
use portico_model::email::TemplateKey;
use portico_model::{Email, FieldError, Password, PersonName};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use uuid::Uuid;

/// How the new user gets in.
pub enum Credential {
    /// The admin sets the password now.
    Password { password: Password, must_change: bool },
    /// The user gets an email with a link to a registration form.
    Invite,
}

/// An admin's "Add user" form, parsed.
pub struct AddUser {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub credential: Credential,
}

/// What "Add user" did.
pub enum Added {
    User(user::Model),
    Invited(invitation::Model),
}

/// Whether an invitation can still be used.
pub fn is_open(inv: &invitation::Model) -> bool {
    inv.accepted_at.is_none() && inv.revoked_at.is_none() && inv.expires_at > Utc::now()
}

/// Adds a user to an organisation (the default one when `org_id` is `None`), in its
/// default team. Portal admins only.
#[tracing::instrument(skip_all, fields(email = %input.email))]
pub async fn add_user(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    mailer: &Mailer,
    actor: &Actor,
    input: AddUser,
    org_id: Option<Uuid>,
    invite_ttl: Duration,
) -> DomainResult<Added> {
    actor.require_portal_admin()?;
    let org = match org_id {
        Some(id) => organisations::get_org(db, id)
            .await
            .map_err(|_| FieldError::new("org", "Choose an organisation."))?,
        None => organisations::default_org(db).await?,
    };
    if org.status != OrgStatus::Active {
        return Err(FieldError::new("org", "Choose an active organisation.").into());
    }
    let invitee = Invitee { first_name: input.first_name, last_name: input.last_name, email: input.email };
    match input.credential {
        Credential::Password { password, must_change } => {
            if accounts::find_by_email(db, &invitee.email).await?.is_some() {
                return Err(FieldError::new("email", EXISTING_ACCOUNT).into());
            }
            let hash = hasher.hash(&password).await?;
            let txn = db.begin().await?;
            let team = accounts::default_team_of(&txn, org.id).await?;
            let new = NewUser {
                first_name: invitee.first_name.as_str().to_owned(),
                last_name: invitee.last_name.as_str().to_owned(),
                email: invitee.email,
                password_hash: Some(hash),
                portal_role: PortalRole::Developer,
                status: UserStatus::Active,
                must_change_password: must_change,
            };
            let user = accounts::insert_in_team(&txn, new, &team, OrgRole::Member).await?;
            let event = Event::developer(
                "developer.add",
                user.id,
                &user.email,
                org.id,
                format!("Added {} to {} with a password", user.email, org.name),
            );
            audit::record(&txn, Some(actor), event).await?;
            txn.commit().await?;
            tracing::info!(by = %actor.user_id, user.id = %user.id, must_change, "user added with a password");
            Ok(Added::User(user))
        }
        Credential::Invite => {
            let inv = invite(db, mailer, actor, invitee, &org, OrgRole::Member, invite_ttl).await?;
            Ok(Added::Invited(inv))
        }
    }
}

const EXISTING_ACCOUNT: &str = "An account with this email address already exists.";

/// Someone to invite.
pub struct Invitee {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
}

/// A super admin invites a teammate into their own organisation with a role; the link
/// registers them straight into it. Only super admins of an active organisation (not
/// the default one) may.
#[tracing::instrument(skip_all, fields(by = %actor.user_id))]
pub async fn invite_teammate(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    invitee: Invitee,
    role: OrgRole,
    invite_ttl: Duration,
) -> DomainResult<invitation::Model> {
    let org = org_members::require_super_admin(db, actor).await?;
    invite(db, mailer, actor, invitee, &org, role, invite_ttl).await
}

/// Stores an invitation into `org` and mails its link, in one transaction. Refuses an
/// address that has an account or an open invitation.
async fn invite(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    invitee: Invitee,
    org: &organisation::Model,
    role: OrgRole,
    invite_ttl: Duration,
) -> DomainResult<invitation::Model> {
    if accounts::find_by_email(db, &invitee.email).await?.is_some() {
        return Err(FieldError::new("email", EXISTING_ACCOUNT).into());
    }
    let open = invitation::Entity::find()
        .filter(invitation::Column::Email.eq(invitee.email.as_str()))
        .all(db)
        .await?
        .into_iter()
        .any(|i| is_open(&i));
    if open {
        return Err(FieldError::new(
            "email",
            "This address already has a pending invitation. Resend it from the list instead.",
        )
        .into());
    }
    let token = random_token(16);
    let now = Utc::now();
    let txn = db.begin().await?;
    let inv = invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(invitee.email.as_str().to_owned()),
        first_name: Set(invitee.first_name.as_str().to_owned()),
        last_name: Set(invitee.last_name.as_str().to_owned()),
        org_id: Set(org.id),
        org_role: Set(role),
        token_hash: Set(hash_token(&token)),
        expires_at: Set(now + invite_ttl),
        invited_by: Set(actor.user_id),
        created_at: Set(now),
        last_sent_at: Set(now),
        accepted_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    send_invite(&txn, mailer, actor, &inv, org, &token, invite_ttl).await?;
    let event = Event::new(
        "invitation.send",
        "invitation",
        inv.id,
        &inv.email,
        Some(org.id),
        format!("Invited {} to {}", inv.email, org.name),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, invitation.id = %inv.id, org.id = %org.id, "invitation sent");
    Ok(inv)
}

/// Mails an invitation's link: the admin's template for the default organisation, the
/// teammate template (with the role) for a real one.
async fn send_invite(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    actor: &Actor,
    inv: &invitation::Model,
    org: &organisation::Model,
    token: &str,
    ttl: Duration,
) -> DomainResult<()> {
    let inviter = accounts::get(db, actor.user_id).await?;
    let mut vars = vec![
        ("first_name", inv.first_name.clone()),
        ("last_name", inv.last_name.clone()),
        ("inviter_name", format!("{} {}", inviter.first_name, inviter.last_name)),
        ("organisation", org.name.clone()),
        ("link", mailer.link(&format!("/auth/invite?token={token}"))),
        ("expires_in", human_hours(ttl)),
    ];
    let template = if actor.is_portal_admin() {
        TemplateKey::Invite
    } else {
        let role = match inv.org_role {
            OrgRole::SuperAdmin => "super admin",
            OrgRole::Member => "team member",
        };
        vars.push(("role", role.to_owned()));
        TemplateKey::TeamInvite
    };
    mailer.send(db, template, &inv.email, vars).await?;
    Ok(())
}

fn human_hours(d: Duration) -> String {
    match d.num_hours() {
        1 => "1 hour".to_owned(),
        h if h % 24 == 0 && h >= 48 => format!("{} days", h / 24),
        h => format!("{h} hours"),
    }
}

/// Invitations not yet accepted or revoked (expired ones included, marked by date).
pub async fn list_pending(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<invitation::Model>> {
    actor.require_portal_admin()?;
    Ok(invitation::Entity::find()
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The open invitations into the caller's own organisation. Its super admins only.
pub async fn list_for_my_org(db: &DatabaseConnection, actor: &Actor) -> DomainResult<Vec<invitation::Model>> {
    let org = org_members::require_super_admin(db, actor).await?;
    Ok(invitation::Entity::find()
        .filter(invitation::Column::OrgId.eq(org.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?)
}

/// An invitation the caller may manage: portal admins any; a super admin those into
/// their own organisation (others do not exist for them); anyone else nothing.
async fn manageable(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<invitation::Model> {
    let inv = if actor.is_portal_admin() {
        invitation::Entity::find_by_id(id).one(db).await?
    } else {
        let org = org_members::require_super_admin(db, actor).await?;
        invitation::Entity::find_by_id(id).one(db).await?.filter(|inv| inv.org_id == org.id)
    };
    inv.ok_or(DomainError::NotFound)
}

/// Sends a fresh link (the old one stops working) with a new expiry.
pub async fn resend(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    id: Uuid,
    invite_ttl: Duration,
) -> DomainResult<invitation::Model> {
    let inv = manageable(db, actor, id).await?;
    if inv.accepted_at.is_some() || inv.revoked_at.is_some() {
        return Err(DomainError::Conflict("This invitation was already used or revoked.".into()));
    }
    let org = organisations::get_org(db, inv.org_id).await?;
    let token = random_token(16);
    let now = Utc::now();
    let txn = db.begin().await?;
    let mut active: invitation::ActiveModel = inv.into();
    active.token_hash = Set(hash_token(&token));
    active.expires_at = Set(now + invite_ttl);
    active.last_sent_at = Set(now);
    let inv = active.update(&txn).await?;
    send_invite(&txn, mailer, actor, &inv, &org, &token, invite_ttl).await?;
    let event = Event::new(
        "invitation.resend",
        "invitation",
        inv.id,
        &inv.email,
        Some(org.id),
        format!("Sent {} a fresh invitation link", inv.email),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    Ok(inv)
}

/// Revokes an invitation: its link stops working at once.
pub async fn revoke(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<()> {
    let inv = manageable(db, actor, id).await?;
    let res = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(DomainError::NotFound);
    }
    let event = Event::new(
        "invitation.revoke",
        "invitation",
        inv.id,
        &inv.email,
        Some(inv.org_id),
        format!("Revoked the invitation of {}", inv.email),
    );
    audit::record(db, Some(actor), event).await?;
    tracing::info!(by = %actor.user_id, invitation.id = %inv.id, "invitation revoked");
    Ok(())
}

/// The open invitation behind a link, for prefilling the registration form.
pub async fn peek(db: &impl ConnectionTrait, token: &str) -> DomainResult<invitation::Model> {
    let inv = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(hash_token(token.trim())))
        .one(db)
        .await?;
    match inv {
        Some(inv) if is_open(&inv) => Ok(inv),
        _ => Err(invalid_link()),
    }
}

fn invalid_link() -> DomainError {
    FieldError::new("token", "This invitation link is invalid, expired or already used. Ask for a new one.")
        .into()
}

/// Registers from an invitation: the account is active at once (an admin invited it).
/// The link works exactly once, even if submitted twice at the same time.
#[tracing::instrument(skip_all)]
pub async fn accept(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    token: &str,
    first_name: &str,
    last_name: &str,
    password: &str,
) -> DomainResult<user::Model> {
    let first = PersonName::parse("first_name", first_name);
    let last = PersonName::parse("last_name", last_name);
    let pw = Password::parse(password);
    let (first, last, pw) = match (first, last, pw) {
        (Ok(f), Ok(l), Ok(p)) => (f, l, p),
        (f, l, p) => {
            return Err(DomainError::Invalid([f.err(), l.err(), p.err()].into_iter().flatten().collect()));
        }
    };
    let inv = peek(db, token).await?;
    let hash = hasher.hash(&pw).await?;
    let txn = db.begin().await?;
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Expr::value(Utc::now()))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::TokenHash.eq(hash_token(token.trim())))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid_link());
    }
    let email = Email::parse(&inv.email).map_err(|e| DomainError::Internal(e.message))?;
    // The invitation says where the account goes; an organisation closed meanwhile
    // cannot take new members.
    let org = organisations::get_org(&txn, inv.org_id).await?;
    if org.status != OrgStatus::Active {
        return Err(DomainError::Conflict(format!("{} is not active; ask for a new invitation.", org.name)));
    }
    let team = accounts::default_team_of(&txn, org.id).await?;
    let new = NewUser {
        first_name: first.as_str().to_owned(),
        last_name: last.as_str().to_owned(),
        email,
        password_hash: Some(hash),
        portal_role: PortalRole::Developer,
        status: UserStatus::Active,
        must_change_password: false,
    };
    let user = accounts::insert_in_team(&txn, new, &team, inv.org_role).await?;
    txn.commit().await?;
    tracing::info!(user.id = %user.id, invitation.id = %inv.id, "invitation accepted");
    Ok(user)
}

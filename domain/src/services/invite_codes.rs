//! Invite codes: an admin creates a code for a team, with an optional use limit and
//! expiry; whoever signs up with it lands in that team (still pending when registrations
//! need approval). Codes are stored only as SHA-256 hashes, shown once when created.

use crate::entities::invite_code;
use crate::entities::organisation::OrgStatus;
use crate::entities::team;
use crate::secret::hash_token;
use crate::services::audit::{self, Event};
use crate::services::organisations;
use crate::{Actor, DomainError, DomainResult};
use chrono::{DateTime, Utc};
use portico_model::FieldError;
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

/// Letters and digits that cannot be mistaken for one another when read aloud or typed.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// 12 characters of a 32-letter alphabet: 60 bits, far beyond guessing.
const CODE_CHARS: usize = 12;

/// A code as handed out, e.g. `K7QX-MP3A-ZT9R`.
fn generate() -> String {
    let mut rng = rand::rng();
    let raw: String =
        (0..CODE_CHARS).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect();
    raw.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// The canonical form of a typed code: upper case, without spaces or dashes.
pub fn normalise(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// A new code for a team and what it allows.
pub struct NewCode {
    pub team_id: Uuid,
    /// At most this many sign-ups (1 to 10 000); `None` for no limit.
    pub max_uses: Option<i32>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Creates a code; returns it with the one copy of the code in the clear. Portal
/// admins only.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    new: NewCode,
) -> DomainResult<(invite_code::Model, String)> {
    actor.require_portal_admin()?;
    let team = team::Entity::find_by_id(new.team_id).one(db).await?.ok_or(DomainError::NotFound)?;
    let org = organisations::get_org(db, team.org_id).await?;
    if org.status != OrgStatus::Active {
        return Err(
            FieldError::new("team", "Invite codes are only for teams of active organisations.").into()
        );
    }
    if new.max_uses.is_some_and(|n| !(1..=10_000).contains(&n)) {
        return Err(
            FieldError::new("max_uses", "Allow between 1 and 10,000 sign-ups, or leave it empty.").into()
        );
    }
    if new.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(FieldError::new("expires_at", "Choose a moment in the future.").into());
    }
    let code = generate();
    let canonical = normalise(&code);
    let txn = db.begin().await?;
    let row = invite_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        code_hash: Set(hash_token(&canonical)),
        prefix: Set(canonical[..4].to_owned()),
        org_id: Set(team.org_id),
        team_id: Set(team.id),
        max_uses: Set(new.max_uses),
        uses: Set(0),
        expires_at: Set(new.expires_at),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let label = format!("{}…", row.prefix);
    let event = Event::new(
        "invite_code.create",
        "invite_code",
        row.id,
        &label,
        Some(org.id),
        format!("Made an invite code for team {} of {}", team.name, org.name),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, code.id = %row.id, team.id = %team.id, "invite code created");
    Ok((row, code))
}

/// The codes of an organisation with their teams' names, newest first. Portal admins
/// only.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org_id: Uuid,
) -> DomainResult<Vec<(invite_code::Model, String)>> {
    actor.require_portal_admin()?;
    Ok(invite_code::Entity::find()
        .filter(invite_code::Column::OrgId.eq(org_id))
        .order_by_desc(invite_code::Column::CreatedAt)
        .find_also_related(team::Entity)
        .all(db)
        .await?
        .into_iter()
        .map(|(code, team)| (code, team.map(|t| t.name).unwrap_or_default()))
        .collect())
}

/// The name of a code's team.
pub async fn team_name(db: &impl ConnectionTrait, team_id: Uuid) -> DomainResult<String> {
    Ok(team::Entity::find_by_id(team_id).one(db).await?.ok_or(DomainError::NotFound)?.name)
}

/// Stops a code from working. Portal admins only.
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
) -> DomainResult<()> {
    actor.require_portal_admin()?;
    let txn = db.begin().await?;
    let res = invite_code::Entity::update_many()
        .col_expr(invite_code::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(invite_code::Column::Id.eq(id))
        .filter(invite_code::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DomainError::NotFound);
    }
    let row = invite_code::Entity::find_by_id(id).one(&txn).await?.ok_or(DomainError::NotFound)?;
    let label = format!("{}…", row.prefix);
    let event = Event::new(
        "invite_code.revoke",
        "invite_code",
        id,
        &label,
        Some(row.org_id),
        format!("Revoked the invite code {label}"),
    );
    audit::record(&txn, Some(actor), event).await?;
    txn.commit().await?;
    tracing::info!(by = %actor.user_id, code.id = %id, "invite code revoked");
    Ok(())
}

/// Whether a code still admits sign-ups.
pub fn is_usable(code: &invite_code::Model, now: DateTime<Utc>) -> bool {
    code.revoked_at.is_none()
        && code.expires_at.is_none_or(|at| at > now)
        && code.max_uses.is_none_or(|max| code.uses < max)
}

/// Uses one sign-up of a code (inside the sign-up's transaction) and returns the team
/// it admits to. One conditional update, so a code with one use left admits exactly one
/// of two simultaneous sign-ups.
pub async fn redeem(db: &impl ConnectionTrait, code: &str) -> DomainResult<team::Model> {
    let invalid =
        || FieldError::new("invite_code", "This invite code is not valid, has expired or is used up.");
    let canonical = normalise(code);
    if canonical.len() != CODE_CHARS {
        return Err(invalid().into());
    }
    let now = Utc::now();
    let hash = hash_token(&canonical);
    let taken = invite_code::Entity::update_many()
        .col_expr(invite_code::Column::Uses, Expr::col(invite_code::Column::Uses).add(1))
        .filter(invite_code::Column::CodeHash.eq(hash.clone()))
        .filter(invite_code::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(invite_code::Column::ExpiresAt.is_null())
                .add(invite_code::Column::ExpiresAt.gt(now)),
        )
        .filter(
            Condition::any()
                .add(invite_code::Column::MaxUses.is_null())
                .add(Expr::col(invite_code::Column::Uses).lt(Expr::col(invite_code::Column::MaxUses))),
        )
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Err(invalid().into());
    }
    let row = invite_code::Entity::find()
        .filter(invite_code::Column::CodeHash.eq(hash))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::Internal("a redeemed invite code vanished".into()))?;
    let team =
        team::Entity::find_by_id(row.team_id).one(db).await?.ok_or_else(|| DomainError::from(invalid()))?;
    let org = organisations::get_org(db, team.org_id).await?;
    if org.status != OrgStatus::Active {
        return Err(invalid().into());
    }
    Ok(team)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_normalise_back() {
        let code = generate();
        assert_eq!(code.len(), 14, "{code}");
        assert_eq!(code.matches('-').count(), 2);
        assert!(code.chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
        let typed = format!(" {} ", code.to_lowercase().replace('-', " "));
        assert_eq!(normalise(&typed), code.replace('-', ""));
        assert_ne!(generate(), code);
    }
}

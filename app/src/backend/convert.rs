//! Explicit entity → DTO conversions. Wire types are not entities.

use portico_domain::entities::organisation::OrgStatus as DomainOrgStatus;
use portico_domain::entities::outbox_message::{self, MailStatus};
use portico_domain::entities::user::{self, OrgRole, PortalRole, UserStatus};
use portico_domain::entities::{invitation, invite_code, organisation};
use portico_domain::services::admin::UserWithOrg;
use portico_domain::services::{invite_codes, organisations};
use portico_model::OrgMember;
use portico_model::email::TemplateKey;
use portico_model::{
    AccountStatus, ConsumerRole, InvitationSummary, InviteCodeSummary, Me, OrgDetail, OrgSummary, OutboxMail,
    TeamSummary, UserSummary,
};

pub fn portal_role(role: PortalRole) -> portico_model::PortalRole {
    role.into()
}

pub fn status(status: UserStatus) -> AccountStatus {
    status.into()
}

pub fn me(user: &user::Model, org: &organisation::Model) -> Me {
    Me {
        id: user.id.into(),
        email: user.email.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        role: portal_role(user.portal_role),
        status: status(user.status),
        org_id: org.id.into(),
        org_name: org.name.clone(),
        org_role: consumer_role(user.org_role),
        org_is_default: org.is_default,
        must_change_password: user.must_change_password,
        gravatar_hash: gravatar_hash(&user.email),
    }
}

/// Gravatar's key for an address: the MD5 of it, trimmed and lower-cased.
pub fn gravatar_hash(email: &str) -> String {
    use md5::{Digest, Md5};
    let digest = Md5::digest(email.trim().to_lowercase().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn mail_status(s: MailStatus) -> portico_model::MailStatus {
    match s {
        MailStatus::Held => portico_model::MailStatus::Held,
        MailStatus::Queued => portico_model::MailStatus::Queued,
        MailStatus::Sent => portico_model::MailStatus::Sent,
        MailStatus::Failed => portico_model::MailStatus::Failed,
    }
}

/// An outbox row; bodies included only when `with_bodies`.
pub fn outbox_mail(m: outbox_message::Model, with_bodies: bool) -> OutboxMail {
    let template = TemplateKey::parse(&m.template).map_or(m.template.clone(), |k| k.title().to_owned());
    OutboxMail {
        id: m.id.into(),
        to: m.to_address,
        template,
        subject: m.subject,
        status: mail_status(m.status),
        attempts: m.attempts,
        last_error: m.last_error,
        created_at: m.created_at,
        sent_at: m.sent_at,
        text: with_bodies.then_some(m.text_body),
        html: with_bodies.then_some(m.html_body),
    }
}

pub fn invitation(inv: invitation::Model) -> InvitationSummary {
    InvitationSummary {
        id: inv.id.into(),
        expired: inv.expires_at <= chrono::Utc::now(),
        name: format!("{} {}", inv.first_name, inv.last_name),
        email: inv.email,
        created_at: inv.created_at,
        last_sent_at: inv.last_sent_at,
        expires_at: inv.expires_at,
        role: consumer_role(inv.org_role),
    }
}

/// The domain's status from the wire's.
pub fn user_status(s: AccountStatus) -> UserStatus {
    match s {
        AccountStatus::Pending => UserStatus::Pending,
        AccountStatus::Active => UserStatus::Active,
        AccountStatus::Inactive => UserStatus::Inactive,
        AccountStatus::Rejected => UserStatus::Rejected,
    }
}

pub fn user_summary(row: UserWithOrg) -> UserSummary {
    let u = row.user;
    UserSummary {
        id: u.id.into(),
        name: format!("{} {}", u.first_name, u.last_name),
        email: u.email,
        username: u.username,
        role: portal_role(u.portal_role),
        status: status(u.status),
        org_id: u.org_id.into(),
        org_name: row.org_name,
        created_at: u.created_at,
        status_since: u.status_changed_at,
    }
}

pub fn org_status(s: DomainOrgStatus) -> portico_model::OrgStatus {
    match s {
        DomainOrgStatus::Pending => portico_model::OrgStatus::Pending,
        DomainOrgStatus::Active => portico_model::OrgStatus::Active,
        DomainOrgStatus::Inactive => portico_model::OrgStatus::Inactive,
        DomainOrgStatus::Rejected => portico_model::OrgStatus::Rejected,
    }
}

pub fn domain_org_status(s: portico_model::OrgStatus) -> DomainOrgStatus {
    match s {
        portico_model::OrgStatus::Pending => DomainOrgStatus::Pending,
        portico_model::OrgStatus::Active => DomainOrgStatus::Active,
        portico_model::OrgStatus::Inactive => DomainOrgStatus::Inactive,
        portico_model::OrgStatus::Rejected => DomainOrgStatus::Rejected,
    }
}

pub fn consumer_role(r: OrgRole) -> ConsumerRole {
    r.into()
}

pub fn org_role(r: ConsumerRole) -> OrgRole {
    match r {
        ConsumerRole::SuperAdmin => OrgRole::SuperAdmin,
        ConsumerRole::Member => OrgRole::Member,
    }
}

pub fn org_summary(org: organisations::OrgSummary) -> OrgSummary {
    let organisations::OrgSummary { org, members, teams, requester } = org;
    OrgSummary {
        id: org.id.into(),
        name: org.name,
        status: org_status(org.status),
        is_default: org.is_default,
        members,
        teams,
        created_at: org.created_at,
        requested_by: requester,
        decision_reason: org.decision_reason,
    }
}

pub fn invite_code(code: invite_code::Model, team_name: String) -> InviteCodeSummary {
    let usable = invite_codes::is_usable(&code, chrono::Utc::now());
    InviteCodeSummary {
        id: code.id.into(),
        prefix: code.prefix,
        team_id: code.team_id.into(),
        team_name,
        max_uses: code.max_uses.map(|n| n.max(0) as u32),
        uses: code.uses.max(0) as u32,
        expires_at: code.expires_at,
        created_at: code.created_at,
        revoked: code.revoked_at.is_some(),
        usable,
    }
}

pub fn org_detail(d: organisations::OrgDetail) -> OrgDetail {
    let count = |team: uuid::Uuid| d.members.iter().filter(|(_, ids)| ids.contains(&team)).count() as u64;
    let teams = d
        .teams
        .iter()
        .map(|t| TeamSummary {
            id: t.id.into(),
            name: t.name.clone(),
            is_default: t.is_default,
            members: count(t.id),
        })
        .collect();
    let members = d
        .members
        .iter()
        .map(|(u, ids)| OrgMember {
            id: u.id.into(),
            name: format!("{} {}", u.first_name, u.last_name),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            email: u.email.clone(),
            role: consumer_role(u.org_role),
            status: status(u.status),
            team_ids: ids.iter().map(|id| (*id).into()).collect(),
        })
        .collect();
    let (members_n, teams_n) = (d.members.len() as u64, d.teams.len() as u64);
    let summary =
        organisations::OrgSummary { org: d.org, members: members_n, teams: teams_n, requester: d.requester };
    OrgDetail { org: org_summary(summary), teams, members }
}

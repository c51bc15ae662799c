//! Writing exports: developers, apps and API products, as CSV or JSON, in batches read
//! by keyset so memory stays bounded whatever the size. CSV holds the scalar fields
//! (and developers' custom attributes as `attr.<name>` columns); JSON keeps everything
//! nested. Progress is reported through a callback after every batch.

pub mod csv;

use crate::entities::{developer_attribute, organisation, team, team_membership, user};
use crate::services::search_index;
use crate::services::{apps, products};
use crate::{Actor, DomainResult};
use portico_model as m;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use uuid::Uuid;

/// Rows read per batch.
pub const BATCH: u64 = 2000;

/// A developer as an export holds them.
#[derive(Serialize)]
struct DeveloperRecord<'a> {
    id: Uuid,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    username: Option<&'a str>,
    status: &'static str,
    role: &'static str,
    organisation: OrgRecord<'a>,
    org_role: &'static str,
    teams: Vec<&'a str>,
    attributes: BTreeMap<&'a str, &'a str>,
    created_at: String,
    status_since: String,
    updated_at: String,
}

#[derive(Serialize)]
struct OrgRecord<'a> {
    id: Uuid,
    name: &'a str,
}

/// Scalar columns of the developers CSV, before the `attr.<name>` ones.
const DEVELOPER_COLUMNS: [&str; 12] = [
    "id",
    "email",
    "first_name",
    "last_name",
    "username",
    "status",
    "role",
    "organisation",
    "org_role",
    "created_at",
    "status_since",
    "updated_at",
];

/// Writes JSON array punctuation around records.
struct JsonArray {
    first: bool,
}

impl JsonArray {
    fn start(out: &mut impl Write) -> std::io::Result<Self> {
        out.write_all(b"[")?;
        Ok(Self { first: true })
    }

    fn item(&mut self, out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
        out.write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other)
    }

    fn end(self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(if self.first { b"]\n" } else { b"\n]\n" })
    }
}

fn io(e: std::io::Error) -> crate::DomainError {
    crate::DomainError::Internal(format!("writing the export: {e}"))
}

fn status_key(s: user::UserStatus) -> &'static str {
    match s {
        user::UserStatus::Pending => "pending",
        user::UserStatus::Active => "active",
        user::UserStatus::Inactive => "inactive",
        user::UserStatus::Rejected => "rejected",
    }
}

/// The next batch of developers: every user by id, or the matches of a search.
struct DeveloperSource {
    search: Option<m::DeveloperQuery>,
    after: Option<Uuid>,
    done: bool,
}

impl DeveloperSource {
    async fn next(&mut self, db: &impl ConnectionTrait) -> DomainResult<Vec<user::Model>> {
        if self.done {
            return Ok(Vec::new());
        }
        let users = match &mut self.search {
            None => {
                let mut query = user::Entity::find().order_by_asc(user::Column::Id).limit(BATCH);
                if let Some(last) = self.after {
                    query = query.filter(user::Column::Id.gt(last));
                }
                let users = query.all(db).await?;
                self.after = users.last().map(|u| u.id);
                users
            }
            Some(q) => {
                let (rows, next) = search_index::page(db, q, BATCH).await?;
                q.after = next;
                let mut by_id: HashMap<Uuid, user::Model> = user::Entity::find()
                    .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|u| (u.id, u))
                    .collect();
                if q.after.is_none() {
                    self.done = true;
                }
                rows.iter().filter_map(|r| by_id.remove(&r.user_id)).collect()
            }
        };
        if (users.len() as u64) < BATCH && self.search.is_none() {
            self.done = true;
        }
        Ok(users)
    }
}

/// How many rows an export of `kind` will write (for the progress bar).
pub async fn count(
    db: &impl ConnectionTrait,
    kind: m::ExportKind,
    search: Option<&m::DeveloperQuery>,
) -> DomainResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(match (kind, search) {
        (m::ExportKind::Developers, Some(q)) => search_index::count_all(db, q).await?,
        (m::ExportKind::Developers, None) => user::Entity::find().count(db).await?,
        (m::ExportKind::Apps, _) => {
            crate::entities::app::Entity::find()
                .filter(crate::entities::app::Column::DeletedAt.is_null())
                .count(db)
                .await?
        }
        (m::ExportKind::Products, _) => crate::entities::api_product::Entity::find().count(db).await?,
    })
}

/// Writes developers (everyone, or a search's matches) to `out`; `progress` hears the
/// number of rows written after each batch. Returns the rows written.
pub async fn developers(
    db: &impl ConnectionTrait,
    format: m::ExportFormat,
    search: Option<m::DeveloperQuery>,
    out: &mut impl Write,
    mut progress: impl FnMut(u64),
) -> DomainResult<u64> {
    let attr_names: Vec<String> = developer_attribute::Entity::find()
        .select_only()
        .column(developer_attribute::Column::Name)
        .distinct()
        .order_by_asc(developer_attribute::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    let mut orgs: HashMap<Uuid, String> = HashMap::new();
    let mut team_names: HashMap<Uuid, String> = HashMap::new();
    let mut source = DeveloperSource { search, after: None, done: false };
    let mut json = None;
    match format {
        m::ExportFormat::Csv => {
            let attr_columns: Vec<String> = attr_names.iter().map(|n| format!("attr.{n}")).collect();
            csv::row(out, DEVELOPER_COLUMNS.iter().copied().chain(attr_columns.iter().map(String::as_str)))
                .map_err(io)?;
        }
        m::ExportFormat::Json => json = Some(JsonArray::start(out).map_err(io)?),
    }
    let mut written = 0;
    loop {
        let users = source.next(db).await?;
        if users.is_empty() {
            break;
        }
        let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
        let missing_orgs: Vec<Uuid> =
            users.iter().map(|u| u.org_id).filter(|id| !orgs.contains_key(id)).collect();
        if !missing_orgs.is_empty() {
            for o in organisation::Entity::find()
                .filter(organisation::Column::Id.is_in(missing_orgs))
                .all(db)
                .await?
            {
                orgs.insert(o.id, o.name);
            }
        }
        let mut teams: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for mb in team_membership::Entity::find()
            .filter(team_membership::Column::UserId.is_in(ids.clone()))
            .all(db)
            .await?
        {
            teams.entry(mb.user_id).or_default().push(mb.team_id);
        }
        let missing_teams: Vec<Uuid> =
            teams.values().flatten().copied().filter(|id| !team_names.contains_key(id)).collect();
        if !missing_teams.is_empty() {
            for t in team::Entity::find().filter(team::Column::Id.is_in(missing_teams)).all(db).await? {
                team_names.insert(t.id, t.name);
            }
        }
        let mut attributes: HashMap<Uuid, Vec<developer_attribute::Model>> = HashMap::new();
        for a in developer_attribute::Entity::find()
            .filter(developer_attribute::Column::UserId.is_in(ids))
            .all(db)
            .await?
        {
            attributes.entry(a.user_id).or_default().push(a);
        }
        for u in &users {
            let attrs: BTreeMap<&str, &str> = attributes
                .get(&u.id)
                .map(|list| list.iter().map(|a| (a.name.as_str(), a.value.as_str())).collect())
                .unwrap_or_default();
            let role = if u.portal_role == user::PortalRole::Admin { "admin" } else { "developer" };
            let org_role = if u.org_role == user::OrgRole::SuperAdmin { "super_admin" } else { "member" };
            let org_name = orgs.get(&u.org_id).map_or("", String::as_str);
            let (created, since, updated) =
                (u.created_at.to_rfc3339(), u.status_changed_at.to_rfc3339(), u.updated_at.to_rfc3339());
            match json.as_mut() {
                None => {
                    let id = u.id.to_string();
                    let fixed = [
                        id.as_str(),
                        &u.email,
                        &u.first_name,
                        &u.last_name,
                        u.username.as_deref().unwrap_or(""),
                        status_key(u.status),
                        role,
                        org_name,
                        org_role,
                        &created,
                        &since,
                        &updated,
                    ];
                    let attr_cells = attr_names.iter().map(|n| attrs.get(n.as_str()).copied().unwrap_or(""));
                    csv::row(out, fixed.into_iter().chain(attr_cells)).map_err(io)?;
                }
                Some(array) => {
                    let record = DeveloperRecord {
                        id: u.id,
                        email: &u.email,
                        first_name: &u.first_name,
                        last_name: &u.last_name,
                        username: u.username.as_deref(),
                        status: status_key(u.status),
                        role,
                        organisation: OrgRecord { id: u.org_id, name: org_name },
                        org_role,
                        teams: teams
                            .get(&u.id)
                            .map(|ts| {
                                ts.iter().filter_map(|t| team_names.get(t).map(String::as_str)).collect()
                            })
                            .unwrap_or_default(),
                        attributes: attrs,
                        created_at: created,
                        status_since: since,
                        updated_at: updated,
                    };
                    array.item(out, &record).map_err(io)?;
                }
            }
        }
        written += users.len() as u64;
        progress(written);
    }
    if let Some(array) = json {
        array.end(out).map_err(io)?;
    }
    Ok(written)
}

/// Writes every live app, with its requests and keys' metadata (nested, JSON only).
pub async fn apps(
    db: &impl ConnectionTrait,
    format: m::ExportFormat,
    out: &mut impl Write,
    mut progress: impl FnMut(u64),
) -> DomainResult<u64> {
    use crate::entities::app;
    let mut json = match format {
        m::ExportFormat::Csv => {
            csv::row(
                out,
                [
                    "id",
                    "name",
                    "description",
                    "organisation",
                    "shared",
                    "created_by",
                    "created_at",
                    "requests",
                    "keys",
                ],
            )
            .map_err(io)?;
            None
        }
        m::ExportFormat::Json => Some(JsonArray::start(out).map_err(io)?),
    };
    let (mut after, mut written) = (None::<Uuid>, 0);
    loop {
        let mut query = app::Entity::find()
            .filter(app::Column::DeletedAt.is_null())
            .order_by_asc(app::Column::Id)
            .limit(500);
        if let Some(last) = after {
            query = query.filter(app::Column::Id.gt(last));
        }
        let rows = query.all(db).await?;
        let Some(last) = rows.last().map(|a| a.id) else { break };
        after = Some(last);
        for v in apps::views(db, rows).await? {
            match json.as_mut() {
                None => {
                    let (id, created, requests, keys) = (
                        v.id.to_string(),
                        v.created_at.to_rfc3339(),
                        v.requests.len().to_string(),
                        v.keys.len().to_string(),
                    );
                    let shared = if v.shared { "true" } else { "false" };
                    csv::row(
                        out,
                        [
                            id.as_str(),
                            &v.name,
                            &v.description,
                            &v.organisation,
                            shared,
                            &v.created_by,
                            &created,
                            &requests,
                            &keys,
                        ],
                    )
                    .map_err(io)?;
                }
                Some(array) => array.item(out, &v).map_err(io)?,
            }
            written += 1;
        }
        progress(written);
    }
    if let Some(array) = json {
        array.end(out).map_err(io)?;
    }
    Ok(written)
}

/// Writes every API product; JSON with its APIs (and their operations) and catalogs.
pub async fn products(
    db: &impl ConnectionTrait,
    actor: &Actor,
    format: m::ExportFormat,
    out: &mut impl Write,
    mut progress: impl FnMut(u64),
) -> DomainResult<u64> {
    let list = products::list(db, actor).await?;
    let mut json = match format {
        m::ExportFormat::Csv => {
            csv::row(out, ["id", "name", "slug", "summary", "base_url", "published", "apis", "catalogs"])
                .map_err(io)?;
            None
        }
        m::ExportFormat::Json => Some(JsonArray::start(out).map_err(io)?),
    };
    let mut written: u64 = 0;
    for p in list {
        match json.as_mut() {
            None => {
                let (id, apis) = (p.id.to_string(), p.api_count.to_string());
                let catalogs = p.catalogs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join("; ");
                let published = if p.published { "true" } else { "false" };
                csv::row(
                    out,
                    [id.as_str(), &p.name, &p.slug, &p.summary, &p.base_url, published, &apis, &catalogs],
                )
                .map_err(io)?;
            }
            Some(array) => {
                let detail = products::detail_for_admin(db, actor, p.id.0).await?;
                array.item(out, &detail).map_err(io)?;
            }
        }
        written += 1;
        if written.is_multiple_of(100) {
            progress(written);
        }
    }
    progress(written);
    if let Some(array) = json {
        array.end(out).map_err(io)?;
    }
    Ok(written)
}

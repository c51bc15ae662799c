//! Writing exports: developers, apps and API products, as CSV or JSON, in batches read
//! by keyset so memory stays bounded whatever the size. CSV holds the scalar fields
//! (and developers' custom attributes as `attr.<name>` columns); JSON keeps everything
//! nested. Progress is reported through a callback after every batch.

pub mod csv;
mod pg_copy;
mod sqlite_fast;

use crate::entities::{developer_attribute, organisation, team, team_membership, user};
use crate::services::search_index;
use crate::services::{apps, products};
use crate::{Actor, DomainResult};
use futures_util::StreamExt;
use portico_model as m;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QueryResult, QuerySelect, Select, StreamTrait,
};
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
    created_at: &'a str,
    status_since: &'a str,
    updated_at: &'a str,
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

/// Appends `t` exactly as `DateTime::to_rfc3339` writes it (`2026-12-04T18:22:45.918+00:00`:
/// no fraction, or 3, 6 or 9 digits, whichever is shortest without losing any), but
/// without its general formatting machinery, which costs an export of a million rows
/// a second or two. Leap seconds and years outside 0–9999 go the general way.
fn rfc3339(t: &chrono::DateTime<chrono::Utc>, out: &mut String) {
    use chrono::{Datelike, Timelike};
    let (year, nanos) = (t.year(), t.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        out.push_str(&t.to_rfc3339());
        return;
    }
    fn digits(out: &mut String, value: u32, width: usize) {
        let mut buf = [b'0'; 9];
        let mut v = value;
        for slot in buf[..width].iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
        out.extend(buf[..width].iter().map(|&b| char::from(b)));
    }
    digits(out, year.unsigned_abs(), 4);
    out.push('-');
    digits(out, t.month(), 2);
    out.push('-');
    digits(out, t.day(), 2);
    out.push('T');
    digits(out, t.hour(), 2);
    out.push(':');
    digits(out, t.minute(), 2);
    out.push(':');
    digits(out, t.second(), 2);
    if nanos != 0 {
        out.push('.');
        if nanos.is_multiple_of(1_000_000) {
            digits(out, nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            digits(out, nanos / 1_000, 6);
        } else {
            digits(out, nanos, 9);
        }
    }
    out.push_str("+00:00");
}

fn status_key(s: user::UserStatus) -> &'static str {
    match s {
        user::UserStatus::Pending => "pending",
        user::UserStatus::Active => "active",
        user::UserStatus::Inactive => "inactive",
        user::UserStatus::Rejected => "rejected",
    }
}

/// The stored value of an enum column, as the file writes it, if it is one of `keys`
/// (the general way refuses any other).
fn known(value: &[u8], keys: &[&'static str]) -> Option<&'static str> {
    keys.iter().copied().find(|k| k.as_bytes() == value)
}

const STATUS_KEYS: [&str; 4] = ["pending", "active", "inactive", "rejected"];
const PORTAL_ROLE_KEYS: [&str; 2] = ["admin", "developer"];
const ORG_ROLE_KEYS: [&str; 2] = ["super_admin", "member"];

/// The columns of a user an export writes (no password hash, nothing it leaves out).
struct DeveloperRow {
    id: Uuid,
    email: String,
    first_name: String,
    last_name: String,
    username: Option<String>,
    status: user::UserStatus,
    portal_role: user::PortalRole,
    org_id: Uuid,
    org_role: user::OrgRole,
    created_at: chrono::DateTime<chrono::Utc>,
    status_changed_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// Decoded by position (in the order of [`DeveloperRow::select`]): an export reads
/// every row of the table, and looking each column up by name costs a fifth of it.
impl FromQueryResult for DeveloperRow {
    fn from_query_result(row: &QueryResult, _pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            id: row.try_get_by_index(0)?,
            email: row.try_get_by_index(1)?,
            first_name: row.try_get_by_index(2)?,
            last_name: row.try_get_by_index(3)?,
            username: row.try_get_by_index(4)?,
            status: user::UserStatus::try_from_value(&row.try_get_by_index(5)?)?,
            portal_role: user::PortalRole::try_from_value(&row.try_get_by_index(6)?)?,
            org_id: row.try_get_by_index(7)?,
            org_role: user::OrgRole::try_from_value(&row.try_get_by_index(8)?)?,
            created_at: row.try_get_by_index(9)?,
            status_changed_at: row.try_get_by_index(10)?,
            updated_at: row.try_get_by_index(11)?,
        })
    }
}

impl DeveloperRow {
    /// The columns, in the order `from_query_result` reads them.
    fn select() -> Select<user::Entity> {
        use user::Column as C;
        user::Entity::find().select_only().columns([
            C::Id,
            C::Email,
            C::FirstName,
            C::LastName,
            C::Username,
            C::Status,
            C::PortalRole,
            C::OrgId,
            C::OrgRole,
            C::CreatedAt,
            C::StatusChangedAt,
            C::UpdatedAt,
        ])
    }
}

/// Which users a batch holds, for reading their attributes and teams: an id range
/// (everyone, read in id order) or the ids of a search's page.
enum Members {
    Range { after: Option<Uuid>, last: Uuid },
    Ids(Vec<Uuid>),
}

impl Members {
    /// `query` narrowed to rows whose `column` (a user id) is in the batch.
    fn filter<E: EntityTrait>(&self, query: Select<E>, column: E::Column) -> Select<E> {
        match self {
            Self::Range { after, last } => {
                let query = query.filter(column.lte(*last));
                match after {
                    Some(a) => query.filter(column.gt(*a)),
                    None => query,
                }
            }
            Self::Ids(ids) => query.filter(column.is_in(ids.iter().copied())),
        }
    }
}

/// The next batch of developers: every user by id, or the matches of a search.
struct DeveloperSource {
    search: Option<m::DeveloperQuery>,
    after: Option<Uuid>,
    done: bool,
    batch: u64,
}

impl DeveloperSource {
    /// Rows are streamed, not collected by the driver: each row's values are freed as
    /// soon as it is decoded (on SQLite a collected batch keeps every copied value
    /// alive, and reading it costs a fifth more).
    async fn next<C: ConnectionTrait + StreamTrait>(
        &mut self,
        db: &C,
    ) -> DomainResult<(Vec<DeveloperRow>, Members)> {
        let mut users = Vec::new();
        if self.done {
            return Ok((users, Members::Ids(Vec::new())));
        }
        let members = match &mut self.search {
            None => {
                let mut query = DeveloperRow::select().order_by_asc(user::Column::Id).limit(self.batch);
                if let Some(last) = self.after {
                    query = query.filter(user::Column::Id.gt(last));
                }
                let mut rows = query.into_model::<DeveloperRow>().stream(db).await?;
                while let Some(row) = rows.next().await {
                    users.push(row?);
                }
                drop(rows);
                if (users.len() as u64) < self.batch {
                    self.done = true;
                }
                let after = self.after;
                let Some(last) = users.last().map(|u| u.id) else {
                    return Ok((users, Members::Ids(Vec::new())));
                };
                self.after = Some(last);
                Members::Range { after, last }
            }
            Some(q) => {
                let (page, next) = search_index::page(db, q, self.batch).await?;
                q.after = next;
                if q.after.is_none() {
                    self.done = true;
                }
                let ids: Vec<Uuid> = page.iter().map(|r| r.user_id).collect();
                let mut by_id: HashMap<Uuid, DeveloperRow> = HashMap::with_capacity(ids.len());
                let mut rows = DeveloperRow::select()
                    .filter(user::Column::Id.is_in(ids.iter().copied()))
                    .into_model::<DeveloperRow>()
                    .stream(db)
                    .await?;
                while let Some(row) = rows.next().await {
                    let row = row?;
                    by_id.insert(row.id, row);
                }
                drop(rows);
                users.extend(ids.iter().filter_map(|id| by_id.remove(id)));
                Members::Ids(ids)
            }
        };
        Ok((users, members))
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

/// How a developers export reads the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// Typed rows through sea-orm, batch by batch: every format, every search, every
    /// database.
    General,
    /// For the CSV of everyone: on SQLite each batch comes back as one text value
    /// ([`sqlite_fast`]), on PostgreSQL the rows come as one binary `COPY` ([`pg_copy`]).
    /// Anything else (JSON, a search, another database) reads the general way. The file
    /// is byte for byte the one [`Reader::General`] writes.
    Fast,
}

/// Writes developers (everyone, or a search's matches) to `out`; `progress` hears the
/// number of rows written after each batch. Returns the rows written.
pub async fn developers(
    db: &DatabaseConnection,
    format: m::ExportFormat,
    search: Option<m::DeveloperQuery>,
    out: &mut impl Write,
    progress: impl FnMut(u64),
) -> DomainResult<u64> {
    Ok(developers_with(db, format, search, out, progress, Reader::Fast, BATCH).await?.rows)
}

/// What [`developers_with`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    pub rows: u64,
    /// The reader that ran ([`Reader::General`] where no fast one applies).
    pub reader: Reader,
    /// Batches the fast reader handed to the general way (values it cannot write exactly).
    pub general_batches: u64,
}

/// [`developers`], read by `reader`, `batch` users at a time.
pub async fn developers_with(
    db: &DatabaseConnection,
    format: m::ExportFormat,
    search: Option<m::DeveloperQuery>,
    out: &mut impl Write,
    progress: impl FnMut(u64),
    reader: Reader,
    batch: u64,
) -> DomainResult<Written> {
    if reader == Reader::Fast && format == m::ExportFormat::Csv && search.is_none() {
        let backend = db.get_database_backend();
        if backend == DbBackend::Sqlite {
            let (rows, general_batches) = sqlite_fast::developers(db, out, progress, batch.max(1)).await?;
            return Ok(Written { rows, reader, general_batches });
        }
        if backend == DbBackend::Postgres && pg_copy::usable(db).await? {
            let rows = pg_copy::developers(db, out, progress, batch.max(1)).await?;
            return Ok(Written { rows, reader, general_batches: 0 });
        }
    }
    let rows = developers_in_batches(db, format, search, out, progress, batch).await?;
    Ok(Written { rows, reader: Reader::General, general_batches: 0 })
}

/// What the batches of one developers export share: the attribute columns, the names
/// of the organisations and teams met so far, and the JSON array being written.
struct Context {
    attr_names: Vec<String>,
    orgs: HashMap<Uuid, String>,
    team_names: HashMap<Uuid, String>,
    json: Option<JsonArray>,
    created: String,
    since: String,
    updated: String,
}

impl Context {
    /// Reads the attribute names and writes the file's start (the CSV header).
    async fn start<C: ConnectionTrait>(
        db: &C,
        format: m::ExportFormat,
        out: &mut impl Write,
    ) -> DomainResult<Self> {
        let attr_names: Vec<String> = developer_attribute::Entity::find()
            .select_only()
            .column(developer_attribute::Column::Name)
            .distinct()
            .order_by_asc(developer_attribute::Column::Name)
            .into_tuple()
            .all(db)
            .await?;
        let mut json = None;
        match format {
            m::ExportFormat::Csv => {
                let attr_columns: Vec<String> = attr_names.iter().map(|n| format!("attr.{n}")).collect();
                csv::row(
                    out,
                    DEVELOPER_COLUMNS.iter().copied().chain(attr_columns.iter().map(String::as_str)),
                )
                .map_err(io)?;
            }
            m::ExportFormat::Json => json = Some(JsonArray::start(out).map_err(io)?),
        }
        Ok(Self {
            attr_names,
            orgs: HashMap::new(),
            team_names: HashMap::new(),
            json,
            created: String::new(),
            since: String::new(),
            updated: String::new(),
        })
    }

    /// Writes the file's end (JSON's closing bracket).
    fn finish(self, out: &mut impl Write) -> DomainResult<()> {
        if let Some(array) = self.json {
            array.end(out).map_err(io)?;
        }
        Ok(())
    }

    /// Reads the names of the organisations in `ids` not met yet.
    async fn load_orgs<C: ConnectionTrait>(
        &mut self,
        db: &C,
        ids: impl Iterator<Item = Uuid>,
    ) -> DomainResult<()> {
        let mut missing: Vec<Uuid> = ids.filter(|id| !self.orgs.contains_key(id)).collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            for o in
                organisation::Entity::find().filter(organisation::Column::Id.is_in(missing)).all(db).await?
            {
                self.orgs.insert(o.id, o.name);
            }
        }
        Ok(())
    }

    /// The organisation's name as the file holds it (empty when it is gone).
    fn org_name(&self, id: &Uuid) -> &str {
        self.orgs.get(id).map_or("", String::as_str)
    }

    /// Writes one CSV row for a fast reader: the twelve fixed cells (checked to be what the
    /// general way writes) and the user's (name, value) attributes, which fill the
    /// attribute columns exactly as [`Context::write_batch`] does.
    fn csv_row<N: AsRef<str>, V: AsRef<str>>(
        &self,
        out: &mut Vec<u8>,
        fixed: [&str; 12],
        attrs: &[(N, V)],
    ) -> std::io::Result<()> {
        let attr_cells = self.attr_names.iter().map(|n| {
            attrs.iter().find(|(name, _)| name.as_ref() == n).map_or("", |(_, value)| value.as_ref())
        });
        csv::row(out, fixed.into_iter().chain(attr_cells))
    }

    /// Writes one batch of users read the general way.
    async fn write_batch<C: ConnectionTrait>(
        &mut self,
        db: &C,
        users: &[DeveloperRow],
        members: &Members,
        out: &mut impl Write,
    ) -> DomainResult<()> {
        self.load_orgs(db, users.iter().map(|u| u.org_id)).await?;
        // Teams are nested data: only JSON carries them.
        let mut teams: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        if self.json.is_some() {
            let memberships = members
                .filter(team_membership::Entity::find(), team_membership::Column::UserId)
                .select_only()
                .columns([team_membership::Column::UserId, team_membership::Column::TeamId])
                .into_tuple::<(Uuid, Uuid)>()
                .all(db)
                .await?;
            for (user_id, team_id) in memberships {
                teams.entry(user_id).or_default().push(team_id);
            }
        }
        let missing_teams: Vec<Uuid> =
            teams.values().flatten().copied().filter(|id| !self.team_names.contains_key(id)).collect();
        if !missing_teams.is_empty() {
            for t in team::Entity::find().filter(team::Column::Id.is_in(missing_teams)).all(db).await? {
                self.team_names.insert(t.id, t.name);
            }
        }
        let attributes = attributes_of(db, members).await?;
        for u in users {
            let attrs: BTreeMap<&str, &str> = attributes
                .get(&u.id)
                .map(|list| list.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect())
                .unwrap_or_default();
            let role = if u.portal_role == user::PortalRole::Admin { "admin" } else { "developer" };
            let org_role = if u.org_role == user::OrgRole::SuperAdmin { "super_admin" } else { "member" };
            let org_name = self.orgs.get(&u.org_id).map_or("", String::as_str);
            for (buf, t) in [
                (&mut self.created, &u.created_at),
                (&mut self.since, &u.status_changed_at),
                (&mut self.updated, &u.updated_at),
            ] {
                buf.clear();
                rfc3339(t, buf);
            }
            match self.json.as_mut() {
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
                        &self.created,
                        &self.since,
                        &self.updated,
                    ];
                    let attr_cells =
                        self.attr_names.iter().map(|n| attrs.get(n.as_str()).copied().unwrap_or(""));
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
                                ts.iter().filter_map(|t| self.team_names.get(t).map(String::as_str)).collect()
                            })
                            .unwrap_or_default(),
                        attributes: attrs,
                        created_at: &self.created,
                        status_since: &self.since,
                        updated_at: &self.updated,
                    };
                    array.item(out, &record).map_err(io)?;
                }
            }
        }
        Ok(())
    }
}

/// The attributes of a batch's users: (name, value) pairs by user.
async fn attributes_of<C: ConnectionTrait>(
    db: &C,
    members: &Members,
) -> DomainResult<HashMap<Uuid, Vec<(String, String)>>> {
    use developer_attribute::Column as A;
    let rows = members
        .filter(developer_attribute::Entity::find(), A::UserId)
        .select_only()
        .columns([A::UserId, A::Name, A::Value])
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?;
    let mut attributes: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
    for (user_id, name, value) in rows {
        attributes.entry(user_id).or_default().push((name, value));
    }
    Ok(attributes)
}

/// The users with ids in `(after, last]`, in id order, read the general way (what a fast
/// reader falls back to for a batch it cannot write exactly).
async fn general_range<C: ConnectionTrait + StreamTrait>(
    db: &C,
    after: Option<Uuid>,
    last: Uuid,
) -> DomainResult<Vec<DeveloperRow>> {
    let members = Members::Range { after, last };
    let mut rows = members
        .filter(DeveloperRow::select(), user::Column::Id)
        .order_by_asc(user::Column::Id)
        .into_model::<DeveloperRow>()
        .stream(db)
        .await?;
    let mut users = Vec::new();
    while let Some(row) = rows.next().await {
        users.push(row?);
    }
    Ok(users)
}

/// [`developers`] read the general way, `batch` users at a time (tests use small
/// batches to cross batch boundaries with a handful of users).
pub async fn developers_in_batches<C: ConnectionTrait + StreamTrait>(
    db: &C,
    format: m::ExportFormat,
    search: Option<m::DeveloperQuery>,
    out: &mut impl Write,
    mut progress: impl FnMut(u64),
    batch: u64,
) -> DomainResult<u64> {
    let mut context = Context::start(db, format, out).await?;
    let mut source = DeveloperSource { search, after: None, done: false, batch: batch.max(1) };
    let mut written = 0;
    loop {
        let (users, members) = source.next(db).await?;
        if users.is_empty() {
            if source.done {
                break;
            }
            continue;
        }
        context.write_batch(db, &users, &members, out).await?;
        written += users.len() as u64;
        progress(written);
    }
    context.finish(out)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        let base = Utc.with_ymd_and_hms(2026, 12, 4, 18, 22, 45).unwrap();
        let mut cases = vec![base, Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap()];
        for nanos in [1, 9, 10, 999, 1_000, 120_000, 918_000_000, 918_198_885, 999_999_999, 1_000_000] {
            cases.push(base + chrono::Duration::nanoseconds(nanos));
        }
        cases.push(Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap());
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31).unwrap().and_hms_nano_opt(
            23,
            59,
            59,
            1_500_000_000,
        );
        cases.push(Utc.from_utc_datetime(&leap.unwrap()));
        for t in cases {
            let mut out = String::new();
            rfc3339(&t, &mut out);
            assert_eq!(out, t.to_rfc3339(), "{t:?}");
        }
    }
}

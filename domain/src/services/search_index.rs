//! The developer search index, kept current on every write, and the live search over it.
//!
//! Each user has one `developer_search` row: a lower-cased document of their names,
//! email, username, organisation, teams, attribute values and key prefixes, plus the
//! columns the list filters (status, organisation) and sorts by (created, name, email).
//! Services that change any of those call [`refresh`] (or [`refresh_org`] /
//! [`refresh_team`]) inside their transaction, so the index never lags a commit.
//!
//! Search: every term of three characters or more must occur anywhere in the document
//! (SQLite: FTS5 trigram phrase; PostgreSQL: `LIKE '%term%'` on a `pg_trgm` GIN index);
//! shorter terms must begin a word of any field the document holds (names, email,
//! username, organisation, teams, attribute values, key prefixes). For those the
//! document ends with a line of *word heads*: each word's first letter after two
//! [`HEAD`] marks and its first two letters after one, so a term of one or two letters
//! becomes a three-character needle the same text indexes answer ([`needle`]). Paging
//! is by keyset (an opaque cursor of the sort value and the user id), and matches are
//! counted only up to [`m::COUNT_CAP`].

use crate::entities::user::{self, PortalRole, UserStatus};
use crate::entities::{api_key, developer_attribute, developer_search, organisation, team, team_membership};
use crate::services::admin::{self, UserWithOrg};
use crate::{Actor, DomainResult};
use chrono::{DateTime, Utc};
use portico_model as m;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Set, Statement, Value,
};
use std::collections::HashMap;
use uuid::Uuid;

/// What a developer's document is made of.
pub struct DocParts<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub username: Option<&'a str>,
    pub organisation: &'a str,
    pub teams: &'a [String],
    pub attribute_values: &'a [String],
    pub key_prefixes: &'a [String],
}

/// The searchable text: every part, lower-cased, one per line (so no term spans two
/// fields), then the line of word heads ([`with_heads`]).
pub fn document(p: &DocParts<'_>) -> String {
    with_heads(&fields_text(p))
}

/// The mark that begins a word head in the document (and never occurs elsewhere in it,
/// nor in a term: both drop it).
pub const HEAD: char = '\u{1}';

/// Whether `chars[i]` begins a word: the first character of a line, a character after
/// white space, or a word character (letter, digit, `_`) after anything else (so
/// `kim.wagner@acme.test` has the words kim, wagner, acme and test, while a key prefix
/// `ptc_x1y2…` is one word). White space begins nothing.
fn starts_word(chars: &[char], i: usize) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let c = chars[i];
    if c.is_whitespace() {
        return false;
    }
    match i.checked_sub(1).map(|j| chars[j]) {
        None => true,
        Some(prev) => prev.is_whitespace() || (word(c) && !word(prev)),
    }
}

/// `fields` (the lines of [`document`] before its heads) with a last line of every
/// word's heads, sorted and without repeats: `HEAD HEAD a` for its first character and
/// `HEAD a b` for its first two (when the second is not white space), separated by
/// spaces. A needle of three characters with no white space can only match a whole
/// head, and no term of three or more characters (which has neither marks nor spaces)
/// can match inside the heads' line.
pub fn with_heads(fields: &str) -> String {
    let fields: String = fields.chars().filter(|&c| c != HEAD).collect();
    let mut heads = std::collections::BTreeSet::new();
    for line in fields.lines() {
        let chars: Vec<char> = line.chars().collect();
        for i in (0..chars.len()).filter(|&i| starts_word(&chars, i)) {
            heads.insert(format!("{HEAD}{HEAD}{}", chars[i]));
            if let Some(&next) = chars.get(i + 1).filter(|c| !c.is_whitespace()) {
                heads.insert(format!("{HEAD}{}{next}", chars[i]));
            }
        }
    }
    if heads.is_empty() {
        return fields;
    }
    let mut doc = fields;
    doc.push('\n');
    doc.push_str(&heads.into_iter().collect::<Vec<_>>().join(" "));
    doc
}

/// What a term must find in the document: itself when it has three characters or more
/// (anywhere), else the word head it is (`HEAD k i` for "ki", `HEAD HEAD k` for "k").
pub fn needle(term: &str) -> String {
    match term.chars().count() {
        0 | 1 => format!("{HEAD}{HEAD}{term}"),
        2 => format!("{HEAD}{term}"),
        _ => term.to_owned(),
    }
}

/// The document's fields without the heads.
fn fields_text(p: &DocParts<'_>) -> String {
    let mut parts: Vec<&str> = vec![p.first_name, p.last_name, p.email];
    parts.extend(p.username);
    parts.push(p.organisation);
    parts.extend(p.teams.iter().map(String::as_str));
    parts.extend(p.attribute_values.iter().map(String::as_str));
    parts.extend(p.key_prefixes.iter().map(String::as_str));
    let mut doc = format!("{} {}", p.first_name, p.last_name);
    for part in parts.into_iter().skip(2).filter(|s| !s.trim().is_empty()) {
        doc.push('\n');
        doc.push_str(part.trim());
    }
    doc.to_lowercase()
}

/// What the name sort compares: lower-cased "first last".
pub fn sort_name(first: &str, last: &str) -> String {
    format!("{first} {last}").to_lowercase()
}

/// Rewrites the index rows of these users from the tables (and removes the rows of
/// users that no longer exist). Call it in the transaction that changed them.
pub async fn refresh(db: &impl ConnectionTrait, user_ids: &[Uuid]) -> DomainResult<()> {
    for chunk in user_ids.chunks(500) {
        refresh_chunk(db, chunk).await?;
    }
    Ok(())
}

async fn refresh_chunk(db: &impl ConnectionTrait, ids: &[Uuid]) -> DomainResult<()> {
    let rows = expected_rows(db, ids).await?;
    let gone: Vec<Uuid> = ids.iter().copied().filter(|id| !rows.iter().any(|(u, _)| u.id == *id)).collect();
    if !gone.is_empty() {
        developer_search::Entity::delete_many()
            .filter(developer_search::Column::UserId.is_in(gone))
            .exec(db)
            .await?;
    }
    if rows.is_empty() {
        return Ok(());
    }
    developer_search::Entity::insert_many(rows.iter().map(|(u, doc)| row_for(u, doc.clone())))
        .on_conflict(
            OnConflict::column(developer_search::Column::UserId)
                .update_columns([
                    developer_search::Column::Doc,
                    developer_search::Column::Status,
                    developer_search::Column::OrgId,
                    developer_search::Column::PortalRole,
                    developer_search::Column::FirstLc,
                    developer_search::Column::LastLc,
                    developer_search::Column::SortName,
                    developer_search::Column::Email,
                    developer_search::Column::Username,
                    developer_search::Column::CreatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The users among `ids` that exist, each with the document [`refresh`] writes for them.
async fn expected_rows(db: &impl ConnectionTrait, ids: &[Uuid]) -> DomainResult<Vec<(user::Model, String)>> {
    let users = user::Entity::find().filter(user::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let orgs: HashMap<Uuid, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(users.iter().map(|u| u.org_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let memberships = team_membership::Entity::find()
        .filter(team_membership::Column::UserId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let team_names: HashMap<Uuid, String> = team::Entity::find()
        .filter(team::Column::Id.is_in(memberships.iter().map(|m| m.team_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let mut teams: HashMap<Uuid, Vec<String>> = HashMap::new();
    for mb in &memberships {
        if let Some(name) = team_names.get(&mb.team_id) {
            teams.entry(mb.user_id).or_default().push(name.clone());
        }
    }
    let mut values: HashMap<Uuid, Vec<String>> = HashMap::new();
    for a in developer_attribute::Entity::find()
        .filter(developer_attribute::Column::UserId.is_in(ids.iter().copied()))
        .all(db)
        .await?
    {
        values.entry(a.user_id).or_default().push(a.value);
    }
    let mut prefixes: HashMap<Uuid, Vec<String>> = HashMap::new();
    let keys: Vec<(Uuid, String)> = api_key::Entity::find()
        .select_only()
        .column(api_key::Column::CreatedBy)
        .column(api_key::Column::Prefix)
        .filter(api_key::Column::CreatedBy.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    for (by, prefix) in keys {
        prefixes.entry(by).or_default().push(prefix);
    }
    // A stable order, so the same facts always make the same document.
    for list in teams.values_mut().chain(values.values_mut()).chain(prefixes.values_mut()) {
        list.sort();
    }
    Ok(users
        .into_iter()
        .map(|u| {
            let doc = document(&DocParts {
                first_name: &u.first_name,
                last_name: &u.last_name,
                email: &u.email,
                username: u.username.as_deref(),
                organisation: orgs.get(&u.org_id).map_or("", String::as_str),
                teams: teams.get(&u.id).map_or(&[], Vec::as_slice),
                attribute_values: values.get(&u.id).map_or(&[], Vec::as_slice),
                key_prefixes: prefixes.get(&u.id).map_or(&[], Vec::as_slice),
            });
            (u, doc)
        })
        .collect())
}

/// The index row of a user with its document.
pub fn row_for(u: &user::Model, doc: String) -> developer_search::ActiveModel {
    developer_search::ActiveModel {
        doc_id: sea_orm::NotSet,
        user_id: Set(u.id),
        doc: Set(doc),
        status: Set(status_key(u.status).to_owned()),
        org_id: Set(u.org_id),
        portal_role: Set(match u.portal_role {
            PortalRole::Admin => "admin".to_owned(),
            PortalRole::Developer => "developer".to_owned(),
        }),
        first_lc: Set(u.first_name.to_lowercase()),
        last_lc: Set(u.last_name.to_lowercase()),
        sort_name: Set(sort_name(&u.first_name, &u.last_name)),
        email: Set(u.email.clone()),
        username: Set(u.username.clone()),
        created_at: Set(u.created_at),
    }
}

fn status_key(s: UserStatus) -> &'static str {
    match s {
        UserStatus::Pending => "pending",
        UserStatus::Active => "active",
        UserStatus::Inactive => "inactive",
        UserStatus::Rejected => "rejected",
    }
}

/// Refreshes every member of an organisation (after it was renamed).
pub async fn refresh_org(db: &impl ConnectionTrait, org_id: Uuid) -> DomainResult<()> {
    let ids: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::OrgId.eq(org_id))
        .into_tuple()
        .all(db)
        .await?;
    refresh(db, &ids).await
}

/// Refreshes every member of a team (after it was renamed or deleted).
pub async fn refresh_team(db: &impl ConnectionTrait, team_id: Uuid) -> DomainResult<()> {
    let ids: Vec<Uuid> = team_membership::Entity::find()
        .select_only()
        .column(team_membership::Column::UserId)
        .filter(team_membership::Column::TeamId.eq(team_id))
        .into_tuple()
        .all(db)
        .await?;
    refresh(db, &ids).await
}

/// Rebuilds the whole index (after a bulk load such as `portico demo`).
pub async fn rebuild_all(db: &impl ConnectionTrait) -> DomainResult<u64> {
    let mut after: Option<Uuid> = None;
    let mut done = 0;
    loop {
        let mut query = user::Entity::find().select_only().column(user::Column::Id);
        if let Some(last) = after {
            query = query.filter(user::Column::Id.gt(last));
        }
        let ids: Vec<Uuid> = sea_orm::QueryOrder::order_by_asc(query, user::Column::Id)
            .limit(2000)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = ids.last().copied() else { break };
        refresh(db, &ids).await?;
        done += ids.len() as u64;
        after = Some(last);
    }
    Ok(done)
}

/// A SQL text with its parameters, written for one backend's placeholder style.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend, text: &str) -> Self {
        Self { backend, text: text.to_owned(), values: Vec::new() }
    }

    /// Appends `fragment`, replacing each `?` with the next placeholder for `values`.
    fn push(&mut self, fragment: &str, values: impl IntoIterator<Item = Value>) -> &mut Self {
        for (i, piece) in fragment.split('?').enumerate() {
            if i > 0 {
                let n = self.values.len() + i;
                if self.backend == DbBackend::Postgres {
                    self.text.push_str(&format!("${n}"));
                } else {
                    self.text.push_str(&format!("?{n}"));
                }
            }
            self.text.push_str(piece);
        }
        self.values.extend(values);
        self
    }

    fn statement(&self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text.clone(), self.values.clone())
    }
}

/// The sort's column, direction and the cursor's value for a row.
fn sort_column(sort: m::DeveloperSort) -> (&'static str, &'static str) {
    match sort {
        m::DeveloperSort::Newest => ("created_at", "DESC"),
        m::DeveloperSort::Oldest => ("created_at", "ASC"),
        m::DeveloperSort::Name => ("sort_name", "ASC"),
        m::DeveloperSort::Email => ("email", "ASC"),
    }
}

/// A cursor: the sort value of the last row shown and its user id.
fn encode_cursor(row: &developer_search::Model, sort: m::DeveloperSort) -> String {
    let value = match sort {
        m::DeveloperSort::Newest | m::DeveloperSort::Oldest => row.created_at.to_rfc3339(),
        m::DeveloperSort::Name => row.sort_name.clone(),
        m::DeveloperSort::Email => row.email.clone(),
    };
    format!("{}~{}", row.user_id, value)
}

fn decode_cursor(cursor: &str, sort: m::DeveloperSort) -> DomainResult<(Uuid, Value)> {
    let bad = || m::FieldError::new("after", "This page link is out of date; search again.");
    let (id, value) = cursor.split_once('~').ok_or_else(bad)?;
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    let value = match sort {
        m::DeveloperSort::Newest | m::DeveloperSort::Oldest => {
            let at: DateTime<Utc> =
                DateTime::parse_from_rfc3339(value).map_err(|_| bad())?.with_timezone(&Utc);
            Value::from(at)
        }
        m::DeveloperSort::Name | m::DeveloperSort::Email => Value::from(value.to_owned()),
    };
    Ok((id, value))
}

/// The terms typed: lower-cased, split on white space, without [`HEAD`] marks, at most
/// eight.
fn terms(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|t| t.to_lowercase().chars().filter(|&c| c != HEAD).collect::<String>())
        .filter(|t| !t.is_empty())
        .take(8)
        .collect()
}

/// `"ada"` → FTS5 phrase `"ada"` (quotes doubled).
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// `LIKE` pattern for a substring, with `\` escaping `%`, `_` and itself.
fn like_substring(term: &str) -> String {
    let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Matches counted by the text index before a search picks its [`Strategy`]: fewer,
/// and the text index drives (at most this many rows are read and sorted, a table row
/// each); this many, and the sort order is walked instead, each row tested, which at a
/// million rows reads at most about `page × 1M / PROBE` rows before the page is full.
/// Walks by name or email read a table row per candidate, so they need many matches to
/// win.
const PROBE: i64 = 4000;
/// [`PROBE`] for the date orders, whose indexes hold what a row is tested on (migration
/// 000016): walking one tests a candidate in the index, so the walk wins sooner, and the
/// probe that decides stops sooner (it reads matches until its limit; counting 4,000
/// matches of "margaret" in FTS5 took 10 ms of a 1M-developer search).
const PROBE_COVERED: i64 = m::COUNT_CAP as i64 + 1;
// A probe that reached its limit proves there are more matches than the list counts.
const _: () = assert!(PROBE_COVERED > m::COUNT_CAP as i64 && PROBE >= PROBE_COVERED);

/// How a search reads its rows. Both give the same rows in the same order; they differ
/// only in what they read. [`Strategy::Auto`] counts the text matches (up to
/// [`Plan::probe_limit`]) and picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Auto,
    /// Start from the text index (FTS5 on SQLite, the `pg_trgm` index on PostgreSQL),
    /// then filter and sort what it found.
    Text,
    /// Walk the sort order (or the status or organisation index, which keep it) and test
    /// each row's text: fast when matches are common, as the page fills early.
    Scan,
}

/// A search, parsed: the [`needle`] of each term and the strategy.
struct Plan<'q> {
    q: &'q m::DeveloperQuery,
    needles: Vec<String>,
    strategy: Strategy,
    /// The document ids the probe matched when it found them all (fewer than its
    /// limit): the text matches, on PostgreSQL within the filters
    /// ([`Plan::probe_filters`]). The search reads its rows by these ids and does not
    /// ask the text index again.
    matched: Option<Vec<i64>>,
    /// Whether the probe ran (the strategy was [`Strategy::Auto`]).
    probed: bool,
}

impl<'q> Plan<'q> {
    async fn new(
        db: &impl ConnectionTrait,
        q: &'q m::DeveloperQuery,
        strategy: Strategy,
    ) -> DomainResult<Self> {
        let needles = terms(&q.text).iter().map(|t| needle(t)).collect();
        let mut plan = Self { q, needles, strategy, matched: None, probed: false };
        if plan.needles.is_empty() {
            // No text: the filters' and the sort's indexes do the work.
            plan.strategy = Strategy::Text;
        } else if strategy == Strategy::Auto {
            // Both databases probe. PostgreSQL's planner could pick between the trigram
            // index and the sort order itself, but it guesses a pattern's matches from a
            // sample: at 1M developers it guessed 2,000 for "crm-0001" (there are 100)
            // and walked 229,000 rows of the date order to fill a page (0.7-3.4 s).
            let ids: Vec<i64> = db
                .query_all_raw(plan.probe(db.get_database_backend()))
                .await?
                .iter()
                .map(|r| r.try_get("", "id"))
                .collect::<Result<_, _>>()?;
            let few = i64::try_from(ids.len()).is_ok_and(|n| n < plan.probe_limit());
            plan.strategy = if few { Strategy::Text } else { Strategy::Scan };
            plan.matched = few.then_some(ids);
            plan.probed = true;
        }
        Ok(plan)
    }

    /// How many text matches make walking the sort order the faster read: [`PROBE`], or
    /// [`PROBE_COVERED`] for the date orders (not within an organisation: that walk
    /// follows the organisation's index, which does not hold the document).
    fn probe_limit(&self) -> i64 {
        let by_date = matches!(self.q.sort, m::DeveloperSort::Newest | m::DeveloperSort::Oldest);
        if by_date && self.q.org_id.is_none() { PROBE_COVERED } else { PROBE }
    }

    /// The document ids the text index matches (FTS5 on SQLite, `pg_trgm` on
    /// PostgreSQL), up to [`Plan::probe_limit`]. On PostgreSQL with the status and
    /// organisation filters too (see [`Plan::probe_filters`]).
    fn probe(&self, backend: DbBackend) -> Statement {
        let mut sql = Sql::new(backend, "");
        if Self::probe_filters(backend) {
            sql.push("SELECT CAST(s.doc_id AS BIGINT) AS id FROM developer_search s", []);
            let text = Self { matched: None, ..self.as_text() };
            text.text_where(&mut sql);
            text.filters(&mut sql, false);
        } else {
            sql.push(
                "SELECT rowid AS id FROM developer_search_fts WHERE developer_search_fts MATCH ?",
                [Value::from(self.fts_query())],
            );
        }
        sql.push(" LIMIT ?", [Value::from(self.probe_limit())]);
        sql.statement()
    }

    /// Whether the probe applies the filters, so that it counts exactly the matches the
    /// list shows and no second count is needed: on PostgreSQL, where the probe reads
    /// the table rows anyway (the trigram index is rechecked on them, and a common word
    /// head is read by a sequential scan: for "k" with the active filter, 15,000 rows,
    /// which the count read a second time). SQLite's probe reads FTS5 alone, without a
    /// table row per match.
    fn probe_filters(backend: DbBackend) -> bool {
        backend == DbBackend::Postgres
    }

    /// The FTS5 query for the needles: each a quoted phrase, all required.
    fn fts_query(&self) -> String {
        self.needles.iter().map(|t| fts_phrase(t)).collect::<Vec<_>>().join(" AND ")
    }

    /// The same search with the text strategy.
    fn as_text(&self) -> Self {
        Self {
            q: self.q,
            needles: self.needles.clone(),
            strategy: Strategy::Text,
            matched: self.matched.clone(),
            probed: false,
        }
    }

    fn backend_is_pg(sql: &Sql) -> bool {
        sql.backend == DbBackend::Postgres
    }

    /// Whether the rows come from the text matches joined to the index rows (some text,
    /// text strategy; on PostgreSQL only the probe's ids, otherwise its trigram index
    /// answers the `LIKE` conditions of [`Plan::text_where`]).
    fn joins_matches(&self, sql: &Sql) -> bool {
        self.strategy == Strategy::Text
            && !self.needles.is_empty()
            && (!Self::backend_is_pg(sql) || self.matched.is_some())
    }

    /// `FROM …` for the rows: the index rows, or with the text strategy the text matches
    /// (the probe's ids; on SQLite without them, FTS5's) joined to them (SQLite's `CROSS
    /// JOIN` keeps that order).
    fn text_source(&self, sql: &mut Sql) {
        if self.joins_matches(sql) {
            let pg = Self::backend_is_pg(sql);
            // The ids go in as one parameter, a JSON array.
            let json =
                |ids: &[i64]| format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
            let (matches, value) = match &self.matched {
                Some(ids) if pg => (
                    "SELECT CAST(value AS BIGINT) AS id FROM json_array_elements_text(CAST(? AS json))",
                    json(ids),
                ),
                Some(ids) => ("SELECT value AS id FROM json_each(?)", json(ids)),
                None => (
                    "SELECT rowid AS id FROM developer_search_fts WHERE developer_search_fts MATCH ?",
                    self.fts_query(),
                ),
            };
            let join = if pg { "JOIN" } else { "CROSS JOIN" };
            sql.push(
                &format!("({matches}) t {join} developer_search s ON s.doc_id = t.id"),
                [Value::from(value)],
            );
        } else {
            sql.push("developer_search s", []);
        }
    }

    /// ` WHERE …` for the needles.
    fn text_where(&self, sql: &mut Sql) {
        sql.push(" WHERE 1 = 1", []);
        if self.joins_matches(sql) {
            return;
        }
        let pg = Self::backend_is_pg(sql);
        let scan = self.strategy == Strategy::Scan;
        for t in &self.needles {
            if scan {
                // Not a form the text index answers: the planner walks the sort order.
                let f = if pg { " AND strpos(s.doc, ?) > 0" } else { " AND instr(s.doc, ?) > 0" };
                sql.push(f, [Value::from(t.clone())]);
            } else {
                sql.push(" AND s.doc LIKE ? ESCAPE '\\'", [Value::from(like_substring(t))]);
            }
        }
    }

    /// ` AND …` for the status and organisation filters. `ordered`: the rows are read in
    /// the sort order (a page, not a count).
    fn filters(&self, sql: &mut Sql, ordered: bool) {
        if let Some(status) = self.q.status {
            let key = match status {
                m::AccountStatus::Pending => "pending",
                m::AccountStatus::Active => "active",
                m::AccountStatus::Inactive => "inactive",
                m::AccountStatus::Rejected => "rejected",
            };
            // The status index keeps registration order; for the other orders, walking
            // it would mean sorting most of the table, so SQLite is told not to.
            let by_date = matches!(self.q.sort, m::DeveloperSort::Newest | m::DeveloperSort::Oldest);
            let scan = self.strategy == Strategy::Scan && ordered && !by_date;
            let hint = if scan && !Self::backend_is_pg(sql) { "+" } else { "" };
            sql.push(&format!(" AND {hint}s.status = ?"), [Value::from(key)]);
        }
        if let Some(org) = self.q.org_id {
            sql.push(" AND s.org_id = ?", [Value::from(org.0)]);
        }
    }

    /// `SELECT {what} FROM … WHERE …` for the rows of the search.
    fn select(&self, backend: DbBackend, what: &str, ordered: bool) -> Sql {
        let mut sql = Sql::new(backend, &format!("SELECT {what} FROM "));
        self.text_source(&mut sql);
        self.text_where(&mut sql);
        self.filters(&mut sql, ordered);
        sql
    }

    /// Matches, up to one more than [`m::COUNT_CAP`] (which means "more").
    async fn count_capped(&self, db: &impl ConnectionTrait) -> DomainResult<i64> {
        let cap = i64::from(m::COUNT_CAP) + 1;
        let filtered = self.q.status.is_some() || self.q.org_id.is_some();
        let backend = db.get_database_backend();
        // The probe counted exactly the search's matches when it applied the filters or
        // there are none.
        if self.probed && (!filtered || Self::probe_filters(backend)) {
            return Ok(self
                .matched
                .as_ref()
                .map_or(self.probe_limit(), |ids| i64::try_from(ids.len()).unwrap_or(i64::MAX)));
        }
        // Otherwise count by whatever index answers fastest. The text strategy's form
        // streams from the text index. On SQLite a scan filtered to one organisation, or
        // to a status other than active, walks that (small) group's index instead: in a
        // portal nearly everyone is active, so the other statuses and one organisation
        // are the few rows, while "active" would be nearly the whole table.
        // PostgreSQL's planner picks between the indexes itself.
        let small_group =
            self.q.org_id.is_some() || self.q.status.is_some_and(|s| s != m::AccountStatus::Active);
        let by_filter_index =
            self.strategy == Strategy::Scan && small_group && backend != DbBackend::Postgres;
        let text = self.as_text();
        let mut sql = if by_filter_index { self } else { &text }.select(backend, "1", false);
        sql.text = format!("SELECT COUNT(*) AS n FROM ({}", sql.text);
        sql.push(" LIMIT ?) c", [Value::from(cap)]);
        count_of(db, &sql).await
    }
}

/// One page of the developers list. Portal admins only.
pub async fn search(
    db: &impl ConnectionTrait,
    actor: &Actor,
    q: &m::DeveloperQuery,
) -> DomainResult<(Vec<developer_search::Model>, m::DeveloperPage)> {
    search_with(db, actor, q, Strategy::Auto).await
}

/// [`search`] with a chosen [`Strategy`] (the tests prove the strategies agree; the
/// benchmark compares them).
pub async fn search_with(
    db: &impl ConnectionTrait,
    actor: &Actor,
    q: &m::DeveloperQuery,
    strategy: Strategy,
) -> DomainResult<(Vec<developer_search::Model>, m::DeveloperPage)> {
    actor.require_portal_admin()?;
    let plan = Plan::new(db, q, strategy).await?;
    let (rows, next) = plan_page(db, &plan, u64::from(q.page_size())).await?;
    // A first page with no next page holds every match: no second query. (The searches
    // the text index finds few rows for, and so the slowest on the text index, end here.)
    let n = if q.after.is_none() && next.is_none() {
        u32::try_from(rows.len()).unwrap_or(u32::MAX)
    } else {
        u32::try_from(plan.count_capped(db).await?).unwrap_or(u32::MAX)
    };
    let page = m::DeveloperPage {
        rows: Vec::new(),
        next,
        matched: n.min(m::COUNT_CAP),
        more: n > m::COUNT_CAP,
        as_of: chrono::Utc::now(),
    };
    Ok((rows, page))
}

/// `size` rows of a search after `q.after`, and the cursor of the next page. No
/// authorisation: callers check it (the admin search, exports an admin started).
pub(crate) async fn page(
    db: &impl ConnectionTrait,
    q: &m::DeveloperQuery,
    size: u64,
) -> DomainResult<(Vec<developer_search::Model>, Option<String>)> {
    let plan = Plan::new(db, q, Strategy::Auto).await?;
    plan_page(db, &plan, size).await
}

async fn plan_page(
    db: &impl ConnectionTrait,
    plan: &Plan<'_>,
    size: u64,
) -> DomainResult<(Vec<developer_search::Model>, Option<String>)> {
    let q = plan.q;
    let (column, direction) = sort_column(q.sort);
    let backend = db.get_database_backend();
    // PostgreSQL tests a row's text in the index only in an index-only scan, so its walk
    // selects the keys of the page (the date orders' indexes hold the document) and then
    // reads those rows: "james" with the active filter tested 6,700 rows for a page, a
    // table row each, in 24 ms; from the index, 4 ms. (SQLite reads the table row of an
    // index entry only once the entry passed the conditions the index holds.)
    let keys_first = backend == DbBackend::Postgres && plan.strategy == Strategy::Scan;
    let mut sql = plan.select(backend, if keys_first { "s.user_id" } else { "s.*" }, true);
    if let Some(cursor) = q.after.as_deref() {
        let (id, value) = decode_cursor(cursor, q.sort)?;
        let cmp = if direction == "DESC" { "<" } else { ">" };
        sql.push(
            &format!(" AND (s.{column} {cmp} ? OR (s.{column} = ? AND s.user_id {cmp} ?))"),
            [value.clone(), value, Value::from(id)],
        );
    }
    let limit = i64::try_from(size).unwrap_or(i64::MAX - 1) + 1;
    sql.push(
        &format!(" ORDER BY s.{column} {direction}, s.user_id {direction} LIMIT ?"),
        [Value::from(limit)],
    );
    if keys_first {
        sql.text = format!(
            "SELECT s.* FROM ({}) k JOIN developer_search s ON s.user_id = k.user_id \
             ORDER BY s.{column} {direction}, s.user_id {direction}",
            sql.text
        );
    }
    let mut rows = developer_search::Entity::find().from_raw_sql(sql.statement()).all(db).await?;
    let next = if rows.len() as u64 > size {
        rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
        rows.last().map(|r| encode_cursor(r, q.sort))
    } else {
        None
    };
    Ok((rows, next))
}

/// Every match of a search, counted (for an export's progress bar).
pub(crate) async fn count_all(db: &impl ConnectionTrait, q: &m::DeveloperQuery) -> DomainResult<u64> {
    let plan = Plan::new(db, q, Strategy::Text).await?;
    let sql = plan.select(db.get_database_backend(), "COUNT(*) AS n", false);
    Ok(u64::try_from(count_of(db, &sql).await?).unwrap_or(0))
}

async fn count_of(db: &impl ConnectionTrait, sql: &Sql) -> DomainResult<i64> {
    Ok(db.query_one_raw(sql.statement()).await?.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0))
}

/// [`search`], with each row's user and organisation name, in the page's order.
pub async fn search_users(
    db: &impl ConnectionTrait,
    actor: &Actor,
    q: &m::DeveloperQuery,
) -> DomainResult<(Vec<UserWithOrg>, m::DeveloperPage)> {
    let (rows, page) = search(db, actor, q).await?;
    let mut users: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let ordered: Vec<user::Model> = rows.iter().filter_map(|r| users.remove(&r.user_id)).collect();
    Ok((admin::with_org_names(db, ordered).await?, page))
}

/// The users whose index row is missing or differs from what [`refresh`] would write,
/// and index rows of users that are gone (for tests: the index is kept current by the
/// services, and this is how a test proves it).
pub async fn stale(db: &impl ConnectionTrait) -> DomainResult<Vec<Uuid>> {
    let stored: HashMap<Uuid, developer_search::Model> =
        developer_search::Entity::find().all(db).await?.into_iter().map(|r| (r.user_id, r)).collect();
    let ids: Vec<Uuid> =
        user::Entity::find().select_only().column(user::Column::Id).into_tuple().all(db).await?;
    let mut wrong = Vec::new();
    for chunk in ids.chunks(500) {
        for (u, doc) in expected_rows(db, chunk).await? {
            let expected = row_for(&u, doc);
            let current = stored.get(&u.id).is_some_and(|s| {
                let same = |a: &sea_orm::ActiveValue<String>, b: &str| a.as_ref() == b;
                same(&expected.doc, &s.doc)
                    && same(&expected.status, &s.status)
                    && same(&expected.sort_name, &s.sort_name)
                    && same(&expected.email, &s.email)
                    && s.org_id == u.org_id
                    && s.username == u.username
            });
            if !current {
                wrong.push(u.id);
            }
        }
    }
    wrong.extend(stored.keys().filter(|id| !ids.contains(id)));
    Ok(wrong)
}

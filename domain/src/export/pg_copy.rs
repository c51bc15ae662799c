//! The developers CSV of everyone on PostgreSQL, read as binary `COPY`: the users in id
//! order on one connection, their attributes in user order on another, merged as they
//! arrive. The tuples are decoded here (no per-column type check or decode by sqlx), and
//! every value goes through the same cell writer and timestamp writer as the general
//! way, so the file is byte for byte the general way's. It is used only when the columns
//! have the types this decoder expects ([`usable`]).

use super::{Context, ORG_ROLE_KEYS, PORTAL_ROLE_KEYS, STATUS_KEYS, io, known, rfc3339};
use crate::entities::organisation;
use crate::{DomainError, DomainResult};
use futures_util::StreamExt;
use portico_model as m;
use sea_orm::sqlx::postgres::PgPoolCopyExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement};
use std::collections::HashSet;
use std::io::Write;
use std::pin::Pin;
use uuid::Uuid;

const USERS: &str = "COPY (SELECT id, email, first_name, last_name, username, status, portal_role, \
    org_id, org_role, created_at, status_changed_at, updated_at FROM users ORDER BY id) \
    TO STDOUT (FORMAT binary)";

const ATTRIBUTES: &str =
    "COPY (SELECT user_id, name, value FROM developer_attributes ORDER BY user_id) TO STDOUT (FORMAT binary)";

/// The columns read and the types (as `format_type` names them) the decoder reads.
const EXPECTED: [(&str, &str, &[&str]); 15] = {
    const UUID: &[&str] = &["uuid"];
    const TEXT: &[&str] = &["text", "character varying"];
    const TIME: &[&str] = &["timestamp with time zone"];
    [
        ("users", "id", UUID),
        ("users", "email", TEXT),
        ("users", "first_name", TEXT),
        ("users", "last_name", TEXT),
        ("users", "username", TEXT),
        ("users", "status", TEXT),
        ("users", "portal_role", TEXT),
        ("users", "org_id", UUID),
        ("users", "org_role", TEXT),
        ("users", "created_at", TIME),
        ("users", "status_changed_at", TIME),
        ("users", "updated_at", TIME),
        ("developer_attributes", "user_id", UUID),
        ("developer_attributes", "name", TEXT),
        ("developer_attributes", "value", TEXT),
    ]
};

/// Whether the tables' columns have the types this decoder reads.
pub(super) async fn usable(db: &DatabaseConnection) -> DomainResult<bool> {
    let sql = "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, NULL) \
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
        WHERE a.attrelid IN ('users'::regclass, 'developer_attributes'::regclass) \
        AND a.attnum > 0 AND NOT a.attisdropped";
    let rows = db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql)).await?;
    let mut types = Vec::with_capacity(rows.len());
    for row in rows {
        let (table, column, ty): (String, String, String) =
            (row.try_get_by_index(0)?, row.try_get_by_index(1)?, row.try_get_by_index(2)?);
        types.push((table, column, ty));
    }
    Ok(EXPECTED.iter().all(|(table, column, allowed)| {
        types.iter().any(|(t, c, ty)| t == table && c == column && allowed.contains(&ty.as_str()))
    }))
}

fn copy_error(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(format!("reading developers by COPY: {e}"))
}

/// A binary `COPY` being read, one tuple at a time.
struct CopyReader<B> {
    stream: Pin<Box<dyn futures_util::Stream<Item = Result<B, sea_orm::sqlx::Error>> + Send>>,
    buf: Vec<u8>,
    pos: usize,
    header: bool,
    /// The current tuple's fields: (start in `buf`, length), `None` for NULL.
    fields: Vec<Option<(usize, usize)>>,
}

/// Signature, flags and header extension length of a binary `COPY`.
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// Starts a `COPY ... TO STDOUT (FORMAT binary)` on a connection of its own.
async fn start(db: &DatabaseConnection, sql: &'static str) -> DomainResult<CopyReader<impl AsRef<[u8]>>> {
    let stream = db.get_postgres_connection_pool().copy_out_raw(sql).await.map_err(copy_error)?;
    Ok(CopyReader { stream, buf: Vec::new(), pos: 0, header: false, fields: Vec::new() })
}

impl<B: AsRef<[u8]>> CopyReader<B> {
    /// Parses the next tuple of `width` fields from what has arrived: `Some(true)` for a
    /// tuple, `Some(false)` at the trailer, `None` when more bytes are needed.
    fn parse(&mut self, width: usize) -> DomainResult<Option<bool>> {
        let buf = &self.buf;
        let mut at = self.pos;
        let take = |at: &mut usize, n: usize| -> Option<&[u8]> {
            let bytes = buf.get(*at..*at + n)?;
            *at += n;
            Some(bytes)
        };
        if !self.header {
            let Some(signature) = take(&mut at, SIGNATURE.len() + 8) else { return Ok(None) };
            if &signature[..SIGNATURE.len()] != SIGNATURE {
                return Err(copy_error("not a binary COPY"));
            }
            let ext = u32::from_be_bytes(signature[SIGNATURE.len() + 4..].try_into().map_err(copy_error)?);
            if take(&mut at, usize::try_from(ext).map_err(copy_error)?).is_none() {
                return Ok(None);
            }
            self.header = true;
            self.pos = at;
        }
        let Some(count) = take(&mut at, 2) else { return Ok(None) };
        let count = i16::from_be_bytes([count[0], count[1]]);
        if count == -1 {
            self.pos = at;
            return Ok(Some(false));
        }
        if usize::try_from(count).ok() != Some(width) {
            return Err(copy_error(format!("{count} fields, {width} expected")));
        }
        self.fields.clear();
        for _ in 0..width {
            let Some(len) = take(&mut at, 4) else { return Ok(None) };
            let Ok(len) = usize::try_from(i32::from_be_bytes([len[0], len[1], len[2], len[3]])) else {
                self.fields.push(None);
                continue;
            };
            let start = at;
            if take(&mut at, len).is_none() {
                return Ok(None);
            }
            self.fields.push(Some((start, len)));
        }
        self.pos = at;
        Ok(Some(true))
    }

    /// Reads the next tuple; `false` at the end of the data.
    async fn next(&mut self, width: usize) -> DomainResult<bool> {
        loop {
            if let Some(tuple) = self.parse(width)? {
                if !tuple {
                    // Read to the end, so that the connection goes back to the pool ready.
                    while let Some(chunk) = self.stream.next().await {
                        chunk.map_err(copy_error)?;
                    }
                }
                return Ok(tuple);
            }
            let Some(chunk) = self.stream.next().await else {
                return Err(copy_error("the data ended inside a tuple"));
            };
            let chunk = chunk.map_err(copy_error)?;
            self.buf.drain(..self.pos);
            self.pos = 0;
            self.buf.extend_from_slice(chunk.as_ref());
        }
    }

    fn bytes(&self, i: usize) -> Option<&[u8]> {
        self.fields[i].map(|(start, len)| &self.buf[start..start + len])
    }

    fn text(&self, i: usize) -> DomainResult<Option<&str>> {
        self.bytes(i).map(|b| std::str::from_utf8(b).map_err(copy_error)).transpose()
    }

    fn required_text(&self, i: usize) -> DomainResult<&str> {
        self.text(i)?.ok_or_else(|| copy_error("NULL in a NOT NULL column"))
    }

    fn uuid(&self, i: usize) -> DomainResult<Uuid> {
        Uuid::from_slice(self.bytes(i).ok_or_else(|| copy_error("NULL id"))?).map_err(copy_error)
    }

    /// A `timestamptz`: microseconds since 2000-01-01 UTC, written as the general way.
    fn timestamp(&self, i: usize, out: &mut String) -> DomainResult<()> {
        let bytes = self.bytes(i).ok_or_else(|| copy_error("NULL timestamp"))?;
        let micros = i64::from_be_bytes(bytes.try_into().map_err(copy_error)?);
        let epoch = chrono::DateTime::from_timestamp(946_684_800, 0).ok_or_else(|| copy_error("epoch"))?;
        let t = epoch
            .checked_add_signed(chrono::Duration::microseconds(micros))
            .ok_or_else(|| copy_error("timestamp out of range"))?;
        out.clear();
        rfc3339(&t, out);
        Ok(())
    }

    fn known(&self, i: usize, keys: &[&'static str]) -> DomainResult<&'static str> {
        let bytes = self.bytes(i).ok_or_else(|| copy_error("NULL in an enum column"))?;
        known(bytes, keys)
            .ok_or_else(|| copy_error(format!("unknown value {:?}", String::from_utf8_lossy(bytes))))
    }
}

/// The CSV of every developer; `progress` hears every `batch` rows.
pub(super) async fn developers(
    db: &DatabaseConnection,
    out: &mut impl Write,
    mut progress: impl FnMut(u64),
    batch: u64,
) -> DomainResult<u64> {
    let mut context = Context::start(db, m::ExportFormat::Csv, out).await?;
    for o in organisation::Entity::find().all(db).await? {
        context.orgs.insert(o.id, o.name);
    }
    let mut missing_orgs: HashSet<Uuid> = HashSet::new();
    let mut users = start(db, USERS).await?;
    let mut attributes = start(db, ATTRIBUTES).await?;
    let mut attribute_pending = attributes.next(3).await?;
    let mut attrs: Vec<(String, String)> = Vec::new();
    let (mut created, mut since, mut updated) = (String::new(), String::new(), String::new());
    let mut id_text = [0u8; 36];
    let mut buf = Vec::with_capacity(256 * 1024);
    let (mut written, mut reported) = (0u64, 0u64);
    while users.next(12).await? {
        let id = users.uuid(0)?;
        attrs.clear();
        while attribute_pending {
            let owner = attributes.uuid(0)?;
            if owner > id {
                break;
            }
            if owner == id {
                attrs
                    .push((attributes.required_text(1)?.to_owned(), attributes.required_text(2)?.to_owned()));
            }
            attribute_pending = attributes.next(3).await?;
        }
        let org_id = users.uuid(7)?;
        if !context.orgs.contains_key(&org_id) && missing_orgs.insert(org_id) {
            // An organisation made after the names were read: ask for it once.
            context.load_orgs(db, std::iter::once(org_id)).await?;
        }
        users.timestamp(9, &mut created)?;
        users.timestamp(10, &mut since)?;
        users.timestamp(11, &mut updated)?;
        let cells = [
            &*id.hyphenated().encode_lower(&mut id_text),
            users.required_text(1)?,
            users.required_text(2)?,
            users.required_text(3)?,
            users.text(4)?.unwrap_or(""),
            users.known(5, &STATUS_KEYS)?,
            users.known(6, &PORTAL_ROLE_KEYS)?,
            context.org_name(&org_id),
            users.known(8, &ORG_ROLE_KEYS)?,
            &created,
            &since,
            &updated,
        ];
        context.csv_row(&mut buf, cells, &attrs).map_err(io)?;
        written += 1;
        if written.is_multiple_of(batch) {
            out.write_all(&buf).map_err(io)?;
            buf.clear();
            progress(written);
            reported = written;
        }
    }
    // The attributes' COPY is read to its end so its connection goes back ready.
    while attribute_pending {
        attribute_pending = attributes.next(3).await?;
    }
    out.write_all(&buf).map_err(io)?;
    if written > reported {
        progress(written);
    }
    context.finish(out)?;
    Ok(written)
}

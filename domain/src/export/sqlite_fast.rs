//! The developers CSV of everyone on SQLite, read a batch at a time as ONE text value:
//! SQLite joins each row's twelve columns with unit separators (U+001F) and the batch's
//! rows with record separators (U+001E), so sqlx copies one value per batch instead of
//! twelve per row; the batch's attributes come back the same way, as one more value.
//! Rust then escapes every cell with the same [`super::csv::cell`] as the general way.
//! A batch it cannot write exactly as the general way would (a separator inside a
//! value, a value of another storage type, a timestamp not stored as the file writes
//! it, an unknown enum value, rows out of order) is read again the general way.

use super::{
    Context, DeveloperRow, Members, ORG_ROLE_KEYS, PORTAL_ROLE_KEYS, STATUS_KEYS, attributes_of,
    general_range, io, known,
};
use crate::DomainResult;
use portico_model as m;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use std::collections::HashMap;
use std::io::Write;
use uuid::Uuid;

/// One row of a batch: `hex(id)`, the ten stored columns as text, `hex(org_id)`, joined
/// in one pass (`concat_ws`, not `||`, which copies the growing line at every step; it
/// skips NULLs, so a NULL where none may be leaves a field out and the batch goes the
/// general way). `odd` is set when a column is not of the storage type the general way
/// decodes.
const ROW: &str = "SELECT id, concat_ws(char(31), hex(id), email, first_name, last_name, \
    ifnull(username, ''), status, portal_role, hex(org_id), org_role, created_at, \
    status_changed_at, updated_at) AS line, \
    NOT (typeof(id) = 'blob' AND typeof(email) = 'text' AND typeof(first_name) = 'text' \
    AND typeof(last_name) = 'text' AND typeof(username) IN ('text', 'null') \
    AND typeof(status) = 'text' AND typeof(portal_role) = 'text' AND typeof(org_id) = 'blob' \
    AND typeof(org_role) = 'text' AND typeof(created_at) = 'text' \
    AND typeof(status_changed_at) = 'text' AND typeof(updated_at) = 'text') AS odd \
    FROM users";

/// The batch: its size, its last id, its rows as one text, and whether any row is odd.
fn batch_sql(first: bool) -> String {
    let filter = if first { "" } else { " WHERE id > ?" };
    format!(
        "SELECT count(*), max(id), group_concat(line, char(30)), max(odd) FROM ({ROW}{filter} ORDER BY id LIMIT ?)"
    )
}

/// Whether `s` is a timestamp exactly as [`super::rfc3339`] writes the instant the general
/// way decodes from it: `YYYY-MM-DDTHH:MM:SS`, no fraction or 3, 6 or 9 digits (the
/// shortest that loses nothing), `+00:00`, and a real date and time (seconds below 60).
fn canonical_timestamp(s: &[u8]) -> bool {
    let fraction = match s.len() {
        25 => 0,
        29 => 3,
        32 => 6,
        35 => 9,
        _ => return false,
    };
    let digit = |i: usize| s[i].is_ascii_digit();
    let num = |from: usize, to: usize| s[from..to].iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
    if ![0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].into_iter().all(digit)
        || (s[4], s[7], s[10], s[13], s[16]) != (b'-', b'-', b'T', b':', b':')
        || &s[s.len() - 6..] != b"+00:00"
    {
        return false;
    }
    if fraction > 0 {
        let digits = &s[20..20 + fraction];
        if s[19] != b'.' || !digits.iter().all(u8::is_ascii_digit) || digits.ends_with(b"000") {
            return false;
        }
    }
    let (year, month, day) = (num(0, 4), num(5, 7), num(8, 10));
    let (hour, minute, second) = (num(11, 13), num(14, 16), num(17, 19));
    hour < 24
        && minute < 60
        && second < 60
        && i32::try_from(year).is_ok_and(|y| chrono::NaiveDate::from_ymd_opt(y, month, day).is_some())
}

/// `hex(id)` (32 upper-case digits) as a UUID.
fn from_hex(hex: &[u8]) -> Option<Uuid> {
    if hex.len() != 32 {
        return None;
    }
    let mut value: u128 = 0;
    for &b in hex {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        value = (value << 4) | u128::from(d);
    }
    Some(Uuid::from_u128(value))
}

/// One row of a batch, checked: what the general way would write, or `None`.
struct Line<'a> {
    id: Uuid,
    org_id: Uuid,
    cells: [&'a str; 12],
}

fn parse_line(line: &str) -> Option<Line<'_>> {
    let mut parts = line.split('\u{1f}');
    let mut field = [""; 12];
    for slot in &mut field {
        *slot = parts.next()?;
    }
    if parts.next().is_some() {
        return None;
    }
    let [id, email, first, last, username, status, role, org_id, org_role, created, since, updated] = field;
    for t in [created, since, updated] {
        if !canonical_timestamp(t.as_bytes()) {
            return None;
        }
    }
    let cells = [
        "", // the id, written by the caller
        email,
        first,
        last,
        username,
        known(status.as_bytes(), &STATUS_KEYS)?,
        known(role.as_bytes(), &PORTAL_ROLE_KEYS)?,
        "", // the organisation's name, written by the caller
        known(org_role.as_bytes(), &ORG_ROLE_KEYS)?,
        created,
        since,
        updated,
    ];
    Some(Line { id: from_hex(id.as_bytes())?, org_id: from_hex(org_id.as_bytes())?, cells })
}

/// The batch's attributes as one text value too (`hex(user_id)`, name, value per
/// row), or `None` when it cannot be split exactly (then they are read as typed rows).
async fn batch_attributes(
    db: &DatabaseConnection,
    members: &Members,
) -> DomainResult<Option<HashMap<Uuid, Vec<(String, String)>>>> {
    let Members::Range { after, last } = members else { return Ok(None) };
    let select = "SELECT count(*), \
        group_concat(concat_ws(char(31), hex(user_id), name, value), char(30)), \
        max(NOT (typeof(user_id) = 'blob' AND typeof(name) = 'text' AND typeof(value) = 'text')) \
        FROM developer_attributes WHERE user_id <= ?";
    let statement = match after {
        None => Statement::from_sql_and_values(DbBackend::Sqlite, select, [Value::from(*last)]),
        Some(a) => Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!("{select} AND user_id > ?"),
            [Value::from(*last), Value::from(*a)],
        ),
    };
    let Some(row) = db.query_one_raw(statement).await? else { return Ok(None) };
    let count: i64 = row.try_get_by_index(0)?;
    let mut attributes: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
    if count == 0 {
        return Ok(Some(attributes));
    }
    let text: Option<String> = row.try_get_by_index(1)?;
    let odd: Option<i64> = row.try_get_by_index(2)?;
    let (Some(text), Some(0)) = (text, odd) else { return Ok(None) };
    let mut rows = 0i64;
    for line in text.split('\u{1e}') {
        let mut parts = line.split('\u{1f}');
        let (Some(user), Some(name), Some(value), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Ok(None);
        };
        let Some(user) = from_hex(user.as_bytes()) else { return Ok(None) };
        attributes.entry(user).or_default().push((name.to_owned(), value.to_owned()));
        rows += 1;
    }
    Ok((rows == count).then_some(attributes))
}

/// Writes a batch's text as CSV into `buf`, or returns `false` (leaving `buf` to be
/// cleared) when any row is not exactly what the general way would write.
async fn write_text(
    db: &DatabaseConnection,
    context: &mut Context,
    text: &str,
    rows: usize,
    members: &Members,
    buf: &mut Vec<u8>,
) -> DomainResult<bool> {
    let mut lines = Vec::with_capacity(rows);
    let mut previous: Option<Uuid> = None;
    for line in text.split('\u{1e}') {
        let Some(line) = parse_line(line) else { return Ok(false) };
        if previous.is_some_and(|p| p >= line.id) {
            return Ok(false);
        }
        previous = Some(line.id);
        lines.push(line);
    }
    if lines.len() != rows {
        return Ok(false);
    }
    context.load_orgs(db, lines.iter().map(|l| l.org_id)).await?;
    let attributes = match batch_attributes(db, members).await? {
        Some(attributes) => attributes,
        None => attributes_of(db, members).await?,
    };
    let mut id_text = [0u8; 36];
    for line in &lines {
        let mut cells = line.cells;
        cells[0] = line.id.hyphenated().encode_lower(&mut id_text);
        cells[7] = context.org_name(&line.org_id);
        let attrs = attributes.get(&line.id).map_or(&[][..], Vec::as_slice);
        context.csv_row(buf, cells, attrs).map_err(io)?;
    }
    Ok(true)
}

/// The CSV of every developer, `batch` rows per query: (rows, batches read again the
/// general way).
pub(super) async fn developers(
    db: &DatabaseConnection,
    out: &mut impl Write,
    mut progress: impl FnMut(u64),
    batch: u64,
) -> DomainResult<(u64, u64)> {
    let mut context = Context::start(db, m::ExportFormat::Csv, out).await?;
    let (first_sql, next_sql) = (batch_sql(true), batch_sql(false));
    let limit = i64::try_from(batch).unwrap_or(i64::MAX);
    let mut after: Option<Uuid> = None;
    let (mut written, mut general_batches) = (0u64, 0u64);
    let mut buf = Vec::new();
    loop {
        let statement = match after {
            None => {
                Statement::from_sql_and_values(DbBackend::Sqlite, first_sql.as_str(), [Value::from(limit)])
            }
            Some(a) => Statement::from_sql_and_values(
                DbBackend::Sqlite,
                next_sql.as_str(),
                [Value::from(a), Value::from(limit)],
            ),
        };
        let Some(row) = db.query_one_raw(statement).await? else { break };
        let count: i64 = row.try_get_by_index(0)?;
        if count == 0 {
            break;
        }
        let last: Uuid = row.try_get_by_index(1)?;
        let text: Option<String> = row.try_get_by_index(2)?;
        let odd: Option<i64> = row.try_get_by_index(3)?;
        drop(row);
        let rows = usize::try_from(count).unwrap_or(usize::MAX);
        let batch_rows = u64::try_from(count).unwrap_or(u64::MAX);
        let members = Members::Range { after, last };
        buf.clear();
        let exact = match (odd, text.as_deref()) {
            (Some(0), Some(text)) => write_text(db, &mut context, text, rows, &members, &mut buf).await?,
            _ => false,
        };
        drop(text);
        if !exact {
            general_batches += 1;
            buf.clear();
            let users: Vec<DeveloperRow> = general_range(db, after, last).await?;
            context.write_batch(db, &users, &members, &mut buf).await?;
            // What was written (a user added to the range meanwhile is in it too).
            written += users.len() as u64;
        } else {
            written += batch_rows;
        }
        out.write_all(&buf).map_err(io)?;
        progress(written);
        after = Some(last);
        if batch_rows < batch {
            break;
        }
    }
    context.finish(out)?;
    Ok((written, general_batches))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn only_timestamps_written_unchanged_count_as_canonical() {
        let base = Utc.with_ymd_and_hms(2026, 12, 4, 18, 22, 45).unwrap();
        for nanos in [0, 1, 1_000, 120_000, 918_000_000, 918_198_885, 999_999_999] {
            let t = (base + chrono::Duration::nanoseconds(nanos)).to_rfc3339();
            assert!(canonical_timestamp(t.as_bytes()), "{t}");
        }
        for odd in [
            "2026-12-04T18:22:45.000+00:00",
            "2026-12-04T18:22:45.918000+00:00",
            "2026-12-04T18:22:45.918198000+00:00",
            "2026-12-04 18:22:45.918+00:00",
            "2026-12-04T18:22:45.918Z",
            "2026-12-04T18:22:45+01:00",
            "2026-02-30T18:22:45+00:00",
            "2026-12-04T24:00:00+00:00",
            "2026-12-04T23:59:60+00:00",
            "2026-12-04T18:22:45.9a8+00:00",
            "1700000000",
        ] {
            assert!(!canonical_timestamp(odd.as_bytes()), "{odd}");
        }
    }

    #[test]
    fn hex_ids_read_back() {
        let id = Uuid::now_v7();
        assert_eq!(from_hex(id.simple().to_string().to_uppercase().as_bytes()), Some(id));
        assert_eq!(from_hex(b"00"), None);
    }
}

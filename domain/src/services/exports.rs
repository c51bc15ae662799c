//! Export jobs: an admin asks for developers (everything or the current search), apps or
//! API products as CSV or JSON; the job runs in the background (one at a time), writes
//! its file under the export folder in batches (bounded memory), reports its progress
//! about twice a second, and ends `done` with a file to download or `failed` with a
//! reason. A job interrupted by a restart is marked failed at the next start.

use crate::entities::{export_job, user};
use crate::export;
use crate::services::audit::{self, Event};
use crate::{Actor, DomainError, DomainResult};
use chrono::Utc;
use portico_model as m;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Semaphore;
use uuid::Uuid;

/// One export at a time: they are heavy readers, and the next one simply waits.
static RUNNING: Semaphore = Semaphore::const_new(1);

/// How often a running job's progress is written.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

fn view(job: export_job::Model, created_by: String) -> m::ExportJob {
    m::ExportJob {
        id: job.id.into(),
        kind: m::ExportKind::from_key(&job.kind).unwrap_or(m::ExportKind::Developers),
        format: m::ExportFormat::from_key(&job.format).unwrap_or(m::ExportFormat::Csv),
        status: m::ExportStatus::from_key(&job.status).unwrap_or(m::ExportStatus::Failed),
        filter_summary: job.filter_summary,
        rows_done: u64::try_from(job.rows_done).unwrap_or(0),
        rows_total: u64::try_from(job.rows_total).unwrap_or(0),
        bytes: u64::try_from(job.bytes).unwrap_or(0),
        error: job.error,
        created_by,
        created_at: job.created_at,
        finished_at: job.finished_at,
    }
}

/// The search in words: `search “ada”, status active, organisation filter`.
fn summary(search: Option<&m::DeveloperQuery>) -> String {
    let Some(q) = search else { return "everything".to_owned() };
    let mut parts = Vec::new();
    if !q.text.trim().is_empty() {
        parts.push(format!("search “{}”", q.text.trim()));
    }
    if let Some(s) = q.status {
        parts.push(format!("status {}", s.label()));
    }
    if q.org_id.is_some() {
        parts.push("one organisation".to_owned());
    }
    if parts.is_empty() { "everything".to_owned() } else { parts.join(", ") }
}

/// The file a job writes, in `dir`.
pub fn file_path(dir: &Path, id: Uuid, format: m::ExportFormat) -> PathBuf {
    dir.join(format!("{id}.{}", format.key()))
}

/// Queues an export and starts it in the background. Portal admins only.
#[tracing::instrument(skip_all, fields(by = %actor.user_id))]
pub async fn start(
    db: &DatabaseConnection,
    actor: &Actor,
    request: m::ExportRequest,
    dir: &Path,
) -> DomainResult<m::ExportJob> {
    actor.require_portal_admin()?;
    let search = match (request.kind, request.search) {
        (m::ExportKind::Developers, Some(mut q)) => {
            q.after = None;
            Some(q)
        }
        (_, Some(_)) => {
            return Err(m::FieldError::new("search", "Only developer exports can follow a search.").into());
        }
        (_, None) => None,
    };
    let filter = serde_json::to_string(&search).map_err(|e| DomainError::Internal(e.to_string()))?;
    let job = export_job::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(request.kind.key().to_owned()),
        format: Set(request.format.key().to_owned()),
        filter: Set(filter),
        filter_summary: Set(summary(search.as_ref())),
        status: Set(m::ExportStatus::Queued.key().to_owned()),
        rows_done: Set(0),
        rows_total: Set(0),
        bytes: Set(0),
        error: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
        finished_at: Set(None),
    }
    .insert(db)
    .await?;
    let label = format!("{} ({})", request.kind.label(), request.format.key());
    let event = Event::new(
        "export.start",
        "export",
        job.id,
        &label,
        None,
        format!(
            "Exported {} as {}: {}",
            request.kind.label(),
            request.format.key().to_uppercase(),
            job.filter_summary
        ),
    );
    audit::record(db, Some(actor), event).await?;
    tokio::spawn(run(
        db.clone(),
        actor.clone(),
        job.id,
        request.kind,
        request.format,
        search,
        dir.to_path_buf(),
    ));
    tracing::info!(export.id = %job.id, kind = request.kind.key(), "export queued");
    Ok(view(job, actor.email.clone()))
}

/// Runs a queued job to its end (done or failed), reporting progress as it goes.
async fn run(
    db: DatabaseConnection,
    actor: Actor,
    id: Uuid,
    kind: m::ExportKind,
    format: m::ExportFormat,
    search: Option<m::DeveloperQuery>,
    dir: PathBuf,
) {
    let _turn = RUNNING.acquire().await;
    let done = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ticker = {
        let (db, done, finished) = (db.clone(), done.clone(), finished.clone());
        tokio::spawn(async move {
            while !finished.load(Ordering::SeqCst) {
                tokio::time::sleep(PROGRESS_EVERY).await;
                let n = i64::try_from(done.load(Ordering::SeqCst)).unwrap_or(i64::MAX);
                let _ = export_job::Entity::update_many()
                    .col_expr(export_job::Column::RowsDone, Expr::value(n))
                    .filter(export_job::Column::Id.eq(id))
                    .filter(export_job::Column::Status.eq(m::ExportStatus::Running.key()))
                    .exec(&db)
                    .await;
            }
        })
    };
    let result = write_file(&db, &actor, id, kind, format, search, &dir, &done).await;
    finished.store(true, Ordering::SeqCst);
    let _ = ticker.await;
    let (status, error, rows, bytes) = match result {
        Ok((rows, bytes)) => (m::ExportStatus::Done, None, rows, bytes),
        Err(e) => {
            tracing::error!(export.id = %id, error = %e, "export failed");
            let _ = std::fs::remove_file(partial(&file_path(&dir, id, format)));
            let reason = "The export could not be written; see the server log.".to_owned();
            (m::ExportStatus::Failed, Some(reason), done.load(Ordering::SeqCst), 0)
        }
    };
    let saved = export_job::Entity::update_many()
        .col_expr(export_job::Column::Status, Expr::value(status.key()))
        .col_expr(export_job::Column::Error, Expr::value(error))
        .col_expr(export_job::Column::RowsDone, Expr::value(i64::try_from(rows).unwrap_or(i64::MAX)))
        .col_expr(export_job::Column::Bytes, Expr::value(i64::try_from(bytes).unwrap_or(i64::MAX)))
        .col_expr(export_job::Column::FinishedAt, Expr::value(Utc::now()))
        .filter(export_job::Column::Id.eq(id))
        .exec(&db)
        .await;
    if let Err(e) = saved {
        tracing::error!(export.id = %id, error = %e, "cannot record the end of an export");
    } else {
        tracing::info!(export.id = %id, rows, bytes, status = status.key(), "export finished");
    }
}

fn partial(path: &Path) -> PathBuf {
    path.with_extension(format!("{}.part", path.extension().and_then(|e| e.to_str()).unwrap_or("out")))
}

/// Writes the file (as `<id>.<ext>.part`, renamed when complete): (rows, bytes).
#[allow(clippy::too_many_arguments)]
async fn write_file(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    kind: m::ExportKind,
    format: m::ExportFormat,
    search: Option<m::DeveloperQuery>,
    dir: &Path,
    done: &AtomicU64,
) -> DomainResult<(u64, u64)> {
    let total = export::count(db, kind, search.as_ref()).await?;
    export_job::Entity::update_many()
        .col_expr(export_job::Column::Status, Expr::value(m::ExportStatus::Running.key()))
        .col_expr(export_job::Column::RowsTotal, Expr::value(i64::try_from(total).unwrap_or(i64::MAX)))
        .filter(export_job::Column::Id.eq(id))
        .exec(db)
        .await?;
    let io = |e: std::io::Error| DomainError::Internal(format!("export file: {e}"));
    std::fs::create_dir_all(dir).map_err(io)?;
    let path = file_path(dir, id, format);
    let part = partial(&path);
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(&part).map_err(io)?);
    let progress = |n: u64| done.store(n, Ordering::SeqCst);
    let rows = match kind {
        m::ExportKind::Developers => export::developers(db, format, search, &mut out, progress).await?,
        m::ExportKind::Apps => export::apps(db, format, &mut out, progress).await?,
        m::ExportKind::Products => export::products(db, actor, format, &mut out, progress).await?,
    };
    out.flush().map_err(io)?;
    drop(out);
    std::fs::rename(&part, &path).map_err(io)?;
    let bytes = std::fs::metadata(&path).map_err(io)?.len();
    Ok((rows, bytes))
}

async fn creators(
    db: &DatabaseConnection,
    jobs: &[export_job::Model],
) -> DomainResult<std::collections::HashMap<Uuid, String>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(jobs.iter().map(|j| j.created_by)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect())
}

/// The newest 20 jobs. Portal admins only.
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> DomainResult<Vec<m::ExportJob>> {
    actor.require_portal_admin()?;
    let jobs =
        export_job::Entity::find().order_by_desc(export_job::Column::CreatedAt).limit(20).all(db).await?;
    let who = creators(db, &jobs).await?;
    Ok(jobs
        .into_iter()
        .map(|j| {
            let by = who.get(&j.created_by).cloned().unwrap_or_else(|| "a former admin".to_owned());
            view(j, by)
        })
        .collect())
}

/// One job. Portal admins only.
pub async fn get(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<m::ExportJob> {
    actor.require_portal_admin()?;
    let job = export_job::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound)?;
    let by = creators(db, std::slice::from_ref(&job)).await?.remove(&job.created_by).unwrap_or_default();
    Ok(view(job, by))
}

/// The finished file of a job and the job. Portal admins only; an unfinished job is a
/// conflict.
pub async fn download(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    dir: &Path,
) -> DomainResult<(PathBuf, m::ExportJob)> {
    let job = get(db, actor, id).await?;
    if job.status != m::ExportStatus::Done {
        return Err(DomainError::Conflict("This export has not finished.".into()));
    }
    let path = file_path(dir, id, job.format);
    if !path.is_file() {
        return Err(DomainError::Conflict("The export's file is no longer there; export again.".into()));
    }
    Ok((path, job))
}

/// Marks jobs a restart interrupted as failed (at start-up, before new ones run).
pub async fn fail_interrupted(db: &DatabaseConnection) -> DomainResult<u64> {
    let open = [m::ExportStatus::Queued.key(), m::ExportStatus::Running.key()];
    let res = export_job::Entity::update_many()
        .col_expr(export_job::Column::Status, Expr::value(m::ExportStatus::Failed.key()))
        .col_expr(
            export_job::Column::Error,
            Expr::value(Some("Interrupted by a restart; export again.".to_owned())),
        )
        .col_expr(export_job::Column::FinishedAt, Expr::value(Utc::now()))
        .filter(export_job::Column::Status.is_in(open))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_files_keep_their_extension_visible() {
        let p = file_path(Path::new("/x"), Uuid::nil(), m::ExportFormat::Csv);
        assert_eq!(partial(&p), PathBuf::from("/x/00000000-0000-0000-0000-000000000000.csv.part"));
    }

    #[test]
    fn summaries_say_what_was_exported() {
        assert_eq!(summary(None), "everything");
        let q = m::DeveloperQuery {
            text: " ada ".into(),
            status: Some(m::AccountStatus::Active),
            ..Default::default()
        };
        assert_eq!(summary(Some(&q)), "search “ada”, status active");
    }
}

//! Exports on the wire: what an admin asks to export (developers, apps or API products;
//! CSV or JSON; everything or the current developer search) and the job's progress.

use crate::developers::DeveloperQuery;
use crate::ids::ExportId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What an export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ExportKind {
    Developers,
    Apps,
    Products,
}

impl ExportKind {
    pub const ALL: [Self; 3] = [Self::Developers, Self::Apps, Self::Products];

    pub fn key(self) -> &'static str {
        match self {
            Self::Developers => "developers",
            Self::Apps => "apps",
            Self::Products => "products",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Developers => "Developers",
            Self::Apps => "Apps",
            Self::Products => "API products",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// The file format. CSV leaves out nested data (except custom attributes, as
/// `attr.<name>` columns) and neutralises spreadsheet formulas; JSON keeps everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn key(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Csv, Self::Json].into_iter().find(|f| f.key() == key)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ExportStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl ExportStatus {
    pub fn key(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Failed].into_iter().find(|s| s.key() == key)
    }

    /// Still to come or under way.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// An admin's request for an export. `search` narrows developer exports to a search
/// (its `after` and `limit` are ignored: every match is exported).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExportRequest {
    pub kind: ExportKind,
    pub format: ExportFormat,
    #[serde(default)]
    pub search: Option<DeveloperQuery>,
}

/// An export job as the jobs list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExportJob {
    pub id: ExportId,
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub status: ExportStatus,
    /// "everything", or the search and filters it exports.
    pub filter_summary: String,
    pub rows_done: u64,
    pub rows_total: u64,
    pub bytes: u64,
    pub error: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ExportJob {
    /// 0 to 100.
    pub fn percent(&self) -> u8 {
        if self.status == ExportStatus::Done {
            return 100;
        }
        if self.rows_total == 0 {
            return 0;
        }
        u8::try_from((self.rows_done.min(self.rows_total) * 100 / self.rows_total).min(100)).unwrap_or(100)
    }

    /// Where the finished file is downloaded from.
    pub fn download_path(&self) -> String {
        format!("/exports/{}/download", self.id)
    }

    /// The file name offered for saving, e.g. `developers-20261201-1402.csv`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.{}", self.kind.key(), self.created_at.format("%Y%m%d-%H%M%S"), self.format.key())
    }
}

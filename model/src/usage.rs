//! Usage at the gateway, as the dashboards show it: an hourly series over the past seven
//! days (allowed vs denied) and, per key, its plan's limits with the quota used and left.

use crate::catalog::{KeyStatus, Plan};
use crate::ids::{ApiKeyId, AppId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many days the usage graphs cover.
pub const USAGE_DAYS: i64 = 7;

/// Calls in one hour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsagePoint {
    /// The start of the hour (UTC).
    pub hour: DateTime<Utc>,
    pub allowed: u64,
    pub denied: u64,
}

/// Denied calls of one reason (`rate_limited`, `quota_exceeded`, `revoked_key`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReasonCount {
    pub reason: String,
    pub count: u64,
}

/// Calls per hour over the past [`USAGE_DAYS`] days, oldest first, one point per hour
/// (hours without calls are zero), the current hour last.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsageSeries {
    pub points: Vec<UsagePoint>,
    pub allowed: u64,
    pub denied: u64,
    /// Most frequent first.
    pub denied_by_reason: Vec<ReasonCount>,
}

/// An app the dashboard can filter by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsageApp {
    pub id: AppId,
    pub name: String,
}

/// One key with its plan's limits and where it stands in the current quota period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KeyUsage {
    pub id: ApiKeyId,
    pub app_id: AppId,
    pub app_name: String,
    /// The visible start of the key, e.g. `ptc_AbCd1234`.
    pub prefix: String,
    pub created_by: String,
    pub status: KeyStatus,
    pub plan: Plan,
    pub products: Vec<String>,
    /// Allowed calls in the current quota period.
    pub quota_used: u64,
    /// `None` when the quota is unlimited.
    pub quota_remaining: Option<u64>,
    /// When the current quota period ends and the count starts again.
    pub quota_resets_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Calls (allowed and denied) over the past [`USAGE_DAYS`] days.
    pub calls_7d: u64,
}

impl KeyUsage {
    /// How much of the quota is used, 0.0 to 1.0 (`None` when unlimited).
    pub fn quota_fraction(&self) -> Option<f64> {
        let quota = self.plan.quota?;
        if quota == 0 {
            return Some(1.0);
        }
        Some((self.quota_used as f64 / f64::from(quota)).min(1.0))
    }
}

/// A usage dashboard: the series for the chosen scope, and every key of the wider scope
/// (for the filters and the quota meters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsageDashboard {
    pub series: UsageSeries,
    pub apps: Vec<UsageApp>,
    pub keys: Vec<KeyUsage>,
    /// When these figures were read.
    pub as_of: DateTime<Utc>,
}

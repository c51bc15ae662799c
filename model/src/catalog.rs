//! The catalog and the way to a key: API products, catalogs, plans, the cart, access
//! requests, apps and API keys — their DTOs and the input rules both sides share.

use crate::ids::{
    AccessRequestId, ApiKeyId, AppId, CatalogId, OrgId, PlanId, ProductApiId, ProductId, TeamId,
};
use crate::input::{FieldError, short_text};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who may see a catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Visibility {
    /// Everyone, signed in or not.
    Public,
    /// Only the organisations and teams chosen (and portal admins).
    Private,
}

impl Visibility {
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }
}

/// The window of a plan's rate limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum RatePeriod {
    Second,
    Minute,
}

impl RatePeriod {
    pub fn unit(self) -> &'static str {
        match self {
            Self::Second => "s",
            Self::Minute => "min",
        }
    }
}

/// The window of a plan's quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum QuotaPeriod {
    Day,
    Month,
}

impl QuotaPeriod {
    pub fn unit(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Month => "month",
        }
    }
}

/// A catalog by name, as lists and groups show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogRef {
    pub id: CatalogId,
    pub name: String,
    pub visibility: Visibility,
}

/// A product by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductRef {
    pub id: ProductId,
    pub name: String,
    pub slug: String,
}

/// A plan of a catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Plan {
    pub id: PlanId,
    pub catalog_id: CatalogId,
    pub name: String,
    pub rate_limit: u32,
    pub rate_period: RatePeriod,
    /// `None`: unlimited.
    pub quota: Option<u32>,
    pub quota_period: QuotaPeriod,
    /// Keys expire this many days after they are made; `None`: they do not expire.
    pub key_lifetime_days: Option<u32>,
    pub requires_approval: bool,
}

impl Plan {
    /// "10 requests/s · 10,000/day · keys last 90 days".
    pub fn terms(&self) -> String {
        let quota = match self.quota {
            Some(q) => format!("{}/{}", thousands(u64::from(q)), self.quota_period.unit()),
            None => "unlimited quota".to_owned(),
        };
        let keys = match self.key_lifetime_days {
            Some(1) => "keys last 1 day".to_owned(),
            Some(d) => format!("keys last {d} days"),
            None => "keys do not expire".to_owned(),
        };
        let noun = if self.rate_limit == 1 { "request" } else { "requests" };
        format!(
            "{} {noun}/{} · {quota} · {keys}",
            thousands(u64::from(self.rate_limit)),
            self.rate_period.unit()
        )
    }
}

/// `12345` → `"12,345"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One operation of an OpenAPI document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiOperation {
    /// Upper case: `GET`, `POST`, …
    pub method: String,
    pub path: String,
    pub summary: String,
}

/// One API of a product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductApi {
    pub id: ProductApiId,
    pub name: String,
    pub path_prefix: String,
    /// The OpenAPI document's title and version, when one was uploaded.
    pub spec_title: Option<String>,
    pub operations: Vec<ApiOperation>,
}

/// A product in lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductSummary {
    pub id: ProductId,
    pub name: String,
    pub slug: String,
    pub summary: String,
    pub base_url: String,
    pub published: bool,
    pub api_count: u32,
    /// The catalogs that hold it (for consumers: the ones they may see).
    pub catalogs: Vec<CatalogRef>,
}

/// What one catalog offers for a product: its plans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogOffer {
    pub catalog: CatalogRef,
    pub plans: Vec<Plan>,
}

/// A product's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductDetail {
    pub id: ProductId,
    pub name: String,
    pub slug: String,
    pub summary: String,
    pub base_url: String,
    pub published: bool,
    /// The Markdown source (for the admin's editor).
    pub documentation: String,
    /// The Markdown rendered on the host into safe HTML: raw HTML is escaped and only
    /// http(s), mailto and relative links are kept.
    pub documentation_html: String,
    pub apis: Vec<ProductApi>,
    /// The catalogs holding it that the caller may see, with their plans.
    pub offers: Vec<CatalogOffer>,
}

/// The consumer's catalog page: what the caller may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogListing {
    pub catalogs: Vec<CatalogRef>,
    /// Published products of those catalogs, each with the visible catalogs holding it.
    pub products: Vec<ProductSummary>,
}

/// A catalog in the admin's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogSummary {
    pub catalog: CatalogRef,
    pub products: u32,
    pub plans: u32,
    /// Organisations and teams a private catalog is shown to.
    pub audiences: u32,
}

/// A team a private catalog is shown to, with its organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AudienceTeam {
    pub id: TeamId,
    pub name: String,
    pub org_name: String,
}

/// An organisation a private catalog is shown to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AudienceOrg {
    pub id: OrgId,
    pub name: String,
}

/// A catalog as the admin edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogDetail {
    pub catalog: CatalogRef,
    pub products: Vec<ProductRef>,
    pub plans: Vec<Plan>,
    pub orgs: Vec<AudienceOrg>,
    pub teams: Vec<AudienceTeam>,
}

/// One catalog's part of the cart: its products and the plans to choose from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartGroup {
    pub catalog: CatalogRef,
    pub products: Vec<ProductRef>,
    pub plans: Vec<Plan>,
}

/// The caller's cart, kept on the host, grouped by catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cart {
    pub groups: Vec<CartGroup>,
}

impl Cart {
    pub fn len(&self) -> usize {
        self.groups.iter().map(|g| g.products.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where an access request is: pending → approved | rejected; pending → cancelled
/// (its app deleted); approved → revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
    Cancelled,
    Revoked,
}

impl RequestStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Revoked => "revoked",
        }
    }
}

/// An access request: one app, one catalog, one plan, one or more products.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccessRequestView {
    pub id: AccessRequestId,
    pub app_id: AppId,
    pub app_name: String,
    pub catalog: CatalogRef,
    pub plan: Plan,
    pub products: Vec<ProductRef>,
    pub status: RequestStatus,
    pub comment: String,
    /// The admin's reason with a rejection.
    pub reason: Option<String>,
    pub requested_by: String,
    pub requested_by_email: String,
    pub organisation: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// An API key's state, computed when read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum KeyStatus {
    Active,
    /// Active, but it expires within seven days (or its rotation grace is running).
    ExpiringSoon,
    Expired,
    Revoked,
}

impl KeyStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::ExpiringSoon => "expiring soon",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    /// A CSS-friendly name.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::ExpiringSoon => "expiring",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    /// Whether a key in this state still opens the API.
    pub fn works(self) -> bool {
        matches!(self, Self::Active | Self::ExpiringSoon)
    }
}

/// An API key's metadata. The key itself is never stored; it is shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub request_id: AccessRequestId,
    /// The visible start of the key, e.g. `ptc_AbCd1234`.
    pub prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Filled in by the gateway.
    pub last_used_at: Option<DateTime<Utc>>,
    pub status: KeyStatus,
}

/// A key just made: its metadata and, this once, the key itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewApiKey {
    pub key: ApiKeyView,
    pub secret: String,
}

/// An app with its requests and keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AppView {
    pub id: AppId,
    pub name: String,
    pub description: String,
    pub organisation: String,
    /// Shared with the whole organisation (`false`: an individual developer's own app).
    pub shared: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Newest first.
    pub requests: Vec<AccessRequestView>,
    /// Newest first; each belongs to one approved request.
    pub keys: Vec<ApiKeyView>,
}

/// What "Request access" gives back: the request, and the key when the plan needed no
/// approval (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestOutcome {
    pub request: AccessRequestView,
    pub key: Option<NewApiKey>,
}

/// The rules of a product's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductInput {
    pub name: String,
    pub slug: String,
    pub summary: String,
    pub base_url: String,
    pub documentation: String,
}

impl ProductInput {
    pub const MAX_DOC_CHARS: usize = 100_000;

    pub fn parse(
        name: &str,
        slug: &str,
        summary: &str,
        base_url: &str,
        documentation: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = short_text("name", name, 100, "Enter a name.").map_err(|e| errors.push(e)).ok();
        let slug = parse_slug(slug).map_err(|e| errors.push(e)).ok();
        let summary = summary.trim();
        if summary.chars().count() > 300 {
            errors.push(FieldError::new("summary", "Keep the summary to 300 characters."));
        }
        let base_url = parse_base_url(base_url).map_err(|e| errors.push(e)).ok();
        if documentation.chars().count() > Self::MAX_DOC_CHARS {
            errors.push(FieldError::new(
                "documentation",
                "The documentation is longer than 100,000 characters.",
            ));
        }
        match (name, slug, base_url) {
            (Some(name), Some(slug), Some(base_url)) if errors.is_empty() => Ok(Self {
                name,
                slug,
                summary: summary.to_owned(),
                base_url,
                documentation: documentation.to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

/// A URL-safe name: lower-case letters, digits and single dashes, 2 to 60 characters.
pub fn parse_slug(raw: &str) -> Result<String, FieldError> {
    let slug = raw.trim().to_lowercase();
    let ok = (2..=60).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok {
        Ok(slug)
    } else {
        Err(FieldError::new(
            "slug",
            "Use 2–60 lower-case letters, digits and single dashes, e.g. payments-api.",
        ))
    }
}

/// A slug suggested from a name: "Payments API" → "payments-api".
pub fn slug_from(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(60).collect()
}

/// An absolute http(s) URL without spaces, query or fragment; no trailing slash.
pub fn parse_base_url(raw: &str) -> Result<String, FieldError> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split('/').next().unwrap_or_default()).unwrap_or_default();
    let ok = rest.is_some()
        && !host.is_empty()
        && url.len() <= 300
        && !url.contains(['?', '#', ' ', '"', '<', '>', '\\'])
        && !url.chars().any(char::is_control);
    if ok {
        Ok(url.to_owned())
    } else {
        Err(FieldError::new("base_url", "Enter an address like https://api.example.com/v1."))
    }
}

/// An API of a product: a name and the path prefix its calls start with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiInput {
    pub name: String,
    pub path_prefix: String,
}

impl ApiInput {
    pub fn parse(name: &str, path_prefix: &str) -> Result<Self, Vec<FieldError>> {
        let name = short_text("api_name", name, 100, "Enter the API's name.");
        let prefix = path_prefix.trim().trim_end_matches('/');
        let prefix = if prefix.is_empty() { "/".to_owned() } else { prefix.to_owned() };
        let prefix_ok = prefix.starts_with('/')
            && prefix.len() <= 200
            && prefix.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.~".contains(c))
            && !prefix.contains("//");
        let prefix = if prefix_ok {
            Ok(prefix)
        } else {
            Err(FieldError::new("path_prefix", "Start with / and use letters, digits, / - _ . ~ only."))
        };
        match (name, prefix) {
            (Ok(name), Ok(path_prefix)) => Ok(Self { name, path_prefix }),
            (n, p) => Err([n.err(), p.err()].into_iter().flatten().collect()),
        }
    }
}

/// The terms of a plan, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanInput {
    pub name: String,
    pub rate_limit: u32,
    pub rate_period: RatePeriod,
    pub quota: Option<u32>,
    pub quota_period: QuotaPeriod,
    pub key_lifetime_days: Option<u32>,
    pub requires_approval: bool,
}

impl PlanInput {
    pub const MAX_RATE: u32 = 1_000_000;
    pub const MAX_QUOTA: u32 = 2_000_000_000;
    pub const MAX_KEY_DAYS: u32 = 3650;

    /// Checks typed values (the host's rule).
    pub fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Err(e) = short_text("plan_name", &self.name, 100, "Enter the plan's name.") {
            errors.push(e);
        }
        if !(1..=Self::MAX_RATE).contains(&self.rate_limit) {
            errors.push(FieldError::new("rate_limit", "Allow between 1 and 1,000,000 requests."));
        }
        if self.quota.is_some_and(|q| !(1..=Self::MAX_QUOTA).contains(&q)) {
            errors.push(FieldError::new(
                "quota",
                "Allow between 1 and 2,000,000,000 requests, or leave it empty for unlimited.",
            ));
        }
        if self.key_lifetime_days.is_some_and(|d| !(1..=Self::MAX_KEY_DAYS).contains(&d)) {
            errors.push(FieldError::new(
                "key_lifetime_days",
                "Choose 1 to 3650 days, or leave it empty for keys that do not expire.",
            ));
        }
        if errors.is_empty() { Ok(Self { name: self.name.trim().to_owned(), ..self }) } else { Err(errors) }
    }

    /// Parses the form's text fields (the browser's first check), then [`Self::check`].
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        name: &str,
        rate_limit: &str,
        rate_period: RatePeriod,
        quota: &str,
        quota_period: QuotaPeriod,
        key_lifetime_days: &str,
        requires_approval: bool,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let number = |field: &str, raw: &str, errors: &mut Vec<FieldError>| -> Option<u32> {
            let raw = raw.trim().replace(',', "");
            if raw.is_empty() {
                return None;
            }
            raw.parse::<u32>().map_err(|_| errors.push(FieldError::new(field, "Enter a whole number."))).ok()
        };
        let rate = number("rate_limit", rate_limit, &mut errors);
        if rate_limit.trim().is_empty() {
            errors.push(FieldError::new("rate_limit", "Enter how many requests are allowed."));
        }
        let quota = number("quota", quota, &mut errors);
        let days = number("key_lifetime_days", key_lifetime_days, &mut errors);
        let checked = Self {
            name: name.to_owned(),
            rate_limit: rate.unwrap_or(1),
            rate_period,
            quota,
            quota_period,
            key_lifetime_days: days,
            requires_approval,
        }
        .check();
        match checked {
            Ok(plan) if errors.is_empty() => Ok(plan),
            Ok(_) => Err(errors),
            Err(more) => {
                let more: Vec<_> = more.into_iter().filter(|e| !errors_has(&errors, &e.field)).collect();
                errors.extend(more);
                Err(errors)
            }
        }
    }
}

fn errors_has(errors: &[FieldError], field: &str) -> bool {
    errors.iter().any(|e| e.field == field)
}

/// An app's name and description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppInput {
    pub name: String,
    pub description: String,
}

impl AppInput {
    pub fn parse(name: &str, description: &str) -> Result<Self, Vec<FieldError>> {
        let name = short_text("app_name", name, 100, "Name the app.");
        let description = description.trim();
        let description = if description.chars().count() > 500 {
            Err(FieldError::new("app_description", "Keep the description to 500 characters."))
        } else {
            Ok(description.to_owned())
        };
        match (name, description) {
            (Ok(name), Ok(description)) => Ok(Self { name, description }),
            (n, d) => Err([n.err(), d.err()].into_iter().flatten().collect()),
        }
    }
}

/// The most hours a rotated key may keep working (30 days).
pub const MAX_GRACE_HOURS: u32 = 720;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_need_a_name_a_slug_and_an_http_base_url() {
        let p =
            ProductInput::parse(" Payments ", "payments-api", "Pay", "https://api.example.com/v1/", "# Hi")
                .unwrap();
        assert_eq!((p.name.as_str(), p.base_url.as_str()), ("Payments", "https://api.example.com/v1"));
        let errors = ProductInput::parse("", "Bad Slug", "", "javascript:alert(1)", "").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "slug", "base_url"]);
        assert_eq!(slug_from("  Payments & Refunds API "), "payments-refunds-api");
    }

    #[test]
    fn api_prefixes_start_with_a_slash() {
        assert_eq!(ApiInput::parse("Pay", "/payments/").unwrap().path_prefix, "/payments");
        assert_eq!(ApiInput::parse("All", "").unwrap().path_prefix, "/");
        assert!(ApiInput::parse("Pay", "payments").is_err());
        assert!(ApiInput::parse("Pay", "/a//b").is_err());
        assert!(ApiInput::parse("", "/a").is_err());
    }

    #[test]
    fn plan_numbers_are_checked_in_range() {
        let ok =
            PlanInput::parse("Gold", "10", RatePeriod::Second, "10,000", QuotaPeriod::Day, "", true).unwrap();
        assert_eq!((ok.rate_limit, ok.quota, ok.key_lifetime_days), (10, Some(10_000), None));
        let errors =
            PlanInput::parse("", "0", RatePeriod::Second, "x", QuotaPeriod::Day, "9999", false).unwrap_err();
        let mut fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["key_lifetime_days", "plan_name", "quota", "rate_limit"]);
        assert!(PlanInput::parse("Free", "", RatePeriod::Minute, "", QuotaPeriod::Month, "", false).is_err());
        assert_eq!(ok.clone().check().unwrap(), ok);
    }

    #[test]
    fn plan_terms_read_well() {
        let plan = Plan {
            id: PlanId(uuid::Uuid::nil()),
            catalog_id: CatalogId(uuid::Uuid::nil()),
            name: "Gold".into(),
            rate_limit: 1000,
            rate_period: RatePeriod::Minute,
            quota: Some(1_000_000),
            quota_period: QuotaPeriod::Month,
            key_lifetime_days: Some(90),
            requires_approval: true,
        };
        assert_eq!(plan.terms(), "1,000 requests/min · 1,000,000/month · keys last 90 days");
        assert_eq!(thousands(999), "999");
        let one = Plan { rate_limit: 1, quota: None, key_lifetime_days: None, ..plan };
        assert_eq!(one.terms(), "1 request/min · unlimited quota · keys do not expire");
    }
}

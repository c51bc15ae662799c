//! Configuration: one [`Config`], from command-line flags or the environment
//! (each flag has its `PORTICO_*` variable), checked at start so a bad value fails early
//! with a clear message. Secrets are redacted in `Debug`.

use clap::{Args, Parser, Subcommand};
use portico_domain::mail::delivery::{self, SmtpSettings};
use portico_model::{Email, Password};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Portico — an open-source API developer portal.
#[derive(Debug, Parser)]
#[command(name = "portico", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default when no subcommand is given).
    Serve {
        /// Seed the demo portal first (as `portico demo` does), unless it is there.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and create the defaults, then exit.
    Migrate,
    /// Seed a demo portal: organisations, teams, developers, products, catalogs, plans,
    /// apps, keys and 30 days of usage. Does nothing if the demo is already there.
    Demo {
        /// Instead, add this many generated developers (scale data for benchmarks).
        #[arg(long)]
        developers: Option<u64>,
    },
    /// Make an admin API token for `/api/v1` and print it (once) on stdout, for
    /// automation; the same as Admin → Settings → API tokens.
    ApiToken {
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// The email of the admin it acts as (default: the first active portal admin).
        #[arg(long = "as", value_name = "EMAIL")]
        acting_as: Option<String>,
    },
}

/// Every setting, as a flag and as an environment variable.
#[derive(Args, Clone)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(long, env = "PORTICO_ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub addr: String,

    /// Database URL: `sqlite://path/to/file.db` or `postgres://user@host/db`.
    /// Default: a SQLite file under ./data/, created on first start.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/portico.db", global = true)]
    pub database_url: String,

    /// Public base URL of the portal, used for links in emails and to decide whether
    /// cookies are `Secure` (https). Default: http://<addr>.
    #[arg(long, env = "PORTICO_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Email of the first portal admin, created on first start only.
    #[arg(long, env = "PORTICO_ADMIN_EMAIL", default_value = "admin@localhost", global = true)]
    pub admin_email: String,

    /// Password of the first portal admin. When unset, a random one is generated and
    /// printed once in the log.
    #[arg(long, env = "PORTICO_ADMIN_PASSWORD", hide_env_values = true, global = true)]
    pub admin_password: Option<String>,

    /// Directory holding the built web client (Trunk's output).
    #[arg(long, env = "PORTICO_DIST", default_value = "dist", global = true)]
    pub dist: PathBuf,

    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "PORTICO_SESSION_IDLE_MINUTES", default_value_t = 720, global = true)]
    pub session_idle_minutes: u32,

    /// Hours after sign-in after which a session ends, however active.
    #[arg(long, env = "PORTICO_SESSION_MAX_HOURS", default_value_t = 168, global = true)]
    pub session_max_hours: u32,

    /// SMTP server for outgoing mail, e.g. `smtp://user:pass@mail.example.com:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS) or `smtp://127.0.0.1:25` (plain).
    /// Unset: mails are held in the outbox (Admin → Outbox).
    #[arg(long, env = "PORTICO_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,

    /// Sender of outgoing mail.
    #[arg(long, env = "PORTICO_MAIL_FROM", default_value = "Portico <portico@localhost>", global = true)]
    pub mail_from: String,

    /// Hours an invitation link stays valid.
    #[arg(long, env = "PORTICO_INVITE_TTL_HOURS", default_value_t = 72, global = true)]
    pub invite_ttl_hours: u32,

    /// Directory where export files (CSV, JSON) are written; created when needed.
    #[arg(long, env = "PORTICO_EXPORT_DIR", default_value = "data/exports", global = true)]
    pub export_dir: PathBuf,

    /// How often the gateway reads the database's change counter (milliseconds): how
    /// changes reach other hosts on SQLite, the fallback beside LISTEN/NOTIFY on
    /// PostgreSQL.
    #[arg(long, env = "PORTICO_GATEWAY_POLL_MS", default_value_t = 500, global = true)]
    pub gateway_poll_ms: u32,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("addr", &self.addr)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("admin_email", &self.admin_email)
            .field("admin_password", &self.admin_password.as_ref().map(|_| "<redacted>"))
            .field("dist", &self.dist)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_max_hours", &self.session_max_hours)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("invite_ttl_hours", &self.invite_ttl_hours)
            .field("export_dir", &self.export_dir)
            .field("gateway_poll_ms", &self.gateway_poll_ms)
            .finish()
    }
}

/// Every environment variable Portico reads. Any other `PORTICO_*` variable is a typo
/// and stops the start.
pub const KNOWN_ENV: &[&str] = &[
    "PORTICO_ADDR",
    "PORTICO_PUBLIC_URL",
    "PORTICO_ADMIN_EMAIL",
    "PORTICO_ADMIN_PASSWORD",
    "PORTICO_DIST",
    "PORTICO_SESSION_IDLE_MINUTES",
    "PORTICO_SESSION_MAX_HOURS",
    "PORTICO_SMTP_URL",
    "PORTICO_MAIL_FROM",
    "PORTICO_INVITE_TTL_HOURS",
    "PORTICO_EXPORT_DIR",
    "PORTICO_GATEWAY_POLL_MS",
    // Read by the test suite, not by the portal; allowed so it can stay exported.
    "PORTICO_TEST_POSTGRES_URL",
];

/// The checked configuration the host runs with.
#[derive(Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// Without a trailing slash, e.g. `https://developers.example.com`.
    pub public_url: String,
    pub admin_email: Email,
    pub admin_password: Option<Password>,
    pub dist: PathBuf,
    pub session_idle: chrono::Duration,
    pub session_max: chrono::Duration,
    /// `None`: mails are held in the outbox.
    pub smtp: Option<SmtpSettings>,
    pub invite_ttl: chrono::Duration,
    pub export_dir: PathBuf,
    pub gateway_poll: std::time::Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("admin_email", &self.admin_email.as_str())
            .field("admin_password", &self.admin_password.as_ref().map(|_| "<redacted>"))
            .field("dist", &self.dist)
            .field("smtp", &self.smtp.as_ref().map(|s| redact_url(&s.url)))
            .finish_non_exhaustive()
    }
}

/// A setting that cannot be used, named so the operator can fix it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

fn bad(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { name, message: message.into() }
}

impl Config {
    /// Checks every setting.
    pub fn from_settings(s: &Settings) -> Result<Self, ConfigError> {
        let addr: SocketAddr = s.addr.parse().map_err(|_| {
            bad("PORTICO_ADDR", format!("{:?} is not an address like 127.0.0.1:3000", s.addr))
        })?;
        let database_url = s.database_url.trim().to_owned();
        let known_scheme =
            ["sqlite:", "postgres://", "postgresql://"].iter().any(|p| database_url.starts_with(p));
        if !known_scheme {
            return Err(bad(
                "DATABASE_URL",
                format!(
                    "{} must start with sqlite:, postgres:// or postgresql://",
                    redact_url(&database_url)
                ),
            ));
        }
        let public_url = match &s.public_url {
            Some(url) => {
                let url = url.trim().trim_end_matches('/').to_owned();
                let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
                match rest {
                    Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => url,
                    _ => {
                        return Err(bad("PORTICO_PUBLIC_URL", format!("{url:?} is not an http(s):// URL")));
                    }
                }
            }
            None => format!("http://{addr}"),
        };
        let admin_email = Email::parse(&s.admin_email).map_err(|e| bad("PORTICO_ADMIN_EMAIL", e.message))?;
        let admin_password = s
            .admin_password
            .as_deref()
            .map(Password::parse)
            .transpose()
            .map_err(|e| bad("PORTICO_ADMIN_PASSWORD", e.message))?;
        if s.session_idle_minutes == 0 {
            return Err(bad("PORTICO_SESSION_IDLE_MINUTES", "must be at least 1"));
        }
        if s.session_max_hours == 0 {
            return Err(bad("PORTICO_SESSION_MAX_HOURS", "must be at least 1"));
        }
        if s.invite_ttl_hours == 0 {
            return Err(bad("PORTICO_INVITE_TTL_HOURS", "must be at least 1"));
        }
        if !(50..=3_600_000).contains(&s.gateway_poll_ms) {
            return Err(bad("PORTICO_GATEWAY_POLL_MS", "must be between 50 and 3600000 (one hour)"));
        }
        let smtp = match s.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => Some(delivery::check(url, &s.mail_from).map_err(|e| {
                if e.starts_with("sender") { bad("PORTICO_MAIL_FROM", e) } else { bad("PORTICO_SMTP_URL", e) }
            })?),
            None => None,
        };
        Ok(Self {
            addr,
            database_url,
            public_url,
            admin_email,
            admin_password,
            dist: s.dist.clone(),
            session_idle: chrono::Duration::minutes(i64::from(s.session_idle_minutes)),
            session_max: chrono::Duration::hours(i64::from(s.session_max_hours)),
            smtp,
            invite_ttl: chrono::Duration::hours(i64::from(s.invite_ttl_hours)),
            export_dir: s.export_dir.clone(),
            gateway_poll: std::time::Duration::from_millis(u64::from(s.gateway_poll_ms)),
        })
    }

    /// `scheme://host[:port]` of the public URL, compared with the `Origin` header.
    pub fn public_origin(&self) -> &str {
        let after_scheme = self.public_url.find("://").map_or(0, |i| i + 3);
        match self.public_url[after_scheme..].find('/') {
            Some(i) => &self.public_url[..after_scheme + i],
            None => &self.public_url,
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Fails on `PORTICO_*` variables Portico does not know (most likely typos).
pub fn check_unknown_env(vars: impl Iterator<Item = String>) -> Result<(), ConfigError> {
    let unknown: Vec<String> =
        vars.filter(|k| k.starts_with("PORTICO_") && !KNOWN_ENV.contains(&k.as_str())).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(bad(
        "environment",
        format!("unknown variable(s) {}; known: {}", unknown.join(", "), KNOWN_ENV.join(", ")),
    ))
}

/// Hides the password part of a URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:<redacted>{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Cli::parse_from(["portico"]).settings
    }

    #[test]
    fn defaults_are_a_working_local_setup() {
        let c = Config::from_settings(&settings()).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://data/portico.db");
        assert_eq!(c.admin_email.as_str(), "admin@localhost");
        assert!(!c.secure_cookies());
    }

    #[test]
    fn malformed_values_are_named() {
        let mut s = settings();
        s.addr = "localhost".into();
        assert_eq!(Config::from_settings(&s).unwrap_err().name, "PORTICO_ADDR");
        let mut s = settings();
        s.database_url = "mysql://x".into();
        assert_eq!(Config::from_settings(&s).unwrap_err().name, "DATABASE_URL");
        let mut s = settings();
        s.public_url = Some("ftp://x".into());
        assert_eq!(Config::from_settings(&s).unwrap_err().name, "PORTICO_PUBLIC_URL");
        let mut s = settings();
        s.admin_password = Some("short".into());
        assert_eq!(Config::from_settings(&s).unwrap_err().name, "PORTICO_ADMIN_PASSWORD");
        let mut s = settings();
        s.admin_email = "nope".into();
        assert_eq!(Config::from_settings(&s).unwrap_err().name, "PORTICO_ADMIN_EMAIL");
    }

    #[test]
    fn https_public_url_means_secure_cookies_and_an_origin() {
        let mut s = settings();
        s.public_url = Some("https://dev.example.com/portal/".into());
        let c = Config::from_settings(&s).unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.public_url, "https://dev.example.com/portal");
        assert_eq!(c.public_origin(), "https://dev.example.com");
    }

    #[test]
    fn unknown_portico_variables_are_refused() {
        let ok = ["PORTICO_ADDR".to_owned(), "HOME".to_owned()];
        assert!(check_unknown_env(ok.into_iter()).is_ok());
        let typo = ["PORTICO_ADRR".to_owned()];
        let e = check_unknown_env(typo.into_iter()).unwrap_err();
        assert!(e.message.contains("PORTICO_ADRR"), "{e}");
    }

    #[test]
    fn secrets_are_redacted() {
        let mut s = settings();
        s.admin_password = Some("super-secret-pw".into());
        s.database_url = "postgres://app:hunter22@db/portico".into();
        s.smtp_url = Some("smtp://mailer:smtp-secret@127.0.0.1:2525".into());
        let shown = format!("{s:?} {:?}", Config::from_settings(&s).unwrap());
        assert!(!shown.contains("super-secret-pw") && !shown.contains("hunter22"), "{shown}");
        assert!(shown.contains("postgres://app:<redacted>@db/portico"));
    }
}

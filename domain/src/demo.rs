//! `portico demo`: a living portal for a first look, and scale data for the benchmarks.
//!
//! [`seed`] builds a small, realistic portal through the same services the UI calls
//! (so every rule, audit entry and index row is as in real use): organisations with
//! teams, developers in every state, products with APIs, a public and a partner catalog
//! with plans, apps with approved, pending and rejected requests, working keys and 30
//! days of hourly usage. It runs once: a second call finds its marker organisation and
//! does nothing. No mail it causes is delivered.
//!
//! [`bulk_developers`] adds `n` developers in organisations of a thousand, written in
//! multi-row statements with their search-index rows (the same [`search_index::document`]
//! a service would write), for the search and export benchmarks.

use crate::entities::organisation::OrgStatus;
use crate::entities::user::{self, OrgRole, PortalRole, UserStatus};
use crate::entities::{
    api_key, developer_attribute, developer_search, organisation, outbox_message, team_membership, usage_hour,
};
use crate::mail::Mailer;
use crate::password::PasswordHasher;
use crate::services::access::{self, AppChoice, NewRequest};
use crate::services::organisations::{self, NewOrg};
use crate::services::{accounts, catalogs, developers, keys, products, search_index};
use crate::{Actor, DomainError, DomainResult};
use chrono::{DateTime, Duration, Timelike, Utc};
use portico_model as m;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The password of every demo developer (printed by `portico demo`).
pub const DEMO_PASSWORD: &str = "portico-demo-1";
/// The organisation whose presence means the demo was seeded.
pub const MARKER_ORG: &str = "Acme Payments";
/// Days of usage history the demo writes.
pub const USAGE_DAYS: i64 = 30;

/// What [`seed`] made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub organisations: usize,
    pub developers: usize,
    pub products: usize,
    pub apps: usize,
    pub keys: usize,
    pub usage_rows: usize,
    /// Developer emails to sign in with, with [`DEMO_PASSWORD`].
    pub sample_logins: Vec<String>,
}

/// A deterministic generator (SplitMix64), so every demo looks the same.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// A factor in `[1 - spread, 1 + spread]`.
    fn jitter(&mut self, spread: f64) -> f64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        1.0 - spread + 2.0 * spread * unit
    }
}

struct OrgSpec {
    name: &'static str,
    domain: &'static str,
    teams: &'static [&'static str],
    people: &'static [(&'static str, &'static str)],
}

const ORGS: &[OrgSpec] = &[
    OrgSpec {
        name: MARKER_ORG,
        domain: "acme-payments.example",
        teams: &["Checkout", "Mobile"],
        people: &[
            ("Ada", "Lovelace"),
            ("Grace", "Hopper"),
            ("Alan", "Turing"),
            ("Margaret", "Hamilton"),
            ("Linus", "Pauling"),
            ("Katherine", "Johnson"),
        ],
    },
    OrgSpec {
        name: "Globex Logistics",
        domain: "globex.example",
        teams: &["Fleet", "Warehouse"],
        people: &[
            ("Hank", "Scorpio"),
            ("Rosa", "Parks"),
            ("Dmitri", "Mendeleev"),
            ("Hedy", "Lamarr"),
            ("Niels", "Bohr"),
        ],
    },
    OrgSpec {
        name: "Initech",
        domain: "initech.example",
        teams: &["Platform"],
        people: &[
            ("Peter", "Gibbons"),
            ("Samir", "Nagheenanajar"),
            ("Joanna", "Dunne"),
            ("Michael", "Bolton"),
        ],
    },
    OrgSpec {
        name: "Umbrella Health",
        domain: "umbrella-health.example",
        teams: &["Records", "Research"],
        people: &[
            ("Alice", "Abernathy"),
            ("Carlos", "Oliveira"),
            ("Jill", "Valentine"),
            ("Rebecca", "Chambers"),
            ("Barry", "Burton"),
        ],
    },
    OrgSpec {
        name: "Stark Mobility",
        domain: "stark-mobility.example",
        teams: &["Telematics"],
        people: &[("Pepper", "Potts"), ("James", "Rhodes"), ("Happy", "Hogan")],
    },
];

/// Developers of the default organisation (no company of their own).
const INDIVIDUALS: &[(&str, &str, UserStatus)] = &[
    ("Sofia", "Kovalenko", UserStatus::Active),
    ("Tomás", "Ferreira", UserStatus::Active),
    ("Mei", "Tanaka", UserStatus::Active),
    ("Oluwaseun", "Adeyemi", UserStatus::Pending),
    ("Lena", "Fischer", UserStatus::Pending),
    ("Rahul", "Mehta", UserStatus::Inactive),
    ("Chloé", "Dubois", UserStatus::Rejected),
];

struct ProductSpec {
    name: &'static str,
    slug: &'static str,
    summary: &'static str,
    prefix: &'static str,
}

const PRODUCTS: &[ProductSpec] = &[
    ProductSpec {
        name: "Payments",
        slug: "payments",
        summary: "Take card and wallet payments, refund them and follow settlements.",
        prefix: "/payments",
    },
    ProductSpec {
        name: "Shipping",
        slug: "shipping",
        summary: "Quote, book and track parcels with every carrier we support.",
        prefix: "/shipping",
    },
    ProductSpec {
        name: "Identity",
        slug: "identity",
        summary: "Verify people and businesses: documents, addresses and sanctions lists.",
        prefix: "/identity",
    },
    ProductSpec {
        name: "Weather",
        slug: "weather",
        summary: "Forecasts and history for any point on Earth, hourly.",
        prefix: "/weather",
    },
];

fn doc_for(p: &ProductSpec) -> String {
    format!(
        "# {name}\n\n{summary}\n\n## Getting started\n\n1. Ask for access to the **{name}** product from the \
         catalog.\n2. Copy the key shown once.\n3. Call the API with the key in the `X-API-Key` header:\n\n\
         ```\ncurl -H 'X-API-Key: <your key>' https://api.portico.example{prefix}/v1/status\n```\n\n\
         ## Limits\n\nYour plan sets the rate limit and the quota; the dashboard shows what is left.\n",
        name = p.name,
        summary = p.summary,
        prefix = p.prefix,
    )
}

fn internal(e: impl std::fmt::Debug) -> DomainError {
    DomainError::Internal(format!("demo data is invalid: {e:?}"))
}

fn email_of(first: &str, last: &str, domain: &str) -> String {
    let clean = |s: &str| {
        s.chars()
            .map(|c| match c {
                'á' | 'à' | 'â' => 'a',
                'é' | 'è' | 'ê' => 'e',
                'í' => 'i',
                'ó' | 'ô' => 'o',
                'ú' => 'u',
                c => c,
            })
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase()
    };
    format!("{}.{}@{domain}", clean(first), clean(last))
}

/// A developer stored as if registered `age` ago, in `teams` of `org_id`.
#[allow(clippy::too_many_arguments)]
async fn add_developer(
    db: &impl sea_orm::ConnectionTrait,
    first: &str,
    last: &str,
    email: String,
    username: Option<String>,
    password_hash: &str,
    org_id: Uuid,
    role: OrgRole,
    status: UserStatus,
    teams: &[Uuid],
    registered: DateTime<Utc>,
) -> DomainResult<user::Model> {
    let user = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        first_name: Set(first.to_owned()),
        last_name: Set(last.to_owned()),
        username: Set(username),
        password_hash: Set(Some(password_hash.to_owned())),
        portal_role: Set(PortalRole::Developer),
        status: Set(status),
        org_id: Set(org_id),
        org_role: Set(role),
        must_change_password: Set(false),
        created_at: Set(registered),
        updated_at: Set(registered),
        status_changed_at: Set(if status == UserStatus::Active {
            registered
        } else {
            Utc::now() - Duration::days(2)
        }),
    }
    .insert(db)
    .await?;
    for team_id in teams {
        team_membership::ActiveModel {
            team_id: Set(*team_id),
            user_id: Set(user.id),
            created_at: Set(registered),
        }
        .insert(db)
        .await?;
    }
    search_index::refresh(db, &[user.id]).await?;
    Ok(user)
}

/// One key's traffic, for the usage history.
struct Traffic {
    key_id: Uuid,
    app_id: Uuid,
    product_id: Uuid,
    /// Allowed calls in a busy hour.
    per_hour: f64,
}

/// Seeds the demo portal as `admin`. `None` when it is already there.
pub async fn seed(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    admin: &Actor,
) -> DomainResult<Option<Seeded>> {
    admin.require_portal_admin()?;
    if organisation::Entity::find().filter(organisation::Column::Name.eq(MARKER_ORG)).one(db).await?.is_some()
    {
        return Ok(None);
    }
    let started = Utc::now() - Duration::seconds(1);
    let mailer = Mailer::outbox_only("http://demo.invalid");
    let mut dice = Dice(0x5EED);
    let mut seeded = Seeded::default();
    let password = m::Password::parse(DEMO_PASSWORD).map_err(internal)?;
    let hash = hasher.hash(&password).await?;
    let mut emails: BTreeSet<String> = BTreeSet::new();

    // Products, each with one API, published.
    let mut product_ids = Vec::new();
    for p in PRODUCTS {
        let input =
            m::ProductInput::parse(p.name, p.slug, p.summary, "https://api.portico.example", &doc_for(p))
                .map_err(internal)?;
        let id = products::create(db, admin, input.clone()).await?;
        products::update(db, admin, id, input, true).await?;
        products::add_api(
            db,
            admin,
            id,
            m::ApiInput::parse(&format!("{} v1", p.name), p.prefix).map_err(internal)?,
            None,
        )
        .await?;
        product_ids.push(id);
    }
    seeded.products = product_ids.len();
    let [payments, shipping, identity, weather] = product_ids[..] else {
        return Err(DomainError::Internal("demo products".into()));
    };

    // Catalogs and plans.
    let public = catalogs::create(db, admin, "Public APIs", m::Visibility::Public).await?;
    for id in [payments, identity, weather] {
        catalogs::set_product(db, admin, public, id, true).await?;
    }
    let plan = |name: &str,
                rate: u32,
                period: m::RatePeriod,
                quota: Option<u32>,
                qp: m::QuotaPeriod,
                approval: bool| {
        m::PlanInput {
            name: name.to_owned(),
            rate_limit: rate,
            rate_period: period,
            quota,
            quota_period: qp,
            key_lifetime_days: None,
            requires_approval: approval,
        }
    };
    let free = catalogs::create_plan(
        db,
        admin,
        public,
        plan("Free", 10, m::RatePeriod::Second, Some(10_000), m::QuotaPeriod::Day, false),
    )
    .await?;
    let pro = catalogs::create_plan(
        db,
        admin,
        public,
        plan("Pro", 200, m::RatePeriod::Second, Some(5_000_000), m::QuotaPeriod::Month, true),
    )
    .await?;
    let partners = catalogs::create(db, admin, "Partner APIs", m::Visibility::Private).await?;
    for id in [shipping, payments] {
        catalogs::set_product(db, admin, partners, id, true).await?;
    }
    let partner = catalogs::create_plan(
        db,
        admin,
        partners,
        plan("Partner", 1_000, m::RatePeriod::Second, None, m::QuotaPeriod::Month, true),
    )
    .await?;

    // Organisations, teams and their people.
    let now = Utc::now();
    let mut org_admins: Vec<(organisation::Model, user::Model)> = Vec::new();
    for (o, spec) in ORGS.iter().enumerate() {
        let org = organisations::create(db, admin, spec.name).await?;
        let default_team = accounts::default_team_of(db, org.id).await?;
        let mut team_ids = vec![default_team.id];
        for t in spec.teams {
            team_ids.push(organisations::create_team(db, admin, org.id, t).await?.id);
        }
        if o < 2 {
            catalogs::set_org(db, admin, partners, org.id, true).await?;
        }
        for (i, (first, last)) in spec.people.iter().enumerate() {
            let email = email_of(first, last, spec.domain);
            let username =
                m::parse_username(&format!("{}{}", first.to_lowercase(), &last[..1].to_lowercase()))
                    .ok()
                    .flatten();
            let role = if i == 0 { OrgRole::SuperAdmin } else { OrgRole::Member };
            // Everyone is in the default team; the rest of the teams share the others.
            let mut teams = vec![team_ids[0]];
            if team_ids.len() > 1 {
                teams.push(team_ids[1 + i % (team_ids.len() - 1)]);
            }
            let status = if o == 1 && i == 4 { UserStatus::Inactive } else { UserStatus::Active };
            let age = Duration::days(20 + i64::try_from(dice.below(400)).unwrap_or(0));
            let dev = add_developer(
                db,
                first,
                last,
                email.clone(),
                username,
                &hash,
                org.id,
                role,
                status,
                &teams,
                now - age,
            )
            .await?;
            emails.insert(email);
            if i == 0 {
                org_admins.push((org.clone(), dev));
            }
            seeded.developers += 1;
        }
        seeded.organisations += 1;
    }
    let default_org = organisations::default_org(db).await?;
    let default_team = accounts::default_team_of(db, default_org.id).await?;
    let mut individuals = Vec::new();
    for (first, last, status) in INDIVIDUALS {
        let email = email_of(first, last, "mail.example");
        let age = match status {
            UserStatus::Pending => Duration::days(2),
            _ => Duration::days(30 + i64::try_from(dice.below(200)).unwrap_or(0)),
        };
        let dev = add_developer(
            db,
            first,
            last,
            email.clone(),
            None,
            &hash,
            default_org.id,
            OrgRole::Member,
            *status,
            &[default_team.id],
            now - age,
        )
        .await?;
        emails.insert(email);
        individuals.push(dev);
        seeded.developers += 1;
    }

    // Custom attributes on the organisations' owners.
    for (n, (org, dev)) in org_admins.iter().enumerate() {
        let region = ["eu-west", "us-east", "ap-south"][n % 3];
        for (name, value) in [
            ("crm_id", format!("CRM-{}", 10_231 + n * 17)),
            ("region", region.to_owned()),
            ("tier", if n < 2 { "gold" } else { "silver" }.to_owned()),
            ("account_manager", "Dana Whitfield".to_owned()),
        ] {
            developers::set_attribute(
                db,
                admin,
                dev.id,
                m::AttributeInput::parse(name, &value).map_err(internal)?,
            )
            .await?;
        }
        tracing::debug!(org = %org.name, "demo attributes set");
    }

    // Apps, requests and keys.
    let mut traffic: Vec<Traffic> = Vec::new();
    let mut form = 0u32;
    let mut ask = |catalog: Uuid, plan: Uuid, products: Vec<Uuid>, app: &str| -> DomainResult<NewRequest> {
        form += 1;
        Ok(NewRequest {
            catalog_id: catalog,
            plan_id: plan,
            product_ids: products,
            app: AppChoice::New(m::AppInput::parse(app, "Made by `portico demo`.").map_err(internal)?),
            comment: String::new(),
            idempotency_key: format!("portico-demo-{form:04}"),
        })
    };
    for (n, (org, dev)) in org_admins.iter().enumerate() {
        let actor = Actor::from(dev);
        // Everyone starts on Free, with a key at once.
        let first = access::request(
            db,
            &mailer,
            &actor,
            ask(public, free.id.0, vec![payments, weather], &format!("{} web", org.name))?,
        )
        .await?;
        seeded.apps += 1;
        if let Some(key) = first.key {
            seeded.keys += 1;
            traffic.push(Traffic {
                key_id: key.key.id.0,
                app_id: first.request.app_id.0,
                product_id: payments,
                per_hour: 120.0 + 60.0 * n as f64,
            });
        }
        // Pro needs approval: most were approved, one waits, one was turned down.
        let pro_request = access::request(
            db,
            &mailer,
            &actor,
            ask(public, pro.id.0, vec![payments, identity], &format!("{} backend", org.name))?,
        )
        .await?;
        seeded.apps += 1;
        match n {
            3 => {}
            4 => {
                access::decide(
                    db,
                    &mailer,
                    admin,
                    pro_request.request.id.0,
                    false,
                    Some("Please tell us the expected volume first."),
                )
                .await?;
            }
            _ => {
                access::decide(db, &mailer, admin, pro_request.request.id.0, true, None).await?;
                let key = keys::create(db, &actor, pro_request.request.id.0).await?;
                seeded.keys += 1;
                traffic.push(Traffic {
                    key_id: key.key.id.0,
                    app_id: pro_request.request.app_id.0,
                    product_id: identity,
                    per_hour: 900.0 + 400.0 * n as f64,
                });
            }
        }
        if n < 2 {
            let partner_request = access::request(
                db,
                &mailer,
                &actor,
                ask(partners, partner.id.0, vec![shipping], &format!("{} fulfilment", org.name))?,
            )
            .await?;
            seeded.apps += 1;
            access::decide(db, &mailer, admin, partner_request.request.id.0, true, None).await?;
            let key = keys::create(db, &actor, partner_request.request.id.0).await?;
            seeded.keys += 1;
            traffic.push(Traffic {
                key_id: key.key.id.0,
                app_id: partner_request.request.app_id.0,
                product_id: shipping,
                per_hour: 2_500.0,
            });
        }
    }
    for dev in individuals.iter().filter(|d| d.status == UserStatus::Active) {
        let actor = Actor::from(dev);
        let outcome = access::request(
            db,
            &mailer,
            &actor,
            ask(public, free.id.0, vec![weather], &format!("{}'s side project", dev.first_name))?,
        )
        .await?;
        seeded.apps += 1;
        if let Some(key) = outcome.key {
            seeded.keys += 1;
            traffic.push(Traffic {
                key_id: key.key.id.0,
                app_id: outcome.request.app_id.0,
                product_id: weather,
                per_hour: 25.0,
            });
        }
    }
    seeded.usage_rows = write_usage(db, &traffic, &mut dice).await?;

    // Nothing the seed caused is mailed: drop what it queued.
    let admins: Vec<String> =
        crate::services::lifecycle::active_admins(db).await?.into_iter().map(|a| a.email).collect();
    emails.extend(admins);
    outbox_message::Entity::delete_many()
        .filter(outbox_message::Column::CreatedAt.gte(started))
        .filter(outbox_message::Column::ToAddress.is_in(emails))
        .exec(db)
        .await?;
    seeded.sample_logins = org_admins.iter().map(|(_, d)| d.email.clone()).take(2).collect();
    tracing::info!(?seeded, "demo portal seeded");
    Ok(Some(seeded))
}

/// Writes [`USAGE_DAYS`] of hourly usage for each key, busier in working hours and on
/// weekdays, with a few refusals; marks the keys used. Returns the rows written.
async fn write_usage(db: &DatabaseConnection, traffic: &[Traffic], dice: &mut Dice) -> DomainResult<usize> {
    let now = Utc::now();
    let this_hour = now.timestamp().div_euclid(3600) * 3600;
    let mut rows = Vec::new();
    for t in traffic {
        for h in 0..USAGE_DAYS * 24 {
            let hour = this_hour - h * 3600;
            let at = DateTime::<Utc>::from_timestamp(hour, 0).unwrap_or(now);
            let clock = f64::from(at.hour());
            let daytime = 0.25 + 0.75 * (((clock - 14.0) / 24.0 * std::f64::consts::TAU).cos() * 0.5 + 0.5);
            let weekday = if matches!(at.format("%u").to_string().as_str(), "6" | "7") { 0.45 } else { 1.0 };
            // The current hour is only partly over.
            let part = if h == 0 { f64::from(now.minute()) / 60.0 } else { 1.0 };
            let allowed = (t.per_hour * daytime * weekday * part * dice.jitter(0.3)).round() as i64;
            let mut push = |outcome: &'static str, count: i64| {
                if count > 0 {
                    rows.push((hour, t, outcome, count));
                }
            };
            push("allowed", allowed);
            push(
                "rate_limited",
                i64::try_from(dice.below(u64::try_from(allowed / 40).unwrap_or(0) + 1)).unwrap_or(0),
            );
            if dice.below(12) == 0 {
                push("not_entitled", i64::try_from(1 + dice.below(5)).unwrap_or(1));
            }
        }
    }
    let written = rows.len();
    let txn = db.begin().await?;
    // The same calls, summed portal-wide, for `usage_portal_hours`.
    let portal =
        rows.iter().map(|(hour, _, outcome, count)| (*hour, *outcome, u64::try_from(*count).unwrap_or(0)));
    crate::gateway::add_portal_hours(&txn, portal).await?;
    let mut rows = rows
        .into_iter()
        .map(|(hour, t, outcome, count)| usage_hour::ActiveModel {
            hour: Set(hour),
            app_id: Set(t.app_id),
            key_id: Set(t.key_id),
            product_id: Set(t.product_id),
            outcome: Set(outcome.to_owned()),
            count: Set(count),
        })
        .peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1000).collect();
        usage_hour::Entity::insert_many(chunk).exec_without_returning(&txn).await?;
    }
    for t in traffic {
        api_key::Entity::update_many()
            .col_expr(
                api_key::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(now - Duration::minutes(3)),
            )
            .filter(api_key::Column::Id.eq(t.key_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(written)
}

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Margaret",
    "Donald",
    "Sandra",
    "Steven",
    "Ashley",
    "Paul",
    "Kimberly",
    "Andrew",
    "Emily",
    "Joshua",
    "Donna",
    "Kenneth",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "George",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Jason",
    "Rebecca",
    "Edward",
    "Sharon",
    "Jeffrey",
    "Laura",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Kathleen",
    "Gary",
    "Amy",
    "Nicholas",
    "Angela",
    "Eric",
    "Shirley",
    "Jonathan",
    "Anna",
    "Stephen",
    "Brenda",
    "Larry",
    "Pamela",
    "Justin",
    "Emma",
    "Scott",
    "Nicole",
    "Brandon",
    "Helen",
    "Benjamin",
    "Samantha",
    "Samuel",
    "Katherine",
    "Gregory",
    "Christine",
    "Alexander",
    "Debra",
    "Frank",
    "Rachel",
    "Patrick",
    "Carolyn",
    "Raymond",
    "Janet",
    "Jack",
    "Catherine",
    "Dennis",
    "Maria",
    "Jerry",
    "Heather",
    "Tyler",
    "Diane",
    "Aaron",
    "Ruth",
    "Jose",
    "Julie",
    "Adam",
    "Olivia",
    "Nathan",
    "Joyce",
    "Henry",
    "Virginia",
    "Douglas",
    "Victoria",
    "Zachary",
    "Kelly",
    "Peter",
    "Lauren",
    "Kyle",
    "Christina",
    "Noah",
    "Joan",
    "Ethan",
    "Evelyn",
    "Jeremy",
    "Judith",
    "Walter",
    "Megan",
    "Christian",
    "Andrea",
    "Keith",
    "Cheryl",
    "Roger",
    "Hannah",
    "Terry",
    "Jacqueline",
    "Austin",
    "Martha",
    "Sean",
    "Gloria",
    "Gerald",
    "Teresa",
    "Carl",
    "Ann",
    "Harold",
    "Sara",
    "Dylan",
    "Madison",
    "Arthur",
    "Frances",
    "Lawrence",
    "Kathryn",
    "Jordan",
    "Janice",
    "Jesse",
    "Jean",
    "Bryan",
    "Abigail",
    "Billy",
    "Alice",
    "Bruce",
    "Judy",
    "Gabriel",
    "Sophia",
    "Joe",
    "Grace",
    "Logan",
    "Denise",
    "Alan",
    "Amber",
    "Juan",
    "Doris",
    "Albert",
    "Marilyn",
    "Willie",
    "Danielle",
    "Elijah",
    "Beverly",
    "Wayne",
    "Isabella",
    "Randy",
    "Theresa",
    "Vincent",
    "Diana",
    "Mason",
    "Natalie",
    "Roy",
    "Brittany",
    "Ralph",
    "Charlotte",
    "Bobby",
    "Marie",
    "Russell",
    "Kayla",
    "Bradley",
    "Alexis",
    "Philip",
    "Lori",
];

const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "McDonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Munoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
];

const COMPANY: &[&str] = &[
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Wingtip",
    "Proseware",
    "Litware",
    "Adventure",
    "Blue Yonder",
    "Coho",
    "Fourth Coffee",
    "Lucerne",
    "Margie",
    "Alpine",
    "Trey",
    "Woodgrove",
    "Humongous",
    "Wide World",
];

/// Developers per generated organisation.
pub const BULK_ORG_SIZE: u64 = 1_000;
/// Rows per multi-row statement (users have 14 columns; SQLite allows 32,766 values).
const BULK_CHUNK: usize = 1_000;

/// Adds `n` developers (in new organisations of [`BULK_ORG_SIZE`]), with their team
/// memberships, a `crm_id` attribute on every tenth and search-index rows. `progress`
/// hears the running total. Emails are unique across runs. Returns the number added.
pub async fn bulk_developers(
    db: &DatabaseConnection,
    n: u64,
    mut progress: impl FnMut(u64),
) -> DomainResult<u64> {
    let offset = user::Entity::find().count(db).await?;
    let now = Utc::now();
    let span = Duration::days(3 * 365).num_seconds();
    let mut dice = Dice(offset ^ 0xB01D);
    let mut done = 0u64;
    while done < n {
        let in_org = BULK_ORG_SIZE.min(n - done);
        let org_no = (offset + done) / BULK_ORG_SIZE;
        let company = COMPANY[usize::try_from(org_no).unwrap_or(0) % COMPANY.len()];
        let org_name = format!("{company} {}", org_no + 1);
        let domain = format!("{}-{}.example", company.to_lowercase().replace(' ', "-"), org_no + 1);
        let txn = db.begin().await?;
        let org = organisations::insert_with_default_team(
            &txn,
            NewOrg { name: &org_name, status: OrgStatus::Active, is_default: false, requested_by: None },
        )
        .await?;
        let team = accounts::default_team_of(&txn, org.id).await?;
        let mut made = 0u64;
        while made < in_org {
            let size = usize::try_from((in_org - made).min(BULK_CHUNK as u64)).unwrap_or(BULK_CHUNK);
            let mut users = Vec::with_capacity(size);
            let mut memberships = Vec::with_capacity(size);
            let mut attributes = Vec::new();
            let mut index = Vec::with_capacity(size);
            for _ in 0..size {
                let serial = offset + done + made + users.len() as u64;
                let first = FIRST[usize::try_from(dice.below(FIRST.len() as u64)).unwrap_or(0)];
                let last = LAST[usize::try_from(dice.below(LAST.len() as u64)).unwrap_or(0)];
                let status = match dice.below(100) {
                    0..=89 => UserStatus::Active,
                    90..=94 => UserStatus::Pending,
                    95..=98 => UserStatus::Inactive,
                    _ => UserStatus::Rejected,
                };
                let registered = now
                    - Duration::seconds(
                        i64::try_from(dice.below(u64::try_from(span).unwrap_or(1))).unwrap_or(0),
                    );
                let username = (dice.below(10) < 6).then(|| format!("{}{serial}", first.to_lowercase()));
                let u = user::Model {
                    id: Uuid::now_v7(),
                    email: format!("{}.{}.{serial}@{domain}", first.to_lowercase(), last.to_lowercase()),
                    first_name: first.to_owned(),
                    last_name: last.to_owned(),
                    username,
                    password_hash: None,
                    portal_role: PortalRole::Developer,
                    status,
                    org_id: org.id,
                    org_role: if made == 0 && users.is_empty() {
                        OrgRole::SuperAdmin
                    } else {
                        OrgRole::Member
                    },
                    must_change_password: false,
                    created_at: registered,
                    updated_at: registered,
                    status_changed_at: registered,
                };
                let attribute = serial.is_multiple_of(10).then(|| format!("CRM-{serial:07}"));
                let doc = search_index::document(&search_index::DocParts {
                    first_name: &u.first_name,
                    last_name: &u.last_name,
                    email: &u.email,
                    username: u.username.as_deref(),
                    organisation: &org.name,
                    teams: std::slice::from_ref(&team.name),
                    attribute_values: attribute.as_slice(),
                    key_prefixes: &[],
                });
                index.push(search_index::row_for(&u, doc));
                memberships.push(team_membership::ActiveModel {
                    team_id: Set(team.id),
                    user_id: Set(u.id),
                    created_at: Set(registered),
                });
                if let Some(value) = attribute {
                    attributes.push(developer_attribute::ActiveModel {
                        user_id: Set(u.id),
                        name: Set("crm_id".to_owned()),
                        value: Set(value),
                        created_at: Set(registered),
                        updated_at: Set(registered),
                    });
                }
                users.push(user::ActiveModel::from(u));
            }
            let count = users.len() as u64;
            user::Entity::insert_many(users).exec_without_returning(&txn).await?;
            team_membership::Entity::insert_many(memberships).exec_without_returning(&txn).await?;
            if !attributes.is_empty() {
                developer_attribute::Entity::insert_many(attributes).exec_without_returning(&txn).await?;
            }
            developer_search::Entity::insert_many(index).exec_without_returning(&txn).await?;
            made += count;
        }
        txn.commit().await?;
        done += made;
        progress(done);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_are_deterministic_and_in_range() {
        let (mut a, mut b) = (Dice(7), Dice(7));
        let rolls: Vec<u64> = (0..100).map(|_| a.below(6)).collect();
        assert_eq!(rolls, (0..100).map(|_| b.below(6)).collect::<Vec<_>>());
        assert!(rolls.iter().all(|r| *r < 6));
        assert!(rolls.iter().collect::<BTreeSet<_>>().len() == 6, "every face comes up in 100 rolls");
        let j = Dice(9).jitter(0.3);
        assert!((0.7..=1.3).contains(&j));
    }

    #[test]
    fn demo_emails_are_plain_ascii() {
        assert_eq!(email_of("Tomás", "Ferreira", "mail.example"), "tomas.ferreira@mail.example");
        assert_eq!(email_of("Chloé", "Dubois", "mail.example"), "chloe.dubois@mail.example");
    }
}

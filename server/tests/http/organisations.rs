//! Who may call what: every server function against every kind of caller (the role ×
//! function matrix), and every function that takes an id against another
//! organisation's super admin (isolation). Both walk `api::REGISTRY`, so a new server
//! function is covered the moment it is registered — or the test fails asking for a case.

use crate::foundation::{SAMPLE_ID, sample_args};
use crate::*;
use axum::http::StatusCode;
use portico_app::api::{Access, REGISTRY};
use portico_domain::db_test;
use portico_domain::services::settings;
use sea_orm::DatabaseConnection;
use serde_json::Value;

/// The kinds of caller the matrix tries.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    /// An individual whose organisation registration waits for approval.
    Pending,
    /// A team member of Acme.
    Member,
    /// Acme's super admin.
    SuperAdmin,
    /// Globex's super admin (for Acme's things: another organisation).
    OtherSuperAdmin,
    PortalAdmin,
}

const CALLERS: [Caller; 6] = [
    Caller::Anonymous,
    Caller::Pending,
    Caller::Member,
    Caller::SuperAdmin,
    Caller::OtherSuperAdmin,
    Caller::PortalAdmin,
];

/// Two organisations with people in them, and some of Acme's things to aim at.
struct World {
    admin: String,
    pending: String,
    /// Acme's super admin, team member; Globex's super admin.
    ada: String,
    grace: String,
    hank: String,
    acme: String,
    grace_id: String,
    acme_team: String,
    acme_invitation: String,
    acme_code: String,
    mail: String,
    /// The catalog side: a product with an API, a private catalog shown to Acme, a plan.
    product: String,
    product_api: String,
    catalog: String,
    plan: String,
    /// Acme's app, its (approved) access request and its key.
    acme_app: String,
    acme_request: String,
    acme_key: String,
}

impl World {
    fn cookie(&self, caller: Caller) -> Option<&str> {
        match caller {
            Caller::Anonymous => None,
            Caller::Pending => Some(&self.pending),
            Caller::Member => Some(&self.grace),
            Caller::SuperAdmin => Some(&self.ada),
            Caller::OtherSuperAdmin => Some(&self.hank),
            Caller::PortalAdmin => Some(&self.admin),
        }
    }
}

pub fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("a string, not {v}")).to_owned()
}

pub async fn ok(app: &TestApp, name: &str, args: &[(&str, &str)], cookie: &str) -> Value {
    let r = app.call(name, args, Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{name}: {:?}", r.body);
    r.body
}

/// A developer's session and id.
pub async fn developer(app: &TestApp, email: &str) -> (String, String) {
    let cookie = app.sign_up(email).await.session_cookie().unwrap();
    let id = str_of(&app.who_am_i(&cookie).await["id"]);
    (cookie, id)
}

async fn build_world(app: &TestApp) -> World {
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, None).await.session_cookie().unwrap();
    let acme = str_of(&ok(app, "create_organisation", &[("name", "Acme")], &admin).await);
    let globex = str_of(&ok(app, "create_organisation", &[("name", "Globex")], &admin).await);
    let mut people = Vec::new();
    for (email, org, role) in [
        ("ada@example.com", &acme, "SuperAdmin"),
        ("grace@example.com", &acme, "Member"),
        ("hank@example.com", &globex, "SuperAdmin"),
    ] {
        let (cookie, id) = developer(app, email).await;
        let args = [("user_id", id.as_str()), ("org_id", org.as_str()), ("role", role)];
        ok(app, "assign_user", &args, &admin).await;
        people.push((cookie, id));
    }
    let (pending, _) = developer(app, "pete@example.com").await;
    assert_eq!(ok(app, "request_organisation", &[("name", "Pete's Pies")], &pending).await, "Pending");
    let [(ada, _), (grace, grace_id), (hank, _)] = <[_; 3]>::try_from(people).unwrap();
    let acme_team = str_of(&ok(app, "create_team", &[("org_id", &acme), ("name", "Ops")], &admin).await);
    let invite =
        [("first_name", "Linus"), ("last_name", "T"), ("email", "linus@example.com"), ("role", "Member")];
    let acme_invitation = str_of(&ok(app, "invite_teammate", &invite, &ada).await["id"]);
    let code = ok(app, "create_invite_code", &[("team_id", &acme_team)], &admin).await;
    let acme_code = str_of(&code["summary"]["id"]);
    let mail = str_of(&ok(app, "list_outbox", &[], &admin).await[0]["id"]);
    let catalog = catalog_for(app, &admin, &acme).await;
    let access = [
        ("catalog_id", catalog.catalog.as_str()),
        ("plan_id", &catalog.plan),
        ("product_ids[0]", &catalog.product),
        ("app_name", "Acme checkout"),
        ("idempotency_key", "acme-form-0001"),
    ];
    let outcome = ok(app, "request_access", &access, &ada).await;
    World {
        admin,
        pending,
        ada,
        grace,
        hank,
        acme,
        grace_id,
        acme_team,
        acme_invitation,
        acme_code,
        mail,
        acme_app: str_of(&outcome["request"]["app_id"]),
        acme_request: str_of(&outcome["request"]["id"]),
        acme_key: str_of(&outcome["key"]["key"]["id"]),
        product: catalog.product,
        product_api: catalog.product_api,
        catalog: catalog.catalog,
        plan: catalog.plan,
    }
}

/// A published product with one API in a private catalog shown to `org`, with a plan
/// that needs no approval.
pub struct CatalogIds {
    pub product: String,
    pub product_api: String,
    pub catalog: String,
    pub plan: String,
}

pub async fn catalog_for(app: &TestApp, admin: &str, org: &str) -> CatalogIds {
    let fields = [
        ("name", "Payments"),
        ("slug", "payments"),
        ("summary", "Take payments"),
        ("base_url", "https://api.example.com"),
        ("documentation", "# Payments"),
    ];
    let product = str_of(&ok(app, "create_product", &fields, admin).await);
    let mut publish = fields.to_vec();
    publish.extend([("id", product.as_str()), ("published", "true")]);
    ok(app, "update_product", &publish, admin).await;
    let api = [("product_id", product.as_str()), ("name", "Payments"), ("path_prefix", "/payments")];
    let product_api = str_of(&ok(app, "add_product_api", &api, admin).await["id"]);
    let catalog =
        str_of(&ok(app, "create_catalog", &[("name", "Partners"), ("visibility", "Private")], admin).await);
    let member = [("catalog_id", catalog.as_str()), ("org_id", org), ("included", "true")];
    ok(app, "set_catalog_org", &member, admin).await;
    let holds = [("catalog_id", catalog.as_str()), ("product_id", &product), ("included", "true")];
    ok(app, "set_catalog_product", &holds, admin).await;
    let plan = [
        ("catalog_id", catalog.as_str()),
        ("name", "Instant"),
        ("rate_limit", "10"),
        ("rate_period", "Second"),
        ("quota_period", "Day"),
        ("requires_approval", "false"),
    ];
    let plan = str_of(&ok(app, "create_plan", &plan, admin).await["id"]);
    CatalogIds { product, product_api, catalog, plan }
}

/// What every function's access rule says each caller gets, with sample arguments
/// (whose ids exist nowhere): refused callers are refused before anything is looked
/// up; allowed callers get an answer or "not found".
fn allowed(access: Access, caller: Caller) -> bool {
    use Caller::*;
    match access {
        Access::Anyone => true,
        Access::SignedIn | Access::OrgMember => caller != Anonymous,
        Access::PortalAdmin => caller == PortalAdmin,
        Access::OrgSuperAdmin => matches!(caller, SuperAdmin | OtherSuperAdmin),
        Access::AdminOrSuperAdmin => matches!(caller, SuperAdmin | OtherSuperAdmin | PortalAdmin),
    }
}

async fn every_function_answers_each_kind_of_caller_as_its_access_rule_says(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let world = build_world(&app).await;
    let mut checked = 0;
    for (name, access) in REGISTRY.iter().filter(|(_, a)| *a != Access::Anyone) {
        let args = sample_args(name);
        for caller in CALLERS {
            let r = app.call(name, &args, world.cookie(caller)).await;
            let what = format!("{name} as {caller:?}: {} {:?}", r.status, r.body);
            if !allowed(*access, caller) {
                let expected = if caller == Caller::Anonymous {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                };
                // An organisation's things are hidden from outsiders rather than refused.
                let hidden = *access == Access::OrgMember && r.status == StatusCode::NOT_FOUND;
                assert!(r.status == expected || hidden, "{what}");
            } else {
                assert!(!r.status.is_server_error() && r.status != StatusCode::UNAUTHORIZED, "{what}");
                // Admin-only and super-admin-only functions let their callers through
                // (a sample id may simply not exist, a sample invitee be invited already).
                if *access != Access::SignedIn {
                    assert_ne!(r.status, StatusCode::FORBIDDEN, "{what}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 6 * 40, "the matrix covers the registry ({checked} calls)");
    // The refused calls changed nothing; the admin's own call did.
    assert_eq!(settings::get(&app.db).await.unwrap().portal_name, "Hijacked");
}
db_test!(every_function_answers_each_kind_of_caller_as_its_access_rule_says);

/// Arguments naming Acme's real things for a function that takes an id. A new
/// id-taking function without a case here fails the isolation test.
fn isolation_args(name: &str, w: &World) -> Vec<(&'static str, String)> {
    let id = |v: &String| vec![("id", v.clone())];
    match name {
        "get_organisation" | "rename_organisation" => vec![("id", w.acme.clone()), ("name", "Pwned".into())],
        "set_organisation_active" => vec![("id", w.acme.clone()), ("active", "false".into())],
        "decide_organisation" => vec![("id", w.acme.clone()), ("approve", "false".into())],
        "list_invite_codes" => vec![("org_id", w.acme.clone())],
        "create_team" => vec![("org_id", w.acme.clone()), ("name", "Intruders".into())],
        "rename_team" => vec![("id", w.acme_team.clone()), ("name", "Pwned".into())],
        "delete_team" => id(&w.acme_team),
        "create_invite_code" => vec![("team_id", w.acme_team.clone())],
        "set_team_member" => {
            vec![("team_id", w.acme_team.clone()), ("user_id", w.grace_id.clone()), ("member", "true".into())]
        }
        "assign_user" => {
            vec![("user_id", w.grace_id.clone()), ("org_id", w.acme.clone()), ("role", "SuperAdmin".into())]
        }
        "approve_user" | "deactivate_user" | "activate_user" | "remove_member" => id(&w.grace_id),
        "reject_user" => vec![("id", w.grace_id.clone()), ("reason", "no".into())],
        "update_member" => vec![
            ("id", w.grace_id.clone()),
            ("first_name", "Mallory".into()),
            ("last_name", "X".into()),
            ("role", "SuperAdmin".into()),
        ],
        "resend_invitation" | "revoke_invitation" => id(&w.acme_invitation),
        "revoke_invite_code" => id(&w.acme_code),
        "get_outbox_mail" => id(&w.mail),
        "get_product_admin" => id(&w.product),
        "update_product" => vec![
            ("id", w.product.clone()),
            ("name", "Pwned".into()),
            ("slug", "pwned".into()),
            ("summary", String::new()),
            ("base_url", "https://evil.example".into()),
            ("documentation", String::new()),
            ("published", "false".into()),
        ],
        "add_product_api" => {
            vec![("product_id", w.product.clone()), ("name", "Evil".into()), ("path_prefix", "/".into())]
        }
        "remove_product_api" => id(&w.product_api),
        "get_catalog" => id(&w.catalog),
        "delete_plan" => id(&w.plan),
        "update_catalog" => {
            vec![("id", w.catalog.clone()), ("name", "Pwned".into()), ("visibility", "Public".into())]
        }
        "set_catalog_product" => vec![
            ("catalog_id", w.catalog.clone()),
            ("product_id", w.product.clone()),
            ("included", "false".into()),
        ],
        "set_catalog_org" => {
            vec![("catalog_id", w.catalog.clone()), ("org_id", w.acme.clone()), ("included", "false".into())]
        }
        "set_catalog_team" => vec![
            ("catalog_id", w.catalog.clone()),
            ("team_id", w.acme_team.clone()),
            ("included", "true".into()),
        ],
        "create_plan" | "update_plan" => vec![
            ("catalog_id", w.catalog.clone()),
            ("id", w.plan.clone()),
            ("name", "Pwned".into()),
            ("rate_limit", "1000000".into()),
            ("rate_period", "Second".into()),
            ("quota_period", "Day".into()),
            ("requires_approval", "false".into()),
        ],
        "decide_access_request" => vec![("id", w.acme_request.clone()), ("approve", "false".into())],
        "add_to_cart" | "remove_from_cart" => {
            vec![("product_id", w.product.clone()), ("catalog_id", w.catalog.clone())]
        }
        "request_access" => vec![
            ("catalog_id", w.catalog.clone()),
            ("plan_id", w.plan.clone()),
            ("product_ids[0]", w.product.clone()),
            ("app_id", w.acme_app.clone()),
            ("idempotency_key", "hijack-form-0001".into()),
        ],
        "get_app" | "delete_app" => id(&w.acme_app),
        "create_key" => vec![("request_id", w.acme_request.clone())],
        "rotate_key" => vec![("id", w.acme_key.clone()), ("grace_hours", "0".into())],
        "revoke_key" => id(&w.acme_key),
        "get_my_usage" => vec![("app_id", w.acme_app.clone()), ("key_id", w.acme_key.clone())],
        "get_developer_usage" => vec![("developer_id", w.grace_id.clone())],
        "get_developer" | "get_delete_preview" => id(&w.grace_id),
        "update_developer" => vec![
            ("id", w.grace_id.clone()),
            ("edit[first_name]", "Mallory".into()),
            ("edit[last_name]", "X".into()),
            ("edit[email]", "mallory@example.com".into()),
        ],
        "set_developer_attribute" => {
            vec![("id", w.grace_id.clone()), ("name", "owned".into()), ("value", "yes".into())]
        }
        "delete_developer_attribute" => vec![("id", w.grace_id.clone()), ("name", "tier".into())],
        "change_subscription_plan" => {
            vec![("request_id", w.acme_request.clone()), ("plan_id", w.plan.clone())]
        }
        "revoke_subscription" => vec![("request_id", w.acme_request.clone())],
        "delete_developer" => vec![("id", w.grace_id.clone()), ("confirm", "grace@example.com".into())],
        // Exports belong to no organisation: any real id is refused to non-admins.
        "get_export" => id(&w.acme_app),
        // API tokens too: only portal admins reach them at all.
        "revoke_api_token" => id(&w.acme_app),
        other => {
            panic!("{other} takes an id: add a case to isolation_args so it is tried across organisations")
        }
    }
}

/// Everything of Acme's, as the portal admin sees it.
async fn acme_as_admin_sees_it(app: &TestApp, w: &World) -> Vec<Value> {
    vec![
        ok(app, "get_organisation", &[("id", &w.acme)], &w.admin).await,
        ok(app, "list_invite_codes", &[("org_id", &w.acme)], &w.admin).await,
        ok(app, "list_invitations", &[], &w.admin).await,
        ok(app, "search_developers", &[("query[sort]", "Email")], &w.admin).await["rows"].clone(),
        ok(app, "get_product_admin", &[("id", &w.product)], &w.admin).await,
        ok(app, "get_catalog", &[("id", &w.catalog)], &w.admin).await,
        ok(app, "list_all_apps", &[], &w.admin).await,
        ok(app, "list_access_requests", &[], &w.admin).await,
    ]
}

async fn another_organisations_super_admin_reaches_nothing_by_id(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let world = build_world(&app).await;
    let before = acme_as_admin_sees_it(&app, &world).await;
    let takes_an_id: Vec<(&str, Access)> = REGISTRY
        .iter()
        .copied()
        .filter(|(name, _)| sample_args(name).iter().any(|(_, v)| *v == SAMPLE_ID))
        .collect();
    assert!(takes_an_id.len() >= 20, "{takes_an_id:?}");
    for (name, access) in takes_an_id {
        let owned = isolation_args(name, &world);
        let args: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut callers = vec![("Globex's super admin", &world.hank)];
        // Inside Acme, a team member may read it and use the organisation's apps and
        // catalogs, but change nothing only admins and super admins may change.
        if !matches!(access, Access::OrgMember | Access::SignedIn) {
            callers.push(("Acme's team member", &world.grace));
        }
        for (who, cookie) in callers {
            let r = app.call(name, &args, Some(cookie)).await;
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{name} as {who}: {} {:?}",
                r.status,
                r.body
            );
        }
    }
    assert_eq!(acme_as_admin_sees_it(&app, &world).await, before, "Acme is exactly as it was");
    // And the rightful super admin does reach Acme's things.
    ok(&app, "resend_invitation", &[("id", &world.acme_invitation)], &world.ada).await;
    let grace =
        [("id", world.grace_id.as_str()), ("first_name", "Grace"), ("last_name", "H"), ("role", "Member")];
    ok(&app, "update_member", &grace, &world.ada).await;
    let me = app.who_am_i(&world.grace).await;
    assert_eq!(me["last_name"], "H");
}
db_test!(another_organisations_super_admin_reaches_nothing_by_id);

async fn a_teammate_invited_by_a_super_admin_registers_into_the_organisation(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let world = build_world(&app).await;
    let link = portico_domain::testing::latest_mail_to(&app.db, "linus@example.com").await;
    let token = token_in(&link.text_body);
    let form = [
        ("token", token.as_str()),
        ("first_name", "Linus"),
        ("last_name", "T"),
        ("password", "kernel-hacker"),
    ];
    let r = app.call("accept_invitation", &form, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["org_id"], Value::String(world.acme.clone()));
    assert_eq!(r.body["org_role"], "Member");
    let linus = r.session_cookie().unwrap();
    // Both see the same organisation, with each other in it.
    let mine = ok(&app, "get_my_organisation", &[], &linus).await;
    let theirs = ok(&app, "get_my_organisation", &[], &world.ada).await;
    assert_eq!(mine["org"]["org"]["id"], theirs["org"]["org"]["id"]);
    let emails: Vec<&str> =
        theirs["org"]["members"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert!(emails.contains(&"linus@example.com") && emails.contains(&"ada@example.com"), "{emails:?}");
    // The invitation is used up.
    let again = app.call("accept_invitation", &form, None).await;
    assert!(again.status.is_client_error(), "{:?}", again.status);
}
db_test!(a_teammate_invited_by_a_super_admin_registers_into_the_organisation);

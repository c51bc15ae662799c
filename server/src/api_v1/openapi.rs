//! The OpenAPI 3 document of `/api/v1`, built from the same Rust types the handlers
//! read and write (their JSON Schemas come from `schemars`, which follows their serde
//! attributes), so the document cannot drift from the wire format.

use super::catalog::{DecisionInput, RequestParams};
use super::developers::{AttributeValue, DeleteParams, ListParams as DeveloperParams, StatusChange};
use super::organisations::{ListParams as OrgParams, NameInput};
use super::{ErrorBody, Page, PageParams};
use axum::Json;
use portico_model as m;
use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

/// `GET /api/v1/openapi.json` (no token needed: it describes, it holds no data).
pub async fn document() -> Json<Value> {
    static DOC: OnceLock<Value> = OnceLock::new();
    Json(DOC.get_or_init(build).clone())
}

/// One operation: method, path, its id, tag and summary, then what it takes and gives.
struct Op {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    query: Option<Value>,
    body: Option<Value>,
    /// The success status and its body (`None`: no body).
    ok: (u16, Option<Value>),
}

struct Spec {
    generator: SchemaGenerator,
    paths: Map<String, Value>,
}

impl Spec {
    /// A `$ref` to `T`'s schema (or `T`'s schema inline for simple types).
    fn schema<T: JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    /// `T`'s fields as query parameters.
    fn query<T: JsonSchema>(&mut self) -> Value {
        let schema = T::json_schema(&mut self.generator).to_value();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut params = Vec::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let mut prop = prop.clone();
                let description = prop.as_object_mut().and_then(|o| o.remove("description"));
                let mut param = json!({
                    "name": name,
                    "in": "query",
                    "required": required.contains(&name.as_str()),
                    "schema": prop,
                });
                if let Some(d) = description {
                    param["description"] = d;
                }
                params.push(param);
            }
        }
        Value::Array(params)
    }

    fn add(&mut self, op: Op) {
        let mut parameters: Vec<Value> = path_params(op.path);
        if let Some(Value::Array(q)) = op.query {
            parameters.extend(q);
        }
        let mut responses = Map::new();
        let (status, ok_body) = op.ok;
        responses.insert(
            status.to_string(),
            match ok_body {
                Some(schema) => json!({
                    "description": "Success",
                    "content": { "application/json": { "schema": schema } }
                }),
                None => json!({ "description": "Success, no content" }),
            },
        );
        let error = json!({ "$ref": "#/components/schemas/ErrorBody" });
        for (code, what) in [
            ("400", "The path, query or body could not be read"),
            ("401", "No usable admin API token"),
            ("403", "The token's admin may not do this"),
            ("404", "Not found"),
            ("409", "Clashes with what is stored"),
            ("422", "A field broke a rule (see `fields`)"),
        ] {
            responses.insert(
                code.into(),
                json!({ "description": what, "content": { "application/json": { "schema": error } } }),
            );
        }
        responses.insert(
            "default".into(),
            json!({ "description": "Any other refusal or failure", "content": { "application/json": { "schema": error } } }),
        );
        let mut operation = json!({
            "operationId": op.id,
            "tags": [op.tag],
            "summary": op.summary,
            "parameters": parameters,
            "responses": responses,
        });
        if let Some(body) = op.body {
            operation["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": body } } });
        }
        let item = self.paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        item[op.method] = operation;
    }
}

/// Links from one response to operations taking its `id` from `source`.
fn link(
    paths: &mut Map<String, Value>,
    path: &str,
    method: &str,
    status: &str,
    source: &str,
    targets: &[&str],
) {
    let links: Map<String, Value> = targets
        .iter()
        .map(|op| ((*op).to_owned(), json!({ "operationId": op, "parameters": { "id": source } })))
        .collect();
    if let Some(response) =
        paths.get_mut(path).and_then(|p| p.get_mut(method)).and_then(|o| o["responses"].get_mut(status))
    {
        response["links"] = Value::Object(links);
    }
}

/// The `{name}` parameters of a path: ids are UUIDs, attribute names strings.
fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let schema = if name == "name" {
                json!({ "type": "string" })
            } else {
                json!({ "type": "string", "format": "uuid" })
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect()
}

/// Every operation of the API, as `super::router` serves them.
fn build() -> Value {
    let mut s = Spec { generator: SchemaSettings::openapi3().into_generator(), paths: Map::new() };
    let dev = "Developers";
    let org = "Organisations";
    let cat = "Catalog";
    let ops = vec![
        Op {
            method: "get",
            path: "/api/v1/developers",
            id: "searchDevelopers",
            tag: dev,
            summary: "Search developers (names, email, username, organisation, team, attributes, key prefix); keyset pages",
            query: Some(s.query::<DeveloperParams>()),
            body: None,
            ok: (200, Some(s.schema::<m::DeveloperPage>())),
        },
        Op {
            method: "post",
            path: "/api/v1/developers",
            id: "createDeveloper",
            tag: dev,
            summary: "Add a developer with a password, or invite them by email",
            query: None,
            body: Some(s.schema::<m::NewDeveloper>()),
            ok: (201, Some(s.schema::<m::AddUserOutcome>())),
        },
        Op {
            method: "get",
            path: "/api/v1/developers/{id}",
            id: "getDeveloper",
            tag: dev,
            summary: "A developer's profile: organisation, teams, attributes, apps, subscriptions, history",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<m::DeveloperProfile>())),
        },
        Op {
            method: "patch",
            path: "/api/v1/developers/{id}",
            id: "updateDeveloper",
            tag: dev,
            summary: "Change a developer's names, email and username (never their keys)",
            query: None,
            body: Some(s.schema::<m::DeveloperEdit>()),
            ok: (200, Some(s.schema::<m::DeveloperProfile>())),
        },
        Op {
            method: "delete",
            path: "/api/v1/developers/{id}",
            id: "deleteDeveloper",
            tag: dev,
            summary: "Delete a developer (confirm with their email); returns what went",
            query: Some(s.query::<DeleteParams>()),
            body: None,
            ok: (200, Some(s.schema::<m::DeletePreview>())),
        },
        Op {
            method: "post",
            path: "/api/v1/developers/{id}/status",
            id: "setDeveloperStatus",
            tag: dev,
            summary: "Approve, reject, deactivate (keys stop at once) or activate a developer",
            query: None,
            body: Some(s.schema::<StatusChange>()),
            ok: (200, Some(s.schema::<m::DeveloperProfile>())),
        },
        Op {
            method: "get",
            path: "/api/v1/developers/{id}/delete-preview",
            id: "previewDeveloperDeletion",
            tag: dev,
            summary: "Exactly what deleting the developer would remove",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<m::DeletePreview>())),
        },
        Op {
            method: "get",
            path: "/api/v1/developers/{id}/attributes",
            id: "listDeveloperAttributes",
            tag: dev,
            summary: "A developer's custom attributes",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<Vec<m::Attribute>>())),
        },
        Op {
            method: "put",
            path: "/api/v1/developers/{id}/attributes/{name}",
            id: "setDeveloperAttribute",
            tag: dev,
            summary: "Add or change a custom attribute (at most 18 per developer)",
            query: None,
            body: Some(s.schema::<AttributeValue>()),
            ok: (200, Some(s.schema::<Vec<m::Attribute>>())),
        },
        Op {
            method: "delete",
            path: "/api/v1/developers/{id}/attributes/{name}",
            id: "deleteDeveloperAttribute",
            tag: dev,
            summary: "Remove a custom attribute",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<Vec<m::Attribute>>())),
        },
        Op {
            method: "get",
            path: "/api/v1/organisations",
            id: "listOrganisations",
            tag: org,
            summary: "Organisations, by name and status",
            query: Some(s.query::<OrgParams>()),
            body: None,
            ok: (200, Some(s.schema::<Page<m::OrgSummary>>())),
        },
        Op {
            method: "post",
            path: "/api/v1/organisations",
            id: "createOrganisation",
            tag: org,
            summary: "Create an active organisation with its default team",
            query: None,
            body: Some(s.schema::<NameInput>()),
            ok: (201, Some(s.schema::<m::OrgDetail>())),
        },
        Op {
            method: "get",
            path: "/api/v1/organisations/{id}",
            id: "getOrganisation",
            tag: org,
            summary: "An organisation with its teams and members",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<m::OrgDetail>())),
        },
        Op {
            method: "get",
            path: "/api/v1/organisations/{id}/teams",
            id: "listTeams",
            tag: org,
            summary: "An organisation's teams",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<Vec<m::TeamSummary>>())),
        },
        Op {
            method: "post",
            path: "/api/v1/organisations/{id}/teams",
            id: "createTeam",
            tag: org,
            summary: "Add a team to an organisation",
            query: None,
            body: Some(s.schema::<NameInput>()),
            ok: (201, Some(s.schema::<m::TeamSummary>())),
        },
        Op {
            method: "get",
            path: "/api/v1/apps",
            id: "listApps",
            tag: cat,
            summary: "Every app with its requests and keys' metadata",
            query: Some(s.query::<PageParams>()),
            body: None,
            ok: (200, Some(s.schema::<Page<m::AppView>>())),
        },
        Op {
            method: "get",
            path: "/api/v1/apps/{id}",
            id: "getApp",
            tag: cat,
            summary: "One app",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<m::AppView>())),
        },
        Op {
            method: "get",
            path: "/api/v1/apps/{id}/keys",
            id: "listAppKeys",
            tag: cat,
            summary: "An app's keys: prefix, status, plan, expiry, last use (never the key)",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<Vec<m::ApiKeyView>>())),
        },
        Op {
            method: "delete",
            path: "/api/v1/keys/{id}",
            id: "revokeKey",
            tag: cat,
            summary: "Revoke a key; the gateway refuses it from the next call",
            query: None,
            body: None,
            ok: (204, None),
        },
        Op {
            method: "get",
            path: "/api/v1/products",
            id: "listProducts",
            tag: cat,
            summary: "API products",
            query: Some(s.query::<PageParams>()),
            body: None,
            ok: (200, Some(s.schema::<Page<m::ProductSummary>>())),
        },
        Op {
            method: "get",
            path: "/api/v1/products/{id}",
            id: "getProduct",
            tag: cat,
            summary: "A product with its APIs, documentation, catalogs and plans",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<m::ProductDetail>())),
        },
        Op {
            method: "get",
            path: "/api/v1/catalogs",
            id: "listCatalogs",
            tag: cat,
            summary: "Catalogs with their visibility",
            query: Some(s.query::<PageParams>()),
            body: None,
            ok: (200, Some(s.schema::<Page<m::CatalogSummary>>())),
        },
        Op {
            method: "get",
            path: "/api/v1/catalogs/{id}",
            id: "getCatalog",
            tag: cat,
            summary: "A catalog: products, plans and audiences",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<m::CatalogDetail>())),
        },
        Op {
            method: "get",
            path: "/api/v1/catalogs/{id}/plans",
            id: "listPlans",
            tag: cat,
            summary: "A catalog's plans: rate limit, quota, key lifetime, approval",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<Vec<m::Plan>>())),
        },
        Op {
            method: "get",
            path: "/api/v1/access-requests",
            id: "listAccessRequests",
            tag: cat,
            summary: "Access requests, pending first",
            query: Some(s.query::<RequestParams>()),
            body: None,
            ok: (200, Some(s.schema::<Page<m::AccessRequestView>>())),
        },
        Op {
            method: "post",
            path: "/api/v1/access-requests/{id}/decision",
            id: "decideAccessRequest",
            tag: cat,
            summary: "Approve or reject a pending request",
            query: None,
            body: Some(s.schema::<DecisionInput>()),
            ok: (200, Some(s.schema::<m::AccessRequestView>())),
        },
        Op {
            method: "get",
            path: "/api/v1/exports",
            id: "listExports",
            tag: "Exports",
            summary: "The newest export jobs",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<Vec<m::ExportJob>>())),
        },
        Op {
            method: "post",
            path: "/api/v1/exports",
            id: "startExport",
            tag: "Exports",
            summary: "Start an export of developers (all or a search), apps or products as CSV or JSON",
            query: None,
            body: Some(s.schema::<m::ExportRequest>()),
            ok: (202, Some(s.schema::<m::ExportJob>())),
        },
        Op {
            method: "get",
            path: "/api/v1/exports/{id}",
            id: "getExport",
            tag: "Exports",
            summary: "An export job's progress",
            query: None,
            body: None,
            ok: (200, Some(s.schema::<m::ExportJob>())),
        },
    ];
    for op in ops {
        s.add(op);
    }
    // The file itself: CSV or JSON, as an attachment.
    s.add(Op {
        method: "get",
        path: "/api/v1/exports/{id}/download",
        id: "downloadExport",
        tag: "Exports",
        summary: "A finished export's file (CSV or JSON attachment)",
        query: None,
        body: None,
        ok: (200, None),
    });
    if let Some(download) = s.paths.get_mut("/api/v1/exports/{id}/download") {
        download["get"]["responses"]["200"] = json!({
            "description": "The file",
            "content": {
                "text/csv": { "schema": { "type": "string" } },
                "application/json": { "schema": {} }
            }
        });
    }
    // What a create returns leads to the operations on it (OpenAPI links), so tools
    // such as schemathesis reach them with real ids.
    link(
        &mut s.paths,
        "/api/v1/developers",
        "post",
        "201",
        "$response.body#/Created/id",
        &[
            "getDeveloper",
            "updateDeveloper",
            "setDeveloperStatus",
            "listDeveloperAttributes",
            "setDeveloperAttribute",
            "previewDeveloperDeletion",
            "deleteDeveloper",
        ],
    );
    link(
        &mut s.paths,
        "/api/v1/organisations",
        "post",
        "201",
        "$response.body#/org/id",
        &["getOrganisation", "listTeams", "createTeam"],
    );
    // The error responses name `ErrorBody` by reference: put its schema in components.
    s.schema::<ErrorBody>();
    let schemas = s.generator.take_definitions(true);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Portico admin API",
            "version": "1",
            "description": "Manage a Portico developer portal: developers, organisations, apps and keys, products, catalogs, plans, access requests and exports. Authenticate with an admin API token from Admin → Settings → API tokens: `Authorization: Bearer ptk_…`."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "adminToken": [] }],
        "paths": s.paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "adminToken": { "type": "http", "scheme": "bearer", "description": "An admin API token (ptk_…)" }
            }
        }
    })
}

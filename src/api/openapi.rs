//! The OpenAPI 3.1 document of the API and the browsable page at `/docs`.
//!
//! The document is generated from the Rust types and handlers themselves
//! (utoipa: `#[derive(ToSchema)]` on request and response types,
//! `#[utoipa::path]` on handlers), so it cannot drift from what the server
//! parses and answers. What depends on the running configuration is added
//! from the one route table ([`super::endpoints`]): each operation's
//! security requirement and its 401/403 answers follow the route's access
//! level, every operation that reads a body documents 400/408/413/415, and
//! `{limits.*}` placeholders in descriptions take the configured limits. A
//! test checks that the document's operations are exactly the route table's.
//!
//! The `/docs` page is rendered on the server from the document: every
//! operation with its parameters, an example request as `curl`, and a small
//! form to send it (plain JavaScript served from the binary; no CDN, no
//! external requests), the native API first.

use super::auth::Access;
use super::config::ServerConfig;
use serde_json::{Map, Value, json};
use utoipa::OpenApi;

/// The operations and schemas, as the handlers and types declare them.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "screener",
        description = "Sanctions and watchlist screening. The native API is under `/v1`; a yente-compatible API (for clients of OpenSanctions' yente) is under `/match`, `/search`, `/entities`, `/catalog`, `/algorithms`, `/manifest` and `/updatez`, and the W3C reconciliation API (OpenRefine) under `/reconcile`. Every error is JSON: `{\"error\": code, \"detail\": text}`."
    ),
    paths(
        super::native::screen,
        super::batch::screen_batch,
        super::payments::screen_payment,
        super::payments::screen_payments,
        super::native::compare,
        super::native::entity,
        super::native::lists,
        super::native::changes,
        super::native::admin_refresh,
        super::yente::match_entities,
        super::yente::search,
        super::yente::entity,
        super::yente::catalog,
        super::yente_meta::algorithms,
        super::yente_meta::manifest,
        super::yente_meta::updatez,
        super::yente_meta::adjacent,
        super::reconcile::reconcile_default,
        super::reconcile::reconcile_default_get,
        super::reconcile::reconcile_get,
        super::reconcile::reconcile,
        super::reconcile::suggest_entity,
        super::reconcile::suggest_type,
        super::reconcile::suggest_property,
        super::reconcile::extend_propose,
        super::reconcile::preview,
        super::monitor::list_customers,
        super::monitor::post_customers,
        super::monitor::get_customer,
        super::monitor::put_customer,
        super::monitor::delete_customer,
        super::monitor::list_alerts,
        super::monitor::get_alert,
        super::monitor::decide,
        super::monitor::status,
        super::monitor::rescreen,
        super::monitor::rescreen_progress,
        super::monitor::audit,
        super::monitor::deliveries,
        super::ops::healthz,
        super::ops::readyz,
        super::ops::metrics,
        super::ops::openapi,
        super::ops::docs,
        super::ops::docs_js,
        super::ops::root,
    ),
    tags(
        (name = "native", description = "The screener API: screen a party, many parties, compare two records, look up entities and lists."),
        (name = "yente", description = "Drop-in for clients of OpenSanctions' yente API."),
        (name = "monitor", description = "Ongoing monitoring: stored customers, alerts and decisions, the audit trail, webhook deliveries."),
        (name = "admin", description = "Needs the admin token."),
        (name = "operations", description = "Health, readiness, metrics and documentation (no API key needed).")
    )
)]
struct ApiDoc;

/// Operations that read a request body.
fn reads_body(method: &str) -> bool {
    matches!(method, "post" | "put" | "patch")
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

/// Adds a response unless the operation documents that status itself.
fn add_response(op: &mut Value, status: &str, description: &str) {
    if let Some(r) = op.get_mut("responses").and_then(Value::as_object_mut) {
        r.entry(status.to_string())
            .or_insert_with(|| error_response(description));
    }
}

/// The actix path of a route in OpenAPI form (`{id:.*}` → `{id}`).
pub fn openapi_path(actix: &str) -> String {
    let mut out = String::with_capacity(actix.len());
    let (mut inside, mut pattern) = (false, false);
    for c in actix.chars() {
        match c {
            '{' => {
                inside = true;
                out.push(c);
            }
            ':' if inside => pattern = true,
            '}' => {
                inside = false;
                pattern = false;
                out.push(c);
            }
            _ if pattern => {}
            c => out.push(c),
        }
    }
    out
}

/// Replaces `{<group>.name}` (`{limits.max_batch}`, `{defaults.threshold}`)
/// with the value in effect, in every description: the numbers are written
/// once, where the code uses them.
fn fill_placeholders(v: &mut Value, group: &str, values: &Map<String, Value>) {
    match v {
        Value::String(s) if s.contains(&format!("{{{group}.")) => {
            for (k, val) in values {
                *s = s.replace(&format!("{{{group}.{k}}}"), &val.to_string());
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|i| fill_placeholders(i, group, values)),
        Value::Object(m) => m
            .values_mut()
            .for_each(|i| fill_placeholders(i, group, values)),
        _ => {}
    }
}

/// Constraints on path and query parameters that the handlers check by
/// hand (the params attribute cannot take them from the checking code).
fn constrain_parameters(doc: &mut Value) {
    use crate::model::list_id;
    // Entity ids are at most 512 bytes: 128 characters always fit.
    let entity_id = json!({"pattern": list_id::ENTITY_ID_PATTERN, "maxLength": 128});
    let not_blank = json!({"minLength": 1, "pattern": "\\S"});
    let rules = [
        ("/v1/entities/{id}", "id", entity_id.clone()),
        ("/entities/{id}", "id", entity_id.clone()),
        ("/entities/{id}/adjacent", "id", entity_id.clone()),
        ("/reconcile/{dataset}/preview", "id", entity_id),
        (
            "/v1/lists/{id}/changes",
            "id",
            json!({"pattern": list_id::PATTERN}),
        ),
        ("/v1/lists/{id}/changes", "since", not_blank.clone()),
        ("/search/{dataset}", "q", not_blank),
        (
            "/reconcile/{dataset}/extend/propose",
            "type",
            json!({"enum": ["Thing", "Person", "Organization", "Company", "Vessel", "Airplane", "LegalEntity"]}),
        ),
    ];
    for (path, name, patch) in rules {
        let Some(ops) = doc
            .get_mut("paths")
            .and_then(|p| p.get_mut(path))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for param in ops
            .values_mut()
            .filter_map(|op| op.get_mut("parameters"))
            .filter_map(Value::as_array_mut)
            .flat_map(|ps| ps.iter_mut())
            .filter(|p| p.get("name").and_then(Value::as_str) == Some(name))
        {
            if let (Some(schema), Some(patch)) = (
                param.get_mut("schema").and_then(Value::as_object_mut),
                patch.as_object(),
            ) {
                schema.extend(patch.clone());
            }
        }
    }
}

/// An NDJSON body holds the same values as the JSON array the operation
/// also reads, one per line: its schema is that array's, so a client or a
/// fuzzer knows what each line holds.
fn describe_ndjson_bodies(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|ops| ops.values_mut())
    {
        let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let array = content
            .get("application/json")
            .and_then(|j| j.get("schema"))
            .filter(|s| s.get("type").and_then(Value::as_str) == Some("array"))
            .cloned();
        if let (Some(mut array), Some(ndjson)) = (array, content.get_mut("application/x-ndjson")) {
            array["description"] =
                json!("One JSON value per line (each line an element of the array).");
            ndjson["schema"] = array;
        }
    }
}

/// The name fields of a query, any one of which, not blank, is enough.
const NAME_FIELDS: [&str; 5] = ["name", "firstName", "middleName", "fatherName", "lastName"];

/// A query needs a name: `name`, or at least one name part that is not
/// blank; or, without a name, at least one identifier. serde cannot say
/// "one of these", so it is written into the schema here, next to the
/// rule's one implementation ([`crate::matching::Query::validate`]).
fn state_name_requirement(doc: &mut Value) {
    if let Some(query) = doc.pointer_mut("/components/schemas/Query") {
        let mut any_of: Vec<Value> = NAME_FIELDS
            .iter()
            .map(|f| {
                let mut props = Map::new();
                props.insert((*f).to_string(), json!({"pattern": "\\S"}));
                json!({"required": [f], "properties": props})
            })
            .collect();
        any_of.push(json!({
            "required": ["identifiers"],
            "properties": {"identifiers": {"minItems": 1}}
        }));
        query["anyOf"] = Value::Array(any_of);
    }
    // Each alias of a stored customer is screened like a name: not blank.
    if let Some(items) = doc.pointer_mut("/components/schemas/Customer/properties/aliases/items") {
        items["pattern"] = json!("\\S");
    }
}

/// The records of `/v1/compare` are queries without the fields that belong
/// to the comparison (`threshold`) or mean nothing in it (`limit`, `lists`);
/// the server refuses them there, so the schema leaves them out.
fn derive_compare_record(doc: &mut Value) {
    let Some(mut record) = doc.pointer("/components/schemas/Query").cloned() else {
        return;
    };
    if let Some(props) = record.get_mut("properties").and_then(Value::as_object_mut) {
        for f in crate::matching::query::COMPARISON_ONLY {
            props.remove(f);
        }
    }
    record["additionalProperties"] = json!(false);
    record["description"] =
        json!("A record to compare: a screening query without threshold, limit or lists.");
    doc["components"]["schemas"]["CompareRecord"] = record;
    for side in ["a", "b"] {
        if let Some(p) = doc.pointer_mut(&format!(
            "/components/schemas/CompareRequest/properties/{side}"
        )) {
            *p = json!({"$ref": "#/components/schemas/CompareRecord"});
        }
    }
}

/// The OpenAPI document for this configuration.
pub fn document(cfg: &ServerConfig) -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    doc["servers"] = json!([{"url": "/"}]);
    state_name_requirement(&mut doc);
    constrain_parameters(&mut doc);
    describe_ndjson_bodies(&mut doc);
    derive_compare_record(&mut doc);
    doc["components"]["securitySchemes"] = json!({
        "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key (api_keys / SCREENER_API_KEYS), when keys are configured."},
        "adminToken": {"type": "http", "scheme": "bearer", "description": "The admin token (admin_token / SCREENER_ADMIN_TOKEN)."}
    });
    let keys = !cfg.api_keys.is_empty();
    for endpoint in super::endpoints() {
        let path = openapi_path(endpoint.path);
        for method in endpoint.methods() {
            let m = method.as_str().to_ascii_lowercase();
            let Some(op) = doc
                .get_mut("paths")
                .and_then(|p| p.get_mut(&path))
                .and_then(|p| p.get_mut(&m))
            else {
                continue;
            };
            match endpoint.access {
                Access::Public => op["security"] = json!([]),
                Access::Api if keys => {
                    op["security"] = json!([{"apiKey": []}]);
                    add_response(op, "401", "No API key, or not a valid one.");
                }
                Access::Api => op["security"] = json!([{"apiKey": []}, {}]),
                Access::Admin => {
                    op["security"] = json!([{"adminToken": []}]);
                    add_response(op, "401", "No admin token sent.");
                    add_response(
                        op,
                        "403",
                        "Not the admin token (an API key never is), or admin routes are off because no admin token is configured.",
                    );
                }
            }
            if reads_body(&m) {
                add_response(
                    op,
                    "400",
                    "The body is not JSON, or not UTF-8; or a query parameter is not valid.",
                );
                add_response(
                    op,
                    "408",
                    "The body did not arrive within limits.body_timeout_secs.",
                );
                add_response(op, "413", "The body is larger than the limit.");
                add_response(
                    op,
                    "415",
                    "The body is not sent with a content type this operation reads.",
                );
                add_response(
                    op,
                    "422",
                    "The body is JSON but not a valid request (wrong type, unknown or repeated field).",
                );
            }
        }
    }
    let limits = match serde_json::to_value(&cfg.limits) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    fill_placeholders(&mut doc, "limits", &limits);
    let defaults = Map::from_iter([(
        "threshold".to_string(),
        json!(crate::matching::DEFAULT_WEIGHTS.threshold),
    )]);
    fill_placeholders(&mut doc, "defaults", &defaults);
    describe_features(&mut doc);
    doc
}

/// Names the scoring features in the description of yente's `features`,
/// from the scorer's feature table, so the names cannot drift.
fn describe_features(doc: &mut Value) {
    let names: Vec<String> = crate::matching::features::FEATURES
        .iter()
        .map(|f| format!("`{}`", f.name))
        .collect();
    if let Some(features) = doc
        .pointer_mut("/components/schemas/ScoredEntity/properties/features")
        .and_then(Value::as_object_mut)
    {
        features.insert(
            "description".into(),
            json!(format!(
                "The name similarity (`name`) and the effect of each scoring feature that applied, in the order they apply: {}.",
                names.join(", ")
            )),
        );
    }
}

/// The document and the `/docs` page as served: the configured document
/// with the names a request may use for lists filled in.
#[derive(Debug)]
pub struct Rendered {
    pub json: String,
    pub html: String,
}

impl Rendered {
    /// `base` with every list-naming parameter and field restricted to the
    /// loaded lists and the collections.
    pub fn new(base: &Value, loaded: &[&str]) -> Rendered {
        let mut doc = base.clone();
        name_loaded_lists(&mut doc, loaded);
        Rendered {
            html: docs_page(&doc),
            json: serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into()),
        }
    }
}

/// Query and path parameters whose values name lists or collections.
const LIST_PARAMETERS: [&str; 3] = ["dataset", "include_dataset", "exclude_dataset"];

/// Which lists exist is the server's state, not the code's: a list that is
/// not loaded is refused (never searched as if it were empty), so the
/// document names what is loaded now, as an `enum`, and a client or a
/// fuzzer knows the valid values from the contract.
fn name_loaded_lists(doc: &mut Value, loaded: &[&str]) {
    use crate::model::list_id::{COLLECTION_DEFAULT, COLLECTION_SANCTIONS};
    let names: Vec<Value> = loaded
        .iter()
        .copied()
        .chain([COLLECTION_DEFAULT, COLLECTION_SANCTIONS])
        .map(|n| json!(n))
        .collect();
    let restrict = |schema: &mut Value| match schema.get_mut("items") {
        Some(items) => items["enum"] = json!(names),
        None => schema["enum"] = json!(names),
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for op in paths.values_mut().filter_map(Value::as_object_mut) {
            for params in op
                .values_mut()
                .filter_map(|o| o.get_mut("parameters"))
                .filter_map(Value::as_array_mut)
            {
                for p in params.iter_mut() {
                    let names_lists = p
                        .get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| LIST_PARAMETERS.contains(&n));
                    if names_lists && let Some(schema) = p.get_mut("schema") {
                        restrict(schema);
                    }
                }
            }
        }
    }
    if let Some(lists) = doc.pointer_mut("/components/schemas/Query/properties/lists") {
        restrict(lists);
    }
}

fn esc_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown (the doc comments' `code`, **emphasis**, lists) as HTML. Raw
/// HTML in the text is shown as text, never passed through.
fn markdown(text: &str) -> String {
    use pulldown_cmark::{Event, Parser, html};
    let events = Parser::new(text).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The example URL of an operation: `x-try-url`, else the path with its examples filled in.
fn try_url(path: &str, op: &Value) -> String {
    if let Some(u) = op.get("x-try-url").and_then(Value::as_str) {
        return u.to_string();
    }
    let mut url = path.to_string();
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        for p in params {
            if p.get("in").and_then(Value::as_str) == Some("path")
                && let (Some(name), Some(ex)) = (
                    p.get("name").and_then(Value::as_str),
                    p.get("example").and_then(Value::as_str),
                )
            {
                url = url.replace(&format!("{{{name}}}"), ex);
            }
        }
    }
    url
}

/// The example body of an operation, as text.
fn example_body(op: &Value) -> Option<(String, String)> {
    if let Some(b) = op.get("x-try-body").and_then(Value::as_str) {
        return Some(("application/json".into(), b.to_string()));
    }
    let content = op.get("requestBody")?.get("content")?.as_object()?;
    let (ctype, media) = content.iter().next()?;
    let ex = media.get("example")?;
    let text = match ex {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).ok()?,
    };
    Some((ctype.clone(), text))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The `/docs` page.
pub fn docs_page(doc: &Value) -> String {
    let mut body = String::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let route_order: Vec<String> = super::endpoints()
        .iter()
        .map(|e| openapi_path(e.path))
        .collect();
    let position = |p: &str| {
        route_order
            .iter()
            .position(|r| r == p)
            .unwrap_or(usize::MAX)
    };
    let mut paths: Vec<(String, Value)> = paths.into_iter().collect();
    paths.sort_by_key(|(p, _)| position(p));
    let mut by_tag: Vec<(String, Vec<String>)> = Vec::new();
    for (path, item) in &paths {
        let Some(ops) = item.as_object() else {
            continue;
        };
        for (method, op) in ops {
            let tag = op
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .unwrap_or("other")
                .to_string();
            let m = method.to_uppercase();
            let summary = op.get("summary").and_then(Value::as_str).unwrap_or("");
            let description = op.get("description").and_then(Value::as_str).unwrap_or("");
            let url = try_url(path, op);
            let mut html = format!(
                "<section class=\"op\"><h3><span class=\"m {cls}\">{m}</span> <code>{p}</code> — {s}</h3>",
                cls = esc_html(&method.to_lowercase()),
                p = esc_html(path),
                s = esc_html(summary)
            );
            if !description.is_empty() {
                html.push_str(&markdown(description));
            }
            if let Some(params) = op.get("parameters").and_then(Value::as_array) {
                html.push_str("<table><tr><th>parameter</th><th>in</th><th>required</th><th>meaning</th></tr>");
                for p in params {
                    html.push_str(&format!(
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc_html(p.get("name").and_then(Value::as_str).unwrap_or("")),
                        esc_html(p.get("in").and_then(Value::as_str).unwrap_or("")),
                        if p.get("required").and_then(Value::as_bool).unwrap_or(false) {
                            "yes"
                        } else {
                            "no"
                        },
                        markdown(p.get("description").and_then(Value::as_str).unwrap_or(""))
                    ));
                }
                html.push_str("</table>");
            }
            let example = example_body(op);
            let mut curl = format!(
                "curl -s -X {m} 'http://127.0.0.1:8080{}'",
                url.replace('\'', "%27")
            );
            if let Some((ctype, text)) = &example {
                curl.push_str(&format!(
                    " \\\n  -H 'Content-Type: {ctype}' \\\n  --data-binary {}",
                    shell_quote(text)
                ));
            }
            html.push_str(&format!("<pre class=\"curl\">{}</pre>", esc_html(&curl)));
            html.push_str(&format!(
                "<form class=\"try\" data-method=\"{m}\" data-ctype=\"{ct}\"><input class=\"url\" value=\"{u}\" aria-label=\"URL\">",
                u = esc_html(&url),
                ct = esc_html(example.as_ref().map(|(c, _)| c.as_str()).unwrap_or(""))
            ));
            if m == "POST" {
                html.push_str(&format!(
                    "<textarea class=\"body\" rows=\"6\" aria-label=\"body\">{}</textarea>",
                    esc_html(example.as_ref().map(|(_, t)| t.as_str()).unwrap_or(""))
                ));
            }
            html.push_str(
                "<button type=\"submit\">Send</button><pre class=\"out\"></pre></form></section>",
            );
            match by_tag.iter_mut().find(|(t, _)| *t == tag) {
                Some((_, v)) => v.push(html),
                None => by_tag.push((tag, vec![html])),
            }
        }
    }
    let tag_text = |name: &str| {
        doc.get("tags")
            .and_then(Value::as_array)
            .and_then(|tags| {
                tags.iter()
                    .find(|t| t.get("name").and_then(Value::as_str) == Some(name))
            })
            .and_then(|t| t.get("description"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    // In the order the document declares its tags: the native API first.
    let tag_order: Vec<String> = doc
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    by_tag.sort_by_key(|(tag, _)| {
        tag_order
            .iter()
            .position(|t| t == tag)
            .unwrap_or(usize::MAX)
    });
    let mut nav = String::from("<nav>");
    for (tag, _) in &by_tag {
        nav.push_str(&format!("<a href=\"#{t}\">{t}</a> ", t = esc_html(tag)));
    }
    nav.push_str("</nav>");
    body.push_str(&nav);
    for (tag, ops) in &by_tag {
        body.push_str(&format!(
            "<h2 id=\"{t}\">{t}</h2><div class=\"tag\">{}</div>{}",
            markdown(&tag_text(tag)),
            ops.join("\n"),
            t = esc_html(tag),
        ));
    }
    let info = doc
        .get("info")
        .and_then(|i| i.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>screener API</title><style>{STYLE}</style></head><body>\
<h1>screener API</h1>{info}\
<p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a> (OpenAPI 3.1). \
API key for the forms below (kept in this page only): <input id=\"key\" type=\"password\" autocomplete=\"off\" size=\"30\"></p>\
{body}<script src=\"/docs/app.js\"></script></body></html>\n",
        info = markdown(info)
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}\
h2{border-bottom:1px solid #ccc;margin-top:2.5rem}section.op{margin:1.5rem 0;padding:.5rem 1rem;border:1px solid #e3e3e3;border-radius:6px}\
.m{display:inline-block;min-width:3.5rem;text-align:center;border-radius:4px;color:#fff;font-size:.8rem;padding:.1rem .3rem}\
.get{background:#2b7a4b}.post{background:#2a5db0}pre{background:#f6f6f6;padding:.5rem;overflow-x:auto;font-size:.85rem}\
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}\
input.url{width:100%;font-family:monospace;margin:.3rem 0}textarea{width:100%;font-family:monospace}.tag{color:#555}";

/// The script of the `/docs` page: sends the example forms with `fetch`.
pub const DOCS_JS: &str = r#"'use strict';
document.querySelectorAll('form.try').forEach(function (form) {
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var out = form.querySelector('.out');
    var url = form.querySelector('.url').value;
    var method = form.dataset.method;
    var headers = {};
    var key = document.getElementById('key').value;
    if (key) { headers['Authorization'] = 'Bearer ' + key; }
    var init = { method: method, headers: headers };
    var body = form.querySelector('.body');
    if (method === 'POST' && body) {
      init.body = body.value;
      headers['Content-Type'] = form.dataset.ctype || 'application/json';
    }
    out.textContent = '…';
    fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var shown = text;
        try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
        out.textContent = res.status + ' ' + res.statusText + '\n' + shown;
      });
    }).catch(function (e) { out.textContent = String(e); });
  });
});
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_exactly_the_routes_of_the_table() {
        let doc = document(&ServerConfig::default());
        let mut documented = std::collections::BTreeSet::new();
        for (p, item) in doc["paths"].as_object().expect("paths") {
            for (m, op) in item.as_object().expect("ops") {
                assert!(op.get("responses").is_some(), "{m} {p} has no responses");
                assert!(op.get("summary").is_some(), "{m} {p} has no summary");
                assert!(op.get("security").is_some(), "{m} {p} has no security");
                documented.insert((m.to_uppercase(), p.clone()));
            }
        }
        let routed: std::collections::BTreeSet<(String, String)> = super::super::endpoints()
            .iter()
            .flat_map(|e| {
                e.methods()
                    .into_iter()
                    .map(|m| (m.as_str().to_string(), openapi_path(e.path)))
            })
            .collect();
        assert_eq!(documented, routed);
        // Every $ref points at a defined schema.
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            assert!(schemas.contains_key(&name), "missing schema {name}");
        }
        // Placeholders are filled.
        assert!(!text.contains("{limits."), "unfilled limit");
        assert!(
            text.contains("1000 queries") || text.contains("`1000`"),
            "max_batch shown"
        );
    }

    #[test]
    fn the_page_opens_on_the_native_api_and_renders_markdown() {
        let doc = document(&ServerConfig::default());
        let page = docs_page(&doc);
        for p in ["/v1/screen", "/match/{dataset}", "/catalog", "/readyz"] {
            assert!(
                page.contains(&format!("<code>{p}</code>")),
                "{p} not on the page"
            );
        }
        let first_op = page.find("<section class=\"op\">").expect("an operation");
        assert!(page[first_op..].starts_with("<section class=\"op\"><h3><span class=\"m post\">POST</span> <code>/v1/screen</code>"), "{}", &page[first_op..first_op + 200]);
        assert!(!page.contains("`{"), "raw markdown code spans left");
        assert!(page.contains("<code>default</code>"), "markdown rendered");
        assert!(!page.contains("http://") || page.contains("http://127.0.0.1:8080"));
        assert!(
            !page.contains("https://"),
            "the page must not load anything external"
        );
        for raw in ["<script>x</script>", "a <b onclick=x>b</b>"] {
            let html = markdown(raw);
            assert!(!html.contains("<script") && !html.contains("<b "), "{html}");
            assert!(html.contains("&lt;"), "{html}");
        }
    }

    #[test]
    fn security_follows_the_access_level_and_the_configuration() {
        let open = document(&ServerConfig::default());
        assert_eq!(
            open["paths"]["/v1/screen"]["post"]["security"],
            json!([{"apiKey": []}, {}])
        );
        assert_eq!(open["paths"]["/healthz"]["get"]["security"], json!([]));
        assert_eq!(
            open["paths"]["/v1/admin/refresh"]["post"]["security"],
            json!([{"adminToken": []}])
        );
        assert!(open["paths"]["/v1/admin/refresh"]["post"]["responses"]["403"].is_object());
        let keyed = document(&ServerConfig {
            api_keys: vec![super::super::config::ApiKey::new("crm", "0123456789abcdef")],
            ..ServerConfig::default()
        });
        assert_eq!(
            keyed["paths"]["/v1/screen"]["post"]["security"],
            json!([{"apiKey": []}])
        );
        assert!(keyed["paths"]["/v1/screen"]["post"]["responses"]["401"].is_object());
        assert!(keyed["paths"]["/v1/screen"]["post"]["responses"]["408"].is_object());
    }

    #[test]
    fn actix_paths_become_openapi_paths() {
        assert_eq!(openapi_path("/v1/entities/{id:.*}"), "/v1/entities/{id}");
        assert_eq!(
            openapi_path("/v1/lists/{id}/changes"),
            "/v1/lists/{id}/changes"
        );
        assert_eq!(openapi_path("/a/{x:[0-9]+}/b/{y}"), "/a/{x}/b/{y}");
        assert_eq!(openapi_path("/healthz"), "/healthz");
    }

    #[test]
    fn list_parameters_name_the_loaded_lists_and_collections() {
        let base = document(&ServerConfig::default());
        let rendered = Rendered::new(&base, &["un_sc_sanctions", "us_ofac_cons"]);
        let doc: Value = serde_json::from_str(&rendered.json).expect("json");
        let want = json!(["un_sc_sanctions", "us_ofac_cons", "default", "sanctions"]);
        let params = doc["paths"]["/match/{dataset}"]["post"]["parameters"]
            .as_array()
            .expect("params");
        let named = |n: &str| {
            params
                .iter()
                .find(|p| p["name"] == n)
                .unwrap_or_else(|| panic!("{n}"))
                .clone()
        };
        assert_eq!(named("dataset")["schema"]["enum"], want);
        assert_eq!(named("include_dataset")["schema"]["items"]["enum"], want);
        assert_eq!(named("exclude_dataset")["schema"]["items"]["enum"], want);
        assert_eq!(
            doc["components"]["schemas"]["Query"]["properties"]["lists"]["items"]["enum"],
            want
        );
        // The base document is left as it was.
        assert!(
            base.to_string()
                .find("\"enum\":[\"un_sc_sanctions\"")
                .is_none()
        );
    }

    #[test]
    fn a_query_needs_a_name_and_a_compare_record_has_no_comparison_fields() {
        let doc = document(&ServerConfig::default());
        let any_of = doc["components"]["schemas"]["Query"]["anyOf"]
            .as_array()
            .expect("anyOf");
        let required: Vec<&str> = any_of
            .iter()
            .filter_map(|b| b["required"][0].as_str())
            .collect();
        let mut expected = NAME_FIELDS.to_vec();
        expected.push("identifiers");
        assert_eq!(required, expected);
        let record = &doc["components"]["schemas"]["CompareRecord"];
        for f in crate::matching::query::COMPARISON_ONLY {
            assert!(
                record["properties"].get(f).is_none(),
                "{f} in CompareRecord"
            );
        }
        assert!(record["properties"].get("birthDate").is_some());
        assert_eq!(
            doc["components"]["schemas"]["CompareRequest"]["properties"]["a"]["$ref"],
            "#/components/schemas/CompareRecord"
        );
        let entity = &doc["paths"]["/v1/entities/{id}"]["get"]["parameters"][0]["schema"];
        assert_eq!(entity["pattern"], crate::model::list_id::ENTITY_ID_PATTERN);
        let batch = &doc["paths"]["/v1/screen/batch"]["post"]["requestBody"]["content"];
        assert_eq!(batch["application/x-ndjson"]["schema"]["type"], "array");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            esc_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

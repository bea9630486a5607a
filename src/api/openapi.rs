//! The OpenAPI 3.1 document of the API, written by hand with `serde_json`
//! (no code generation), and the browsable API page at `/docs` rendered from
//! it on the server: every route with its parameters, an example request as
//! `curl`, and a small form to send it (plain JavaScript served from the
//! binary; no CDN, no external requests).

use super::config::ServerConfig;
use serde_json::{Value, json};

fn err_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

fn json_body(schema: &str, example: Value) -> Value {
    json!({
        "required": true,
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}, "example": example}}
    })
}

fn ok(schema: &str, description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}
    })
}

fn query_param(name: &str, description: &str, schema: Value, required: bool) -> Value {
    json!({"name": name, "in": "query", "required": required, "description": description, "schema": schema})
}

fn path_param(name: &str, description: &str, example: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}, "example": example})
}

fn screen_example() -> Value {
    json!({
        "name": "Abu Bakr al-Baghdadi",
        "schema": "Person",
        "birthDate": "1971",
        "countries": ["iq"],
        "lists": ["sanctions"],
        "threshold": 0.8,
        "limit": 5
    })
}

fn paths(cfg: &ServerConfig) -> Value {
    let l = &cfg.limits;
    let common_errors = |extra: &[(&str, &str)]| {
        let mut m = serde_json::Map::new();
        m.insert(
            "401".into(),
            err_response("API key missing or not valid (when keys are configured)."),
        );
        m.insert("503".into(), err_response("No list index is loaded yet."));
        for (code, d) in extra {
            m.insert((*code).into(), err_response(d));
        }
        Value::Object(m)
    };
    let merge = |base: Value, ok_code: &str, ok_val: Value| {
        let mut m = match base {
            Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        m.insert(ok_code.into(), ok_val);
        Value::Object(m)
    };
    json!({
        "/v1/screen": {"post": {
            "tags": ["native"],
            "summary": "Screen one party",
            "description": format!("Screens a name (with optional schema, birth date, countries, identifiers) against the loaded lists and returns the best results with scores and explanations. Names longer than {} characters are refused.", crate::matching::query::MAX_NAME_CHARS),
            "requestBody": json_body("ScreenRequest", screen_example()),
            "responses": merge(common_errors(&[
                ("400", "The body is not JSON, or not UTF-8."),
                ("413", "The body is larger than limits.max_body_bytes."),
                ("415", "The body is not sent as application/json."),
                ("422", "A field has the wrong type or an unknown name; the name is empty or too long; unknown list; threshold or limit out of range."),
            ]), "200", ok("ScreenResponse", "The results, best first."))
        }},
        "/v1/screen/batch": {"post": {
            "tags": ["native"],
            "summary": "Screen many parties",
            "description": format!("A JSON array of up to {} screen requests (Content-Type: application/json), answered in input order; or one query per line (Content-Type: application/x-ndjson, up to {} rows) streamed in and out, one output line per non-blank input line. Bad elements and lines get an `error` and the rest is screened. Threshold and limit for NDJSON (and defaults for JSON) come from the query string.", l.max_batch, l.max_ndjson_rows),
            "parameters": [
                query_param("threshold", "Alert threshold for every row (0-1).", json!({"type": "number"}), false),
                query_param("limit", "Results per row.", json!({"type": "integer"}), false)
            ],
            "requestBody": {"required": true, "content": {
                "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ScreenRequest"}},
                    "example": [{"id": "c-1", "name": "Kim Jong Un", "schema": "Person"}, {"id": "c-2", "name": "Rosneft", "schema": "Company"}]},
                "application/x-ndjson": {"schema": {"type": "string"},
                    "example": "{\"id\": \"c-1\", \"name\": \"Kim Jong Un\"}\n{\"id\": \"c-2\", \"name\": \"Rosneft\"}\n"}
            }},
            "responses": merge(common_errors(&[
                ("413", "More queries than limits.max_batch, or a body over limits.max_batch_body_bytes."),
                ("415", "Neither application/json nor application/x-ndjson."),
                ("429", "limits.max_concurrent_batches batch jobs are already running."),
            ]), "200", json!({"description": "JSON: the results in input order. NDJSON: one line per row with `id` and `matches` or `error`.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchResponse"}},
                            "application/x-ndjson": {"schema": {"type": "string"}}}}))
        }},
        "/v1/compare": {"post": {
            "tags": ["native"],
            "summary": "Compare two records",
            "description": "Scores record a against record b (both in the screen request shape) with the explanation. Works before any list is loaded.",
            "requestBody": json_body("CompareRequest", json!({"a": {"name": "Mohammed bin Salman", "schema": "Person"}, "b": {"name": "Muhammad bin Salman Al Saud", "schema": "Person", "birthDate": "1985-08-31"}})),
            "responses": merge(json!({
                "400": err_response("The body is not JSON."),
                "422": err_response("A record is not valid (empty or too long name, unknown schema, bad date)."),
            }), "200", ok("Comparison", "Score, verdict and explanation."))
        }},
        "/v1/entities/{id}": {"get": {
            "tags": ["native"],
            "summary": "Get a listed entity",
            "parameters": [path_param("id", "Entity id: <list id>:<source id>.", "us_ofac_sdn:7379")],
            "x-try-url": "/v1/entities/un_sc_sanctions:QDi.001",
            "responses": merge(common_errors(&[
                ("400", "The id is not of the form <list id>:<source id>."),
                ("404", "No entity with this id in the loaded lists."),
            ]), "200", ok("Entity", "The entity with every property."))
        }},
        "/v1/lists": {"get": {
            "tags": ["native"],
            "summary": "Loaded lists",
            "description": "Every list: the version served, entity count, fetch time, source URLs, sha256, the last error and refresh state.",
            "x-try-url": "/v1/lists",
            "responses": merge(common_errors(&[]), "200", ok("ListsResponse", "The lists."))
        }},
        "/v1/lists/{id}/changes": {"get": {
            "tags": ["native"],
            "summary": "Changes since a version",
            "parameters": [
                path_param("id", "List id.", "us_ofac_sdn"),
                query_param("since", "A stored version of the list.", json!({"type": "string"}), true)
            ],
            "x-try-url": "/v1/lists/us_ofac_sdn/changes?since=VERSION",
            "responses": merge(common_errors(&[
                ("400", "Malformed list id or missing `since`."),
                ("404", "Unknown list or version."),
            ]), "200", ok("ChangesResponse", "Entities added, removed (ids) and changed."))
        }},
        "/v1/admin/refresh": {"post": {
            "tags": ["admin"],
            "summary": "Force a refresh",
            "description": "Looks for new versions of the lists now, and rebuilds and swaps the index if any changed. Needs the admin token. Requests in flight finish on the old index.",
            "security": [{"adminToken": []}],
            "parameters": [
                query_param("list", "List ids to refresh (repeat or comma-separate); default all.", json!({"type": "string"}), false),
                query_param("rebuild", "Rebuild the index even if nothing changed.", json!({"type": "boolean"}), false),
                query_param("wait", "Answer when done, with the report.", json!({"type": "boolean"}), false)
            ],
            "x-try-url": "/v1/admin/refresh?wait=true",
            "x-try-body": "",
            "responses": {
                "200": ok("RefreshReport", "Done (wait=true)."),
                "202": {"description": "Started in the background."},
                "401": err_response("No admin token sent."),
                "403": err_response("Wrong admin token, or admin routes disabled (no token configured)."),
                "404": err_response("Unknown list."),
                "409": err_response("A refresh is already running.")
            }
        }},
        "/match/{dataset}": {"post": {
            "tags": ["yente"],
            "summary": "Match entities (yente-compatible)",
            "description": format!("yente's matching API. `dataset` is a list id, `default` or `sanctions`. At most {} queries and {} names per query; each name x birth date is one screening.", l.max_batch, l.max_names_per_query),
            "parameters": [
                path_param("dataset", "List id or collection.", "default"),
                query_param("threshold", "Match threshold (0-1).", json!({"type": "number"}), false),
                query_param("cutoff", "Lowest score returned (0-1).", json!({"type": "number"}), false),
                query_param("limit", "Results per query (default 5).", json!({"type": "integer"}), false),
                query_param("include_dataset", "Only these lists (repeatable).", json!({"type": "string"}), false),
                query_param("exclude_dataset", "Not these lists (repeatable).", json!({"type": "string"}), false),
                query_param("exclude_schema", "Not these schemata (repeatable).", json!({"type": "string"}), false),
                query_param("exclude_entity_ids", "Not these entity ids (repeatable).", json!({"type": "string"}), false)
            ],
            "requestBody": json_body("YenteMatchRequest", json!({"queries": {"q1": {"schema": "Person", "properties": {"name": ["Ali Khamenei"], "birthDate": ["1939"], "nationality": ["ir"]}}}})),
            "responses": merge(common_errors(&[
                ("404", "Unknown dataset."),
                ("413", "Too many queries or screenings."),
                ("422", "A query cannot be screened (no name, name too long, unknown schema, bad date); the detail names the query key."),
            ]), "200", ok("YenteMatchResponse", "One response per query key."))
        }},
        "/search/{dataset}": {"get": {
            "tags": ["yente"],
            "summary": "Search by name (yente-compatible)",
            "parameters": [
                path_param("dataset", "List id or collection.", "default"),
                query_param("q", "A name.", json!({"type": "string"}), true),
                query_param("limit", "Results (default 10).", json!({"type": "integer"}), false),
                query_param("offset", "Skip this many.", json!({"type": "integer"}), false),
                query_param("schema", "Only this schema.", json!({"type": "string"}), false)
            ],
            "x-try-url": "/search/default?q=Bout",
            "responses": merge(common_errors(&[("404", "Unknown dataset.")]), "200", ok("YenteSearchResponse", "Entities resembling the name."))
        }},
        "/entities/{id}": {"get": {
            "tags": ["yente"],
            "summary": "Get an entity (yente-compatible)",
            "parameters": [path_param("id", "Entity id.", "us_ofac_sdn:7379")],
            "x-try-url": "/entities/un_sc_sanctions:QDi.001",
            "responses": merge(common_errors(&[("400", "Malformed id."), ("404", "Unknown entity.")]), "200", ok("YenteEntity", "The entity."))
        }},
        "/catalog": {"get": {
            "tags": ["yente"],
            "summary": "Data catalog (yente-compatible)",
            "x-try-url": "/catalog",
            "responses": merge(common_errors(&[]), "200", ok("YenteCatalog", "Lists and collections."))
        }},
        "/healthz": {"get": {"tags": ["operations"], "summary": "The process is up", "x-try-url": "/healthz", "responses": {"200": {"description": "Up."}}}},
        "/readyz": {"get": {"tags": ["operations"], "summary": "An index is loaded", "x-try-url": "/readyz",
            "responses": {"200": {"description": "Ready."}, "503": err_response("No index yet.")}}},
        "/metrics": {"get": {"tags": ["operations"], "summary": "Prometheus metrics", "x-try-url": "/metrics",
            "responses": {"200": {"description": "Text exposition format 0.0.4.", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {"tags": ["operations"], "summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1."}}}},
        "/docs": {"get": {"tags": ["operations"], "summary": "The browsable API page", "responses": {"200": {"description": "HTML."}}}}
    })
}

fn schemas() -> Value {
    let str_list = json!({"type": "array", "items": {"type": "string"}});
    let mut m = serde_json::Map::new();
    m.insert("Warning".into(), json!({"type": "object", "required": ["field", "value", "message"], "properties": {
            "field": {"type": "string", "description": "The query field: birthDate, countries, identifiers or name."},
            "value": {"type": "string", "description": "The value as given."},
            "message": {"type": "string", "description": "What is wrong with it and what was done."}}}));
    let warnings = json!({"type": "array", "items": {"$ref": "#/components/schemas/Warning"},
        "description": "Query fields left out of scoring, or read in a way worth knowing (absent when there are none); the name was screened."});
    m.insert("Error".into(), json!({"type": "object", "required": ["error", "detail"], "properties": {
            "error": {"type": "string", "description": "Stable code, e.g. invalid_json, name_too_long, batch_too_large, unknown_list, not_ready."},
            "detail": {"type": "string", "description": "What exactly is wrong, naming the field or limit."}}}));
    m.insert("ScreenRequest".into(), json!({"type": "object", "additionalProperties": false, "properties": {
            "id": {"type": "string", "description": "Your reference, echoed back."},
            "name": {"type": "string", "description": "The whole name (or give the parts)."},
            "firstName": {"type": "string"}, "middleName": {"type": "string"}, "fatherName": {"type": "string"}, "lastName": {"type": "string"},
            "schema": {"type": "string", "enum": ["Person", "Organization", "Company", "LegalEntity", "Vessel", "Aircraft"]},
            "birthDate": {"type": "string", "description": "YYYY, YYYY-MM or YYYY-MM-DD (other unambiguous forms are read too). A date that cannot be read is left out of scoring with a warning; 07/10/1952 is screened as both 7 October and 10 July, with a warning."},
            "countries": {"type": "array", "items": {"type": "string"}, "description": "ISO alpha-2 codes or country names; anything else is left out of scoring with a warning."},
            "identifiers": {"type": "array", "items": {"type": "string"}},
            "lists": {"type": "array", "items": {"type": "string"}, "description": "List ids or collections (default, sanctions); empty: all."},
            "threshold": {"type": "number", "minimum": 0, "maximum": 1},
            "limit": {"type": "integer", "minimum": 1}}}));
    m.insert("Entity".into(), json!({"type": "object", "properties": {
            "id": {"type": "string"}, "schema": {"type": "string"}, "caption": {"type": "string"},
            "datasets": str_list, "properties": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}));
    m.insert("Explanation".into(), json!({"type": "object", "description": "Why the score is what it is.", "properties": {
            "matchedName": {"type": "string"}, "matchedProperty": {"type": "string"},
            "queryForm": {"type": "string"}, "listedForm": {"type": "string"},
            "tokens": {"type": "array", "items": {"type": "object", "properties": {
                "query": {"type": "string"}, "listed": {"type": "string"}, "how": {}, "similarity": {"type": "number"}}}},
            "unmatchedQuery": str_list, "unmatchedListed": str_list,
            "nameScore": {"type": "number"},
            "qualifiers": {"type": "array", "items": {"type": "object", "properties": {
                "feature": {"type": "string"}, "effect": {"type": "number"}, "detail": {"type": "string"}}}},
            "score": {"type": "number"}, "threshold": {"type": "number"}, "summary": {"type": "string"}}}));
    m.insert("Match".into(), json!({"type": "object", "properties": {
            "entity": {"$ref": "#/components/schemas/Entity"}, "score": {"type": "number"}, "match": {"type": "boolean"},
            "explanation": {"$ref": "#/components/schemas/Explanation"}}}));
    m.insert("ScreenResponse".into(), json!({"type": "object", "properties": {
            "query": {"type": "object", "description": "The query as answered, with the threshold and limit used."},
            "listVersions": {"type": "object", "additionalProperties": {"type": "string"}, "description": "{list id: version} searched."},
            "matches": {"type": "array", "items": {"$ref": "#/components/schemas/Match"}},
            "warnings": warnings}}));
    m.insert(
        "BatchResponse".into(),
        json!({"type": "object", "properties": {
            "listVersions": {"type": "object", "additionalProperties": {"type": "string"}},
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "index": {"type": "integer"}, "id": {"type": "string"}, "query": {"type": "object"},
                "matches": {"type": "array", "items": {"$ref": "#/components/schemas/Match"}},
                "warnings": warnings,
                "error": {"type": "string"}, "detail": {"type": "string"}}}}}}),
    );
    m.insert("CompareRequest".into(), json!({"type": "object", "required": ["a", "b"], "additionalProperties": false, "properties": {
            "a": {"$ref": "#/components/schemas/ScreenRequest"}, "b": {"$ref": "#/components/schemas/ScreenRequest"},
            "threshold": {"type": "number"}}}));
    m.insert("Comparison".into(), json!({"type": "object", "properties": {
            "score": {"type": "number"}, "match": {"type": "boolean"},
            "explanation": {"oneOf": [{"$ref": "#/components/schemas/Explanation"}, {"type": "null"}]},
            "warnings": warnings}}));
    m.insert("ListsResponse".into(), json!({"type": "object", "properties": {
            "ready": {"type": "boolean"}, "generation": {"type": "integer"}, "builtAt": {"type": "string"}, "refreshing": {"type": "boolean"},
            "lists": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "sanctions": {"type": "boolean"}, "loaded": {"type": "boolean"},
                "version": {"type": "string"}, "entities": {"type": "integer"}, "published": {"type": "string"},
                "fetchedAt": {"type": "string", "format": "date-time"}, "sha256": {"type": "string"}, "sourceUrls": str_list,
                "pendingVersion": {"type": "string"}, "lastError": {"type": "string"}, "lastErrorAt": {"type": "string"},
                "lastAttempt": {"type": "string"}, "refreshIntervalSeconds": {"type": "integer"}, "refreshFailures": {"type": "integer"}}}}}}));
    m.insert(
        "ChangesResponse".into(),
        json!({"type": "object", "properties": {
            "list": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
            "counts": {"type": "object"},
            "added": {"type": "array", "items": {"$ref": "#/components/schemas/Entity"}},
            "removed": str_list,
            "changed": {"type": "array", "items": {"$ref": "#/components/schemas/Entity"}}}}),
    );
    m.insert("RefreshReport".into(), json!({"type": "object", "properties": {
            "lists": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                "outcome": {"type": "string", "enum": ["new", "unchanged", "failed"]}, "version": {"type": "string"}, "error": {"type": "string"}}}},
            "rebuilt": {"type": "boolean"}, "generation": {"type": "integer"}, "error": {"type": "string"}, "seconds": {"type": "number"}}}));
    m.insert("YenteMatchRequest".into(), json!({"type": "object", "required": ["queries"], "properties": {
            "queries": {"type": "object", "additionalProperties": {"type": "object", "required": ["schema"], "properties": {
                "id": {"type": "string"}, "schema": {"type": "string"},
                "properties": {"type": "object", "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}}}},
            "weights": {"type": "object", "description": "Accepted and ignored."},
            "config": {"type": "object", "description": "Accepted and ignored."}}}));
    m.insert("YenteEntity".into(), json!({"type": "object", "properties": {
            "id": {"type": "string"}, "caption": {"type": "string"}, "schema": {"type": "string"},
            "properties": {"type": "object"}, "datasets": str_list, "referents": str_list, "target": {"type": "boolean"},
            "first_seen": {"type": ["string", "null"]}, "last_seen": {"type": ["string", "null"]}, "last_change": {"type": ["string", "null"]}}}));
    // Generated from the scorer's feature table, so the names cannot drift.
    let feature_names = format!(
        "The name similarity (`name`) and the effect of each scoring feature that applied, in the order they apply: {}.",
        crate::matching::features::FEATURES
            .iter()
            .map(|f| format!("`{}`", f.name))
            .collect::<Vec<_>>()
            .join(", ")
    );
    m.insert("YenteMatchResponse".into(), json!({"type": "object", "properties": {
            "responses": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                "status": {"type": "integer"},
                "results": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/YenteEntity"}, {"type": "object", "properties": {
                    "score": {"type": "number"}, "match": {"type": "boolean"},
                    "features": {"type": "object", "additionalProperties": {"type": "number"}, "description": feature_names},
                    "explanations": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                        "score": {"type": "number"}, "detail": {"type": ["string", "null"]}, "query": {"type": "string"}, "candidate": {"type": "string"}}}},
                    "token": {"type": ["string", "null"]}}}]}},
                "total": {"type": "object", "properties": {"value": {"type": "integer"}, "relation": {"type": "string"}}},
                "query": {"type": "object"},
                "warnings": warnings}}},
            "matcher": {"type": "object", "description": "Feature documentation: {feature: {description, coefficient, url}}."},
            "limit": {"type": "integer"}}}));
    m.insert("YenteSearchResponse".into(), json!({"type": "object", "properties": {
            "limit": {"type": "integer"}, "offset": {"type": "integer"},
            "total": {"type": "object", "properties": {"value": {"type": "integer"}, "relation": {"type": "string"}}},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/YenteEntity"}},
            "facets": {"type": "object"}}}));
    m.insert("YenteCatalog".into(), json!({"type": "object", "properties": {
            "datasets": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "title": {"type": "string"}, "load": {"type": "boolean"}, "version": {"type": "string"},
                "index_version": {"type": ["string", "null"]}, "index_current": {"type": "boolean"}, "children": str_list,
                "entity_count": {"type": "integer"}, "updated_at": {"type": ["string", "null"]}, "type": {"type": "string"}}}},
            "current": str_list, "outdated": str_list, "index_stale": {"type": "boolean"}}}));
    Value::Object(m)
}

/// The OpenAPI document for this configuration (limits appear in the text).
pub fn document(cfg: &ServerConfig) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "screener",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Sanctions and watchlist screening. Native API under /v1; a yente-compatible API under /match, /search, /entities, /catalog. Every error is JSON: {\"error\": code, \"detail\": text}."
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "native", "description": "The screener API."},
            {"name": "yente", "description": "Drop-in for clients of OpenSanctions' yente API."},
            {"name": "admin", "description": "Needs the admin token."},
            {"name": "operations", "description": "Health, readiness, metrics, documentation (no API key needed)."}
        ],
        "security": [{"apiKey": []}, {}],
        "paths": paths(cfg),
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key (SCREENER_API_KEYS), when keys are configured."},
                "adminToken": {"type": "http", "scheme": "bearer", "description": "The admin token (SCREENER_ADMIN_TOKEN)."}
            },
            "schemas": schemas()
        }
    })
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
                html.push_str(&format!("<p>{}</p>", esc_html(description)));
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
                        esc_html(p.get("description").and_then(Value::as_str).unwrap_or(""))
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
    for (tag, ops) in &by_tag {
        body.push_str(&format!(
            "<h2>{}</h2><p class=\"tag\">{}</p>{}",
            esc_html(tag),
            esc_html(&tag_text(tag)),
            ops.join("\n")
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
<h1>screener API</h1><p>{info}</p>\
<p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a> (OpenAPI 3.1). \
API key for the forms below (kept in this page only): <input id=\"key\" type=\"password\" autocomplete=\"off\" size=\"30\"></p>\
{body}<script src=\"/docs/app.js\"></script></body></html>\n",
        info = esc_html(info)
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
    fn every_path_has_responses_and_the_page_lists_it() {
        let doc = document(&ServerConfig::default());
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.len() >= 15);
        for (p, item) in paths {
            for (m, op) in item.as_object().expect("ops") {
                assert!(op.get("responses").is_some(), "{m} {p} has no responses");
                assert!(op.get("summary").is_some(), "{m} {p} has no summary");
            }
        }
        // Every $ref points at a defined schema.
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(schemas.contains_key(&name), "missing schema {name}");
        }
        let page = docs_page(&doc);
        for p in ["/v1/screen", "/match/{dataset}", "/catalog", "/readyz"] {
            assert!(
                page.contains(&format!("<code>{p}</code>")),
                "{p} not on the page"
            );
        }
        assert!(!page.contains("http://") || page.contains("http://127.0.0.1:8080"));
        assert!(
            !page.contains("https://"),
            "the page must not load anything external"
        );
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            esc_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

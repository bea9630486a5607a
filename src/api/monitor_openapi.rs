//! The OpenAPI paths and schemas of the monitoring routes, merged into the
//! document by [`super::openapi::document`].

use serde_json::{Value, json};

fn err(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
}

fn ok(schema: &str, description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn q(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn p(name: &str, description: &str, example: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}, "example": example})
}

fn responses(ok_code: &str, ok_value: Value, extra: &[(&str, &str)]) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(ok_code.into(), ok_value);
    m.insert(
        "401".into(),
        err("API key missing or not valid (when keys are configured)."),
    );
    m.insert(
        "503".into(),
        err("Monitoring is off or starting, no index is loaded, or the database cannot be written (full disk, read-only data directory)."),
    );
    for (c, d) in extra {
        m.insert((*c).into(), err(d));
    }
    Value::Object(m)
}

fn customer_example() -> Value {
    json!({"name": "Viktor Bout", "schema": "Person", "birthDate": "1967-01-13", "countries": ["ru"], "segment": "retail", "tags": ["onboarding-2026"], "metadata": {"crmId": "A-1"}})
}

/// The monitoring paths.
pub fn paths() -> Value {
    let page = || {
        q(
            "limit",
            "Page size (1-1000, default 100).",
            json!({"type": "integer"}),
        )
    };
    let cursor = || {
        q(
            "cursor",
            "The `nextCursor` of the previous page.",
            json!({"type": "string"}),
        )
    };
    json!({
        "/v1/customers": {
            "get": {
                "tags": ["monitor"], "summary": "List customers",
                "description": "Customers by id, with cursor paging.",
                "parameters": [q("segment", "Only this segment.", json!({"type": "string"})), q("tag", "Only customers with this tag.", json!({"type": "string"})),
                    q("risk", "Only this rating.", json!({"type": "string", "enum": ["low", "medium", "high", "prohibited"]})),
                    q("openAlerts", "Only customers with an open or escalated alert.", json!({"type": "boolean"})), cursor(), page()],
                "x-try-url": "/v1/customers?limit=10",
                "responses": responses("200", ok("CustomerPage", "A page of customers."), &[("400", "A bad query parameter.")])
            },
            "post": {
                "tags": ["monitor"], "summary": "Write many customers",
                "description": "Up to 100,000 customers as a JSON array, or one per line as NDJSON (read as it arrives). Each is created or replaced and screened. An id given twice: the last row wins and the id is listed in `duplicates`. A row that cannot be read or has no name gets its `error`; the others are stored. Answered once everything is on disk.",
                "requestBody": {"required": true, "content": {
                    "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Customer"}}, "example": [json!({"id": "c-1", "name": "Viktor Bout"}), json!({"id": "c-2", "name": "Maria Fernandez Lopez", "birthDate": "1985-02-11"})]},
                    "application/x-ndjson": {"schema": {"type": "string"}, "example": "{\"id\": \"c-1\", \"name\": \"Viktor Bout\"}\n"}}},
                "responses": responses("200", ok("BulkReport", "What each row did."), &[("400", "Not a JSON array."), ("413", "More than 100,000 customers or a body over 256 MiB."), ("415", "Neither JSON nor NDJSON."), ("422", "No customer in the request.")])
            }
        },
        "/v1/customers/{id}": {
            "get": {
                "tags": ["monitor"], "summary": "Get a customer",
                "description": "The record, its alerts, its risk rating, when it was last screened and against which list versions.",
                "parameters": [p("id", "Customer id.", "c-1")],
                "responses": responses("200", ok("CustomerView", "The customer."), &[("404", "No such customer.")])
            },
            "put": {
                "tags": ["monitor"], "summary": "Create or replace a customer",
                "description": "Stores the customer and screens it at once (the onboarding check); the answer carries its active alerts, rating and the list versions used. Answered once the write is on disk.",
                "parameters": [p("id", "Customer id (1-200 bytes).", "c-1")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Customer"}, "example": customer_example()}}},
                "responses": responses("201", ok("WriteOutcome", "Created."), &[("200", "Replaced (same body as 201)."), ("400", "Not JSON."), ("422", "No name, a bad field, an unknown field, or an id differing from the path's.")])
            },
            "delete": {
                "tags": ["monitor"], "summary": "Erase a customer",
                "description": "The record is deleted; its alerts close as customer_deleted and lose their explanations. The audit trail holds only the record's digest.",
                "parameters": [p("id", "Customer id.", "c-1")],
                "responses": responses("200", json!({"description": "Deleted."}), &[("404", "No such customer.")])
            }
        },
        "/v1/alerts": {"get": {
            "tags": ["monitor"], "summary": "List alerts",
            "description": "Each pair's current alert, newest first, with the counts per status under the same filters.",
            "parameters": [q("status", "open, escalated, true_match, false_positive, delisted, customer_deleted (repeat or comma-separate).", json!({"type": "string"})),
                q("list", "Only alerts on this list.", json!({"type": "string"})), q("customer", "Only this customer's.", json!({"type": "string"})),
                q("entity", "Only alerts on this listed entity.", json!({"type": "string"})),
                q("since", "Changed at or after this time (RFC 3339).", json!({"type": "string", "format": "date-time"})), cursor(), page()],
            "x-try-url": "/v1/alerts?status=open",
            "responses": responses("200", ok("AlertPage", "A page of alerts with counts."), &[("400", "A bad query parameter.")])
        }},
        "/v1/alerts/{id}": {"get": {
            "tags": ["monitor"], "summary": "Get an alert",
            "description": "The alert, its history of decisions and changes, and the pair's earlier alerts.",
            "parameters": [p("id", "Alert id.", "1")],
            "responses": responses("200", ok("AlertView", "The alert."), &[("404", "No such alert.")])
        }},
        "/v1/alerts/{id}/decision": {"post": {
            "tags": ["monitor"], "summary": "Decide an alert",
            "description": "Records a decision under the caller's API key name. A false_positive holds until the customer's or the listed party's names, birth dates, identifiers or countries change. With four-eyes on, a true_match waits for a second, different analyst.",
            "parameters": [p("id", "Alert id.", "1")],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Decision"}, "example": {"decision": "false_positive", "reason": "different person: passport checked"}}}},
            "responses": responses("200", ok("Alert", "The alert after the decision."), &[("404", "No such alert."), ("409", "The alert is closed, changed meanwhile (revision), or another decision won; four-eyes: the same analyst again."), ("422", "Unknown decision, or no reason.")])
        }},
        "/v1/monitor": {"get": {
            "tags": ["monitor"], "summary": "Monitor state",
            "description": "Ready, writable, list versions the customers are screened against, counts, the last rescreen and the webhook backlog.",
            "x-try-url": "/v1/monitor",
            "responses": responses("200", json!({"description": "The state."}), &[])
        }},
        "/v1/monitor/rescreen": {"post": {
            "tags": ["admin"], "summary": "Rescreen the customers",
            "description": "full=true (default): every customer against the lists now served; full=false: catch up from the versions last screened (a delta). Needs the admin token.",
            "security": [{"adminToken": []}],
            "parameters": [q("full", "Every customer (default true).", json!({"type": "boolean"})), q("wait", "Answer with the report when done.", json!({"type": "boolean"}))],
            "x-try-url": "/v1/monitor/rescreen?wait=true", "x-try-body": "",
            "responses": {"200": ok("RescreenReport", "Done (wait=true)."), "202": {"description": "Started."},
                "401": err("No admin token."), "403": err("Not the admin token."), "503": err("Monitoring off or no index.")}
        }},
        "/v1/audit": {"get": {
            "tags": ["monitor"], "summary": "The audit trail",
            "description": "Records after a sequence number, each with the SHA-256 of the one before and its own. Customer data appears only as digests.",
            "parameters": [q("since", "Records after this sequence number (0: from the start).", json!({"type": "integer"})), page()],
            "x-try-url": "/v1/audit?since=0&limit=20",
            "responses": responses("200", ok("AuditPage", "Records and the next `since`."), &[("400", "A bad query parameter.")])
        }},
        "/v1/webhooks/deliveries": {"get": {
            "tags": ["monitor"], "summary": "Webhook deliveries",
            "description": "Deliveries of events to the configured endpoints, newest first: pending (with the last error and the next attempt), delivered, or failed (given up after max_age_secs).",
            "parameters": [q("status", "pending, delivered or failed.", json!({"type": "string"})), cursor(), page()],
            "x-try-url": "/v1/webhooks/deliveries?status=pending",
            "responses": responses("200", ok("DeliveryPage", "A page of deliveries."), &[("400", "A bad query parameter.")])
        }}
    })
}

/// The monitoring schemas.
pub fn schemas() -> Vec<(&'static str, Value)> {
    let strs = json!({"type": "array", "items": {"type": "string"}});
    let alert = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "customerId": {"type": "string"}, "entityId": {"type": "string"}, "list": {"type": "string"},
        "entityCaption": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "escalated", "true_match", "false_positive", "delisted", "customer_deleted"]},
        "score": {"type": "number"}, "matching": {"type": "boolean", "description": "False once the pair no longer scores at or above the threshold."},
        "explanation": {"type": ["object", "null"], "description": "The matcher's explanation, as in /v1/screen results; null once the customer is erased."},
        "raisedBy": {"type": "string", "description": "list@version that raised the alert."},
        "lastSeenIn": {"type": "string"}, "previousAlertId": {"type": ["integer", "null"]},
        "pendingTrueMatchBy": {"type": ["string", "null"]}, "revision": {"type": "integer"},
        "createdAt": {"type": "string", "format": "date-time"}, "updatedAt": {"type": "string", "format": "date-time"}}});
    let history = json!({"type": "object", "properties": {
        "alertId": {"type": "integer"}, "action": {"type": "string"}, "statusBefore": {"type": ["string", "null"]}, "statusAfter": {"type": "string"},
        "actor": {"type": "string"}, "reason": {"type": ["string", "null"]}, "at": {"type": "string", "format": "date-time"}}});
    vec![
        (
            "Customer",
            json!({"type": "object", "additionalProperties": false, "properties": {
            "id": {"type": "string", "description": "Required in bulk writes; in PUT the path's."},
            "name": {"type": "string"}, "firstName": {"type": "string"}, "middleName": {"type": "string"}, "fatherName": {"type": "string"}, "lastName": {"type": "string"},
            "schema": {"type": "string", "enum": ["Person", "Organization", "Company", "LegalEntity", "Vessel", "Aircraft"]},
            "birthDate": {"type": "string"}, "countries": strs, "identifiers": strs,
            "aliases": {"type": "array", "items": {"type": "string"}, "description": "Each screened like the name."},
            "addresses": strs, "segment": {"type": "string"}, "tags": strs,
            "metadata": {"type": "object", "description": "Kept byte for byte."}}}),
        ),
        (
            "WriteOutcome",
            json!({"type": "object", "properties": {
            "id": {"type": "string"}, "status": {"type": "string", "enum": ["created", "updated", "unchanged", "superseded"]},
            "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}},
            "risk": {"$ref": "#/components/schemas/RiskRating"},
            "listVersions": {"type": "object", "additionalProperties": {"type": "string"}}, "error": {"type": "string"}}}),
        ),
        (
            "BulkReport",
            json!({"type": "object", "properties": {
            "received": {"type": "integer"}, "created": {"type": "integer"}, "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
            "errors": {"type": "integer"}, "duplicates": strs, "alertsOpened": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/WriteOutcome"}}}}),
        ),
        (
            "RiskRating",
            json!({"type": "object", "properties": {
            "level": {"type": "string", "enum": ["low", "medium", "high", "prohibited"]},
            "reasons": {"type": "array", "items": {"type": "object", "properties": {"rule": {"type": "string"}, "level": {"type": "string"}, "detail": {"type": "string"}}}},
            "rules": {"type": "string"}}}),
        ),
        (
            "CustomerView",
            json!({"type": "object", "properties": {
            "id": {"type": "string"}, "record": {"$ref": "#/components/schemas/Customer"}, "revision": {"type": "integer"},
            "createdAt": {"type": "string"}, "updatedAt": {"type": "string"}, "lastScreenedAt": {"type": ["string", "null"]},
            "lastScreenedVersions": {"type": "object", "additionalProperties": {"type": "string"}},
            "monitoredAgainst": {"type": "object", "additionalProperties": {"type": "string"}, "description": "The versions every customer is kept screened against (delta rescreens included)."},
            "risk": {"$ref": "#/components/schemas/RiskRating"},
            "alerts": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/Alert"}}}}),
        ),
        (
            "CustomerPage",
            json!({"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/CustomerView"}}, "nextCursor": {"type": ["string", "null"]}}}),
        ),
        ("Alert", alert),
        ("AlertHistory", history),
        (
            "AlertView",
            json!({"type": "object", "properties": {
            "alert": {"$ref": "#/components/schemas/Alert"},
            "history": {"type": "array", "items": {"$ref": "#/components/schemas/AlertHistory"}},
            "earlier": {"type": "array", "items": {"type": "object"}}}}),
        ),
        (
            "AlertPage",
            json!({"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}, "nextCursor": {"type": ["string", "null"]},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}}),
        ),
        (
            "Decision",
            json!({"type": "object", "required": ["decision", "reason"], "additionalProperties": false, "properties": {
            "decision": {"type": "string", "enum": ["escalate", "true_match", "false_positive"]},
            "reason": {"type": "string", "minLength": 1},
            "revision": {"type": "integer", "description": "The revision the analyst saw; a different one is a 409."}}}),
        ),
        (
            "RescreenReport",
            json!({"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["delta", "full", "none"]},
            "from": {"type": "object"}, "to": {"type": "object"},
            "entitiesAdded": {"type": "integer"}, "entitiesRemoved": {"type": "integer"}, "entitiesChanged": {"type": "integer"},
            "entitiesScreened": {"type": "integer"}, "customersScreened": {"type": "integer"},
            "alertsOpened": {"type": "integer"}, "alertsUpdated": {"type": "integer"}, "alertsDelisted": {"type": "integer"}, "seconds": {"type": "number"}}}),
        ),
        (
            "AuditPage",
            json!({"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "seq": {"type": "integer"}, "at": {"type": "string"}, "kind": {"type": "string"}, "actor": {"type": "string"},
                "subject": {"type": ["string", "null"]}, "payload": {"type": "string", "description": "Compact JSON, as hashed."},
                "prevHash": {"type": "string"}, "hash": {"type": "string"}}}},
            "nextSince": {"type": ["integer", "null"]}}}),
        ),
        (
            "DeliveryPage",
            json!({"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "eventId": {"type": "string"}, "kind": {"type": "string"}, "endpoint": {"type": "string"},
                "customerId": {"type": ["string", "null"]}, "status": {"type": "string", "enum": ["pending", "delivered", "failed"]},
                "attempts": {"type": "integer"}, "lastError": {"type": ["string", "null"]}, "createdAt": {"type": "string"},
                "nextAttemptAt": {"type": ["string", "null"]}, "deliveredAt": {"type": ["string", "null"]}}}},
            "nextCursor": {"type": ["string", "null"]}}}),
        ),
    ]
}

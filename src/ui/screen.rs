//! `/ui/screen`: screen one party by hand. The form is a GET, so a result
//! page's URL can be pasted into a ticket and opened again. The query goes
//! through the same checks and the same matcher call as `POST /v1/screen`.

use super::page::{self, Nav};
use super::{UiError, blocking, field, session};
use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::native::{checked_query, full_entity};
use crate::matching::{Query, ScreenOptions};
use crate::model::Schema;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use std::sync::Arc;

/// Comma-separated values, blanks left out.
fn split(v: Option<&str>) -> Vec<String> {
    v.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn form(q: &[(String, String)], lists: &[String]) -> Markup {
    let v = |k: &str| field(q, k).unwrap_or("").to_string();
    let schema = v("schema");
    html! {
        form.screen method="get" action="/ui/screen" {
            div.fields {
                div.field.wide {
                    label for="name" { "Name" }
                    input #name type="text" name="name" value=(v("name")) maxlength="1000" required dir="auto" autofocus;
                }
                div.field {
                    label for="schema" { "Type" }
                    select #schema name="schema" {
                        option value="" selected[schema.is_empty()] { "Any" }
                        @for s in Schema::ALL {
                            option value=(s.as_str()) selected[schema == s.as_str()] { (s.as_str()) }
                        }
                    }
                }
                div.field {
                    label for="birthDate" { "Birth date" }
                    input #birthDate type="text" name="birthDate" value=(v("birthDate")) placeholder="YYYY-MM-DD" maxlength="100";
                }
                div.field {
                    label for="countries" { "Countries" }
                    input #countries type="text" name="countries" value=(v("countries")) placeholder="ru, by" aria-describedby="countries-hint";
                    small #countries-hint { "Codes or names, comma-separated" }
                }
                div.field {
                    label for="identifiers" { "Identifiers" }
                    input #identifiers type="text" name="identifiers" value=(v("identifiers")) aria-describedby="identifiers-hint";
                    small #identifiers-hint { "Passport, tax or registration numbers, comma-separated" }
                }
                div.field {
                    label for="lists" { "Lists" }
                    input #lists type="text" name="lists" value=(v("lists")) list="known-lists" placeholder="all loaded lists" aria-describedby="lists-hint";
                    small #lists-hint { "List ids or sanctions/default, comma-separated" }
                    datalist #known-lists {
                        option value="sanctions" {}
                        @for l in lists { option value=(l) {} }
                    }
                }
            }
            button type="submit" { "Screen" }
        }
    }
}

/// `GET /ui/screen?name=&schema=&birthDate=&countries=&identifiers=&lists=`.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    let served = state.service.served();
    let loaded: Vec<String> = served
        .as_ref()
        .map(|s| s.lists.keys().cloned().collect())
        .unwrap_or_default();
    let name = field(&q, "name").unwrap_or("").trim().to_string();
    let results = if name.is_empty() {
        html! { p.hint { "Enter a name to screen it against the lists loaded now." } }
    } else {
        let served = state.served().map_err(UiError::from)?;
        let query = Query {
            name,
            schema: field(&q, "schema")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            birth_date: field(&q, "birthDate")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            countries: split(field(&q, "countries")),
            identifiers: split(field(&q, "identifiers")),
            lists: split(field(&q, "lists")),
            ..Query::default()
        };
        let query = checked_query(&state, &served, &ScreenOptions::default(), query)?;
        let worker = Arc::clone(&served);
        let (lists, screening) = blocking(move || {
            let lists = worker.matcher.resolve_lists(&query.lists)?;
            let screening = worker.matcher.screen(&query, &ScreenOptions::default())?;
            Ok::<_, ApiError>((lists, screening))
        })
        .await??;
        let versions = served.versions(lists.as_ref());
        html! {
            p.versions {
                "Searched: "
                @for (i, (l, v)) in versions.iter().enumerate() {
                    @if i > 0 { ", " }
                    span.list { (l) } " " span.version { (v) }
                }
            }
            @for w in &screening.warnings {
                p.warning role="status" { strong { (w.field) } ": " (w.message) }
            }
            @if screening.matches.is_empty() {
                p.clean { "No listed party scored anywhere near this name." }
            }
            ol.cards {
                @for m in &screening.matches {
                    @let entity = full_entity(&served, m);
                    @let explanation = serde_json::to_value(&m.explanation).unwrap_or_default();
                    li.card.hit[m.is_match] {
                        div.card-head {
                            span.score { (page::score(m.score)) }
                            (page::verdict(m.is_match))
                            h2.name dir="auto" { (entity.caption) }
                        }
                        p.meta {
                            (entity.schema.as_str()) " · " (entity.datasets.join(", ")) " · "
                            code { (entity.id) }
                        }
                        (page::explanation(&explanation))
                    }
                }
            }
        }
    };
    let body = html! {
        (form(&q, &loaded))
        section aria-label="Results" { (results) }
    };
    Ok(page::layout("Screen a party", &s, Nav::Screen, body))
}

//! The frame every console page shares (head, navigation, sign-out form),
//! the error page, and the small pieces pages are built from: times, query
//! strings, and the explanation of a score with its aligned name parts.

use super::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use maud::{DOCTYPE, Markup, html};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Screen,
    Alerts,
    Customers,
    Lists,
    Audit,
    None,
}

const SECTIONS: [(Nav, &str, &str); 5] = [
    (Nav::Screen, "/ui/screen", "Screen"),
    (Nav::Alerts, "/ui/alerts", "Alerts"),
    (Nav::Customers, "/ui/customers", "Customers"),
    (Nav::Lists, "/ui/lists", "Lists"),
    (Nav::Audit, "/ui/audit", "Audit"),
];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · screener" }
            link rel="stylesheet" href="/ui/assets/console.css";
            script src="/ui/assets/console.js" defer {}
        }
    }
}

/// A whole page for a signed-in analyst.
pub fn layout(title: &str, session: &Session, nav: Nav, body: Markup) -> HttpResponse {
    render(StatusCode::OK, title, session, nav, body)
}

/// [`layout`] with another status (a refused decision is 409).
pub fn render(
    status: StatusCode,
    title: &str,
    session: &Session,
    nav: Nav,
    body: Markup,
) -> HttpResponse {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    span.brand { "screener" }
                    nav aria-label="Sections" {
                        ul {
                            @for (n, href, label) in SECTIONS {
                                li {
                                    @if n == nav {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    form.signout method="post" action="/ui/sign-out" {
                        input type="hidden" name="csrf" value=(session.csrf);
                        span.who { "Signed in as " strong { (session.analyst) } }
                        button type="submit" { "Sign out" }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    html_response(status, markup)
}

/// A page with no navigation (sign-in, errors).
pub fn bare(status: StatusCode, title: &str, body: Markup) -> HttpResponse {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                main #main.narrow {
                    p.brand { "screener" }
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    html_response(status, markup)
}

fn html_response(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// The page of an error, with a way back.
pub fn error_page(
    status: StatusCode,
    title: &str,
    message: &str,
    back: &str,
    back_label: &str,
) -> HttpResponse {
    bare(
        status,
        title,
        html! {
            p.error role="alert" { (message) }
            p { a href=(back) { (back_label) } }
        },
    )
}

/// A time as UTC text in a `<time>` element (the script shows it in the
/// analyst's time zone, UTC on hover).
pub fn when(t: OffsetDateTime) -> Markup {
    let iso = t.format(&Rfc3339).unwrap_or_default();
    let shown = format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    );
    html! { time datetime=(iso) title=(shown) { (shown) } }
}

/// [`when`] for an RFC 3339 string (shown as it is when it is not one).
pub fn when_text(s: &str) -> Markup {
    match OffsetDateTime::parse(s, &Rfc3339) {
        Ok(t) => when(t),
        Err(_) => html! { (s) },
    }
}

/// How long ago, in words ("3 d", "5 h").
pub fn age(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (now - t).whole_seconds().max(0);
    match secs {
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

/// A query string from pairs, empty values left out.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            q.append_pair(k, v);
        }
    }
    q.finish()
}

/// One path segment, percent-encoded (customer ids can hold anything).
pub fn segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn str_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// How a token pair matched, in words (`exact`, `fuzzy (1 edit)`).
fn how(v: &Value) -> String {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, inner)| match inner.get("distance") {
                Some(d) => format!("{k} ({} edit)", str_of(d)),
                None => k.clone(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => str_of(other),
    }
}

/// One side of the alignment: every token, the ones that met a token on
/// the other side highlighted.
fn aligned(form: &str, matched: &[String]) -> Markup {
    html! {
        span.aligned dir="auto" {
            @for (i, tok) in form.split_whitespace().enumerate() {
                @if i > 0 { " " }
                @if matched.iter().any(|m| m == tok) {
                    mark { (tok) }
                } @else {
                    span.unmatched { (tok) }
                }
            }
        }
    }
}

/// What a scoring feature did to a pair: agrees (raised the score),
/// conflicts (lowered it), or was not compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    Agrees,
    Conflicts,
    Neutral,
    NotCompared,
}

/// The agreement the explanation records for one of the features.
pub fn agreement(explanation: Option<&Value>, features: &[&str]) -> (Agreement, String) {
    let quals = explanation
        .and_then(|e| e.get("qualifiers"))
        .and_then(Value::as_array);
    for q in quals.into_iter().flatten() {
        let feature = q.get("feature").map(str_of).unwrap_or_default();
        if features.contains(&feature.as_str()) {
            let effect = q.get("effect").and_then(Value::as_f64).unwrap_or(0.0);
            let detail = q.get("detail").map(str_of).unwrap_or_default();
            let a = if effect > 0.0 {
                Agreement::Agrees
            } else if effect < 0.0 {
                Agreement::Conflicts
            } else {
                Agreement::Neutral
            };
            return (a, detail);
        }
    }
    (Agreement::NotCompared, String::new())
}

/// The badge of an [`Agreement`].
pub fn agreement_badge(a: Agreement, detail: &str) -> Markup {
    let (class, label) = match a {
        Agreement::Agrees => ("agree", "agrees"),
        Agreement::Conflicts => ("conflict", "conflicts"),
        Agreement::Neutral => ("neutral", "compared"),
        Agreement::NotCompared => ("none", "not compared"),
    };
    html! {
        span class={ "badge " (class) } title=(detail) { (label) }
        @if !detail.is_empty() { " " span.detail { (detail) } }
    }
}

/// An explanation (as `/v1/screen` and alerts carry it): the sentence, the
/// aligned name parts highlighted on both sides, and the features.
pub fn explanation(e: &Value) -> Markup {
    let tokens: Vec<&Value> = e
        .get("tokens")
        .and_then(Value::as_array)
        .map(|t| t.iter().collect())
        .unwrap_or_default();
    let q_matched: Vec<String> = tokens.iter().map(|t| str_of(&t["query"])).collect();
    let l_matched: Vec<String> = tokens.iter().map(|t| str_of(&t["listed"])).collect();
    let quals: Vec<&Value> = e
        .get("qualifiers")
        .and_then(Value::as_array)
        .map(|q| q.iter().collect())
        .unwrap_or_default();
    html! {
        div.explanation {
            p.summary dir="auto" { (str_of(&e["summary"])) }
            dl.alignment {
                dt { "Query" }
                dd { (aligned(&str_of(&e["queryForm"]), &q_matched)) }
                dt { "Listed " (str_of(&e["matchedProperty"])) }
                dd { (aligned(&str_of(&e["listedForm"]), &l_matched)) }
            }
            @if !tokens.is_empty() {
                details {
                    summary { "Name parts" }
                    table.tokens {
                        thead { tr { th scope="col" { "Query" } th scope="col" { "Listed" } th scope="col" { "How" } th scope="col" { "Similarity" } } }
                        tbody {
                            @for t in &tokens {
                                tr {
                                    td dir="auto" { (str_of(&t["query"])) }
                                    td dir="auto" { (str_of(&t["listed"])) }
                                    td { (how(&t["how"])) }
                                    td { (format!("{:.2}", t["similarity"].as_f64().unwrap_or(0.0))) }
                                }
                            }
                        }
                    }
                }
            }
            @if !quals.is_empty() {
                ul.features {
                    @for q in &quals {
                        @let effect = q["effect"].as_f64().unwrap_or(0.0);
                        li {
                            span.feature { (str_of(&q["feature"])) }
                            " "
                            span class=(if effect > 0.0 { "up" } else if effect < 0.0 { "down" } else { "flat" }) {
                                (format!("{effect:+.2}"))
                            }
                            " " (str_of(&q["detail"]))
                        }
                    }
                }
            }
        }
    }
}

/// The verdict of a score against its threshold.
pub fn verdict(is_match: bool) -> Markup {
    if is_match {
        html! { span.badge.hit { "match" } }
    } else {
        html! { span.badge.miss { "below threshold" } }
    }
}

/// A score as a number with two decimals.
pub fn score(s: f64) -> String {
    format!("{s:.2}")
}

//! Prometheus metrics, kept in process and written in the Prometheus text
//! exposition format (version 0.0.4) by hand: HTTP requests and latency per
//! route, screenings and alerts per API, and per list its version, entity
//! count, age and refresh failures, plus the state of the served index.

use crate::service::Service;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use time::OffsetDateTime;

/// Latency histogram bucket bounds, seconds.
const BUCKETS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Which API a screening came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Screen,
    Batch,
    Ndjson,
    Match,
    Search,
}

impl Api {
    const ALL: [Api; 5] = [
        Api::Screen,
        Api::Batch,
        Api::Ndjson,
        Api::Match,
        Api::Search,
    ];

    fn label(self) -> &'static str {
        match self {
            Api::Screen => "screen",
            Api::Batch => "batch",
            Api::Ndjson => "ndjson",
            Api::Match => "match",
            Api::Search => "search",
        }
    }

    fn idx(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Count per bucket (not cumulative); the last slot is +Inf.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, v: f64) {
        let slot = BUCKETS
            .iter()
            .position(|b| v <= *b)
            .unwrap_or(BUCKETS.len());
        if let Some(c) = self.counts.get_mut(slot) {
            *c += 1;
        }
        self.sum += v;
        self.count += 1;
    }
}

#[derive(Debug, Default)]
struct Http {
    requests: BTreeMap<(String, &'static str, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The metrics registry of one server.
#[derive(Debug, Default)]
pub struct Metrics {
    http: Mutex<Http>,
    screenings: [AtomicU64; 5],
    alerts: [AtomicU64; 5],
    in_flight: AtomicU64,
}

fn method_label(m: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Escapes a label value.
fn esc(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else if v.is_nan() {
        "NaN".into()
    } else if v > 0.0 {
        "+Inf".into()
    } else {
        "-Inf".into()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Records one finished request. `route` is the matched route pattern
    /// (bounded cardinality), never the raw path.
    pub fn observe_request(
        &self,
        route: &str,
        method: &actix_web::http::Method,
        status: u16,
        elapsed: Duration,
    ) {
        let mut http = self.http.lock().unwrap_or_else(|p| p.into_inner());
        *http
            .requests
            .entry((route.to_string(), method_label(method), status))
            .or_default() += 1;
        http.latency
            .entry(route.to_string())
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// Records screenings and how many of them alerted.
    pub fn screened(&self, api: Api, screenings: u64, alerts: u64) {
        if let Some(c) = self.screenings.get(api.idx()) {
            c.fetch_add(screenings, Ordering::Relaxed);
        }
        if let Some(c) = self.alerts.get(api.idx()) {
            c.fetch_add(alerts, Ordering::Relaxed);
        }
    }

    pub fn enter(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    pub fn leave(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    /// Screenings counted so far for an API.
    pub fn screenings(&self, api: Api) -> u64 {
        self.screenings
            .get(api.idx())
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// The whole exposition text.
    pub fn render(&self, service: &Service) -> String {
        let mut out = String::with_capacity(8192);
        self.render_http(&mut out);
        self.render_screening(&mut out);
        render_service(&mut out, service);
        out
    }

    fn render_http(&self, out: &mut String) {
        let http = self.http.lock().unwrap_or_else(|p| p.into_inner());
        header(
            out,
            "screener_http_requests_total",
            "counter",
            "HTTP requests by route pattern, method and status.",
        );
        for ((route, method, status), n) in &http.requests {
            let _ = writeln!(
                out,
                "screener_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                esc(route)
            );
        }
        header(
            out,
            "screener_http_request_duration_seconds",
            "histogram",
            "Time to the response head by route pattern (streamed bodies continue after).",
        );
        for (route, h) in &http.latency {
            let r = esc(route);
            let mut cumulative = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                cumulative += h.counts.get(i).copied().unwrap_or(0);
                let _ = writeln!(
                    out,
                    "screener_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "screener_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "screener_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                num(h.sum)
            );
            let _ = writeln!(
                out,
                "screener_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
        header(
            out,
            "screener_http_requests_in_flight",
            "gauge",
            "Requests being handled now.",
        );
        let _ = writeln!(
            out,
            "screener_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
    }

    fn render_screening(&self, out: &mut String) {
        header(
            out,
            "screener_screenings_total",
            "counter",
            "Parties screened, by API.",
        );
        for api in Api::ALL {
            let _ = writeln!(
                out,
                "screener_screenings_total{{api=\"{}\"}} {}",
                api.label(),
                self.screenings(api)
            );
        }
        header(
            out,
            "screener_alerts_total",
            "counter",
            "Screenings with at least one result at or above the threshold, by API.",
        );
        for api in Api::ALL {
            let n = self
                .alerts
                .get(api.idx())
                .map_or(0, |c| c.load(Ordering::Relaxed));
            let _ = writeln!(out, "screener_alerts_total{{api=\"{}\"}} {n}", api.label());
        }
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn render_service(out: &mut String, service: &Service) {
    let served = service.served();
    let now = OffsetDateTime::now_utc();
    header(
        out,
        "screener_ready",
        "gauge",
        "1 when an index is loaded and screening is possible.",
    );
    let _ = writeln!(out, "screener_ready {}", u8::from(served.is_some()));
    header(
        out,
        "screener_uptime_seconds",
        "gauge",
        "Seconds since the service started.",
    );
    let _ = writeln!(
        out,
        "screener_uptime_seconds {}",
        num(service.uptime().as_secs_f64())
    );
    header(
        out,
        "screener_index_generation",
        "gauge",
        "Generation of the served index (counts swaps).",
    );
    let _ = writeln!(
        out,
        "screener_index_generation {}",
        served.as_ref().map_or(0, |s| s.generation)
    );
    header(
        out,
        "screener_index_entities",
        "gauge",
        "Entities in the served index.",
    );
    let _ = writeln!(
        out,
        "screener_index_entities {}",
        served.as_ref().map_or(0, |s| s.matcher.index().len())
    );
    header(
        out,
        "screener_index_age_seconds",
        "gauge",
        "Seconds since the served index was built.",
    );
    if let Some(s) = &served {
        let _ = writeln!(
            out,
            "screener_index_age_seconds {}",
            num((now - s.built_at).as_seconds_f64().max(0.0))
        );
    }
    let counters = service.counters();
    header(
        out,
        "screener_index_builds_total",
        "counter",
        "Index builds swapped in.",
    );
    let _ = writeln!(out, "screener_index_builds_total {}", counters.builds);
    header(
        out,
        "screener_index_build_failures_total",
        "counter",
        "Index builds that failed (the old index stayed).",
    );
    let _ = writeln!(
        out,
        "screener_index_build_failures_total {}",
        counters.build_failures
    );
    header(
        out,
        "screener_index_build_seconds",
        "gauge",
        "Duration of the last index build.",
    );
    let _ = writeln!(
        out,
        "screener_index_build_seconds {}",
        num(counters.last_build_seconds)
    );
    header(
        out,
        "screener_refresh_running",
        "gauge",
        "1 while a refresh or index build runs.",
    );
    let _ = writeln!(
        out,
        "screener_refresh_running {}",
        u8::from(service.refreshing())
    );

    if let Some(s) = &served {
        header(
            out,
            "screener_list_info",
            "gauge",
            "The list version in the served index (value always 1).",
        );
        for (id, v) in &s.lists {
            let _ = writeln!(
                out,
                "screener_list_info{{list=\"{}\",version=\"{}\",published=\"{}\"}} 1",
                esc(id),
                esc(&v.version),
                esc(v.published.as_deref().unwrap_or(""))
            );
        }
        header(
            out,
            "screener_list_entities",
            "gauge",
            "Entities of each list in the served index.",
        );
        for (id, v) in &s.lists {
            let _ = writeln!(
                out,
                "screener_list_entities{{list=\"{}\"}} {}",
                esc(id),
                v.entities
            );
        }
        header(
            out,
            "screener_list_age_seconds",
            "gauge",
            "Seconds since the served version of each list was fetched.",
        );
        for (id, v) in &s.lists {
            if let Some(at) = v.fetched_at {
                let _ = writeln!(
                    out,
                    "screener_list_age_seconds{{list=\"{}\"}} {}",
                    esc(id),
                    num((now - at).as_seconds_f64().max(0.0))
                );
            }
        }
    }
    header(
        out,
        "screener_list_pending_info",
        "gauge",
        "A newer current version of a list than the one served (published by another replica, or imported), until it is swapped in (value always 1).",
    );
    for (id, version) in service.pending() {
        let _ = writeln!(
            out,
            "screener_list_pending_info{{list=\"{}\",version=\"{}\"}} 1",
            esc(&id),
            esc(&version)
        );
    }
    let runtime = service.runtime();
    header(
        out,
        "screener_list_refresh_failures_total",
        "counter",
        "Failed refreshes per list (download, parse, validation or load).",
    );
    for (id, r) in &runtime {
        let _ = writeln!(
            out,
            "screener_list_refresh_failures_total{{list=\"{}\"}} {}",
            esc(id),
            r.refresh_failures
        );
    }
    header(
        out,
        "screener_list_refresh_updates_total",
        "counter",
        "Refreshes that stored a new version, per list.",
    );
    for (id, r) in &runtime {
        let _ = writeln!(
            out,
            "screener_list_refresh_updates_total{{list=\"{}\"}} {}",
            esc(id),
            r.refresh_updates
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_in_output() {
        let m = Metrics::new();
        let get = actix_web::http::Method::GET;
        m.observe_request("/v1/screen", &get, 200, Duration::from_micros(300));
        m.observe_request("/v1/screen", &get, 200, Duration::from_millis(3));
        m.observe_request("/v1/screen", &get, 422, Duration::from_secs(60));
        let mut out = String::new();
        m.render_http(&mut out);
        assert!(out.contains(
            "screener_http_requests_total{route=\"/v1/screen\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(out.contains("le=\"0.0005\"} 1"));
        assert!(out.contains("le=\"0.005\"} 2"));
        assert!(out.contains("le=\"30\"} 2"));
        assert!(out.contains("le=\"+Inf\"} 3"));
        assert!(
            out.contains("screener_http_request_duration_seconds_count{route=\"/v1/screen\"} 3")
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(esc("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}

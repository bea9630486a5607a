//! Load generator for the HTTP API: `POST /v1/screen` with real query names
//! (the dev sets in `../shared/eval/dev`) from many connections for a fixed
//! time, then requests/s, latency percentiles and errors. Bounded and
//! loopback only: it refuses any host but 127.0.0.1, ::1 and localhost, stops
//! after the given seconds (at most 600) and after at most 5 million requests.
//!
//! By default it starts the service in this process on a free loopback port,
//! serving every default list of `../shared/lists-raw` (so client and server
//! share the machine, as they would on a one-box deployment). With `--url` it
//! drives a server that is already running.
//!
//! ```text
//! cargo bench --bench load -- [--seconds 10] [--connections 64] [--rate 2000] [--refresh]
//!                             [--payments] [--records]
//!                             [--url http://127.0.0.1:8080 --admin-token T --server-pid PID]
//! ```
//! `--payments` sends payment messages to `POST /v1/screen/payment` instead
//! (typical pacs.008 messages, see `benches/support/payment_messages.rs`).
//! `--records` asks `/v1/screen?results=records` (one result per list
//! record, no folding into parties) instead of the default merged results.
//! `--rate` offers a fixed load (requests/s over all connections, each
//! request's latency counted from its due time when its connection was
//! still busy then, else from its send); without it every
//! connection sends its next request as soon as the last is answered.
//! `--refresh` forces `POST /v1/admin/refresh?rebuild=true&wait=true` halfway
//! through and reports the requests that failed around the index swap and the
//! server's resident memory before and after (read from /proc).

#[path = "support/payment_messages.rs"]
mod payment_messages;

use screener::api::config::{Secret, ServerConfig};
use screener::api::{AppState, start_server};
use screener::service::{ManifestSource, RefreshSettings, Service};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const MAX_SECONDS: u64 = 600;
const MAX_REQUESTS: u64 = 5_000_000;
const ADMIN_TOKEN: &str = "load-generator-admin-token";

#[derive(Debug)]
struct Options {
    seconds: u64,
    connections: usize,
    /// Offered load in requests/s over all connections (open loop); `None`
    /// sends as fast as answers come back (closed loop).
    rate: Option<f64>,
    refresh: bool,
    /// Payment messages to /v1/screen/payment instead of names to /v1/screen.
    payments: bool,
    /// `/v1/screen?results=records`: results not folded into parties.
    records: bool,
    url: Option<String>,
    admin_token: Option<String>,
    server_pid: Option<u32>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        seconds: 10,
        connections: 64,
        rate: None,
        refresh: false,
        payments: false,
        records: false,
        url: None,
        admin_token: None,
        server_pid: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--seconds" => {
                o.seconds = value("--seconds")?
                    .parse()
                    .map_err(|_| "--seconds: not a number")?
            }
            "--connections" => {
                o.connections = value("--connections")?
                    .parse()
                    .map_err(|_| "--connections: not a number")?
            }
            "--rate" => {
                let r: f64 = value("--rate")?
                    .parse()
                    .map_err(|_| "--rate: not a number")?;
                if !(r > 0.0 && r <= 1_000_000.0) {
                    return Err("--rate must be in (0, 1000000]".into());
                }
                o.rate = Some(r);
            }
            "--refresh" => o.refresh = true,
            "--payments" => o.payments = true,
            "--records" => o.records = true,
            "--url" => o.url = Some(value("--url")?),
            "--admin-token" => o.admin_token = Some(value("--admin-token")?),
            "--server-pid" => {
                o.server_pid = Some(
                    value("--server-pid")?
                        .parse()
                        .map_err(|_| "--server-pid: not a number")?,
                )
            }
            // `cargo bench` passes --bench; filters are ignored.
            _ => {}
        }
    }
    if o.seconds == 0 || o.seconds > MAX_SECONDS {
        return Err(format!("--seconds must be 1..={MAX_SECONDS}"));
    }
    if o.connections == 0 || o.connections > 1024 {
        return Err("--connections must be 1..=1024".into());
    }
    if let Some(u) = &o.url {
        let host = u
            .strip_prefix("http://")
            .ok_or("--url must be http://<loopback>:<port>")?
            .split('/')
            .next()
            .unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(format!("refusing non-loopback host '{host}'"));
        }
    }
    Ok(o)
}

/// Query bodies from the dev sets: listed-name variations and innocent names.
fn queries() -> Result<Vec<String>, String> {
    let dev = screener::eval::default_dev_dir_for_tests();
    let mut out = Vec::new();
    for (file, every) in [
        ("positives_ofac.csv", 1),
        ("negatives_faker.csv", 4),
        ("cross_script.csv", 1),
    ] {
        let path = dev.join(file);
        let mut rdr =
            csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
        let col = |n: &str| headers.iter().position(|h| h == n);
        let name = col("query_name").ok_or_else(|| format!("{file}: no query_name column"))?;
        let schema = col("schema");
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| e.to_string())?;
            if i % every != 0 {
                continue;
            }
            let mut q = serde_json::json!({ "name": rec.get(name).unwrap_or_default() });
            if let Some(s) = schema.and_then(|c| rec.get(c)).filter(|s| !s.is_empty()) {
                q["schema"] = s.into();
            }
            out.push(q.to_string());
        }
    }
    if out.is_empty() {
        return Err("no queries in the dev sets".into());
    }
    Ok(out)
}

fn rss_kib(pid: Option<u32>) -> Option<u64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".to_string(),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Starts the service in this process; returns its base URL.
fn start_in_process(workers: usize) -> Result<(String, actix_web::dev::ServerHandle), String> {
    let manifest = screener::eval::default_manifest_for_tests();
    let source = ManifestSource::open(&manifest).map_err(|e| e.to_string())?;
    let service = Arc::new(Service::new(
        Arc::new(source),
        RefreshSettings {
            enabled: false,
            ..RefreshSettings::default()
        },
    ));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let err_tx = tx.clone();
        let result = actix_web::rt::System::new().block_on(async move {
            let t = Instant::now();
            let report = service.load_initial().await;
            if !report.rebuilt {
                return Err(format!("index not built: {report:?}"));
            }
            eprintln!(
                "index: {} entities built in {:.1} s",
                service.served().map_or(0, |s| s.matcher.index().len()),
                t.elapsed().as_secs_f64()
            );
            let cfg = ServerConfig {
                workers: Some(workers),
                admin_token: Some(Secret::new(ADMIN_TOKEN)),
                ..ServerConfig::default()
            };
            let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let server =
                start_server(AppState::new(service, cfg), listener).map_err(|e| e.to_string())?;
            let _ = tx.send(Ok((format!("http://{addr}"), server.handle())));
            server.await.map_err(|e| e.to_string())
        });
        if let Err(e) = result {
            let _ = err_tx.send(Err(e));
        }
    });
    rx.recv_timeout(Duration::from_secs(300))
        .map_err(|_| "the server did not start within 300 s".to_string())?
}

#[derive(Default)]
struct Tally {
    /// (start offset µs, latency µs, ok)
    samples: Vec<(u64, u32, bool)>,
    errors: Vec<String>,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or(0) as f64 / 1000.0
}

fn summarize(label: &str, samples: &[(u64, u32, bool)], seconds: f64) {
    let mut lat: Vec<u32> = samples.iter().filter(|s| s.2).map(|s| s.1).collect();
    lat.sort_unstable();
    let errors = samples.iter().filter(|s| !s.2).count();
    println!(
        "{label:<16} {:>8} requests {:>9.1} req/s   p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms  errors {errors}",
        samples.len(),
        samples.len() as f64 / seconds.max(1e-9),
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0) as f64 / 1000.0,
    );
}

fn main() {
    if let Err(e) = run() {
        eprintln!("load: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let opts = parse_args()?;
    let (bodies, route, content_type) = if opts.payments {
        let names = payment_messages::names();
        let messages = (0..2000)
            .map(|i| payment_messages::pacs008(i, &names))
            .collect();
        (messages, "/v1/screen/payment", "application/xml")
    } else {
        let route = if opts.records {
            "/v1/screen?results=records"
        } else {
            "/v1/screen"
        };
        (queries()?, route, "application/json")
    };
    let bodies = Arc::new(bodies);
    let (base, handle, admin_token, pid) = match &opts.url {
        Some(u) => (
            u.trim_end_matches('/').to_string(),
            None,
            opts.admin_token.clone(),
            opts.server_pid,
        ),
        None => {
            let (u, h) = start_in_process(2)?;
            (u, Some(h), Some(ADMIN_TOKEN.to_string()), None)
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    println!(
        "load: {} connections for {} s against {base}{route} ({} distinct bodies), {}{}",
        opts.connections,
        opts.seconds,
        bodies.len(),
        match opts.rate {
            Some(r) => format!("offered {r} req/s"),
            None => "closed loop".to_string(),
        },
        if opts.refresh {
            ", forced refresh halfway"
        } else {
            ""
        }
    );
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(opts.connections)
            // Drop idle connections before the server would (its first-request
            // and keep-alive timeouts), so no request races a closing socket.
            .pool_idle_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        // Warm up: the server must answer.
        let ready = client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !ready.status().is_success() {
            return Err(format!("{base}/readyz answered {}", ready.status()));
        }
        // One request first: payment screening builds its lookup tables on
        // the first message of an index generation (about 0.2 s).
        let warm = client
            .post(format!("{base}{route}"))
            .header("content-type", content_type)
            .body(bodies[0].clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !warm.status().is_success() {
            return Err(format!("{base}{route} answered {}", warm.status()));
        }
        let start = Instant::now();
        let deadline = start + Duration::from_secs(opts.seconds);
        let next = Arc::new(AtomicUsize::new(0));
        let sent = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        let (connections, rate) = (opts.connections, opts.rate);
        for conn in 0..opts.connections {
            let (client, base, bodies, next, sent, stop) = (
                client.clone(),
                base.clone(),
                Arc::clone(&bodies),
                Arc::clone(&next),
                Arc::clone(&sent),
                Arc::clone(&stop),
            );
            tasks.push(tokio::spawn(async move {
                let mut tally = Tally::default();
                let mut round = 0u64;
                while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                    if sent.fetch_add(1, Ordering::Relaxed) >= MAX_REQUESTS {
                        break;
                    }
                    let body = bodies[next.fetch_add(1, Ordering::Relaxed) % bodies.len()].clone();
                    // Open loop: each request has its due time. When the
                    // connection is still busy at that time (a slow answer),
                    // the latency counts from the due time, so the delay is
                    // charged to the server too (no coordinated omission).
                    // When the connection is idle, it counts from the send:
                    // tokio's timer wakes up to a millisecond late, and that
                    // lateness is the generator's, not the server's.
                    let t0 = match rate {
                        Some(rate) => {
                            let slot = round * connections as u64 + conn as u64;
                            round += 1;
                            let due = start + Duration::from_secs_f64(slot as f64 / rate);
                            if due >= deadline {
                                break;
                            }
                            if Instant::now() < due {
                                tokio::time::sleep_until(due.into()).await;
                                Instant::now()
                            } else {
                                due
                            }
                        }
                        None => Instant::now(),
                    };
                    let res = client
                        .post(format!("{base}{route}"))
                        .header("content-type", content_type)
                        .body(body)
                        .send()
                        .await;
                    let ok = match res {
                        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                        Ok(r) => {
                            let status = r.status();
                            let text = r.text().await.unwrap_or_default();
                            if tally.errors.len() < 5 {
                                tally.errors.push(format!(
                                    "{status}: {}",
                                    text.chars().take(200).collect::<String>()
                                ));
                            }
                            false
                        }
                        Err(e) => {
                            if tally.errors.len() < 5 {
                                let mut msg = e.to_string();
                                let mut src = std::error::Error::source(&e);
                                while let Some(s) = src {
                                    msg.push_str(&format!(": {s}"));
                                    src = s.source();
                                }
                                tally.errors.push(msg);
                            }
                            false
                        }
                    };
                    let offset = t0.duration_since(start).as_micros() as u64;
                    let micros = t0.elapsed().as_micros().min(u32::MAX as u128) as u32;
                    tally.samples.push((offset, micros, ok));
                }
                tally
            }));
        }
        let mut refresh_window = None;
        let mut rss = (None, None);
        if opts.refresh {
            tokio::time::sleep(Duration::from_secs(opts.seconds) / 2).await;
            rss.0 = rss_kib(pid);
            let from = start.elapsed();
            let mut req = client
                .post(format!("{base}/v1/admin/refresh?rebuild=true&wait=true"))
                .timeout(Duration::from_secs(300));
            if let Some(t) = &admin_token {
                req = req.header("authorization", format!("Bearer {t}"));
            }
            match req.send().await {
                Ok(r) => {
                    let status = r.status();
                    let text = r.text().await.unwrap_or_default();
                    println!(
                        "refresh: {status} {}",
                        text.chars().take(300).collect::<String>()
                    );
                }
                Err(e) => println!("refresh: request failed: {e}"),
            }
            refresh_window = Some((from, start.elapsed()));
        }
        let mut all = Vec::new();
        let mut errors = Vec::new();
        for t in tasks {
            let tally = t.await.map_err(|e| e.to_string())?;
            all.extend(tally.samples);
            errors.extend(tally.errors);
        }
        stop.store(true, Ordering::Relaxed);
        let elapsed = start.elapsed().as_secs_f64();
        summarize("all", &all, elapsed);
        if let Some((from, to)) = refresh_window {
            let (a, b) = (from.as_micros() as u64, to.as_micros() as u64);
            let during: Vec<_> = all
                .iter()
                .copied()
                .filter(|s| s.0 >= a && s.0 <= b)
                .collect();
            summarize("during refresh", &during, (to - from).as_secs_f64());
            println!(
                "refresh took {:.2} s; failed requests during it: {}",
                (to - from).as_secs_f64(),
                during.iter().filter(|s| !s.2).count()
            );
            rss.1 = rss_kib(pid);
            match rss {
                (Some(before), Some(after)) => println!(
                    "server RSS before refresh {:.1} MiB, after {:.1} MiB{}",
                    before as f64 / 1024.0,
                    after as f64 / 1024.0,
                    if pid.is_none() {
                        " (this process: server and client)"
                    } else {
                        ""
                    }
                ),
                _ => println!("server RSS: unknown (give --server-pid for an external server)"),
            }
        }
        for e in errors.iter().take(10) {
            println!("error: {e}");
        }
        Ok(())
    })?;
    if let Some(h) = handle {
        // Stop the in-process server.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(h.stop(true));
    }
    Ok(())
}

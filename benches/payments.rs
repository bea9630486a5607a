//! Payment screening speed with every default list of `../shared/lists-raw`
//! loaded: a typical pacs.008 (eight parties, addresses, IBANs, one
//! remittance line; names from the dev sets, one message in 25 with a listed
//! name) parsed and screened in process, and one 140-character free-text
//! field on its own. Prints the distribution of single calls (median, p90,
//! p99, max), then criterion's mean.
//!
//! Run: `cargo bench --bench payments` (set SCREENER_SHARED to point
//! elsewhere). Over HTTP: `cargo bench --bench load -- --payments`.

#[path = "support/payment_messages.rs"]
mod payment_messages;

use criterion::{Criterion, criterion_group, criterion_main};
use screener::matching::Matcher;
use screener::payments::model::{Format, FreeText, Message, Role, Transaction};
use screener::payments::{PaymentScreener, Rules, Verdict, screen_message};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

fn distribution(label: &str, mut micros: Vec<f64>) {
    micros.sort_by(f64::total_cmp);
    let at = |p: f64| micros[((micros.len() - 1) as f64 * p).round() as usize];
    eprintln!(
        "{label}: n={} median={:.0} µs p90={:.0} µs p99={:.0} µs max={:.0} µs",
        micros.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

fn free_text_message(text: &str) -> Message {
    let mut tx = Transaction::new("/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]");
    tx.free_text.push(FreeText {
        role: Role::RemittanceInformation,
        value: text.to_string(),
        path: "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/RmtInf/Ustrd[1]".into(),
    });
    Message {
        format: Format::Iso20022,
        message_type: "pacs.008.001.08".into(),
        id: None,
        parties: Vec::new(),
        transactions: vec![tx],
        warnings: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let manifest = screener::eval::default_manifest_for_tests();
    let index = Arc::new(screener::eval::index_manifest_defaults(&manifest).expect("lists load"));
    let matcher = Matcher::new(index);
    let rules = Rules::builtin();
    let t = Instant::now();
    let _ = screener::payments::lookups::Lookups::of(matcher.index());
    eprintln!(
        "payment lookup tables (BICs, IMO numbers, name phrases) built in {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let names = payment_messages::names();
    let messages: Vec<String> = (0..2000)
        .map(|i| payment_messages::pacs008(i, &names))
        .collect();
    let texts: Vec<String> = (0..1000)
        .map(|i| payment_messages::remittance_140(i, &names))
        .collect();
    let rounds: usize = std::env::var("SCREENER_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);

    // Warm-up round (thread caches, the tables above).
    let mut holds = 0usize;
    for m in &messages {
        let r = screen_message(&matcher, &rules, m.as_bytes()).expect("screens");
        holds += usize::from(r.verdict == Verdict::Hold);
    }
    eprintln!(
        "pacs.008 mix: {} messages, {holds} held ({} bytes each on average)",
        messages.len(),
        messages.iter().map(String::len).sum::<usize>() / messages.len()
    );
    let mut micros = Vec::new();
    let start = Instant::now();
    for _ in 0..rounds {
        for m in &messages {
            let t = Instant::now();
            black_box(screen_message(&matcher, &rules, m.as_bytes()).ok());
            micros.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    let rate = micros.len() as f64 / start.elapsed().as_secs_f64();
    distribution(
        "pacs.008 (8 parties + remittance), parse and screen, single calls",
        micros,
    );
    eprintln!("pacs.008 one after another: {rate:.0} messages/s");

    let screener = PaymentScreener::new(&matcher, &rules).expect("rules");
    let parsed: Vec<Message> = texts.iter().map(|t| free_text_message(t)).collect();
    for m in &parsed {
        black_box(screener.screen(m).ok());
    }
    let mut micros = Vec::new();
    for _ in 0..rounds {
        for m in &parsed {
            let t = Instant::now();
            black_box(screener.screen(m).ok());
            micros.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    distribution("free-text field of 140 characters, single calls", micros);

    let mut i = 0usize;
    c.bench_function("payment_pacs008_mixed", |b| {
        b.iter(|| {
            let m = &messages[i % messages.len()];
            i += 1;
            black_box(screen_message(&matcher, &rules, m.as_bytes()).ok())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(100);
    targets = bench
}
criterion_main!(benches);

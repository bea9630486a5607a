//! Webhook delivery from the outbox. Every alert change, list update and
//! rescreen queues one delivery per configured endpoint in the same
//! transaction as the change (see [`super::store::Tx::enqueue_event`]); this
//! worker posts them, signed with HMAC-SHA256, retrying with exponential
//! backoff until one is older than the maximum age. A customer's events go
//! out in order: a later one waits while an earlier one is pending. Delivery
//! is at least once; receivers deduplicate on the event id.
//!
//! Headers: `Content-Type: application/json`, `X-Screener-Event` (type),
//! `X-Screener-Event-Id` and `Idempotency-Key` (the event id),
//! `X-Screener-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

use super::store::{DeliveryOutcome, MonitorStore};
use hmac::{KeyInit, Mac};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// One endpoint.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpoint {
    /// A name for the deliveries list and logs.
    pub name: String,
    pub url: String,
    /// The signing secret (at least 16 characters).
    pub secret: String,
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("secret", &"***")
            .finish()
    }
}

/// The `[monitor.webhooks]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    pub endpoints: Vec<WebhookEndpoint>,
    /// Give up on an event this many seconds old (default a day).
    pub max_age_secs: u64,
    /// Seconds to wait for an endpoint's answer.
    pub timeout_secs: u64,
    /// First retry delay in milliseconds; doubled each time.
    pub initial_backoff_ms: u64,
    /// Longest retry delay in seconds.
    pub max_backoff_secs: u64,
    /// How often the worker looks for due deliveries, in milliseconds.
    pub poll_ms: u64,
    /// Seconds a replica holds the deliveries it claimed: one that dies
    /// mid-send leaves them to another replica once this runs out, which
    /// sends the one it was posting again (delivery is at least once).
    pub lease_secs: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            endpoints: Vec::new(),
            max_age_secs: 86_400,
            timeout_secs: 10,
            initial_backoff_ms: 1000,
            max_backoff_secs: 600,
            poll_ms: 500,
            lease_secs: 120,
        }
    }
}

impl WebhookSettings {
    pub fn endpoint_names(&self) -> Vec<String> {
        self.endpoints.iter().map(|e| e.name.clone()).collect()
    }

    /// Checks names, URLs, secrets and the age.
    pub fn check(&self) -> Result<(), String> {
        let mut names = std::collections::BTreeSet::new();
        for e in &self.endpoints {
            if e.name.is_empty() || !names.insert(e.name.as_str()) {
                return Err(format!(
                    "monitor.webhooks: endpoint name '{}' is empty or given twice",
                    e.name
                ));
            }
            if !(e.url.starts_with("http://") || e.url.starts_with("https://")) {
                return Err(format!(
                    "monitor.webhooks.{}: url '{}' is not http(s)",
                    e.name, e.url
                ));
            }
            if e.secret.len() < 16 {
                return Err(format!(
                    "monitor.webhooks.{}: the secret must be at least 16 characters",
                    e.name
                ));
            }
        }
        if self.lease_secs <= self.timeout_secs {
            return Err(format!(
                "monitor.webhooks: lease_secs ({}) must be longer than timeout_secs ({}), or another replica takes over a delivery still being sent",
                self.lease_secs, self.timeout_secs
            ));
        }
        if self.max_age_secs == 0 || self.timeout_secs == 0 {
            return Err(
                "monitor.webhooks: max_age_secs and timeout_secs must be at least 1".into(),
            );
        }
        Ok(())
    }

    /// The delay before retry number `attempts` (1-based): exponential, capped.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let factor = 1u64 << attempts.clamp(1, 30).saturating_sub(1);
        Duration::from_millis(self.initial_backoff_ms.saturating_mul(factor))
            .min(Duration::from_secs(self.max_backoff_secs))
    }
}

/// The signature header value of a body at a time.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Posts due deliveries until `stop` fires.
pub async fn run(
    store: Arc<dyn MonitorStore>,
    settings: WebhookSettings,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    if settings.endpoints.is_empty() {
        return;
    }
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client not built; no events are delivered");
            return;
        }
    };
    let max_age = Duration::from_secs(settings.max_age_secs);
    let lease = Duration::from_secs(settings.lease_secs);
    // The embedded database has one worker, this one: leases left from
    // before a crash belong to no one.
    let s = Arc::clone(&store);
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || s.release_delivery_leases()).await {
        tracing::warn!(error = %e, "webhook delivery leases not released");
    }
    loop {
        let s = Arc::clone(&store);
        let claimed = tokio::task::spawn_blocking(move || {
            s.claim_deliveries(OffsetDateTime::now_utc(), lease, 32)
        })
        .await;
        let batch = match claimed {
            Ok(Ok(b)) => b,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "webhook deliveries not read");
                Vec::new()
            }
            Err(_) => Vec::new(),
        };
        for d in &batch {
            let Some(endpoint) = settings.endpoints.iter().find(|e| e.name == d.endpoint) else {
                continue;
            };
            let ts = OffsetDateTime::now_utc().unix_timestamp();
            let sent = client
                .post(&endpoint.url)
                .header("content-type", "application/json")
                .header("x-screener-event", &d.kind)
                .header("x-screener-event-id", &d.event_id)
                .header("idempotency-key", &d.event_id)
                .header(
                    "x-screener-signature",
                    signature(&endpoint.secret, ts, &d.payload),
                )
                .body(d.payload.clone())
                .send()
                .await;
            let now = OffsetDateTime::now_utc();
            let error = match sent {
                Ok(r) if r.status().is_success() => None,
                Ok(r) => Some(format!("HTTP {}", r.status().as_u16())),
                Err(e) if e.is_timeout() => Some("timed out".to_string()),
                Err(e) => Some(format!("not delivered: {e}")),
            };
            let outcome = match error {
                None => DeliveryOutcome::Delivered,
                Some(error) if now - d.created_at >= max_age => DeliveryOutcome::Failed {
                    error: format!("{error}; gave up after {} attempts", d.attempts + 1),
                },
                Some(error) => DeliveryOutcome::Retry {
                    at: now + settings.backoff(d.attempts + 1),
                    error,
                },
            };
            let s = Arc::clone(&store);
            let id = d.id;
            let _ = tokio::task::spawn_blocking(move || s.finish_delivery(id, &outcome, now)).await;
        }
        if batch.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(settings.poll_ms.max(10))) => {}
                _ = stop.changed() => {}
            }
        }
        if *stop.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_and_body() {
        // RFC 4231 test case 2 ("Jefe" / "what do ya want for nothing?"),
        // split as "<t>.<body>" = "what do ya want for nothing?" is not
        // possible, so check the construction against a direct HMAC.
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"Jefe").expect("key");
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = signature("0123456789abcdef", 1700000000, "{}");
        assert!(s.starts_with("t=1700000000,v1="));
        assert_eq!(s.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(s, signature("0123456789abcdeg", 1700000000, "{}"));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = WebhookSettings {
            initial_backoff_ms: 100,
            max_backoff_secs: 1,
            ..WebhookSettings::default()
        };
        assert_eq!(s.backoff(1), Duration::from_millis(100));
        assert_eq!(s.backoff(2), Duration::from_millis(200));
        assert_eq!(s.backoff(4), Duration::from_millis(800));
        assert_eq!(s.backoff(9), Duration::from_secs(1));
    }

    #[test]
    fn a_delivery_lease_no_longer_than_the_send_timeout_is_refused() {
        let short = WebhookSettings {
            timeout_secs: 10,
            lease_secs: 10,
            ..WebhookSettings::default()
        };
        let e = short.check().expect_err("a lease the send can outlast");
        assert!(e.contains("lease_secs (10)"), "{e}");
        let fine = WebhookSettings {
            timeout_secs: 5,
            lease_secs: 6,
            ..WebhookSettings::default()
        };
        assert_eq!(fine.check(), Ok(()));
        assert_eq!(WebhookSettings::default().check(), Ok(()));
    }
}

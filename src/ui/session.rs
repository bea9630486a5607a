//! Console sessions: who is signed in, until when, and the CSRF token of
//! their forms. Kept in memory (a restart signs everyone out, and several
//! replicas would each need their own sign-in): the table maps a random
//! 256-bit id, sent only as an HttpOnly, SameSite=Strict cookie, to the
//! analyst (an API key's configured name) and a per-session CSRF token that
//! every form carries back. A session ends after [`IDLE`] without a request,
//! or [`MAX_AGE`] after sign-in, whichever comes first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The session cookie.
pub const COOKIE: &str = "screener_session";
/// The double-submit cookie of the sign-in form (no session exists yet).
pub const SIGN_IN_COOKIE: &str = "screener_sign_in";
/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// … and this long after sign-in in any case.
pub const MAX_AGE: Duration = Duration::from_secs(12 * 3600);

/// One signed-in analyst.
#[derive(Debug, Clone)]
pub struct Session {
    /// The API key's name: recorded on every decision.
    pub analyst: String,
    pub admin: bool,
    /// The token every form of this session carries.
    pub csrf: String,
    started: Instant,
    last_seen: Instant,
}

/// The session table.
#[derive(Debug)]
pub struct Console {
    sessions: Mutex<HashMap<String, Session>>,
    idle: Duration,
    max_age: Duration,
}

impl Default for Console {
    fn default() -> Console {
        Console::with_timeouts(IDLE, MAX_AGE)
    }
}

/// 32 random bytes from the operating system, as hex.
pub fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random numbers: {e}"))?;
    Ok(hex::encode(bytes))
}

impl Console {
    pub fn with_timeouts(idle: Duration, max_age: Duration) -> Console {
        Console {
            sessions: Mutex::new(HashMap::new()),
            idle,
            max_age,
        }
    }

    fn live(&self, s: &Session, now: Instant) -> bool {
        now.duration_since(s.last_seen) < self.idle && now.duration_since(s.started) < self.max_age
    }

    /// Signs an analyst in: the new session's id (the cookie's value).
    pub fn start(&self, analyst: &str, admin: bool) -> Result<(String, Session), String> {
        let id = random_token()?;
        let now = Instant::now();
        let session = Session {
            analyst: analyst.to_string(),
            admin,
            csrf: random_token()?,
            started: now,
            last_seen: now,
        };
        let mut table = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        table.retain(|_, s| self.live(s, now));
        table.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// The live session of this id (its idle time starts again), or none
    /// when it is unknown, ended or expired.
    pub fn get(&self, id: &str) -> Option<Session> {
        let now = Instant::now();
        let mut table = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let live = table.get(id).is_some_and(|s| self.live(s, now));
        if !live {
            table.remove(id);
            return None;
        }
        let s = table.get_mut(id)?;
        s.last_seen = now;
        Some(s.clone())
    }

    /// Signs out.
    pub fn end(&self, id: &str) {
        let mut table = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        table.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_start_end_and_expire() {
        let c = Console::default();
        let (id, s) = c.start("ana", false).expect("start");
        assert_eq!(id.len(), 64);
        assert_ne!(id, s.csrf);
        assert_eq!(c.get(&id).map(|s| s.analyst), Some("ana".to_string()));
        c.end(&id);
        assert!(c.get(&id).is_none());

        let short = Console::with_timeouts(Duration::from_millis(20), MAX_AGE);
        let (id, _) = short.start("bob", false).expect("start");
        assert!(short.get(&id).is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(short.get(&id).is_none(), "idle session expired");

        let capped = Console::with_timeouts(IDLE, Duration::from_millis(20));
        let (id, _) = capped.start("eve", false).expect("start");
        std::thread::sleep(Duration::from_millis(40));
        assert!(capped.get(&id).is_none(), "session past its maximum age");
    }
}

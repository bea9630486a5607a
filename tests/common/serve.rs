//! Running the real binary for tests that check it from outside
//! (Schemathesis, the browser): the command with a clean environment, a free
//! port, waiting for `/readyz`, and a guard that stops the service.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// `screener` with this data directory and no configuration from the
/// caller's environment.
pub fn screener(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_screener"));
    c.env("SCREENER_DATA_DIR", data)
        .env("NO_COLOR", "1")
        .env_remove("SCREENER_CONFIG")
        .env_remove("SCREENER_API_KEYS")
        .env_remove("RUST_LOG");
    c
}

/// Stops the service when the test ends, however it ends.
pub struct Served(pub Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until `/readyz` answers 200 (the first index is built).
pub fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("the service did not become ready on port {port}");
}

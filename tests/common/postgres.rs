//! The monitor's two backends for tests: SQLite in a temporary directory,
//! and PostgreSQL in a throwaway cluster started once per test binary.
//!
//! The cluster lives in `target/pg-<pid>-<n>` (in the temporary folder
//! when `nobody` could not reach `target/`): `initdb` there, the server
//! listening only on a Unix socket in that folder (no TCP port), each test
//! on a fresh database. A watcher process stops the server and removes the
//! folder when the test binary exits, however it exits. initdb refuses to
//! run as root, so as root (CI) the cluster runs as `nobody`, owning the
//! folder. The binaries are found on PATH or under
//! `/usr/lib/postgresql/<version>/bin` (Debian's place).

use screener::monitor::postgres::{PostgresOptions, PostgresStore};
use screener::monitor::sqlite::{SqliteOptions, SqliteStore};
use screener::monitor::store::MonitorStore;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// A monitor store backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// A new, empty database: a file under `dir`, or a fresh PostgreSQL
    /// database (its URL).
    pub fn new_database(self, dir: &Path) -> String {
        match self {
            Backend::Sqlite => dir.join("monitor.db").display().to_string(),
            // The blocking client cannot run on an async test's thread.
            Backend::Postgres => blocking(|| cluster().new_database()),
        }
    }

    /// A new, empty store.
    pub fn store(self, dir: &Path) -> Arc<dyn MonitorStore> {
        open(&self.new_database(dir))
    }
}

/// Opens the store of a database made by [`Backend::new_database`].
pub fn open(database: &str) -> Arc<dyn MonitorStore> {
    if database.starts_with("postgres://") {
        // The blocking client cannot run on an async test's thread.
        blocking(|| {
            Arc::new(
                PostgresStore::connect(database, PostgresOptions::default())
                    .expect("postgres store"),
            )
        })
    } else {
        Arc::new(
            SqliteStore::open(Path::new(database), SqliteOptions::default()).expect("sqlite store"),
        )
    }
}

/// Runs SQL on a database made by [`Backend::new_database`] behind the
/// store's back, as an older build or an operator would: `sqlite` on a
/// SQLite file, `postgres` on PostgreSQL.
pub fn execute_sql(database: &str, sqlite: &str, postgres: &str) {
    if database.starts_with("postgres://") {
        blocking(|| {
            postgres::Client::connect(database, postgres::NoTls)
                .and_then(|mut c| c.batch_execute(postgres))
                .expect("SQL on postgres")
        })
    } else {
        rusqlite::Connection::open(database)
            .and_then(|c| c.execute_batch(sqlite))
            .expect("SQL on sqlite")
    }
}

/// Runs `f` on a thread of its own and waits for it: what an async test
/// does to call the monitor's blocking writes (as the API's handlers do).
pub fn blocking<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join()).expect("no panic")
}

/// Runs one test body on each backend: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    (async $name:ident) => {
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::common::postgres::Backend::Sqlite).await
            }
            #[actix_web::test]
            async fn postgres() {
                super::$name($crate::common::postgres::Backend::Postgres).await
            }
        }
    };
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$name($crate::common::postgres::Backend::Sqlite)
            }
            #[test]
            fn postgres() {
                super::$name($crate::common::postgres::Backend::Postgres)
            }
        }
    };
}

/// The running throwaway cluster.
pub struct Cluster {
    pub dir: PathBuf,
    bin: PathBuf,
    /// Runs the cluster's binaries as this user (as root), else as us.
    run_as: Option<&'static str>,
    next: AtomicUsize,
}

const SUPERUSER: &str = "screener";

/// The cluster of this test binary, started on first use.
pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(Cluster::start)
}

static CLUSTERS: AtomicUsize = AtomicUsize::new(0);

/// The folder holding initdb, pg_ctl and postgres.
fn find_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("SCREENER_PG_BIN") {
        return PathBuf::from(dir);
    }
    if let Some(p) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&p) {
            if dir.join("initdb").exists() && dir.join("postgres").exists() {
                return dir;
            }
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!("PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql/*/bin): install the `postgresql` package, or set SCREENER_PG_BIN")
    })
}

/// Whether every folder down to `dir` lets other users pass.
fn others_can_enter(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    dir.ancestors()
        .all(|d| std::fs::metadata(d).map_or(true, |m| m.permissions().mode() & 0o001 != 0))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(exe);
                c
            }
            None => Command::new(exe),
        }
    }

    /// Starts a cluster of its own (for a test that stops and starts it).
    pub fn start() -> Cluster {
        let bin = find_bin();
        let run_as = is_root().then_some("nobody");
        let mut target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
        if run_as.is_some() && !others_can_enter(&target) {
            // A checkout under a private folder (root's home): `nobody`
            // could not reach it.
            target = std::env::temp_dir();
        }
        let dir = target.join(format!(
            "pg-{}-{}",
            std::process::id(),
            CLUSTERS.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cluster folder");
        if let Some(user) = run_as {
            let ok = Command::new("chown")
                .arg(format!("{user}:"))
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown {} to {user}", dir.display());
        }
        let cluster = Cluster {
            dir,
            bin,
            run_as,
            next: AtomicUsize::new(0),
        };
        let data = cluster.dir.join("data");
        let out = cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync"])
            .env("LC_ALL", "C")
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        cluster.start_again();
        // Stops the server and removes the folder once this process ends.
        let stop = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {as_user} {pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            as_user = run_as
                .map(|u| format!("runuser -u {u} --"))
                .unwrap_or_default(),
            pg_ctl = cluster.bin.join("pg_ctl").display(),
            data = data.display(),
            dir = cluster.dir.display(),
        );
        // It outlives this process on purpose: never waited for.
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .args(["-c", &stop])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("cluster watcher");
        cluster
    }

    /// The URL of a database on this cluster.
    pub fn url(&self, database: &str) -> String {
        let socket_dir = self.dir.display().to_string().replace('/', "%2F");
        format!("postgres://{SUPERUSER}@{socket_dir}/{database}")
    }

    /// Creates a fresh database; returns its URL.
    pub fn new_database(&self) -> String {
        let name = format!("t{}", self.next.fetch_add(1, Ordering::SeqCst));
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("connect to the test cluster");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        self.url(&name)
    }

    /// Stops the server (a database outage); [`Cluster::start_again`] brings it back.
    pub fn stop(&self) {
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn start_again(&self) {
        let options = format!(
            "-c listen_addresses='' -k {} -c fsync=off -c full_page_writes=off -c max_connections=200",
            self.dir.display()
        );
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-w", "-l"])
            .arg(self.dir.join("log"))
            .args(["-o", &options, "start"])
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }
}

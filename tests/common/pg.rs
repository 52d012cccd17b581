//! A throwaway PostgreSQL for tests (scripts/pg-temp.sh: Debian's binaries,
//! a temporary folder, a free port), and a fresh database per test on it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// A running PostgreSQL cluster; removed when dropped (and, should the test
/// process die, by the script's watcher once this process is gone).
pub struct PgCluster {
    pub dir: PathBuf,
    /// URL of the `postgres` maintenance database (trust auth, superuser).
    pub admin_url: String,
}

impl PgCluster {
    /// Starts a new cluster.
    pub fn start() -> PgCluster {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-temp.sh");
        let out = Command::new(script)
            .arg("start")
            .arg(std::process::id().to_string())
            .output()
            .expect("run scripts/pg-temp.sh");
        assert!(
            out.status.success(),
            "pg-temp.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8(out.stdout).expect("utf-8");
        let (dir, url) = line.trim().split_once(' ').expect("DIR URL");
        PgCluster {
            dir: PathBuf::from(dir),
            admin_url: url.to_owned(),
        }
    }

    fn script(&self, action: &str) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-temp.sh");
        let st = Command::new(script)
            .arg(action)
            .arg(&self.dir)
            .status()
            .expect("run scripts/pg-temp.sh");
        assert!(st.success(), "pg-temp.sh {action} failed");
    }

    /// Stops the server (fast shutdown: sessions are cut off).
    pub fn stop(&self) {
        self.script("stop");
    }

    /// Starts the stopped server again on the same port.
    pub fn resume(&self) {
        self.script("resume");
    }

    /// Creates an empty database and returns its URL.
    pub async fn create_db(&self) -> String {
        use sqlx::Connection;
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut conn = sqlx::PgConnection::connect(&self.admin_url)
            .await
            .expect("connect to the test cluster");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        let base = self
            .admin_url
            .rsplit_once('/')
            .expect("URL with a database")
            .0;
        format!("{base}/{name}")
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.script("remove");
    }
}

/// True when the suite runs against PostgreSQL (`HEXWATCH_TEST_DB=postgres`).
pub fn enabled() -> bool {
    std::env::var("HEXWATCH_TEST_DB").is_ok_and(|v| v == "postgres")
}

/// The cluster the whole suite shares: `HEXWATCH_TEST_PG_URL` if given (as
/// scripts/test.sh does), else one started for this test process.
pub fn shared_admin_url() -> String {
    static STARTED: OnceLock<String> = OnceLock::new();
    if let Ok(url) = std::env::var("HEXWATCH_TEST_PG_URL") {
        return url;
    }
    STARTED
        .get_or_init(|| {
            // Kept for the process's life; the script's watcher removes it after.
            let c = std::mem::ManuallyDrop::new(PgCluster::start());
            c.admin_url.clone()
        })
        .clone()
}

/// A fresh database on the shared cluster.
pub async fn fresh_db() -> String {
    let c = PgCluster {
        dir: PathBuf::new(),
        admin_url: shared_admin_url(),
    };
    let url = c.create_db().await;
    std::mem::forget(c); // not ours to remove
    url
}

//! How a store connects: pool size, statement timeout, TLS and where the
//! index snapshot lives. Only PostgreSQL reads the connection settings.

use std::path::PathBuf;
use std::time::Duration;

/// TLS to PostgreSQL, as libpq's `sslmode`.
pub type TlsMode = sqlx::postgres::PgSslMode;

/// Connection settings for [`super::Store::open_with`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most connections in the pool (PostgreSQL).
    pub pool_size: u32,
    /// Longest a statement may run before the server cancels it (PostgreSQL).
    pub statement_timeout: Option<Duration>,
    /// How long a request waits for a connection before failing with 503.
    pub acquire_timeout: Duration,
    /// TLS mode; `None` keeps what the URL says (`sslmode=`, default prefer).
    pub tls: Option<TlsMode>,
    /// Where the index snapshot is kept; `None` means beside a SQLite file,
    /// and no snapshot for PostgreSQL.
    pub snapshot: Option<PathBuf>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            pool_size: 10,
            statement_timeout: Some(Duration::from_secs(60)),
            acquire_timeout: Duration::from_secs(5),
            tls: None,
            snapshot: None,
        }
    }
}

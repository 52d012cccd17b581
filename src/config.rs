//! Command-line and environment configuration. Every flag also reads from a
//! `HEXWATCH_*` environment variable; values are validated into types here.

use crate::store::{StoreOptions, TlsMode};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// hexwatch: H3 heat maps of citizens' appeals.
#[derive(Debug, Parser)]
#[command(name = "hexwatch", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Import appeals from a file (JSON, GeoJSON, CSV, NDJSON).
    Import(ImportArgs),
    /// Write a synthetic data set with planted hotspots and fixes.
    Generate(GenerateArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Create, list or revoke API tokens.
    Token(TokenArgs),
}

/// `hexwatch token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// What to do with tokens.
    #[command(subcommand)]
    pub action: TokenAction,
}

/// The token subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it (once: only its hash is stored).
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// viewer, analyst, operator or admin.
        #[arg(long)]
        role: crate::auth::Role,
        /// Limit the token to these district ids (repeat the flag or give a comma list).
        #[arg(long = "district", value_delimiter = ',')]
        districts: Vec<i64>,
        /// Who or what the token is for.
        #[arg(long)]
        name: Option<String>,
    },
    /// Revoke a token by id (running servers notice within seconds).
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        /// The token's id, as `token list` shows it.
        id: i64,
    },
    /// List the tokens (never their secrets).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// When tokens are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// Always.
    On,
    /// Never: every caller has full access.
    Off,
    /// When `--listen` is not a loopback address.
    Auto,
}

/// Database selection shared by every command.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database URL: `sqlite://PATH` (created if missing) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DB` (several instances may share it).
    #[arg(long, env = "HEXWATCH_DB", default_value = "sqlite://hexwatch.db")]
    pub db: String,
    /// Most PostgreSQL connections per instance.
    #[arg(long, env = "HEXWATCH_DB_POOL_SIZE", default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub db_pool_size: u32,
    /// Seconds a PostgreSQL statement may run before it is cancelled (0: no limit).
    #[arg(long, env = "HEXWATCH_DB_STATEMENT_TIMEOUT", default_value_t = 60)]
    pub db_statement_timeout: u64,
    /// Seconds a request waits for a free database connection before it
    /// fails with 503 (e.g. while PostgreSQL is down).
    #[arg(long, env = "HEXWATCH_DB_ACQUIRE_TIMEOUT", default_value_t = 5)]
    pub db_acquire_timeout: u64,
    /// TLS to PostgreSQL: disable, allow, prefer, require, verify-ca or
    /// verify-full (default: the URL's `sslmode`, else prefer).
    #[arg(long, env = "HEXWATCH_DB_TLS", value_parser = parse_tls)]
    pub db_tls: Option<TlsMode>,
    /// Index snapshot file (default: beside a SQLite file; none for PostgreSQL).
    /// Each instance keeps its own, on local disk.
    #[arg(long, env = "HEXWATCH_SNAPSHOT")]
    pub snapshot: Option<PathBuf>,
    /// Accept only responsible codes already in the catalogue (`POST
    /// /api/v1/responsible`); by default unknown codes are added, named by
    /// their code.
    #[arg(long, env = "HEXWATCH_STRICT_RESPONSIBLE")]
    pub strict_responsible: bool,
}

impl DbArgs {
    /// The store's connection settings.
    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            pool_size: self.db_pool_size,
            statement_timeout: (self.db_statement_timeout > 0)
                .then(|| Duration::from_secs(self.db_statement_timeout)),
            acquire_timeout: Duration::from_secs(self.db_acquire_timeout.max(1)),
            tls: self.db_tls,
            snapshot: self.snapshot.clone(),
        }
    }
}

/// Options shared by the commands that read or aggregate appeals.
#[derive(Debug, Clone, Args)]
pub struct RegionArgs {
    /// IANA time zone periods are aligned in and dates are read in.
    #[arg(long, env = "HEXWATCH_TIMEZONE", default_value = "Europe/Moscow", value_parser = parse_tz)]
    pub timezone: chrono_tz::Tz,
}

/// `hexwatch serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub region: RegionArgs,
    /// Address to listen on.
    #[arg(long, env = "HEXWATCH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seed a realistic synthetic data set (Kazan) into an empty database.
    #[arg(long, env = "HEXWATCH_DEMO")]
    pub demo: bool,
    /// Number of appeals `--demo` seeds.
    #[arg(long, env = "HEXWATCH_DEMO_APPEALS", default_value_t = 200_000)]
    pub demo_appeals: usize,
    /// Largest accepted request body, in bytes (413 beyond).
    #[arg(long, env = "HEXWATCH_MAX_BODY_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Most cells (or rows) one response may hold (400 beyond).
    #[arg(long, env = "HEXWATCH_MAX_CELLS", default_value_t = 200_000)]
    pub max_cells: usize,
    /// Finest H3 resolution a request may ask for.
    #[arg(long, env = "HEXWATCH_MAX_RES", default_value_t = 15, value_parser = clap::value_parser!(u8).range(0..=15))]
    pub max_res: u8,
    /// Folder of the web front end served at `/`.
    #[arg(long, env = "HEXWATCH_WEB_DIR", default_value = "web")]
    pub web_dir: PathBuf,
    /// MapLibre style URL drawn under the hexagons (e.g. a self-hosted
    /// OpenMapTiles style); without one the map has a plain background.
    #[arg(long, env = "HEXWATCH_BASEMAP_STYLE")]
    pub basemap_style: Option<String>,
    /// Bytes of encoded vector tiles kept in memory (0 turns the cache off).
    #[arg(long, env = "HEXWATCH_TILE_CACHE_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub tile_cache_bytes: u64,
    /// `Cache-Control` header sent with vector tiles.
    #[arg(
        long,
        env = "HEXWATCH_TILE_CACHE_CONTROL",
        default_value = "public, max-age=60"
    )]
    pub tile_cache_control: String,
    /// Origins (comma list, or `*`) whose pages may fetch tiles and TileJSON
    /// cross-origin; none by default (the bundled front end is same-origin).
    #[arg(long, env = "HEXWATCH_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// When API tokens are required: `auto` turns them on unless the server
    /// listens on a loopback address.
    #[arg(long, env = "HEXWATCH_AUTH", value_enum, default_value_t = AuthMode::Auto)]
    pub auth: AuthMode,
    /// Let callers without a token read aggregates as viewers (rare cells suppressed).
    #[arg(long, env = "HEXWATCH_PUBLIC_READ")]
    pub public_read: bool,
    /// Viewers never see a cell (or row) with fewer appeals than this.
    #[arg(long, env = "HEXWATCH_K_ANONYMITY", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub k_anonymity: u32,
    /// Requests per second one token (or one client address without a token)
    /// may send; 429 with `Retry-After` beyond. Default: 100 when auth is on,
    /// unlimited when it is off. 0 turns it off.
    #[arg(long, env = "HEXWATCH_RATE_LIMIT")]
    pub rate_limit: Option<u32>,
    /// Requests a caller may send in a burst before the rate applies.
    #[arg(long, env = "HEXWATCH_RATE_BURST", default_value_t = 200)]
    pub rate_burst: u32,
    /// Heavy queries (hexagons, aggregates, hotspots, change, summaries)
    /// running at once; more wait, so tiles stay fast.
    #[arg(long, env = "HEXWATCH_HEAVY_CONCURRENCY", default_value_t = 2)]
    pub heavy_concurrency: usize,
    /// Seconds a read may take (503 beyond); writes always finish.
    #[arg(long, env = "HEXWATCH_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// Seconds a client has to send a request's headers before the
    /// connection is closed (slow-client protection).
    #[arg(long, env = "HEXWATCH_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Load balancers or proxies (addresses or CIDR ranges, comma list) whose
    /// `X-Forwarded-For` names the client, so per-address rates apply to
    /// clients rather than to the proxy. None by default: the header is ignored.
    #[arg(long, env = "HEXWATCH_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Most records one ingest request may hold (413 beyond).
    #[arg(long, env = "HEXWATCH_MAX_RECORDS", default_value_t = 500_000)]
    pub max_records: usize,
    /// Public base URL written into TileJSON (e.g. `https://maps.example.org`)
    /// when a proxy hides it; by default taken from each request's Host.
    #[arg(long, env = "HEXWATCH_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// `hexwatch import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The file to import; its extension picks the format unless `--format` is given.
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// json, geojson, csv or ndjson.
    #[arg(long, env = "HEXWATCH_IMPORT_FORMAT")]
    pub format: Option<String>,
    /// Import the valid records and report the rest, instead of refusing the file.
    #[arg(long, env = "HEXWATCH_IMPORT_PARTIAL")]
    pub partial: bool,
    /// Records per transaction.
    #[arg(long, env = "HEXWATCH_IMPORT_CHUNK", default_value_t = 25_000)]
    pub chunk: usize,
    /// A GeoJSON FeatureCollection of districts to add first (validated like
    /// `POST /api/v1/districts`: all or nothing).
    #[arg(long, env = "HEXWATCH_IMPORT_DISTRICTS")]
    pub districts: Option<PathBuf>,
}

/// `hexwatch generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Number of appeals.
    #[arg(long, env = "HEXWATCH_GEN_APPEALS", default_value_t = 200_000)]
    pub appeals: usize,
    /// Random seed; the same seed gives the same file.
    #[arg(long, env = "HEXWATCH_GEN_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Output file; .csv, .ndjson, .json or .geojson.
    #[arg(long, env = "HEXWATCH_GEN_OUT")]
    pub out: PathBuf,
    /// `city` (Kazan, with planted hotspots and fixes) or `country` (many cities).
    #[arg(long, env = "HEXWATCH_GEN_SCENARIO", default_value = "city")]
    pub scenario: String,
    /// Years of data, ending at `--end`.
    #[arg(long, env = "HEXWATCH_GEN_YEARS", default_value_t = 3)]
    pub years: u32,
    /// Last day of the data (YYYY-MM-DD).
    #[arg(long, env = "HEXWATCH_GEN_END", default_value = "2026-10-31")]
    pub end: chrono::NaiveDate,
    /// Where to write the truth file (default: OUT with `.truth.json`).
    #[arg(long, env = "HEXWATCH_GEN_TRUTH")]
    pub truth: Option<PathBuf>,
}

fn parse_tls(s: &str) -> Result<TlsMode, String> {
    s.parse().map_err(|_| {
        format!("unknown TLS mode {s:?} (disable, allow, prefer, require, verify-ca, verify-full)")
    })
}

fn parse_tz(s: &str) -> Result<chrono_tz::Tz, String> {
    s.parse()
        .map_err(|_| format!("unknown time zone {s:?} (use an IANA name such as Europe/Moscow)"))
}

/// An address range, or one address as a range of one.
fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s:?} is neither an IP address nor a CIDR range"))
}

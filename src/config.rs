//! Command-line and environment configuration. Every flag also reads from a
//! `HEXWATCH_*` environment variable; values are validated into types here.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

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
}

/// Database selection shared by every command.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database URL: `sqlite://PATH` (created if missing).
    #[arg(long, env = "HEXWATCH_DB", default_value = "sqlite://hexwatch.db")]
    pub db: String,
    /// Accept only responsible codes already in the catalogue (`POST
    /// /api/v1/responsible`); by default unknown codes are added, named by
    /// their code.
    #[arg(long, env = "HEXWATCH_STRICT_RESPONSIBLE")]
    pub strict_responsible: bool,
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

fn parse_tz(s: &str) -> Result<chrono_tz::Tz, String> {
    s.parse()
        .map_err(|_| format!("unknown time zone {s:?} (use an IANA name such as Europe/Moscow)"))
}

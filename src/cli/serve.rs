//! `hexwatch serve`: load the index, optionally seed the demo data, serve HTTP.

use crate::api::{ApiConfig, AppState, TileConfig};
use crate::config::ServeArgs;
use crate::engine::Engine;
use crate::generate::{GenerateOptions, PlantedKind, Scenario, Truth};
use crate::ingest::{Position, validate};
use std::sync::Arc;
use std::time::Duration;

/// How often a changed index is written to its snapshot while serving.
const SNAPSHOT_EVERY: Duration = Duration::from_secs(300);

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let engine = Arc::new(Engine::open_with(&args.db.db, &args.db.store_options()).await?);
    if args.demo && engine.index.is_empty() {
        seed_demo_units(&engine).await?;
        let truth = seed_demo(&engine, args.demo_appeals).await?;
        seed_demo_fixes(&engine, &truth, args.region.timezone).await?;
        seed_demo_process_change(&engine, &truth).await?;
    }
    engine.set_strict_responsible(args.db.strict_responsible);
    if args.demo && engine.districts().all().is_empty() {
        seed_demo_districts(&engine).await?;
    }
    let auth_on = auth_enabled(args.auth, args.listen);
    let cfg = ApiConfig {
        tz: args.region.timezone,
        max_body_bytes: args.max_body_bytes,
        max_cells: args.max_cells,
        max_res: args.max_res,
        web_dir: args.web_dir.clone(),
        basemap_style: args.basemap_style.clone().filter(|s| !s.trim().is_empty()),
        auth: crate::api::auth::AuthConfig {
            enabled: auth_on,
            public_read: args.public_read,
            k_anonymity: args.k_anonymity,
        },
        limits: crate::api::limits::LimitConfig {
            rate_per_second: args.rate_limit.unwrap_or(if auth_on { 100 } else { 0 }),
            burst: args.rate_burst,
            heavy_permits: args.heavy_concurrency,
            heavy_wait: Duration::from_secs(10),
            request_timeout: Duration::from_secs(args.request_timeout),
            header_timeout: Duration::from_secs(args.header_timeout),
            trusted_proxies: args.trusted_proxies.clone(),
        },
        max_records: args.max_records,
    };
    if !cfg.auth.enabled && !args.listen.ip().is_loopback() {
        tracing::warn!(listen = %args.listen, "auth is off on a non-loopback address: anyone who can reach it reads and writes everything");
    }
    check_web_assets(&args.web_dir);
    let tiles = TileConfig {
        cache_bytes: args.tile_cache_bytes,
        cache_control: args.tile_cache_control.clone(),
        cors_origins: args
            .cors_origins
            .iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect(),
        public_url: args.public_url.clone(),
    };
    let state = AppState::new(engine.clone(), cfg).with_tiles(tiles);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(
        "hexwatch listening on http://{} ({} appeals)",
        listener.local_addr()?,
        engine.index.len()
    );
    let snapshots = tokio::spawn(keep_snapshot_fresh(engine.clone()));
    // Other instances may write to a shared database: follow them.
    let follower = engine
        .store
        .is_shared()
        .then(|| tokio::spawn(crate::engine::follow::run(engine.clone())));
    crate::api::run(listener, state, shutdown_signal()).await?;
    snapshots.abort();
    if let Some(f) = follower {
        f.abort();
    }
    engine.save_snapshot().await;
    engine.store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Whether tokens are required: `auto` means on unless only this machine can connect.
pub fn auth_enabled(mode: crate::config::AuthMode, listen: std::net::SocketAddr) -> bool {
    use crate::config::AuthMode;
    match mode {
        AuthMode::On => true,
        AuthMode::Off => false,
        AuthMode::Auto => !listen.ip().is_loopback(),
    }
}

/// The map page imports MapLibre from `web/node_modules` (npm, pinned in
/// `web/package.json`); without it the page can only show an error, so say
/// how to get it.
fn check_web_assets(web_dir: &std::path::Path) {
    let module = web_dir.join(WEB_MAPLIBRE);
    if !module.is_file() {
        tracing::warn!(
            "the map page needs {}: run `scripts/web-setup.sh` (npm ci in {}) or start with `scripts/run.sh`",
            module.display(),
            web_dir.display()
        );
    }
}

/// The MapLibre module the page loads, relative to the web folder.
const WEB_MAPLIBRE: &str = "node_modules/maplibre-gl/dist/maplibre-gl.mjs";

async fn keep_snapshot_fresh(engine: Arc<Engine>) {
    let mut saved = engine.index.seq();
    loop {
        tokio::time::sleep(SNAPSHOT_EVERY).await;
        let seq = engine.index.seq();
        if seq != saved {
            engine.save_snapshot().await;
            saved = seq;
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// Seeds the demo city through the same validation and write path as any import.
async fn seed_demo(engine: &Arc<Engine>, n: usize) -> anyhow::Result<Truth> {
    tracing::info!(appeals = n, "seeding the demo data set (Kazan)");
    let opts = GenerateOptions {
        appeals: n,
        seed: 42,
        scenario: Scenario::City,
        years: 3,
        end: demo_end(),
    };
    let cat = engine.catalogue.clone();
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let producer = tokio::task::spawn_blocking(move || {
        let mut chunk = Vec::with_capacity(20_000);
        let mut index = 0;
        let truth = crate::generate::generate(&opts, |r| {
            let fields = crate::generate::record_fields(r);
            let pos = Position { index, line: None };
            index += 1;
            match validate(&fields, pos, &cat) {
                Ok(a) => chunk.push(a),
                Err(e) => anyhow::bail!("generated record {index} is invalid: {e:?}"),
            }
            if chunk.len() == 20_000 {
                tx.blocking_send(std::mem::take(&mut chunk))?;
            }
            Ok(())
        })?;
        if !chunk.is_empty() {
            tx.blocking_send(chunk)?;
        }
        anyhow::Ok(truth)
    });
    let mut written = 0;
    while let Some(chunk) = rx.recv().await {
        engine.write(&chunk).await?;
        written += chunk.len();
        tracing::info!(written, total = n, "demo data");
    }
    let truth = producer.await??;
    engine.save_snapshot().await;
    Ok(truth)
}

/// Records the demo's planted fixes (a repaved road, a new bin site…) through
/// the same parsing as `POST /api/v1/fixes`, so the map's fix panel and layer
/// show their verdicts from the start.
async fn seed_demo_fixes(engine: &Engine, truth: &Truth, tz: chrono_tz::Tz) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp();
    for p in &truth.planted {
        let (Some(done_at), Some(title)) = (p.done_at, demo_fix_title(p.kind)) else {
            continue;
        };
        let body = serde_json::json!({
            "title": format!("{title} ({})", p.category),
            "sector": p.sector,
            "done_at": done_at.to_rfc3339(),
            "lat": p.area.lat,
            "lon": p.area.lon,
            "radius_m": p.area.radius_m,
        });
        let input = crate::analysis::fixes::input::parse(
            body.to_string().as_bytes(),
            &engine.catalogue,
            tz,
            now,
        )
        .map_err(|e| anyhow::anyhow!("demo fix {} is invalid: {} {}", p.id, e.field, e.message))?;
        engine.add_fix(input.into_row(now)?).await?;
    }
    tracing::info!(fixes = engine.fixes.all().len(), "demo fixes added");
    Ok(())
}

/// What a planted fix stands for, in the region's language.
fn demo_fix_title(kind: PlantedKind) -> Option<&'static str> {
    match kind {
        PlantedKind::WorkingFix => Some("Капитальный ремонт"),
        PlantedKind::UselessFix => Some("Косметический ремонт"),
        PlantedKind::DisplacedFix => Some("Перенос площадки"),
        PlantedKind::TinyFix => Some("Точечный ремонт"),
        PlantedKind::RecurringHotspot | PlantedKind::EmergingHotspot => None,
    }
}

/// Names the demo's responsible units before any appeal names them.
async fn seed_demo_units(engine: &Engine) -> anyhow::Result<()> {
    let units: Vec<crate::domain::Responsible> = crate::generate::responsible::all_units()
        .iter()
        .map(|u| crate::domain::Responsible {
            id: 0,
            code: u.code.to_owned(),
            name_ru: u.name_ru.to_owned(),
            name_en: u.name_en.to_owned(),
        })
        .collect();
    engine.upsert_responsible(&units).await?;
    Ok(())
}

/// Records the demo's planted process change (one unit made faster), so the
/// Resolution panel shows its effect from the start.
async fn seed_demo_process_change(engine: &Engine, truth: &Truth) -> anyhow::Result<()> {
    let Some(c) = &truth.process_change else {
        return Ok(());
    };
    let responsible = engine.responsible().id_of(&c.responsible);
    anyhow::ensure!(
        responsible.is_some(),
        "demo unit {} is not stored",
        c.responsible
    );
    engine
        .add_process_change(crate::store::ProcessChangeRow {
            id: 0,
            title: c.title.clone(),
            changed_at: c.changed_at,
            sector: None,
            responsible,
            district: None,
            created_at: chrono::Utc::now().timestamp(),
        })
        .await?;
    tracing::info!(unit = c.responsible, "demo process change added");
    Ok(())
}

/// Adds Kazan's districts through the same parse and write path as
/// `POST /api/v1/districts`.
async fn seed_demo_districts(engine: &Engine) -> anyhow::Result<()> {
    let text = crate::districts::demo::kazan_geojson();
    let parsed = crate::districts::parse_collection(text.as_bytes())
        .map_err(|e| anyhow::anyhow!("demo districts are invalid: {e:?}"))?;
    let added = engine.add_districts(parsed).await?;
    tracing::info!(districts = added.len(), "demo districts added (Kazan)");
    Ok(())
}

/// The demo's data ends on the last day of the previous month, so the map's
/// "last year" is full.
fn demo_end() -> chrono::DateTime<chrono::Utc> {
    use chrono::{Datelike, NaiveDate, TimeZone};
    // Kazan keeps Moscow time: end the data at the last local second of the
    // previous month, so the last day is a whole day in the city's calendar.
    let tz = chrono_tz::Europe::Moscow;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let last = (first - chrono::Days::new(1))
        .and_hms_opt(23, 59, 59)
        .unwrap_or_default();
    tz.from_local_datetime(&last)
        .earliest()
        .map_or_else(|| last.and_utc(), |t| t.to_utc())
}

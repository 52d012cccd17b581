//! `hexwatch import FILE`: stream a file into the store in chunked
//! transactions. By default the whole file is validated first and refused if
//! any record is invalid, so nothing is half-imported; `--partial` keeps the
//! valid records. Re-running an interrupted import is safe: re-sent appeals
//! are duplicates.

use super::progress_bar;
use crate::config::ImportArgs;
use crate::engine::Engine;
use crate::ingest::{self, Format, RecordError};
use std::fs::File;
use std::io::BufReader;

/// Errors shown before giving up on a file.
const SHOW_ERRORS: usize = 50;

pub async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let format = match args.format.as_deref() {
        Some("json") => Format::Json,
        Some("geojson") => Format::GeoJson,
        Some("csv") => Format::Csv,
        Some("ndjson") => Format::Ndjson,
        Some(other) => anyhow::bail!("unknown --format {other:?} (json, geojson, csv, ndjson)"),
        None => Format::from_path(&args.file).ok_or_else(|| {
            anyhow::anyhow!(
                "cannot tell the format of {}; pass --format",
                args.file.display()
            )
        })?,
    };
    let engine =
        std::sync::Arc::new(Engine::open_with(&args.db.db, &args.db.store_options()).await?);
    engine.set_strict_responsible(args.db.strict_responsible);
    if let Some(path) = &args.districts {
        let n = add_districts(&engine, path).await?;
        println!("added {n} districts from {}", path.display());
    }
    let size = std::fs::metadata(&args.file)?.len();
    let chunk = args.chunk.max(1);

    if !args.partial {
        let bar = progress_bar(size, "checking");
        let file = bar.wrap_read(BufReader::with_capacity(1 << 20, File::open(&args.file)?));
        let cat = engine.ingest_catalogue();
        let errors = tokio::task::spawn_blocking(move || {
            let mut errors: Vec<RecordError> = Vec::new();
            let mut total = 0usize;
            ingest::parse_stream(format, file, &cat, chunk, |b| {
                total += b.total;
                errors.extend(b.rejected);
                Ok(())
            })?;
            anyhow::Ok((errors, total))
        })
        .await??;
        bar.finish_and_clear();
        let (errors, total) = errors;
        if !errors.is_empty() {
            for e in errors.iter().take(SHOW_ERRORS) {
                eprintln!("{}", describe(e));
            }
            anyhow::bail!(
                "{} problems in {total} records; nothing was imported (use --partial to import the valid ones)",
                errors.len()
            );
        }
    }

    let bar = progress_bar(size, "importing");
    let file = bar.wrap_read(BufReader::with_capacity(1 << 20, File::open(&args.file)?));
    let cat = engine.ingest_catalogue();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<ingest::Batch>(2);
    let parser = tokio::task::spawn_blocking(move || {
        ingest::parse_stream(format, file, &cat, chunk, |b| {
            tx.blocking_send(b)
                .map_err(|_| anyhow::anyhow!("writer stopped"))
        })
    });
    let (mut accepted, mut updated, mut duplicates, mut rejected) =
        (0usize, 0usize, 0usize, 0usize);
    let started = std::time::Instant::now();
    engine.set_bulk(true).await;
    while let Some(batch) = rx.recv().await {
        for e in batch
            .rejected
            .iter()
            .take(SHOW_ERRORS.saturating_sub(rejected))
        {
            eprintln!("skipped: {}", describe(e));
        }
        rejected += batch.rejected.len();
        let appeals: Vec<_> = batch.valid.into_iter().map(|(_, a)| a).collect();
        let r = engine.write(&appeals).await?;
        for o in r.outcomes {
            match o {
                crate::store::Outcome::Accepted => accepted += 1,
                crate::store::Outcome::Updated => updated += 1,
                crate::store::Outcome::Duplicate => duplicates += 1,
            }
        }
    }
    parser.await??;
    bar.finish_and_clear();
    engine.set_bulk(false).await;
    engine.save_snapshot().await;
    engine.store.close().await;
    let secs = started.elapsed().as_secs_f64();
    let n = accepted + updated + duplicates;
    println!(
        "imported {}: {accepted} accepted, {updated} updated, {duplicates} duplicates, {rejected} rejected in {secs:.1} s ({:.0} appeals/s)",
        args.file.display(),
        n as f64 / secs.max(1e-9)
    );
    Ok(())
}

/// Validates and stores a districts file through the same path as
/// `POST /api/v1/districts`; returns how many were added.
pub async fn add_districts(engine: &Engine, path: &std::path::Path) -> anyhow::Result<usize> {
    let body = std::fs::read(path)?;
    let parsed = match crate::districts::parse_collection(&body) {
        Ok(p) => p,
        Err(crate::districts::ParseError::Body { field, message }) => {
            anyhow::bail!("{}: {field}: {message}", path.display())
        }
        Err(crate::districts::ParseError::Features(errors)) => {
            for e in errors.iter().take(SHOW_ERRORS) {
                eprintln!("{}", describe(e));
            }
            anyhow::bail!(
                "{} problems in {}; no district was added",
                errors.len(),
                path.display()
            )
        }
    };
    Ok(engine.add_districts(parsed).await?.len())
}

fn describe(e: &RecordError) -> String {
    let at = match e.line {
        Some(l) => format!("line {l}"),
        None => format!("record {}", e.index),
    };
    match &e.field {
        Some(f) => format!("{at}: {f}: {}", e.message),
        None => format!("{at}: {}", e.message),
    }
}

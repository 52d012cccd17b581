//! Streaming appeals out of PostgreSQL for the index. A full load splits the
//! id range over several connections, each reading a binary COPY
//! (`copy_out`) and decoding it on its own task, and hands them on in
//! chunks through a bounded channel: memory stays at a few chunks, never the
//! whole table.

use super::copy_out;
use crate::store::rows::INDEX_COLUMNS;
use crate::store::rows::index_row;
use crate::store::{IndexRow, StoreError};
use futures_util::stream::{self, BoxStream};
use futures_util::{StreamExt, TryStreamExt};
use sqlx::PgPool;
use sqlx::postgres::PgPoolCopyExt;

/// Connections a full load reads over (at most the pool's size less one,
/// so requests can still be served).
const LOAD_STREAMS: u32 = 4;
/// Rows per chunk handed from a reading task to the consumer.
const CHUNK: usize = 16_384;

type Chunk = Result<Vec<IndexRow>, StoreError>;

/// Every appeal changed after `seq` (all of them for 0); a catch-up comes in
/// change order, a full load in no particular order.
pub(super) fn rows_since(
    pool: PgPool,
    seq: u64,
) -> BoxStream<'static, Result<IndexRow, StoreError>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(2 * LOAD_STREAMS as usize);
    tokio::spawn(async move {
        let res = if seq == 0 {
            full_load(&pool, &tx).await
        } else {
            let sql = format!("SELECT {INDEX_COLUMNS} FROM appeals WHERE seq > $1 ORDER BY seq");
            let q =
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::try_from(seq).unwrap_or(i64::MAX));
            send_chunks(q.fetch(&pool), &tx).await
        };
        if let Err(e) = res {
            let _ = tx.send(Err(e)).await;
        }
    });
    stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) })
        .map_ok(|rows| stream::iter(rows.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// Reads `[min id, max id]` in equal id ranges, one task and connection each.
async fn full_load(pool: &PgPool, tx: &tokio::sync::mpsc::Sender<Chunk>) -> Result<(), StoreError> {
    let (lo, hi): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(id), MAX(id) FROM appeals")
            .fetch_one(pool)
            .await?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(());
    };
    let streams = i64::from(
        LOAD_STREAMS
            .min(pool.options().get_max_connections() - 1)
            .max(1),
    );
    let step = (hi - lo) / streams + 1;
    let mut tasks = Vec::new();
    for k in 0..streams {
        let (from, to) = (lo + k * step, (lo + (k + 1) * step).min(hi + 1));
        let (pool, tx) = (pool.clone(), tx.clone());
        tasks.push(tokio::spawn(async move {
            let copy = pool.copy_out_raw(&copy_out::statement(from, to)).await?;
            send_copied(copy, &tx).await
        }));
    }
    for t in tasks {
        t.await
            .map_err(|e| StoreError::Corrupt(format!("load task failed: {e}")))??;
    }
    Ok(())
}

/// Decodes a binary COPY stream into chunks sent on `tx`.
async fn send_copied(
    mut bytes: BoxStream<'static, Result<bytes::Bytes, sqlx::Error>>,
    tx: &tokio::sync::mpsc::Sender<Chunk>,
) -> Result<(), StoreError> {
    let mut decoder = copy_out::Decoder::default();
    let mut buf = Vec::with_capacity(CHUNK);
    while let Some(b) = bytes.try_next().await? {
        decoder.feed(&b, &mut buf)?;
        if !pass_full(&mut buf, tx).await {
            // The consumer stopped reading; the stream is read out, so the
            // connection goes back to the pool usable.
            while bytes.try_next().await?.is_some() {}
            return Ok(());
        }
    }
    decoder.finish()?;
    pass_rest(buf, tx).await;
    Ok(())
}

/// Decodes a row stream into chunks sent on `tx`.
async fn send_chunks(
    mut rows: BoxStream<'_, Result<sqlx::postgres::PgRow, sqlx::Error>>,
    tx: &tokio::sync::mpsc::Sender<Chunk>,
) -> Result<(), StoreError> {
    let mut buf = Vec::with_capacity(CHUNK);
    while let Some(r) = rows.try_next().await? {
        buf.push(index_row(&r)?);
        if !pass_full(&mut buf, tx).await {
            return Ok(()); // the consumer stopped reading
        }
    }
    pass_rest(buf, tx).await;
    Ok(())
}

/// Sends `buf` on once it holds a chunk; false when the consumer stopped
/// reading.
async fn pass_full(buf: &mut Vec<IndexRow>, tx: &tokio::sync::mpsc::Sender<Chunk>) -> bool {
    if buf.len() < CHUNK {
        return true;
    }
    let full = std::mem::replace(buf, Vec::with_capacity(CHUNK));
    tx.send(Ok(full)).await.is_ok()
}

/// Sends the rows left at the end of a stream.
async fn pass_rest(buf: Vec<IndexRow>, tx: &tokio::sync::mpsc::Sender<Chunk>) {
    if !buf.is_empty() {
        // A consumer that stopped reading has nothing left to be told.
        let _ = tx.send(Ok(buf)).await;
    }
}

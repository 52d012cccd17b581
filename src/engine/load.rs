//! Loading the index from the store at start-up: the rows changed after
//! the index's sequence (all of them without a snapshot), in chunks, with
//! progress in the log.

use crate::index::Data;
use crate::store::{IndexRow, Store, StoreError};
use futures_util::TryStreamExt;

/// Rows applied per step while loading, and how often progress is logged.
const LOAD_CHUNK: usize = 65_536;
const LOG_EVERY: usize = 1_000_000;

/// Streams the rows changed after `data.seq` into `data` (in bulk mode; the
/// caller ends it), logging progress; returns how many rows were read.
pub(super) async fn catch_up(
    store: &Store,
    data: &mut Data,
    db_seq: u64,
) -> Result<usize, StoreError> {
    data.set_bulk(true);
    let mut rows = store.rows_since(data.seq);
    let mut buf = Vec::with_capacity(LOAD_CHUNK);
    let mut n = 0usize;
    // A full load into an empty index holds each id once: no lookups.
    let fresh = data.seq == 0 && data.is_empty();
    let apply = |data: &mut Data, buf: &[IndexRow]| {
        if fresh {
            data.append_fresh(buf, db_seq);
        } else {
            data.apply(buf, db_seq);
        }
    };
    while let Some(row) = rows.try_next().await? {
        buf.push(row);
        if buf.len() == LOAD_CHUNK {
            apply(data, &buf);
            n += buf.len();
            buf.clear();
            if n % LOG_EVERY < LOAD_CHUNK {
                tracing::info!(rows = n, "loading appeals from the database");
            }
        }
    }
    n += buf.len();
    apply(data, &buf);
    Ok(n)
}

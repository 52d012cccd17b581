//! Runs a cell-ordered binning over pieces of the base on several threads.
//! Large scans (country-wide queries) are memory-bound; two cores read twice
//! the bandwidth of one.

use crate::index::Data;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Rows per thread below which a second thread costs more than it saves.
/// Tests lower it so small data sets take the multi-threaded path too.
pub(crate) static ROWS_PER_THREAD: AtomicUsize = AtomicUsize::new(400_000);

/// Splits the base rows selected by `ranges` at parent-cell boundaries of `res`
/// and runs `work` on each piece, returning the results in cell order.
pub fn run_parts<T: Send>(
    data: &Data,
    ranges: &[(usize, usize)],
    res: u8,
    work: impl Fn(&[(usize, usize)]) -> T + Sync,
) -> Vec<T> {
    let rows: usize = ranges.iter().map(|(a, b)| b - a).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts = cores
        .min(rows / ROWS_PER_THREAD.load(Ordering::Relaxed).max(1))
        .max(1);
    let pieces = data.split_ranges(ranges, res, parts);
    if pieces.len() <= 1 {
        return vec![work(ranges)];
    }
    std::thread::scope(|s| {
        let work = &work;
        let handles: Vec<_> = pieces[1..]
            .iter()
            .map(|p| s.spawn(move || work(p)))
            .collect();
        let mut out = vec![work(&pieces[0])];
        for h in handles {
            match h.join() {
                Ok(r) => out.push(r),
                // A panic in a worker is a bug; surface it on this thread.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        out
    })
}

/// Cut resolution for [`run_parts`] callers whose per-piece results merge in
/// any order: a cut only has to avoid splitting a finest cell, so finding it
/// steps over a few rows instead of to the next base cell (millions of rows).
pub const ANY_CUT: u8 = 15;

/// Runs `a` and `b` at once, `b` on a second thread when there is a core for it.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let h = s.spawn(b);
        let ra = a();
        (
            ra,
            h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    })
}

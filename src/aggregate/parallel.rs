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

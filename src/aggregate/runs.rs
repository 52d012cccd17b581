//! The one scan both binnings share: base rows in cell order, cut into runs
//! of the same parent cell.

use crate::index::{
    Columns, Data, Filter,
    cells::{group_key, parent_raw},
};

/// Walks the base rows of `ranges` that pass `filter`, in cell order.
/// `on_row` sees each row; `on_end` closes the run of one parent cell (raw
/// bits at `res`) and returns false to stop the scan (a cap was reached).
/// Returns false when stopped early.
pub(super) fn scan_runs<S>(
    data: &Data,
    ranges: &[(usize, usize)],
    filter: &Filter,
    res: u8,
    state: &mut S,
    mut on_row: impl FnMut(&mut S, &Columns, usize),
    mut on_end: impl FnMut(&mut S, u64) -> bool,
) -> bool {
    let mut run_key = None;
    let mut run_cell = 0u64;
    let mut stopped = false;
    data.scan_base(ranges, filter, |c, i| {
        if stopped {
            return;
        }
        let key = group_key(c.cell[i], res);
        if run_key != Some(key) {
            if run_key.is_some() && !on_end(state, run_cell) {
                stopped = true;
                return;
            }
            run_key = Some(key);
            run_cell = parent_raw(c.cell[i], res);
        }
        on_row(state, c, i);
    });
    if !stopped && run_key.is_some() {
        stopped = !on_end(state, run_cell);
    }
    !stopped
}

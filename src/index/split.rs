//! Splitting a scan's base ranges for the two scan threads.

use super::{Data, cells};

impl Data {
    /// Splits base ranges into up to `parts` pieces of similar size, each cut
    /// where the parent cell at `res` changes, so per-piece results of a
    /// cell-ordered binning concatenate without overlap.
    pub fn split_ranges(
        &self,
        ranges: &[(usize, usize)],
        res: u8,
        parts: usize,
    ) -> Vec<Vec<(usize, usize)>> {
        let total: usize = ranges.iter().map(|(a, b)| b - a).sum();
        if parts <= 1 || total < parts {
            return vec![ranges.to_vec()];
        }
        let targets: Vec<usize> = (1..parts).map(|k| total * k / parts).collect();
        self.cut_ranges(ranges, res, &targets)
    }

    /// Splits base ranges at the given offsets into their concatenated rows
    /// (ascending), each moved forward to where the parent cell at `res`
    /// changes: pieces in order, none empty, whose results concatenate.
    pub fn cut_ranges(
        &self,
        ranges: &[(usize, usize)],
        res: u8,
        targets: &[usize],
    ) -> Vec<Vec<(usize, usize)>> {
        let total: usize = ranges.iter().map(|(a, b)| b - a).sum();
        let cells = &self.base.cell;
        let key = |i: usize| cells::group_key(cells[i], res);
        // Cut points as offsets into the concatenated ranges, moved forward to
        // the next change of parent.
        let mut cuts: Vec<usize> = Vec::new();
        let mut offset = 0;
        let mut want = targets.iter().peekable();
        for &(lo, hi) in ranges {
            let len = hi - lo;
            while let Some(&&target) = want.peek().filter(|&&&t| t < offset + len) {
                let t = target.max(offset);
                let mut row = lo + (t - offset);
                while row > lo && row < hi && key(row) == key(row - 1) {
                    row += 1;
                }
                let cut = offset + (row - lo);
                if cut > 0 && cut < total && cuts.last().is_none_or(|&c| cut > c) {
                    cuts.push(cut);
                }
                want.next();
            }
            offset += len;
        }
        let mut pieces: Vec<Vec<(usize, usize)>> = vec![Vec::new()];
        let mut offset = 0;
        let mut next = cuts.iter().peekable();
        for &(lo, hi) in ranges {
            let mut start = lo;
            while let Some(&&cut) = next.peek() {
                if cut >= offset + (hi - lo) {
                    break;
                }
                let row = lo + (cut - offset);
                if row > start
                    && let Some(p) = pieces.last_mut()
                {
                    p.push((start, row));
                }
                pieces.push(Vec::new());
                start = row;
                next.next();
            }
            if start < hi
                && let Some(p) = pieces.last_mut()
            {
                p.push((start, hi));
            }
            offset += hi - lo;
        }
        pieces.retain(|p| !p.is_empty());
        pieces
    }
}

//! The change between two periods, per cell: where complaints rose or fell.

use crate::aggregate::{AggError, count_cells};
use crate::index::{Data, Filter};

/// One cell's counts in period A and period B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeRow {
    /// The cell, raw bits.
    pub cell: u64,
    /// Appeals in period A.
    pub a: u32,
    /// Appeals in period B.
    pub b: u32,
}

impl ChangeRow {
    /// `b − a`.
    pub fn diff(&self) -> i64 {
        i64::from(self.b) - i64::from(self.a)
    }

    /// `b / a`; `None` when A had none (a new cell, not an infinite rise).
    pub fn ratio(&self) -> Option<f64> {
        (self.a > 0).then(|| f64::from(self.b) / f64::from(self.a))
    }
}

/// Counts per cell at `res` in `[a.0, a.1)` and in `[b.0, b.1)` under the
/// rest of `filter` (its own time bounds are replaced); cells with appeals in
/// either period, ordered by cell.
pub fn change(
    data: &Data,
    filter: &Filter,
    res: u8,
    a: (i64, i64),
    b: (i64, i64),
    cap: usize,
) -> Result<Vec<ChangeRow>, AggError> {
    let within = |(from, to): (i64, i64)| Filter {
        from: Some(from),
        to: Some(to),
        ..filter.clone()
    };
    let ca = count_cells(data, &within(a), res, cap)?;
    let cb = count_cells(data, &within(b), res, cap)?;
    let rows = join(
        ca.iter().map(|c| (c.cell, c.total)),
        cb.iter().map(|c| (c.cell, c.total)),
    );
    if rows.len() > cap {
        return Err(AggError::TooManyCells { cap });
    }
    Ok(rows)
}

/// Merges two cell-ordered count lists into rows holding both.
pub fn join(
    a: impl IntoIterator<Item = (u64, u32)>,
    b: impl IntoIterator<Item = (u64, u32)>,
) -> Vec<ChangeRow> {
    let mut out = Vec::new();
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let row = match (a.peek().copied(), b.peek().copied()) {
            (None, None) => break,
            (Some((ca, na)), Some((cb, nb))) if ca == cb => {
                a.next();
                b.next();
                ChangeRow {
                    cell: ca,
                    a: na,
                    b: nb,
                }
            }
            (Some((ca, na)), Some((cb, _))) if ca < cb => {
                a.next();
                ChangeRow {
                    cell: ca,
                    a: na,
                    b: 0,
                }
            }
            (Some((ca, na)), None) => {
                a.next();
                ChangeRow {
                    cell: ca,
                    a: na,
                    b: 0,
                }
            }
            (_, Some((cb, nb))) => {
                b.next();
                ChangeRow {
                    cell: cb,
                    a: 0,
                    b: nb,
                }
            }
        };
        out.push(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::testdata::random_rows;

    #[test]
    fn joins_cells_of_either_period() {
        let rows = join([(1, 5), (3, 2), (7, 1)], [(2, 4), (3, 6), (9, 1)]);
        let got: Vec<_> = rows.iter().map(|r| (r.cell, r.a, r.b, r.diff())).collect();
        assert_eq!(
            got,
            vec![
                (1, 5, 0, -5),
                (2, 0, 4, 4),
                (3, 2, 6, 4),
                (7, 1, 0, -1),
                (9, 0, 1, 1)
            ]
        );
        assert_eq!(rows[2].ratio(), Some(3.0));
        assert_eq!(rows[1].ratio(), None);
    }

    #[test]
    fn matches_a_direct_tally_of_both_periods() {
        let rows = random_rows(20_000, 5);
        let data = Data::from_rows(rows.clone(), 1);
        let (a, b) = (
            (1_600_000_000, 1_630_000_000),
            (1_630_000_000, 1_700_000_000),
        );
        let got = change(&data, &Filter::default(), 6, a, b, usize::MAX).unwrap();
        let mut want = std::collections::BTreeMap::<u64, (u32, u32)>::new();
        for r in &rows {
            let cell = crate::index::cells::parent_raw(r.cell, 6);
            let e = want.entry(cell).or_default();
            if (a.0..a.1).contains(&r.created_at) {
                e.0 += 1;
            } else if (b.0..b.1).contains(&r.created_at) {
                e.1 += 1;
            }
        }
        want.retain(|_, v| *v != (0, 0));
        let got: Vec<(u64, (u32, u32))> = got.iter().map(|r| (r.cell, (r.a, r.b))).collect();
        assert_eq!(got, want.into_iter().collect::<Vec<_>>());
    }
}

//! Merging the delta into the sorted base: the rows' order first, from
//! sort keys held inline (an indirect sort's every comparison missed the
//! cache twice at 10 M rows), then each column gathered on its own, the
//! columns shared between two threads (a row-at-a-time copy touched twelve
//! vectors per row and was a fifth of a 10 M cold start).

use super::columns::Columns;

/// Below this many rows one thread sorts; above, two (a cold start sorts
/// every appeal at once).
const PAR_SORT_MIN: usize = 1 << 20;

/// A row's sort key and its position.
type Keyed = (u64, i64, u32);

impl Columns {
    /// Rows in (cell, id) order, merging `self` (already sorted) with `extra`
    /// (any order). The result is the new sorted base.
    pub fn merged_with(&self, extra: &Columns) -> Columns {
        let keyed = sorted_keys(extra);
        let n = self.len();
        // Positions in `self` followed by `extra`.
        let mut picks: Vec<u32> = Vec::with_capacity(n + keyed.len());
        let mut a = 0;
        for &(cell, id, j) in &keyed {
            while a < n && (self.cell[a], self.id[a]) <= (cell, id) {
                picks.push(a as u32);
                a += 1;
            }
            picks.push((n + j as usize) as u32);
        }
        picks.extend((a..n).map(|i| i as u32));
        drop(keyed);
        let (s, e) = (self, extra);
        let p = picks.as_slice();
        std::thread::scope(|scope| {
            let wide = scope.spawn(move || {
                (
                    gather(&s.cell, &e.cell, p),
                    gather(&s.created, &e.created, p),
                    gather(&s.id, &e.id, p),
                    gather(&s.lat, &e.lat, p),
                )
            });
            let lon = gather(&s.lon, &e.lon, p);
            let resolve = gather(&s.resolve, &e.resolve, p);
            let sector = gather(&s.sector, &e.sector, p);
            let status = gather(&s.status, &e.status, p);
            let source = gather(&s.source, &e.source, p);
            let due = gather(&s.due, &e.due, p);
            let first_response = gather(&s.first_response, &e.first_response, p);
            let responsible = gather(&s.responsible, &e.responsible, p);
            let (cell, created, id, lat) =
                wide.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            Columns {
                cell,
                lat,
                lon,
                created,
                resolve,
                sector,
                status,
                source,
                id,
                due,
                first_response,
                responsible,
            }
        })
    }
}

/// One column of the merged rows: `picks` index `a` followed by `b`.
fn gather<T: Copy>(a: &[T], b: &[T], picks: &[u32]) -> Vec<T> {
    let n = a.len();
    if n == 0 {
        return picks.iter().map(|&p| b[p as usize]).collect();
    }
    picks
        .iter()
        .map(|&p| {
            let p = p as usize;
            if p < n { a[p] } else { b[p - n] }
        })
        .collect()
}

/// The (cell, id, position) of every row of `c`, sorted: two halves sorted
/// on two threads, then merged.
fn sorted_keys(c: &Columns) -> Vec<Keyed> {
    let mut keyed: Vec<Keyed> = (0..c.len())
        .map(|i| (c.cell[i], c.id[i], i as u32))
        .collect();
    if keyed.len() < PAR_SORT_MIN {
        keyed.sort_unstable();
        return keyed;
    }
    let (left, right) = keyed.split_at_mut(c.len() / 2);
    std::thread::scope(|s| {
        s.spawn(|| left.sort_unstable());
        right.sort_unstable();
    });
    let (left, right) = keyed.split_at(c.len() / 2);
    let mut out = Vec::with_capacity(keyed.len());
    let (mut a, mut b) = (0, 0);
    while a < left.len() && b < right.len() {
        if left[a] <= right[b] {
            out.push(left[a]);
            a += 1;
        } else {
            out.push(right[b]);
            b += 1;
        }
    }
    out.extend_from_slice(&left[a..]);
    out.extend_from_slice(&right[b..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;
    use crate::index::NO_TIME;
    use crate::store::IndexRow;

    fn row(id: i64, cell: u64) -> IndexRow {
        IndexRow {
            id,
            cell,
            lat: 55.0,
            lon: 49.0,
            created_at: 1_000,
            sector: 1,
            status: Status::Resolved,
            resolved_at: Some(4_600),
            source: "vk".into(),
            responsible: 3,
            due_at: Some(1_000 + 86_400),
            first_response_at: None,
        }
    }

    #[test]
    fn merge_keeps_cell_then_id_order() {
        let mut base = Columns::default();
        for (id, cell) in [(1, 10), (5, 20), (2, 30)] {
            base.push(&row(id, cell), 0);
        }
        let mut extra = Columns::default();
        for (id, cell) in [(9, 25), (3, 20), (4, 5)] {
            extra.push(&row(id, cell), 0);
        }
        let m = base.merged_with(&extra);
        assert_eq!(m.cell, [5, 10, 20, 20, 25, 30]);
        assert_eq!(m.id, [4, 1, 3, 5, 9, 2]);
        assert_eq!(m.resolved_at(0), Some(4_600));
        assert_eq!(
            (m.due[0], m.first_response[0], m.responsible[0]),
            (86_400, NO_TIME, 3)
        );
    }

    #[test]
    fn the_two_thread_sort_orders_like_one_sort() {
        // Above PAR_SORT_MIN, with repeated cells so ids break ties.
        let n = PAR_SORT_MIN + 1_001;
        let mut c = Columns::default();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for id in 0..n as i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c.push(&row(id, x % 50_000), 0);
        }
        let mut want: Vec<u32> = (0..n as u32).collect();
        want.sort_by_key(|&i| (c.cell[i as usize], c.id[i as usize]));
        let got: Vec<u32> = sorted_keys(&c).iter().map(|k| k.2).collect();
        assert_eq!(got, want);
    }
}

//! Index queries against a brute-force filter over fixed-seed points.

use super::testdata::random_rows;
use super::*;
use crate::domain::Status;

fn brute(rows: &[IndexRow], f: &Filter) -> Vec<i64> {
    let mut ids: Vec<i64> = rows
        .iter()
        .filter(|r| f.bbox.is_none_or(|b| b.contains(r.lat, r.lon)))
        .filter(|r| {
            f.sectors
                .is_none_or(|s| s[usize::from(r.sector / 64)] & (1 << (r.sector % 64)) != 0)
        })
        .filter(|r| {
            f.from.is_none_or(|t| r.created_at >= t) && f.to.is_none_or(|t| r.created_at < t)
        })
        .map(|r| r.id)
        .collect();
    ids.sort_unstable();
    ids
}

fn visited(data: &Data, f: &Filter) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut base_cells = Vec::new();
    data.visit(f, |c, i, part| {
        ids.push(c.id[i]);
        if part == Part::Base {
            base_cells.push(c.cell[i]);
        }
    });
    assert!(base_cells.is_sorted(), "base rows come in cell order");
    ids.sort_unstable();
    ids
}

fn filters() -> Vec<Filter> {
    let boxes = [
        BBox {
            min_lon: 49.0,
            min_lat: 55.7,
            max_lon: 49.2,
            max_lat: 55.8,
        },
        BBox {
            min_lon: 48.0,
            min_lat: 50.0,
            max_lon: 50.0,
            max_lat: 60.0,
        },
        BBox {
            min_lon: 179.5,
            min_lat: 64.5,
            max_lon: -179.5,
            max_lat: 65.5,
        },
        BBox {
            min_lon: -180.0,
            min_lat: -90.0,
            max_lon: 180.0,
            max_lat: 90.0,
        },
        BBox {
            min_lon: 49.1,
            min_lat: 55.75,
            max_lon: 49.1001,
            max_lat: 55.7501,
        },
    ];
    let mut out = vec![Filter::default()];
    for b in boxes {
        out.push(Filter {
            bbox: Some(b),
            ..Filter::default()
        });
        out.push(Filter {
            bbox: Some(b),
            sectors: Some(Filter::sector_set([2, 5])),
            from: Some(1_620_000_000),
            to: Some(1_680_000_000),
            district: None,
        });
    }
    out
}

#[test]
fn queries_match_brute_force_in_base_and_delta() {
    let rows = random_rows(20_000, 42);
    // Most rows in the sorted base, the rest arriving as writes into the delta.
    let mut data = Data::from_rows(rows[..15_000].to_vec(), 1);
    data.apply(&rows[15_000..], 2);
    assert_eq!(data.delta.len(), 5_000);
    for f in filters() {
        assert_eq!(visited(&data, &f), brute(&rows, &f), "{f:?}");
    }
    data.compact();
    assert!(data.delta.is_empty());
    for f in filters() {
        assert_eq!(
            visited(&data, &f),
            brute(&rows, &f),
            "{f:?} after compaction"
        );
    }
}

#[test]
fn updates_change_state_in_place() {
    let rows = random_rows(100, 1);
    let mut data = Data::from_rows(rows[..50].to_vec(), 1);
    data.apply(&rows[50..], 2);
    let mut changed = vec![rows[3].clone(), rows[70].clone()];
    for r in &mut changed {
        r.status = Status::Resolved;
        r.resolved_at = Some(r.created_at + 3_600);
    }
    data.apply(&changed, 3);
    assert_eq!(data.len(), 100);
    let mut resolved = Vec::new();
    data.visit(&Filter::default(), |c, i, _| {
        if c.status_of(i) == Status::Resolved {
            resolved.push((c.id[i], c.resolved_at(i)));
        }
    });
    resolved.sort_unstable();
    assert_eq!(
        resolved,
        vec![(4, changed[0].resolved_at), (71, changed[1].resolved_at)]
    );
    assert_eq!(data.seq, 3);
}

#[test]
fn snapshot_round_trips_and_refuses_other_databases() {
    let rows = random_rows(1_000, 9);
    let data = Data::from_rows(rows, 17);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.hexidx");
    snapshot::write(&path, "abc", &data).expect("write");
    let back = snapshot::read(&path, "abc", 17)
        .expect("read")
        .expect("valid");
    assert_eq!(back.base, data.base);
    assert_eq!(back.sources, data.sources);
    assert_eq!(back.seq, 17);
    assert!(snapshot::read(&path, "other", 17).expect("read").is_none());
    assert!(
        snapshot::read(&path, "abc", 16).expect("read").is_none(),
        "snapshot ahead of db"
    );
    // A snapshot of the previous layout (40 bytes a row) is refused, not misread.
    let mut old = std::fs::read(&path).expect("read back");
    old[7] = 2;
    std::fs::write(&path, &old).expect("overwrite");
    assert!(snapshot::read(&path, "abc", 17).expect("read").is_none());
    std::fs::write(&path, b"HEXIDX\x00\x03garbage").expect("overwrite");
    assert!(
        snapshot::read(&path, "abc", 17)
            .map(|d| d.is_none())
            .unwrap_or(true)
    );
}

#[test]
fn split_ranges_cover_the_same_rows_and_cut_between_parents() {
    let data = Data::from_rows(random_rows(5_000, 3), 1);
    let f = Filter {
        bbox: Some(super::testdata::KAZAN_BOX),
        ..Filter::default()
    };
    for ranges in [data.base_ranges(&Filter::default()), data.base_ranges(&f)] {
        let rows: Vec<usize> = ranges.iter().flat_map(|&(a, b)| a..b).collect();
        for (res, parts) in [(5u8, 2usize), (9, 3), (12, 7)] {
            let pieces = data.split_ranges(&ranges, res, parts);
            assert!(pieces.len() <= parts);
            let again: Vec<usize> = pieces.iter().flatten().flat_map(|&(a, b)| a..b).collect();
            assert_eq!(again, rows, "res {res} parts {parts}");
            for w in pieces.windows(2) {
                let (end, start) = (w[0].last().expect("piece").1, w[1][0].0);
                if end == start {
                    let key = |i: usize| cells::group_key(data.base.cell[i], res);
                    assert_ne!(key(end - 1), key(start), "a parent straddles a cut");
                }
            }
        }
    }
}

#[test]
fn time_span_follows_writes() {
    let rows = random_rows(1_000, 11);
    let lo = rows.iter().map(|r| r.created_at).min().unwrap();
    let hi = rows.iter().map(|r| r.created_at).max().unwrap();
    let mut data = Data::from_rows(rows.clone(), 1);
    assert_eq!(data.time_span(), Some((lo, hi)));
    // A later write outside the span moves it (the cached span is dropped).
    let mut late = rows[0].clone();
    late.id = 5_000;
    late.created_at = hi + 10;
    data.apply(&[late], 2);
    assert_eq!(data.time_span(), Some((lo, hi + 10)));
    assert_eq!(Data::default().time_span(), None);
}

#[test]
fn galloping_agrees_with_a_binary_search() {
    let v: Vec<u64> = (0..1000u64).map(|i| i * 3 / 2).collect();
    for from in [0, 1, 7, 500, 999, 1000] {
        for x in [0u64, 1, 2, 100, 750, 1_497, 1_498, 5_000] {
            let want = v.partition_point(|&c| c < x).max(from);
            assert_eq!(
                super::cells::gallop(&v, from, |c| c < x),
                want,
                "from {from} x {x}"
            );
        }
    }
}

#[test]
fn a_full_load_appends_fresh_and_still_takes_updates() {
    let rows = random_rows(100, 4);
    let mut data = Data::default();
    data.set_bulk(true);
    data.append_fresh(&rows, 5);
    // A change to an appended row before the load ends updates it in place.
    let mut changed = rows[10].clone();
    changed.status = Status::Resolved;
    changed.resolved_at = Some(changed.created_at + 60);
    data.apply(std::slice::from_ref(&changed), 6);
    data.set_bulk(false);
    assert_eq!((data.len(), data.seq), (100, 6));
    let mut all = rows.clone();
    all[10] = changed;
    let want = Data::from_rows(all, 6);
    assert_eq!(data.base, want.base);
    assert!(data.delta.is_empty());
}

//! The H3 flower by hand, and a whole analysis over a constructed index.

use super::*;
use crate::domain::{Status, cell_of};
use crate::store::IndexRow;
use h3o::{CellIndex, Resolution};

fn kazan_cell(res: u8) -> CellIndex {
    cell_of(55.79, 49.12)
        .expect("cell")
        .parent(Resolution::try_from(res).expect("res"))
        .expect("parent")
}

fn disk(c: CellIndex, k: u32) -> Vec<u64> {
    let mut v: Vec<u64> = c
        .grid_disk::<Vec<_>>(k)
        .into_iter()
        .map(u64::from)
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn a_lone_cell_studies_its_flower() {
    let c = kazan_cell(9);
    // k = 1: the area is the 2-disk, 1 + 6 + 12 = 19 cells.
    let area = study_area(&[u64::from(c)], 1, 100).expect("area");
    assert_eq!(area.cells, disk(c, 2));
    let petals = disk(c, 1);
    for (i, &cell) in area.cells.iter().enumerate() {
        // The centre and its petals see a full flower of 7; an outer-ring
        // cell sees itself and 2 or 3 cells of the disk (corner cells touch
        // 1 petal + 2 ring cells, edge cells 2 petals + 2 ring cells).
        let n = area.neighbours.of(i).len();
        if petals.contains(&cell) {
            assert_eq!(n, 7);
        } else {
            assert!(n == 4 || n == 5, "outer ring cell sees {n}");
        }
        assert!(area.neighbours.of(i).contains(&(i as u32)), "self included");
    }
    // k = 2: the 4-disk, 1 + 3·4·5 = 61 cells.
    assert_eq!(
        study_area(&[u64::from(c)], 2, 100)
            .expect("area")
            .cells
            .len(),
        61
    );
    assert_eq!(
        study_area(&[u64::from(c)], 1, 18),
        Err(area::TooLarge { cells: 19 })
    );
}

#[test]
fn hand_computed_flower_in_its_two_ring_disk() {
    // Study area: the 19 cells within 2 steps of a centre; k = 1. Counts:
    // centre 10, the six petals 1 2 0 3 1 1, the outer ring 0. As in
    // `gistar`'s test: n = 19, Σx = 18, Σx² = 116, X̄ = 0.947368,
    // S = 2.282051; the centre's neighbourhood is the flower (W = 7,
    // Σwx = 18), so z = (18 − 7·18/19) / (S·√((19·7 − 49)/18)) = 2.306064.
    let c = kazan_cell(9);
    let cells = disk(c, 2);
    let petals: Vec<u64> = disk(c, 1)
        .into_iter()
        .filter(|&x| x != u64::from(c))
        .collect();
    let mut x = vec![0.0; cells.len()];
    for (i, cell) in cells.iter().enumerate() {
        if *cell == u64::from(c) {
            x[i] = 10.0;
        } else if let Some(j) = petals.iter().position(|p| p == cell) {
            x[i] = [1.0, 2.0, 0.0, 3.0, 1.0, 1.0][j];
        }
    }
    let area = StudyArea::of_cells(cells.clone(), 1);
    let periods = Periods::covering(Period::Year, chrono_tz::Europe::Moscow, 0, 1).expect("p");
    let h = analyse(area, &x, periods, 0.05);
    let top = h.ranked().next().expect("a cell");
    assert_eq!(top.cell, u64::from(c));
    assert_eq!(top.count, 10);
    assert!((top.z - 2.306_064_4).abs() < 1e-6, "{}", top.z);
    assert!((top.p - 0.021_107_03).abs() < 1e-8);
    // 19 tests: the centre's p·19/rank can only grow the adjusted value.
    assert!(top.p_fdr >= top.p && top.p_fdr <= 1.0);
    // One period: hot in it only if the adjusted p passes α.
    assert_eq!(top.periods_hot, u32::from(top.p_fdr < 0.05));
    assert_eq!(h.cells.len(), 19);
}

fn row(id: i64, lat: f64, lon: f64, created_at: i64) -> IndexRow {
    IndexRow {
        id,
        cell: u64::from(cell_of(lat, lon).expect("cell")),
        lat,
        lon,
        created_at,
        sector: 1,
        status: Status::New,
        resolved_at: None,
        source: "vk".into(),
        responsible: 0,
        due_at: None,
        first_response_at: None,
    }
}

#[test]
fn a_cell_busy_only_in_the_last_month_is_new() {
    // 12 months of 2024 in Moscow time; twenty background spots ~2 km apart
    // with one appeal a month each, and a spot with 30 appeals in December only.
    let tz = chrono_tz::Europe::Moscow;
    let month = |m: u32| {
        crate::aggregate::periods::midnight(
            tz,
            chrono::NaiveDate::from_ymd_opt(2024, m, 1).expect("date"),
        )
    };
    let mut rows = Vec::new();
    let mut id = 0;
    for spot in 0..20 {
        for m in 1..=12 {
            id += 1;
            rows.push(row(
                id,
                55.60 + 0.02 * f64::from(spot),
                49.10,
                month(m) + 86_400,
            ));
        }
    }
    for k in 0..30 {
        id += 1;
        rows.push(row(id, 55.65, 49.20, month(12) + 3_600 * (k + 1)));
    }
    let data = Data::from_rows(rows, 1);
    let q = HotspotQuery {
        filter: Filter {
            from: Some(month(1)),
            to: Some(month(12) + 31 * 86_400),
            ..Filter::default()
        },
        res: 9,
        k: 1,
        period: Period::Month,
        tz,
        alpha: 0.05,
        max_cells: 10_000,
    };
    let h = compute(&data, &q).expect("hotspots");
    assert_eq!(h.periods.len(), 12);
    // 21 occupied cells ~2 km apart, each with its 18 empty cells of the 2-disk.
    assert_eq!(h.cells.len(), 21 * 19);
    let target = u64::from(kazan_like(55.65, 49.20));
    let top = h.ranked().next().expect("top");
    assert_eq!(top.cell, target);
    assert_eq!(top.count, 30);
    assert_eq!(top.periods_hot, 1);
    assert_eq!(top.class, Class::New);
    // Over the whole year: n = 399, Σx = 20·12 + 30 = 270, Σx² = 20·144 + 900
    // = 3780; X̄ = 0.676692, S = √(3780/399 − X̄²) = 3.002628; the target's
    // flower holds 30 (W = 7): z = (30 − 7·0.676692) / (3.002628 ·
    // √((399·7 − 49)/398)) = 3.204318, p = 0.001354. Its six petals share
    // that sum and z, so BH ranks 7 equal p-values: p_fdr = p·399/7 = 0.0772,
    // not significant over the year although December alone is.
    assert!((top.z - 3.204_318_3).abs() < 1e-6, "{}", top.z);
    assert!((top.p - 0.001_353_83).abs() < 1e-8);
    assert!((top.p_fdr - 0.001_353_827_26 * 399.0 / 7.0).abs() < 1e-8);
    // Background spots are even in every month: never hot, no class.
    let spot = u64::from(kazan_like(55.60, 49.10));
    let s = h.cells.iter().find(|c| c.cell == spot).expect("spot");
    assert_eq!((s.count, s.periods_hot, s.class), (12, 0, Class::None));
    // The same query with a cap below the area's size is refused.
    let small = HotspotQuery {
        max_cells: 100,
        ..q.clone()
    };
    assert!(matches!(
        compute(&data, &small),
        Err(HotspotError::TooManyCells { cap: 100, .. })
    ));
}

fn kazan_like(lat: f64, lon: f64) -> CellIndex {
    cell_of(lat, lon)
        .expect("cell")
        .parent(Resolution::Nine)
        .expect("parent")
}

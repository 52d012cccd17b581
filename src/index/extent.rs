//! The area the appeals cover, for framing a map's first view.

use super::{Columns, Data, spatial::BBox};

/// Fixed-point coordinates are 1e-7 degrees (see [`Columns`]).
const DEG_PER_UNIT: f64 = 1e-7;

impl Data {
    /// The smallest box holding every appeal, or `None` when there are none.
    /// A data set on both sides of ±180 gets the full longitude range: the
    /// box only frames a view, it filters nothing.
    pub fn extent(&self) -> Option<BBox> {
        let mut acc: Option<[i32; 4]> = None;
        for c in [&self.base, self.delta.columns()] {
            acc = fold(acc, c);
        }
        acc.map(|[w, s, e, n]| BBox {
            min_lon: f64::from(w) * DEG_PER_UNIT,
            min_lat: f64::from(s) * DEG_PER_UNIT,
            max_lon: f64::from(e) * DEG_PER_UNIT,
            max_lat: f64::from(n) * DEG_PER_UNIT,
        })
    }
}

fn fold(mut acc: Option<[i32; 4]>, c: &Columns) -> Option<[i32; 4]> {
    for (&lon, &lat) in c.lon.iter().zip(&c.lat) {
        let b = acc.get_or_insert([lon, lat, lon, lat]);
        b[0] = b[0].min(lon);
        b[1] = b[1].min(lat);
        b[2] = b[2].max(lon);
        b[3] = b[3].max(lat);
    }
    acc
}

#[cfg(test)]
mod tests {
    use crate::index::Data;
    use crate::index::testdata::rows_in;

    #[test]
    fn extent_is_none_when_empty() {
        assert!(Data::from_rows(Vec::new(), 0).extent().is_none());
    }

    #[test]
    fn extent_spans_base_and_delta_like_brute_force() {
        let rows = rows_in(500, 7, 1, 11);
        let mut d = Data::from_rows(rows[..400].to_vec(), 1);
        d.apply(&rows[400..], 2);
        assert_eq!(d.delta.len(), 100, "the last rows must sit in the delta");
        let b = d.extent().expect("extent");
        let min =
            |f: fn(&crate::store::IndexRow) -> f64| rows.iter().map(f).fold(f64::MAX, f64::min);
        let max =
            |f: fn(&crate::store::IndexRow) -> f64| rows.iter().map(f).fold(f64::MIN, f64::max);
        // Fixed-point storage rounds to 1e-7 degrees.
        let close = |a: f64, b: f64| (a - b).abs() < 2e-7;
        assert!(close(b.min_lon, min(|r| r.lon)), "{b:?}");
        assert!(close(b.max_lon, max(|r| r.lon)), "{b:?}");
        assert!(close(b.min_lat, min(|r| r.lat)), "{b:?}");
        assert!(close(b.max_lat, max(|r| r.lat)), "{b:?}");
    }
}

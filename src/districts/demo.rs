//! Kazan's seven districts for the demo, as polygons that tile the city box
//! exactly (no gaps, no overlaps).
//!
//! Approximate on purpose: a Voronoi partition of the city box around the
//! generator's residential clusters (`generate::cities::KAZAN`), computed in
//! a local equirectangular frame, each cell owned by its cluster's district.
//! A district's cells are merged by dropping the edges they share. Vertices
//! are rounded to 1e-6° (~0.1 m), so neighbours share exactly the same
//! vertices and edges. With today's clusters all seven come out as single
//! polygons (a district whose cells did not touch would become a
//! MultiPolygon, and cells enclosed by another district's would leave a
//! hole); holes and multipart districts are exercised by the tests' own shapes.

use crate::generate::kazan_districts;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Shrinks longitudes so distances are nearly isotropic at Kazan (cos 55.8°).
const KX: f64 = 0.5621;

type Pt = (i64, i64);

/// The districts as a GeoJSON FeatureCollection (`name`, `name_en`, `code`).
pub fn kazan_geojson() -> String {
    let (names, parts) = kazan_polygons();
    let features: Vec<Value> = names
        .iter()
        .zip(parts)
        .enumerate()
        .map(|(i, ((ru, en), mp))| {
            json!({
                "type": "Feature",
                "properties": {"name": ru, "name_en": en, "code": format!("kazan-{}", i + 1)},
                "geometry": serde_json::from_str::<Value>(&super::parse::geometry_json(&mp, false))
                    .unwrap_or(Value::Null),
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// (Russian, English) names and the geometry of each district, in the
/// generator's order.
pub fn kazan_polygons() -> (Vec<(String, String)>, Vec<MultiPolygon<f64>>) {
    let (bbox, districts) = kazan_districts();
    let mut sites: Vec<(usize, f64, f64)> = Vec::new();
    for (d, (_, _, clusters)) in districts.iter().enumerate() {
        for &(lat, lon) in clusters {
            sites.push((d, lon * KX, lat));
        }
    }
    let [w, s, e, n] = bbox;
    let frame = vec![(w * KX, s), (e * KX, s), (e * KX, n), (w * KX, n)];
    // Directed edges (in rounded micro-degrees) of every district's cells.
    let mut edges: Vec<Vec<(Pt, Pt)>> = vec![Vec::new(); districts.len()];
    for (k, &(d, x, y)) in sites.iter().enumerate() {
        let mut cell = frame.clone();
        for (j, &(_, ox, oy)) in sites.iter().enumerate() {
            if j != k {
                cell = clip(&cell, (x, y), (ox, oy));
            }
        }
        let mut ring: Vec<Pt> = cell
            .iter()
            .map(|&(px, py)| (micro(px / KX), micro(py)))
            .collect();
        ring.dedup();
        while ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        for i in 0..ring.len() {
            edges[d].push((ring[i], ring[(i + 1) % ring.len()]));
        }
    }
    let names = districts
        .iter()
        .map(|(ru, en, _)| (ru.to_string(), en.to_string()))
        .collect();
    (names, edges.into_iter().map(|e| merge(&e)).collect())
}

fn micro(v: f64) -> i64 {
    (v * 1e6).round() as i64
}

/// Keeps the part of convex `poly` closer to `a` than to `b` (Sutherland–Hodgman
/// against the perpendicular bisector).
fn clip(poly: &[(f64, f64)], a: (f64, f64), b: (f64, f64)) -> Vec<(f64, f64)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mx, my) = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let side = |p: (f64, f64)| (p.0 - mx) * dx + (p.1 - my) * dy;
    let mut out = Vec::with_capacity(poly.len() + 1);
    for i in 0..poly.len() {
        let (p, q) = (poly[i], poly[(i + 1) % poly.len()]);
        let (sp, sq) = (side(p), side(q));
        if sp <= 0.0 {
            out.push(p);
        }
        if (sp < 0.0 && sq > 0.0) || (sp > 0.0 && sq < 0.0) {
            let t = sp / (sp - sq);
            out.push((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)));
        }
    }
    out
}

/// The outline of a union of counter-clockwise cells that share whole edges:
/// edges met in both directions are interior and cancel; the rest chain into
/// rings (counter-clockwise exteriors, clockwise holes).
fn merge(edges: &[(Pt, Pt)]) -> MultiPolygon<f64> {
    let mut count: HashMap<(Pt, Pt), i32> = HashMap::new();
    for &(a, b) in edges {
        *count.entry((a, b)).or_default() += 1;
    }
    let mut next: HashMap<Pt, Vec<Pt>> = HashMap::new();
    for &(a, b) in edges {
        if !count.contains_key(&(b, a)) {
            next.entry(a).or_default().push(b);
        }
    }
    let mut rings: Vec<Vec<Pt>> = Vec::new();
    let mut starts: Vec<Pt> = next.keys().copied().collect();
    starts.sort_unstable();
    for s in starts {
        while let Some(first) = next.get_mut(&s).and_then(Vec::pop) {
            let mut ring = vec![s];
            let mut at = first;
            while at != s {
                ring.push(at);
                match next.get_mut(&at).and_then(Vec::pop) {
                    Some(n) => at = n,
                    None => break,
                }
            }
            rings.push(ring);
        }
    }
    let to_line = |r: &[Pt]| {
        let mut c: Vec<Coord<f64>> = r
            .iter()
            .map(|&(x, y)| Coord {
                x: x as f64 / 1e6,
                y: y as f64 / 1e6,
            })
            .collect();
        c.push(c[0]);
        LineString(c)
    };
    let signed = |r: &[Pt]| -> i128 {
        (0..r.len())
            .map(|i| {
                let (a, b) = (r[i], r[(i + 1) % r.len()]);
                i128::from(a.0) * i128::from(b.1) - i128::from(b.0) * i128::from(a.1)
            })
            .sum()
    };
    let (outer, holes): (Vec<_>, Vec<_>) = rings.into_iter().partition(|r| signed(r) > 0);
    let mut polys: Vec<Polygon<f64>> = outer
        .iter()
        .map(|r| Polygon::new(to_line(r), vec![]))
        .collect();
    for h in holes {
        let line = to_line(&h);
        let p = line.0[0];
        if let Some(poly) = polys.iter_mut().find(|poly| {
            use geo::Contains;
            poly.contains(&p) || geo::Intersects::intersects(poly.exterior(), &p)
        }) {
            poly.interiors_push(line);
        }
    }
    MultiPolygon(polys)
}

//! Clipping polygon rings to a tile (with its buffer) and snapping them to
//! integer tile units without leaving degenerate rings behind.
//!
//! Hexagons are convex, so Sutherland–Hodgman against the four sides of the
//! square is exact for them. For the (non-convex) polar caps it may leave
//! zero-width spikes along the square's sides, which renderers ignore.

/// Clips `ring` (no closing vertex, any orientation) to `[lo, hi]²`, writing
/// the result to `out` (empty when nothing is left). `tmp` is scratch space.
pub fn clip_ring(
    ring: &[[f64; 2]],
    lo: f64,
    hi: f64,
    out: &mut Vec<[f64; 2]>,
    tmp: &mut Vec<[f64; 2]>,
) {
    out.clear();
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in ring {
        for k in 0..2 {
            min[k] = min[k].min(p[k]);
            max[k] = max[k].max(p[k]);
        }
    }
    if ring.len() < 3 || max[0] < lo || max[1] < lo || min[0] > hi || min[1] > hi {
        return;
    }
    out.extend_from_slice(ring);
    if min[0] >= lo && min[1] >= lo && max[0] <= hi && max[1] <= hi {
        return;
    }
    // One pass per side: (axis, bound, keep the side where v >= bound?).
    for (axis, bound, keep_above) in [(0, lo, true), (0, hi, false), (1, lo, true), (1, hi, false)]
    {
        let inside = |p: &[f64; 2]| {
            if keep_above {
                p[axis] >= bound
            } else {
                p[axis] <= bound
            }
        };
        std::mem::swap(out, tmp);
        out.clear();
        let n = tmp.len();
        for i in 0..n {
            let p = tmp[i];
            let q = tmp[(i + 1) % n];
            let (pin, qin) = (inside(&p), inside(&q));
            if pin {
                out.push(p);
            }
            if pin != qin {
                let t = (bound - p[axis]) / (q[axis] - p[axis]);
                let mut c = [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
                c[axis] = bound;
                out.push(c);
            }
        }
        if out.len() < 3 {
            out.clear();
            return;
        }
    }
}

/// Rounds a clipped ring to integer tile units and drops repeated vertices;
/// false (and `out` empty) when what is left has no area.
pub fn snap(ring: &[[f64; 2]], out: &mut Vec<(i32, i32)>) -> bool {
    out.clear();
    for p in ring {
        // Clipped rings are within a few thousand units: the casts cannot overflow.
        let v = (p[0].round() as i32, p[1].round() as i32);
        if out.last() != Some(&v) {
            out.push(v);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    if out.len() < 3 || twice_area(out) == 0 {
        out.clear();
        return false;
    }
    true
}

/// Twice the signed area (shoelace); positive is clockwise with y pointing
/// down, which MVT 2.1 wants for exterior rings.
pub fn twice_area(ring: &[(i32, i32)]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area_f(r: &[[f64; 2]]) -> f64 {
        let n = r.len();
        (0..n)
            .map(|i| r[i][0] * r[(i + 1) % n][1] - r[(i + 1) % n][0] * r[i][1])
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn clips_a_hexagon_to_its_share_of_the_square() {
        // A regular hexagon centred on the square's corner: a quarter stays.
        let hex: Vec<[f64; 2]> = (0..6)
            .map(|k| {
                let a = std::f64::consts::PI / 3.0 * f64::from(k);
                [100.0 * a.cos(), 100.0 * a.sin()]
            })
            .collect();
        let (mut out, mut tmp) = (Vec::new(), Vec::new());
        clip_ring(&hex, 0.0, 4096.0, &mut out, &mut tmp);
        let whole = area_f(&hex).abs();
        assert!((area_f(&out).abs() - whole / 4.0).abs() < 1e-6);
        clip_ring(&hex, 200.0, 4096.0, &mut out, &mut tmp);
        assert!(out.is_empty());
        clip_ring(&hex, -4096.0, 4096.0, &mut out, &mut tmp);
        assert_eq!(out, hex);
    }

    #[test]
    fn snapping_drops_slivers() {
        let mut out = Vec::new();
        assert!(!snap(&[[0.1, 0.1], [0.2, 0.4], [0.4, 0.2]], &mut out));
        assert!(!snap(&[[0.0, 0.0], [5.0, 0.0], [10.0, 0.2]], &mut out));
        assert!(snap(
            &[[0.0, 0.0], [5.0, 0.0], [5.0, 5.0], [0.0, 0.0]],
            &mut out
        ));
        assert_eq!(out, vec![(0, 0), (5, 0), (5, 5)]);
        assert!(twice_area(&out) > 0, "clockwise with y down is positive");
    }
}

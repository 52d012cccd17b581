//! The Getis-Ord Gi* local statistic with binary weights.
//!
//! Ord & Getis (1995), "Local spatial autocorrelation statistics:
//! distributional issues and an application", *Geographical Analysis* 27(4),
//! eq. for G*_i in standardised form: with x the values of all n cells of the
//! study area, X̄ = Σx/n, S = √(Σx²/n − X̄²), and binary weights w_ij = 1 for
//! the neighbours j of i (i itself included), W_i = Σ_j w_ij:
//!
//! ```text
//!          Σ_j w_ij x_j − X̄ W_i
//! z_i = ─────────────────────────────────
//!        S √[(n W_i − W_i²) / (n − 1)]
//! ```
//!
//! (with binary weights Σ_j w_ij² = W_i). The score is read against the
//! standard normal; p is two-sided.

use super::normal::p_two_sided;

/// The study area's global figures the statistic compares against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Global {
    /// Number of cells in the study area.
    pub n: usize,
    /// Mean value X̄ over all n cells.
    pub mean: f64,
    /// Population standard deviation S = √(Σx²/n − X̄²).
    pub s: f64,
}

impl Global {
    /// X̄ and S of `values` (every cell of the study area, zeros included).
    pub fn of(values: &[f64]) -> Global {
        let n = values.len();
        if n == 0 {
            return Global {
                n,
                mean: 0.0,
                s: 0.0,
            };
        }
        let nf = n as f64;
        let (sum, sq) = values
            .iter()
            .fold((0.0, 0.0), |(s, q), &v| (s + v, q + v * v));
        let mean = sum / nf;
        // Rounding can push a zero variance slightly negative.
        let s = (sq / nf - mean * mean).max(0.0).sqrt();
        Global { n, mean, s }
    }

    /// The Gi* z-score of a cell whose `w` neighbours (itself included)
    /// hold `sum` in total. 0 when undefined: no variation in the study area
    /// (S = 0), or a neighbourhood that is the whole area (n W − W² = 0).
    pub fn z(&self, sum: f64, w: usize) -> f64 {
        let (n, wf) = (self.n as f64, w as f64);
        let spread = (n * wf - wf * wf) / (n - 1.0);
        if self.n < 2 || self.s <= 0.0 || spread <= 0.0 {
            return 0.0;
        }
        let z = (sum - self.mean * wf) / (self.s * spread.sqrt());
        // Spreads just above zero (rounding) would blow up: treat as undefined.
        if z.is_finite() { z } else { 0.0 }
    }
}

/// Neighbour lists in compressed rows: cell i's neighbours (by position in
/// the study area, i itself included) are `idx[start[i]..start[i + 1]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Neighbours {
    /// Row starts; one more than the number of cells.
    pub start: Vec<u32>,
    /// Neighbour positions.
    pub idx: Vec<u32>,
}

impl Neighbours {
    /// Neighbours of cell `i`.
    pub fn of(&self, i: usize) -> &[u32] {
        &self.idx[self.start[i] as usize..self.start[i + 1] as usize]
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// True when there are no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A cell's score and two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Gi* z-score.
    pub z: f64,
    /// Two-sided p from the standard normal.
    pub p: f64,
}

/// Gi* of every cell: `values[i]` is cell i's value, `nb` its neighbours.
pub fn gi_star(values: &[f64], nb: &Neighbours) -> Vec<Score> {
    let g = Global::of(values);
    (0..nb.len())
        .map(|i| {
            let row = nb.of(i);
            let sum: f64 = row.iter().map(|&j| values[j as usize]).sum();
            let z = g.z(sum, row.len());
            Score {
                z,
                p: p_two_sided(z),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lists: &[&[u32]]) -> Neighbours {
        let mut nb = Neighbours {
            start: vec![0],
            idx: Vec::new(),
        };
        for l in lists {
            nb.idx.extend_from_slice(l);
            nb.start.push(nb.idx.len() as u32);
        }
        nb
    }

    #[test]
    fn hand_computed_five_cells_in_a_row() {
        // Cells 0–4 in a row, neighbours = self and the adjacent cells.
        // Values 1 2 9 2 1: Σx = 15, Σx² = 1+4+81+4+1 = 91, n = 5.
        // X̄ = 3, S = √(91/5 − 9) = √9.2 = 3.03315018.
        let x = [1.0, 2.0, 9.0, 2.0, 1.0];
        let nb = rows(&[&[0, 1], &[0, 1, 2], &[1, 2, 3], &[2, 3, 4], &[3, 4]]);
        let g = Global::of(&x);
        assert_eq!(g.n, 5);
        assert!((g.mean - 3.0).abs() < 1e-12);
        assert!((g.s - 9.2f64.sqrt()).abs() < 1e-12);
        let s = gi_star(&x, &nb);
        // Cell 2: Σwx = 2+9+2 = 13, W = 3; numerator 13 − 3·3 = 4;
        // denominator √9.2 · √((5·3 − 9)/4) = 3.03315018 · √1.5 = 3.71483512;
        // z = 4 / 3.71483512 = 1.07676…
        let z2 = 4.0 / (9.2f64.sqrt() * 1.5f64.sqrt());
        assert!((z2 - 1.076_763_5).abs() < 1e-6);
        assert!((s[2].z - z2).abs() < 1e-12);
        // Cell 0: Σwx = 3, W = 2; numerator 3 − 6 = −3;
        // denominator √9.2 · √((10 − 4)/4) = √9.2 · √1.5; z = −0.80757…
        assert!((s[0].z - (-3.0 / (9.2f64.sqrt() * 1.5f64.sqrt()))).abs() < 1e-12);
        assert!((s[0].z + 0.807_572_6).abs() < 1e-6);
        // Symmetric data, symmetric scores.
        assert!((s[1].z - s[3].z).abs() < 1e-12 && (s[0].z - s[4].z).abs() < 1e-12);
        // p = erfc(|z|/√2): for z = 1.07676, p = 0.28159 (normal table).
        assert!((s[2].p - 0.281_59).abs() < 1e-4);
    }

    #[test]
    fn hand_computed_h3_flower_in_two_rings() {
        // A 7-cell flower (centre 10, petals 1 2 0 3 1 1) inside its 19-cell
        // disk of radius 2, the outer ring all zero. n = 19, Σx = 18,
        // Σx² = 100+1+4+0+9+1+1 = 116. X̄ = 18/19 = 0.947368;
        // S = √(116/19 − (18/19)²) = √(6.105263 − 0.897507) = 2.282051.
        // The centre's neighbours are the flower: W = 7, Σwx = 18;
        // numerator 18 − 7·18/19 = 11.368421; denominator
        // 2.282051 · √((19·7 − 49)/18) = 2.282051 · 2.160247 = 4.929793;
        // z = 2.306064, p = erfc(2.306064/√2) = 0.021107.
        let mut x = vec![10.0, 1.0, 2.0, 0.0, 3.0, 1.0, 1.0];
        x.resize(19, 0.0);
        let g = Global::of(&x);
        assert!((g.mean - 0.947_368_421).abs() < 1e-9);
        assert!((g.s - 2.282_050_883).abs() < 1e-9);
        let z = g.z(18.0, 7);
        assert!((z - 2.306_064_4).abs() < 1e-6);
        assert!((p_two_sided(z) - 0.021_107_03).abs() < 1e-8);
    }

    #[test]
    fn undefined_scores_are_zero() {
        // No variation: S = 0.
        let g = Global::of(&[2.0, 2.0, 2.0]);
        assert_eq!(g.z(6.0, 3), 0.0);
        // A neighbourhood covering the whole area: n W − W² = 0.
        let g = Global::of(&[1.0, 5.0, 0.0]);
        assert_eq!(g.z(6.0, 3), 0.0);
        assert_eq!(Global::of(&[]).z(0.0, 0), 0.0);
    }
}

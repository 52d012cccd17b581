//! The Mann–Kendall test for a monotonic trend in a series.

use super::normal::p_two_sided;

/// The result of [`mann_kendall`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// S = Σ_{i<j} sign(x_j − x_i).
    pub s: i64,
    /// Var(S) under no trend, corrected for ties.
    pub var: f64,
    /// Normal score with continuity correction.
    pub z: f64,
    /// Two-sided p-value from the standard normal.
    pub p: f64,
    /// Kendall's tau-b between time and value (0 when undefined).
    pub tau: f64,
}

impl Trend {
    /// +1 for a significant upward trend at `alpha`, −1 downward, 0 none.
    pub fn direction(&self, alpha: f64) -> i8 {
        if self.p < alpha && self.s != 0 {
            self.s.signum() as i8
        } else {
            0
        }
    }
}

/// The Mann–Kendall trend test (Mann 1945, "Nonparametric tests against
/// trend", *Econometrica* 13; Kendall 1975, *Rank Correlation Methods*, 4th
/// ed.): S = Σ_{i<j} sign(x_j − x_i);
/// Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18 over groups of t_g
/// tied values; z = (S − 1)/√Var for S > 0, (S + 1)/√Var for S < 0, 0 for
/// S = 0 (continuity correction); p two-sided. Tau is Kendall's tau-b with
/// time untied: S / √(n₀ (n₀ − n₁)), n₀ = n(n−1)/2, n₁ = Σ_g t_g(t_g−1)/2
/// (what `scipy.stats.kendalltau(range(n), x)` gives). Values are compared
/// exactly. O(n²): series here are at most a few hundred periods.
pub fn mann_kendall(x: &[f64]) -> Trend {
    let n = x.len();
    let mut s: i64 = 0;
    for i in 0..n {
        for j in i + 1..n {
            s += match x[j].partial_cmp(&x[i]) {
                Some(std::cmp::Ordering::Greater) => 1,
                Some(std::cmp::Ordering::Less) => -1,
                _ => 0,
            };
        }
    }
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (mut tie_var, mut tie_pairs) = (0.0, 0.0);
    for g in sorted.chunk_by(|a, b| a == b) {
        let t = g.len() as f64;
        tie_var += t * (t - 1.0) * (2.0 * t + 5.0);
        tie_pairs += t * (t - 1.0) / 2.0;
    }
    let nf = n as f64;
    let var = ((nf * (nf - 1.0) * (2.0 * nf + 5.0) - tie_var) / 18.0).max(0.0);
    let z = match s.signum() {
        _ if var <= 0.0 => 0.0,
        1 => (s - 1) as f64 / var.sqrt(),
        -1 => (s + 1) as f64 / var.sqrt(),
        _ => 0.0,
    };
    let n0 = nf * (nf - 1.0) / 2.0;
    let denom = (n0 * (n0 - tie_pairs)).sqrt();
    let tau = if denom > 0.0 { s as f64 / denom } else { 0.0 };
    Trend {
        s,
        var,
        z,
        p: p_two_sided(z),
        tau,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_series_with_a_tie() {
        // x = 1 3 2 3 5 4 (n = 6). Signs of later minus earlier:
        // from 1: + + + + + (5); from 3: − 0 + + (1); from 2: + + + (3);
        // from 3: + + (2); from 5: − (−1). S = 5+1+3+2−1 = 10.
        // One tie group (3, 3), t = 2: Var = [6·5·17 − 2·1·9]/18 = (510 − 18)/18
        // = 27.3333. z = (10 − 1)/√27.3333 = 1.721457; p = 0.085168.
        // tau-b = 10 / √(15·(15 − 1)) = 10/14.49138 = 0.690066.
        let t = mann_kendall(&[1.0, 3.0, 2.0, 3.0, 5.0, 4.0]);
        assert_eq!(t.s, 10);
        assert!((t.var - 492.0 / 18.0).abs() < 1e-12);
        assert!((t.z - 1.721_457_1).abs() < 1e-6);
        assert!((t.p - 0.085_167_9).abs() < 1e-6);
        assert!((t.tau - 0.690_065_6).abs() < 1e-6);
        assert_eq!(t.direction(0.05), 0);
        assert_eq!(t.direction(0.1), 1);
    }

    #[test]
    fn hand_computed_strict_decline() {
        // 5 4 3 2 1: every pair falls, S = −10; Var = 5·4·15/18 = 16.6667;
        // z = (−10 + 1)/4.082483 = −2.204541; p = 0.027486; tau = −1.
        let t = mann_kendall(&[5.0, 4.0, 3.0, 2.0, 1.0]);
        assert_eq!(t.s, -10);
        assert!((t.z + 2.204_541).abs() < 1e-6);
        assert!((t.p - 0.027_486).abs() < 1e-6);
        assert!((t.tau + 1.0).abs() < 1e-12);
        assert_eq!(t.direction(0.05), -1);
    }

    #[test]
    fn flat_and_short_series_have_no_trend() {
        let t = mann_kendall(&[2.0, 2.0, 2.0]);
        assert_eq!((t.s, t.z, t.p, t.tau), (0, 0.0, 1.0, 0.0));
        let t = mann_kendall(&[1.0]);
        assert_eq!((t.s, t.p), (0, 1.0));
        assert_eq!(mann_kendall(&[]).p, 1.0);
    }
}

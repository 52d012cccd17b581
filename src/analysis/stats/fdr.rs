//! False discovery rate: Benjamini–Hochberg adjusted p-values.

/// Benjamini & Hochberg (1995), "Controlling the false discovery rate: a
/// practical and powerful approach to multiple testing", *JRSS B* 57(1),
/// step-up procedure as adjusted p-values (what R's `p.adjust(p, "BH")` and
/// statsmodels' `fdr_bh` give): with the m p-values sorted ascending
/// p(1) ≤ … ≤ p(m), the adjusted value of p(i) is min over k ≥ i of
/// p(k)·m/k, capped at 1. Rejecting where the adjusted p < α controls the
/// expected share of false discoveries at α. Output is in input order.
pub fn bh_adjust(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    // Ties keep input order, so equal p-values get equal adjusted values.
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        let adj = p[i] * m as f64 / (rank + 1) as f64;
        running = running.min(adj);
        out[i] = running;
    }
    out
}

/// Which hypotheses [`bh_adjust`] would reject at `alpha` (adjusted p <
/// α), without adjusting every p-value: adjusted p(i) < α exactly when some
/// k ≥ i has p(k)·m/k < α, and only p-values below α can qualify, so only
/// those are sorted (usually a small share of the cells). The comparison is
/// the same expression as in [`bh_adjust`], so both always agree.
pub fn bh_reject(p: &[f64], alpha: f64) -> Vec<bool> {
    let m = p.len();
    let mut small: Vec<f64> = p.iter().copied().filter(|&v| v < alpha).collect();
    small.sort_by(f64::total_cmp);
    // The largest rank whose p·m/rank is below α; everything up to its p passes.
    let cut = small
        .iter()
        .enumerate()
        .rev()
        .find(|&(rank, &v)| (v * m as f64 / (rank + 1) as f64) < alpha)
        .map(|(_, &v)| v);
    match cut {
        Some(c) => p.iter().map(|&v| v <= c).collect(),
        None => vec![false; m],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_agree_with_adjusted_values() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for m in [0usize, 1, 2, 7, 50, 1000] {
            for _ in 0..20 {
                // A mix of tiny, borderline and large p-values, with ties.
                let p: Vec<f64> = (0..m)
                    .map(|_| match rng.random_range(0..4) {
                        0 => rng.random_range(0.0..1e-4),
                        1 => 0.01,
                        2 => rng.random_range(0.0..0.1),
                        _ => rng.random_range(0.0..1.0),
                    })
                    .collect();
                for alpha in [0.01, 0.05, 0.2] {
                    let want: Vec<bool> = bh_adjust(&p).iter().map(|&a| a < alpha).collect();
                    assert_eq!(bh_reject(&p, alpha), want, "m {m} alpha {alpha}");
                }
            }
        }
        // By hand: p = 0.01 0.04 0.03 0.20 0.02 (m = 5) adjust to 0.05 ×4 and
        // 0.20, so at α = 0.04 nothing passes, at 0.06 four do.
        let p = [0.01, 0.04, 0.03, 0.20, 0.02];
        assert_eq!(bh_reject(&p, 0.04), vec![false; 5]);
        assert_eq!(bh_reject(&p, 0.06), vec![true, true, true, false, true]);
    }

    #[test]
    fn hand_computed_step_up() {
        // m = 5, p = 0.01 0.04 0.03 0.20 0.02 → sorted 0.01 0.02 0.03 0.04 0.20.
        // p·m/rank: 0.01·5/1 = 0.05, 0.02·5/2 = 0.05, 0.03·5/3 = 0.05,
        // 0.04·5/4 = 0.05, 0.20·5/5 = 0.20; running minima from the top:
        // 0.20, 0.05, 0.05, 0.05, 0.05.
        let adj = bh_adjust(&[0.01, 0.04, 0.03, 0.20, 0.02]);
        let want = [0.05, 0.05, 0.05, 0.20, 0.05];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
        // A later smaller ratio pulls earlier ones down: p = 0.04 0.045 (m = 2):
        // 0.04·2/1 = 0.08, 0.045·2/2 = 0.045 → both 0.045.
        let adj = bh_adjust(&[0.045, 0.04]);
        assert!((adj[0] - 0.045).abs() < 1e-12 && (adj[1] - 0.045).abs() < 1e-12);
        // Capped at 1.
        assert_eq!(bh_adjust(&[0.9, 1.0, 0.95]), vec![1.0, 1.0, 1.0]);
        assert!(bh_adjust(&[]).is_empty());
    }
}

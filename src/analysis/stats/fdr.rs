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

#[cfg(test)]
mod tests {
    use super::*;

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

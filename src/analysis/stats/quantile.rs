//! Sample quantiles.

/// The `q`-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between
/// order statistics (Hyndman & Fan 1996, definition 7: the default of R,
/// NumPy and spreadsheets, so analysts get the same figure). Sorts `values`;
/// `None` when empty.
pub fn quantile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let h = (values.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(values[lo] + (h - lo as f64) * (values[hi] - values[lo]))
}

/// Median and 90th percentile of `values`, as [`quantile`] defines them.
pub fn median_p90(values: &mut [f64]) -> Option<(f64, f64)> {
    let m = quantile(values, 0.5)?;
    let p = quantile(values, 0.9)?;
    Some((m, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_order_statistics() {
        // Sorted: 1 2 3 4 10. Median is the 3rd value; p90 sits at h = 4·0.9
        // = 3.6, i.e. 4 + 0.6·(10 − 4) = 7.6 (numpy.quantile gives the same).
        let mut v = vec![10.0, 1.0, 3.0, 2.0, 4.0];
        let (m, p) = median_p90(&mut v).unwrap();
        assert_eq!(m, 3.0);
        assert!((p - 7.6).abs() < 1e-12);
        // Even count: the median is the mean of the middle two.
        assert_eq!(quantile(&mut [4.0, 1.0, 3.0, 2.0], 0.5), Some(2.5));
        assert_eq!(quantile(&mut [7.0], 0.9), Some(7.0));
        assert_eq!(quantile(&mut [], 0.5), None);
    }
}

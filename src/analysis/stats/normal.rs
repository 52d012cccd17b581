//! The standard normal distribution's tail, for two-sided p-values.

/// Two-sided p-value of a standard normal score: P(|Z| ≥ |z|) = erfc(|z|/√2).
///
/// `libm::erfc` (the rust-lang port of FreeBSD's msun, accurate to about
/// one ulp) rather than a hand-rolled approximation: p-values far in the tail
/// feed the false-discovery-rate ranking, where a relative error matters.
/// A NaN score gives p = 1 (nothing to reject).
pub fn p_two_sided(z: f64) -> f64 {
    if z.is_nan() {
        return 1.0;
    }
    libm::erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_tabulated_normal_tails() {
        // Textbook values: P(|Z| ≥ 1.959964) = 0.05, P(|Z| ≥ 2.575829) = 0.01.
        assert!((p_two_sided(1.959_963_984_540_054) - 0.05).abs() < 1e-12);
        assert!((p_two_sided(-2.575_829_303_548_901) - 0.01).abs() < 1e-12);
        assert_eq!(p_two_sided(0.0), 1.0);
        assert_eq!(p_two_sided(f64::NAN), 1.0);
        // Far tail keeps relative precision: P(|Z| ≥ 10) = 1.523970e-23.
        assert!((p_two_sided(10.0) / 1.523_970_604_832_105e-23 - 1.0).abs() < 1e-9);
    }
}

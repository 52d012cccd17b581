//! Comparing two Poisson rates: the exact conditional binomial test.
//!
//! Przyborowski & Wilenski (1940, "Homogeneity of results in testing samples
//! from Poisson series", *Biometrika* 31): if `x₁ ~ Poisson(λ₁t₁)` and
//! `x₂ ~ Poisson(λ₂t₂)`, then given `n = x₁ + x₂` the second count is
//! `Binomial(n, t₂/(t₁+t₂))` when `λ₁ = λ₂`. The test needs no large-sample
//! approximation, so it stays right for the handful of appeals a small area
//! sees. Two-sided p-values follow the "minimum likelihood" rule of
//! `scipy.stats.binomtest` (and R's `binom.test`): the total probability of
//! every outcome no more likely than the one observed (with SciPy's relative
//! tolerance of 1e-7 for ties), so an analyst gets the same figure there.

/// Outcomes as likely as the observed one within this relative tolerance count
/// as "as extreme" (SciPy's `rerr`).
const TIE: f64 = 1.0 + 1e-7;
/// Tail sums stop once a term adds less than this share.
const NEGLIGIBLE: f64 = 1e-17;

/// The result of comparing the rate after with the rate before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateTest {
    /// Share of the exposure that is "after": the binomial `p` under equal rates.
    pub p0: f64,
    /// Appeals expected after if the rate had not changed: `n · p0`.
    pub expected_after: f64,
    /// Two-sided p-value.
    pub p_two_sided: f64,
    /// One-sided p-value for "the rate rose": `P(X ≥ after)`.
    pub p_rose: f64,
    /// One-sided p-value for "the rate fell": `P(X ≤ after)`.
    pub p_fell: f64,
    /// The two-sided p-value had no appeal come after (`after = 0`): the
    /// strongest evidence of a fall these `n` appeals and windows could give.
    /// At or above the significance level, not even a complete stop could
    /// be told from chance.
    pub p_if_none_after: f64,
}

/// Tests `before` appeals over exposure `t_before` against `after` over
/// `t_after` (any unit, the same for both; both positive). `None` when an
/// exposure is not positive.
pub fn compare_rates(before: u64, t_before: f64, after: u64, t_after: f64) -> Option<RateTest> {
    if !(t_before > 0.0 && t_after > 0.0 && t_before.is_finite() && t_after.is_finite()) {
        return None;
    }
    let n = before + after;
    let p0 = t_after / (t_before + t_after);
    Some(RateTest {
        p0,
        expected_after: n as f64 * p0,
        p_two_sided: two_sided(after, n, p0),
        p_rose: upper_tail(after, n, p0),
        p_fell: lower_tail(after, n, p0),
        p_if_none_after: two_sided(0, n, p0),
    })
}

/// `ln Γ(x)` for `x > 0` (Lanczos 1964, g = 7, nine coefficients as in
/// Press et al., *Numerical Recipes*; relative error below 1e-15).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the series in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, &c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// `ln P(X = k)` for `X ~ Binomial(n, p)`, `0 < p < 1`.
fn ln_pmf(k: u64, n: u64, p: f64) -> f64 {
    let (k, n) = (k as f64, n as f64);
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
        + k * p.ln()
        + (n - k) * (-p).ln_1p()
}

/// The most likely outcome: probabilities rise up to it and fall after it.
fn mode(n: u64, p: f64) -> u64 {
    (((n + 1) as f64 * p).floor() as u64).min(n)
}

/// `Σ P(X = i) / P(X = from)` for `i` from `from` moving away from the mode
/// (`step` −1 or +1), where every term is at most the first.
fn tail_ratio_sum(from: u64, n: u64, p: f64, step: i8) -> f64 {
    let odds = p / (1.0 - p);
    let (mut i, mut r, mut sum) = (from, 1.0f64, 0.0f64);
    loop {
        sum += r;
        if r < NEGLIGIBLE * sum {
            return sum;
        }
        // P(i+1)/P(i) = (n−i)/(i+1) · p/(1−p); downwards the inverse.
        if step < 0 {
            if i == 0 {
                return sum;
            }
            r *= i as f64 / (n - i + 1) as f64 / odds;
            i -= 1;
        } else {
            if i == n {
                return sum;
            }
            r *= (n - i) as f64 / (i + 1) as f64 * odds;
            i += 1;
        }
    }
}

/// `P(X ≤ k)`.
fn lower_tail(k: u64, n: u64, p: f64) -> f64 {
    if k >= n || p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    if k < mode(n, p) {
        (ln_pmf(k, n, p).exp() * tail_ratio_sum(k, n, p, -1)).min(1.0)
    } else {
        (1.0 - upper_tail(k + 1, n, p)).clamp(0.0, 1.0)
    }
}

/// `P(X ≥ k)`.
fn upper_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 || p >= 1.0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if k > mode(n, p) {
        (ln_pmf(k, n, p).exp() * tail_ratio_sum(k, n, p, 1)).min(1.0)
    } else {
        (1.0 - lower_tail(k - 1, n, p)).clamp(0.0, 1.0)
    }
}

/// Two-sided p-value of `k` successes in `n` trials with success probability
/// `p`: the probability of every outcome at most as likely as `k` (SciPy's
/// `binomtest(k, n, p).pvalue`).
pub fn two_sided(k: u64, n: u64, p: f64) -> f64 {
    if n == 0 || k > n {
        return 1.0;
    }
    if p <= 0.0 || p >= 1.0 {
        let sure = if p <= 0.0 { 0 } else { n };
        return if k == sure { 1.0 } else { 0.0 };
    }
    let m = mode(n, p);
    let lk = ln_pmf(k, n, p);
    let limit = lk + TIE.ln();
    // On k's side of the mode every outcome beyond k is less likely: all count.
    // On the other side, find the first outcome no more likely than k
    // (probabilities fall monotonically there) and count from it outwards.
    let (near, far) = if k <= m {
        let near = tail_ratio_sum(k, n, p, -1);
        let (mut lo, mut hi) = (m.max(k + 1), n + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if ln_pmf(mid, n, p) <= limit {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let far = if lo <= n {
            (ln_pmf(lo, n, p) - lk).exp() * tail_ratio_sum(lo, n, p, 1)
        } else {
            0.0
        };
        (near, far)
    } else {
        let near = tail_ratio_sum(k, n, p, 1);
        // The last outcome at or below the mode no more likely than k.
        let (mut lo, mut hi) = (0u64, m.min(k - 1) + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if ln_pmf(mid, n, p) <= limit {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let far = match lo.checked_sub(1) {
            Some(j) => (ln_pmf(j, n, p) - lk).exp() * tail_ratio_sum(j, n, p, -1),
            None => 0.0,
        };
        (near, far)
    };
    (lk.exp() * (near + far)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 + 1e-9 * b.abs()
    }

    #[test]
    fn ln_gamma_gives_factorials() {
        let mut f = 1.0f64;
        for n in 1..=30u32 {
            f *= f64::from(n);
            assert!(close(ln_gamma(f64::from(n) + 1.0), f.ln()), "{n}!");
        }
        assert!(close(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln()));
    }

    #[test]
    fn twenty_before_one_after_over_equal_windows() {
        // n = 21, p0 = 1/2: P(X ≤ 1) = (C(21,0) + C(21,1)) / 2^21 = 22 / 2 097 152;
        // the distribution is symmetric, so the two-sided p doubles it.
        let t = compare_rates(20, 90.0, 1, 90.0).unwrap();
        assert_eq!(t.p0, 0.5);
        assert!(close(t.expected_after, 10.5));
        assert!(close(t.p_fell, 22.0 / 2_097_152.0));
        assert!(close(t.p_two_sided, 44.0 / 2_097_152.0));
        assert!(close(t.p_rose, 1.0 - 1.0 / 2_097_152.0));
        // Had none come after: P(X = 0) = 1 / 2^21, doubled (P(X = 21) is as likely).
        assert!(close(t.p_if_none_after, 2.0 / 2_097_152.0));
    }

    #[test]
    fn twenty_before_two_after() {
        // (C(22,0) + C(22,1) + C(22,2)) · 2 / 2^22 = (1 + 22 + 231) · 2 / 4 194 304.
        let t = compare_rates(20, 90.0, 2, 90.0).unwrap();
        assert!(close(t.p_two_sided, 508.0 / 4_194_304.0));
    }

    #[test]
    fn twenty_before_eight_after() {
        // Σ_{i≤8} C(28,i) = 1 + 28 + 378 + 3 276 + 20 475 + 98 280 + 376 740
        //                   + 1 184 040 + 3 108 105 = 4 791 323; two-sided doubles it.
        let t = compare_rates(20, 30.0, 8, 30.0).unwrap();
        assert!(close(t.p_fell, 4_791_323.0 / 268_435_456.0));
        assert!(close(t.p_two_sided, 9_582_646.0 / 268_435_456.0));
    }

    #[test]
    fn unequal_windows_use_the_minimum_likelihood_rule() {
        // n = 5, p0 = 0.3 (an after window 3/7 as long as the before window):
        // P(0..5) = .16807 .36015 .3087 .1323 .02835 .00243. Observed 3 after:
        // outcomes no likelier than P(3) = .1323 are 3, 4 and 5 (P(0) = .16807
        // is likelier), so p = .1323 + .02835 + .00243 = .16308.
        let t = compare_rates(2, 70.0, 3, 30.0).unwrap();
        assert!(close(t.p0, 0.3));
        assert!(close(t.p_two_sided, 0.16308));
        assert!(close(t.p_rose, 0.16308));
        assert!(close(t.p_fell, 0.16807 + 0.36015 + 0.3087 + 0.1323));
        // Observed 0 after: P(0) = .16807; outcomes no likelier: 0, 3, 4, 5.
        assert!(close(
            two_sided(0, 5, 0.3),
            0.16807 + 0.1323 + 0.02835 + 0.00243
        ));
        // Observed 1 (the mode): everything is no likelier, p = 1.
        assert!(close(two_sided(1, 5, 0.3), 1.0));
        assert!(close(
            t.p_if_none_after,
            0.16807 + 0.1323 + 0.02835 + 0.00243
        ));
    }

    #[test]
    fn tiny_counts_can_never_be_significant() {
        // Three appeals in equal windows: none after would give
        // p = 2 · (1/2)^3 = 0.25, so not even a stop reaches 0.05.
        let t = compare_rates(2, 90.0, 1, 90.0).unwrap();
        assert!(close(t.p_if_none_after, 0.25));
        // Twenty appeals, but an after window of 2 days against 90: none
        // after is what chance gives most often (P(0) = (45/46)^20 ≈ 0.64).
        let t = compare_rates(20, 90.0, 0, 2.0).unwrap();
        assert!(t.p_if_none_after > 0.5);
        assert!(close(t.p_two_sided, 1.0));
    }

    #[test]
    fn large_counts_stay_finite_and_match_the_sum_of_terms() {
        // n = 4 000: compare with a plain sum of every term below the observed one.
        let (k, n, p) = (1_870u64, 4_000u64, 0.5);
        let d = ln_pmf(k, n, p);
        let direct: f64 = (0..=n)
            .map(|i| ln_pmf(i, n, p))
            .filter(|&l| l <= d + TIE.ln())
            .map(f64::exp)
            .sum();
        let got = two_sided(k, n, p);
        // ln Γ(4 001) ≈ 29 000 carries ~1e-11 absolute error: agree to 1e-9.
        assert!((got - direct).abs() < 1e-9 * direct, "{got} vs {direct}");
        assert!(got > 0.0 && got < 1e-4);
        assert!(close(upper_tail(0, n, p), 1.0) && lower_tail(n, n, p) == 1.0);
        // Far beyond double precision: a clean zero, never NaN.
        assert_eq!(two_sided(0, 200_000, 0.5), 0.0);
    }

    #[test]
    fn no_exposure_is_no_test() {
        assert!(compare_rates(3, 0.0, 1, 10.0).is_none());
        assert!(compare_rates(3, 10.0, 1, -1.0).is_none());
        assert!(compare_rates(3, 10.0, 1, f64::NAN).is_none());
        assert_eq!(compare_rates(0, 10.0, 0, 10.0).unwrap().p_two_sided, 1.0);
    }
}

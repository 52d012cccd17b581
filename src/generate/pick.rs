//! Weighted choice from a fixed table, the one sampling primitive every other
//! part of the generator leans on (sources, hours, sectors, categories, places).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// A cumulative weight table: built once, then each draw is one uniform number
/// and a short search, with no allocation.
#[derive(Debug, Clone)]
pub(crate) struct Pick {
    cum: Vec<f64>,
}

impl Pick {
    /// A table over `weights`; negative or non-finite weights count as zero.
    ///
    /// An all-zero table still picks (always the last index) rather than failing,
    /// because callers build tables from fixed data where that cannot happen.
    pub(crate) fn new(weights: impl IntoIterator<Item = f64>) -> Pick {
        let mut total = 0.0;
        let cum = weights
            .into_iter()
            .map(|w| {
                if w.is_finite() && w > 0.0 {
                    total += w;
                }
                total
            })
            .collect();
        Pick { cum }
    }

    /// The sum of all weights.
    pub(crate) fn total(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }

    /// The index that the uniform number `u` in `[0, 1)` falls on.
    pub(crate) fn index_at(&self, u: f64) -> usize {
        let target = u * self.total();
        // Tables hold at most a few dozen entries; partition_point is a binary
        // search and skips zero-weight entries because their bound equals the
        // previous one.
        let i = self.cum.partition_point(|&c| c <= target);
        i.min(self.cum.len().saturating_sub(1))
    }

    /// Draws an index with probability proportional to its weight.
    pub(crate) fn draw(&self, rng: &mut ChaCha8Rng) -> usize {
        self.index_at(rng.random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lands_on_the_right_bucket_and_skips_zero_weights() {
        let p = Pick::new([1.0, 0.0, 3.0]);
        assert_eq!(p.total(), 4.0);
        assert_eq!(p.index_at(0.0), 0);
        assert_eq!(p.index_at(0.24), 0);
        assert_eq!(p.index_at(0.25), 2);
        assert_eq!(p.index_at(0.999_999), 2);
        assert_eq!(Pick::new([f64::NAN, 2.0]).index_at(0.0), 1);
    }
}

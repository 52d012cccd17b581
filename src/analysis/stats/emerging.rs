//! Emerging hot-spot classes: what a cell's run of per-period hot/cold flags
//! and the trend of its per-period Gi* z-scores say about it over time.
//!
//! The classes and their rules follow Esri's published definitions for
//! ArcGIS Pro, "How Emerging Hot Spot Analysis works" (Space Time Pattern
//! Mining toolbox), restated here per class. "Hot" / "cold" in a period means
//! significantly high / low Gi* in that period (see `analysis::hotspots`);
//! "the 90 % rule" is: hot (cold) in at least 90 % of the periods, counted as
//! `10·hot ≥ 9·n` so it is exact in integers (24 months: 22 of them). The
//! trend is a Mann–Kendall test of the per-period z-scores; "significant"
//! means its p is below the same α as the hot/cold flags.
//!
//! Where the published wording lets two classes apply, the checks run in
//! this order, first match wins: (1) the 90 % classes (intensifying,
//! diminishing, persistent; historical when the final period is not
//! hot), (2) new, (3) consecutive, (4) oscillating, (5) sporadic. A cell is
//! judged on the hot side when its final period is hot, on the cold side
//! when it is cold; when the final period is neither, only the historical
//! classes can apply.

/// A cell's verdict in one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Significantly high (z > 0 and adjusted p < α).
    Hot,
    /// Significantly low (z < 0 and adjusted p < α).
    Cold,
    /// Neither.
    Not,
}

/// The emerging hot-spot classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Hot in the final period and never hot before it.
    New,
    /// A single uninterrupted run of at least two hot periods ending with the
    /// final one, never hot before that run, and fewer than 90 % of periods hot.
    Consecutive,
    /// Hot in at least 90 % of the periods including the final one, and the
    /// z-scores rise significantly (Mann–Kendall).
    Intensifying,
    /// Hot in at least 90 % of the periods (the final one included, else it
    /// is historical) with no significant trend in the z-scores.
    Persistent,
    /// Hot in at least 90 % of the periods including the final one, and the
    /// z-scores fall significantly.
    Diminishing,
    /// Hot in the final period, on and off before it, fewer than 90 % of the
    /// periods hot and never cold.
    Sporadic,
    /// Hot in the final period, cold in some earlier period, fewer than 90 %
    /// of the periods hot.
    Oscillating,
    /// Not hot in the final period but hot in at least 90 % of the periods.
    Historical,
    /// Cold counterpart of [`Class::New`].
    ColdNew,
    /// Cold counterpart of [`Class::Consecutive`].
    ColdConsecutive,
    /// Cold in ≥ 90 % of periods including the final one; z-scores fall
    /// significantly (lows grow more intense).
    ColdIntensifying,
    /// Cold counterpart of [`Class::Persistent`].
    ColdPersistent,
    /// Cold in ≥ 90 % of periods including the final one; z-scores rise
    /// significantly (lows grow less intense).
    ColdDiminishing,
    /// Cold counterpart of [`Class::Sporadic`] (never hot).
    ColdSporadic,
    /// Cold in the final period, hot in some earlier period, fewer than 90 %
    /// of periods cold.
    ColdOscillating,
    /// Cold counterpart of [`Class::Historical`].
    ColdHistorical,
    /// None of the above.
    None,
}

impl Class {
    /// The wire name (`new`, `cold_new`, …, `none`).
    pub fn name(self) -> &'static str {
        match self {
            Class::New => "new",
            Class::Consecutive => "consecutive",
            Class::Intensifying => "intensifying",
            Class::Persistent => "persistent",
            Class::Diminishing => "diminishing",
            Class::Sporadic => "sporadic",
            Class::Oscillating => "oscillating",
            Class::Historical => "historical",
            Class::ColdNew => "cold_new",
            Class::ColdConsecutive => "cold_consecutive",
            Class::ColdIntensifying => "cold_intensifying",
            Class::ColdPersistent => "cold_persistent",
            Class::ColdDiminishing => "cold_diminishing",
            Class::ColdSporadic => "cold_sporadic",
            Class::ColdOscillating => "cold_oscillating",
            Class::ColdHistorical => "cold_historical",
            Class::None => "none",
        }
    }
}

/// The classes of one side (hot, or cold), in the order hot names them.
struct Side {
    new: Class,
    consecutive: Class,
    intensifying: Class,
    persistent: Class,
    diminishing: Class,
    sporadic: Class,
    oscillating: Class,
}

const HOT: Side = Side {
    new: Class::New,
    consecutive: Class::Consecutive,
    intensifying: Class::Intensifying,
    persistent: Class::Persistent,
    diminishing: Class::Diminishing,
    sporadic: Class::Sporadic,
    oscillating: Class::Oscillating,
};

const COLD: Side = Side {
    new: Class::ColdNew,
    consecutive: Class::ColdConsecutive,
    intensifying: Class::ColdIntensifying,
    persistent: Class::ColdPersistent,
    diminishing: Class::ColdDiminishing,
    sporadic: Class::ColdSporadic,
    oscillating: Class::ColdOscillating,
};

/// True when `k` of `n` periods is at least 90 % of them.
pub fn at_least_90_percent(k: usize, n: usize) -> bool {
    n > 0 && 10 * k >= 9 * n
}

/// The class of a cell from its per-period flags (oldest first) and the
/// direction of the Mann–Kendall trend of its z-scores (+1 significantly
/// rising, −1 falling, 0 none; see `Trend::direction`).
pub fn classify(flags: &[Flag], trend: i8) -> Class {
    let Some(&last) = flags.last() else {
        return Class::None;
    };
    let n = flags.len();
    let count = |f: Flag| flags.iter().filter(|&&x| x == f).count();
    match last {
        Flag::Hot => judge(flags, Flag::Hot, Flag::Cold, trend, &HOT),
        // A falling z-score is a cold spot intensifying.
        Flag::Cold => judge(flags, Flag::Cold, Flag::Hot, -trend, &COLD),
        Flag::Not if at_least_90_percent(count(Flag::Hot), n) => Class::Historical,
        Flag::Not if at_least_90_percent(count(Flag::Cold), n) => Class::ColdHistorical,
        Flag::Not => Class::None,
    }
}

/// Classes of a cell whose final period is `me`; `other` is the opposite flag
/// and `trend` is oriented so +1 means "more intense".
fn judge(flags: &[Flag], me: Flag, other: Flag, trend: i8, side: &Side) -> Class {
    let n = flags.len();
    let mine = flags.iter().filter(|&&f| f == me).count();
    if at_least_90_percent(mine, n) {
        return match trend {
            1 => side.intensifying,
            -1 => side.diminishing,
            _ => side.persistent,
        };
    }
    if mine == 1 {
        return side.new;
    }
    // Length of the final run; consecutive when nothing of `me` precedes it.
    let run = flags.iter().rev().take_while(|&&f| f == me).count();
    if run == mine {
        return side.consecutive;
    }
    if flags.contains(&other) {
        side.oscillating
    } else {
        side.sporadic
    }
}

#[cfg(test)]
mod tests;

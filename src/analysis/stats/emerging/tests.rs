//! One constructed 10-period sequence per class (90 % of 10 is 9 periods).

use super::*;

/// `H` hot, `C` cold, `.` neither; oldest first.
fn f(s: &str) -> Vec<Flag> {
    s.chars()
        .map(|c| match c {
            'H' => Flag::Hot,
            'C' => Flag::Cold,
            _ => Flag::Not,
        })
        .collect()
}

#[test]
fn ninety_percent_rule_is_exact() {
    assert!(at_least_90_percent(9, 10));
    assert!(!at_least_90_percent(8, 10));
    // 24 months: 21.6 rounds up to 22.
    assert!(at_least_90_percent(22, 24));
    assert!(!at_least_90_percent(21, 24));
    assert!(!at_least_90_percent(0, 0));
}

#[test]
fn hot_classes() {
    let cases = [
        // Only the final period hot.
        (".........H", 0, Class::New),
        // Cold before does not stop "new": never *hot* before.
        ("C........H", 0, Class::New),
        // One run of 3 at the end, nothing hot before.
        (".......HHH", 0, Class::Consecutive),
        // Two runs: not consecutive; never cold → sporadic.
        ("..HH....HH", 0, Class::Sporadic),
        // A single hot period long ago plus the final run: sporadic, not consecutive.
        ("H.......HH", 0, Class::Sporadic),
        // On and off with a cold period → oscillating.
        ("..HC...H.H", 0, Class::Oscillating),
        // 9 of 10 hot including the final, trend up / flat / down.
        ("HHHH.HHHHH", 1, Class::Intensifying),
        ("HHHH.HHHHH", 0, Class::Persistent),
        ("HHHH.HHHHH", -1, Class::Diminishing),
        ("HHHHHHHHHH", 0, Class::Persistent),
        // 9 of 10 hot but not the final one → historical.
        ("HHHHHHHHH.", 0, Class::Historical),
        // 8 of 10 with the final: below 90 % → sporadic, however strong the trend.
        ("HH.HHH.HHH", 1, Class::Sporadic),
        // Consecutive needs < 90 %: a 9-run is persistent.
        (".HHHHHHHHH", 0, Class::Persistent),
    ];
    for (s, trend, want) in cases {
        assert_eq!(classify(&f(s), trend), want, "{s} trend {trend}");
    }
}

#[test]
fn cold_classes_mirror_hot_ones() {
    let cases = [
        (".........C", 0, Class::ColdNew),
        (".......CCC", 0, Class::ColdConsecutive),
        ("..CC....CC", 0, Class::ColdSporadic),
        ("..CH...C.C", 0, Class::ColdOscillating),
        // For cold spots falling z-scores mean the lows intensify.
        ("CCCC.CCCCC", -1, Class::ColdIntensifying),
        ("CCCC.CCCCC", 0, Class::ColdPersistent),
        ("CCCC.CCCCC", 1, Class::ColdDiminishing),
        ("CCCCCCCCC.", 0, Class::ColdHistorical),
    ];
    for (s, trend, want) in cases {
        assert_eq!(classify(&f(s), trend), want, "{s} trend {trend}");
    }
}

#[test]
fn nothing_significant_is_none() {
    assert_eq!(classify(&f(".........."), 0), Class::None);
    // Hot often but not at the end and under 90 %: none.
    assert_eq!(classify(&f("HHHHHHHH.."), 1), Class::None);
    assert_eq!(classify(&[], 0), Class::None);
}

#[test]
fn names_are_the_wire_names() {
    assert_eq!(Class::ColdHistorical.name(), "cold_historical");
    assert_eq!(
        serde_json::to_string(&Class::ColdNew).expect("json"),
        "\"cold_new\""
    );
    assert_eq!(Class::None.name(), "none");
}

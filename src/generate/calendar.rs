//! Local days of the data set, the rhythm of the week and the year, and fast
//! RFC 3339 formatting in the region's zone (Europe/Moscow).

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// The zone every timestamp is written in, as the server's default zone.
pub(crate) const ZONE: Tz = chrono_tz::Europe::Moscow;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// The whole local days a data set covers, from `first` to the day of `end`.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    first: NaiveDate,
    /// Unix time of each local midnight, plus the midnight after the last day,
    /// so a day's length comes out right on DST days (Moscow had them until 2011).
    starts: Vec<i64>,
    /// Calendar month (index from the first month) of each day.
    month_of_day: Vec<u32>,
    months: u32,
}

impl Span {
    /// The days of `years` years ending with the local day that contains `end`.
    pub(crate) fn new(end: DateTime<Utc>, years: u32) -> Result<Span> {
        if !(1..=50).contains(&years) {
            bail!("years must be between 1 and 50, got {years}");
        }
        let last = end.with_timezone(&ZONE).date_naive();
        let first = last
            .checked_sub_months(chrono::Months::new(12 * years))
            .and_then(|d| d.succ_opt())
            .context("end date is out of range")?;
        // Before 1971 Moscow's offsets are not whole minutes everywhere in the
        // tz database history, and nobody needs synthetic appeals from then.
        if first.year() < 1971 || last.year() > 9000 {
            bail!("data range {first}..{last} is outside the supported years 1971..9000");
        }
        let mut starts = Vec::new();
        let mut month_of_day = Vec::new();
        let mut day = first;
        let origin = first.year() * 12 + first.month0() as i32;
        loop {
            starts.push(local_midnight(day)?);
            if day > last {
                break;
            }
            month_of_day.push((day.year() * 12 + day.month0() as i32 - origin) as u32);
            day = day.succ_opt().context("date overflow")?;
        }
        let months = month_of_day.last().map_or(0, |m| m + 1);
        Ok(Span {
            first,
            starts,
            month_of_day,
            months,
        })
    }

    /// Number of days.
    pub(crate) fn days(&self) -> usize {
        self.month_of_day.len()
    }

    /// Number of calendar months touched (the first and last may be partial).
    pub(crate) fn months(&self) -> u32 {
        self.months
    }

    /// The local date of day `i`.
    pub(crate) fn date(&self, i: usize) -> NaiveDate {
        self.first + chrono::Days::new(i as u64)
    }

    /// Unix time of the local midnight that starts day `i` (`i == days()` gives the end).
    pub(crate) fn start_of(&self, i: usize) -> i64 {
        self.starts[i.min(self.starts.len() - 1)]
    }

    /// Month index (from the first month of the span) of day `i`.
    pub(crate) fn month_index(&self, i: usize) -> u32 {
        self.month_of_day[i]
    }

    /// Unix time when the data set begins.
    pub(crate) fn start(&self) -> i64 {
        self.start_of(0)
    }

    /// Unix time just after the last day: the moment the statuses describe.
    pub(crate) fn as_of(&self) -> i64 {
        self.start_of(self.days())
    }

    /// The day that contains Unix time `t`, clamped into the span.
    pub(crate) fn day_of(&self, t: i64) -> usize {
        let i = self.starts.partition_point(|&s| s <= t);
        i.saturating_sub(1).min(self.days().saturating_sub(1))
    }

    /// Local midnight of the first day of the month `back` months before the
    /// day after the span, e.g. `back = 12` is "one year before the end".
    pub(crate) fn months_before_end(&self, back: u32) -> Result<i64> {
        let after = self.date(self.days());
        let d = after
            .checked_sub_months(chrono::Months::new(back))
            .context("date out of range")?;
        local_midnight(d)
    }
}

/// Unix time of a local midnight in [`ZONE`].
pub(crate) fn local_midnight(day: NaiveDate) -> Result<i64> {
    let naive = day.and_hms_opt(0, 0, 0).context("midnight")?;
    let t = ZONE
        .from_local_datetime(&naive)
        .earliest()
        .context("local midnight does not exist")?;
    Ok(t.timestamp())
}

/// A Unix time as a `DateTime` in the zone's fixed offset at that instant, for Truth.
pub(crate) fn to_local(t: i64) -> DateTime<FixedOffset> {
    let utc = DateTime::from_timestamp(t, 0).unwrap_or_default();
    utc.with_timezone(&ZONE).fixed_offset()
}

/// Relative volume of appeals on a weekday: people write on Monday about the
/// weekend, offices and reception desks are closed on Saturday and Sunday.
pub(crate) fn weekday_factor(d: Weekday) -> f64 {
    match d {
        Weekday::Mon => 1.18,
        Weekday::Tue => 1.10,
        Weekday::Wed => 1.05,
        Weekday::Thu => 1.02,
        Weekday::Fri => 0.95,
        Weekday::Sat => 0.68,
        Weekday::Sun => 0.62,
    }
}

/// Mean of [`weekday_factor`] over a week, to keep planted monthly rates unchanged.
pub(crate) const WEEKDAY_MEAN: f64 = (1.18 + 1.10 + 1.05 + 1.02 + 0.95 + 0.68 + 0.62) / 7.0;

/// Public holidays cut the volume: the long New Year break most of all.
pub(crate) fn holiday_factor(d: NaiveDate) -> f64 {
    match (d.month(), d.day()) {
        (1, 1..=8) => 0.45,
        (2, 23) | (3, 8) | (5, 1) | (5, 9) | (6, 12) | (11, 4) => 0.7,
        _ => 1.0,
    }
}

/// True on Saturday, Sunday and the New Year break, when reception desks are shut.
pub(crate) fn is_day_off(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun) || holiday_factor(d) < 1.0
}

/// Formats Unix times as `YYYY-MM-DDTHH:MM:SS+03:00` without allocating.
///
/// Looking the offset up in the tz database costs more than the rest of the
/// formatting, so it is cached per UTC day; a day whose offset changes
/// (a DST switch) is marked and looked up per call.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    cache: Vec<(i64, i32)>,
}

const CACHE_SLOTS: usize = 4096;
const EMPTY: i64 = i64::MIN;
const VARIES: i32 = i32::MIN;

impl Clock {
    /// An empty cache.
    pub(crate) fn new() -> Clock {
        Clock {
            cache: vec![(EMPTY, 0); CACHE_SLOTS],
        }
    }

    /// The zone's UTC offset in seconds at Unix time `t`.
    pub(crate) fn offset(&mut self, t: i64) -> i32 {
        let day = t.div_euclid(DAY);
        let slot = day.rem_euclid(CACHE_SLOTS as i64) as usize;
        let (key, off) = self.cache[slot];
        if key == day && off != VARIES {
            return off;
        }
        if key == day {
            return offset_at(t);
        }
        let (a, b) = (offset_at(day * DAY), offset_at(day * DAY + DAY - 1));
        self.cache[slot] = (day, if a == b { a } else { VARIES });
        if a == b { a } else { offset_at(t) }
    }

    /// Writes `t` as RFC 3339 with the zone's offset into `buf` and returns it.
    pub(crate) fn format<'b>(&mut self, t: i64, buf: &'b mut [u8; 25]) -> &'b str {
        let off = self.offset(t);
        let local = t + i64::from(off);
        let (y, m, d) = civil_from_days(local.div_euclid(DAY));
        let secs = local.rem_euclid(DAY);
        put2(buf, 0, (y / 100) as u32);
        put2(buf, 2, (y % 100) as u32);
        buf[4] = b'-';
        put2(buf, 5, m);
        buf[7] = b'-';
        put2(buf, 8, d);
        buf[10] = b'T';
        put2(buf, 11, (secs / 3600) as u32);
        buf[13] = b':';
        put2(buf, 14, (secs / 60 % 60) as u32);
        buf[16] = b':';
        put2(buf, 17, (secs % 60) as u32);
        buf[19] = if off < 0 { b'-' } else { b'+' };
        let a = off.unsigned_abs();
        put2(buf, 20, a / 3600);
        buf[22] = b':';
        put2(buf, 23, a / 60 % 60);
        // Only ASCII digits and separators were written above.
        std::str::from_utf8(buf).unwrap_or("1970-01-01T00:00:00+00:00")
    }
}

fn offset_at(t: i64) -> i32 {
    let utc = DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .naive_utc();
    ZONE.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

fn put2(buf: &mut [u8; 25], at: usize, v: u32) {
    buf[at] = b'0' + (v / 10 % 10) as u8;
    buf[at + 1] = b'0' + (v % 10) as u8;
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's
/// `civil_from_days`: exact for the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_chrono_across_offset_changes() {
        let mut clock = Clock::new();
        let mut buf = [0u8; 25];
        // 2010 (DST), the 2011 switch to permanent +04, the 2014 switch to +03, today.
        let mut t = 1_262_304_000; // 2010-01-01
        while t < 1_767_225_600 {
            let want = to_local(t).to_rfc3339();
            assert_eq!(clock.format(t, &mut buf), want);
            t += 3_601 * 7 + 13;
        }
    }

    #[test]
    fn span_covers_whole_local_days() {
        let end = Utc.with_ymd_and_hms(2025, 6, 30, 12, 0, 0).unwrap();
        let s = Span::new(end, 3).unwrap();
        assert_eq!(s.date(0), NaiveDate::from_ymd_opt(2022, 7, 1).unwrap());
        assert_eq!(
            s.date(s.days() - 1),
            NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
        );
        assert_eq!(s.months(), 36);
        assert_eq!(
            to_local(s.as_of()).to_rfc3339(),
            "2025-07-01T00:00:00+03:00"
        );
        assert_eq!(s.day_of(s.start()), 0);
        assert_eq!(s.day_of(s.as_of() - 1), s.days() - 1);
        assert_eq!(
            to_local(s.months_before_end(12).unwrap()).to_rfc3339(),
            "2024-07-01T00:00:00+03:00"
        );
        assert!(Span::new(end, 0).is_err());
    }
}

//! Calendar periods (day, ISO week, month, quarter, year) aligned in the
//! configured time zone, as sorted boundary instants so a scan finds a
//! record's period with one binary search.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone};
use chrono_tz::Tz;

/// The length of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// A calendar day.
    Day,
    /// An ISO week, starting Monday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
}

impl Period {
    /// Parses `day|week|month|quarter|year`.
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "day" => Some(Period::Day),
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            "quarter" => Some(Period::Quarter),
            "year" => Some(Period::Year),
            _ => None,
        }
    }

    /// The first day of the period holding `d`.
    pub fn floor(self, d: NaiveDate) -> NaiveDate {
        let ymd = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d);
        match self {
            Period::Day => d,
            Period::Week => d - Days::new(u64::from(d.weekday().num_days_from_monday())),
            Period::Month => ymd(d.year(), d.month()),
            Period::Quarter => ymd(d.year(), (d.month() - 1) / 3 * 3 + 1),
            Period::Year => ymd(d.year(), 1),
        }
    }

    /// The first day of the next period.
    pub fn next(self, d: NaiveDate) -> NaiveDate {
        let step = match self {
            Period::Day => return d + Days::new(1),
            Period::Week => return d + Days::new(7),
            Period::Month => Months::new(1),
            Period::Quarter => Months::new(3),
            Period::Year => Months::new(12),
        };
        d + step
    }
}

/// Local midnight of `d` in `tz` as Unix seconds (the earliest instant, should
/// a zone ever skip midnight).
pub fn midnight(tz: Tz, d: NaiveDate) -> i64 {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.timestamp(),
        // A gap at midnight: the day starts at the first instant after it.
        chrono::LocalResult::None => tz
            .from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .earliest()
            .map_or(naive.and_utc().timestamp(), |t| t.timestamp()),
    }
}

/// The local date of an instant.
pub fn local_date(tz: Tz, t: i64) -> NaiveDate {
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}

/// Consecutive periods covering an interval: `starts[i]..starts[i+1]` is period `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct Periods {
    /// The period length.
    pub period: Period,
    /// The zone periods are aligned in.
    pub tz: Tz,
    /// Boundaries; one more than the number of periods.
    pub starts: Vec<i64>,
}

/// More periods than this in one query is a mistake (30 years of days).
pub const MAX_PERIODS: usize = 11_000;

impl Periods {
    /// Periods covering `[from, to)`; `None` if there would be more than [`MAX_PERIODS`].
    pub fn covering(period: Period, tz: Tz, from: i64, to: i64) -> Option<Periods> {
        let mut d = period.floor(local_date(tz, from));
        let mut starts = vec![midnight(tz, d)];
        while *starts.last().unwrap_or(&i64::MAX) < to {
            if starts.len() > MAX_PERIODS {
                return None;
            }
            d = period.next(d);
            starts.push(midnight(tz, d));
        }
        if starts.len() < 2 {
            starts.push(midnight(tz, period.next(d)));
        }
        Some(Periods { period, tz, starts })
    }

    /// Number of periods.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// True when there are no periods.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The period holding instant `t`.
    #[inline]
    pub fn index_of(&self, t: i64) -> Option<u32> {
        let i = self.starts.partition_point(|&s| s <= t);
        (i > 0 && i < self.starts.len()).then(|| (i - 1) as u32)
    }

    /// The start of period `i` as RFC 3339 in the zone (`2025-01-06T00:00:00+03:00`).
    pub fn label(&self, i: u32) -> String {
        DateTime::from_timestamp(self.starts[i as usize], 0)
            .unwrap_or_default()
            .with_timezone(&self.tz)
            .to_rfc3339()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Moscow;

    fn ts(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).expect("time").timestamp()
    }

    #[test]
    fn late_evening_utc_is_next_day_in_moscow() {
        let p = Periods::covering(
            Period::Day,
            Moscow,
            ts("2025-03-01T00:00:00+03:00"),
            ts("2025-03-04T00:00:00+03:00"),
        )
        .expect("periods");
        assert_eq!(p.len(), 3);
        // 23:30 UTC on 1 March is 02:30 on 2 March in Moscow.
        assert_eq!(p.index_of(ts("2025-03-01T23:30:00Z")), Some(1));
        assert_eq!(p.label(1), "2025-03-02T00:00:00+03:00");
        assert_eq!(p.index_of(ts("2025-03-01T20:59:59Z")), Some(0));
        assert_eq!(p.index_of(ts("2025-03-01T21:00:00Z")), Some(1));
    }

    #[test]
    fn weeks_start_on_monday_and_quarters_on_their_month() {
        // 2025-01-01 is a Wednesday; its ISO week starts Monday 2024-12-30.
        let d = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
        assert_eq!(
            Period::Week.floor(d),
            NaiveDate::from_ymd_opt(2024, 12, 30).expect("date")
        );
        let aug = NaiveDate::from_ymd_opt(2025, 8, 17).expect("date");
        assert_eq!(
            Period::Quarter.floor(aug),
            NaiveDate::from_ymd_opt(2025, 7, 1).expect("date")
        );
        assert_eq!(
            Period::Quarter.next(Period::Quarter.floor(aug)),
            NaiveDate::from_ymd_opt(2025, 10, 1).expect("date")
        );
        assert_eq!(
            Period::Year.floor(aug),
            NaiveDate::from_ymd_opt(2025, 1, 1).expect("date")
        );
    }

    #[test]
    fn month_boundaries_follow_historic_offsets() {
        // Moscow was UTC+4 from 2011-03-27 to 2014-10-26.
        let p = Periods::covering(
            Period::Month,
            Moscow,
            ts("2014-09-01T00:00:00+04:00"),
            ts("2014-12-01T00:00:00+03:00"),
        )
        .expect("periods");
        assert_eq!(p.label(0), "2014-09-01T00:00:00+04:00");
        assert_eq!(p.label(2), "2014-11-01T00:00:00+03:00");
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn refuses_absurd_period_counts() {
        assert!(Periods::covering(Period::Day, Moscow, 0, 40 * 366 * 86_400).is_none());
    }
}

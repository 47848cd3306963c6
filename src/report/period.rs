//! Calendar dates and the periods (day, ISO week, month) they fall into.

use std::fmt;

/// A checked calendar date parsed from ISO `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year, 0..=9999.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of the month, 1..=31 (checked against the month).
    pub day: u32,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD`; `None` for anything else or an impossible date.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &b[r];
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(part.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        let month = digits(5..7)?;
        let day = digits(8..10)?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    // Note: Howard Hinnant's `days_from_civil`, exact for the proleptic Gregorian calendar.
    fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// ISO weekday: Monday = 1 .. Sunday = 7.
    pub fn iso_weekday(self) -> u32 {
        // Note: 1970-01-01 was a Thursday (ISO 4).
        let wd = (self.days_since_epoch() + 3).rem_euclid(7) + 1;
        wd as u32
    }

    /// Day of the year, 1-based.
    pub fn ordinal(self) -> u32 {
        let jan1 = Date {
            year: self.year,
            month: 1,
            day: 1,
        };
        (self.days_since_epoch() - jan1.days_since_epoch()) as u32 + 1
    }

    /// ISO 8601 week-numbering year and week (1..=53).
    pub fn iso_week(self) -> (i32, u32) {
        let week = (self.ordinal() as i64 - self.iso_weekday() as i64 + 10) / 7;
        if week < 1 {
            let prev = self.year - 1;
            (prev, iso_weeks_in_year(prev))
        } else if week as u32 > iso_weeks_in_year(self.year) {
            (self.year + 1, 1)
        } else {
            (self.year, week as u32)
        }
    }

    /// The key of the period this date falls into: `2024-01-15`, `2024-W03` or `2024-01`.
    pub fn bucket(self, period: Period) -> String {
        match period {
            Period::Day => self.to_string(),
            Period::Week => {
                let (y, w) = self.iso_week();
                format!("{y:04}-W{w:02}")
            }
            Period::Month => format!("{:04}-{:02}", self.year, self.month),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// How dates are grouped in a `--by date` breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    /// One group per calendar day (`2024-01-15`).
    Day,
    /// One group per ISO 8601 week (`2024-W03`).
    Week,
    /// One group per calendar month (`2024-01`); the default.
    #[default]
    Month,
}

impl Period {
    /// The lowercase name used on the command line and in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// 53 when the year starts on a Thursday, or on a Wednesday in a leap year.
fn iso_weeks_in_year(year: i32) -> u32 {
    let jan1 = Date {
        year,
        month: 1,
        day: 1,
    }
    .iso_weekday();
    if jan1 == 4 || (jan1 == 3 && is_leap(year)) {
        53
    } else {
        52
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn parses_only_real_iso_dates() {
        assert_eq!(d("2024-02-29").day, 29);
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-32",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-01T00:00",
            "",
            "２０２４-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn weekdays() {
        assert_eq!(d("1970-01-01").iso_weekday(), 4);
        assert_eq!(d("2024-01-15").iso_weekday(), 1);
        assert_eq!(d("2023-12-31").iso_weekday(), 7);
    }

    // Note: expected weeks checked against Python's `date.isocalendar()`.
    #[test]
    fn iso_weeks_at_year_edges() {
        assert_eq!(d("2024-01-15").bucket(Period::Week), "2024-W03");
        assert_eq!(d("2021-01-03").bucket(Period::Week), "2020-W53");
        assert_eq!(d("2019-12-30").bucket(Period::Week), "2020-W01");
        assert_eq!(d("2024-12-30").bucket(Period::Week), "2025-W01");
        assert_eq!(d("2026-12-31").bucket(Period::Week), "2026-W53");
        assert_eq!(d("2023-01-01").bucket(Period::Week), "2022-W52");
    }

    #[test]
    fn month_and_day_buckets() {
        assert_eq!(d("2024-03-09").bucket(Period::Month), "2024-03");
        assert_eq!(d("2024-03-09").bucket(Period::Day), "2024-03-09");
    }
}

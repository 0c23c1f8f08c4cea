//! Dates of birth: a calendar day, or only a year when that is all the records know.
//! ISO (`YYYY-MM-DD` / `YYYY`) in the unified API, `dd/MM/yyyy` / `yyyy` on the wire.

use chrono::{Datelike, NaiveDate};
use lienthong_adapter_kit::text;

/// A date of birth as the partner keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum BirthDate {
    /// The day is known.
    Day(NaiveDate),
    /// Only the year is known.
    Year(i32),
}

impl BirthDate {
    /// Reads `YYYY-MM-DD` (a real calendar day) or `YYYY`.
    pub(crate) fn from_iso(s: &str) -> Option<Self> {
        year_only(s).or_else(|| text::parse_iso_date(s).map(Self::Day))
    }

    /// Reads `dd/MM/yyyy` (a real calendar day) or `yyyy`.
    pub(crate) fn from_wire(s: &str) -> Option<Self> {
        let s = s.trim();
        year_only(s).or_else(|| text::parse_wire_date(s).map(Self::Day))
    }

    /// `YYYY-MM-DD` or `YYYY`.
    pub(crate) fn iso(self) -> String {
        match self {
            Self::Day(day) => day.format("%Y-%m-%d").to_string(),
            Self::Year(year) => format!("{year:04}"),
        }
    }

    /// `dd/MM/yyyy` or `yyyy`.
    pub(crate) fn wire(self) -> String {
        match self {
            Self::Day(day) => text::wire_date(day),
            Self::Year(year) => format!("{year:04}"),
        }
    }

    /// The year of birth.
    pub(crate) fn year(self) -> i32 {
        match self {
            Self::Day(day) => day.year(),
            Self::Year(year) => year,
        }
    }

    /// Whether two dates may be the same person's: equal days, or equal years when
    /// either side knows only the year.
    pub(crate) fn matches(self, other: Self) -> bool {
        match (self, other) {
            (Self::Day(a), Self::Day(b)) => a == b,
            _ => self.year() == other.year(),
        }
    }
}

/// `YYYY`: exactly four ASCII digits.
fn year_only(s: &str) -> Option<BirthDate> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok().map(BirthDate::Year))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_convert_both_ways() {
        let day = BirthDate::from_iso("1985-05-12").unwrap();
        assert_eq!(day.wire(), "12/05/1985");
        assert_eq!(BirthDate::from_wire(" 12/05/1985 "), Some(day));
        assert_eq!(day.iso(), "1985-05-12");
        let year = BirthDate::from_wire("1948").unwrap();
        assert_eq!(year, BirthDate::Year(1948));
        assert_eq!((year.iso(), year.wire()), ("1948".into(), "1948".into()));
        for bad in [
            "1985-02-30",
            "85-05-12",
            "12/05/85",
            "198",
            "19850",
            "+985",
            "１９８５",
        ] {
            assert_eq!(BirthDate::from_iso(bad), None, "{bad}");
            assert_eq!(BirthDate::from_wire(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_year_matches_any_day_of_that_year() {
        let day = BirthDate::from_iso("1985-05-12").unwrap();
        assert!(day.matches(BirthDate::Year(1985)));
        assert!(BirthDate::Year(1985).matches(day));
        assert!(!day.matches(BirthDate::Year(1986)));
        assert!(!day.matches(BirthDate::from_iso("1985-05-13").unwrap()));
    }
}

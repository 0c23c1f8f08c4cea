//! Text and date conventions of the national side: NFC Vietnamese text, `dd/MM/yyyy`
//! dates and `MM/yyyy` months on the wire, ISO 8601 in the unified API; received values
//! quoted in failure details ([`shown`]).

use chrono::NaiveDate;
use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// The NFC form of `s` (no allocation beyond the copy when it already is NFC).
pub fn nfc(s: &str) -> String {
    match is_nfc_quick(s.chars()) {
        unicode_normalization::IsNormalized::Yes => s.to_owned(),
        _ => s.nfc().collect(),
    }
}

/// The NFC form of `s`, trimmed, with inner runs of white space folded to one space.
pub fn clean(s: &str) -> String {
    let s = s.trim();
    let folded = s.chars().all(|c| c == ' ' || !c.is_whitespace()) && !s.contains("  ");
    if folded {
        nfc(s)
    } else {
        nfc(&s.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// Text without a control character but tab, line feed and carriage return (which fold
/// as white space), as a JSON Schema pattern; [`has_control`] checks the same.
pub const NO_CONTROL_PATTERN: &str =
    "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// The form of a free-text value as sent, as a JSON Schema pattern (portable between
/// ECMA-262, Rust `regex` and Python `re`): no control character but tab, line feed and
/// carriage return, and at least one character that is not white space. [`is_text`]
/// checks the same.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*\
     [^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]\
     [^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// Whether `raw` holds a control character (Unicode `Cc`) other than tab, line feed and
/// carriage return.
pub fn has_control(raw: &str) -> bool {
    raw.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Whether `raw` has the form of [`TEXT_PATTERN`]: no [control](has_control), some
/// character that is not white space (Unicode `White_Space`).
pub fn is_text(raw: &str) -> bool {
    !has_control(raw) && raw.chars().any(|c| !c.is_whitespace())
}

/// Parses an ISO 8601 calendar date `YYYY-MM-DD` (RFC 3339 `full-date`): four, two and
/// two ASCII digits naming a real day.
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parses a wire date `dd/MM/yyyy`.
pub fn parse_wire_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%d/%m/%Y").ok()
}

/// Formats a date for the wire: `dd/MM/yyyy`.
pub fn wire_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Converts a wire date `dd/MM/yyyy` to ISO `YYYY-MM-DD`.
pub fn wire_date_to_iso(s: &str) -> Option<String> {
    parse_wire_date(s).map(|d| d.format("%Y-%m-%d").to_string())
}

/// Converts ISO `YYYY-MM-DD` to a wire date `dd/MM/yyyy`.
pub fn iso_to_wire_date(s: &str) -> Option<String> {
    parse_iso_date(s).map(wire_date)
}

/// Converts a wire month `MM/yyyy` to ISO `YYYY-MM`.
pub fn wire_month_to_iso(s: &str) -> Option<String> {
    let s = s.trim();
    let (month, year) = s.split_once('/')?;
    if month.len() != 2 || year.len() != 4 {
        return None;
    }
    let month: u32 = month.parse().ok()?;
    let year: u32 = year.parse().ok()?;
    (1..=12)
        .contains(&month)
        .then(|| format!("{year:04}-{month:02}"))
}

/// Longest part of a received value [`shown`] repeats.
const SHOWN_CHARS: usize = 40;

/// A value received from a partner, quoted in backticks for a failure detail and cut to
/// 40 characters (`…` marks the cut), so that details stay readable.
pub fn shown(value: &str) -> String {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(SHOWN_CHARS).collect();
    let more = if chars.next().is_some() { "…" } else { "" };
    format!("`{head}{more}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_becomes_nfc() {
        let nfd = "Nguye\u{302}\u{303}n";
        assert_eq!(nfc(nfd), "Nguyễn");
        assert_eq!(clean("  Thị   Bình "), "Thị Bình");
        assert_eq!(clean("Thị\tBình\n"), "Thị Bình");
        assert_eq!(clean("Thị Bình"), "Thị Bình");
        assert_eq!(clean("Nguye\u{302}\u{303}n Văn"), "Nguyễn Văn");
    }

    #[test]
    fn dates_convert_both_ways_and_refuse_impossible_days() {
        assert_eq!(
            wire_date_to_iso("23/06/2017").as_deref(),
            Some("2017-06-23")
        );
        assert_eq!(
            iso_to_wire_date("2017-06-23").as_deref(),
            Some("23/06/2017")
        );
        assert_eq!(wire_date_to_iso("31/02/2017"), None);
        assert_eq!(wire_date_to_iso("1/2/2017"), None);
        assert_eq!(parse_iso_date("2017-6-23"), None);
        for loose in ["02017-1-01", "+2017-1-01", "2017-06-2x", "2017/06/23"] {
            assert_eq!(parse_iso_date(loose), None, "{loose}");
        }
        assert_eq!(
            parse_iso_date("0001-01-01"),
            NaiveDate::from_ymd_opt(1, 1, 1)
        );
        assert_eq!(wire_month_to_iso("03/2019").as_deref(), Some("2019-03"));
        assert_eq!(wire_month_to_iso("13/2019"), None);
    }

    #[test]
    fn shown_values_are_quoted_and_cut() {
        assert_eq!(shown("07"), "`07`");
        assert_eq!(shown(&"9".repeat(40)), format!("`{}`", "9".repeat(40)));
        assert_eq!(shown(&"ễ".repeat(41)), format!("`{}…`", "ễ".repeat(40)));
    }
}

//! The query string, one rule for every operation (the core applies it before
//! `validate`; the test kit applies it the same way). Pairs are decoded as
//! `application/x-www-form-urlencoded` and must be UTF-8 once percent-decoded (never
//! patched with U+FFFD and passed on). An operation accepts only the parameters it
//! declares ([`Operation::query`]), each at most once and never empty (or white space
//! alone): leave a parameter out rather than sending it without a value. Every refused
//! parameter is named.
//!
//! [`Operation::query`]: crate::adapter::Operation::query

use std::borrow::Cow;

use percent_encoding::percent_decode;

use crate::adapter::InvalidInput;

/// Field named when a pair has no name.
const NAMELESS: &str = "(query)";

/// Decodes `raw` into pairs and checks them against `accepted`.
pub fn read(raw: Option<&str>, accepted: &[&str]) -> Result<Vec<(String, String)>, InvalidInput> {
    let pairs = decode(raw.unwrap_or_default())?;
    check(&pairs, accepted)?;
    Ok(pairs)
}

/// The pairs of `raw` in order, refusing any name or value that is not UTF-8.
fn decode(raw: &str) -> Result<Vec<(String, String)>, InvalidInput> {
    let mut invalid = InvalidInput::default();
    let mut pairs = Vec::new();
    for segment in raw.split('&').filter(|s| !s.is_empty()) {
        let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
        match (utf8(name), utf8(value)) {
            (Ok(name), Ok(value)) => pairs.push((name, value)),
            (name, _) => invalid.push(
                name.unwrap_or_else(|lossy| lossy),
                "is not UTF-8 once percent-decoded; percent-encode the UTF-8 bytes of the \
                 text (e.g. %E1%BB%85 for ễ)",
            ),
        }
    }
    invalid.into_result(|| pairs)
}

/// Form-decodes one name or value; `Err` holds its lossy form when it is not UTF-8.
fn utf8(encoded: &str) -> Result<String, String> {
    let spaced: Cow<'_, str> = if encoded.contains('+') {
        Cow::Owned(encoded.replace('+', " "))
    } else {
        Cow::Borrowed(encoded)
    };
    let bytes: Cow<'_, [u8]> = percent_decode(spaced.as_bytes()).into();
    String::from_utf8(bytes.into_owned())
        .map_err(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Refuses parameters not in `accepted`, repeated ones and empty ones, each named once
/// in the order of its first occurrence.
pub fn check(pairs: &[(String, String)], accepted: &[&str]) -> Result<(), InvalidInput> {
    let mut invalid = InvalidInput::default();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(seen, _)| seen == name) {
            continue;
        }
        let times = pairs.iter().filter(|(n, _)| n == name).count();
        let detail = if name.is_empty() {
            "holds a parameter without a name; remove it".to_owned()
        } else if !accepted.contains(&name.as_str()) {
            match accepted {
                [] => {
                    "is not a parameter here; this operation takes no query parameters".to_owned()
                }
                _ => format!(
                    "is not a parameter here; accepted parameters are {}",
                    accepted.join(", ")
                ),
            }
        } else if times > 1 {
            format!("is given {times} times; give it at most once")
        } else if value.trim().is_empty() {
            "is empty; give a value, or leave the parameter out".to_owned()
        } else {
            continue;
        };
        invalid.push(if name.is_empty() { NAMELESS } else { name }, detail);
    }
    invalid.into_result(|| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(result: Result<Vec<(String, String)>, InvalidInput>) -> Vec<String> {
        result
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn pairs_are_form_decoded_utf8() {
        assert_eq!(
            read(Some("q=chia+s%E1%BA%BB&page=2&&"), &["q", "page"]).unwrap(),
            [("q".into(), "chia sẻ".into()), ("page".into(), "2".into())]
        );
        assert!(read(None, &[]).unwrap().is_empty());
        assert_eq!(
            fields(read(Some("q=%FF&to=%C3&ok=1"), &["q", "to", "ok"])),
            ["q", "to"]
        );
        assert_eq!(fields(read(Some("%C3%28=1"), &["q"])), ["\u{FFFD}("]);
    }

    #[test]
    fn one_rule_for_unknown_repeated_and_empty() {
        let accepted = ["q", "page"];
        assert_eq!(
            fields(read(Some("x=1&q=a&q=b&page=&x=2&=3&page=1"), &accepted)),
            ["x", "q", "page", NAMELESS]
        );
        assert_eq!(fields(read(Some("page="), &accepted)), ["page"]);
        assert_eq!(fields(read(Some("q=+%20%09"), &accepted)), ["q"]);
        assert_eq!(fields(read(Some("q"), &accepted)), ["q"]);
        let none = read(Some("a=1"), &[]).unwrap_err();
        assert!(none.errors[0].detail.contains("takes no query parameters"));
    }
}

//! Validation of `getInsuranceParticipant` input: everything the partner would refuse as
//! malformed is refused here, before any call, naming each bad field. Details never repeat
//! the value (it identifies a person).

use chrono::{Datelike, FixedOffset, NaiveDate, Utc};
use lienthong_adapter_kit::adapter::{InvalidInput, UnifiedRequest};
use lienthong_adapter_kit::text;

use crate::birth::BirthDate;
use crate::model::ParticipantQuery;
use crate::name::{self, Flaw};
use crate::{BIRTH_FIELD, CODE_FIELD, NAME_FIELD};

/// Longest full name accepted, in characters.
const MAX_NAME_CHARS: usize = 100;
/// Earliest year of birth accepted.
const MIN_YEAR: i32 = 1900;
/// Indochina Time (UTC+7), the partner's calendar.
const ICT_OFFSET_SECS: i32 = 7 * 3600;

const CODE_RULE: &str = "must be exactly 10 digits: the social-insurance code (mã số BHXH) \
                         printed on the insurance book or health-insurance card, e.g. 8212345678";
const NAME_RULE: &str = "may contain only letters (Latin with Vietnamese, Greek, Cyrillic, CJK, \
                         Hangul), spaces, apostrophes ('), hyphens (-) and full stops (.): give \
                         the full name as registered, e.g. Nguyễn Thị Bình";
const BIRTH_RULE: &str = "must be a calendar date YYYY-MM-DD (e.g. 1985-05-12), or the year \
                          YYYY alone when only the year of birth is known";

/// Checks and normalises the input, collecting every bad field.
pub(crate) fn validate(request: &UnifiedRequest<'_>) -> Result<ParticipantQuery, InvalidInput> {
    let mut invalid = InvalidInput::default();
    let insurance_code = field(&mut invalid, CODE_FIELD, request.param(CODE_FIELD), code);
    let full_name = field(
        &mut invalid,
        NAME_FIELD,
        request.query(NAME_FIELD),
        full_name,
    );
    let date_of_birth = field(
        &mut invalid,
        BIRTH_FIELD,
        request.query(BIRTH_FIELD),
        |raw| date_of_birth(raw, today_ict()),
    );
    invalid.into_result(|| ParticipantQuery {
        insurance_code: insurance_code.unwrap_or_default(),
        full_name: full_name.unwrap_or_default(),
        date_of_birth: date_of_birth.unwrap_or_default(),
    })
}

/// Runs `check` on a required value, recording the refusal under `name`.
fn field(
    invalid: &mut InvalidInput,
    name: &str,
    raw: Option<&str>,
    check: impl FnOnce(&str) -> Result<String, String>,
) -> Option<String> {
    let result = match raw.filter(|v| !v.is_empty()) {
        Some(raw) => check(raw),
        None => Err(required(name)),
    };
    result.map_err(|detail| invalid.push(name, detail)).ok()
}

fn required(name: &str) -> String {
    let what = match name {
        CODE_FIELD => CODE_RULE,
        NAME_FIELD => "must be the participant's full name as registered, e.g. Nguyễn Thị Bình",
        _ => BIRTH_RULE,
    };
    format!("is required; it {what}")
}

/// `^\d{10}$`.
fn code(raw: &str) -> Result<String, String> {
    if raw.len() == 10 && raw.bytes().all(|b| b.is_ascii_digit()) {
        Ok(raw.to_owned())
    } else {
        Err(CODE_RULE.to_owned())
    }
}

/// At most 100 characters as sent, of the form [`name::check`] describes; normalised to
/// NFC with white space folded.
fn full_name(raw: &str) -> Result<String, String> {
    let count = raw.chars().count();
    if count > MAX_NAME_CHARS {
        return Err(format!(
            "is {count} characters long; at most {MAX_NAME_CHARS} are accepted"
        ));
    }
    match name::check(raw) {
        Ok(()) => Ok(text::clean(raw)),
        Err(Flaw::Character) => Err(NAME_RULE.to_owned()),
        Err(Flaw::NoLetter) => Err(format!("must contain at least one letter; it {NAME_RULE}")),
        Err(Flaw::Start) => Err(format!("must begin with a letter; it {NAME_RULE}")),
    }
}

/// `YYYY-MM-DD` or `YYYY`, from 1900 to `today`.
fn date_of_birth(raw: &str, today: NaiveDate) -> Result<String, String> {
    let birth = BirthDate::from_iso(raw).ok_or_else(|| BIRTH_RULE.to_owned())?;
    if birth.year() < MIN_YEAR {
        return Err(format!(
            "is before {MIN_YEAR}; give a year from {MIN_YEAR} on"
        ));
    }
    let future = match birth {
        BirthDate::Day(day) => day > today,
        BirthDate::Year(year) => year > today.year(),
    };
    if future {
        return Err("is in the future; give the participant's date of birth".to_owned());
    }
    Ok(birth.iso())
}

/// Today's date in Indochina Time.
fn today_ict() -> NaiveDate {
    let now = Utc::now();
    FixedOffset::east_opt(ICT_OFFSET_SECS)
        .map_or(now.date_naive(), |ict| now.with_timezone(&ict).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_given_day() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            date_of_birth("2026-11-23", today).as_deref(),
            Ok("2026-11-23")
        );
        assert!(
            date_of_birth("2026-11-24", today)
                .unwrap_err()
                .contains("future")
        );
        assert_eq!(date_of_birth("2026", today).as_deref(), Ok("2026"));
        assert!(date_of_birth("2027", today).unwrap_err().contains("future"));
        assert_eq!(
            date_of_birth("1900-01-01", today).as_deref(),
            Ok("1900-01-01")
        );
        assert!(
            date_of_birth("1899", today)
                .unwrap_err()
                .contains("before 1900")
        );
        assert_eq!(
            date_of_birth("2024-02-29", today).as_deref(),
            Ok("2024-02-29")
        );
        assert_eq!(
            date_of_birth("2023-02-29", today),
            Err(BIRTH_RULE.to_owned())
        );
    }

    #[test]
    fn names_accept_any_script() {
        for name in [
            "Nguyễn Thị Bình",
            "O'Brien",
            "Jean-Luc Picard Jr.",
            "김민준",
            "Đặng Văn Á",
        ] {
            assert_eq!(full_name(name).as_deref(), Ok(name));
        }
        for bad in ["Bình2", "Bình_An", "a@b", "---", "' . -"] {
            assert!(full_name(bad).is_err(), "{bad}");
        }
    }
}

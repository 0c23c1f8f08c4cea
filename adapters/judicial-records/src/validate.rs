//! Validation of the unified request: the application body of
//! `submitCriminalRecordApplication` and the id of `getCriminalRecordApplication`.
//!
//! Every bad field is named with a JSON pointer into the body and a detail saying what is
//! accepted. Details never repeat the values received, only the fields' names.

use chrono::{Datelike, NaiveDate};
use lienthong_adapter_kit::adapter::{Input, InvalidInput, UnifiedRequest};
use lienthong_adapter_kit::text;
use serde_json::{Map, Value};

use crate::country;
use crate::model::{Application, ApplicationId, Gender, ResidencePeriod};

/// Longest text field, in characters.
const MAX_TEXT: usize = 200;
/// Longest `purpose`, in characters.
const MAX_PURPOSE: usize = 500;
/// Longest `dossier_code`.
const MAX_DOSSIER_CODE: usize = 64;
/// Longest `callback_url`.
const MAX_URL: usize = 2048;
/// Most periods in `residence_history`.
const MAX_PERIODS: usize = 50;
/// Earliest accepted year of birth.
const FIRST_BIRTH_YEAR: i32 = 1900;

const FIELDS: [&str; 18] = [
    "dossier_code",
    "full_name",
    "gender",
    "date_of_birth",
    "birth_place",
    "nationality",
    "residence",
    "citizen_id",
    "id_issued_on",
    "id_issued_by",
    "father_name",
    "mother_name",
    "spouse_name",
    "certificate_type",
    "purpose",
    "copies",
    "residence_history",
    "callback_url",
];

const PERIOD_FIELDS: [&str; 5] = ["from", "to", "place", "occupation", "workplace"];

/// The id path parameter of the status operation.
pub(crate) fn application_id(request: &UnifiedRequest<'_>) -> Result<Input, InvalidInput> {
    let id = request
        .param("id")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| InvalidInput::one("id", "is required: the application id"))?;
    Input::validated(&ApplicationId { id }, "id")
}

/// Checks and normalises an application body; `today` is the ICT date.
pub(crate) fn application(body: &[u8], today: NaiveDate) -> Result<Application, InvalidInput> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        InvalidInput::one(
            "/",
            format!("must be a JSON object holding the application; the body is not JSON ({e})"),
        )
    })?;
    let Value::Object(object) = value else {
        return Err(InvalidInput::one(
            "/",
            "must be a JSON object holding the application",
        ));
    };
    let mut errors = InvalidInput::default();
    let built = read_application(&mut Fields::new(&object, "", &mut errors), today);
    match built {
        Some(application) if errors.errors.is_empty() => Ok(application),
        _ => {
            if errors.errors.is_empty() {
                errors.push("/", "could not be read as an application");
            }
            Err(errors)
        }
    }
}

fn read_application(f: &mut Fields<'_>, today: NaiveDate) -> Option<Application> {
    f.refuse_unknown(&FIELDS);
    let dossier_code = f.dossier_code("dossier_code");
    let full_name = f.text("full_name", MAX_TEXT);
    let gender = f.gender("gender");
    let date_of_birth = f.date("date_of_birth").filter(|&born| {
        f.check(
            "date_of_birth",
            born.year() >= FIRST_BIRTH_YEAR && born <= today,
            "must be a real date of birth: not in the future, not before 1900",
        )
    });
    let birth_place = f.text("birth_place", MAX_TEXT);
    let nationality = f.nationality("nationality");
    let residence = f.text("residence", MAX_TEXT);
    let citizen_id = f.citizen_id("citizen_id");
    let id_issued_on = f.date("id_issued_on").filter(|&issued| {
        f.check("id_issued_on", issued <= today, "must not be in the future")
            && date_of_birth.is_none_or(|born| {
                f.check("id_issued_on", issued > born, "must be after date_of_birth")
            })
    });
    let id_issued_by = f.text("id_issued_by", MAX_TEXT);
    let father_name = f.text("father_name", MAX_TEXT);
    let mother_name = f.text("mother_name", MAX_TEXT);
    let spouse_name = f.optional_text("spouse_name", MAX_TEXT);
    let certificate_type = f.number("certificate_type", 1, 2);
    let purpose = f.text("purpose", MAX_PURPOSE);
    let copies = f.number("copies", 1, 10);
    let residence_history = f.residence_history("residence_history");
    let callback_url = f.callback_url("callback_url");
    Some(Application {
        dossier_code: dossier_code?,
        full_name: full_name?,
        gender: gender?,
        date_of_birth: iso(date_of_birth?),
        birth_place: birth_place?,
        nationality: nationality?,
        residence: residence?,
        citizen_id: citizen_id?,
        id_issued_on: iso(id_issued_on?),
        id_issued_by: id_issued_by?,
        father_name: father_name?,
        mother_name: mother_name?,
        spouse_name,
        certificate_type: certificate_type?,
        purpose: purpose?,
        copies: copies?,
        residence_history: residence_history?,
        callback_url,
    })
}

fn read_period(f: &mut Fields<'_>) -> Option<ResidencePeriod> {
    f.refuse_unknown(&PERIOD_FIELDS);
    let from = f.date("from");
    let to = f
        .date("to")
        .filter(|&to| from.is_none_or(|from| f.check("to", from <= to, "must not be before from")));
    let place = f.text("place", MAX_TEXT);
    let occupation = f.text("occupation", MAX_TEXT);
    let workplace = f.text("workplace", MAX_TEXT);
    Some(ResidencePeriod {
        from: iso(from?),
        to: iso(to?),
        place: place?,
        occupation: occupation?,
        workplace: workplace?,
    })
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Reads the fields of one JSON object, recording what is wrong with each. A reader
/// returns `None` when the field is absent or bad (the error is then recorded).
struct Fields<'a> {
    object: &'a Map<String, Value>,
    pointer: String,
    errors: &'a mut InvalidInput,
}

impl<'a> Fields<'a> {
    fn new(object: &'a Map<String, Value>, pointer: &str, errors: &'a mut InvalidInput) -> Self {
        Self {
            object,
            pointer: pointer.to_owned(),
            errors,
        }
    }

    fn push(&mut self, name: &str, detail: impl Into<String>) {
        let pointer = format!("{}/{}", self.pointer, escape(name));
        self.errors.push(pointer, detail);
    }

    /// Records `detail` unless `ok`; returns `ok`.
    fn check(&mut self, name: &str, ok: bool, detail: &str) -> bool {
        if !ok {
            self.push(name, detail);
        }
        ok
    }

    fn refuse_unknown(&mut self, known: &[&str]) {
        let object = self.object;
        for name in object.keys().filter(|k| !known.contains(&k.as_str())) {
            self.push(
                name,
                format!("is not a known field; accepted: {}", known.join(", ")),
            );
        }
    }

    /// The value of a present, non-null field.
    fn optional(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|v| !v.is_null())
    }

    fn required(&mut self, name: &str, what: &str) -> Option<&'a Value> {
        let value = self.optional(name);
        if value.is_none() {
            self.push(name, format!("is required: {what}"));
        }
        value
    }

    fn string(&mut self, name: &str, what: &str) -> Option<&'a str> {
        let value = self.required(name, what)?;
        let string = value.as_str();
        if string.is_none() {
            self.push(name, format!("must be a JSON string: {what}"));
        }
        string
    }

    fn text(&mut self, name: &str, max: usize) -> Option<String> {
        let what = format!("text of 1 to {max} characters");
        let raw = self.string(name, &what)?;
        self.checked_text(name, raw, max, false)
    }

    fn optional_text(&mut self, name: &str, max: usize) -> Option<String> {
        let value = self.optional(name)?;
        let Some(raw) = value.as_str() else {
            self.push(
                name,
                format!("must be a JSON string of at most {max} characters, or null"),
            );
            return None;
        };
        self.checked_text(name, raw, max, true)
    }

    /// Checks text as sent (at most `max` characters, no control character, not blank
    /// unless `blank_is_none`) and returns it cleaned (NFC, white space folded).
    fn checked_text(
        &mut self,
        name: &str,
        raw: &str,
        max: usize,
        blank_is_none: bool,
    ) -> Option<String> {
        let detail = if raw.chars().count() > max {
            format!("must be at most {max} characters")
        } else if text::has_control(raw) {
            "must not contain control characters (but tab and line breaks)".to_owned()
        } else if !text::is_text(raw) {
            if blank_is_none {
                return None;
            }
            format!("must not be empty: text of 1 to {max} characters")
        } else {
            return Some(text::clean(raw));
        };
        self.push(name, detail);
        None
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let what = "an ISO 8601 calendar date YYYY-MM-DD";
        let raw = self.string(name, what)?;
        let date = text::parse_iso_date(raw);
        if date.is_none() {
            self.push(name, format!("must be a real date written as {what}"));
        }
        date
    }

    fn number(&mut self, name: &str, min: u8, max: u8) -> Option<u8> {
        let what = format!("a JSON number from {min} to {max}");
        let value = self.required(name, &what)?;
        let whole = value.as_u64().or_else(|| {
            // A JSON number is whole when it has no fraction, as in `1.0`.
            let n = value
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (0.0..=255.0).contains(n))?;
            Some(n as u64)
        });
        let number = whole
            .and_then(|n| u8::try_from(n).ok())
            .filter(|n| (min..=max).contains(n));
        if number.is_none() {
            self.push(
                name,
                format!("must be {what} (a whole number, not a string)"),
            );
        }
        number
    }

    fn gender(&mut self, name: &str) -> Option<Gender> {
        let what = "male or female";
        let gender = match self.string(name, what)? {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            _ => None,
        };
        if gender.is_none() {
            self.push(name, format!("must be {what}"));
        }
        gender
    }

    fn dossier_code(&mut self, name: &str) -> Option<String> {
        let what = format!("1 to {MAX_DOSSIER_CODE} characters of A-Z a-z 0-9 . _ - /");
        let raw = self.string(name, &what)?;
        let ok = (1..=MAX_DOSSIER_CODE).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-_/".contains(&b));
        self.check(name, ok, &format!("must be {what}"))
            .then(|| raw.to_owned())
    }

    fn citizen_id(&mut self, name: &str) -> Option<String> {
        let what = "exactly 12 digits (the citizen identity number)";
        let raw = self.string(name, what)?;
        let ok = raw.len() == 12 && raw.bytes().all(|b| b.is_ascii_digit());
        self.check(name, ok, &format!("must be {what}"))
            .then(|| raw.to_owned())
    }

    fn nationality(&mut self, name: &str) -> Option<String> {
        let what = "an ISO 3166-1 alpha-2 country code in capitals, such as VN";
        let raw = self.string(name, what)?;
        let detail = if country::is_assigned(raw) {
            return Some(raw.to_owned());
        } else if country::is_assigned(&raw.to_ascii_uppercase()) {
            format!("must be written in capitals: {what}")
        } else {
            format!("must be {what}")
        };
        self.push(name, detail);
        None
    }

    fn residence_history(&mut self, name: &str) -> Option<Vec<ResidencePeriod>> {
        let what = format!(
            "an array of 1 to {MAX_PERIODS} periods, each with from, to, place, occupation, workplace"
        );
        let value = self.required(name, &what)?;
        let periods = match value.as_array() {
            Some(items) if (1..=MAX_PERIODS).contains(&items.len()) => items,
            _ => {
                self.push(name, format!("must be {what}"));
                return None;
            }
        };
        let base = format!("{}/{}", self.pointer, escape(name));
        let mut read = Vec::with_capacity(periods.len());
        for (index, period) in periods.iter().enumerate() {
            let pointer = format!("{base}/{index}");
            let Some(object) = period.as_object() else {
                self.errors.push(
                    pointer,
                    "must be an object with from, to, place, occupation, workplace",
                );
                continue;
            };
            read.push(read_period(&mut Fields::new(object, &pointer, self.errors)));
        }
        read.into_iter().collect()
    }

    fn callback_url(&mut self, name: &str) -> Option<String> {
        let what = format!("an absolute http or https URL of at most {MAX_URL} characters");
        let value = self.optional(name)?;
        let Some(raw) = value.as_str() else {
            self.push(name, format!("must be a JSON string: {what}, or null"));
            return None;
        };
        let detail = match url_problem(raw) {
            None => return Some(raw.to_owned()),
            Some(problem) => format!("must be {what}; {problem}"),
        };
        self.push(name, detail);
        None
    }
}

/// What is wrong with a callback URL, if anything.
fn url_problem(raw: &str) -> Option<&'static str> {
    if raw.len() > MAX_URL {
        return Some("this one is too long");
    }
    let Ok(uri) = raw.parse::<http::Uri>() else {
        return Some("this one cannot be parsed");
    };
    let scheme_ok = uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"));
    match uri.authority() {
        _ if !scheme_ok => Some("the scheme must be http or https"),
        None => Some("a host is missing"),
        Some(authority) if authority.host().is_empty() => Some("a host is missing"),
        Some(authority) if authority.as_str().contains('@') => {
            Some("it must not carry user credentials")
        }
        Some(_) => None,
    }
}

/// Escapes a name for a JSON pointer segment (RFC 6901).
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

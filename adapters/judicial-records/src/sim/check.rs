//! The partner's checks of a submission's content. The first problem found is answered
//! with `01` and a message naming the field.

use chrono::NaiveDate;
use lienthong_adapter_kit::text;
use serde_json::{Map, Value};

use crate::country;

/// What the simulator keeps of a submission that passed the checks.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// `maHoSoMCDT`.
    pub(crate) dossier: String,
    /// `maTinh`.
    pub(crate) province: String,
    /// `fullName`.
    pub(crate) full_name: String,
    /// `identifyNo`.
    pub(crate) identify_no: String,
    /// `declareTypeId`.
    pub(crate) declare_type: u8,
}

type Check<T> = Result<T, String>;

/// Required text fields checked only for presence.
const REQUIRED_TEXT: [&str; 6] = [
    "birthPlace",
    "residence",
    "idIssuePlace",
    "dadName",
    "momName",
    "purpose",
];

/// Checks a submission body the way the partner does.
pub(crate) fn submission(body: &Map<String, Value>) -> Check<Checked> {
    let dossier = text_field(body, "maHoSoMCDT", "")?;
    let province = text_field(body, "maTinh", "")?;
    if province.len() != 2 || !province.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Trường maTinh phải là mã tỉnh gồm 2 chữ số".into());
    }
    let full_name = text_field(body, "fullName", "")?;
    for name in REQUIRED_TEXT {
        text_field(body, name, "")?;
    }
    number(body, "genderId", 1, 2)?;
    let declare_type = number(body, "declareTypeId", 1, 2)?;
    number(body, "requestQty", 1, 10)?;
    let born = date(body, "birthDateStr", "")?;
    if date(body, "idIssueDate", "")? <= born {
        return Err("Trường idIssueDate phải sau ngày sinh (birthDateStr)".into());
    }
    if !country::is_assigned(&text_field(body, "nationalityId", "")?) {
        return Err("Trường nationalityId không phải mã quốc gia ISO 3166-1 alpha-2".into());
    }
    let identify_no = text_field(body, "identifyNo", "")?;
    if identify_no.len() != 12 || !identify_no.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Trường identifyNo phải gồm đúng 12 chữ số".into());
    }
    if body
        .get("partnerName")
        .is_some_and(|v| !v.is_null() && !v.is_string())
    {
        return Err("Trường partnerName phải là chuỗi".into());
    }
    residence_form(body)?;
    Ok(Checked {
        dossier,
        province,
        full_name,
        identify_no,
        declare_type,
    })
}

fn residence_form(body: &Map<String, Value>) -> Check<()> {
    let entries = body
        .get("residenceForm")
        .and_then(Value::as_array)
        .filter(|entries| !entries.is_empty())
        .ok_or("Trường residenceForm phải có ít nhất một dòng")?;
    for (index, entry) in entries.iter().enumerate() {
        let at = format!("residenceForm[{index}].");
        let entry = entry
            .as_object()
            .ok_or_else(|| format!("Trường residenceForm[{index}] phải là đối tượng"))?;
        let from = date(entry, "fromDateStr", &at)?;
        if date(entry, "toDateStr", &at)? < from {
            return Err(format!(
                "Trường {at}toDateStr phải không trước {at}fromDateStr"
            ));
        }
        for name in ["residencePlace", "jobName", "workPlace"] {
            text_field(entry, name, &at)?;
        }
    }
    Ok(())
}

/// A required, non-empty string field; `at` prefixes the name in messages.
fn text_field(object: &Map<String, Value>, name: &str, at: &str) -> Check<String> {
    object
        .get(name)
        .and_then(Value::as_str)
        .map(text::clean)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("Trường {at}{name} là bắt buộc và không được để trống"))
}

fn date(object: &Map<String, Value>, name: &str, at: &str) -> Check<NaiveDate> {
    text::parse_wire_date(&text_field(object, name, at)?)
        .ok_or_else(|| format!("Trường {at}{name} không đúng định dạng dd/MM/yyyy"))
}

fn number(object: &Map<String, Value>, name: &str, min: u8, max: u8) -> Check<u8> {
    object
        .get(name)
        .and_then(Value::as_u64)
        .and_then(|n| u8::try_from(n).ok())
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("Trường {name} phải là số từ {min} đến {max}"))
}

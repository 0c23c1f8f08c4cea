//! The applications the simulated partner has accepted, and how each one moves through
//! its states as steps of time pass.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{Datelike, NaiveDate, Weekday};
use lienthong_adapter_kit::text;
use serde_json::{Value, json};

use super::check::Checked;
use super::pdf;
use crate::ict;

/// States of the normal path: received, verifying, processing, awaiting signature,
/// signed, issued.
const NORMAL: &[u8] = &[1, 2, 5, 6, 7, 8];
/// Citizen ids ending `999`: received, verifying, rejected.
const REJECTED: &[u8] = &[1, 2, 9];
/// Citizen ids ending `333`: a supplement is asked for and given on the way to issue.
const SUPPLEMENTED: &[u8] = &[1, 2, 3, 4, 5, 6, 7, 8];
/// `trangThaiXuLy` values with extra data.
const ISSUED: u8 = 8;
const REFUSED: u8 = 9;
/// Working days between acceptance and the promised date.
const WORKING_DAYS: u32 = 10;
/// Reason given for a rejection.
const REJECTION_REASON: &str =
    "Thông tin nhân thân không khớp với Cơ sở dữ liệu quốc gia về dân cư";
/// Who signs the certificates.
const SIGNER: &str = "Nguyễn Thanh Hải - Phó Giám đốc Sở Tư pháp";

/// What a submission became.
pub(crate) enum Submitted {
    /// A new application under this reference.
    New(String),
    /// The same content again: the existing reference.
    Repeat(String),
    /// The same dossier with different content.
    Conflict,
}

/// Every accepted application, with the partner's counters.
#[derive(Default)]
pub(crate) struct Registry {
    applications: Vec<Application>,
    by_key: HashMap<(String, String), usize>,
    by_reference: HashMap<String, usize>,
    repeats: u64,
    conflicts: u64,
}

struct Application {
    reference: String,
    consumer: String,
    content: Value,
    checked: Checked,
    number: String,
    accepted_at: Instant,
    expected_on: NaiveDate,
    issued_on: NaiveDate,
    path: &'static [u8],
    convicted: bool,
}

impl Registry {
    /// Accepts `content` from `consumer`, idempotently per consumer and dossier.
    pub(crate) fn submit(
        &mut self,
        consumer: &str,
        checked: Checked,
        content: Value,
        step: Duration,
    ) -> Submitted {
        let key = (consumer.to_owned(), checked.dossier.clone());
        if let Some(existing) = self
            .by_key
            .get(&key)
            .and_then(|&i| self.applications.get(i))
        {
            return if existing.content == content {
                self.repeats += 1;
                Submitted::Repeat(existing.reference.clone())
            } else {
                self.conflicts += 1;
                Submitted::Conflict
            };
        }
        let sequence = self.applications.len() + 1;
        let now = SystemTime::now();
        let accepted_on = ict::date(now);
        let year = accepted_on.year();
        let path = fixture_path(&checked.identify_no);
        let processing = step.saturating_mul(u32::try_from(path.len() - 1).unwrap_or(0));
        let issued_on = now.checked_add(processing).map_or(accepted_on, ict::date);
        let reference = format!("LLTP-{}-{year}-{sequence:06}", checked.province);
        let application = Application {
            reference: reference.clone(),
            consumer: consumer.to_owned(),
            content,
            number: format!(
                "{sequence}/{year}/LLTP-{}",
                province_sign(&checked.province)
            ),
            convicted: checked.identify_no.ends_with("777"),
            checked,
            accepted_at: Instant::now(),
            expected_on: working_days_after(accepted_on, WORKING_DAYS),
            issued_on,
            path,
        };
        self.by_key.insert(key, self.applications.len());
        self.by_reference
            .insert(reference.clone(), self.applications.len());
        self.applications.push(application);
        Submitted::New(reference)
    }

    /// The `data` of a status answer, when `consumer` has an application `reference`.
    pub(crate) fn status(&self, consumer: &str, reference: &str, step: Duration) -> Option<Value> {
        let application = self
            .by_reference
            .get(reference)
            .and_then(|&i| self.applications.get(i))
            .filter(|a| a.consumer == consumer)?;
        Some(application.data(step))
    }

    /// The counters of `GET /__sim/stats`.
    pub(crate) fn stats(&self) -> Value {
        json!({
            "applications": self.applications.len(),
            "repeats": self.repeats,
            "conflicts": self.conflicts,
        })
    }
}

impl Application {
    /// The state reached after the steps elapsed since acceptance.
    fn state(&self, step: Duration) -> u8 {
        let elapsed = self.accepted_at.elapsed().as_nanos();
        let steps = elapsed.checked_div(step.as_nanos()).unwrap_or(u128::MAX);
        let index = usize::try_from(steps).unwrap_or(usize::MAX);
        let last = self.path.last().copied().unwrap_or(1);
        self.path.get(index).copied().unwrap_or(last)
    }

    fn data(&self, step: Duration) -> Value {
        let state = self.state(step);
        json!({
            "trangThaiXuLy": state,
            "ngayHenTraKetQua": text::wire_date(self.expected_on),
            "lyDoTuChoi": (state == REFUSED).then_some(REJECTION_REASON),
            "ketQuaXuLy": (state == ISSUED).then(|| self.certificate()),
        })
    }

    fn certificate(&self) -> Value {
        let conviction = if self.convicted {
            "Có án tích"
        } else {
            "Không có án tích"
        };
        let issued_on = text::wire_date(self.issued_on);
        let lines = [
            format!("PHIEU LY LICH TU PHAP SO {}", self.checked.declare_type),
            format!("So: {}", self.number),
            format!("Ho va ten: {}", self.checked.full_name),
            format!("Tinh trang an tich: {conviction}"),
            format!("Ngay cap: {issued_on}"),
            format!("Nguoi ky: {SIGNER}"),
        ];
        json!({
            "soPhieuLLTP": self.number,
            "ngayCapPhieu": issued_on,
            "loaiPhieu": self.checked.declare_type,
            "nguoiKy": SIGNER,
            "tinhTrangAnTich": conviction,
            "phieuLLTP": STANDARD.encode(pdf::document(&lines)),
        })
    }
}

/// The path of states an applicant's citizen id selects.
fn fixture_path(identify_no: &str) -> &'static [u8] {
    if identify_no.ends_with("999") {
        REJECTED
    } else if identify_no.ends_with("333") {
        SUPPLEMENTED
    } else {
        NORMAL
    }
}

/// The short sign of a province in certificate numbers (its code when not listed).
fn province_sign(code: &str) -> &str {
    match code {
        "01" => "HN",
        "31" => "HP",
        "48" => "DN",
        "79" => "HCM",
        "82" => "TG",
        "92" => "CT",
        _ => code,
    }
}

/// The date `days` working days (Monday to Friday) after `date`.
fn working_days_after(mut date: NaiveDate, days: u32) -> NaiveDate {
    let mut left = days;
    while left > 0 {
        let Some(next) = date.succ_opt() else {
            break;
        };
        date = next;
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_working_days_skip_weekends() {
        let friday = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        assert_eq!(
            working_days_after(friday, 10),
            NaiveDate::from_ymd_opt(2026, 1, 16).unwrap()
        );
        let saturday = NaiveDate::from_ymd_opt(2026, 1, 3).unwrap();
        assert_eq!(
            working_days_after(saturday, 1),
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
        );
    }

    #[test]
    fn citizen_ids_pick_the_fixture_paths() {
        assert_eq!(fixture_path("082190000999"), REJECTED);
        assert_eq!(fixture_path("082190000333"), SUPPLEMENTED);
        assert_eq!(fixture_path("082190000777"), NORMAL);
        assert_eq!(fixture_path("082190001234"), NORMAL);
    }
}

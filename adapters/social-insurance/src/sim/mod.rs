//! A simulator of the national social insurance, speaking its published SOAP 1.2
//! interface with WS-Security over a deterministic dataset of participants in Tiền Giang.
//!
//! Fixtures: `8212345678` Nguyễn Thị Bình born 12/05/1985 (active, card, three periods),
//! `8200000011` Trần Văn Sáu born in 1948 (year only; retired), `8200000029` Lê Hoàng Nam
//! born 23/08/1990 (paused, no card), `8200000003` (answers `02` whatever the name). A
//! known code with another name or birth date, and every other code, answers `01`.

mod answer;
mod dataset;
mod generate;
mod request;
mod security;
mod tables;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use lienthong_adapter_kit::adapter::{Credentials, WireRequest, WireResponse};
use lienthong_adapter_kit::sim::{
    ERROR_TEXT, INTERRUPTED_TEXT, OVERLOADED_TEXT, PartnerFault, SimSettings, Simulator,
};

use crate::{NS, PARTNER};
use dataset::Record;
use request::{Lookup, Refusal, fold_name};
use security::Guard;

/// The three identifiers the partner matches, in unified-API form (ISO date of birth, or
/// the year alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Ten-digit social-insurance code.
    pub insurance_code: String,
    /// Full name, NFC.
    pub full_name: String,
    /// `YYYY-MM-DD`, or `YYYY` when only the year is known.
    pub date_of_birth: String,
}

/// The simulated social insurance. Build it once: [`InsuranceSimulator::new`] generates
/// the whole dataset. It accepts the account [`crate::DEMO_USERNAME`] with
/// [`crate::DEMO_PASSWORD`] and refuses stale, future-dated and replayed tokens.
pub struct InsuranceSimulator {
    records: Vec<Record>,
    by_code: HashMap<String, usize>,
    guard: Guard,
    auth_failures: AtomicU64,
}

impl InsuranceSimulator {
    /// Builds the dataset (fixtures plus 1,200 generated participants). The partner has
    /// no knobs in `settings`.
    pub fn new(_settings: &SimSettings) -> Self {
        let records = dataset::build();
        let by_code = records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i))
            .collect();
        Self {
            records,
            by_code,
            guard: Guard::default(),
            auth_failures: AtomicU64::new(0),
        }
    }

    /// Every participant the partner answers `00` for, in a stable order (for load tests
    /// and demos).
    pub fn identities(&self) -> impl Iterator<Item = Identity> + '_ {
        self.records.iter().map(|r| Identity {
            insurance_code: r.code.clone(),
            full_name: r.full_name.clone(),
            date_of_birth: r.birth.iso(),
        })
    }

    fn respond(&self, request: &WireRequest) -> Result<WireResponse, Refusal> {
        request::check_transport(request)?;
        let envelope = request::read_envelope(&request.body)?;
        if let Err(reason) = self.guard.check(envelope.header.as_ref(), Utc::now()) {
            self.auth_failures.fetch_add(1, Ordering::Relaxed);
            return Err(Refusal::Auth(reason));
        }
        let lookup = request::read_lookup(&envelope.body)?;
        Ok(self.lookup(&lookup))
    }

    fn lookup(&self, lookup: &Lookup<'_>) -> WireResponse {
        if lookup.code == dataset::NOT_SHAREABLE {
            return answer::result(
                "02",
                "Thông tin người tham gia không thuộc phạm vi chia sẻ với đơn vị",
            );
        }
        let matched = self
            .by_code
            .get(lookup.code)
            .and_then(|i| self.records.get(*i))
            .filter(|r| r.birth.matches(lookup.birth))
            .filter(|r| fold_name(&r.full_name) == fold_name(lookup.name));
        match matched {
            Some(record) => answer::found(record),
            None => answer::result(
                "01",
                "Không tìm thấy người tham gia khớp mã số BHXH, họ tên và ngày sinh",
            ),
        }
    }
}

impl fmt::Debug for InsuranceSimulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InsuranceSimulator")
            .field("records", &self.records.len())
            .finish_non_exhaustive()
    }
}

impl Simulator for InsuranceSimulator {
    fn partner(&self) -> &'static str {
        PARTNER
    }

    fn handle(&self, request: &WireRequest) -> WireResponse {
        self.respond(request).unwrap_or_else(Refusal::into_response)
    }

    fn fault(&self, fault: PartnerFault) -> WireResponse {
        match fault {
            PartnerFault::Fault => answer::fault("Receiver", None, ERROR_TEXT),
            PartnerFault::Busy { retry_after_secs } => {
                answer::fault("Receiver", Some("QuaTai"), OVERLOADED_TEXT)
                    .with_retry_after(retry_after_secs)
            }
            PartnerFault::Unavailable => answer::result("03", INTERRUPTED_TEXT),
        }
    }

    /// `MaDonVi` of the SOAP 1.2 header, when the envelope names the consumer and the
    /// request. Reads the envelope only: the security token is checked (and its nonce
    /// remembered) by [`Simulator::handle`] alone.
    fn consumer(&self, request: &WireRequest) -> Option<String> {
        request::read_envelope(&request.body)
            .ok()?
            .header?
            .child_text(NS, "MaDonVi")
            .map(str::to_owned)
    }

    fn accepted_credentials(&self) -> Option<Credentials> {
        Some(Credentials {
            username: crate::DEMO_USERNAME.into(),
            password: crate::DEMO_PASSWORD.into(),
        })
    }

    fn stats(&self) -> serde_json::Value {
        serde_json::json!({
            "auth_failures": self.auth_failures.load(Ordering::Relaxed),
            "nonces_remembered": self.guard.remembered(),
        })
    }
}

#[cfg(test)]
mod tests {
    use lienthong_adapter_kit::adapter::Adapter;
    use lienthong_adapter_kit::testkit::{self, TEST_CONSUMER, TestRequest};

    use super::*;
    use crate::SocialInsurance;

    #[test]
    fn the_consumer_is_ma_don_vi_of_the_header_and_reading_it_spends_no_nonce() {
        let simulator = InsuranceSimulator::new(&SimSettings::default());
        let credentials = simulator.accepted_credentials().unwrap();
        let op = testkit::operation(&SocialInsurance, "getInsuranceParticipant");
        let input = TestRequest::param("insurance_code", "8212345678")
            .with_query("full_name", "Nguyễn Thị Bình")
            .with_query("date_of_birth", "1985-05-12")
            .validate(&SocialInsurance, op)
            .unwrap();
        let request = SocialInsurance
            .encode(op, &input, &testkit::context(Some(&credentials)))
            .unwrap();
        assert_eq!(simulator.consumer(&request).as_deref(), Some(TEST_CONSUMER));
        assert_eq!(simulator.consumer(&request).as_deref(), Some(TEST_CONSUMER));
        // The token was not checked: its nonce is still fresh for the partner.
        assert_eq!(simulator.handle(&request).status, 200);
        let unreadable = WireRequest {
            body: "<not-soap/>".into(),
            ..request
        };
        assert_eq!(simulator.consumer(&unreadable), None);
    }
}

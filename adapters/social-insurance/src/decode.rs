//! `TraCuuThamGia` SOAP 1.2 answer → canonical outcome.
//!
//! Elements and fault codes are matched by namespace URI and local name; order, unknown
//! elements, prefixes and surrounding white space do not matter. What cannot be understood
//! becomes [`FailureKind::Malformed`] with a detail naming the element and the value
//! received.

use http::HeaderMap;
use lienthong_adapter_kit::adapter::{
    FailureKind, Outcome, PartnerFailure, WireResponse, retry_after,
};
use lienthong_adapter_kit::soap::{Envelope, Fault, SOAP12_NS, SoapError, SoapVersion};
use lienthong_adapter_kit::text::{self, shown};
use lienthong_adapter_kit::wire::{ResultCodes, XmlFields, ket_qua, soap_unreadable};
use lienthong_adapter_kit::xml::{Element, Limits, XmlError};

use crate::birth::BirthDate;
use crate::model::{
    Contribution, Facility, Gender, HealthInsuranceCard, Participant, Participation,
};
use crate::{NS, PARTNER};

/// What the partner's result codes mean when it gives no description.
const RESULTS: ResultCodes = ResultCodes {
    field: "MaKetQua",
    not_found: "no participant matches this code, name and date of birth",
    not_shareable: "the record is not shared with this consumer",
    interrupted: "social insurance is temporarily interrupted",
    error: "social insurance reported an error",
};

type Read<T> = Result<T, PartnerFailure>;

/// Reads the partner's answer to `TraCuuThamGia`.
pub(crate) fn lookup(response: &WireResponse) -> Outcome {
    let envelope = match Envelope::parse(&response.body, Limits::partner_answer()) {
        Ok(envelope) => envelope,
        Err(error) => return Outcome::Failed(unreadable(response, &error)),
    };
    if envelope.version != SoapVersion::V12 {
        return Outcome::Failed(PartnerFailure::malformed(
            "the answer is a SOAP 1.1 envelope; the partner speaks SOAP 1.2",
        ));
    }
    if let Some(fault) = envelope.fault() {
        return Outcome::Failed(from_fault(&fault, &response.headers));
    }
    envelope
        .body
        .child(NS, "TraCuuThamGiaResponse")
        .ok_or_else(|| PartnerFailure::malformed("the SOAP Body holds no TraCuuThamGiaResponse"))
        .and_then(|answer| read_answer(answer, &response.headers))
        .unwrap_or_else(Outcome::Failed)
}

/// Classifies an answer that is not a SOAP envelope: refused documents are malformed
/// whatever the status, the rest by HTTP status.
fn unreadable(response: &WireResponse, error: &SoapError) -> PartnerFailure {
    if let SoapError::Xml(XmlError::Doctype) = error {
        return PartnerFailure::malformed(format!("the answer was refused: {error}"));
    }
    soap_unreadable(response, error)
}

/// Maps a SOAP 1.2 fault: `Sender`/`bh:XacThucThatBai` → unauthorized, `Receiver`/`bh:QuaTai`
/// → throttled, other `Sender` → rejected, anything else → partner fault.
fn from_fault(fault: &Fault, headers: &HeaderMap) -> PartnerFailure {
    let sender = fault.code.is(SOAP12_NS, "Sender");
    let receiver = fault.code.is(SOAP12_NS, "Receiver");
    let subcode = |local| fault.subcode.as_ref().is_some_and(|s| s.is(NS, local));
    let reason = match text::clean(&fault.reason) {
        reason if reason.is_empty() => {
            format!("SOAP fault {} without a reason", shown(&fault.code.local))
        }
        reason => reason,
    };
    if sender && subcode("XacThucThatBai") {
        return PartnerFailure::new(
            FailureKind::Unauthorized,
            format!(
                "the partner refused the bus's WS-Security credentials ({reason}); check \
                 partners.{PARTNER}.username, the password its password_env names, and the \
                 bus clock"
            ),
        );
    }
    let kind = if receiver && subcode("QuaTai") {
        FailureKind::Throttled {
            retry_after: retry_after(headers),
        }
    } else if sender {
        FailureKind::Rejected
    } else {
        FailureKind::Fault
    };
    PartnerFailure::new(kind, reason)
}

/// Reads `KetQua` and, on `00`, the participant.
fn read_answer(answer: &Element, headers: &HeaderMap) -> Read<Outcome> {
    let (code, description) = ket_qua(answer, NS)?;
    Ok(RESULTS.outcome(code, description, headers, || {
        let person = answer
            .child(NS, "NguoiThamGia")
            .ok_or_else(|| PartnerFailure::malformed("MaKetQua 00 comes without NguoiThamGia"))?;
        Ok(Outcome::found(&read_participant(person)?))
    }))
}

fn read_participant(person: &Element) -> Read<Participant> {
    let fields = XmlFields::new(person, NS);
    Ok(Participant {
        insurance_code: fields.required("MaSoBHXH")?,
        full_name: fields.required("HoTen")?,
        date_of_birth: fields.required_parsed(
            "NgaySinh",
            "a dd/MM/yyyy date or a yyyy year",
            |s| BirthDate::from_wire(s).map(BirthDate::iso),
        )?,
        gender: fields.required_parsed("GioiTinh", "1 or 2", Gender::from_wire)?,
        participation: fields.required_parsed(
            "TrangThaiThamGia",
            "1, 2 or 3",
            Participation::from_wire,
        )?,
        health_insurance_card: person
            .child(NS, "TheBHYT")
            .map(read_card)
            .transpose()?
            .flatten(),
        total_months: fields.parsed("TongSoThangDong", "a whole number", |s| s.parse().ok())?,
        contributions: person
            .children_named(NS, "QuaTrinhDong")
            .flat_map(|history| history.children_named(NS, "Dong"))
            .map(read_contribution)
            .collect::<Read<_>>()?,
    })
}

/// The card, or `None` for an empty `TheBHYT`.
fn read_card(card: &Element) -> Read<Option<HealthInsuranceCard>> {
    if card.children().is_empty() && card.text().is_empty() {
        return Ok(None);
    }
    let facility = card
        .child(NS, "NoiDKKCB")
        .filter(|f| !f.children().is_empty())
        .map(|f| {
            let f = XmlFields::new(f, NS);
            Ok::<_, PartnerFailure>(Facility {
                code: f.required("Ma")?,
                name: f.text("Ten"),
            })
        })
        .transpose()?;
    let card = XmlFields::new(card, NS);
    Ok(Some(HealthInsuranceCard {
        number: card.required("SoThe")?,
        valid_from: card.date("GiaTriTu")?,
        valid_to: card.date("GiaTriDen")?,
        facility,
    }))
}

fn read_contribution(period: &Element) -> Read<Contribution> {
    let period = XmlFields::new(period, NS);
    let month = |name| period.parsed(name, "a MM/yyyy month", text::wire_month_to_iso);
    Ok(Contribution {
        from: month("TuThang")?.ok_or_else(|| period.missing("TuThang"))?,
        to: month("DenThang")?,
        employer: period.text("TenDonVi"),
    })
}

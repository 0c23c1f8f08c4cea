//! The partner's JSON answers → canonical outcomes.
//!
//! Unknown fields are ignored and field order does not matter. What cannot be understood
//! becomes [`FailureKind::Malformed`] with a detail naming the field and the value received.

use std::fmt;

use http::StatusCode;
use lienthong_adapter_kit::adapter::{
    FailureKind, Outcome, PartnerFailure, WireResponse, retry_after,
};
use lienthong_adapter_kit::json;
use lienthong_adapter_kit::text::{self, shown};
use lienthong_adapter_kit::wire::ResultCodes;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::model::{
    LegalDocument, LegalDocumentPage, LegalDocumentSummary, RelatedDocument, Relation, Validity,
};
use crate::wire::{Answer, Head, Item, Link};

/// What the partner's result codes mean when it gives no description.
const RESULTS: ResultCodes = ResultCodes {
    field: "maKetQua",
    not_found: "no such legal document",
    not_shareable: "the document is not shared with this consumer",
    interrupted: "the legal-documents service is temporarily interrupted",
    error: "the partner reported an error",
};

type Read<T> = Result<T, PartnerFailure>;

/// Reads a search answer: a page of documents.
pub(crate) fn search(response: &WireResponse) -> Outcome {
    read(response, |answer: Answer<Vec<Item>>| {
        let count = |value: Option<u64>, name: &str| {
            value.ok_or_else(|| PartnerFailure::malformed(format!("a 00 answer has no {name}")))
        };
        let page = LegalDocumentPage {
            total: count(answer.tong_so, "tongSo")?,
            page: count(answer.trang, "trang")?,
            page_size: count(answer.so_ban_ghi, "soBanGhi")?,
            items: answer
                .du_lieu
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, item)| summary(item, Place::Item(i)))
                .collect::<Read<_>>()?,
        };
        Ok(Outcome::found(&page))
    })
}

/// Reads a document answer: one document with content and relations.
pub(crate) fn document(response: &WireResponse) -> Outcome {
    read(response, |answer: Answer<Item>| {
        let mut item = answer
            .du_lieu
            .ok_or_else(|| PartnerFailure::malformed("a 00 answer has no duLieu"))?;
        let content = item.noi_dung.take();
        let links = item.van_ban_lien_quan.take().unwrap_or_default();
        let document = LegalDocument {
            summary: summary(item, Place::Document)?,
            content_html: content
                .map(|html| text::nfc(&html))
                .filter(|h| !h.is_empty()),
            related: links
                .into_iter()
                .enumerate()
                .map(|(i, link)| related(link, Place::Related(i)))
                .collect::<Read<_>>()?,
        };
        Ok(Outcome::found(&document))
    })
}

/// An answer as far as it could be read.
struct Parsed<T> {
    /// `maKetQua`, when readable.
    code: Option<String>,
    /// `moTa`, when readable.
    description: Option<String>,
    /// The whole answer, or why it does not follow the published shape.
    data: Result<Answer<T>, String>,
}

/// Parses an answer and classifies it; `found` reads the data of a `00` answer.
fn read<T: DeserializeOwned>(
    response: &WireResponse,
    found: impl FnOnce(Answer<T>) -> Read<Outcome>,
) -> Outcome {
    classify(response, parse(&response.body), found)
}

/// Reads the whole answer (strictly: a duplicate key anywhere is refused); when its data
/// does not fit, at least the result code.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Parsed<T> {
    let value = match json::parse(body) {
        Ok(value) => value,
        Err(error) => {
            return Parsed {
                code: None,
                description: None,
                data: Err(format!("the answer is not readable JSON: {error}")),
            };
        }
    };
    match Answer::<T>::deserialize(&value) {
        Ok(mut answer) => Parsed {
            code: answer.ma_ket_qua.take(),
            description: answer.mo_ta.take(),
            data: Ok(answer),
        },
        Err(shape) => {
            let head = Head::deserialize(&value).ok();
            Parsed {
                code: head.as_ref().and_then(|h| h.ma_ket_qua.clone()),
                description: head.and_then(|h| h.mo_ta),
                data: Err(format!(
                    "the answer does not follow the published shape: {shape}"
                )),
            }
        }
    }
}

/// HTTP 429 and 404 first, then the result code, then the HTTP status class.
fn classify<T>(
    response: &WireResponse,
    parsed: Parsed<T>,
    found: impl FnOnce(Answer<T>) -> Read<Outcome>,
) -> Outcome {
    let Parsed {
        code,
        description,
        data,
    } = parsed;
    let status = response.status;
    let detail = |fallback: &str| {
        description
            .as_deref()
            .map(text::clean)
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| fallback.to_owned())
    };
    let failed =
        |kind, fallback: &str| Outcome::Failed(PartnerFailure::new(kind, detail(fallback)));
    if status == StatusCode::TOO_MANY_REQUESTS {
        return failed(
            FailureKind::Throttled {
                retry_after: retry_after(&response.headers),
            },
            "the partner throttles this consumer (HTTP 429)",
        );
    }
    if status == StatusCode::NOT_FOUND {
        return Outcome::NotFound {
            detail: detail("no such legal document (HTTP 404)"),
        };
    }
    match code.as_deref() {
        Some("99") if status.is_client_error() => failed(
            FailureKind::Rejected,
            &format!("the partner refused the request (HTTP {status})"),
        ),
        Some(code) if code != "00" || status.is_success() => {
            RESULTS.outcome(code, description.as_deref(), &response.headers, || {
                data.map_err(PartnerFailure::malformed).and_then(found)
            })
        }
        // `00` with an error status, or no result code at all: the status decides.
        _ => {
            let reason = match (code.as_deref(), data) {
                (Some(code), _) => format!("HTTP {status} with maKetQua {code}"),
                (None, Err(reason)) => reason,
                (None, Ok(_)) => "the answer has no maKetQua".to_owned(),
            };
            match status_failure(status) {
                Some(kind) if code.is_some() => failed(kind, &reason),
                Some(kind) => failed(kind, &format!("HTTP {status}: {reason}")),
                None => Outcome::Failed(PartnerFailure::malformed(reason)),
            }
        }
    }
}

/// The failure an HTTP error status means by itself.
fn status_failure(status: StatusCode) -> Option<FailureKind> {
    if status.is_client_error() {
        Some(FailureKind::Rejected)
    } else if status.is_server_error() {
        Some(FailureKind::Fault)
    } else {
        None
    }
}

/// Where a value sits in the answer, for failure details.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// `duLieu[i]` of a search answer.
    Item(usize),
    /// `duLieu` of a document answer.
    Document,
    /// `duLieu.vanBanLienQuan[i]`.
    Related(usize),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Item(i) => write!(f, "duLieu[{i}]"),
            Self::Document => f.write_str("duLieu"),
            Self::Related(i) => write!(f, "duLieu.vanBanLienQuan[{i}]"),
        }
    }
}

fn summary(item: Item, at: Place) -> Read<LegalDocumentSummary> {
    Ok(LegalDocumentSummary {
        id: required(item.id, at, "id")?,
        number: required(item.so_ky_hieu, at, "soKyHieu")?,
        title: required(item.trich_yeu, at, "trichYeu")?,
        kind: optional(item.loai_van_ban),
        issuer: optional(item.co_quan_ban_hanh),
        signer: optional(item.nguoi_ky),
        issued_on: date(item.ngay_ban_hanh, at, "ngayBanHanh")?,
        effective_on: date(item.ngay_hieu_luc, at, "ngayHieuLuc")?,
        validity: optional(item.tinh_trang_hieu_luc)
            .map(|label| {
                Validity::from_label(&label).ok_or_else(|| {
                    unknown(
                        at,
                        "tinhTrangHieuLuc",
                        &label,
                        Validity::ALL.map(Validity::label),
                    )
                })
            })
            .transpose()?,
        fields: item
            .linh_vuc
            .iter()
            .map(|field| text::clean(field))
            .filter(|field| !field.is_empty())
            .collect(),
    })
}

fn related(link: Link, at: Place) -> Read<RelatedDocument> {
    let label = required(link.quan_he, at, "quanHe")?;
    Ok(RelatedDocument {
        id: required(link.id, at, "id")?,
        number: optional(link.so_ky_hieu),
        relation: Relation::from_label(&label)
            .ok_or_else(|| unknown(at, "quanHe", &label, Relation::ALL.map(Relation::label)))?,
    })
}

/// NFC text, white space folded; `None` when absent or empty.
fn optional(value: Option<String>) -> Option<String> {
    value.map(|v| text::clean(&v)).filter(|v| !v.is_empty())
}

/// NFC text that must be there.
fn required(value: Option<String>, at: Place, name: &str) -> Read<String> {
    optional(value).ok_or_else(|| PartnerFailure::malformed(format!("{at} has no {name}")))
}

/// A `dd/MM/yyyy` date as ISO; `None` when absent or empty.
fn date(value: Option<String>, at: Place, name: &str) -> Read<Option<String>> {
    optional(value)
        .map(|raw| {
            text::wire_date_to_iso(&raw).ok_or_else(|| {
                PartnerFailure::malformed(format!(
                    "{at}.{name} {} is not a dd/MM/yyyy date",
                    shown(&raw)
                ))
            })
        })
        .transpose()
}

/// A label outside the documented `known` ones.
fn unknown(at: Place, name: &str, label: &str, known: [&str; 4]) -> PartnerFailure {
    PartnerFailure::malformed(format!(
        "{at}.{name} {} is not one of: {}",
        shown(label),
        known.join(" | ")
    ))
}

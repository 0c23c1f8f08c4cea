//! The canonical legal-document JSON of the unified API (`searchLegalDocuments`,
//! `getLegalDocument`), and the validated inputs of both operations.
//!
//! Keys are English snake_case, dates ISO 8601 (`YYYY-MM-DD`), text NFC. An optional value
//! the partner left absent or empty is `null`; a list it left absent is `[]`.

use lienthong_adapter_kit::text::TEXT_PATTERN;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Validated input of `searchLegalDocuments` (text NFC, white space folded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = issue_dates_in_order)]
pub(crate) struct SearchQuery {
    /// Phrase searched in `number` and `title` (NFC or NFD; white space folded): text
    /// without control characters, at most 200 characters as sent.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    #[schemars(extend("examples" = ["chia sẻ dữ liệu"]))]
    pub(crate) q: Option<String>,
    /// Exact document type.
    #[serde(rename = "type")]
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    #[schemars(extend("examples" = ["Nghị định", "Thông tư"]))]
    pub(crate) kind: Option<String>,
    /// Exact issuing body.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    #[schemars(extend("examples" = ["Chính phủ"]))]
    pub(crate) issuer: Option<String>,
    /// First issue date, inclusive.
    #[schemars(extend("format" = "date", "examples" = ["2020-01-01"]))]
    pub(crate) from: Option<String>,
    /// Last issue date, inclusive; not before `from`.
    #[schemars(extend("format" = "date", "examples" = ["2020-12-31"]))]
    pub(crate) to: Option<String>,
    /// Page number, from 1.
    #[serde(default = "first_page")]
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub(crate) page: u32,
    /// Documents per page.
    #[serde(default = "default_page_size")]
    #[schemars(range(min = 1, max = 100))]
    pub(crate) page_size: u32,
}

/// The page given when none is asked for.
pub(crate) fn first_page() -> u32 {
    1
}

/// The page size given when none is asked for.
pub(crate) fn default_page_size() -> u32 {
    20
}

/// `to` is not before `from`.
fn issue_dates_in_order(schema: &mut schemars::Schema) {
    lienthong_adapter_kit::api::date_order(schema, "from", "to", false);
}

/// Validated input of `getLegalDocument`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct DocumentQuery {
    /// The document id from a search result, 1 to 20 digits.
    #[schemars(pattern(ID_PATTERN), extend("examples" = ["184612"]))]
    pub(crate) id: String,
}

/// The form of a document id.
const ID_PATTERN: &str = "^[0-9]{1,20}$";

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LegalDocumentPage {
    /// Documents matching the search, over all pages.
    pub total: u64,
    /// This page's number, from 1.
    #[schemars(range(min = 1))]
    pub page: u64,
    /// Documents per page.
    #[schemars(range(min = 1, max = 100))]
    pub page_size: u64,
    /// The documents of this page, most recently issued first.
    #[schemars(length(max = 100))]
    pub items: Vec<LegalDocumentSummary>,
}

/// A legal document as search results list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LegalDocumentSummary {
    /// The partner's document id.
    #[schemars(pattern(ID_PATTERN))]
    pub id: String,
    /// Number and symbol (`soKyHieu`, e.g. `47/2020/NĐ-CP`).
    pub number: String,
    /// Abstract (`trichYeu`).
    pub title: String,
    /// Document type (`loaiVanBan`, e.g. `Nghị định`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Issuing body (`coQuanBanHanh`).
    pub issuer: Option<String>,
    /// Who signed it (`nguoiKy`).
    pub signer: Option<String>,
    /// Issue date (`ngayBanHanh`).
    #[schemars(extend("format" = "date"))]
    pub issued_on: Option<String>,
    /// Date it takes effect (`ngayHieuLuc`).
    #[schemars(extend("format" = "date"))]
    pub effective_on: Option<String>,
    /// Legal validity (`tinhTrangHieuLuc`).
    pub validity: Option<Validity>,
    /// Fields of law (`linhVuc`).
    pub fields: Vec<String>,
}

/// A legal document with its content and its relations to other documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LegalDocument {
    /// What search results show of it.
    #[serde(flatten)]
    pub summary: LegalDocumentSummary,
    /// Content as HTML (`noiDung`).
    pub content_html: Option<String>,
    /// What this document does to other documents (`vanBanLienQuan`).
    pub related: Vec<RelatedDocument>,
}

/// A document this one relates to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RelatedDocument {
    /// The related document's id.
    pub id: String,
    /// Its number and symbol.
    pub number: Option<String>,
    /// What this document does to it.
    pub relation: Relation,
}

/// Legal validity of a document (`tinhTrangHieuLuc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// `Còn hiệu lực`.
    InForce,
    /// `Hết hiệu lực một phần`.
    PartiallyExpired,
    /// `Hết hiệu lực toàn bộ`.
    Expired,
    /// `Chưa có hiệu lực`.
    NotYetInForce,
}

impl Validity {
    /// Every validity, in the partner's documented order.
    pub const ALL: [Self; 4] = [
        Self::InForce,
        Self::PartiallyExpired,
        Self::Expired,
        Self::NotYetInForce,
    ];

    /// The partner's label (NFC).
    pub fn label(self) -> &'static str {
        match self {
            Self::InForce => "Còn hiệu lực",
            Self::PartiallyExpired => "Hết hiệu lực một phần",
            Self::Expired => "Hết hiệu lực toàn bộ",
            Self::NotYetInForce => "Chưa có hiệu lực",
        }
    }

    /// The validity of an NFC label.
    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.label() == label)
    }
}

/// What a document does to a related one (`quanHe`, outgoing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// `Sửa đổi, bổ sung`.
    Amends,
    /// `Thay thế`.
    Replaces,
    /// `Hướng dẫn`.
    Guides,
    /// `Căn cứ`: this document is issued on the basis of the related one.
    BasedOn,
}

impl Relation {
    /// Every relation, in the partner's documented order.
    pub const ALL: [Self; 4] = [Self::Amends, Self::Replaces, Self::Guides, Self::BasedOn];

    /// The partner's label (NFC).
    pub fn label(self) -> &'static str {
        match self {
            Self::Amends => "Sửa đổi, bổ sung",
            Self::Replaces => "Thay thế",
            Self::Guides => "Hướng dẫn",
            Self::BasedOn => "Căn cứ",
        }
    }

    /// The relation of an NFC label.
    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.label() == label)
    }
}

#[cfg(test)]
mod tests {
    use lienthong_adapter_kit::text::nfc;

    use super::*;

    #[test]
    fn labels_are_nfc_and_round_trip() {
        for validity in Validity::ALL {
            assert_eq!(nfc(validity.label()), validity.label());
            assert_eq!(Validity::from_label(validity.label()), Some(validity));
        }
        for relation in Relation::ALL {
            assert_eq!(nfc(relation.label()), relation.label());
            assert_eq!(Relation::from_label(relation.label()), Some(relation));
        }
        assert_eq!(Validity::from_label("còn hiệu lực"), None);
        assert_eq!(Relation::from_label("Sửa đổi"), None);
    }
}

//! The partner's JSON answers, field for field (`maKetQua`, `duLieu`, `soKyHieu`, ...).
//!
//! Reading is lenient where the published interface allows it: unknown fields are
//! ignored, an absent or `null` value means "no value", an id may come as a string or a
//! number.

use serde::{Deserialize, Deserializer};

/// An answer: result code, description, paging counters and data.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Answer<T> {
    /// `00`, `01`, `02`, `03` or `99`.
    pub(crate) ma_ket_qua: Option<String>,
    /// The partner's description of the result.
    pub(crate) mo_ta: Option<String>,
    /// Documents matching a search, over all pages.
    pub(crate) tong_so: Option<u64>,
    /// Page number of a search answer.
    pub(crate) trang: Option<u64>,
    /// Page size of a search answer.
    pub(crate) so_ban_ghi: Option<u64>,
    /// The documents (search) or the document (detail).
    pub(crate) du_lieu: Option<T>,
}

/// Just the result code and description, for an answer whose data could not be read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Head {
    /// `maKetQua`.
    pub(crate) ma_ket_qua: Option<String>,
    /// `moTa`.
    pub(crate) mo_ta: Option<String>,
}

/// One document: the search item, plus content and relations in a detail answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Item {
    /// The partner's id.
    #[serde(default, deserialize_with = "id")]
    pub(crate) id: Option<String>,
    /// Number and symbol.
    pub(crate) so_ky_hieu: Option<String>,
    /// Abstract.
    pub(crate) trich_yeu: Option<String>,
    /// Document type.
    pub(crate) loai_van_ban: Option<String>,
    /// Issuing body.
    pub(crate) co_quan_ban_hanh: Option<String>,
    /// Signer.
    pub(crate) nguoi_ky: Option<String>,
    /// Issue date, `dd/MM/yyyy`.
    pub(crate) ngay_ban_hanh: Option<String>,
    /// Effective date, `dd/MM/yyyy`.
    pub(crate) ngay_hieu_luc: Option<String>,
    /// Validity label.
    pub(crate) tinh_trang_hieu_luc: Option<String>,
    /// Fields of law.
    #[serde(default, deserialize_with = "list")]
    pub(crate) linh_vuc: Vec<String>,
    /// Content as HTML (detail answers only).
    pub(crate) noi_dung: Option<String>,
    /// Related documents (detail answers only).
    pub(crate) van_ban_lien_quan: Option<Vec<Link>>,
}

/// A related document in a detail answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Link {
    /// The related document's id.
    #[serde(default, deserialize_with = "id")]
    pub(crate) id: Option<String>,
    /// Its number and symbol.
    pub(crate) so_ky_hieu: Option<String>,
    /// Relation label.
    pub(crate) quan_he: Option<String>,
}

/// An id given as a string or as a whole number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Number(u64),
}

fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Id>::deserialize(deserializer)?.map(|id| match id {
        Id::Text(text) => text,
        Id::Number(number) => number.to_string(),
    }))
}

/// A list that may also be `null`.
fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

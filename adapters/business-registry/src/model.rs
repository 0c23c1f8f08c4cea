//! The canonical enterprise record of the unified API (`getEnterprise`).
//!
//! Keys are English snake_case, dates ISO 8601 (`YYYY-MM-DD`), text NFC. An optional value
//! the partner left absent or empty is `null`; repeated data the partner left absent is `[]`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Validated input of `getEnterprise`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct EnterpriseQuery {
    /// Mã số doanh nghiệp: 10 digits with a valid check digit, optionally `-NNN` for a
    /// branch.
    #[schemars(pattern(crate::code::SHAPE_PATTERN), extend("format" = "enterprise-code"))]
    #[schemars(extend("examples" = ["1200123459", "1200123459-001"]))]
    pub(crate) enterprise_code: String,
}

/// One enterprise (or dependent unit) as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Enterprise {
    /// Enterprise code: 10 digits, or 10 digits `-NNN` for a branch.
    #[schemars(pattern(crate::code::SHAPE_PATTERN))]
    pub enterprise_code: String,
    /// Registered names.
    pub name: Names,
    /// Legal form.
    #[serde(rename = "type")]
    pub kind: Coded,
    /// Date of first registration.
    #[schemars(extend("format" = "date"))]
    pub registered_on: Option<String>,
    /// Date of the latest registered change.
    #[schemars(extend("format" = "date"))]
    pub last_changed_on: Option<String>,
    /// Number of registered changes.
    pub change_count: Option<u32>,
    /// Legal status.
    pub status: Status,
    /// Legal representatives, in the partner's order.
    pub legal_representatives: Vec<LegalRepresentative>,
    /// Registered head office.
    pub head_office: HeadOffice,
    /// Registered business lines (VSIC codes), in the partner's order.
    pub business_lines: Vec<BusinessLine>,
}

/// The names of an enterprise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Names {
    /// Vietnamese name (`TenTiengViet`).
    pub vi: String,
    /// Name in a foreign language (`TenNuocNgoai`).
    pub en: Option<String>,
    /// Abbreviated name (`TenVietTat`).
    pub short: Option<String>,
}

/// A partner code with its label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Coded {
    /// The partner's code.
    pub code: Option<String>,
    /// The partner's label for it.
    pub label: Option<String>,
}

/// Legal status of an enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Status {
    /// The status as an explicit enum.
    pub code: LegalStatus,
    /// The partner's label (`TenTinhTrangPhapLy`).
    pub label: Option<String>,
    /// First day of a suspension.
    #[schemars(extend("format" = "date"))]
    pub suspended_from: Option<String>,
    /// Last day of a suspension.
    #[schemars(extend("format" = "date"))]
    pub suspended_until: Option<String>,
    /// Reason of a suspension.
    pub reason: Option<String>,
}

/// The legal statuses of `MaTinhTrangPhapLy` 1 to 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalStatus {
    /// `1` đang hoạt động.
    Active,
    /// `2` tạm ngừng kinh doanh.
    Suspended,
    /// `3` đang làm thủ tục giải thể.
    Dissolving,
    /// `4` đã giải thể.
    Dissolved,
    /// `5` bị thu hồi giấy chứng nhận.
    Revoked,
    /// `6` không còn hoạt động tại địa chỉ đăng ký.
    NotAtAddress,
}

impl LegalStatus {
    /// Every status, in wire-code order.
    pub const ALL: [Self; 6] = [
        Self::Active,
        Self::Suspended,
        Self::Dissolving,
        Self::Dissolved,
        Self::Revoked,
        Self::NotAtAddress,
    ];

    /// The status of a wire `MaTinhTrangPhapLy`.
    pub fn from_wire(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.wire_code() == code)
    }

    /// The wire `MaTinhTrangPhapLy` of this status.
    pub fn wire_code(self) -> &'static str {
        match self {
            Self::Active => "1",
            Self::Suspended => "2",
            Self::Dissolving => "3",
            Self::Dissolved => "4",
            Self::Revoked => "5",
            Self::NotAtAddress => "6",
        }
    }
}

/// A legal representative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LegalRepresentative {
    /// Full name.
    pub full_name: Option<String>,
    /// Title (e.g. Giám đốc).
    pub title: Option<String>,
    /// Kind of identity document, as the partner names it.
    pub id_type: Option<String>,
    /// Identity document number.
    pub id_number: Option<String>,
    /// Date the identity document was issued.
    #[schemars(extend("format" = "date"))]
    pub issued_on: Option<String>,
    /// Authority that issued it.
    pub issued_by: Option<String>,
    /// Nationality.
    pub nationality: Option<String>,
}

/// A registered address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HeadOffice {
    /// House number and street.
    pub street: Option<String>,
    /// Commune/ward code.
    pub commune_code: Option<String>,
    /// Commune/ward name.
    pub commune: Option<String>,
    /// Province code.
    pub province_code: Option<String>,
    /// Province name.
    pub province: Option<String>,
}

/// A registered business line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BusinessLine {
    /// VSIC code (`MaNganh`).
    pub code: String,
    /// Its name (`TenNganh`).
    pub name: Option<String>,
    /// Whether it is the main business line.
    pub primary: bool,
}

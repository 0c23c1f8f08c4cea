//! The canonical insurance-participant record of the unified API (`getInsuranceParticipant`).
//!
//! Keys are English snake_case, dates ISO 8601 (`YYYY-MM-DD`, or `YYYY` for a birth known
//! only by its year; months `YYYY-MM`), text NFC. An optional value the partner left
//! absent or empty is `null`; repeated data the partner left absent is `[]`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Validated input of `getInsuranceParticipant` (NFC name, white space folded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct ParticipantQuery {
    /// Mã số BHXH, 10 digits.
    #[schemars(pattern(CODE_PATTERN), extend("examples" = ["8212345678"]))]
    pub(crate) insurance_code: String,
    /// Full name as registered: letters of Latin script (every Vietnamese letter), Greek,
    /// Cyrillic, CJK or Hangul, spaces, tabs, `'`, `-` and `.`, beginning with a letter,
    /// at most 100 characters as sent. NFC or NFD input gives the same answer; white
    /// space is folded.
    #[schemars(length(max = 100), pattern(crate::name::pattern()))]
    #[schemars(extend("examples" = ["Nguyễn Thị Bình"]))]
    pub(crate) full_name: String,
    /// `YYYY-MM-DD` (a calendar date), or `YYYY` when only the year is known; from 1900,
    /// not in the future.
    #[schemars(pattern(BIRTH_PATTERN), extend("format" = "birth-date-or-year"))]
    #[schemars(extend("examples" = ["1985-05-12", "1985"]))]
    pub(crate) date_of_birth: String,
}

/// The form of a social-insurance code.
const CODE_PATTERN: &str = "^[0-9]{10}$";
/// The form of a date of birth: a day or a year.
const BIRTH_PATTERN: &str = "^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$";
/// The form of a contribution month.
const MONTH_PATTERN: &str = "^[0-9]{4}-[0-9]{2}$";

/// One participant of social and health insurance as the partner knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Participant {
    /// Ten-digit social-insurance code (`MaSoBHXH`).
    #[schemars(pattern(CODE_PATTERN))]
    pub insurance_code: String,
    /// Full name (`HoTen`).
    pub full_name: String,
    /// `YYYY-MM-DD`, or `YYYY` when the partner knows only the year (`NgaySinh`).
    #[schemars(pattern(BIRTH_PATTERN))]
    pub date_of_birth: String,
    /// Gender (`GioiTinh`).
    pub gender: Gender,
    /// Participation status (`TrangThaiThamGia`).
    pub participation: Participation,
    /// The health-insurance card (`TheBHYT`), if any.
    pub health_insurance_card: Option<HealthInsuranceCard>,
    /// Months of contributions in total (`TongSoThangDong`).
    pub total_months: Option<u32>,
    /// Contribution periods (`QuaTrinhDong`), in the partner's order.
    pub contributions: Vec<Contribution>,
}

/// Gender codes of `GioiTinh`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// `1` nam.
    Male,
    /// `2` nữ.
    Female,
}

impl Gender {
    /// The gender of a wire `GioiTinh`.
    pub fn from_wire(code: &str) -> Option<Self> {
        match code {
            "1" => Some(Self::Male),
            "2" => Some(Self::Female),
            _ => None,
        }
    }

    /// The wire `GioiTinh` of this gender.
    pub fn wire_code(self) -> &'static str {
        match self {
            Self::Male => "1",
            Self::Female => "2",
        }
    }
}

/// Participation statuses of `TrangThaiThamGia`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Participation {
    /// `1` đang tham gia.
    Active,
    /// `2` tạm dừng.
    Paused,
    /// `3` đã dừng.
    Stopped,
}

impl Participation {
    /// The status of a wire `TrangThaiThamGia`.
    pub fn from_wire(code: &str) -> Option<Self> {
        match code {
            "1" => Some(Self::Active),
            "2" => Some(Self::Paused),
            "3" => Some(Self::Stopped),
            _ => None,
        }
    }

    /// The wire `TrangThaiThamGia` of this status.
    pub fn wire_code(self) -> &'static str {
        match self {
            Self::Active => "1",
            Self::Paused => "2",
            Self::Stopped => "3",
        }
    }
}

/// A health-insurance card (thẻ BHYT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HealthInsuranceCard {
    /// Card number (`SoThe`), e.g. `DN4828212345678`.
    pub number: String,
    /// First day of validity (`GiaTriTu`).
    #[schemars(extend("format" = "date"))]
    pub valid_from: Option<String>,
    /// Last day of validity (`GiaTriDen`).
    #[schemars(extend("format" = "date"))]
    pub valid_to: Option<String>,
    /// The registered primary-care facility (`NoiDKKCB`), if given.
    pub facility: Option<Facility>,
}

/// A health facility (nơi đăng ký khám chữa bệnh ban đầu).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Facility {
    /// Facility code (`Ma`).
    pub code: String,
    /// Facility name (`Ten`).
    pub name: Option<String>,
}

/// One period of contributions (`Dong`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Contribution {
    /// First month, `YYYY-MM` (`TuThang`).
    #[schemars(pattern(MONTH_PATTERN))]
    pub from: String,
    /// Last month, `YYYY-MM` (`DenThang`); `null` when the partner gives none.
    #[schemars(pattern(MONTH_PATTERN))]
    pub to: Option<String>,
    /// The employer or unit that paid (`TenDonVi`).
    pub employer: Option<String>,
}

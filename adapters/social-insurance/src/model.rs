//! The canonical insurance-participant record of the unified API (`getInsuranceParticipant`).
//!
//! Keys are English snake_case, dates ISO 8601 (`YYYY-MM-DD`, or `YYYY` for a birth known
//! only by its year; months `YYYY-MM`), text NFC. An optional value the partner left
//! absent or empty is `null`; repeated data the partner left absent is `[]`.

use serde::{Deserialize, Serialize};

/// Validated input of `getInsuranceParticipant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ParticipantQuery {
    /// Ten-digit social-insurance code (mã số BHXH).
    pub(crate) insurance_code: String,
    /// NFC full name, white space folded.
    pub(crate) full_name: String,
    /// `YYYY-MM-DD`, or `YYYY` when only the year is known.
    pub(crate) date_of_birth: String,
}

/// One participant of social and health insurance as the partner knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Ten-digit social-insurance code (`MaSoBHXH`).
    pub insurance_code: String,
    /// Full name (`HoTen`).
    pub full_name: String,
    /// `YYYY-MM-DD`, or `YYYY` when the partner knows only the year (`NgaySinh`).
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthInsuranceCard {
    /// Card number (`SoThe`), e.g. `DN4828212345678`.
    pub number: String,
    /// First day of validity (`GiaTriTu`).
    pub valid_from: Option<String>,
    /// Last day of validity (`GiaTriDen`).
    pub valid_to: Option<String>,
    /// The registered primary-care facility (`NoiDKKCB`), if given.
    pub facility: Option<Facility>,
}

/// A health facility (nơi đăng ký khám chữa bệnh ban đầu).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facility {
    /// Facility code (`Ma`).
    pub code: String,
    /// Facility name (`Ten`).
    pub name: Option<String>,
}

/// One period of contributions (`Dong`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    /// First month, `YYYY-MM` (`TuThang`).
    pub from: String,
    /// Last month, `YYYY-MM` (`DenThang`); `null` when the partner gives none.
    pub to: Option<String>,
    /// The employer or unit that paid (`TenDonVi`).
    pub employer: Option<String>,
}

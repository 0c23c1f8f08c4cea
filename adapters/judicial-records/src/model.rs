//! The canonical criminal-record application of the unified API: English snake_case keys,
//! ISO 8601 dates (`YYYY-MM-DD`), NFC text. Built by validation, stored by the core as the
//! application's [`Input`](lienthong_adapter_kit::adapter::Input) and read back for every
//! delivery attempt.

use serde::{Deserialize, Serialize};

/// A validated application for a criminal-record certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Application {
    /// The provincial dossier code (`maHoSoMCDT`); the partner is idempotent on it.
    pub(crate) dossier_code: String,
    /// Applicant's full name.
    pub(crate) full_name: String,
    /// Applicant's gender.
    pub(crate) gender: Gender,
    /// Date of birth.
    pub(crate) date_of_birth: String,
    /// Place of birth.
    pub(crate) birth_place: String,
    /// Nationality, ISO 3166-1 alpha-2.
    pub(crate) nationality: String,
    /// Current residence.
    pub(crate) residence: String,
    /// Citizen id: 12 digits.
    pub(crate) citizen_id: String,
    /// Date the citizen id was issued.
    pub(crate) id_issued_on: String,
    /// Authority that issued the citizen id.
    pub(crate) id_issued_by: String,
    /// Father's full name.
    pub(crate) father_name: String,
    /// Mother's full name.
    pub(crate) mother_name: String,
    /// Spouse's full name, when married.
    pub(crate) spouse_name: Option<String>,
    /// Certificate form: 1 (phiếu số 1) or 2 (phiếu số 2).
    pub(crate) certificate_type: u8,
    /// Why the certificate is requested.
    pub(crate) purpose: String,
    /// Number of copies, 1 to 10.
    pub(crate) copies: u8,
    /// Where the applicant lived and worked, in the caller's order.
    pub(crate) residence_history: Vec<ResidencePeriod>,
    /// Where the core posts status changes.
    pub(crate) callback_url: Option<String>,
}

/// Gender as the unified API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Gender {
    /// `genderId` 1 (nam).
    Male,
    /// `genderId` 2 (nữ).
    Female,
}

impl Gender {
    /// The partner's `genderId`.
    pub(crate) fn wire_id(self) -> u8 {
        match self {
            Self::Male => 1,
            Self::Female => 2,
        }
    }
}

/// One period of residence and occupation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ResidencePeriod {
    /// First day.
    pub(crate) from: String,
    /// Last day (not before `from`).
    pub(crate) to: String,
    /// Place of residence.
    pub(crate) place: String,
    /// Occupation.
    pub(crate) occupation: String,
    /// Workplace.
    pub(crate) workplace: String,
}

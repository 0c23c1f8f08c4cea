//! The canonical criminal-record application of the unified API: English snake_case keys,
//! ISO 8601 dates (`YYYY-MM-DD`), NFC text. Built by validation, stored by the core as the
//! application's [`Input`](lienthong_adapter_kit::adapter::Input) and read back for every
//! delivery attempt.

use lienthong_adapter_kit::text::{NO_CONTROL_PATTERN, TEXT_PATTERN};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A validated application for a criminal-record certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    rename = "CriminalRecordApplicationRequest",
    deny_unknown_fields,
    transform = issued_after_birth,
    description = "An application for a criminal-record certificate. Text is trimmed and normalised to NFC; unknown fields are refused; `id_issued_on` must be after `date_of_birth`."
)]
pub(crate) struct Application {
    /// The provincial dossier (mã hồ sơ); the national service accepts one application
    /// per dossier.
    #[schemars(pattern(DOSSIER_CODE_PATTERN))]
    pub(crate) dossier_code: String,
    /// Applicant's full name.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    pub(crate) full_name: String,
    /// Applicant's gender.
    pub(crate) gender: Gender,
    /// Date of birth: from 1900, not in the future.
    #[schemars(pattern(DATE_PATTERN), extend("format" = "birth-date"))]
    pub(crate) date_of_birth: String,
    /// Place of birth.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    pub(crate) birth_place: String,
    /// Nationality: an ISO 3166-1 alpha-2 code, in capitals.
    #[schemars(transform = crate::country::codes)]
    pub(crate) nationality: String,
    /// Current residence.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    pub(crate) residence: String,
    /// Citizen identity number (số định danh cá nhân), 12 digits.
    #[schemars(pattern(CITIZEN_ID_PATTERN))]
    pub(crate) citizen_id: String,
    /// Date the citizen id was issued: after `date_of_birth`, not in the future.
    #[schemars(pattern(DATE_PATTERN), extend("format" = "past-date"))]
    pub(crate) id_issued_on: String,
    /// Authority that issued the citizen id.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    pub(crate) id_issued_by: String,
    /// Father's full name.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    pub(crate) father_name: String,
    /// Mother's full name.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    pub(crate) mother_name: String,
    /// Spouse's full name, when married; absent, null, empty or blank means none.
    #[schemars(length(max = 200), pattern(NO_CONTROL_PATTERN))]
    pub(crate) spouse_name: Option<String>,
    /// Certificate form: 1 (phiếu số 1) or 2 (phiếu số 2).
    #[schemars(range(min = 1, max = 2))]
    pub(crate) certificate_type: u8,
    /// Why the certificate is requested.
    #[schemars(length(max = 500), pattern(TEXT_PATTERN))]
    pub(crate) purpose: String,
    /// Number of copies.
    #[schemars(range(min = 1, max = 10))]
    pub(crate) copies: u8,
    /// Where the applicant lived and worked, in the caller's order.
    #[schemars(length(min = 1, max = 50))]
    pub(crate) residence_history: Vec<ResidencePeriod>,
    /// Absolute https URL that receives the signed status changes (the `statusChanged`
    /// callback). Refused (`400`, naming `/callback_url`) when it is plain http, carries
    /// credentials, or its host is a literal loopback, private, link-local, shared,
    /// reserved, multicast or unspecified address, unless the bus operators list that
    /// host for the client. A host name is resolved at each delivery and the same rules
    /// apply to its addresses; the bus itself is never called back.
    #[schemars(length(max = 2048), extend("format" = "callback-url"))]
    pub(crate) callback_url: Option<String>,
}

/// The form of a dossier code.
const DOSSIER_CODE_PATTERN: &str = "^[A-Za-z0-9._/-]{1,64}$";
/// The form of an ISO date.
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// The form of a citizen id.
const CITIZEN_ID_PATTERN: &str = "^[0-9]{12}$";

/// `id_issued_on` is after `date_of_birth`.
fn issued_after_birth(schema: &mut schemars::Schema) {
    lienthong_adapter_kit::api::date_order(schema, "date_of_birth", "id_issued_on", true);
}

/// `to` is not before `from`.
fn period_in_order(schema: &mut schemars::Schema) {
    lienthong_adapter_kit::api::date_order(schema, "from", "to", false);
}

/// The path parameter of `getCriminalRecordApplication`.
#[derive(Serialize, JsonSchema)]
pub(crate) struct ApplicationId<'a> {
    /// The application id returned when it was accepted: 32 hexadecimal digits.
    #[schemars(pattern("^[0-9a-fA-F]{32}$"))]
    pub(crate) id: &'a str,
}

/// What a status answer adds to the core's application document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub(crate) struct Details {
    /// The date the national service promises the result.
    #[schemars(extend("format" = "date"))]
    pub(crate) expected_on: Option<String>,
    /// Why the national service rejected the application.
    pub(crate) rejection_reason: Option<String>,
    /// The certificate, once issued.
    pub(crate) certificate: Option<Certificate>,
}

/// An issued criminal-record certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub(crate) struct Certificate {
    /// Certificate number (số phiếu).
    pub(crate) number: String,
    /// Date of issue.
    #[schemars(extend("format" = "date"))]
    pub(crate) issued_on: String,
    /// Certificate form: 1 or 2.
    #[serde(rename = "type")]
    #[schemars(range(min = 1, max = 2))]
    pub(crate) kind: u64,
    /// Who signed it.
    pub(crate) signer: Option<String>,
    /// Whether the applicant has convictions on record.
    pub(crate) conviction_status: ConvictionStatus,
    /// The signed certificate.
    #[schemars(extend("contentEncoding" = "base64", "contentMediaType" = "application/pdf"))]
    pub(crate) pdf_base64: String,
}

/// `none` (không có án tích) or `convicted` (có án tích).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ConvictionStatus {
    /// Không có án tích.
    None,
    /// Có án tích.
    Convicted,
}

/// Gender as the unified API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields, transform = period_in_order)]
pub(crate) struct ResidencePeriod {
    /// First day.
    #[schemars(pattern(DATE_PATTERN), extend("format" = "date"))]
    pub(crate) from: String,
    /// Last day, not before `from`.
    #[schemars(pattern(DATE_PATTERN), extend("format" = "date"))]
    pub(crate) to: String,
    /// Place of residence.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    pub(crate) place: String,
    /// Occupation.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    pub(crate) occupation: String,
    /// Workplace.
    #[schemars(length(max = 200), pattern(TEXT_PATTERN))]
    pub(crate) workplace: String,
}

//! [`Error`]: every way a request can stop early, one variant per stage. The stages
//! return it; [`super::problem`] alone turns it into an answer.

use lienthong_adapter_kit::adapter::InvalidInput;

use crate::applications::ApplicationError;
use crate::call::CallError;
use crate::clients::IdentityError;
use crate::pipeline::access::AccessDenied;
use crate::pipeline::auth_guard::{AuthError, Throttled};
use crate::pipeline::body::BodyError;
use crate::pipeline::caller::HeaderError;
use crate::pipeline::host::HostError;
use crate::pipeline::json_body::UnsupportedMediaType;
use crate::pipeline::route::RouteError;

/// Every way a request can stop early, one variant per stage.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// Host stage.
    #[error(transparent)]
    Host(#[from] HostError),
    /// Identity stage.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// Identity stage: too many failures from the caller's address.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    /// Route stage.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// Access stage.
    #[error(transparent)]
    Access(#[from] AccessDenied),
    /// Caller-header stage.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// Body stage.
    #[error(transparent)]
    Body(#[from] BodyError),
    /// Body stage: a body not sent as JSON.
    #[error(transparent)]
    MediaType(#[from] UnsupportedMediaType),
    /// Validation stage.
    #[error("invalid input for {partner}")]
    Input {
        /// The partner whose operation was called.
        partner: &'static str,
        /// The offending fields.
        invalid: InvalidInput,
    },
    /// Application stage (asynchronous partners).
    #[error("{partner}: {error}")]
    Application {
        /// The partner of the application.
        partner: &'static str,
        /// What went wrong.
        error: ApplicationError,
    },
    /// Submission stage: `X-Dossier-Code` names another dossier than the application.
    #[error("X-Dossier-Code {header} differs from the application's dossier_code {carried}")]
    DossierMismatch {
        /// The partner the application is for.
        partner: &'static str,
        /// The header's dossier code.
        header: String,
        /// The application's own `dossier_code`.
        carried: String,
    },
    /// Partner-call stage.
    #[error("{partner}: {error}")]
    Call {
        /// The partner called.
        partner: &'static str,
        /// What went wrong.
        error: CallError,
    },
}

impl From<AuthError> for Error {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Identity(e) => Self::Identity(e),
            AuthError::Throttled(e) => Self::Throttled(e),
        }
    }
}

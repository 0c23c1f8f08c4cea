//! Fuzzing the decoder on stable Rust: every fixture mutated, and random bytes, under
//! each HTTP status, always read as a submission and a progress, never a panic; a
//! failure always says what went wrong.

use lienthong_adapter_judicial_records::JudicialRecords;
use lienthong_adapter_kit::adapter::{Applications, Progress, Submission, WireResponse};

fn check(response: &WireResponse) {
    if let Submission::Failed(failure) = JudicialRecords.submit_outcome(response) {
        assert!(!failure.detail.is_empty(), "{failure:?}");
    }
    if let Progress::Failed(failure) = JudicialRecords.status_outcome(response) {
        assert!(!failure.detail.is_empty(), "{failure:?}");
    }
}

lienthong_adapter_kit::fuzz_decoder!(check);

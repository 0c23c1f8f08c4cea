//! A simulator of the national judicial-records service, speaking its published REST/JSON
//! interface: `POST /lltp/api/v1/hoso` accepts an application (idempotently per consumer
//! and `maHoSoMCDT`), `GET /lltp/api/v1/hoso/{maHoSoLLTP}` reports its state.
//!
//! An application moves one state per [`SimSettings::step`]: received → verifying →
//! processing → awaiting signature → signed → issued (with a one-page PDF certificate).
//! The citizen id's last digits pick fixture paths: `…999` is rejected after
//! verification, `…333` is asked for a supplement and `…777` has a conviction on record.

mod answer;
mod check;
mod pdf;
mod registry;

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use lienthong_adapter_kit::adapter::{WireRequest, WireResponse};
use lienthong_adapter_kit::sim::{PartnerFault, SimSettings, Simulator};
use lienthong_adapter_kit::wire::{http_error, is_utf8_content};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::{CONSUMER_HEADER, ENDPOINT};
use registry::{Registry, Submitted};

/// The simulated judicial-records service.
pub struct JudicialRecordsSimulator {
    step: Duration,
    registry: Mutex<Registry>,
}

impl JudicialRecordsSimulator {
    /// A simulator with no application yet, moving applications one state per
    /// `settings.step`.
    pub fn new(settings: &SimSettings) -> Self {
        Self {
            step: settings.step,
            registry: Mutex::new(Registry::default()),
        }
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn answer(&self, request: &WireRequest) -> WireResponse {
        let path = request.path.split('?').next().unwrap_or_default();
        let Some(rest) = path.strip_prefix(ENDPOINT) else {
            return http_error(StatusCode::NOT_FOUND, None);
        };
        let reference = match rest.strip_prefix('/') {
            None if rest.is_empty() => None,
            Some(segment) if !segment.is_empty() && !segment.contains('/') => Some(segment),
            _ => return http_error(StatusCode::NOT_FOUND, None),
        };
        let expected = if reference.is_some() {
            Method::GET
        } else {
            Method::POST
        };
        if request.method != expected {
            return http_error(StatusCode::METHOD_NOT_ALLOWED, None);
        }
        let Some(consumer) = consumer(&request.headers) else {
            return answer::malformed("Thiếu header X-Ma-Don-Vi");
        };
        match reference {
            Some(segment) => self.status(consumer, segment),
            None => self.submit(consumer, request),
        }
    }

    fn submit(&self, consumer: &str, request: &WireRequest) -> WireResponse {
        if !is_utf8_content(&request.headers, "application/json") {
            return answer::malformed("Content-Type phải là application/json; charset=utf-8");
        }
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&request.body) else {
            return answer::malformed("Dữ liệu gửi lên không phải đối tượng JSON hợp lệ");
        };
        let checked = match check::submission(&body) {
            Ok(checked) => checked,
            Err(message) => return answer::invalid(&message),
        };
        let submitted = self
            .registry()
            .submit(consumer, checked, Value::Object(body), self.step);
        match submitted {
            Submitted::New(reference) => answer::accepted(&reference, false),
            Submitted::Repeat(reference) => answer::accepted(&reference, true),
            Submitted::Conflict => answer::invalid("Hồ sơ đã tồn tại với nội dung khác"),
        }
    }

    fn status(&self, consumer: &str, segment: &str) -> WireResponse {
        let Ok(reference) = percent_decode_str(segment).decode_utf8() else {
            return answer::unknown_reference();
        };
        match self.registry().status(consumer, &reference, self.step) {
            Some(data) => answer::state(data),
            None => answer::unknown_reference(),
        }
    }
}

impl fmt::Debug for JudicialRecordsSimulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JudicialRecordsSimulator")
            .field("step", &self.step)
            .finish_non_exhaustive()
    }
}

impl Simulator for JudicialRecordsSimulator {
    fn partner(&self) -> &'static str {
        "judicial-records"
    }

    fn handle(&self, request: &WireRequest) -> WireResponse {
        self.answer(request)
    }

    fn fault(&self, fault: PartnerFault) -> WireResponse {
        answer::fault(fault)
    }

    fn stats(&self) -> Value {
        self.registry().stats()
    }
}

/// The non-empty `X-Ma-Don-Vi` header.
fn consumer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(CONSUMER_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

//! Input checks of both operations: every bad parameter is named with what is accepted.

use std::ops::RangeInclusive;

use lienthong_adapter_kit::adapter::{InvalidInput, UnifiedRequest};
use lienthong_adapter_kit::text;

use crate::model::{self, DocumentQuery, SearchQuery};

/// Query parameters of `searchLegalDocuments`, in documented order.
pub(crate) const SEARCH_PARAMETERS: [&str; 7] =
    ["q", "type", "issuer", "from", "to", "page", "page_size"];
/// Longest search phrase, in characters.
const MAX_PHRASE_CHARS: usize = 200;
/// Longest type or issuer name, in characters.
const MAX_NAME_CHARS: usize = 200;
/// Largest page size the partner serves.
pub(crate) const MAX_PAGE_SIZE: u32 = 100;
/// Most digits of a document id.
pub(crate) const MAX_ID_DIGITS: usize = 20;
/// Name of the path parameter and input field holding the document id.
const ID_FIELD: &str = "id";

/// Checks the query of a search (the core has refused unknown, repeated and empty
/// parameters).
pub(crate) fn search(request: &UnifiedRequest<'_>) -> Result<SearchQuery, InvalidInput> {
    let mut invalid = InvalidInput::default();
    let q = phrase(request, "q", MAX_PHRASE_CHARS, &mut invalid);
    let kind = phrase(request, "type", MAX_NAME_CHARS, &mut invalid);
    let issuer = phrase(request, "issuer", MAX_NAME_CHARS, &mut invalid);
    let from = date(request, "from", &mut invalid);
    let to = date(request, "to", &mut invalid);
    if let (Some(first), Some(last)) = (from, to)
        && first > last
    {
        invalid.push(
            "from",
            format!("is after to ({last}); give from on or before to (both YYYY-MM-DD, inclusive)"),
        );
    }
    let first = model::first_page();
    let page = number(request, "page", 1..=u32::MAX, first)
        .unwrap_or_else(|| refuse(&mut invalid, "page", "of at least 1 (default 1)", first));
    let size = model::default_page_size();
    let page_size = number(request, "page_size", 1..=MAX_PAGE_SIZE, size).unwrap_or_else(|| {
        let accepted = format!("from 1 to {MAX_PAGE_SIZE} (default {size})");
        refuse(&mut invalid, "page_size", &accepted, size)
    });
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    invalid.into_result(|| SearchQuery {
        q,
        kind,
        issuer,
        from: from.map(iso),
        to: to.map(iso),
        page,
        page_size,
    })
}

/// Checks the id of a document request (its path parameter; no query is accepted).
pub(crate) fn document(request: &UnifiedRequest<'_>) -> Result<DocumentQuery, InvalidInput> {
    let mut invalid = InvalidInput::default();
    let id = request.param(ID_FIELD).unwrap_or_default();
    if id.is_empty() {
        invalid.push(
            ID_FIELD,
            "is required: the document id from a search result",
        );
    } else if id.len() > MAX_ID_DIGITS || !id.bytes().all(|b| b.is_ascii_digit()) {
        invalid.push(
            ID_FIELD,
            format!("must be 1 to {MAX_ID_DIGITS} digits: the document id from a search result"),
        );
    }
    invalid.into_result(|| DocumentQuery { id: id.to_owned() })
}

/// A free-text parameter ([`text::is_text`], at most `max` characters as sent): NFC,
/// trimmed, inner white space folded.
fn phrase(
    request: &UnifiedRequest<'_>,
    name: &str,
    max: usize,
    invalid: &mut InvalidInput,
) -> Option<String> {
    let raw = request.query(name)?;
    if !text::is_text(raw) {
        invalid.push(
            name,
            "must not contain control characters (but tab and line breaks)",
        );
        return None;
    }
    let chars = raw.chars().count();
    if chars > max {
        invalid.push(
            name,
            format!("is {chars} characters long; give at most {max}"),
        );
        return None;
    }
    Some(text::clean(raw))
}

/// An ISO 8601 calendar date parameter.
fn date(
    request: &UnifiedRequest<'_>,
    name: &str,
    invalid: &mut InvalidInput,
) -> Option<chrono::NaiveDate> {
    let raw = request.query(name)?;
    let parsed = text::parse_iso_date(raw);
    if parsed.is_none() {
        invalid.push(
            name,
            "must be a real calendar date written YYYY-MM-DD (e.g. 2020-04-09)",
        );
    }
    parsed
}

/// A whole-number parameter within `range`: `default` when absent, `None` when refused.
fn number(
    request: &UnifiedRequest<'_>,
    name: &str,
    range: RangeInclusive<u32>,
    default: u32,
) -> Option<u32> {
    let Some(raw) = request.query(name) else {
        return Some(default);
    };
    raw.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| raw.parse::<u32>().ok())
        .flatten()
        .filter(|n| range.contains(n))
}

/// Records a refused whole number (`accepted` says which) and returns a stand-in.
fn refuse(invalid: &mut InvalidInput, name: &str, accepted: &str, stand_in: u32) -> u32 {
    invalid.push(name, format!("must be a whole number {accepted}"));
    stand_in
}

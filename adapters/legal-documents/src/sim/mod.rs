//! A simulator of the national legal-documents database, speaking its published REST
//! interface over a deterministic dataset: fourteen real documents (laws, decrees,
//! circulars and decisions on e-government, with their relations) and 320 generated
//! central and Tiền Giang documents.
//!
//! Every answer is prepared in [`LegalDocumentsSimulator::new`]: documents are kept in
//! answer order (issue date descending, then id) with their lower-cased NFC search keys,
//! their search item and their whole detail answer already written as JSON.

mod answer;
mod corpus;
mod generate;
mod real;
mod render;
mod tables;

use std::collections::HashMap;
use std::fmt;

use bytes::Bytes;
use chrono::NaiveDate;
use http::{Method, StatusCode};
use lienthong_adapter_kit::adapter::{WireRequest, WireResponse};
use lienthong_adapter_kit::sim::{PartnerFault, SimSettings, Simulator};
use lienthong_adapter_kit::text;
use serde_json::json;

use crate::validate::{MAX_ID_DIGITS, MAX_PAGE_SIZE};
use crate::{CONSUMER_HEADER, SEARCH_PATH};

/// Page size when a search gives none.
const DEFAULT_PAGE_SIZE: u64 = 20;
/// Query parameters of a search, in documented order.
const PARAMETERS: [&str; 7] = [
    "tuKhoa",
    "loaiVanBan",
    "coQuanBanHanh",
    "tuNgay",
    "denNgay",
    "trang",
    "soBanGhi",
];

/// The simulated legal-documents database. Build it once: [`LegalDocumentsSimulator::new`]
/// generates the whole dataset and prepares every answer.
pub struct LegalDocumentsSimulator {
    /// Documents in answer order.
    entries: Vec<Entry>,
    /// Position in `entries` by document id.
    by_id: HashMap<String, usize>,
}

/// One document, ready to be searched and served.
struct Entry {
    id: String,
    number_key: String,
    title_key: String,
    kind: &'static str,
    issuer: &'static str,
    issued: NaiveDate,
    /// The search item, as JSON text.
    item: String,
    /// The whole `00` detail answer.
    detail: Bytes,
}

/// The filters and page of one search, checked.
struct Search {
    phrase: Option<String>,
    kind: Option<String>,
    issuer: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    page: u64,
    page_size: u64,
}

impl LegalDocumentsSimulator {
    /// Builds the dataset (real documents plus generated ones) and prepares its answers.
    pub fn new(_settings: &SimSettings) -> Self {
        let corpus = corpus::build();
        let mut order: Vec<usize> = (0..corpus.len()).collect();
        order.sort_by_key(|&i| corpus.get(i).map(|d| (std::cmp::Reverse(d.issued), d.id)));
        let entries: Vec<Entry> = order
            .into_iter()
            .filter_map(|i| corpus.get(i))
            .map(|doc| Entry {
                id: doc.id.to_string(),
                number_key: text::nfc(&doc.number).to_lowercase(),
                title_key: text::nfc(&doc.title).to_lowercase(),
                kind: doc.kind,
                issuer: doc.issuer,
                issued: doc.issued,
                item: render::item(doc).to_string(),
                detail: Bytes::from(
                    json!({ "maKetQua": "00", "duLieu": render::detail(doc, &corpus) }).to_string(),
                ),
            })
            .collect();
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        Self { entries, by_id }
    }

    /// Ids of every document, in answer order (for load tests and demos).
    pub fn document_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.entries.iter().map(|e| e.id.as_str())
    }

    fn answer(&self, request: &WireRequest) -> WireResponse {
        let (path, query) = request
            .path
            .split_once('?')
            .unwrap_or((request.path.as_str(), ""));
        let id = path
            .strip_prefix(SEARCH_PATH)
            .and_then(|rest| rest.strip_prefix('/'));
        if path != SEARCH_PATH && id.is_none() {
            return answer::result(StatusCode::NOT_FOUND, "99", "Không tìm thấy đường dẫn");
        }
        if request.method != Method::GET {
            return answer::result(
                StatusCode::METHOD_NOT_ALLOWED,
                "99",
                "Chỉ hỗ trợ phương thức GET",
            );
        }
        let consumer = request
            .headers
            .get(CONSUMER_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        if consumer.is_none_or(str::is_empty) {
            return answer::bad_request("Thiếu mã đơn vị (tiêu đề X-Ma-Don-Vi)");
        }
        match id {
            Some(id) => self.document(id),
            None => match read_search(query) {
                Ok(search) => self.search(&search),
                Err(description) => answer::bad_request(&description),
            },
        }
    }

    fn search(&self, search: &Search) -> WireResponse {
        let hits: Vec<&Entry> = self.entries.iter().filter(|e| search.matches(e)).collect();
        let skip = search
            .page
            .saturating_sub(1)
            .saturating_mul(search.page_size);
        let items = hits
            .iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(usize::try_from(search.page_size).unwrap_or_default())
            .map(|e| e.item.as_str());
        answer::page(hits.len(), search.page, search.page_size, items)
    }

    fn document(&self, id: &str) -> WireResponse {
        if id.is_empty() || id.len() > MAX_ID_DIGITS || !id.bytes().all(|b| b.is_ascii_digit()) {
            return answer::bad_request("Mã văn bản không hợp lệ: 1 đến 20 chữ số");
        }
        match self.by_id.get(id).and_then(|i| self.entries.get(*i)) {
            Some(entry) => answer::json(StatusCode::OK, entry.detail.clone()),
            None => answer::result(StatusCode::NOT_FOUND, "01", "Không tìm thấy văn bản"),
        }
    }
}

impl Search {
    fn matches(&self, entry: &Entry) -> bool {
        self.phrase
            .as_deref()
            .is_none_or(|p| entry.number_key.contains(p) || entry.title_key.contains(p))
            && self.kind.as_deref().is_none_or(|k| k == entry.kind)
            && self.issuer.as_deref().is_none_or(|i| i == entry.issuer)
            && self.from.is_none_or(|from| entry.issued >= from)
            && self.to.is_none_or(|to| entry.issued <= to)
    }
}

/// The search a query string asks for, or the description of a 400 answer. The first
/// occurrence of a parameter counts; empty values are absent; others are ignored.
fn read_search(query: &str) -> Result<Search, String> {
    let mut values: [Option<String>; PARAMETERS.len()] = Default::default();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = PARAMETERS
            .iter()
            .position(|p| *p == name)
            .and_then(|i| values.get_mut(i));
        if let Some(slot @ None) = slot {
            *slot = Some(text::nfc(value.trim())).filter(|v| !v.is_empty());
        }
    }
    let [phrase, kind, issuer, from, to, page, page_size] = values;
    let date = |value: Option<String>, name: &str| {
        value
            .map(|v| {
                text::parse_wire_date(&v)
                    .ok_or_else(|| format!("{name} không hợp lệ: ngày phải có dạng dd/MM/yyyy"))
            })
            .transpose()
    };
    let count = |value: Option<String>, max: u64, default: u64, refusal: &str| {
        value.map_or(Ok(default), |v| {
            v.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| v.parse::<u64>().ok())
                .flatten()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| refusal.to_owned())
        })
    };
    let search = Search {
        phrase: phrase.map(|p| p.to_lowercase()),
        kind,
        issuer,
        from: date(from, "tuNgay")?,
        to: date(to, "denNgay")?,
        page: count(
            page,
            u64::MAX,
            1,
            "trang không hợp lệ: phải là số nguyên dương",
        )?,
        page_size: count(
            page_size,
            u64::from(MAX_PAGE_SIZE),
            DEFAULT_PAGE_SIZE,
            "soBanGhi không hợp lệ: phải là số nguyên từ 1 đến 100",
        )?,
    };
    if let (Some(from), Some(to)) = (search.from, search.to)
        && from > to
    {
        return Err("tuNgay không được sau denNgay".to_owned());
    }
    Ok(search)
}

impl fmt::Debug for LegalDocumentsSimulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LegalDocumentsSimulator")
            .field("documents", &self.entries.len())
            .finish()
    }
}

impl Simulator for LegalDocumentsSimulator {
    fn partner(&self) -> &'static str {
        "legal-documents"
    }

    fn handle(&self, request: &WireRequest) -> WireResponse {
        self.answer(request)
    }

    fn fault(&self, fault: PartnerFault) -> WireResponse {
        answer::fault(fault)
    }
}

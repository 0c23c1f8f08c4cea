//! Round trips through the simulated partner, the simulator's own checks of what it
//! receives, and its dataset. Every partner answer seen here is checked against the
//! published schema (`schemas/partners/legal-documents.json`).

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use lienthong_adapter_kit::adapter::{
    Adapter, FailureKind, Outcome, PartnerFailure, WireRequest, WireResponse,
};
use lienthong_adapter_kit::sim::{PartnerFault, SimOptions, SimServer, SimSettings, Simulator};
use lienthong_adapter_kit::testkit::{self, Exchange, TestRequest, json_schema};
use lienthong_adapter_legal_documents::{LegalDocuments, LegalDocumentsSimulator};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SEARCH: &str = "searchLegalDocuments";
const DOCUMENT: &str = "getLegalDocument";
/// `chia sẻ dữ liệu`, decomposed.
const NFD_PHRASE: &str = "chia se\u{309} du\u{31b}\u{303} lie\u{323}\u{302}u";

fn simulator() -> &'static LegalDocumentsSimulator {
    static SIMULATOR: OnceLock<LegalDocumentsSimulator> = OnceLock::new();
    SIMULATOR.get_or_init(|| LegalDocumentsSimulator::new(&SimSettings::default()))
}

/// The published schema (`schemas/partners/legal-documents.json`).
fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| json_schema::partner_schema("legal-documents.json"))
}

/// The partner's answer as JSON, after checking its content type and its schema.
fn checked(response: &WireResponse) -> Value {
    assert_eq!(
        response.headers[CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    let body: Value = serde_json::from_slice(&response.body).expect("the answer is JSON");
    let definition = match (body["maKetQua"].as_str(), &body["duLieu"]) {
        (Some("00"), Value::Array(_)) => "SearchAnswer",
        (Some("00"), _) => "DocumentAnswer",
        _ => "ResultAnswer",
    };
    json_schema::assert_fits(schema(), definition, &body);
    body
}

fn exchange(op_id: &str, request: &TestRequest) -> Exchange {
    let exchange = testkit::roundtrip(&LegalDocuments, simulator(), op_id, request, None)
        .unwrap_or_else(|e| panic!("{op_id}: {e:?}"));
    checked(&exchange.response);
    exchange
}

fn search(pairs: &[(&str, &str)]) -> Value {
    let request = pairs
        .iter()
        .fold(TestRequest::default(), |r, (k, v)| r.with_query(k, v));
    match exchange(SEARCH, &request).outcome {
        Outcome::Found(page) => page,
        other => panic!("{pairs:?}: {other:?}"),
    }
}

fn document(id: &str) -> Outcome {
    exchange(DOCUMENT, &TestRequest::param("id", id)).outcome
}

fn found(id: &str) -> Value {
    match document(id) {
        Outcome::Found(doc) => doc,
        other => panic!("{id}: {other:?}"),
    }
}

fn items(page: &Value) -> &[Value] {
    page["items"].as_array().map_or(&[], Vec::as_slice)
}

fn numbers(page: &Value) -> Vec<&str> {
    items(page)
        .iter()
        .filter_map(|item| item["number"].as_str())
        .collect()
}

/// Every document, page by page (100 a page).
fn everything() -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let page = search(&[("page", &page.to_string()), ("page_size", "100")]);
        if items(&page).is_empty() {
            break;
        }
        all.extend(items(&page).iter().cloned());
    }
    all
}

/// A wire request as a consumer might send it, with or without `X-Ma-Don-Vi`.
fn wire(method: Method, path: &str, consumer: Option<&'static str>) -> WireRequest {
    let mut headers = HeaderMap::new();
    if let Some(code) = consumer {
        headers.insert("x-ma-don-vi", HeaderValue::from_static(code));
    }
    WireRequest {
        method,
        path: path.to_owned(),
        headers,
        body: Bytes::new(),
    }
}

/// Asserts the simulator refuses `request` with `status` and code `99`; returns `moTa`.
fn refused(request: &WireRequest, status: StatusCode) -> String {
    let response = simulator().handle(request);
    assert_eq!(response.status, status, "{}", request.path);
    let body = checked(&response);
    assert_eq!(body["maKetQua"], "99", "{body}");
    body["moTa"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_phrase_finds_47_2020_in_nfc_and_nfd() {
    let nfc = exchange(
        SEARCH,
        &TestRequest::default()
            .with_query("q", "chia sẻ dữ liệu")
            .with_query("page_size", "100"),
    );
    let nfd = exchange(
        SEARCH,
        &TestRequest::default()
            .with_query("q", NFD_PHRASE)
            .with_query("page_size", "100"),
    );
    assert_eq!(nfd.request.path, nfc.request.path);
    assert_eq!(nfd.outcome, nfc.outcome);
    let Outcome::Found(page) = nfc.outcome else {
        panic!("{:?}", nfc.outcome)
    };
    assert!(numbers(&page).contains(&"47/2020/NĐ-CP"), "{page}");
    assert_eq!(page["total"].as_u64(), Some(items(&page).len() as u64));
    for item in items(&page) {
        let text = format!("{} {}", item["number"], item["title"]).to_lowercase();
        assert!(text.contains("chia sẻ dữ liệu"), "{text}");
    }
}

#[test]
fn phrases_are_case_insensitive_but_accent_sensitive() {
    let lower = search(&[("q", "chia sẻ dữ liệu"), ("page_size", "100")]);
    assert_eq!(
        search(&[("q", "CHIA SẺ DỮ LIỆU"), ("page_size", "100")]),
        lower
    );
    let bare = search(&[("q", "chia se du lieu")]);
    assert_eq!(bare["total"], 0);
    assert!(items(&bare).is_empty());
    // Numbers are searched too, their symbols included.
    let by_number = search(&[("q", "61/2018/nđ-cp")]);
    let mut found = numbers(&by_number);
    found.sort_unstable();
    assert_eq!(
        found,
        ["01/2018/TT-VPCP", "107/2021/NĐ-CP", "61/2018/NĐ-CP"]
    );
}

#[test]
fn type_and_issuer_are_exact_names() {
    let circulars = search(&[("type", "Thông tư"), ("page_size", "100")]);
    assert!(circulars["total"].as_u64() > Some(10));
    assert!(items(&circulars).iter().all(|i| i["type"] == "Thông tư"));
    let government = search(&[
        ("type", "Nghị định"),
        ("issuer", "Chính phủ"),
        ("page_size", "100"),
    ]);
    assert!(numbers(&government).contains(&"45/2020/NĐ-CP"));
    assert!(
        items(&government)
            .iter()
            .all(|i| i["type"] == "Nghị định" && i["issuer"] == "Chính phủ")
    );
    let nfd_issuer = search(&[
        ("type", "Nghi\u{323} \u{111}i\u{323}nh"),
        ("issuer", "Chi\u{301}nh phu\u{309}"),
        ("page_size", "100"),
    ]);
    assert_eq!(nfd_issuer, government);
    assert_eq!(search(&[("issuer", "Chính")])["total"], 0);
    assert_eq!(search(&[("type", "nghị định")])["total"], 0);
}

#[test]
fn a_date_range_is_inclusive() {
    let page = search(&[("from", "2020-04-08"), ("to", "2020-04-09")]);
    assert_eq!(numbers(&page), ["47/2020/NĐ-CP", "45/2020/NĐ-CP"]);
    let wider = search(&[
        ("from", "2020-01-01"),
        ("to", "2020-12-31"),
        ("page_size", "100"),
    ]);
    for item in items(&wider) {
        let issued = item["issued_on"].as_str().unwrap_or_default();
        assert!(("2020-01-01"..="2020-12-31").contains(&issued), "{issued}");
    }
    let total = wider["total"].as_u64().unwrap_or_default();
    let halves: u64 = [("2020-01-01", "2020-06-30"), ("2020-07-01", "2020-12-31")]
        .iter()
        .map(|(from, to)| {
            search(&[("from", from), ("to", to)])["total"]
                .as_u64()
                .unwrap_or_default()
        })
        .sum();
    assert_eq!(halves, total);
}

#[test]
fn pages_are_consistent() {
    let all = everything();
    let total = search(&[])["total"].as_u64().unwrap_or_default();
    assert_eq!(all.len() as u64, total);
    let ids: HashSet<&str> = all.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids.len(), all.len(), "a document is listed twice");
    let order: Vec<(&str, u64)> = all
        .iter()
        .map(|i| {
            let issued = i["issued_on"].as_str().unwrap_or_default();
            let id = i["id"].as_str().and_then(|id| id.parse().ok());
            (issued, id.unwrap_or_default())
        })
        .collect();
    for pair in order.windows(2) {
        let ((newer, first), (older, second)) = (pair[0], pair[1]);
        assert!(
            newer > older || (newer == older && first < second),
            "{pair:?}"
        );
    }

    let size = 30;
    let last = total.div_ceil(size);
    let mut listed = Vec::new();
    for page in 1..=last {
        let answer = search(&[("page", &page.to_string()), ("page_size", "30")]);
        assert_eq!(answer["total"].as_u64(), Some(total));
        assert_eq!(answer["page"].as_u64(), Some(page));
        assert_eq!(answer["page_size"].as_u64(), Some(size));
        let expected = if page < last {
            size
        } else {
            total - size * (last - 1)
        };
        assert_eq!(items(&answer).len() as u64, expected, "page {page}");
        listed.extend(items(&answer).iter().cloned());
    }
    assert!(
        !total.is_multiple_of(size),
        "the last page should be shorter in this dataset"
    );
    assert_eq!(listed, all);
    let beyond = search(&[("page", &(last + 1).to_string()), ("page_size", "30")]);
    assert_eq!(beyond["total"].as_u64(), Some(total));
    assert!(items(&beyond).is_empty());
    let far = search(&[("page", "4294967295"), ("page_size", "100")]);
    assert!(items(&far).is_empty());
}

#[test]
fn a_real_document_comes_with_its_relations() {
    let decree = found("196213");
    assert_eq!(decree["number"], "107/2021/NĐ-CP");
    assert_eq!(decree["signer"], "Phạm Minh Chính");
    assert_eq!(decree["related"][0]["number"], "61/2018/NĐ-CP");
    assert_eq!(decree["related"][0]["relation"], "amends");
    let guidance = found("171305");
    assert_eq!(guidance["type"], "Thông tư");
    assert_eq!(guidance["related"][0]["number"], "61/2018/NĐ-CP");
    assert_eq!(guidance["related"][0]["relation"], "guides");
    let amended = found("163562");
    assert_eq!(amended["validity"], "partially_expired");
    let html = amended["content_html"].as_str().unwrap_or_default();
    assert!(html.contains("Căn cứ Luật Tổ chức Chính phủ"), "{html}");
}

#[test]
fn the_fixture_is_what_47_2020_decodes_to() {
    let expected = testkit::fixture_json(env!("CARGO_MANIFEST_DIR"), "document_47_2020.json");
    assert_eq!(found("184612"), expected);
}

#[test]
fn the_real_documents_are_there() {
    for (id, number, issuer, signer, issued, title) in [
        (
            "154321",
            "13/2017/TT-BTTTT",
            "Bộ Thông tin và Truyền thông",
            "Trương Minh Tuấn",
            "2017-06-23",
            "kết nối các hệ thống thông tin, cơ sở dữ liệu với cơ sở dữ liệu quốc gia",
        ),
        (
            "160712",
            "39/2017/TT-BTTTT",
            "Bộ Thông tin và Truyền thông",
            "Trương Minh Tuấn",
            "2017-12-15",
            "Danh mục tiêu chuẩn kỹ thuật về ứng dụng công nghệ thông tin trong cơ quan nhà nước",
        ),
        (
            "163562",
            "61/2018/NĐ-CP",
            "Chính phủ",
            "Nguyễn Xuân Phúc",
            "2018-04-23",
            "cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
        ),
        (
            "184567",
            "45/2020/NĐ-CP",
            "Chính phủ",
            "Nguyễn Xuân Phúc",
            "2020-04-08",
            "thực hiện thủ tục hành chính trên môi trường điện tử",
        ),
        (
            "184612",
            "47/2020/NĐ-CP",
            "Chính phủ",
            "Nguyễn Xuân Phúc",
            "2020-04-09",
            "quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước",
        ),
        (
            "208341",
            "13/2023/NĐ-CP",
            "Chính phủ",
            "Trần Lưu Quang",
            "2023-04-17",
            "Bảo vệ dữ liệu cá nhân",
        ),
        (
            "89315",
            "1819/QĐ-TTg",
            "Thủ tướng Chính phủ",
            "Nguyễn Tấn Dũng",
            "2015-10-26",
            "Chương trình quốc gia về ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước giai đoạn 2016 - 2020",
        ),
        (
            "74802",
            "392/QĐ-TTg",
            "Thủ tướng Chính phủ",
            "Vũ Đức Đam",
            "2015-03-27",
            "Chương trình mục tiêu phát triển ngành công nghiệp công nghệ thông tin đến năm 2020, tầm nhìn đến năm 2025",
        ),
    ] {
        let doc = found(id);
        assert_eq!(doc["number"], number);
        assert_eq!(doc["issuer"], issuer, "{number}");
        assert_eq!(doc["signer"], signer, "{number}");
        assert_eq!(doc["issued_on"], issued, "{number}");
        let full = doc["title"].as_str().unwrap_or_default();
        assert!(full.contains(title), "{number}: {full}");
        assert!(numbers(&search(&[("q", number)])).contains(&number));
    }
}

#[test]
fn unknown_and_malformed_ids() {
    assert_eq!(
        document("99999999999999999999"),
        Outcome::NotFound {
            detail: "Không tìm thấy văn bản".into()
        }
    );
    let response = simulator().handle(&wire(Method::GET, "/vbpl/api/v1/vanban/1", Some("H82")));
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(checked(&response)["maKetQua"], "01");
    for bad in ["12a", "", &"1".repeat(21)] {
        let path = format!("/vbpl/api/v1/vanban/{bad}");
        refused(
            &wire(Method::GET, &path, Some("H82")),
            StatusCode::BAD_REQUEST,
        );
    }
}

#[test]
fn the_corpus_is_large_deterministic_and_linked() {
    let all = everything();
    assert!(all.len() >= 300, "{}", all.len());
    let again = LegalDocumentsSimulator::new(&SimSettings::default());
    for path in [
        "/vbpl/api/v1/vanban?trang=1&soBanGhi=100",
        "/vbpl/api/v1/vanban?trang=3&soBanGhi=100",
        "/vbpl/api/v1/vanban/300100",
    ] {
        let request = wire(Method::GET, path, Some("H82"));
        assert_eq!(
            again.handle(&request).body,
            simulator().handle(&request).body
        );
    }
    let ids: HashSet<&str> = simulator().document_ids().collect();
    assert_eq!(ids.len(), all.len());
    let mut validities = HashSet::new();
    let mut relations = HashSet::new();
    for id in simulator().document_ids() {
        let doc = found(id);
        validities.insert(doc["validity"].as_str().unwrap_or_default().to_owned());
        for link in doc["related"].as_array().into_iter().flatten() {
            let target = link["id"].as_str().unwrap_or_default();
            assert!(ids.contains(target), "{id} links to {target}");
            relations.insert(link["relation"].as_str().unwrap_or_default().to_owned());
        }
    }
    assert_eq!(validities.len(), 4, "{validities:?}");
    assert_eq!(relations.len(), 4, "{relations:?}");
}

#[test]
fn the_simulator_refuses_malformed_requests() {
    let search = |query: &str| format!("/vbpl/api/v1/vanban?{query}");
    let missing = refused(
        &wire(Method::GET, &search("trang=1"), None),
        StatusCode::BAD_REQUEST,
    );
    assert!(missing.contains("X-Ma-Don-Vi"), "{missing}");
    for (query, words) in [
        ("soBanGhi=0", "soBanGhi"),
        ("soBanGhi=101", "soBanGhi"),
        ("trang=0", "trang"),
        ("trang=-1&soBanGhi=10", "trang"),
        ("tuNgay=2020-04-09", "tuNgay"),
        ("denNgay=31%2F02%2F2020", "denNgay"),
        ("tuNgay=10/04/2020&denNgay=09/04/2020", "tuNgay"),
    ] {
        let detail = refused(
            &wire(Method::GET, &search(query), Some("H82")),
            StatusCode::BAD_REQUEST,
        );
        assert!(detail.contains(words), "{query}: {detail}");
    }
    refused(
        &wire(Method::POST, &search(""), Some("H82")),
        StatusCode::METHOD_NOT_ALLOWED,
    );
    refused(
        &wire(Method::GET, "/vbpl/api/v2/vanban", Some("H82")),
        StatusCode::NOT_FOUND,
    );
    // What the adapter would never send, but the partner accepts: defaults and repeats.
    let answer = checked(&simulator().handle(&wire(
        Method::GET,
        &search("soBanGhi=5&soBanGhi=50&khac=1"),
        Some("H82"),
    )));
    assert_eq!(
        (answer["trang"].as_u64(), answer["soBanGhi"].as_u64()),
        (Some(1), Some(5))
    );
    let answer =
        checked(&simulator().handle(&wire(Method::GET, "/vbpl/api/v1/vanban", Some("H82"))));
    assert_eq!(answer["soBanGhi"], 20);
}

#[test]
fn partner_faults_decode_to_failures() {
    let op = testkit::operation(&LegalDocuments, SEARCH);
    let fault = simulator().fault(PartnerFault::Fault);
    assert_eq!(fault.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(checked(&fault)["maKetQua"], "99");
    assert_eq!(
        LegalDocuments.decode(op, &fault),
        Outcome::Failed(PartnerFailure::new(
            FailureKind::Fault,
            "Lỗi hệ thống, vui lòng thử lại sau"
        ))
    );
    let busy = simulator().fault(PartnerFault::Busy {
        retry_after_secs: 3,
    });
    assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(busy.headers[RETRY_AFTER], "3");
    assert_eq!(checked(&busy)["maKetQua"], "03");
    let Outcome::Failed(throttled) = LegalDocuments.decode(op, &busy) else {
        panic!("busy is a failure")
    };
    assert_eq!(
        throttled.kind,
        FailureKind::Throttled {
            retry_after: Some(Duration::from_secs(3))
        }
    );
    let unavailable = simulator().fault(PartnerFault::Unavailable);
    assert_eq!(unavailable.status, StatusCode::OK);
    assert_eq!(checked(&unavailable)["maKetQua"], "03");
    let Outcome::Failed(interrupted) = LegalDocuments.decode(op, &unavailable) else {
        panic!("03 is a failure")
    };
    assert_eq!(
        interrupted.kind,
        FailureKind::Unavailable { retry_after: None }
    );
    assert_eq!(simulator().partner(), LegalDocuments.partner());
}

#[tokio::test]
async fn the_simulator_serves_over_http() {
    let simulator = Arc::new(LegalDocumentsSimulator::new(&SimSettings::default()));
    let server = SimServer::start_local(simulator, SimOptions::default())
        .await
        .expect("the simulator starts");
    let mut stream = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connects");
    stream
        .write_all(
            b"GET /vbpl/api/v1/vanban/184612 HTTP/1.1\r\nHost: sim\r\nX-Ma-Don-Vi: H82\r\n\
              Accept: application/json\r\nConnection: close\r\n\r\n",
        )
        .await
        .expect("sends");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("reads");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer
            .to_lowercase()
            .contains("content-type: application/json; charset=utf-8")
    );
    assert!(answer.contains("\"soKyHieu\":\"47/2020/NĐ-CP\""));
    assert_eq!(server.stats().requests, 1);
    server.shutdown().await;
}

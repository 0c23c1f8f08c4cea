//! End-to-end: social insurance (SOAP 1.2 + WS-Security) and legal documents (paged REST)
//! through the unified API — every status the pipeline answers for them.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use http::StatusCode;
use lienthong_adapter_kit::sim::FaultKind;
use lienthong_core::config::OperationOverride;

const BHXH: &str = "social-insurance";
const VBPL: &str = "legal-documents";

/// Percent-encodes a query value (UTF-8).
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn participant(code: &str, name: &str, born: &str) -> String {
    format!(
        "/v1/insurance/participants/{code}?full_name={}&date_of_birth={born}",
        enc(name)
    )
}

#[tokio::test]
async fn insurance_participant_outcomes() {
    let t = common::start().await;
    let found = t
        .get(&participant("8212345678", "Nguyễn Thị Bình", "1985-05-12"))
        .await;
    let p = found.expect(200);
    assert_eq!(
        (p["gender"].as_str(), p["participation"].as_str()),
        (Some("female"), Some("active"))
    );
    assert!(p["contributions"].as_array().unwrap().len() > 1);
    assert!(p["health_insurance_card"]["number"].is_string());

    // The same person written in NFD and in capitals is the same person.
    let nfd = "Nguye\u{302}\u{303}n Thi\u{323} Bi\u{300}nh";
    assert_eq!(
        t.get(&participant("8212345678", nfd, "1985-05-12"))
            .await
            .json(),
        p
    );

    t.get(&participant("8212345678", "Nguyễn Thị Hoa", "1985-05-12"))
        .await
        .problem(404, "record-not-found");
    t.get(&participant("8200000003", "Trần Văn Nam", "1970-01-01"))
        .await
        .problem(403, "not-shareable");
    let doc = t
        .get(&participant("82123", "Nguyễn Thị Bình", "1985-13-40"))
        .await
        .problem(400, "invalid-input");
    let fields = common::error_fields(&doc);
    assert_eq!(fields, ["insurance_code", "date_of_birth"]);
    t.get("/v1/insurance/participants/8212345678")
        .await
        .problem(400, "invalid-input");
    t.stop().await;
}

#[tokio::test]
async fn every_insurance_call_carries_a_fresh_ws_security_token() {
    let t = common::start().await;
    let path = participant("8212345678", "Nguyễn Thị Bình", "1985-05-12");
    for _ in 0..3 {
        assert_eq!(t.fresh(&path).await.status, StatusCode::OK);
    }
    let nonces: std::collections::HashSet<String> = t
        .sim(BHXH)
        .recent_requests()
        .iter()
        .map(|r| {
            let body = String::from_utf8_lossy(&r.body).into_owned();
            let element = &body[body.find(":Nonce ").unwrap()..];
            let text = &element[element.find('>').unwrap() + 1..];
            text[..text.find('<').unwrap()].to_owned()
        })
        .collect();
    assert_eq!(nonces.len(), 3, "a nonce was reused");
    assert!(
        t.sim(BHXH)
            .recent_requests()
            .iter()
            .all(|r| !String::from_utf8_lossy(&r.body).contains("demo-bhxh-2026"))
    );
    t.stop().await;
}

#[tokio::test]
async fn refused_credentials_and_partner_faults() {
    let t = common::start_with(|c| {
        c.partners.get_mut(BHXH).unwrap().password = Some("wrong-password".into())
    })
    .await;
    let path = participant("8212345678", "Nguyễn Thị Bình", "1985-05-12");
    let doc = t.get(&path).await.problem(502, "partner-credentials");
    assert_eq!(doc["partner"], BHXH);
    assert!(!doc["detail"].as_str().unwrap().contains("wrong-password"));
    t.stop().await;

    let t = common::start_with(|c| {
        c.partners.get_mut(BHXH).unwrap().operations.insert(
            "getInsuranceParticipant".into(),
            OperationOverride {
                timeout: Some(Duration::from_millis(300)),
                ..OperationOverride::default()
            },
        );
    })
    .await;
    let sim = t.sim(BHXH);
    for (kind, status, slug) in [
        (FaultKind::Fault, 502, "partner-fault"),
        (FaultKind::Unavailable, 503, "partner-unavailable"),
        (FaultKind::Hang, 504, "partner-timeout"),
        // Last: the partner's throttling pauses further calls to it.
        (FaultKind::Busy, 503, "partner-throttled"),
    ] {
        sim.inject_for(kind, Duration::from_secs(60));
        let answer = t.fresh(&path).await;
        sim.clear_faults();
        answer.problem(status, slug);
    }
    t.stop().await;
}

#[tokio::test]
async fn legal_document_search_pages_with_links() {
    let t = common::start().await;
    let a = t
        .get(&format!(
            "/v1/legal-documents?q={}&page_size=100",
            enc("chia sẻ dữ liệu")
        ))
        .await;
    let page = a.expect(200);
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["number"] == "47/2020/NĐ-CP"),
        "{page}"
    );
    assert_eq!(
        (page["page"].as_u64(), page["page_size"].as_u64()),
        (Some(1), Some(100))
    );

    // NFD finds what NFC finds: the same normalised input, so the same cache entry.
    let nfd = "chia se\u{309} du\u{31b}\u{303} lie\u{323}\u{302}u";
    let again = t
        .get(&format!("/v1/legal-documents?q={}&page_size=100", enc(nfd)))
        .await;
    assert_eq!(again.header("x-cache"), "hit");
    assert_eq!(again.json(), page);
    let fresh = t
        .fresh(&format!("/v1/legal-documents?q={}&page_size=100", enc(nfd)))
        .await;
    assert_eq!(
        (fresh.header("x-cache"), fresh.json()),
        ("bypass", page.clone())
    );

    // A broad search spans pages; Link keeps the filters and points to the neighbours.
    let a = t
        .get("/v1/legal-documents?type=Th%C3%B4ng%20t%C6%B0&page=2&page_size=3")
        .await;
    let page = a.json();
    let total = page["total"].as_u64().unwrap();
    assert!(total > 6, "{page}");
    let links = a.header("link");
    let last = total.div_ceil(3);
    for expected in [
        "page_size=3&page=1>; rel=\"first\"".to_owned(),
        "page_size=3&page=1>; rel=\"prev\"".to_owned(),
        "page_size=3&page=3>; rel=\"next\"".to_owned(),
        format!("page_size=3&page={last}>; rel=\"last\""),
    ] {
        assert!(links.contains(&expected), "{expected} not in {links}");
    }
    assert!(links.contains("type=Th%C3%B4ng+t%C6%B0"), "{links}");
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["type"] == "Thông tư")
    );

    for bad in [
        "page_size=101",
        "page_size=0",
        "page=0",
        "from=2020-02-30",
        "from=2021-01-01&to=2020-01-01",
        "sort=asc",
    ] {
        t.get(&format!("/v1/legal-documents?{bad}"))
            .await
            .problem(400, "invalid-input");
    }
    assert_eq!(
        t.sim(VBPL).stats().requests,
        3,
        "invalid input never reaches the partner"
    );
    t.stop().await;
}

#[tokio::test]
async fn legal_document_by_id() {
    let t = common::start().await;
    let search = t
        .get(&format!("/v1/legal-documents?q={}", enc("61/2018/NĐ-CP")))
        .await
        .json();
    let item = search["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["number"] == "61/2018/NĐ-CP")
        .unwrap();
    let id = item["id"].as_str().unwrap().to_owned();
    let doc = t.get(&format!("/v1/legal-documents/{id}")).await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert_eq!(doc["number"], "61/2018/NĐ-CP");
    assert!(doc["content_html"].as_str().unwrap().contains('<'));
    assert!(doc.get("related").is_some());
    t.get("/v1/legal-documents/99999999")
        .await
        .problem(404, "record-not-found");
    t.get("/v1/legal-documents/abc")
        .await
        .problem(400, "invalid-input");
    t.stop().await;
}

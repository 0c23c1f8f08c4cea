//! End-to-end: the strict edges of a request. A body must be declared JSON and be JSON
//! with each key once; a query must be UTF-8 and hold only the operation's parameters,
//! each once and with a value — the same rule for every operation. Nothing refused
//! reaches a partner.

#![allow(clippy::unwrap_used)]

mod common;

use http::Method;
use serde_json::{Value, json};

const SUBMIT: &str = "/v1/criminal-record-applications";

/// The documented example application (without its callback) for `dossier`.
fn application(dossier: &str) -> Value {
    let doc = lienthong::openapi::value().unwrap();
    let mut body =
        doc["components"]["examples"]["CriminalRecordApplicationRequest"]["value"].clone();
    body["dossier_code"] = json!(dossier);
    body.as_object_mut().unwrap().remove("callback_url");
    body
}

async fn post(
    t: &common::TestBus,
    key: &str,
    content_type: Option<&str>,
    body: &str,
) -> common::Answer {
    let mut headers = vec![("idempotency-key", key)];
    if let Some(content_type) = content_type {
        headers.push(("content-type", content_type));
    }
    t.send(Method::POST, SUBMIT, &headers, body).await
}

#[tokio::test]
async fn a_body_not_sent_as_json_is_refused_with_415() {
    let t = common::start().await;
    let body = application("000.00.82.H58-260101-0101").to_string();
    for (i, content_type) in [
        Some("text/plain"),
        None,
        Some("application/x-www-form-urlencoded"),
        Some("application/json; charset=iso-8859-1"),
        Some("application/jsonx"),
    ]
    .into_iter()
    .enumerate()
    {
        let answer = post(&t, &format!("media-{i}"), content_type, &body).await;
        let doc = answer.problem(415, "unsupported-media-type");
        assert!(
            doc["detail"].as_str().unwrap().contains("application/json"),
            "{content_type:?}: {doc}"
        );
        assert_eq!(answer.header("accept-post"), "application/json");
    }
    let accepted = post(
        &t,
        "media-ok",
        Some("Application/JSON; charset=UTF-8"),
        &body,
    )
    .await;
    accepted.expect(202);
    t.stop().await;
}

#[tokio::test]
async fn json_with_a_key_twice_is_refused_naming_the_key() {
    let t = common::start().await;
    let body = application("000.00.82.H58-260101-0102").to_string();
    let twice_on_top = body.replacen(
        "\"full_name\":\"Nguyễn Văn An\"",
        "\"full_name\":\"Nguyễn Văn An\",\"full_name\":\"Lê Thị Hoa\"",
        1,
    );
    let twice_inside = body.replacen(
        "\"occupation\":\"Học sinh\"",
        "\"occupation\":\"Học sinh\",\"occupation\":\"Nông dân\"",
        1,
    );
    assert_ne!(twice_on_top, body);
    assert_ne!(twice_inside, body);
    for (i, (text, field)) in [
        (twice_on_top, "/full_name"),
        (twice_inside, "/residence_history/0/occupation"),
    ]
    .into_iter()
    .enumerate()
    {
        let doc = post(&t, &format!("dup-{i}"), Some("application/json"), &text)
            .await
            .problem(400, "invalid-input");
        assert_eq!(common::error_fields(&doc), [field], "{doc}");
        assert!(!doc.to_string().contains("Lê Thị Hoa"), "{doc}");
    }
    // Nothing was accepted: the same keys take the intended body afterwards.
    post(&t, "dup-0", Some("application/json"), &body)
        .await
        .expect(202);
    t.stop().await;
}

#[tokio::test]
async fn invalid_utf8_in_the_query_is_refused_not_searched() {
    let t = common::start().await;
    for query in ["q=%FF%FEthu%E1", "q=chia&issuer=Ch%C3", "%FF=1"] {
        let doc = t
            .get(&format!("/v1/legal-documents?{query}"))
            .await
            .problem(400, "invalid-input");
        let fields = common::error_fields(&doc);
        assert_eq!(fields.len(), 1, "{query}: {doc}");
        assert!(
            doc["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("UTF-8"),
            "{query}: {doc}"
        );
    }
    let doc = t
        .get("/v1/legal-documents?q=chia&issuer=Ch%C3")
        .await
        .json();
    assert_eq!(common::error_fields(&doc), ["issuer"]);
    assert_eq!(t.sim("legal-documents").stats().requests, 0);
    t.stop().await;
}

#[tokio::test]
async fn every_operation_refuses_unknown_repeated_and_empty_query_parameters() {
    let t = common::start().await;
    let participant = "/v1/insurance/participants/8212345678";
    let person = "full_name=Nguy%E1%BB%85n%20Th%E1%BB%8B%20B%C3%ACnh&date_of_birth=1985-05-12";
    let cases = [
        ("/v1/enterprises/1200123459?verbose=1", "verbose"),
        ("/v1/enterprises/1200123459?verbose=", "verbose"),
        ("/v1/legal-documents?q=chia&from=", "from"),
        ("/v1/legal-documents?q=chia&to=", "to"),
        ("/v1/legal-documents?q=chia&page=", "page"),
        ("/v1/legal-documents?q=", "q"),
        ("/v1/legal-documents?q=chia&q=luat", "q"),
        ("/v1/legal-documents?sort=date", "sort"),
        ("/v1/legal-documents/1?q=chia", "q"),
        (&format!("{participant}?{person}&extra=1"), "extra"),
        (
            &format!("{participant}?full_name=&date_of_birth=1985"),
            "full_name",
        ),
        (
            &format!("{participant}?{person}&date_of_birth=1986"),
            "date_of_birth",
        ),
        ("/v1/criminal-record-applications/0190?x=1", "x"),
    ];
    for (path, field) in cases {
        let doc = t.get(path).await.problem(400, "invalid-input");
        assert_eq!(common::error_fields(&doc), [field], "{path}: {doc}");
    }
    let submitted = t
        .send(
            Method::POST,
            &format!("{SUBMIT}?priority=high"),
            &[
                ("idempotency-key", "query-1"),
                ("content-type", "application/json"),
            ],
            &application("000.00.82.H58-260101-0103").to_string(),
        )
        .await
        .problem(400, "invalid-input");
    assert_eq!(common::error_fields(&submitted), ["priority"]);
    for sim in &t.sims {
        assert_eq!(sim.stats().requests, 0, "{} was called", sim.partner());
    }
    // The same operations answer once the query is right.
    t.get("/v1/enterprises/1200123459").await.expect(200);
    t.get(&format!("{participant}?{person}")).await.expect(200);
    t.get("/v1/legal-documents?q=chia&page=1").await.expect(200);
    t.stop().await;
}

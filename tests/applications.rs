//! End-to-end: criminal-record applications — accepted durably (202), idempotent,
//! delivered to the judicial-records partner exactly once, followed to a final state,
//! readable only by their client, and announced by signed webhooks. Every flow runs on
//! SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use base64::Engine;
use http::{Method, StatusCode};
use lienthong_adapter_kit::sim::FaultKind;
use lienthong_core::config::Config;
use serde_json::{Value, json};

const LLTP: &str = "judicial-records";
const PATH: &str = "/v1/criminal-record-applications";

/// A valid application for `dossier`; `citizen_id`'s last digits pick the simulator's path.
pub fn application(dossier: &str, citizen_id: &str) -> Value {
    json!({
        "dossier_code": dossier,
        "full_name": "Nguyễn Văn An",
        "gender": "male",
        "date_of_birth": "1990-04-12",
        "birth_place": "Mỹ Tho, Tiền Giang",
        "nationality": "VN",
        "residence": "Số 12 đường Lê Lợi, Phường 1, Mỹ Tho, Tiền Giang",
        "citizen_id": citizen_id,
        "id_issued_on": "2021-05-10",
        "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "father_name": "Nguyễn Văn Bình",
        "mother_name": "Trần Thị Cúc",
        "certificate_type": 1,
        "purpose": "Bổ sung hồ sơ xin việc",
        "copies": 1,
        "residence_history": [{
            "from": "2008-01-01",
            "to": "2026-01-01",
            "place": "Phường 1, Mỹ Tho, Tiền Giang",
            "occupation": "Kỹ sư",
            "workplace": "Công ty TNHH Mekong"
        }]
    })
}

async fn submit(t: &common::TestBus, key: &str, body: &Value) -> common::Answer {
    t.send(
        Method::POST,
        PATH,
        &[
            ("idempotency-key", key),
            ("content-type", "application/json"),
        ],
        &body.to_string(),
    )
    .await
}

/// Polls `url` until the application's status is `want` (or a final other one).
async fn wait_for(t: &common::TestBus, url: &str, want: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let doc = t.get(url).await.json();
        let status = doc["status"].as_str().unwrap().to_owned();
        if status == want
            || ["issued", "rejected", "withdrawn", "failed"].contains(&status.as_str())
        {
            assert_eq!(status, want, "{doc}");
            return doc;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {status}: {doc}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn on_both_stores(test: impl AsyncFn(Box<dyn FnOnce(&mut Config) + Send>)) {
    test(Box::new(|_| {})).await;
    let url = common::postgres_url().await;
    test(Box::new(move |c: &mut Config| c.storage.url = Some(url))).await;
}

#[tokio::test]
async fn accepted_application_reaches_issued_exactly_once() {
    on_both_stores(async |store| {
        let t = common::start_with(store).await;
        let a = submit(
            &t,
            "key-1",
            &application("000.00.82.H58-260101-0001", "082090001234"),
        )
        .await;
        let accepted = a.expect(202);
        assert_eq!(accepted["status"], "queued");
        let url = accepted["status_url"].as_str().unwrap().to_owned();
        assert_eq!(url, format!("{PATH}/{}", accepted["id"].as_str().unwrap()));
        assert_eq!(a.header("location"), url);

        let issued = wait_for(&t, &url, "issued").await;
        assert!(
            issued["partner_reference"]
                .as_str()
                .unwrap()
                .starts_with("LLTP-82-")
        );
        assert_eq!(issued["dossier_code"], "000.00.82.H58-260101-0001");
        let certificate = &issued["certificate"];
        assert_eq!(certificate["conviction_status"], "none");
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(certificate["pdf_base64"].as_str().unwrap())
            .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(t.sim(LLTP).stats().partner["applications"], 1);
        t.stop().await;
    })
    .await;
}

#[tokio::test]
async fn idempotency_key_and_dossier_rules() {
    on_both_stores(async |store| {
        let t = common::start_with(store).await;
        let body = application("000.00.82.H58-260101-0002", "082090001235");
        let first = submit(&t, "key-2", &body).await;
        assert_eq!(first.status, StatusCode::ACCEPTED);
        let id = first.json()["id"].clone();

        let again = submit(&t, "key-2", &body).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["id"], id);

        let mut changed = body.clone();
        changed["copies"] = json!(2);
        submit(&t, "key-2", &changed)
            .await
            .problem(409, "idempotency-key-reused");
        let doc = submit(&t, "key-3", &body)
            .await
            .problem(409, "dossier-has-application");
        assert!(
            doc["detail"]
                .as_str()
                .unwrap()
                .contains(id.as_str().unwrap())
        );

        let json = [("content-type", "application/json")];
        let no_key = t.send(Method::POST, PATH, &json, &body.to_string()).await;
        no_key.problem(400, "idempotency-key-required");

        let mut bad = body.clone();
        bad["citizen_id"] = json!("123");
        bad["copies"] = json!(11);
        bad["residence_history"][0]["to"] = json!("2000-01-01");
        let doc = submit(&t, "key-4", &bad)
            .await
            .problem(400, "invalid-input");
        let fields = common::error_fields(&doc);
        for field in ["/citizen_id", "/copies", "/residence_history/0/to"] {
            assert!(
                fields.iter().any(|f| f.starts_with(field)),
                "{field} not named in {fields:?}"
            );
        }
        t.stop().await;
    })
    .await;
}

#[tokio::test]
async fn only_the_submitting_client_reads_an_application() {
    let t = common::start_with(|c| c.clients.push(common::portal_client(&["*"]))).await;
    let a = submit(
        &t,
        "key-5",
        &application("000.00.82.H58-260101-0003", "082090001236"),
    )
    .await;
    let url = a.json()["status_url"].as_str().unwrap().to_owned();
    let other = t.get_as_portal(&url, &[]).await;
    other.problem(404, "no-such-application");
    t.get(&format!("{PATH}/not-an-id"))
        .await
        .problem(404, "no-such-application");
    assert_eq!(t.get(&url).await.status, StatusCode::OK);
    t.stop().await;
}

#[tokio::test]
async fn rejected_application_ends_rejected_with_its_reason() {
    let t = common::start().await;
    let a = submit(
        &t,
        "key-6",
        &application("000.00.82.H58-260101-0004", "082090001999"),
    )
    .await;
    let doc = wait_for(&t, a.json()["status_url"].as_str().unwrap(), "rejected").await;
    assert!(
        doc["rejection_reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty()),
        "{doc}"
    );
    assert!(doc["certificate"].is_null());
    t.stop().await;
}

#[tokio::test]
async fn interrupted_partner_delays_but_does_not_duplicate() {
    on_both_stores(async |store| {
        let t = common::start_with(store).await;
        t.sim(LLTP)
            .inject_for(FaultKind::Unavailable, Duration::from_millis(1500));
        let a = submit(
            &t,
            "key-7",
            &application("000.00.82.H58-260101-0005", "082090001237"),
        )
        .await;
        assert_eq!(a.status, StatusCode::ACCEPTED);
        wait_for(&t, a.json()["status_url"].as_str().unwrap(), "issued").await;
        let stats = t.sim(LLTP).stats();
        assert!(
            stats.faults_injected >= 1,
            "the partner was asked while interrupted"
        );
        assert_eq!(stats.partner["applications"], 1);
        t.stop().await;
    })
    .await;
}

#[tokio::test]
async fn status_changes_reach_the_callback_signed_and_in_order() {
    on_both_stores(async |store| {
        let hooks = common::Recorder::start().await;
        hooks
            .fail_next
            .store(2, std::sync::atomic::Ordering::SeqCst);
        let t = common::start_with(|c| {
            store(c);
            c.clients[0].webhook_hosts = vec!["127.0.0.1".into()];
        })
        .await;
        let mut body = application("000.00.82.H58-260101-0006", "082090001238");
        body["callback_url"] = json!(format!("{}/hooks/lltp", hooks.url));
        let a = submit(&t, "key-8", &body).await;
        let accepted = a.expect(202);
        wait_for(&t, accepted["status_url"].as_str().unwrap(), "issued").await;
        hooks
            .wait_for(Duration::from_secs(20), |doc| doc["status"] == "issued")
            .await;
        let secret = lienthong::demo::DEMO_WEBHOOK_SECRET.as_bytes();
        for request in hooks.requests() {
            let expected = lienthong_core::webhook::signature(secret, &request.body);
            assert_eq!(
                request.headers["x-lienthong-signature"],
                expected.as_str(),
                "bad signature"
            );
            assert_eq!(request.path, "/hooks/lltp");
        }
        assert!(
            hooks
                .requests()
                .iter()
                .filter(|r| r.answered == 500)
                .count()
                == 2
        );
        let received = hooks.accepted_json();
        common::assert_webhooks_in_order(&received, &accepted["id"]);
        t.stop().await;
    })
    .await;
}

#[tokio::test]
async fn callback_needs_a_webhook_secret() {
    let t = common::start_with(|c| c.clients[0].webhook_secret = None).await;
    let mut body = application("000.00.82.H58-260101-0007", "082090001239");
    body["callback_url"] = json!("http://127.0.0.1:9/hook");
    let doc = submit(&t, "key-9", &body)
        .await
        .problem(400, "invalid-input");
    assert_eq!(doc["errors"][0]["field"], "/callback_url");
    t.stop().await;
}

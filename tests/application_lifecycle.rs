//! End-to-end: what happens to an application after it is accepted — dossier codes scoped
//! to the client that submitted them (another client neither blocks nor learns anything),
//! operators retiring final applications so their dossier may be submitted again, and
//! personal data forgotten once the retention period after a final state has passed.
//! Every flow runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use http::Method;
use lienthong_adapter_kit::sim::FaultKind;
use lienthong_core::config::Config;
use serde_json::{Value, json};

const LLTP: &str = "judicial-records";
const PATH: &str = "/v1/criminal-record-applications";

/// The fixture application for `dossier`; `citizen_id`'s last digits pick the simulator's
/// path (`…999` is rejected).
fn application(dossier: &str, citizen_id: &str) -> Value {
    let mut body: Value = serde_json::from_str(include_str!(
        "../adapters/judicial-records/fixtures/application.json"
    ))
    .unwrap();
    body["dossier_code"] = json!(dossier);
    body["citizen_id"] = json!(citizen_id);
    body.as_object_mut().unwrap().remove("callback_url");
    body
}

/// Submits `body` under `key` with the API key `api_key`.
async fn submit_as(t: &common::TestBus, api_key: &str, key: &str, body: &Value) -> common::Answer {
    let headers = [
        ("authorization", format!("ApiKey {api_key}")),
        ("idempotency-key", key.to_owned()),
        ("content-type", "application/json".to_owned()),
    ];
    let url = format!("http://{}{PATH}", t.api());
    t.raw(Method::POST, &url, &headers, &body.to_string()).await
}

/// `GET url` with the API key `api_key`.
async fn get_as(t: &common::TestBus, api_key: &str, url: &str) -> Value {
    let headers = [("authorization", format!("ApiKey {api_key}"))];
    let url = format!("http://{}{url}", t.api());
    t.raw(Method::GET, &url, &headers, "").await.expect(200)
}

/// Polls `url` as `api_key` until `done` holds for the application document.
async fn wait_until(
    t: &common::TestBus,
    api_key: &str,
    url: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let doc = get_as(t, api_key, url).await;
        if done(&doc) {
            return doc;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never reached: {doc}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn status_is(status: &'static str) -> impl Fn(&Value) -> bool {
    move |doc| doc["status"] == status
}

async fn on_both_stores(test: impl AsyncFn(Box<dyn FnOnce(&mut Config) + Send>)) {
    test(Box::new(|_| {})).await;
    let url = common::postgres_url().await;
    test(Box::new(move |c: &mut Config| c.storage.url = Some(url))).await;
}

/// The demo client and a second client, `portal`, both allowed to submit.
fn two_clients(store: Box<dyn FnOnce(&mut Config) + Send>) -> impl FnOnce(&mut Config) {
    move |c: &mut Config| {
        store(c);
        c.clients.push(common::portal_client(&["*"]));
    }
}

#[tokio::test]
async fn another_client_can_neither_block_a_dossier_nor_learn_about_it() {
    on_both_stores(async |store| {
        let t = common::start_with(two_clients(store)).await;
        let dossier = "000.00.82.H58-260301-0001";
        // The portal submits the one-stop shop's dossier code first, with other content.
        let squatter = submit_as(
            &t,
            common::PORTAL_KEY,
            "p-1",
            &application(dossier, "082090005551"),
        )
        .await
        .expect(202);
        let squatter_id = squatter["id"].as_str().unwrap().to_owned();

        // The owner's submission is accepted: no conflict, nothing about the other one.
        let owner = submit_as(
            &t,
            common::KEY,
            "o-1",
            &application(dossier, "082090005552"),
        )
        .await;
        assert!(
            !String::from_utf8_lossy(&owner.body).contains(&squatter_id),
            "the answer reveals the other client's application"
        );
        let owner = owner.expect(202);
        assert_ne!(owner["id"], squatter_id.as_str());

        // The owner's own second submission of that dossier conflicts, naming its own.
        let again = submit_as(
            &t,
            common::KEY,
            "o-2",
            &application(dossier, "082090005552"),
        )
        .await
        .problem(409, "dossier-has-application");
        let detail = again["detail"].as_str().unwrap();
        assert!(detail.contains(owner["id"].as_str().unwrap()), "{detail}");
        assert!(!detail.contains(&squatter_id), "{detail}");

        // At the partner one dossier code has one application per province: whichever
        // arrives second ends, and neither client sees the other's result.
        let urls = [
            (common::PORTAL_KEY, squatter["status_url"].as_str().unwrap()),
            (common::KEY, owner["status_url"].as_str().unwrap()),
        ];
        let mut finals = Vec::new();
        for (key, url) in urls {
            finals.push(
                wait_until(&t, key, url, |doc| {
                    ["issued", "failed", "rejected"].contains(&doc["status"].as_str().unwrap())
                })
                .await,
            );
        }
        let statuses: Vec<&str> = finals
            .iter()
            .map(|d| d["status"].as_str().unwrap())
            .collect();
        assert!(
            statuses.contains(&"issued") && statuses.contains(&"failed"),
            "{finals:?}"
        );
        assert_eq!(t.sim(LLTP).stats().partner["applications"], 1);
        t.stop().await;
    })
    .await;
}

#[tokio::test]
async fn identical_content_from_two_clients_never_shares_a_result() {
    on_both_stores(async |store| {
        let t = common::start_with(two_clients(store)).await;
        let body = application("000.00.82.H58-260301-0002", "082090005553");
        let first = submit_as(&t, common::PORTAL_KEY, "p-2", &body)
            .await
            .expect(202);
        let first_url = first["status_url"].as_str().unwrap();
        let issued = wait_until(&t, common::PORTAL_KEY, first_url, status_is("issued")).await;
        let reference = issued["partner_reference"].as_str().unwrap().to_owned();

        // The partner answers the same content with the same reference; the bus must not
        // hand the portal's certificate to the one-stop shop.
        let second = submit_as(&t, common::KEY, "o-3", &body).await.expect(202);
        let second_url = second["status_url"].as_str().unwrap();
        let failed = wait_until(&t, common::KEY, second_url, |doc| doc["status"] != "queued").await;
        assert_eq!(failed["status"], "failed", "{failed}");
        assert!(failed["certificate"].is_null(), "{failed}");
        assert!(failed["partner_reference"].is_null(), "{failed}");
        let text = failed.to_string();
        assert!(!text.contains(&reference), "{text}");
        assert!(!text.contains(first["id"].as_str().unwrap()), "{text}");
        assert!(
            failed["failure_reason"]
                .as_str()
                .unwrap()
                .contains("dossier code"),
            "{failed}"
        );
        // Later polls of the first application still go to its own client only.
        let again = get_as(&t, common::PORTAL_KEY, first_url).await;
        assert_eq!(again["status"], "issued");
        t.stop().await;
    })
    .await;
}

async fn retire(t: &common::TestBus, id: &str, body: &Value) -> common::Answer {
    t.admin_post(&format!("/admin/applications/{id}/retire"), body)
        .await
}

#[tokio::test]
async fn operators_retire_final_applications_and_the_dossier_opens_again() {
    on_both_stores(async |store| {
        let t = common::start_with(store).await;
        let dossier = "000.00.82.H58-260301-0003";
        let rejected = submit_as(
            &t,
            common::KEY,
            "r-1",
            &application(dossier, "082090005999"),
        )
        .await
        .expect(202);
        let id = rejected["id"].as_str().unwrap().to_owned();
        let url = rejected["status_url"].as_str().unwrap().to_owned();
        wait_until(&t, common::KEY, &url, status_is("rejected")).await;
        let corrected = application(dossier, "082090005554");
        submit_as(&t, common::KEY, "r-2", &corrected)
            .await
            .problem(409, "dossier-has-application");

        // Bad orders are refused, naming what is wrong.
        retire(&t, &id, &json!({}))
            .await
            .problem(400, "invalid-retirement");
        retire(&t, &id, &json!({"reason": " "}))
            .await
            .problem(400, "invalid-retirement");
        retire(&t, &"0".repeat(32), &json!({"reason": "x"}))
            .await
            .problem(404, "no-such-application");

        let reason = "identity data corrected by the applicant";
        let done = retire(&t, &id, &json!({ "reason": reason }))
            .await
            .expect(200);
        assert_eq!(done["id"], id.as_str());
        assert_eq!(done["retired"]["reason"], reason);
        retire(&t, &id, &json!({ "reason": reason }))
            .await
            .problem(409, "application-already-retired");

        // The record stays, marked retired, and the dossier takes a new application.
        let old = get_as(&t, common::KEY, &url).await;
        assert_eq!(old["status"], "rejected");
        assert_eq!(old["retired"]["reason"], reason);
        assert!(old["retired"]["at"].is_string(), "{old}");
        let again = submit_as(&t, common::KEY, "r-3", &corrected)
            .await
            .expect(202);
        assert_ne!(again["id"], id.as_str());
        // The same key as the retired application's still names it (idempotency stays).
        let repeat = submit_as(
            &t,
            common::KEY,
            "r-1",
            &application(dossier, "082090005999"),
        )
        .await
        .expect(200);
        assert_eq!(repeat["id"], id.as_str());

        let audit = t
            .admin(&format!("/admin/audit?dossier={dossier}"))
            .await
            .expect(200);
        let retirement: Vec<&Value> = audit["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["operation"] == "retireApplication")
            .collect();
        assert_eq!(retirement.len(), 1, "{audit}");
        assert_eq!(retirement[0]["client"], "operator");
        assert_eq!(retirement[0]["outcome"], "retired");
        assert_eq!(retirement[0]["partner"], LLTP);
        t.stop().await;
    })
    .await;
}

#[tokio::test]
async fn applications_still_in_progress_cannot_be_retired() {
    let t = common::start().await;
    t.sim(LLTP)
        .inject_for(FaultKind::Unavailable, Duration::from_secs(3600));
    let queued = submit_as(
        &t,
        common::KEY,
        "q-1",
        &application("000.00.82.H58-260301-0004", "082090005555"),
    )
    .await
    .expect(202);
    let id = queued["id"].as_str().unwrap();
    let doc = retire(&t, id, &json!({"reason": "stuck"}))
        .await
        .problem(409, "application-in-progress");
    assert!(doc["detail"].as_str().unwrap().contains("queued"), "{doc}");
    t.stop().await;
}

#[tokio::test]
async fn personal_data_is_erased_once_the_retention_after_a_final_state_has_passed() {
    on_both_stores(async |store| {
        let t = common::start_with(|c: &mut Config| {
            store(c);
            c.applications.retention = Duration::from_secs(1);
        })
        .await;
        let body = application("000.00.82.H58-260301-0005", "082090005556");
        let accepted = submit_as(&t, common::KEY, "e-1", &body).await.expect(202);
        let url = accepted["status_url"].as_str().unwrap();
        let id = accepted["id"].as_str().unwrap();
        let issued = wait_until(&t, common::KEY, url, status_is("issued")).await;
        assert!(issued["certificate"]["pdf_base64"].is_string(), "{issued}");

        let expired = wait_until(&t, common::KEY, url, |doc| doc["result_expired"] == true).await;
        assert_eq!(expired["status"], "issued");
        assert_eq!(expired["partner_reference"], issued["partner_reference"]);
        assert_eq!(expired["dossier_code"], body["dossier_code"]);
        for gone in ["certificate", "expected_on"] {
            assert!(expired.get(gone).is_none(), "{gone} kept: {expired}");
        }
        let pool = common::store_pool(&t.config).await;
        let input: String = sqlx::query_scalar("SELECT input FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(input, "{}");
        pool.close().await;
        // An idempotent repeat is still recognised after the erasure.
        let repeat = submit_as(&t, common::KEY, "e-1", &body).await.expect(200);
        assert_eq!(repeat["id"], id);
        assert_eq!(repeat["result_expired"], true);
        t.stop().await;
    })
    .await;
}

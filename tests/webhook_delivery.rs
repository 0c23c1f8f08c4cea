//! End-to-end: webhook deliveries are signed as the Standard Webhooks specification says;
//! a failing one is retried up to a horizon, then dead-lettered without holding back the
//! later ones, listed and replayed through the admin API, and deleted after its retention;
//! delivered bodies are deleted from the store. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use lienthong_core::config::Config;
use serde_json::json;
use sha2::Sha256;

use common::Recorder;
use common::hooks::{
    SECRET, allow_loopback, dead_letter_of, dead_letters, short_retries, store, submit,
};

/// Verifies a delivery as the Standard Webhooks libraries do: the key is the base64
/// after `whsec_`; one of the space-separated `v1,` signatures must be the base64
/// HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`.
fn verify(secret: &str, id: &str, timestamp: &str, body: &[u8], signatures: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .unwrap();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    signatures
        .split(' ')
        .any(|s| s.split_once(',') == Some(("v1", expected.as_str())))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).unwrap().to_str().unwrap()
}

#[test]
fn the_verifier_agrees_with_the_reference_libraries() {
    // The "sign function works" vector of the Standard Webhooks reference libraries.
    assert!(verify(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265330",
        br#"{"test": 2432232314}"#,
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    ));
    assert!(!verify(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265331",
        br#"{"test": 2432232314}"#,
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    ));
}

#[tokio::test]
async fn deliveries_carry_standard_webhooks_signatures() {
    let hooks = Recorder::start().await;
    hooks
        .fail_next
        .store(2, std::sync::atomic::Ordering::SeqCst);
    let t = common::start_with(|c| {
        allow_loopback(c);
        c.clients[0].webhook_secret = Some(SECRET.into());
    })
    .await;
    let accepted = submit(&t, 1, &format!("{}/hook", hooks.url))
        .await
        .expect(202);
    hooks
        .wait_for(Duration::from_secs(30), |doc| doc["status"] == "issued")
        .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let requests = hooks.requests();
    for r in &requests {
        let (id, timestamp) = (
            header(&r.headers, "webhook-id"),
            header(&r.headers, "webhook-timestamp"),
        );
        let signatures = header(&r.headers, "webhook-signature");
        assert!(
            verify(SECRET, id, timestamp, &r.body, signatures),
            "{signatures}"
        );
        let mut tampered = r.body.to_vec();
        tampered.push(b' ');
        assert!(!verify(SECRET, id, timestamp, &tampered, signatures));
        let age = now - timestamp.parse::<i64>().unwrap();
        assert!(
            (0..300).contains(&age),
            "the timestamp is the attempt's: {age} s old"
        );
        assert!(!id.contains('.'));
    }
    // The two failed attempts and the first success are one delivery: one webhook-id.
    let ids: Vec<&str> = requests
        .iter()
        .map(|r| header(&r.headers, "webhook-id"))
        .collect();
    assert_eq!(requests[0].answered, 500);
    assert!(ids[..3].iter().all(|id| *id == ids[0]), "{ids:?}");
    let mut distinct = ids[2..].to_vec();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        ids.len() - 2,
        "one id per status change: {ids:?}"
    );
    common::assert_webhooks_in_order(&hooks.accepted_json(), &accepted["id"]);
    t.stop().await;
}

async fn dead_letters_are_replayed_and_hold_nothing_back(
    adjust: Box<dyn FnOnce(&mut Config) + Send>,
) {
    let hooks = Recorder::start().await;
    *hooks.fail_status.lock().unwrap() = Some("submitted".into());
    let t = common::start_with(|c| {
        adjust(c);
        allow_loopback(c);
        short_retries(c);
    })
    .await;
    let accepted = submit(&t, 1, &format!("{}/hook", hooks.url))
        .await
        .expect(202);
    let id = accepted["id"].clone();

    // The receiver refuses the first status change for longer than the horizon; the later
    // ones still arrive, in order.
    hooks
        .wait_for(Duration::from_secs(30), |doc| doc["status"] == "issued")
        .await;
    let received = hooks.accepted_json();
    let versions: Vec<i64> = received
        .iter()
        .map(|d| d["version"].as_i64().unwrap())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(
        received
            .iter()
            .all(|d| d["id"] == id && d["status"] != "submitted")
    );
    let letter = dead_letter_of(&t, &id).await;
    assert_eq!(dead_letters(&t).await.len(), 1);
    assert_eq!(letter["version"].as_i64().unwrap(), versions[0] - 1);
    assert_eq!(letter["client"], "demo");
    assert_eq!(letter["url_host"], "127.0.0.1");
    assert!(letter["attempts"].as_i64().unwrap() >= 2, "{letter}");
    assert!(
        letter["last_error"].as_str().unwrap().contains("HTTP 500"),
        "{letter}"
    );
    assert!(
        letter.get("body").is_none() && letter.get("url").is_none(),
        "{letter}"
    );
    let metrics = String::from_utf8(t.admin("/metrics").await.body.to_vec()).unwrap();
    assert!(
        metrics.contains("lienthong_webhook_dead_letters 1"),
        "{metrics}"
    );

    // Delivered bodies are gone from the store; the dead letter keeps its own for a replay.
    let db = store(&t.config).await;
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM webhook_deliveries WHERE application_id = $1 AND delivered_at IS NOT NULL",
    )
    .bind(id.as_str().unwrap())
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(bodies.len(), received.len());
    assert!(bodies.iter().all(String::is_empty), "{bodies:?}");
    let kept: String = sqlx::query_scalar("SELECT body FROM webhook_dead_letters WHERE id = $1")
        .bind(letter["id"].as_str().unwrap())
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(kept.contains("\"submitted\""), "{kept}");

    // Dead letters survive a restart and are replayed through the admin API.
    let t = t.restart().await;
    assert_eq!(dead_letters(&t).await.len(), 1);
    *hooks.fail_status.lock().unwrap() = None;
    let replay = format!("/admin/webhooks/{}/replay", letter["id"].as_str().unwrap());
    let answer = t.admin_post(&replay, &json!({})).await.expect(202);
    assert_eq!(answer["status"], "queued");
    hooks
        .wait_for(Duration::from_secs(30), |doc| doc["status"] == "submitted")
        .await;
    assert!(dead_letters(&t).await.is_empty());
    let replayed: Vec<_> = hooks
        .requests()
        .into_iter()
        .filter(|r| r.body.windows(11).any(|w| w == b"\"submitted\""))
        .collect();
    assert!(
        replayed
            .iter()
            .all(|r| header(&r.headers, "webhook-id") == letter["id"])
    );
    t.admin_post(&replay, &json!({}))
        .await
        .problem(409, "webhook-delivery-not-dead");
    t.admin_post(
        &format!("/admin/webhooks/{}/replay", "0".repeat(32)),
        &json!({}),
    )
    .await
    .problem(404, "no-such-webhook-delivery");
    let emptied: String = sqlx::query_scalar("SELECT body FROM webhook_deliveries WHERE id = $1")
        .bind(letter["id"].as_str().unwrap())
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(emptied, "", "the replayed body is deleted once delivered");
    db.close().await;
    t.stop().await;
}

#[tokio::test]
async fn dead_letters_are_replayed_and_hold_nothing_back_on_sqlite() {
    dead_letters_are_replayed_and_hold_nothing_back(Box::new(|_| {})).await;
}

#[tokio::test]
async fn dead_letters_are_replayed_and_hold_nothing_back_on_postgres() {
    let url = common::postgres_url().await;
    dead_letters_are_replayed_and_hold_nothing_back(Box::new(move |c| c.storage.url = Some(url)))
        .await;
}

#[tokio::test]
async fn dead_letters_are_deleted_after_their_retention() {
    let hooks = Recorder::start().await;
    hooks
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let t = common::start_with(|c| {
        allow_loopback(c);
        short_retries(c);
        c.webhooks.dead_letter_retention = Duration::from_secs(1);
    })
    .await;
    let accepted = submit(&t, 1, &format!("{}/hook", hooks.url))
        .await
        .expect(202);
    let letter = dead_letter_of(&t, &accepted["id"]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while dead_letters(&t)
        .await
        .iter()
        .any(|l| l["id"] == letter["id"])
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the dead letter was kept"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let replay = format!("/admin/webhooks/{}/replay", letter["id"].as_str().unwrap());
    t.admin_post(&replay, &json!({}))
        .await
        .problem(404, "no-such-webhook-delivery");
    t.stop().await;
}

#[tokio::test]
async fn bad_dead_letter_queries_are_refused() {
    let t = common::start().await;
    for query in ["limit=0", "limit=abc", "limit=1001", "body=1"] {
        t.admin(&format!("/admin/webhooks/dead-letters?{query}"))
            .await
            .problem(400, "invalid-webhook-query");
    }
    t.admin_post("/admin/webhooks/not-an-id/replay", &json!({}))
        .await
        .problem(404, "no-such-webhook-delivery");
    t.stop().await;
}

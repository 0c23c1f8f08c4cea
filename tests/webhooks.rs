//! End-to-end: webhooks cannot be turned against the bus or its network. No plain http
//! and no non-public address unless the operator lists the host; names are resolved and
//! their addresses checked at each attempt; redirects are not followed; the bus's own
//! listeners are never called.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use http::Method;

use common::hooks::{SECRET, allow_loopback, dead_letter_of, short_retries, submit};
use common::{Recorder, TestBus};

/// The status `GET /v1/services` gets with the key of the client only the file knows.
async fn sentinel(t: &TestBus) -> u16 {
    let url = format!("http://{}/v1/services", t.api());
    let headers = [("authorization", "ApiKey sentinel-key-123".to_owned())];
    t.raw(Method::GET, &url, &headers, "").await.status.as_u16()
}

#[tokio::test]
async fn plain_http_and_literal_non_public_addresses_are_refused_at_submission() {
    let t = common::start_with(|c| c.webhooks.timeout = Duration::from_millis(500)).await;
    // Each refusal names the field and says why and how to fix it.
    let refused = [
        ("http://hooks.example.invalid/cb", "must use https"),
        ("https://127.0.0.1/cb", "a loopback address"),
        ("https://10.0.0.5/cb", "a private address"),
        ("https://172.20.1.1/cb", "a private address"),
        ("https://192.168.1.10/cb", "a private address"),
        (
            "https://169.254.169.254/latest/meta-data/",
            "a link-local address",
        ),
        ("https://100.64.0.1/cb", "carrier-grade NAT"),
        ("https://0.0.0.0/cb", "never reach"),
        ("https://224.0.0.1/cb", "never reach"),
        ("https://[::1]/cb", "a loopback address"),
        (
            "https://[::ffff:127.0.0.1]/cb",
            "127.0.0.1, a loopback address",
        ),
        ("https://[fd00::1]/cb", "a private address"),
        ("https://[fe80::1]/cb", "a link-local address"),
        ("https://2130706433/cb", "usual notation"),
    ];
    for (n, (url, why)) in refused.iter().enumerate() {
        let doc = submit(&t, n, url).await.problem(400, "invalid-input");
        assert_eq!(common::error_fields(&doc), ["/callback_url"], "{url}");
        let detail = doc["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(why), "{url}: {detail}");
        let listable = !why.contains("never") && !why.contains("notation");
        assert_eq!(
            detail.contains("webhook_hosts"),
            listable,
            "{url}: {detail}"
        );
    }
    submit(&t, 91, "https://hooks.example.invalid/cb")
        .await
        .expect(202);
    t.stop().await;

    let t = common::start_with(|c| {
        c.webhooks.timeout = Duration::from_millis(500);
        c.clients[0].webhook_hosts = vec!["hooks.example.invalid".into(), "10.0.0.5:8443".into()];
    })
    .await;
    submit(&t, 92, "http://hooks.example.invalid/cb")
        .await
        .expect(202);
    submit(&t, 93, "http://10.0.0.5:8443/cb").await.expect(202);
    submit(&t, 94, "http://10.0.0.5:8444/cb")
        .await
        .problem(400, "invalid-input");
    t.stop().await;
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_at_delivery_unless_listed() {
    let hooks = Recorder::start().await;
    let t = common::start_with(short_retries).await;
    let url = format!("https://localhost:{}/hook", hooks.port());
    let accepted = submit(&t, 1, &url).await.expect(202);
    let letter = dead_letter_of(&t, &accepted["id"]).await;
    let error = letter["last_error"].as_str().unwrap();
    assert!(error.contains("loopback"), "{error}");
    assert_eq!(letter["url_host"], "localhost");
    assert_eq!(hooks.connections(), 0, "a connection reached the receiver");
    t.stop().await;

    let t = common::start_with(|c| c.clients[0].webhook_hosts = vec!["localhost".into()]).await;
    let url = format!("http://localhost:{}/hook", hooks.port());
    submit(&t, 2, &url).await.expect(202);
    hooks
        .wait_for(Duration::from_secs(30), |doc| doc["status"] == "issued")
        .await;
    t.stop().await;
}

#[tokio::test]
async fn callbacks_never_reach_the_bus_itself() {
    let sims = common::simulators().await;
    let lltp = sims
        .iter()
        .find(|s| s.partner() == "judicial-records")
        .unwrap()
        .base_url();
    let t = common::start_from_file(sims, |data| {
        format!(
            r#"
[server]
listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
[storage]
data_dir = "{}"
[webhooks]
retry_horizon = "1s"
max_retry_wait = "100ms"
[[clients]]
id = "demo"
api_key = "{}"
allow = ["*"]
webhook_secret = "{SECRET}"
webhook_hosts = ["127.0.0.1", "localhost"]
[partners.judicial-records]
base_url = "{lltp}"
consumer_code = "H82"
poll_interval = "50ms"
"#,
            data.display(),
            common::KEY
        )
    })
    .await;
    // A client only the file on disk knows: its key works once the bus has reloaded.
    let file = t.config_file.clone().unwrap();
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(
        "[[clients]]\nid = \"sentinel\"\napi_key = \"sentinel-key-123\"\nallow = [\"*\"]\n",
    );
    std::fs::write(&file, text).unwrap();

    let admin = t.bus.admin_addr().port();
    let api = t.bus.api_addr().port();
    let targets = [
        format!("http://127.0.0.1:{admin}/admin/reload"),
        format!("http://localhost:{admin}/admin/reload"),
        format!("http://127.0.0.1:{api}/v1/services"),
    ];
    for (n, url) in targets.iter().enumerate() {
        let accepted = submit(&t, 10 + n, url).await.expect(202);
        let letter = dead_letter_of(&t, &accepted["id"]).await;
        let error = letter["last_error"].as_str().unwrap();
        assert!(error.contains("listener of this bus"), "{url}: {error}");
    }
    assert_eq!(sentinel(&t).await, 401, "a callback made the bus reload");

    // The observation works: a reload asked for by an operator does let the sentinel in.
    let reload = format!("http://{}/admin/reload", t.bus.admin_addr());
    assert_eq!(t.raw(Method::POST, &reload, &[], "").await.status, 200);
    assert_eq!(sentinel(&t).await, 200);
    t.stop().await;
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = Recorder::start().await;
    let hooks = Recorder::start().await;
    *hooks.redirect_to.lock().unwrap() = Some(format!("{}/stolen", elsewhere.url));
    let t = common::start_with(|c| {
        allow_loopback(c);
        short_retries(c);
    })
    .await;
    let accepted = submit(&t, 1, &format!("{}/hook", hooks.url))
        .await
        .expect(202);
    let letter = dead_letter_of(&t, &accepted["id"]).await;
    let error = letter["last_error"].as_str().unwrap();
    assert!(error.contains("302"), "{error}");
    assert!(hooks.requests().iter().all(|r| r.answered == 302));
    assert!(!hooks.requests().is_empty());
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");
    t.stop().await;
}

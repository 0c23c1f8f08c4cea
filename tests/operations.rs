//! Operating the bus: hot reload (admin endpoint and SIGHUP) without failing a request,
//! invalid configurations refused, readiness with maintenance and an unwritable audit
//! log, the admin token, and metrics that move as requests flow.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use http::{Method, StatusCode};
use lienthong::{openapi, partners};
use lienthong_adapter_kit::sim::SimServer;
use lienthong_core::{Bus, Config};
use serde_json::json;

/// A configuration file for `sims`, with `extra` TOML appended.
fn write_config(dir: &Path, sims: &[SimServer], extra: &str) -> PathBuf {
    let mut text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"\n\
         [storage]\ndata_dir = \"{}\"\n\
         [[clients]]\nid = \"demo\"\napi_key = \"demo-key\"\nallow = [\"*\"]\nmay_bypass_cache = true\n",
        dir.join("data").display()
    );
    for sim in sims {
        text.push_str(&format!(
            "[partners.{}]\nbase_url = \"{}\"\nconsumer_code = \"H82\"\n",
            sim.partner(),
            sim.base_url()
        ));
        if let Some(account) = sim.accepted_credentials() {
            text.push_str(&format!(
                "username = \"{}\"\npassword = \"{}\"\n",
                account.username, account.password
            ));
        }
    }
    text.push_str(extra);
    let path = dir.join("bus.toml");
    std::fs::write(&path, text).unwrap();
    path
}

async fn start_from_file(path: &Path) -> Bus {
    let config = Config::load(path).unwrap();
    Bus::start(
        &config,
        Some(path),
        &partners::adapters(),
        openapi::json().unwrap(),
    )
    .await
    .unwrap()
}

async fn call(bus: &Bus, key: &str, path: &str) -> u16 {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let request = http::Request::get(format!("http://{}{path}", bus.api_addr()))
        .header("authorization", format!("ApiKey {key}"))
        .header("cache-control", "no-cache")
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    client
        .request(request)
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

async fn admin(bus: &Bus, method: Method, path: &str, body: &str) -> common::Answer {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let request = http::Request::builder()
        .method(method)
        .uri(format!("http://{}{path}", bus.admin_addr()))
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_owned(),
        )))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = http_body_util::BodyExt::collect(body)
        .await
        .unwrap()
        .to_bytes();
    common::Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_under_load_fails_no_request() {
    let sims = common::simulators().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), &sims, "");
    let bus = Arc::new(start_from_file(&path).await);

    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut load = Vec::new();
    for _ in 0..8 {
        let (bus, stop, ok, failed) = (bus.clone(), stop.clone(), ok.clone(), failed.clone());
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match call(&bus, "demo-key", "/v1/enterprises/1200123459").await {
                    200 => ok.fetch_add(1, Ordering::Relaxed),
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    // Ten reloads while requests flow, each adding a client.
    for round in 0..10 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let extra = format!(
            "[[clients]]\nid = \"round{round}\"\napi_key = \"round-key-{round}\"\nallow = [\"*\"]\n"
        );
        write_config(dir.path(), &sims, &extra);
        let answer = admin(&bus, Method::POST, "/admin/reload", "")
            .await
            .expect(200);
        assert_eq!(answer["reloaded"], true);
        assert_eq!(
            call(
                &bus,
                &format!("round-key-{round}"),
                "/v1/enterprises/1200123459"
            )
            .await,
            200
        );
    }
    stop.store(true, Ordering::Relaxed);
    for worker in load {
        worker.await.unwrap();
    }
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "requests failed during reloads"
    );
    assert!(ok.load(Ordering::Relaxed) > 50);
    // The old keys of earlier rounds are gone with their configuration.
    assert_eq!(
        call(&bus, "round-key-0", "/v1/enterprises/1200123459").await,
        401
    );

    // An invalid file is refused with its reasons; the running configuration keeps serving.
    let valid = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, "[server]\nlisten = 8080\n").unwrap();
    let refused = admin(&bus, Method::POST, "/admin/reload", "").await;
    let doc = refused.problem(400, "invalid-configuration");
    assert!(
        doc["detail"].as_str().unwrap().contains("server.listen"),
        "{doc}"
    );
    assert_eq!(doc["errors"][0]["field"], "server.listen (line 2)");
    std::fs::write(
        &path,
        valid.replace("consumer_code = \"H82\"", "consumer_code = \"\""),
    )
    .unwrap();
    let refused = admin(&bus, Method::POST, "/admin/reload", "").await;
    refused.problem(400, "invalid-configuration");
    assert_eq!(
        call(&bus, "round-key-9", "/v1/enterprises/1200123459").await,
        200
    );
    Arc::into_inner(bus).unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_running_binary() {
    let sims = common::simulators().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), &sims, "");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_lienthong"))
        .args(["serve", "--config"])
        .arg(&path)
        .env("RUST_LOG", "lienthong_core::bus=info,warn")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stderr));
    let api = loop {
        let line = lines.next_line().await.unwrap().expect("serve exited");
        if let Some(rest) = line.split("api=").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let status = |key: &'static str| {
        let api = api.clone();
        async move {
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http();
            let request = http::Request::get(format!("http://{api}/v1/services"))
                .header("authorization", format!("ApiKey {key}"))
                .body(http_body_util::Full::new(bytes::Bytes::new()))
                .unwrap();
            client.request(request).await.unwrap().status().as_u16()
        }
    };
    assert_eq!(status("hup-key-123").await, 401);
    write_config(
        dir.path(),
        &sims,
        "[[clients]]\nid = \"hup\"\napi_key = \"hup-key-123\"\nallow = [\"*\"]\n",
    );
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while status("hup-key-123").await != 200 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "SIGHUP did not reload"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status("demo-key").await, 200);
    child.start_kill().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_maintenance_and_the_audit_log() {
    let t = common::start().await;
    let ready = t.admin("/readyz").await.expect(200);
    assert_eq!(
        (ready["ready"].as_bool(), ready["audit"]["ok"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(ready["partners"]["business-registry"]["ok"], true);

    t.admin_post("/admin/maintenance", &json!({ "on": true }))
        .await
        .expect(200);
    let down = t.admin("/readyz").await.expect(503);
    assert_eq!(down["maintenance"], true);
    t.admin_post("/admin/maintenance", &json!({ "on": false }))
        .await
        .expect(200);
    t.admin("/readyz").await.expect(200);
    t.admin_post("/admin/maintenance", &json!({ "of": 1 }))
        .await
        .problem(400, "invalid-order");

    // An unwritable audit log makes the bus unready.
    sqlx::any::install_default_drivers();
    let db = format!(
        "sqlite://{}",
        t.config.storage.data_dir.join("lienthong.db").display()
    );
    let pool = sqlx::AnyPool::connect(&db).await.unwrap();
    sqlx::query("ALTER TABLE audit_head RENAME TO audit_head_away")
        .execute(&pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let broken = t.admin("/readyz").await.expect(503);
    assert_eq!(broken["audit"]["ok"], false, "{broken}");
    sqlx::query("ALTER TABLE audit_head_away RENAME TO audit_head")
        .execute(&pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    t.admin("/readyz").await.expect(200);
    pool.close().await;
    t.stop().await;
}

#[tokio::test]
async fn an_admin_listener_off_loopback_needs_a_token() {
    let config = |token: Option<&str>| {
        let mut c = Config::default();
        c.server.admin_listen = "0.0.0.0:0".parse().unwrap();
        c.server.admin_token_env = token.map(str::to_owned);
        c
    };
    let refused = config(None).validate("bus.toml", &[]).unwrap_err();
    assert_eq!(refused.issues[0].key, "server.admin_token_env");
    assert!(
        config(Some("LIENTHONG_TEST_ADMIN_TOKEN"))
            .validate("bus.toml", &[])
            .is_ok()
    );
}

#[tokio::test]
async fn the_admin_token_guards_everything_but_the_probes() {
    let dir = tempfile::tempdir().unwrap();
    let sims = common::simulators().await;
    let path = write_config(dir.path(), &sims, "");
    // sha256("a-long-admin-token")
    let digest = "49e16904fda5a5524d29494a9cce28da4ea388aa7e6df7c4e6fe7bf1e7b46af6";
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "admin_listen = \"127.0.0.1:0\"\n",
        &format!("admin_listen = \"127.0.0.1:0\"\nadmin_token_sha256 = \"{digest}\"\n"),
    );
    std::fs::write(&path, text).unwrap();
    let bus = start_from_file(&path).await;
    assert_eq!(
        admin(&bus, Method::GET, "/healthz", "").await.status,
        StatusCode::OK
    );
    admin(&bus, Method::GET, "/admin/partners", "")
        .await
        .problem(401, "unauthorized");
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let request = http::Request::get(format!("http://{}/admin/partners", bus.admin_addr()))
        .header("authorization", "Bearer a-long-admin-token")
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    assert_eq!(
        client.request(request).await.unwrap().status(),
        StatusCode::OK
    );
    bus.shutdown().await;
}

#[tokio::test]
async fn metrics_move_as_requests_flow() {
    let t = common::start().await;
    let value = |text: &str, series: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(series))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let before = String::from_utf8(t.admin("/metrics").await.body.to_vec()).unwrap();
    for _ in 0..3 {
        t.get("/v1/enterprises/1200123459").await.expect(200);
    }
    t.get("/v1/enterprises/0100109107").await;
    let after_answer = t.admin("/metrics").await;
    assert!(
        after_answer
            .header("content-type")
            .starts_with("application/openmetrics-text")
    );
    let after = String::from_utf8(after_answer.body.to_vec()).unwrap();
    let ok = r#"lienthong_requests_total{operation="getEnterprise",status="200",client="demo"}"#;
    let bad = r#"lienthong_requests_total{operation="getEnterprise",status="400",client="demo"}"#;
    assert_eq!(value(&after, ok) - value(&before, ok), 3.0);
    assert_eq!(value(&after, bad) - value(&before, bad), 1.0);
    let hits = r#"lienthong_cache_requests_total{result="hit"}"#;
    assert_eq!(value(&after, hits) - value(&before, hits), 2.0);
    let calls = r#"lienthong_partner_call_duration_seconds_count{partner="business-registry",operation="getEnterprise",outcome="found"}"#;
    assert_eq!(value(&after, calls) - value(&before, calls), 1.0);
    assert!(value(&after, "lienthong_audit_commit_duration_seconds_count") >= 4.0);
    assert!(after.contains(r#"lienthong_breaker_state{partner="business-registry"} 0"#));
    assert!(after.trim_end().ends_with("# EOF"));
    t.stop().await;
}

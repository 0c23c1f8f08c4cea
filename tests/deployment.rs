//! What an operator deploys: the compose stack refuses to start without its secrets, the
//! bundled nginx keeps query strings (names, birth dates) out of its logs, the embedded
//! database is readable by the bus's user alone, instances starting together on an empty
//! PostgreSQL all come up, and readiness probes from a load balancer neither hammer the
//! partners nor tell strangers where they are.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lienthong_core::config::StorageConfig;
use lienthong_core::store::Store;
use serde_json::json;

fn shipped(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
}

/// Every `${...}` interpolation in `text`.
fn interpolations(text: &str) -> Vec<&str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(inner, _)| inner))
        .collect()
}

#[test]
fn compose_fails_instead_of_falling_back_to_demo_secrets() {
    let text = shipped("docker/compose.yaml");
    let parsed: serde_json::Value = serde_norway::from_str(&text).unwrap();
    assert!(parsed["services"]["bus1"].is_object(), "{parsed}");
    let found = interpolations(&text);
    assert!(!found.is_empty());
    for inner in found {
        let (name, rule) = inner
            .split_once(":?")
            .unwrap_or_else(|| panic!("${{{inner}}} has a fallback or no error when unset"));
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
            "${{{inner}}}"
        );
        assert!(
            rule.trim().len() > 10,
            "${{{inner}}} must say how to set {name}"
        );
    }
    for secret in [
        "LIENTHONG_ONE_STOP_SHOP_KEY",
        "LIENTHONG_WEBHOOK_SECRET",
        "LIENTHONG_BHXH_PASSWORD",
        "POSTGRES_PASSWORD",
        "LIENTHONG_ADMIN_TOKEN",
        "LIENTHONG_CACHE_KEY",
    ] {
        assert!(text.contains(&format!("${{{secret}:?")), "{secret}");
    }
}

#[test]
fn nginx_logs_no_query_strings() {
    let text = shipped("docker/nginx.conf");
    let directives: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .collect();
    let joined = directives.join(" ");
    let format = joined
        .split("log_format ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("nginx.conf declares its own log_format");
    let name = format.split_whitespace().next().unwrap();
    for leaky in [
        "$request ",
        "$request'",
        "$request\"",
        "$request_uri",
        "$args",
        "$query_string",
        "$arg_",
        "$http_referer",
    ] {
        assert!(!format.contains(leaky), "log_format uses {leaky}: {format}");
    }
    assert!(!format.trim_end().ends_with("$request"), "{format}");
    // The path is logged through a map that hides the insurance code (a personal
    // identifier) of participant lookups.
    assert!(
        !format.contains("$uri") && format.contains("$logged_path"),
        "log the mapped path, never the raw one: {format}"
    );
    assert!(
        joined.contains("map $uri $logged_path")
            && joined.contains("~^/v1/insurance/participants/"),
        "{joined}"
    );
    for line in directives.iter().filter(|l| l.starts_with("error_log")) {
        assert!(
            line.contains(" crit") || line.contains(" alert") || line.contains(" emerg"),
            "error entries quote the request line with its query: {line}"
        );
    }
    let access_logs: Vec<&&str> = directives
        .iter()
        .filter(|l| l.starts_with("access_log"))
        .collect();
    assert!(!access_logs.is_empty());
    for line in access_logs {
        assert!(
            line.trim_end_matches(';').ends_with(&format!(" {name}")) || line.contains(" off"),
            "access_log without the query-free format: {line}"
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_database_is_private_to_the_bus_user() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let data_dir = parent.path().join("data");
    let config = StorageConfig {
        data_dir: data_dir.clone(),
        ..StorageConfig::default()
    };
    let store = Store::open(&config).await.unwrap();
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data_dir), 0o700, "data directory");
    let files: Vec<_> = std::fs::read_dir(&data_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("lienthong.db")),
        "{files:?}"
    );
    // The database and its WAL and shared-memory files.
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_on_an_empty_postgres_all_start() {
    let url = common::postgres_url().await;
    let config = StorageConfig {
        url: Some(url),
        max_connections: 2,
        ..StorageConfig::default()
    };
    let opening: Vec<_> = (0..8)
        .map(|_| {
            let config = config.clone();
            tokio::spawn(async move { Store::open(&config).await })
        })
        .collect();
    let mut stores = Vec::new();
    for task in opening {
        stores.push(
            task.await
                .unwrap()
                .unwrap_or_else(|e| panic!("an instance failed to start: {e}")),
        );
    }
    for store in stores {
        store.close().await;
    }
}

/// A TCP listener that counts the connections made to it (a partner's host:port).
async fn connection_counter() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (url, count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_readiness_probes_share_one_round() {
    let (url, connections) = connection_counter().await;
    let t = common::start_with(|c| {
        c.partners.get_mut("business-registry").unwrap().base_url = url.clone();
    })
    .await;
    let answers = futures::future::join_all((0..50).map(|_| t.admin("/readyz"))).await;
    for answer in &answers {
        assert_eq!(
            answer.expect(200)["partners"]["business-registry"]["ok"],
            true
        );
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "50 concurrent /readyz probed the partner more than once"
    );
    t.stop().await;
}

#[tokio::test]
async fn readiness_details_are_kept_behind_the_admin_token() {
    // sha256("a-long-admin-token")
    let digest = "49e16904fda5a5524d29494a9cce28da4ea388aa7e6df7c4e6fe7bf1e7b46af6";
    let t = common::start_with(|c| c.server.admin_token_sha256 = Some(digest.into())).await;
    let url = |path: &str| format!("http://{}{path}", t.bus.admin_addr());
    let token = [("authorization", "Bearer a-long-admin-token".to_owned())];
    let bare = t.admin("/readyz").await;
    assert_eq!(bare.expect(200), json!({"status": "ready"}));
    let wrong = [("authorization", "Bearer wrong".to_owned())];
    let guessed = t.raw(http::Method::GET, &url("/readyz"), &wrong, "").await;
    assert_eq!(guessed.expect(200), json!({"status": "ready"}));
    let detailed = t.raw(http::Method::GET, &url("/readyz"), &token, "").await;
    let details = detailed.expect(200);
    assert_eq!(details["status"], "ready");
    assert_eq!(
        details["partners"]["business-registry"]["ok"], true,
        "{details}"
    );
    assert_eq!(details["audit"]["ok"], true, "{details}");

    let on = [
        token[0].clone(),
        ("content-type", "application/json".to_owned()),
    ];
    t.raw(
        http::Method::POST,
        &url("/admin/maintenance"),
        &on,
        r#"{"on": true}"#,
    )
    .await
    .expect(200);
    let draining = t.admin("/readyz").await;
    assert_eq!(draining.expect(503), json!({"status": "not_ready"}));
    let why = t.raw(http::Method::GET, &url("/readyz"), &token, "").await;
    assert_eq!(why.expect(503)["maintenance"], true);
    t.stop().await;
}

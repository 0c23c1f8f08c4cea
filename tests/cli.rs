//! The real binary: `check` explains configuration problems, `demo` answers the
//! documented examples with zero setup and stops cleanly on SIGTERM.

#![allow(clippy::unwrap_used)]

use std::process::Stdio;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

#[tokio::test]
async fn check_accepts_the_shipped_configs() {
    for file in ["config/lienthong.example.toml", "docker/lienthong.toml"] {
        let out = Command::new(BIN)
            .args(["check", "--config", file])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("valid") && stdout.contains("judicial-records"),
            "{file}: {stdout}"
        );
    }
}

/// Runs `lienthong check` on `text`; returns whether it passed and what it printed on stderr.
async fn check(dir: &std::path::Path, text: &str) -> (bool, String, String) {
    let path = dir.join("bad.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(BIN)
        .args(["check", "--config"])
        .arg(&path)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), path.display().to_string(), stderr)
}

#[tokio::test]
async fn check_names_file_key_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, file, stderr) = check(
        dir.path(),
        "[partners.business-registry]\nbase_url = \"ftp://nowhere\"\nconsumer_code = \"H82\"\n\n[[clients]]\nid = \"x\"\napi_key_sha256 = \"zz\"\n",
    )
    .await;
    assert!(!ok);
    assert!(
        stderr.contains(&format!("{file}: partners.business-registry.base_url:")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{file}: clients[0].api_key_sha256:")),
        "{stderr}"
    );
    assert_eq!(stderr.matches("Fix:").count(), 2, "{stderr}");

    let (ok, file, stderr) = check(dir.path(), "[server]\nlisten = 8080\n").await;
    assert!(!ok);
    assert!(
        stderr.starts_with(&format!("{file}: server.listen (line 2): invalid type")),
        "{stderr}"
    );
}

async fn get(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    url: String,
    key: bool,
) -> (u16, String, serde_json::Value) {
    let mut request = Request::get(url);
    if key {
        request = request.header("authorization", "ApiKey demo-key");
    }
    let response = client
        .request(request.body(Full::new(Bytes::new())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn demo_answers_the_documented_examples_and_stops_on_sigterm() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--admin-listen",
            "127.0.0.1:0",
            "--latency-median-ms",
            "0",
        ])
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let api = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.trim().strip_prefix("API") {
                return rest.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("demo exited before printing its address");
    })
    .await
    .unwrap();

    let client = Client::builder(TokioExecutor::new()).build_http();
    let (status, content_type, body) =
        get(&client, format!("{api}/v1/enterprises/1200123459"), true).await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    assert_eq!(body["enterprise_code"], "1200123459");
    let expect = [
        ("/v1/enterprises/0100109107", true, 400),
        ("/v1/enterprises/1200123459", false, 401),
        ("/v1/enterprises/9876543202", true, 404),
        ("/v1/enterprises/1200000016", true, 403),
    ];
    for (path, key, want) in expect {
        let (status, content_type, body) = get(&client, format!("{api}{path}"), key).await;
        assert_eq!(
            (status, content_type.as_str()),
            (want, "application/problem+json"),
            "{path}: {body}"
        );
    }
    let (status, _, doc) = get(&client, format!("{api}/openapi.json"), false).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));

    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "demo exited with {status}");
}

#[tokio::test]
async fn check_refuses_two_clients_with_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[[clients]]\nid = \"one-stop-shop\"\napi_key = \"shared-key-123\"\nallow = [\"*\"]\n\n\
                [[clients]]\nid = \"portal\"\napi_key = \"shared-key-123\"\nallow = [\"*\"]\n";
    let (ok, file, stderr) = check(dir.path(), text).await;
    assert!(!ok, "two clients with one key passed check");
    assert!(
        stderr.contains(&format!(
            "{file}: clients[1].api_key: is the same API key as clients[0] (`one-stop-shop`)"
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains("shared-key-123"),
        "the key was echoed: {stderr}"
    );
}

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

/// The variables the example configuration names in its `*_env` keys, with values of
/// the form each needs.
const EXAMPLE_VARIABLES: [(&str, &str); 3] = [
    (
        "LIENTHONG_WEBHOOK_SECRET",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ),
    ("LIENTHONG_PORTAL_KEY", "portal-key-0123456789"),
    ("LIENTHONG_BHXH_PASSWORD", "bhxh-password"),
];

/// The variables docker/lienthong.toml names (docker/compose.yaml sets them).
const DOCKER_VARIABLES: [(&str, &str); 5] = [
    (
        "LIENTHONG_ONE_STOP_SHOP_KEY",
        "one-stop-shop-key-0123456789",
    ),
    (
        "LIENTHONG_WEBHOOK_SECRET",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ),
    ("LIENTHONG_BHXH_PASSWORD", "bhxh-password"),
    (
        "LIENTHONG_CACHE_KEY",
        "0123456789abcdef0123456789abcdef0123456789abcdef",
    ),
    ("LIENTHONG_ADMIN_TOKEN", "admin-token-0123456789abcdef"),
];

/// `lienthong ARGS` with exactly `variables` of all the `LIENTHONG_*` ones set.
fn lienthong(args: &[&str], variables: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for (name, _) in std::env::vars() {
        if name.starts_with("LIENTHONG_") {
            command.env_remove(name);
        }
    }
    command.envs(variables.iter().copied());
    command
}

/// Runs `lienthong check --config FILE`: whether it passed, its stdout and stderr.
async fn check_file(file: &str, variables: &[(&str, &str)]) -> (bool, String, String) {
    let out = lienthong(&["check", "--config", file], variables)
        .output()
        .await
        .unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

/// docker/lienthong.toml as its containers see it: the audit keys that compose.yaml
/// mounts made by `lienthong audit keygen`, and the state volume, in `dir`.
async fn docker_config(dir: &std::path::Path) -> String {
    let keys = dir.join("keys");
    let state = dir.join("state");
    std::fs::create_dir_all(&state).unwrap();
    let keygen = lienthong(&["audit", "keygen", "--out", keys.to_str().unwrap()], &[])
        .output()
        .await
        .unwrap();
    assert!(keygen.status.success(), "{keygen:?}");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docker/lienthong.toml"
    ))
    .unwrap()
    .replace("/etc/lienthong/keys", keys.to_str().unwrap())
    .replace("/var/lib/lienthong", state.to_str().unwrap());
    let path = dir.join("lienthong.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn check_accepts_the_shipped_configs() {
    let dir = tempfile::tempdir().unwrap();
    let docker = docker_config(dir.path()).await;
    for (file, variables) in [
        ("config/lienthong.example.toml", &EXAMPLE_VARIABLES[..]),
        (docker.as_str(), &DOCKER_VARIABLES[..]),
    ] {
        let (ok, stdout, stderr) = check_file(file, variables).await;
        assert!(ok, "{file}: {stderr}");
        assert!(
            stdout.contains("valid") && stdout.contains("judicial-records"),
            "{file}: {stdout}"
        );
    }
}

#[tokio::test]
async fn check_names_every_unset_variable_of_the_example_config() {
    let (ok, _, stderr) = check_file("config/lienthong.example.toml", &[]).await;
    assert!(!ok, "the example passed check without its variables");
    for (key, variable) in [
        ("clients[0].webhook_secret_env", "LIENTHONG_WEBHOOK_SECRET"),
        ("clients[1].api_key_env", "LIENTHONG_PORTAL_KEY"),
        (
            "partners.social-insurance.password_env",
            "LIENTHONG_BHXH_PASSWORD",
        ),
    ] {
        let line = format!(
            "config/lienthong.example.toml: {key}: environment variable {variable} is not set. \
             Fix: export {variable}"
        );
        assert!(stderr.contains(&line), "{line}\nnot in:\n{stderr}");
    }
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
}

/// The keys of the issues `lienthong` printed for `file`, in order.
fn issue_keys(file: &str, stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix(&format!("{file}: ")))
        .filter_map(|rest| rest.split_once(": ").map(|(key, _)| key.to_owned()))
        .collect()
}

#[tokio::test]
async fn check_reports_three_mistakes_each_with_its_own_fix() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[server]\nheader_read_timeout = 10\n\n\
                [partners.business-registry]\nbase_url = \"http://127.0.0.1:9001\"\n\
                consumer_code = \"H82\"\nrate = \"fast\"\n\n\
                [[clients]]\nid = \"x\"\napi_key_sha256 = \"zz\"\nallow = [\"*\"]\n";
    let (ok, file, stderr) = check(dir.path(), text).await;
    assert!(!ok);
    assert_eq!(
        issue_keys(&file, &stderr),
        [
            "partners.business-registry.rate (line 7)",
            "server.header_read_timeout (line 2)",
            "clients[0].api_key_sha256",
        ],
        "{stderr}"
    );
    let fixes: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.split_once(". Fix: ").map(|(_, fix)| fix))
        .collect();
    assert!(fixes[0].contains("\"20/s\""), "{stderr}");
    assert!(fixes[1].contains("\"10s\""), "{stderr}");
    assert!(fixes[2].contains("sha256sum"), "{stderr}");
    assert!(
        !stderr.contains("correct the TOML syntax"),
        "a type error was called a syntax error: {stderr}"
    );
}

#[tokio::test]
async fn serve_refuses_before_binding_exactly_what_check_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let base = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"\n\
         [storage]\ndata_dir = \"{}\"\n",
        data.display()
    );
    let broken = [
        // Variables that `*_env` keys name, unset.
        "[[clients]]\nid = \"portal\"\napi_key_env = \"LIENTHONG_TEST_UNSET_KEY\"\nallow = [\"*\"]\n\
         [partners.social-insurance]\nbase_url = \"http://127.0.0.1:9\"\nconsumer_code = \"H82\"\n\
         username = \"h82\"\npassword_env = \"LIENTHONG_TEST_UNSET_PASSWORD\"\n",
        // Files that cannot be read, and a cache secret that is not there.
        "[server.tls]\ncert_file = \"/nonexistent/cert.pem\"\nkey_file = \"/nonexistent/key.pem\"\n\
         [cache]\nkey_env = \"LIENTHONG_TEST_UNSET_CACHE_KEY\"\n\
         [audit]\ncheckpoint_key_file = \"/nonexistent/audit.pem\"\n\
         checkpoint_file = \"/nonexistent/checkpoints.jsonl\"\n",
        // URLs no driver accepts.
        "[redis]\nurl = \"redis://[::1\"\n",
        // Type errors and a bad value together.
        "[telemetry]\nsample_ratio = \"all\"\n[[clients]]\nid = \"x\"\napi_key_sha256 = \"zz\"\n",
    ];
    for (i, extra) in broken.iter().enumerate() {
        let path = dir.path().join(format!("broken-{i}.toml"));
        std::fs::write(&path, format!("{base}{extra}")).unwrap();
        let file = path.display().to_string();
        let (ok, _, checked) = check_file(&file, &[]).await;
        assert!(!ok, "{file} passed check");
        let serve = lienthong(&["serve", "--config", &file], &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let served = tokio::time::timeout(Duration::from_secs(60), serve.wait_with_output())
            .await
            .expect("serve did not refuse the configuration")
            .unwrap();
        let served_err = String::from_utf8_lossy(&served.stderr);
        assert!(!served.status.success(), "{file}: serve started");
        let keys = issue_keys(&file, &checked);
        assert!(!keys.is_empty(), "{checked}");
        assert_eq!(
            keys,
            issue_keys(&file, &served_err),
            "{file}:\n{checked}\n---\n{served_err}"
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

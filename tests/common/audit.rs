//! Helpers of the audit-log tests: the records through the admin API, a raw connection to
//! the store, the CLI, and an application to submit.

use std::process::Output;

use lienthong_core::config::Config;
use serde_json::Value;

use super::TestBus;

/// The `lienthong` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

/// Runs `lienthong args…` and waits for it.
pub async fn cli(args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .output()
        .await
        .unwrap()
}

/// Every record (up to 10,000) matching the `/admin/audit` query suffix `query`.
pub async fn records(t: &TestBus, query: &str) -> Vec<Value> {
    let doc = t
        .admin(&format!("/admin/audit?limit=10000{query}"))
        .await
        .expect(200);
    doc["records"].as_array().unwrap().clone()
}

/// A raw connection to the bus's store (SQLite file, or the PostgreSQL schema).
pub async fn store_pool(t: &TestBus) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = match &t.config.storage.url {
        Some(url) => url.clone(),
        None => format!(
            "sqlite://{}",
            t.config.storage.data_dir.join("lienthong.db").display()
        ),
    };
    sqlx::AnyPool::connect(&url).await.unwrap()
}

/// The judicial-records fixture application for `dossier`, without a callback.
pub fn application(dossier: &str) -> Value {
    let mut body: Value = serde_json::from_str(include_str!(
        "../../adapters/judicial-records/fixtures/application.json"
    ))
    .unwrap();
    body["dossier_code"] = Value::from(dossier);
    body.as_object_mut().unwrap().remove("callback_url");
    body
}

/// Runs `test` on the embedded SQLite store, then on a fresh PostgreSQL schema; `test`
/// gets the edit that selects the store.
pub async fn on_both_stores(test: impl AsyncFn(Box<dyn FnOnce(&mut Config) + Send>)) {
    test(Box::new(|_| {})).await;
    let url = super::postgres_url().await;
    test(Box::new(move |c: &mut Config| c.storage.url = Some(url))).await;
}

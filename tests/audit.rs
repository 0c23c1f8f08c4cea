//! The audit log end to end: one record per answered request to an operation (under
//! concurrency), identifiers only as digests, a hash chain that names the first edited
//! record, search, archiving that keeps the chain verifiable, and answers withheld when
//! the log cannot be written; two instances on one PostgreSQL extend one chain.

#![allow(clippy::unwrap_used)]

mod common;

use common::audit::{cli, on_both_stores, records, store_pool};

use std::time::Duration;

use futures::future::join_all;
use lienthong_core::audit::chain::{Checker, GENESIS, StoredRecord};
use lienthong_core::config::AuditFailure;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answered_operation_request_is_recorded_once() {
    on_both_stores(async |store| {
        let t = common::start_with(|c| {
            store(c);
            c.clients.push(common::portal_client(&["legal-documents"]));
        })
        .await;
        let paths = [
            "/v1/enterprises/1200123459", // found, then cache hits
            "/v1/enterprises/9876543202", // not found
            "/v1/enterprises/0100109107", // invalid input
            "/v1/enterprises/1200000016", // not shareable
        ];
        let mut requests = Vec::new();
        for i in 0..160 {
            requests.push(t.send(
                http::Method::GET,
                paths[i % paths.len()],
                &[
                    ("x-dossier-code", "000.00.82.H58-260101-0042"),
                    ("x-user-id", "canbo.an"),
                ],
                "",
            ));
        }
        let answers = join_all(requests).await;
        assert!(answers.iter().all(|a| a.status.as_u16() < 500));
        // After the burst (one flight per key), a sequential request is a cache hit.
        assert_eq!(t.get(paths[0]).await.header("x-cache"), "hit");
        // Refusals count too; requests that reach no operation do not.
        t.get_as_portal("/v1/enterprises/1200123459", &[])
            .await
            .problem(403, "access-denied");
        t.get("/v1/services").await.expect(200);
        t.get("/v1/nowhere").await.problem(404, "no-such-operation");

        let recorded = records(&t, "").await;
        assert_eq!(
            recorded.len(),
            162,
            "one record per answered operation request"
        );
        let count = |outcome: &str| recorded.iter().filter(|r| r["outcome"] == outcome).count();
        assert_eq!(
            (
                count("ok"),
                count("record-not-found"),
                count("invalid-input")
            ),
            (41, 40, 40)
        );
        assert_eq!((count("not-shareable"), count("access-denied")), (40, 1));
        assert!(recorded.iter().any(|r| r["cache"] == "hit"));
        let first = recorded.iter().find(|r| r["outcome"] == "ok").unwrap();
        assert_eq!(first["dossier_code"], "000.00.82.H58-260101-0042");
        assert_eq!(first["user_id"], "canbo.an");
        assert_eq!(first["client"], "demo");
        assert_eq!(first["input_digest"].as_str().unwrap().len(), 64);
        assert!(
            recorded
                .iter()
                .all(|r| !r.to_string().contains("1200123459")),
            "identifiers in clear"
        );
        let partner_calls = recorded
            .iter()
            .filter(|r| r["partner_request_id"].is_string())
            .count();
        assert_eq!(
            partner_calls as u64,
            t.sim("business-registry").stats().requests
        );

        // The chain verifies record by record.
        let mut checker = Checker::new(0, GENESIS.into());
        for record in &recorded {
            let stored: StoredRecord = serde_json::from_value(record.clone()).unwrap();
            assert_eq!(checker.check(&stored), None);
        }
        t.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_extend_one_chain() {
    let url = common::postgres_url().await;
    let t = common::start_with(|c| c.storage.url = Some(url)).await;
    let dir = tempfile::tempdir().unwrap();
    let other = t.another(dir.path()).await;
    let bases = [
        format!("http://{}", t.api()),
        format!("http://{}", other.api_addr()),
    ];
    let paths = ["/v1/enterprises/1200123459", "/v1/enterprises/9876543202"];
    let authorization = &[("authorization", "ApiKey demo-key".to_owned())];
    let bus = &t;
    let mut requests = Vec::new();
    for i in 0..200 {
        let url = format!("{}{}", bases[i % 2], paths[(i / 2) % 2]);
        requests.push(async move {
            bus.raw(http::Method::GET, &url, authorization, "")
                .await
                .status
        });
    }
    let answered = join_all(requests)
        .await
        .iter()
        .filter(|status| status.as_u16() < 500)
        .count();
    assert_eq!(answered, 200);

    // Both instances appended to one chain: every record once, each linked to the last.
    let verification = lienthong_core::audit::chain::verify(&other_store(&t).await, None)
        .await
        .unwrap();
    assert_eq!(verification.broken, None);
    assert_eq!(verification.checked, 200);
    other.shutdown().await;
    t.stop().await;
}

/// The bus's store opened anew, as another process would.
async fn other_store(t: &common::TestBus) -> lienthong_core::store::Store {
    lienthong_core::store::Store::open(&t.config.storage)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_one_record_breaks_verification_there() {
    on_both_stores(async |store| {
        let t = common::start_with(store).await;
        for path in [
            "/v1/enterprises/1200123459",
            "/v1/enterprises/1200555554",
            "/v1/enterprises/9876543202",
        ] {
            t.get(path).await;
        }
        let source = match &t.config.storage.url {
            Some(_) => {
                let dir = tempfile::tempdir().unwrap().keep();
                let file = dir.join("bus.toml");
                let url = t.config.storage.url.clone().unwrap();
                std::fs::write(&file, format!("[storage]\nurl = \"{url}\"\n")).unwrap();
                vec!["--config".to_owned(), file.display().to_string()]
            }
            None => vec![
                "--data-dir".to_owned(),
                t.config.storage.data_dir.display().to_string(),
            ],
        };
        let args = |command: &str| {
            let mut all = vec!["audit".to_owned(), command.to_owned()];
            all.extend(source.iter().cloned());
            all
        };
        let verify = args("verify");
        let verify: Vec<&str> = verify.iter().map(String::as_str).collect();
        let intact = cli(&verify).await;
        assert!(
            intact.status.success(),
            "{}",
            String::from_utf8_lossy(&intact.stdout)
        );
        assert!(String::from_utf8_lossy(&intact.stdout).contains("3 records verified"));

        let pool = store_pool(&t).await;
        sqlx::query("UPDATE audit_records SET outcome = 'ok' WHERE seq = 3")
            .execute(&pool)
            .await
            .unwrap();
        let broken = cli(&verify).await;
        assert!(!broken.status.success());
        let text = String::from_utf8_lossy(&broken.stdout);
        assert!(
            text.contains("broken at record 3") && text.contains("changed"),
            "{text}"
        );

        let search = args("search");
        let mut search: Vec<&str> = search.iter().map(String::as_str).collect();
        search.extend(["--client", "demo", "--since", "2020-01-01"]);
        let found = cli(&search).await;
        assert_eq!(String::from_utf8_lossy(&found.stdout).lines().count(), 3);
        pool.close().await;
        t.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_by_dossier_and_archive_keep_the_chain_verifiable() {
    let t = common::start().await;
    for (path, dossier) in [
        ("/v1/enterprises/1200123459", "000.00.82.H58-260101-0101"),
        ("/v1/enterprises/1200555554", "000.00.82.H58-260101-0102"),
        (
            "/v1/enterprises/1200123459-001",
            "000.00.82.H58-260101-0101",
        ),
    ] {
        t.send(http::Method::GET, path, &[("x-dossier-code", dossier)], "")
            .await
            .expect(200);
    }
    let dir = t.config.storage.data_dir.display().to_string();
    let out = cli(&[
        "audit",
        "search",
        "--data-dir",
        &dir,
        "--dossier",
        "000.00.82.H58-260101-0101",
    ])
    .await;
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|l| l["dossier_code"] == "000.00.82.H58-260101-0101")
    );

    let archive = tempfile::tempdir().unwrap();
    let file = archive.path().join("audit-2026.jsonl");
    let file_arg = file.display().to_string();
    let moved = cli(&[
        "audit",
        "archive",
        "--data-dir",
        &dir,
        "--before",
        "2999-01-01",
        "--out",
        &file_arg,
    ])
    .await;
    assert!(
        moved.status.success(),
        "{}",
        String::from_utf8_lossy(&moved.stderr)
    );
    assert!(String::from_utf8_lossy(&moved.stdout).contains("archived 3 records"));
    assert_eq!(records(&t, "").await.len(), 0);

    // The archive verifies from the start; the log goes on from the anchor and verifies.
    let mut checker = Checker::new(0, GENESIS.into());
    for line in std::fs::read_to_string(&file).unwrap().lines() {
        let stored: StoredRecord = serde_json::from_str(line).unwrap();
        assert_eq!(checker.check(&stored), None);
    }
    t.get("/v1/enterprises/1200123459").await.expect(200);
    let after = records(&t, "").await;
    assert_eq!(after[0]["seq"], 4);
    assert_eq!(after[0]["prev_hash"], checker.last_hash());
    let verify = cli(&["audit", "verify", "--data-dir", &dir]).await;
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_withheld_while_the_log_cannot_be_written() {
    on_both_stores(async |store| {
        let t = common::start_with(store).await;
        t.get("/v1/enterprises/1200123459").await.expect(200);
        let pool = store_pool(&t).await;
        sqlx::query("ALTER TABLE audit_records RENAME TO audit_records_away")
            .execute(&pool)
            .await
            .unwrap();
        let withheld = t.get("/v1/enterprises/1200123459").await;
        withheld.problem(503, "audit-unavailable");
        sqlx::query("ALTER TABLE audit_records_away RENAME TO audit_records")
            .execute(&pool)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        t.get("/v1/enterprises/1200123459").await.expect(200);
        assert_eq!(
            records(&t, "").await.len(),
            2,
            "the withheld answer left no record"
        );
        pool.close().await;
        t.stop().await;
    })
    .await;

    // Configured to answer anyway: the answer goes out, unlogged.
    let t = common::start_with(|c| c.audit.on_failure = AuditFailure::Answer).await;
    let pool = store_pool(&t).await;
    sqlx::query("ALTER TABLE audit_records RENAME TO audit_records_away")
        .execute(&pool)
        .await
        .unwrap();
    t.get("/v1/enterprises/1200123459").await.expect(200);
    pool.close().await;
    t.stop().await;
}

//! The audit log under a slow or busy store: a commit that cannot finish in time withholds
//! the answer (and the writer goes on), and archiving works in short transactions so that
//! requests keep being recorded while it runs.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::audit::{on_both_stores, records, store_pool};
use futures::future::join_all;
use lienthong_core::audit::chain::{Checker, GENESIS, StoredRecord};
use lienthong_core::audit::query;
use tokio::time::{Instant, timeout};

const LOOKUP: &str = "/v1/enterprises/1200123459";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_that_cannot_finish_in_time_withholds_the_answer() {
    on_both_stores(async |store| {
        let t = common::start_with(|c| {
            store(c);
            c.audit.commit_timeout = Duration::from_millis(300);
        })
        .await;
        t.get(LOOKUP).await.expect(200);

        // Another connection holds the chain's head: no commit can take it.
        let pool = store_pool(&t).await;
        let mut blocker = pool.begin().await.unwrap();
        let lock = match t.config.storage.url {
            Some(_) => "LOCK TABLE audit_head IN ACCESS EXCLUSIVE MODE",
            None => "UPDATE audit_head SET seq = seq WHERE id = 1",
        };
        sqlx::query(lock).execute(&mut *blocker).await.unwrap();
        for _ in 0..2 {
            let withheld = timeout(Duration::from_secs(20), t.get(LOOKUP))
                .await
                .expect("an answer although the log is stuck");
            withheld.problem(503, "audit-unavailable");
        }
        blocker.rollback().await.unwrap();

        // The writer was not wedged: answers resume once the store is free again.
        let deadline = Instant::now() + Duration::from_secs(20);
        while t.get(LOOKUP).await.status != 200 {
            assert!(Instant::now() < deadline, "answers did not resume");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let recorded = records(&t, "").await;
        assert!(
            recorded.iter().all(|r| r["status"] == 200),
            "a withheld answer left a record: {recorded:?}"
        );
        pool.close().await;
        t.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_recorded_while_an_archive_runs() {
    let url = common::postgres_url().await;
    let t = common::start_with(|c| c.storage.url = Some(url)).await;
    const RECORDS: usize = 600;
    for _ in 0..RECORDS / 30 {
        let burst = (0..30).map(|_| t.get(LOOKUP));
        assert!(join_all(burst).await.iter().all(|a| a.status == 200));
    }
    let before = lienthong_core::store::Store::open(&t.config.storage)
        .await
        .unwrap();
    let cutoff = chrono_now_ms();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.jsonl");
    let mut file = std::fs::File::create(&path).unwrap();
    let store = before.clone();
    let archiving = tokio::spawn(async move { query::archive(&store, cutoff, &mut file, 1).await });

    // Once the archive is under way, a request is recorded before the archive ends.
    let pool = store_pool(&t).await;
    let anchor = async || -> i64 {
        sqlx::query_scalar("SELECT anchor_seq FROM audit_head WHERE id = 1")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while anchor().await == 0 {
        assert!(Instant::now() < deadline, "the archive did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    t.send(
        http::Method::GET,
        LOOKUP,
        &[("x-request-id", "during-archive")],
        "",
    )
    .await
    .expect(200);
    let archived_meanwhile = anchor().await;
    assert!(
        archived_meanwhile < RECORDS as i64,
        "the request waited for the whole archive"
    );

    let archived = archiving.await.unwrap().unwrap();
    assert_eq!(archived.records, RECORDS as i64);
    let mut checker = Checker::new(0, GENESIS.into());
    for line in std::fs::read_to_string(&path).unwrap().lines() {
        let stored: StoredRecord = serde_json::from_str(line).unwrap();
        assert_eq!(checker.check(&stored), None);
    }
    assert_eq!(checker.result(None).checked, RECORDS as i64);
    let kept = records(&t, "").await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["request_id"], "during-archive");
    let verification = lienthong_core::audit::chain::verify(&before, None)
        .await
        .unwrap();
    assert_eq!(verification.broken, None);
    pool.close().await;
    before.close().await;
    t.stop().await;
}

fn chrono_now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(now.as_millis()).unwrap()
}

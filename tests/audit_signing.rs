//! The audit log's keys live outside the store: the identifier-digest key in a file (an
//! older version's key in the store is moved out), and an Ed25519 key that signs
//! checkpoints of the chain's head into a separate file. `audit verify` with the public
//! key catches what the hash chain alone cannot: a history rewritten consistently by
//! someone who can write the database, and records removed at the end.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::audit::{cli, records, store_pool};
use lienthong::{demo, openapi, partners};
use lienthong_core::Bus;
use lienthong_core::audit::chain::{self, StoredRecord};
use lienthong_core::audit::checkpoint::Checkpoint;
use lienthong_core::audit::keys::{self, KeyFiles};
use lienthong_core::config::Config;
use tokio::time::Instant;

const LOOKUP: &str = "/v1/enterprises/1200123459";

/// A bus signing a checkpoint every 2 records, with its keys and checkpoint file.
struct Signed {
    t: common::TestBus,
    keys: KeyFiles,
    checkpoints: PathBuf,
    _dir: tempfile::TempDir,
}

async fn signed_bus() -> Signed {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys::generate(&dir.path().join("keys")).unwrap();
    let checkpoints = dir.path().join("checkpoints.jsonl");
    let t = common::start_with(|c| {
        c.audit.checkpoint_key_file = Some(keys.checkpoint_key.clone());
        c.audit.checkpoint_file = Some(checkpoints.clone());
        c.audit.checkpoint_every = 2;
        c.audit.checkpoint_interval = Duration::from_secs(1);
    })
    .await;
    Signed {
        t,
        keys,
        checkpoints,
        _dir: dir,
    }
}

impl Signed {
    /// Answers `n` lookups, then waits until the last record is signed.
    async fn records(&self, n: i64) {
        for _ in 0..n {
            self.t.get(LOOKUP).await.expect(200);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.signed().iter().any(|c| c.seq == n) {
            assert!(Instant::now() < deadline, "record {n} was never signed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn signed(&self) -> Vec<Checkpoint> {
        std::fs::read_to_string(&self.checkpoints)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn data_dir(&self) -> String {
        self.t.config.storage.data_dir.display().to_string()
    }

    /// `audit verify` of the chain alone, and with the checkpoints and `public_key`.
    async fn verify(&self, public_key: &Path) -> (String, String) {
        let dir = self.data_dir();
        let alone = cli(&["audit", "verify", "--data-dir", &dir]).await;
        let signed = cli(&[
            "audit",
            "verify",
            "--data-dir",
            &dir,
            "--public-key",
            &public_key.display().to_string(),
            "--checkpoints",
            &self.checkpoints.display().to_string(),
        ])
        .await;
        assert!(
            alone.status.success(),
            "{}",
            String::from_utf8_lossy(&alone.stdout)
        );
        assert!(!signed.status.success());
        (
            String::from_utf8_lossy(&alone.stdout).into_owned(),
            String::from_utf8_lossy(&signed.stdout).into_owned(),
        )
    }
}

/// Every kept record, in order.
async fn chain_of(t: &common::TestBus) -> Vec<StoredRecord> {
    records(t, "")
        .await
        .into_iter()
        .map(|r| serde_json::from_value(r).unwrap())
        .collect()
}

/// Stores `records` with every hash recomputed from `prev`, and the head after them: what
/// someone with write access to the database can do.
async fn rewrite(pool: &sqlx::AnyPool, records: &mut [StoredRecord], mut prev: String) {
    for stored in records.iter_mut() {
        stored.prev_hash = prev.clone();
        stored.hash = chain::link(&prev, &chain::canonical(stored.seq, &stored.record));
        sqlx::query(
            "UPDATE audit_records SET client = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
        )
        .bind(stored.record.client.clone())
        .bind(&stored.prev_hash)
        .bind(&stored.hash)
        .bind(stored.seq)
        .execute(pool)
        .await
        .unwrap();
        prev = stored.hash.clone();
    }
    let last = records.last().unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(last.seq)
        .bind(&last.hash)
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consistent_rewrite_passes_the_chain_but_not_the_signed_checkpoints() {
    let s = signed_bus().await;
    s.records(6).await;
    let pool = store_pool(&s.t).await;
    let mut records = chain_of(&s.t).await;
    records[2].record.client = Some("someone-else".into());
    let prev = records[1].hash.clone();
    rewrite(&pool, &mut records[2..], prev).await;

    let (alone, signed) = s.verify(&s.keys.checkpoint_public_key).await;
    // The hash chain alone cannot tell: every hash was recomputed.
    assert!(alone.contains("6 records verified"), "{alone}");
    let first_after = s
        .signed()
        .iter()
        .map(|c| c.seq)
        .filter(|seq| *seq >= 3)
        .min()
        .unwrap();
    assert!(
        signed.contains(&format!("broken at record {first_after}:"))
            && signed.contains("signed checkpoint")
            && signed.contains("rewritten"),
        "{signed}"
    );
    pool.close().await;
    s.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_removed_at_the_end_are_caught_by_a_checkpoint_past_the_end() {
    let s = signed_bus().await;
    s.records(6).await;
    let pool = store_pool(&s.t).await;
    let records = chain_of(&s.t).await;
    sqlx::query("DELETE FROM audit_records WHERE seq > 4")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = 4, hash = $1 WHERE id = 1")
        .bind(&records[3].hash)
        .execute(&pool)
        .await
        .unwrap();

    let (alone, signed) = s.verify(&s.keys.checkpoint_public_key).await;
    assert!(alone.contains("4 records verified"), "{alone}");
    assert!(
        signed.contains("names record 6") && signed.contains("removed at the end"),
        "{signed}"
    );
    pool.close().await;
    s.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_do_not_verify_with_another_public_key() {
    let s = signed_bus().await;
    s.records(2).await;
    let other = tempfile::tempdir().unwrap();
    let other_keys = keys::generate(other.path()).unwrap();
    let (_, signed) = s.verify(&other_keys.checkpoint_public_key).await;
    assert!(
        signed.contains("does not verify with this public key"),
        "{signed}"
    );
    s.t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_signs_checkpoints_and_keeps_its_keys_outside_the_store() {
    let data = tempfile::tempdir().unwrap();
    let running = demo::start(&common::demo_options(data.path()))
        .await
        .unwrap();
    let url = format!("http://{}{LOOKUP}", running.bus.api_addr());
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let answer = client.request(common::authorized_get(url)).await.unwrap();
    assert_eq!(answer.status(), 200);
    running.bus.shutdown().await;
    for sim in running.simulators {
        sim.shutdown().await;
    }

    // Shutdown signed the last head; verify follows the command the demo prints.
    let command = demo::verify_command(data.path());
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let verified = cli(&args).await;
    let text = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{text}");
    assert!(
        text.contains("1 records verified; 1 of 1 signed checkpoints match"),
        "{text}"
    );

    let key_file = keys::default_identifier_key_file(&running.config.storage);
    assert_owner_only(&key_file);
    assert_owner_only(&data.path().join("keys").join(keys::CHECKPOINT_KEY_FILE));
    let store = lienthong_core::store::Store::open(&running.config.storage)
        .await
        .unwrap();
    assert_eq!(
        keys::stored_key(&store).await.unwrap(),
        None,
        "a key in the store"
    );
    store.close().await;
}

fn assert_owner_only(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{}", path.display());
}

/// A store as an older version left it: its identifier key in `audit_keys`.
async fn legacy_store(config: &Config) -> Vec<u8> {
    let store = lienthong_core::store::Store::open(&config.storage)
        .await
        .unwrap();
    let pool_url = config.storage.url.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}",
            config.storage.data_dir.join("lienthong.db").display()
        )
    });
    store.close().await;
    let pool = sqlx::AnyPool::connect(&pool_url).await.unwrap();
    let key = [7u8; 32];
    sqlx::query("INSERT INTO audit_keys (id, secret) VALUES (1, $1)")
        .bind(hex::encode(key))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    key.to_vec()
}

async fn start(config: &Config) -> Result<Bus, String> {
    Bus::start(
        config,
        None,
        &partners::adapters(),
        openapi::json().unwrap(),
    )
    .await
    .map_err(|e| e.to_string())
}

/// The demo configuration (on `sims`) with its data directory `dir`.
fn config_in(dir: &Path, sims: &[lienthong_adapter_kit::sim::SimServer]) -> Config {
    demo::config(&common::demo_options(dir), sims)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_an_older_version_kept_in_the_store_is_moved_out() {
    let sims = common::simulators().await;
    // SQLite, one instance: moved into data_dir/keys at start.
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), &sims);
    let key = legacy_store(&config).await;
    start(&config).await.unwrap().shutdown().await;
    let file = keys::default_identifier_key_file(&config.storage);
    assert_eq!(keys::read_key_file(&file).unwrap(), key);

    // PostgreSQL, shared by instances that must agree on the key: refused, with the fix.
    let mut config = config_in(dir.path(), &sims);
    config.storage.url = Some(common::postgres_url().await);
    std::fs::remove_file(&file).unwrap();
    let key = legacy_store(&config).await;
    let refused = start(&config).await.err().unwrap();
    assert!(refused.contains("audit export-key"), "{refused}");

    let source = dir.path().join("bus.toml");
    let url = config.storage.url.clone().unwrap();
    std::fs::write(&source, format!("[storage]\nurl = \"{url}\"\n")).unwrap();
    let exported = dir.path().join("identifier.key");
    let (source, exported_arg) = (source.display().to_string(), exported.display().to_string());
    let moved = cli(&[
        "audit",
        "export-key",
        "--config",
        &source,
        "--out",
        &exported_arg,
    ])
    .await;
    assert!(
        moved.status.success(),
        "{}",
        String::from_utf8_lossy(&moved.stderr)
    );
    assert_eq!(keys::read_key_file(&exported).unwrap(), key);

    config.audit.identifier_key_file = Some(exported.clone());
    start(&config).await.unwrap().shutdown().await;

    // A key file others may read is refused.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&exported, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = start(&config).await.err().unwrap();
    assert!(refused.contains("chmod 600"), "{refused}");
    for sim in sims {
        sim.shutdown().await;
    }
}

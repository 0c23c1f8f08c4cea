//! The hash chain: each record stores SHA-256 over the previous record's hash and its own
//! canonical bytes, so changing, removing or reordering any record breaks every hash
//! after it. Archiving old records moves the chain's anchor forward; what remains stays
//! verifiable from the anchor, and the archive from its own start.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::checkpoint::SignedHeads;
use crate::infra::store::Store;

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record as stored (the chained part and its hashes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecord {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The record itself.
    #[serde(flatten)]
    pub record: super::Record,
    /// Hash of the record before.
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and the canonical bytes.
    pub hash: String,
}

/// The canonical bytes of a record at `seq`: its JSON with fields in declaration order.
pub fn canonical(seq: i64, record: &super::Record) -> Vec<u8> {
    #[derive(Serialize)]
    struct Canonical<'a> {
        seq: i64,
        #[serde(flatten)]
        record: &'a super::Record,
    }
    serde_json::to_vec(&Canonical { seq, record }).unwrap_or_default()
}

/// `hex(SHA-256(prev_hash || "\n" || canonical))`. The chain is public knowledge: only the
/// signed checkpoints ([`super::checkpoint`]) stop a consistent rewrite.
pub fn link(prev_hash: &str, canonical: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical);
    hex::encode(hasher.finalize())
}

/// The columns of `audit_records` in select order.
pub(crate) const COLUMNS: &str = "seq, at, request_id, trace_id, client, user_id, dossier_code, \
    partner, operation, input_digest, outcome, status, cache, latency_ms, partner_request_id, \
    prev_hash, hash";

pub(crate) fn from_row(row: &AnyRow) -> Result<StoredRecord, sqlx::Error> {
    Ok(StoredRecord {
        seq: row.try_get("seq")?,
        record: super::Record {
            at: row.try_get("at")?,
            request_id: row.try_get("request_id")?,
            trace_id: row.try_get("trace_id")?,
            client: row.try_get("client")?,
            user_id: row.try_get("user_id")?,
            dossier_code: row.try_get("dossier_code")?,
            partner: row.try_get("partner")?,
            operation: row.try_get("operation")?,
            input_digest: row.try_get("input_digest")?,
            outcome: row.try_get("outcome")?,
            status: row.try_get("status")?,
            cache: row.try_get("cache")?,
            latency_ms: row.try_get("latency_ms")?,
            partner_request_id: row.try_get("partner_request_id")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Records checked.
    pub checked: i64,
    /// The first record that does not fit, with the reason; `None` when all fit.
    pub broken: Option<Broken>,
    /// Signed checkpoints the kept records (or the anchor) matched.
    pub checkpoints_matched: usize,
    /// Signed checkpoints of records archived before the anchor (not checked here).
    pub checkpoints_archived: usize,
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// Sequence number of the first record that does not fit (or that is missing).
    pub seq: i64,
    /// What is wrong there.
    pub reason: String,
}

/// The head of the chain: last record and anchor (the hash before the first record kept).
pub(crate) struct Head {
    pub(crate) seq: i64,
    pub(crate) hash: String,
    pub(crate) anchor_seq: i64,
    pub(crate) anchor_hash: String,
}

pub(crate) async fn head(store: &Store) -> Result<Head, sqlx::Error> {
    let row = sqlx::query("SELECT seq, hash, anchor_seq, anchor_hash FROM audit_head WHERE id = 1")
        .fetch_one(&store.pool)
        .await?;
    Ok(Head {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
        anchor_seq: row.try_get("anchor_seq")?,
        anchor_hash: row.try_get("anchor_hash")?,
    })
}

/// Checks every kept record from the anchor to the head, in pages, and — with `signed` —
/// that the chain goes through every signed checkpoint: a record whose hash differs from
/// its checkpoint's shows a rewrite, a checkpoint past the end a truncation.
pub async fn verify(
    store: &Store,
    signed: Option<&SignedHeads>,
) -> Result<Verification, sqlx::Error> {
    let head = head(store).await?;
    let empty = SignedHeads::default();
    let signed = signed.unwrap_or(&empty);
    let mut checker = Checker::new(head.anchor_seq, head.anchor_hash.clone());
    let archived = signed.by_seq.range(..head.anchor_seq).count();
    let mut matched = 0;
    let mut last_matched = head.anchor_seq;
    let result = |checker: &Checker, broken: Option<Broken>, matched: usize| Verification {
        checkpoints_matched: matched,
        checkpoints_archived: archived,
        ..checker.result(broken)
    };
    if let Some(broken) = against_checkpoint(signed, head.anchor_seq, &head.anchor_hash, 0) {
        return Ok(result(&checker, Some(broken), matched));
    } else if signed.at(head.anchor_seq).is_some() {
        matched += 1;
    }
    loop {
        let page = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_records WHERE seq > $1 ORDER BY seq LIMIT 1000"
        )))
        .bind(checker.seq)
        .fetch_all(&store.pool)
        .await?;
        if page.is_empty() {
            break;
        }
        for row in &page {
            let stored = from_row(row)?;
            let broken = checker
                .check(&stored)
                .or_else(|| against_checkpoint(signed, stored.seq, &stored.hash, last_matched));
            if broken.is_some() {
                return Ok(result(&checker, broken, matched));
            }
            if signed.at(stored.seq).is_some() {
                matched += 1;
                last_matched = stored.seq;
            }
        }
    }
    let broken = if checker.seq != head.seq || checker.hash != head.hash {
        Some(Broken {
            seq: checker.seq + 1,
            reason: format!(
                "the chain ends at record {} but its head says {} (records removed at the end?)",
                checker.seq, head.seq
            ),
        })
    } else {
        signed
            .by_seq
            .range(checker.seq + 1..)
            .next()
            .map(|(seq, (_, place))| Broken {
                seq: *seq,
                reason: format!(
                    "the signed checkpoint {place} names record {seq}, but the log ends at record {} (records removed at the end)",
                    checker.seq
                ),
            })
    };
    Ok(result(&checker, broken, matched))
}

/// `Some` when a signed checkpoint of record `seq` names another hash than `hash`.
fn against_checkpoint(
    signed: &SignedHeads,
    seq: i64,
    hash: &str,
    last_matched: i64,
) -> Option<Broken> {
    let (signed_hash, place) = signed.at(seq)?;
    (signed_hash != hash).then(|| Broken {
        seq,
        reason: format!(
            "its hash differs from the signed checkpoint {place}: records after {last_matched} up to this one were rewritten"
        ),
    })
}

/// Checks a sequence of records, starting after `seq` with `hash`.
pub struct Checker {
    seq: i64,
    hash: String,
    checked: i64,
}

impl Checker {
    /// Starts after record `seq` whose hash is `hash` (0 and [`GENESIS`] for a full chain).
    pub fn new(seq: i64, hash: String) -> Self {
        Self {
            seq,
            hash,
            checked: 0,
        }
    }

    /// Checks the next record; the reason when it does not fit.
    pub fn check(&mut self, stored: &StoredRecord) -> Option<Broken> {
        let broken = |reason: String| {
            Some(Broken {
                seq: self.seq + 1,
                reason,
            })
        };
        if stored.seq != self.seq + 1 {
            return broken(format!(
                "record {} is missing (found {} next)",
                self.seq + 1,
                stored.seq
            ));
        }
        if stored.prev_hash != self.hash {
            return broken("its previous hash is not the hash of the record before".into());
        }
        let expected = link(&self.hash, &canonical(stored.seq, &stored.record));
        if stored.hash != expected {
            return broken("its content does not match its hash (the record was changed)".into());
        }
        self.seq = stored.seq;
        self.hash = expected;
        self.checked += 1;
        None
    }

    /// The hash of the last record checked.
    pub fn last_hash(&self) -> &str {
        &self.hash
    }

    /// The verification so far (of the chain alone).
    pub fn result(&self, broken: Option<Broken>) -> Verification {
        Verification {
            checked: self.checked,
            broken,
            checkpoints_matched: 0,
            checkpoints_archived: 0,
        }
    }
}

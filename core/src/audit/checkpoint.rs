//! Signed checkpoints of the chain's head. Each time the chain has grown by
//! `checkpoint_every` records, every `checkpoint_interval` while it grows, and at
//! shutdown, an instance signs `{instance, seq, hash, at}` of the last record it committed
//! with an Ed25519 key kept outside the store, and appends the checkpoint to a JSON-lines
//! file, also outside the store. Someone who can write the database can recompute every
//! hash of a changed chain, but not these signatures: `lienthong audit verify
//! --public-key … --checkpoints …` finds the rewrite where the chain no longer matches a
//! checkpoint, and a truncation where a checkpoint names a record past the end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::head::ChainHead;
use crate::infra::store::now_ms;

/// One signed checkpoint: a line of the checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The instance that signed it (`telemetry.service_name`).
    pub instance: String,
    /// Sequence number of the record the checkpoint is of.
    pub seq: i64,
    /// That record's hash.
    pub hash: String,
    /// When it was signed (Unix ms).
    pub at: i64,
    /// Which key signed it: hex of the first 8 bytes of SHA-256 of the public key.
    pub key_id: String,
    /// Hex Ed25519 signature over the JSON of `{instance, seq, hash, at}`.
    pub signature: String,
}

/// The bytes a checkpoint's signature covers.
fn signed_bytes(instance: &str, seq: i64, hash: &str, at: i64) -> Vec<u8> {
    #[derive(Serialize)]
    struct Signed<'a> {
        instance: &'a str,
        seq: i64,
        hash: &'a str,
        at: i64,
    }
    serde_json::to_vec(&Signed {
        instance,
        seq,
        hash,
        at,
    })
    .unwrap_or_default()
}

/// The id of a verifying key, as checkpoints name it.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

impl Checkpoint {
    /// Signs `head` as of `at`.
    fn sign(key: &SigningKey, instance: &str, head: &ChainHead, at: i64) -> Self {
        let signature = key.sign(&signed_bytes(instance, head.seq, &head.hash, at));
        Self {
            instance: instance.to_owned(),
            seq: head.seq,
            hash: head.hash.clone(),
            at,
            key_id: key_id(&key.verifying_key()),
            signature: hex::encode(signature.to_bytes()),
        }
    }

    /// Whether `key` made the signature over exactly these fields.
    pub fn is_signed_by(&self, key: &VerifyingKey) -> bool {
        let mut bytes = [0u8; 64];
        if hex::decode_to_slice(&self.signature, &mut bytes).is_err() {
            return false;
        }
        let message = signed_bytes(&self.instance, self.seq, &self.hash, self.at);
        key.verify_strict(&message, &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

/// Checkpoints whose signatures verified, by the sequence number they are of.
#[derive(Debug, Clone, Default)]
pub struct SignedHeads {
    /// seq → (hash, where the checkpoint was read: `file:line`).
    pub(crate) by_seq: BTreeMap<i64, (String, String)>,
}

impl SignedHeads {
    /// Reads checkpoint `files` and checks every signature with `key`; the first line that
    /// is not a checkpoint, or whose signature does not verify, is the error. A last line
    /// without its newline (cut by a crash while it was written) is left out.
    pub fn read(files: &[PathBuf], key: &VerifyingKey) -> Result<Self, String> {
        let mut heads = Self::default();
        for file in files {
            let text =
                std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
            let complete = text.rfind('\n').map_or("", |end| &text[..end]);
            for (i, line) in complete.lines().enumerate() {
                let place = format!("{}:{}", file.display(), i + 1);
                let checkpoint: Checkpoint = serde_json::from_str(line)
                    .map_err(|e| format!("checkpoint {place} cannot be read: {e}"))?;
                if !checkpoint.is_signed_by(key) {
                    return Err(format!(
                        "checkpoint {place}: the signature does not verify with this public key (key id {}; the checkpoint names {})",
                        key_id(key),
                        checkpoint.key_id
                    ));
                }
                heads
                    .by_seq
                    .insert(checkpoint.seq, (checkpoint.hash, place));
            }
        }
        Ok(heads)
    }

    /// Checkpoints read.
    pub fn len(&self) -> usize {
        self.by_seq.len()
    }

    /// Whether none were read.
    pub fn is_empty(&self) -> bool {
        self.by_seq.is_empty()
    }

    /// The signed hash of record `seq` and where its checkpoint was read, if any.
    pub(crate) fn at(&self, seq: i64) -> Option<&(String, String)> {
        self.by_seq.get(&seq)
    }
}

/// What signs checkpoints of this instance's commits, and where they go.
pub(crate) struct CheckpointSink {
    pub(crate) key: SigningKey,
    pub(crate) instance: String,
    pub(crate) file: PathBuf,
    pub(crate) every: u64,
    pub(crate) interval: Duration,
}

impl CheckpointSink {
    /// Signs the latest of `heads` every `every` records or `interval`, and once more when
    /// `stop` turns true.
    pub(crate) fn spawn(
        self,
        mut heads: watch::Receiver<ChainHead>,
        mut stop: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut last = 0i64;
            let mut tick = tokio::time::interval(self.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let stopping = tokio::select! {
                    _ = tick.tick() => false,
                    changed = heads.changed() => {
                        let seq = heads.borrow_and_update().seq;
                        if changed.is_ok() && seq.saturating_sub(last) < self.every as i64 {
                            continue;
                        }
                        changed.is_err()
                    }
                    _ = stop.wait_for(|s| *s) => true,
                };
                let head = heads.borrow().clone();
                if head.seq > last {
                    match self.append(&head).await {
                        Ok(()) => last = head.seq,
                        Err(error) => tracing::error!(
                            %error, file = %self.file.display(), seq = head.seq,
                            "audit checkpoint not written"
                        ),
                    }
                }
                if stopping {
                    break;
                }
            }
        })
    }

    /// Appends the signed checkpoint of `head` and syncs the file.
    async fn append(&self, head: &ChainHead) -> std::io::Result<()> {
        let checkpoint = Checkpoint::sign(&self.key, &self.instance, head, now_ms());
        let mut line = serde_json::to_vec(&checkpoint).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .await?;
        file.write_all(&line).await?;
        file.sync_data().await
    }
}

/// Checks that the checkpoint sink's file can be appended to, creating it when `create`
/// (at start; without `create`, a missing file needs an existing folder).
pub(crate) fn check_writable(file: &Path, create: bool) -> Result<(), String> {
    let missing = !create && !file.exists();
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty());
    if missing && folder.is_some_and(|dir| !dir.is_dir()) {
        return Err(format!(
            "audit.checkpoint_file: {}: its folder does not exist. Fix: point it at a writable file outside the database",
            file.display()
        ));
    }
    if missing {
        return Ok(());
    }
    std::fs::OpenOptions::new()
        .create(create)
        .append(true)
        .open(file)
        .map(|_| ())
        .map_err(|e| {
            format!(
                "audit.checkpoint_file: {}: {e}. Fix: point it at a writable file outside the database",
                file.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_every_field_and_only_its_key_verifies_it() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let head = ChainHead {
            seq: 42,
            hash: "ab".repeat(32),
        };
        let checkpoint = Checkpoint::sign(&key, "bus1", &head, 1_700_000_000_000);
        assert!(checkpoint.is_signed_by(&key.verifying_key()));
        let other = SigningKey::from_bytes(&[2; 32]);
        assert!(!checkpoint.is_signed_by(&other.verifying_key()));
        for edit in [
            |c: &mut Checkpoint| c.seq += 1,
            |c: &mut Checkpoint| c.hash = "cd".repeat(32),
            |c: &mut Checkpoint| c.at -= 1,
            |c: &mut Checkpoint| c.instance = "bus2".into(),
            |c: &mut Checkpoint| c.signature = "00".into(),
        ] {
            let mut edited = checkpoint.clone();
            edit(&mut edited);
            assert!(!edited.is_signed_by(&key.verifying_key()), "{edited:?}");
        }
    }

    #[test]
    fn a_torn_last_line_is_left_out_and_a_bad_line_named() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("c.jsonl");
        let line = |seq| {
            let head = ChainHead {
                seq,
                hash: "ef".repeat(32),
            };
            serde_json::to_string(&Checkpoint::sign(&key, "bus1", &head, 1)).expect("json")
        };
        let text = format!("{}\n{}\n{{\"seq\":", line(1), line(2));
        std::fs::write(&file, text).expect("write");
        let heads = SignedHeads::read(std::slice::from_ref(&file), &key.verifying_key());
        assert_eq!(heads.map(|h| h.len()), Ok(2));
        std::fs::write(&file, format!("{}\nnot json\n", line(1))).expect("write");
        let error = SignedHeads::read(&[file], &key.verifying_key()).expect_err("bad line");
        assert!(error.contains("c.jsonl:2"), "{error}");
    }
}

//! [`ChainHead`]: where the chain ends, which the writer advances and checkpoints sign.

/// The end of the chain after a commit: the last record's sequence number and hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ChainHead {
    pub(crate) seq: i64,
    pub(crate) hash: String,
}

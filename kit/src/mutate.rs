//! Byte-level mutations of known-good inputs, for property tests that feed readers and
//! decoders what a broken or hostile partner might send: each edit flips a bit, cuts the
//! input short, splices a stretch of it in elsewhere, or repeats a stretch in place.
//! [`fuzz_decoder!`](crate::fuzz_decoder) makes the property tests of one adapter.

use std::path::Path;

use crate::adapter::{Adapter, OperationKind, Outcome, WireResponse};

/// The HTTP statuses fuzzed answers come with.
pub const STATUSES: [u16; 6] = [200, 400, 404, 429, 500, 503];

/// Property tests of one adapter's decoding, named `fuzz_…`: every fixture of the calling
/// crate mutated by up to eight edits, and random bytes, answered with each of
/// [`STATUSES`], go to `$check` (a `fn(&WireResponse)` that decodes and asserts), which
/// must never panic. The calling crate needs `proptest` among its dev-dependencies; each
/// property runs 256 cases (`PROPTEST_CASES` for more).
#[macro_export]
macro_rules! fuzz_decoder {
    ($check:expr) => {
        proptest::proptest! {
            #[test]
            fn fuzz_decode_mutated_fixtures(
                seed in proptest::prelude::any::<proptest::sample::Index>(),
                edits in proptest::collection::vec(
                    proptest::prelude::any::<(u8, usize, usize)>(), 0..8),
                status in proptest::sample::select(&$crate::mutate::STATUSES[..]),
            ) {
                let fixtures = $crate::mutate::fixtures(env!("CARGO_MANIFEST_DIR"));
                let seed: &Vec<u8> = seed.get(&fixtures);
                let body = $crate::mutate::mutate(seed, &edits);
                ($check)(&$crate::mutate::answer(status, body));
            }

            #[test]
            fn fuzz_decode_random_bytes(
                body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
                status in proptest::sample::select(&$crate::mutate::STATUSES[..]),
            ) {
                ($check)(&$crate::mutate::answer(status, body));
            }
        }
    };
}

/// Every file in `fixtures/` of the crate at `manifest_dir`, sorted by name.
pub fn fixtures(manifest_dir: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(manifest_dir).join("fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// A partner answer with `status` and `body`.
pub fn answer(status: u16, body: Vec<u8>) -> WireResponse {
    let status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    WireResponse::new(status, "text/xml; charset=utf-8", body)
}

/// Decodes `response` for every synchronous operation of `adapter` and asserts that a
/// failure always says what went wrong.
pub fn decode_every_call(adapter: &dyn Adapter, response: &WireResponse) {
    for op in adapter.operations() {
        if op.kind != OperationKind::Call {
            continue;
        }
        if let Outcome::Failed(failure) = adapter.decode(op, response) {
            assert!(!failure.detail.is_empty(), "{}: {failure:?}", op.id);
        }
    }
}

/// Longest stretch one splice or repetition copies.
const STRETCH: usize = 64;

/// `seed` with `edits` applied in order. Each edit is `(kind, at, other)`; positions are
/// taken modulo the current length, so every value is a valid edit.
pub fn mutate(seed: &[u8], edits: &[(u8, usize, usize)]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(kind, at, other) in edits {
        let len = bytes.len();
        if len == 0 {
            break;
        }
        let at = at % len;
        match kind % 4 {
            0 => bytes[at] ^= 1 << (other % 8),
            1 => bytes.truncate(at),
            2 => {
                let from = other % len;
                let stretch = bytes[from..len.min(from + STRETCH)].to_vec();
                bytes.splice(at..at, stretch);
            }
            _ => {
                let stretch = bytes[at..len.min(at + STRETCH)].to_vec();
                for _ in 0..other % 16 {
                    bytes.splice(at..at, stretch.iter().copied());
                }
            }
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_flip_cut_splice_and_repeat() {
        assert_eq!(mutate(b"abc", &[(0, 1, 0)]), b"acc");
        assert_eq!(mutate(b"abc", &[(1, 2, 0)]), b"ab");
        assert_eq!(mutate(b"abc", &[(2, 0, 2)]), b"cabc");
        assert_eq!(mutate(b"abc", &[(3, 2, 2)]), b"abccc");
        assert_eq!(mutate(b"", &[(0, 5, 5)]), b"");
        assert_eq!(mutate(b"ab", &[(1, 0, 0), (0, 9, 9)]), b"");
    }
}

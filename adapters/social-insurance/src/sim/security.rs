//! The partner's check of the WS-Security UsernameToken: known account, PasswordDigest
//! recomputed, `Created` at most 5 minutes old and 60 s ahead, nonce never seen before.
//!
//! Seen nonces are kept with their `Created` time and dropped once that time is more than
//! 5 minutes old (a replay would then be refused as stale anyway), so memory stays bounded
//! by the request rate.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};
use lienthong_adapter_kit::xml::Element;

use crate::wsse::{self, BASE64_BINARY, PASSWORD_DIGEST, WSSE_NS, WSU_NS};
use crate::{DEMO_PASSWORD, DEMO_USERNAME};

/// Oldest `Created` accepted, behind the partner's clock.
const MAX_AGE: TimeDelta = TimeDelta::minutes(5);
/// Furthest `Created` accepted, ahead of the partner's clock.
const MAX_AHEAD: TimeDelta = TimeDelta::seconds(60);

/// Why a token is refused (the fault reason, in the partner's words).
pub(crate) type Refused = &'static str;

/// Nonces accepted lately, indexed by `Created` for pruning.
#[derive(Debug, Default)]
struct Seen {
    by_created: BTreeSet<(DateTime<Utc>, Vec<u8>)>,
    nonces: HashSet<Vec<u8>>,
}

/// Verifies tokens and remembers their nonces.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    seen: Mutex<Seen>,
}

/// The parts of a UsernameToken.
struct Token<'a> {
    username: &'a str,
    digest: &'a str,
    nonce: Vec<u8>,
    created_text: &'a str,
    created: DateTime<Utc>,
}

impl Guard {
    /// Accepts the token in `header` at `now`, recording its nonce, or says why not.
    pub(crate) fn check(
        &self,
        header: Option<&Element>,
        now: DateTime<Utc>,
    ) -> Result<(), Refused> {
        let token = read_token(header)?;
        if token.username != DEMO_USERNAME {
            return Err(WRONG_ACCOUNT);
        }
        if token.created < now - MAX_AGE {
            return Err("Created đã quá 5 phút");
        }
        if token.created > now + MAX_AHEAD {
            return Err("Created vượt quá 60 giây so với giờ của hệ thống");
        }
        let expected = wsse::password_digest(&token.nonce, token.created_text, DEMO_PASSWORD);
        if !same(expected.as_bytes(), token.digest.as_bytes()) {
            return Err(WRONG_ACCOUNT);
        }
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.prune(now - MAX_AGE);
        if !seen.nonces.insert(token.nonce.clone()) {
            return Err("Nonce đã được sử dụng");
        }
        seen.by_created.insert((token.created, token.nonce));
        Ok(())
    }

    /// How many nonces are remembered.
    pub(crate) fn remembered(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .nonces
            .len()
    }
}

impl Seen {
    /// Forgets nonces created before `oldest`.
    fn prune(&mut self, oldest: DateTime<Utc>) {
        while let Some(first) = self.by_created.first() {
            if first.0 >= oldest {
                break;
            }
            if let Some((_, nonce)) = self.by_created.pop_first() {
                self.nonces.remove(&nonce);
            }
        }
    }
}

/// One reason for a wrong name or digest, so neither can be guessed apart.
const WRONG_ACCOUNT: Refused = "Tên đăng nhập hoặc mật khẩu không đúng";

fn read_token(header: Option<&Element>) -> Result<Token<'_>, Refused> {
    let token = header
        .and_then(|h| h.child(WSSE_NS, "Security"))
        .and_then(|s| s.child(WSSE_NS, "UsernameToken"))
        .ok_or("Thiếu wsse:Security/wsse:UsernameToken")?;
    let password = token
        .child(WSSE_NS, "Password")
        .ok_or("Thiếu wsse:Password")?;
    if password.attr("Type") != Some(PASSWORD_DIGEST) {
        return Err("wsse:Password phải có Type là PasswordDigest");
    }
    let nonce = token.child(WSSE_NS, "Nonce").ok_or("Thiếu wsse:Nonce")?;
    if nonce
        .attr("EncodingType")
        .is_some_and(|t| t != BASE64_BINARY)
    {
        return Err("wsse:Nonce phải mã hóa Base64Binary");
    }
    let created_text = token
        .child_text(WSU_NS, "Created")
        .ok_or("Thiếu wsu:Created")?;
    Ok(Token {
        username: token.child_text(WSSE_NS, "Username").unwrap_or_default(),
        digest: password.text(),
        nonce: wsse::decode_nonce(nonce.text()).ok_or("wsse:Nonce không hợp lệ")?,
        created_text,
        created: wsse::parse_created(created_text)
            .ok_or("wsu:Created phải có dạng yyyy-MM-ddTHH:mm:ss[.sss]Z")?,
    })
}

/// Compares two byte strings in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

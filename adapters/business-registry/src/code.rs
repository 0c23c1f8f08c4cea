//! Enterprise codes (mã số doanh nghiệp): ten digits, the tenth a check digit, optionally
//! followed by `-NNN` for a branch or other dependent unit.

/// Weights of the first nine digits in the check-digit sum.
const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// The shape of a code, as a JSON Schema pattern ([`is_well_formed`] checks the same).
pub(crate) const SHAPE_PATTERN: &str = "^[0-9]{10}(-[0-9]{3})?$";

/// What the format rule says, for error details.
const SHAPE_RULE: &str = "must be 10 digits, optionally followed by -NNN for a branch \
                          (e.g. 0312345678 or 0312345678-001)";

/// Whether `code` has the shape `^\d{10}(-\d{3})?$` (check digit not verified).
pub(crate) fn is_well_formed(code: &str) -> bool {
    let bytes = code.as_bytes();
    let digits = |range: &[u8]| range.iter().all(u8::is_ascii_digit);
    match bytes.len() {
        10 => digits(bytes),
        14 => digits(&bytes[..10]) && bytes[10] == b'-' && digits(&bytes[11..]),
        _ => false,
    }
}

/// The check digit of nine leading digits (ASCII), or `None` when the weighted sum gives
/// 10, a value never issued.
pub(crate) fn check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    let check = 10 - sum % 11;
    u8::try_from(check).ok().filter(|c| *c < 10)
}

/// Checks an enterprise code as a caller sent it: its shape (no surrounding white space)
/// and its check digit. Returns the code, or a detail saying what is wrong and how to fix
/// it (the detail never repeats the code).
pub fn validate_enterprise_code(code: &str) -> Result<String, String> {
    if code.trim().is_empty() {
        return Err(format!("is empty; it {SHAPE_RULE}"));
    }
    if !is_well_formed(code) {
        return Err(SHAPE_RULE.to_owned());
    }
    let mut first_nine = [0u8; 9];
    first_nine.copy_from_slice(&code.as_bytes()[..9]);
    let given = code.as_bytes()[9] - b'0';
    match check_digit(&first_nine) {
        Some(expected) if expected == given => Ok(code.to_owned()),
        Some(expected) => Err(format!(
            "check digit is wrong: the 10th digit should be {expected} for these first nine \
             digits; copy the code again from the registration certificate"
        )),
        None => Err(
            "is not an enterprise code: no code is ever issued with these first nine \
                     digits; copy the code again from the registration certificate"
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_accepts_plain_and_branch_codes_only() {
        assert!(is_well_formed("1200123459"));
        assert!(is_well_formed("1200123459-001"));
        for bad in [
            "120012345",
            "12001234590",
            "1200123459-01",
            "1200123459_001",
            "12001234a9",
        ] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn check_digit_follows_the_official_weights() {
        assert_eq!(check_digit(b"120012345"), Some(9));
        assert_eq!(check_digit(b"010010910"), Some(6));
        // 31+29+23+19+17+13+7+5+3 = 147 = 11 × 13 + 4 → 6; a sum divisible by 11 gives 10.
        assert_eq!(check_digit(b"111111111"), Some(6));
        assert_eq!(check_digit(b"000000000"), None);
    }
}

//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits): the optional
//! second factor of web accounts, compatible with common authenticator apps.
//!
//! Secrets live in the encrypted database like the password hashes; they are shown to the user
//! once, when the second factor is set up, and never logged.

use hmac::{Hmac, Mac};

const STEP_SECS: u64 = 30;
const DIGITS: u32 = 6;

/// A fresh 160-bit secret (the size RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    crate::keys::random_bytes::<20>().to_vec()
}

/// The code for time step `step` (RFC 4226's HOTP with the step as counter).
pub fn code_at_step(secret: &[u8], step: u64) -> u32 {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    bin % 10u32.pow(DIGITS)
}

/// Checks a code typed at `unix_secs`, allowing one step of clock drift either way. Returns the
/// step it matched, so the caller can refuse the same code twice (replay).
pub fn verify(secret: &[u8], typed: &str, unix_secs: u64) -> Option<u64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let want: u32 = typed.parse().ok()?;
    let now = unix_secs / STEP_SECS;
    [now.saturating_sub(1), now, now + 1].into_iter().find(|&s| code_at_step(secret, s) == want)
}

/// RFC 4648 base32 without padding, as authenticator apps expect the secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The `otpauth://` address an authenticator app takes (usually as a QR code; typing the base32
/// secret works everywhere).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = girok_core::text::percent_encode;
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_test_vectors() {
        // Appendix B of RFC 6238 (SHA-1 key), last six of its eight digits.
        let key = b"12345678901234567890";
        for (t, code) in [(59u64, 287082u32), (1111111109, 81804), (1111111111, 50471), (1234567890, 5924), (2000000000, 279037), (20000000000, 353130)] {
            assert_eq!(code_at_step(key, t / 30), code, "t = {t}");
        }
    }

    #[test]
    fn verify_allows_one_step_of_drift_and_nothing_malformed() {
        let key = b"12345678901234567890";
        assert_eq!(verify(key, "287082", 59), Some(1));
        assert_eq!(verify(key, "287 082", 59 + 30), Some(1), "previous step accepted");
        assert_eq!(verify(key, "287082", 59 + 90), None, "three steps later it is refused");
        for bad in ["", "28708", "2870820", "28708a", "-87082"] {
            assert_eq!(verify(key, bad, 59), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(otpauth_uri("Girok", "a b", b"12345678901234567890").starts_with("otpauth://totp/Girok:a%20b?secret=GEZDG"));
    }
}

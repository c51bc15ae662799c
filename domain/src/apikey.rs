//! The API key format: `ptc_` + 32 random base62 characters + a 6-character base62
//! CRC-32 of them (GitHub-token style). The prefix makes a leaked key recognisable (and
//! scannable); the checksum rejects typos and random strings without touching the
//! database. 32 base62 characters carry 190 bits of entropy, so the database keeps a
//! plain SHA-256 of the key (see `secret::hash_token`), never the key.

use rand::Rng;

pub const PREFIX: &str = "ptc_";
const RANDOM_CHARS: usize = 32;
const CHECK_CHARS: usize = 6;
/// The length of every key.
pub const LEN: usize = PREFIX.len() + RANDOM_CHARS + CHECK_CHARS;
/// How much of a key is stored and shown to tell keys apart: `ptc_` + 8 characters.
pub const VISIBLE: usize = PREFIX.len() + 8;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Why a string is not a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatError {
    Prefix,
    Length,
    Characters,
    Checksum,
}

/// A fresh key.
pub fn generate() -> String {
    let mut rng = rand::rng();
    let random: String =
        (0..RANDOM_CHARS).map(|_| char::from(BASE62[rng.random_range(0..BASE62.len())])).collect();
    let check = checksum(&random);
    format!("{PREFIX}{random}{check}")
}

/// Checks a presented key's form and checksum (no database involved).
pub fn check(key: &str) -> Result<(), FormatError> {
    let body = key.strip_prefix(PREFIX).ok_or(FormatError::Prefix)?;
    if key.len() != LEN {
        return Err(FormatError::Length);
    }
    if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FormatError::Characters);
    }
    let (random, check) = body.split_at(RANDOM_CHARS);
    if checksum_digits(random) != check.as_bytes() {
        return Err(FormatError::Checksum);
    }
    Ok(())
}

/// The visible start of a key, stored beside its hash.
pub fn visible_prefix(key: &str) -> String {
    key.chars().take(VISIBLE).collect()
}

/// CRC-32 of the random part as 6 base62 digits (62^6 > 2^32).
fn checksum(random: &str) -> String {
    String::from_utf8_lossy(&checksum_digits(random)).into_owned()
}

/// [`checksum`] without an allocation: the gateway checks every presented key with it.
fn checksum_digits(random: &str) -> [u8; CHECK_CHARS] {
    let mut n = crc32(random.as_bytes());
    let mut digits = [b'0'; CHECK_CHARS];
    for d in digits.iter_mut().rev() {
        *d = BASE62[(n % 62) as usize];
        n /= 62;
    }
    digits
}

/// The CRC-32 table (IEEE 802.3 polynomial, reflected), built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE 802.3, as in zlib), a byte at a time.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc = CRC_TABLE[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn generated_keys_pass_their_own_check() {
        for _ in 0..200 {
            let key = generate();
            assert_eq!(key.len(), LEN);
            assert_eq!(check(&key), Ok(()), "{key}");
        }
        assert_ne!(generate(), generate());
    }

    #[test]
    fn typos_and_strangers_are_rejected_without_a_lookup() {
        let key = generate();
        // Every single-character substitution in the random part breaks the checksum.
        let bytes = key.as_bytes();
        for i in PREFIX.len()..PREFIX.len() + RANDOM_CHARS {
            let mut typo = bytes.to_vec();
            typo[i] = if typo[i] == b'a' { b'b' } else { b'a' };
            assert_eq!(check(&String::from_utf8(typo).unwrap()), Err(FormatError::Checksum));
        }
        assert_eq!(check(&key.replacen("ptc_", "ghp_", 1)), Err(FormatError::Prefix));
        assert_eq!(check(&key[..LEN - 1]), Err(FormatError::Length));
        assert_eq!(check(&format!("{}!{}", &key[..10], &key[11..])), Err(FormatError::Characters));
        assert_eq!(visible_prefix(&key).len(), VISIBLE);
    }
}

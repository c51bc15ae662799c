//! Random secrets and their hashes: session ids, generated passwords, error references.
//!
//! Secrets are stored only as SHA-256 hashes: they carry 128 bits or more of entropy, so a
//! fast hash is enough (argon2 is for low-entropy, human-chosen passwords).

use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};

/// A fresh secret of `bytes` random bytes, hex-encoded (`bytes * 8` bits of entropy).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(&mut buf[..]);
    hex::encode(buf)
}

/// A random base62 string, e.g. for a generated first password.
pub fn random_base62(len: usize) -> String {
    rand::rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

/// The hex SHA-256 of a secret: what the database stores instead of the secret.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A short reference tying a user-visible error to a log line.
pub fn short_reference() -> String {
    random_token(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let a = random_token(16);
        assert_eq!(a.len(), 32, "128 bits as hex");
        assert_ne!(a, random_token(16));
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), a);
        assert_eq!(random_base62(20).len(), 20);
    }
}

//! Password hashing with argon2id at OWASP's parameters (19 MiB, t = 2, p = 1).
//!
//! Hashing is deliberately slow and memory-hungry, so it runs on tokio's blocking pool,
//! never on the async runtime, and a semaphore bounds how many hashes run at once (the
//! core count by default) so a burst of sign-ins cannot exhaust memory or starve the host.

use crate::{DomainError, DomainResult};
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version};
use portico_model::Password;
use std::sync::Arc;
use tokio::sync::{OnceCell, Semaphore};

/// OWASP Password Storage Cheat Sheet, argon2id option 2.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

/// Hashes and verifies passwords off the async runtime with bounded concurrency.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A real hash of a random password, verified against when an account does not
    /// exist, so "no such user" takes as long as "wrong password".
    decoy: Arc<OnceCell<String>>,
}

impl PasswordHasher {
    /// A hasher running at most `max_concurrent` hashes at once (at least one).
    pub fn new(max_concurrent: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(max_concurrent.max(1))), decoy: Arc::new(OnceCell::new()) }
    }

    /// One concurrent hash per core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    fn argon2() -> Argon2<'static> {
        // The constants are valid argon2 parameters; `Params::new` only fails for
        // out-of-range values.
        let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or(Params::DEFAULT);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of a new random-salted hash.
    pub async fn hash(&self, password: &Password) -> DomainResult<String> {
        let plain = password.expose().to_owned();
        self.run(move || {
            Self::argon2()
                .hash_password(plain.as_bytes())
                .map(|h: PasswordHash| h.to_string())
                .map_err(|e| DomainError::Internal(format!("hashing failed: {e}")))
        })
        .await
    }

    /// Whether `password` matches the stored PHC string. A malformed stored hash is a
    /// mismatch, not an error the caller could tell apart.
    /// It takes the password as typed: verification needs no rules, and a typed string
    /// that breaks them must still cost the same time.
    pub async fn verify(&self, stored: &str, password: &str) -> DomainResult<bool> {
        let plain = password.to_owned();
        let stored = stored.to_owned();
        self.run(move || {
            // A malformed stored string fails verification like a wrong password.
            Ok(Self::argon2().verify_password(plain.as_bytes(), stored.as_str()).is_ok())
        })
        .await
    }

    /// Spends the same effort as a real verification, for accounts that do not exist.
    pub async fn verify_decoy(&self, password: &str) -> DomainResult<()> {
        let decoy = self
            .decoy
            .get_or_try_init(|| async {
                let random = Password::parse(&crate::secret::random_base62(24))
                    .map_err(|e| DomainError::Internal(e.message))?;
                self.hash(&random).await
            })
            .await?
            .clone();
        self.verify(&decoy, password).await.map(|_| ())
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> DomainResult<T> + Send + 'static,
    ) -> DomainResult<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| DomainError::Internal("password hasher closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| DomainError::Internal(format!("hashing task failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::parse(s).expect("valid test password")
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hasher = PasswordHasher::new(2);
        let hash = hasher.hash(&pw("correct horse battery")).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(hasher.verify(&hash, "correct horse battery").await.unwrap());
        assert!(!hasher.verify(&hash, "wrong horse battery").await.unwrap());
        // Salted: the same password hashes differently each time.
        assert_ne!(hash, hasher.hash(&pw("correct horse battery")).await.unwrap());
    }

    #[tokio::test]
    async fn malformed_stored_hash_is_a_mismatch() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify("not-a-phc-string", "whatever123").await.unwrap());
        hasher.verify_decoy("whatever123").await.unwrap();
    }
}

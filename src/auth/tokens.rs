//! API tokens: 32 random bytes shown once, stored as their SHA-256, looked
//! up by that hash (so a lookup compares no secret byte by byte) through a
//! short-lived cache.

use super::Role;
use crate::store::{Store, StoreError, TokenRow};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

/// Prefix of every token, so a leaked one is easy to recognise in logs and scanners.
const PREFIX: &str = "hw_";

/// How long a looked-up token (or its absence) is trusted: a revocation by
/// the CLI, another process, reaches a running server within this time.
pub const CACHE_TTL: Duration = Duration::from_secs(5);

/// A new token: the text to hand out once and the hash to store.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// What the client sends as `Authorization: Bearer …`.
    pub secret: String,
    /// Its lower-case hex SHA-256.
    pub hash: String,
}

/// A fresh random token.
pub fn issue() -> IssuedToken {
    let mut bytes = [0u8; 32];
    // ThreadRng is a CSPRNG seeded from the operating system.
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", hex::encode(bytes));
    let hash = hash_token(&secret);
    IssuedToken { secret, hash }
}

/// The lower-case hex SHA-256 of a token's text.
pub fn hash_token(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// District ids as the comma list a token row stores (`None` for none: every district).
pub fn district_list(ids: &[i64]) -> Option<String> {
    (!ids.is_empty()).then(|| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}

/// Parses a stored comma list of district ids (`None`: every district).
pub fn parse_districts(s: Option<&str>) -> Result<Option<Arc<[i64]>>, String> {
    let Some(s) = s else { return Ok(None) };
    s.split(',')
        .map(|p| {
            p.trim()
                .parse::<i64>()
                .map_err(|_| format!("{p:?} is not a district id"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|v| Some(v.into()))
}

/// A valid token as a request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Token id.
    pub id: i64,
    /// Its role.
    pub role: Role,
    /// Its districts; `None` for all.
    pub districts: Option<Arc<[i64]>>,
}

/// Finds the token a request presents, by hash, through a cache.
#[derive(Debug, Clone)]
pub struct TokenBook {
    store: Store,
    cache: moka::sync::Cache<String, Option<Grant>>,
}

impl TokenBook {
    /// A book over the tokens in `store`.
    pub fn new(store: Store) -> Self {
        TokenBook {
            store,
            cache: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(CACHE_TTL)
                .build(),
        }
    }

    /// The grant of the token `secret`, or `None` when it is unknown or revoked.
    pub async fn find(&self, secret: &str) -> Result<Option<Grant>, StoreError> {
        let hash = hash_token(secret);
        if let Some(g) = self.cache.get(&hash) {
            return Ok(g);
        }
        let grant = self
            .store
            .token_by_hash(&hash)
            .await?
            .and_then(|row| grant_of(&row));
        self.cache.insert(hash, grant.clone());
        Ok(grant)
    }
}

/// A stored row as a grant; revoked or unreadable rows grant nothing.
fn grant_of(row: &TokenRow) -> Option<Grant> {
    if row.revoked_at.is_some() {
        return None;
    }
    let role = Role::parse(&row.role)?;
    let districts = match parse_districts(row.districts.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(token = row.id, error = %e, "token has unreadable districts; refused");
            return None;
        }
    };
    Some(Grant {
        id: row.id,
        role,
        districts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_to_sha256() {
        let a = issue();
        let b = issue();
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.secret.len(), PREFIX.len() + 64);
        assert_eq!(a.hash, hash_token(&a.secret));
        // FIPS 180-2 test vector.
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn districts_parse_or_name_the_bad_part() {
        assert_eq!(parse_districts(None), Ok(None));
        assert_eq!(district_list(&[]), None);
        let list = district_list(&[3, 5]);
        assert_eq!(
            parse_districts(list.as_deref()),
            Ok(Some(vec![3, 5].into()))
        );
        assert_eq!(parse_districts(Some("3, 5")), Ok(Some(vec![3, 5].into())));
        assert!(parse_districts(Some("3,x")).unwrap_err().contains("\"x\""));
    }
}

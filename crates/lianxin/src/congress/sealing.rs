//! The congress's sealing key in use: results closed in a congress (votes, appointments) are
//! sealed with its SM2 key (see `platform::seal`). The first seal creates the key; `lianxin keys
//! new-seal-key` starts a new version.

use super::store;
use crate::db::Db;
use crate::platform::error::AppError;
use crate::platform::ids::CongressId;
use crate::platform::seal::{self, Seal};

/// Seals `bytes` (a result's canonical form) with the congress's current key.
pub async fn seal_result(
    db: &Db,
    congress: CongressId,
    bytes: &[u8],
    now: i64,
) -> Result<Seal, AppError> {
    let dir = db
        .vault
        .dir()
        .ok_or_else(|| AppError::internal("key store not open"))?;
    let (version, key) = match store::seal_key(db, congress).await? {
        Some((v, public)) => {
            let key = seal::load(dir, congress.0, v)
                .map_err(AppError::internal)?
                .ok_or_else(|| AppError::internal("sealing key file missing"))?;
            if seal::public_hex(&key) != public {
                return Err(AppError::internal(
                    "sealing key does not match its public half",
                ));
            }
            (v, key)
        }
        None => new_key(db, congress, 1, now).await?,
    };
    Ok(seal::sign(&key, version, bytes))
}

/// Makes sure the congress has a sealing key, before a transaction that will seal with it opens
/// (creating the key writes; inside another SQLite transaction that would conflict).
pub async fn ensure_key(db: &Db, congress: CongressId, now: i64) -> Result<(), AppError> {
    if store::seal_key(db, congress).await?.is_none() {
        new_key(db, congress, 1, now).await?;
    }
    Ok(())
}

/// Starts a new key version for the congress (key rotation); returns the version.
pub async fn rotate(db: &Db, congress: CongressId, now: i64) -> Result<i64, AppError> {
    let next = store::seal_key(db, congress)
        .await?
        .map_or(1, |(v, _)| v + 1);
    new_key(db, congress, next, now).await?;
    Ok(next)
}

async fn new_key(
    db: &Db,
    congress: CongressId,
    version: i64,
    now: i64,
) -> Result<(i64, sm2::dsa::SigningKey), AppError> {
    let dir = db
        .vault
        .dir()
        .ok_or_else(|| AppError::internal("key store not open"))?;
    let key = seal::create(dir, congress.0, version).map_err(AppError::internal)?;
    store::record_seal_key(db, congress, version, &seal::public_hex(&key), now).await?;
    Ok((version, key))
}

/// Checks a seal against the congress's published key of the seal's version.
pub async fn verify(
    db: &Db,
    congress: CongressId,
    bytes: &[u8],
    s: &Seal,
) -> Result<bool, sqlx::Error> {
    Ok(
        match store::seal_public_key(db, congress, s.key_version).await? {
            Some(public) => seal::verify(&public, bytes, s),
            None => false,
        },
    )
}

//! The SQL of attachments. Bodies are sealed on the way in and opened on the way out; listing
//! never reads a body.

use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use crate::platform::seal::sm3_hex;
use serde::Serialize;

const CONTEXT: &str = "attachments.body_sealed";

/// An attachment without its body.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub purpose: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    /// SM3 of the clear bytes (hex).
    pub digest: String,
    /// The account that attached it; none for a citizen without one.
    pub uploaded_by: Option<i64>,
    pub created_at: i64,
}

/// Where an attachment belongs.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub congress: CongressId,
    pub kind: &'a str,
    pub id: i64,
}

pub async fn count(tx: &mut Tx<'_>, o: Owner<'_>, purpose: &str) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM attachments WHERE congress_id = $1 AND owner_kind = $2 AND owner_id = $3 AND purpose = $4",
    )
    .bind(o.congress.0)
    .bind(o.kind)
    .bind(o.id)
    .bind(purpose)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// Stores a checked file (`attachments::check`) with its body sealed and its digest.
pub async fn insert(
    db: &Db,
    tx: &mut Tx<'_>,
    o: Owner<'_>,
    purpose: &str,
    (file, bytes): (&super::Checked, &[u8]),
    by: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let sealed = db.vault.seal_bytes(CONTEXT, bytes)?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO attachments (congress_id, owner_kind, owner_id, purpose, file_name, media_type, size, digest, body_sealed, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(o.congress.0)
    .bind(o.kind)
    .bind(o.id)
    .bind(purpose)
    .bind(&file.file_name)
    .bind(file.media_type)
    .bind(bytes.len() as i64)
    .bind(sm3_hex(bytes))
    .bind(sealed)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

const COLUMNS: &str = "id, purpose, file_name, media_type, size, digest, uploaded_by, created_at";

pub async fn list(db: &Db, o: Owner<'_>) -> Result<Vec<Attachment>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM attachments WHERE congress_id = $1 AND owner_kind = $2 AND owner_id = $3 ORDER BY id"
    )))
    .bind(o.congress.0)
    .bind(o.kind)
    .bind(o.id)
    .fetch_all(&db.pool)
    .await
}

pub async fn get(db: &Db, o: Owner<'_>, id: i64) -> Result<Option<Attachment>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM attachments WHERE congress_id = $1 AND owner_kind = $2 AND owner_id = $3 AND id = $4"
    )))
    .bind(o.congress.0)
    .bind(o.kind)
    .bind(o.id)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// The clear bytes of an attachment, checked against the digest taken at upload.
pub async fn body(db: &Db, o: Owner<'_>, id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT body_sealed, digest FROM attachments WHERE congress_id = $1 AND owner_kind = $2 AND owner_id = $3 AND id = $4",
    )
    .bind(o.congress.0)
    .bind(o.kind)
    .bind(o.id)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((sealed, digest)) = row else {
        return Ok(None);
    };
    let bytes = db.vault.open_bytes(CONTEXT, &sealed)?.to_vec();
    if sm3_hex(&bytes) != digest {
        return Err(sqlx::Error::Protocol("attachment digest mismatch".into()));
    }
    Ok(Some(bytes))
}

pub async fn delete(tx: &mut Tx<'_>, o: Owner<'_>, id: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "DELETE FROM attachments WHERE congress_id = $1 AND owner_kind = $2 AND owner_id = $3 AND id = $4",
    )
    .bind(o.congress.0)
    .bind(o.kind)
    .bind(o.id)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves an owner's attachments to another congress, as the owner itself moves (an opinion
/// transferred): copied under the new congress, then deleted under the old one, because the
/// congress is part of every key (a sharded database keeps the congress of a row fixed).
/// Bodies are sealed without reference to the congress, so they are copied as they are.
pub async fn move_to(tx: &mut Tx<'_>, from: Owner<'_>, to: CongressId) -> Result<(), sqlx::Error> {
    if tx.backend() == crate::db::Backend::Sqlite {
        // One database file: the rowid is the id across congresses, so the row is re-keyed.
        sqlx::query(
            "UPDATE attachments SET congress_id = $4 WHERE congress_id = $1 AND owner_kind = $2 AND owner_id = $3",
        )
        .bind(from.congress.0)
        .bind(from.kind)
        .bind(from.id)
        .bind(to.0)
        .execute(&mut **tx)
        .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO attachments (id, congress_id, owner_kind, owner_id, purpose, file_name, media_type, size, digest, body_sealed, uploaded_by, created_at) \
         SELECT id, $4, owner_kind, owner_id, purpose, file_name, media_type, size, digest, body_sealed, uploaded_by, created_at \
         FROM attachments WHERE congress_id = $1 AND owner_kind = $2 AND owner_id = $3",
    )
    .bind(from.congress.0)
    .bind(from.kind)
    .bind(from.id)
    .bind(to.0)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM attachments WHERE congress_id = $1 AND owner_kind = $2 AND owner_id = $3",
    )
    .bind(from.congress.0)
    .bind(from.kind)
    .bind(from.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

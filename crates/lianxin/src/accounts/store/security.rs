//! SQL of the security features: the policy, session stages, the second factor, recovery codes,
//! sign-out everywhere and the locking of unused accounts.

use super::super::roles::SessionStage;
use super::super::security_policy::SecurityPolicy;
use crate::db::{Db, Tx};
use crate::platform::ids::UserId;
use crate::platform::secret;

/// The policy in force (defaults for every key not stored).
pub async fn policy(db: &Db) -> Result<SecurityPolicy, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM security_settings")
        .fetch_all(&db.pool)
        .await?;
    Ok(SecurityPolicy::from_values(&rows))
}

/// Stores one validated policy value.
pub async fn set_policy_value(
    tx: &mut Tx<'_>,
    key: &str,
    value: &str,
    by: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO security_settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3, updated_by = $4",
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .bind(by.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a session to the next stage under a new token (the old token stops working), so that
/// the token that passed only the password is never the one that passes both factors.
pub async fn advance_session(
    tx: &mut Tx<'_>,
    old_token: &str,
    stage: SessionStage,
) -> Result<String, sqlx::Error> {
    let token = secret::random_token();
    sqlx::query("UPDATE auth_sessions SET token_digest = $2, stage = $3 WHERE token_digest = $1")
        .bind(secret::digest(old_token))
        .bind(secret::digest(&token))
        .bind(stage.as_str())
        .execute(&mut **tx)
        .await?;
    if stage == SessionStage::Full {
        // Both factors given: now the failures of password and code are forgotten.
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = (SELECT user_id FROM auth_sessions WHERE token_digest = $1)",
        )
        .bind(secret::digest(&token))
        .execute(&mut **tx)
        .await?;
    }
    Ok(token)
}

/// The user's enrolled second factor: sealed secret, algorithm, last used step.
#[derive(Debug, sqlx::FromRow)]
pub struct OtpState {
    pub otp_secret_sealed: Option<String>,
    pub otp_algorithm: Option<String>,
    pub otp_enabled_at: Option<i64>,
    pub otp_last_step: i64,
}

pub async fn otp_state(db: &Db, user: UserId) -> Result<Option<OtpState>, sqlx::Error> {
    sqlx::query_as(
        "SELECT otp_secret_sealed, otp_algorithm, otp_enabled_at, otp_last_step FROM users WHERE id = $1",
    )
    .bind(user.0)
    .fetch_optional(&db.pool)
    .await
}

/// Stores a secret awaiting confirmation (enabled only by [`enable_otp`]).
pub async fn set_pending_otp(
    db: &Db,
    user: UserId,
    sealed: &str,
    algorithm: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET otp_secret_sealed = $2, otp_algorithm = $3, otp_enabled_at = NULL, otp_last_step = 0 WHERE id = $1",
    )
    .bind(user.0)
    .bind(sealed)
    .bind(algorithm)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn enable_otp(
    tx: &mut Tx<'_>,
    user: UserId,
    step: i64,
    recovery_digests: &[String],
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET otp_enabled_at = $2, otp_last_step = $3 WHERE id = $1")
        .bind(user.0)
        .bind(now)
        .bind(step)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    for d in recovery_digests {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_digest) VALUES ($1, $2)")
            .bind(user.0)
            .bind(d)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Records that `step` was used; false if it (or a later one) already was — two requests racing
/// with one observed code cannot both pass.
pub async fn use_step(db: &Db, user: UserId, step: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE users SET otp_last_step = $2 WHERE id = $1 AND otp_last_step < $2")
        .bind(user.0)
        .bind(step)
        .execute(&db.pool)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Spends a recovery code; true if it existed and was unused.
pub async fn use_recovery_code(
    db: &Db,
    user: UserId,
    digest: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_digest = $2 AND used_at IS NULL",
    )
    .bind(user.0)
    .bind(digest)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn unused_recovery_codes(db: &Db, user: UserId) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user.0)
    .fetch_one(&db.pool)
    .await?;
    Ok(n)
}

/// Removes the second factor (the security administrator's reset for a lost phone); every
/// session ends, and the user enrols again at the next sign-in where it is required.
pub async fn reset_otp(tx: &mut Tx<'_>, user: UserId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET otp_secret_sealed = NULL, otp_algorithm = NULL, otp_enabled_at = NULL, otp_last_step = 0 WHERE id = $1",
    )
    .bind(user.0)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Signs the user out everywhere (every session, this one included, and every API token).
pub async fn end_all_sessions(tx: &mut Tx<'_>, user: UserId) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    super::revoke_tokens(tx, user).await?;
    Ok(r.rows_affected())
}

/// Marks the password as expired (forces a change at this sign-in) when older than the policy
/// allows. Returns whether it did.
pub async fn expire_old_password(
    tx: &mut Tx<'_>,
    user: UserId,
    oldest_allowed: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE users SET must_change_password = 1 WHERE id = $1 AND must_change_password = 0 \
         AND COALESCE(password_changed_at, created_at) < $2",
    )
    .bind(user.0)
    .bind(oldest_allowed)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Disables accounts not used since `cutoff` (never-used accounts count from their creation) and
/// ends their sessions. Returns the ids, for the audit trail. Security administrators are exempt:
/// they are the ones who lift the lock, and locking them all would leave no one to do it.
pub async fn lock_unused(tx: &mut Tx<'_>, cutoff: i64) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "UPDATE users SET disabled = 1, disabled_reason = 'unused' WHERE disabled = 0 \
         AND COALESCE(last_login_at, created_at) < $1 AND COALESCE(unlocked_at, 0) < $1 \
         AND id NOT IN (SELECT user_id FROM role_grants WHERE role = 'security_admin') RETURNING id",
    )
    .bind(cutoff)
    .fetch_all(&mut **tx)
    .await?;
    for (id,) in &ids {
        sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(ids.into_iter().map(|(i,)| i).collect())
}

/// Lifts a lockout and an unused-account lock (not a disablement by the system administrator).
pub async fn unlock(tx: &mut Tx<'_>, user: UserId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, unlocked_at = $2, \
         disabled = CASE WHEN disabled_reason = 'unused' THEN 0 ELSE disabled END, \
         disabled_reason = CASE WHEN disabled_reason = 'unused' THEN NULL ELSE disabled_reason END \
         WHERE id = $1",
    )
    .bind(user.0)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes the sessions past their end.
pub async fn expire_sessions(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM auth_sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(r.rows_affected())
}

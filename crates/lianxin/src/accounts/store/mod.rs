//! All SQL of the accounts module: users, grants, server-side sessions and API tokens.

mod security;
pub use security::*;

use super::presence::Presence;
use super::roles::{Actor, Grant, Office, Role, SessionStage};
use super::security_policy::SecurityPolicy;
use crate::db::{Db, Tx};
use crate::platform::ids::{CongressId, UserId};
use crate::platform::secret;

/// A session's last-seen time is written at most once a minute, so reads stay reads.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

#[derive(Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub password_hash: String,
    pub disabled: i64,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
}

pub async fn find_user(db: &Db, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, password_hash, disabled, failed_logins, locked_until FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(&db.pool)
    .await
}

pub async fn create_user(
    tx: &mut Tx<'_>,
    username: &str,
    display_name: &str,
    person_id: Option<i64>,
    password_hash: &str,
    must_change: bool,
    now: i64,
) -> Result<UserId, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, display_name, person_id, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(person_id)
    .bind(password_hash)
    .bind(i64::from(must_change))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(UserId(id))
}

pub async fn grant(tx: &mut Tx<'_>, user: UserId, g: &Grant, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO role_grants (user_id, congress_id, role, office, organization_id, granted_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user.0)
    .bind(g.congress.0)
    .bind(g.role.as_str())
    .bind(g.office.map(Office::as_str))
    .bind(g.organization)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn grants_of(db: &Db, user: UserId) -> Result<Vec<Grant>, sqlx::Error> {
    let rows: Vec<(i64, String, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT congress_id, role, office, organization_id FROM role_grants WHERE user_id = $1 ORDER BY congress_id, role",
    )
    .bind(user.0)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, r, o, org)| {
            Some(Grant {
                congress: CongressId(c),
                role: Role::parse(&r)?,
                office: o.as_deref().and_then(Office::parse),
                organization: org,
            })
        })
        .collect())
}

pub async fn record_login_failure(
    db: &Db,
    user: i64,
    lock_until: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET failed_logins = failed_logins + 1, locked_until = COALESCE($2, locked_until) WHERE id = $1")
        .bind(user)
        .bind(lock_until)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Starts a session for `user` at `stage` and returns its token (only the digest is stored).
pub async fn start_session(
    tx: &mut Tx<'_>,
    user: UserId,
    now: i64,
    stage: SessionStage,
    policy: &SecurityPolicy,
) -> Result<String, sqlx::Error> {
    let token = secret::random_token();
    // Failures are forgotten only when the sign-in is complete: a correct password with the
    // second factor still owed must not give a thief of the password new guesses at the code.
    if stage == SessionStage::Full {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1",
        )
        .bind(user.0)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("INSERT INTO auth_sessions (token_digest, user_id, created_at, last_seen_at, expires_at, stage) VALUES ($1, $2, $3, $3, $4, $5)")
        .bind(secret::digest(&token))
        .bind(user.0)
        .bind(now)
        .bind(now + policy.lifetime_ms())
        .bind(stage.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(token)
}

/// The actor behind a session token, if the session is alive; refreshes its idle timer. A
/// session still owing a step of the sign-in gets an actor with no grants at all, so that no
/// route can serve it even if the middleware's redirect were missed.
pub async fn session_actor(
    db: &Db,
    token: &str,
    now: i64,
    policy: &SecurityPolicy,
    presence: Presence,
) -> Result<Option<Actor>, sqlx::Error> {
    let digest = secret::digest(token);
    let row: Option<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT user_id, last_seen_at, expires_at, stage FROM auth_sessions WHERE token_digest = $1",
    )
    .bind(&digest)
    .fetch_optional(&db.pool)
    .await?;
    let Some((user_id, last_seen, expires, stage)) = row else {
        return Ok(None);
    };
    // While a meeting is open, a member checked in to it is not signed out for idling (issue 7):
    // a vote must not find them logged out at their seat.
    let idle = now - last_seen >= policy.idle_ms() && !(presence.0)(db, UserId(user_id)).await?;
    if now >= expires || idle {
        end_session(db, token).await?;
        return Ok(None);
    }
    if now - last_seen >= TOUCH_EVERY_MS {
        sqlx::query("UPDATE auth_sessions SET last_seen_at = $2 WHERE token_digest = $1")
            .bind(&digest)
            .bind(now)
            .execute(&db.pool)
            .await?;
    }
    let stage = SessionStage::parse(&stage).unwrap_or(SessionStage::SecondFactor);
    let Some(mut a) = actor(db, UserId(user_id)).await? else {
        return Ok(None);
    };
    if stage != SessionStage::Full {
        a.grants.clear();
        a.pending = Some(stage);
    }
    Ok(Some(a))
}

pub async fn actor(db: &Db, user: UserId) -> Result<Option<Actor>, sqlx::Error> {
    let row: Option<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT username, display_name, disabled, must_change_password FROM users WHERE id = $1",
    )
    .bind(user.0)
    .fetch_optional(&db.pool)
    .await?;
    let Some((username, display_name, disabled, must_change)) = row else {
        return Ok(None);
    };
    if disabled != 0 {
        return Ok(None);
    }
    Ok(Some(Actor {
        user,
        username,
        display_name,
        grants: grants_of(db, user).await?,
        must_change_password: must_change != 0,
        pending: None,
    }))
}

pub async fn password_hash(db: &Db, user: UserId) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.0)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|(h,)| h))
}

/// Sets a new password hash; `must_change` marks it one-time (reset by an administrator).
pub async fn set_password(
    tx: &mut Tx<'_>,
    user: UserId,
    hash: &str,
    must_change: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $2, must_change_password = $3, failed_logins = 0, locked_until = NULL, password_changed_at = $4 WHERE id = $1")
        .bind(user.0)
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ends every session of the user except the one whose token is `keep` (if any).
pub async fn end_other_sessions(
    tx: &mut Tx<'_>,
    user: UserId,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let keep = keep.map(secret::digest).unwrap_or_default();
    let r = sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1 AND token_digest <> $2")
        .bind(user.0)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
    // A password changed or reset ends what the old one opened: the API tokens too.
    revoke_tokens(tx, user).await?;
    Ok(r.rows_affected())
}

/// Revokes every API token of the user; returns how many.
pub async fn revoke_tokens(tx: &mut Tx<'_>, user: UserId) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected())
}

/// Revokes one of the user's API tokens; false if the user has no token of that id.
pub async fn revoke_token(tx: &mut Tx<'_>, user: UserId, id: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1 AND id = $2")
        .bind(user.0)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// An API token as its owner sees it in the list (never the token itself).
#[derive(Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn tokens(db: &Db, user: UserId) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(user.0)
    .fetch_all(&db.pool)
    .await
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM auth_sessions WHERE token_digest = $1")
        .bind(secret::digest(token))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Creates an API token (bearer) for `user`; returns the token, shown once.
pub async fn create_api_token(
    tx: &mut Tx<'_>,
    user: UserId,
    name: &str,
    now: i64,
    days: i64,
) -> Result<String, sqlx::Error> {
    let token = format!("lx_{}", secret::random_token());
    sqlx::query("INSERT INTO api_tokens (user_id, name, token_digest, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(user.0)
        .bind(name)
        .bind(secret::digest(&token))
        .bind(now)
        .bind(now + days * 86_400_000)
        .execute(&mut **tx)
        .await?;
    Ok(token)
}

/// The actor behind an API token, if it is alive: not expired, and used within the policy's
/// idle limit (read in the same query: a full chamber votes with tokens). Its last use is
/// written at most once an hour, so requests do not queue for the write lock.
pub async fn token_actor(db: &Db, token: &str, now: i64) -> Result<Option<Actor>, sqlx::Error> {
    /// (token, user, expires, last used or created, the policy's stored idle limit)
    type Alive = (i64, i64, i64, Option<i64>, Option<String>);
    let row: Option<Alive> = sqlx::query_as(
        "SELECT t.id, t.user_id, t.expires_at, COALESCE(t.last_used_at, t.created_at), \
         (SELECT value FROM security_settings WHERE key = 'token_idle_days') \
         FROM api_tokens t WHERE t.token_digest = $1",
    )
    .bind(secret::digest(token))
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, user, expires, used, idle)) = row else {
        return Ok(None);
    };
    let idle_days =
        SecurityPolicy::from_values(&[("token_idle_days".to_string(), idle.unwrap_or_default())])
            .token_idle_days;
    let used = used.unwrap_or(0);
    if now >= expires || now >= used + idle_days * 86_400_000 {
        return Ok(None);
    }
    if now - used >= 3_600_000 {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&db.pool)
            .await?;
    }
    actor(db, UserId(user)).await
}

pub async fn username_taken(tx: &mut Tx<'_>, username: &str) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct UserListRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub disabled: i64,
    pub must_change_password: i64,
    pub last_login_at: Option<i64>,
}

/// Accounts with a role in one of `congresses`, or with no role yet, by user name (keyset).
pub async fn list_users(
    db: &Db,
    congresses: &[i64],
    q: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserListRow>, sqlx::Error> {
    let ids = if congresses.is_empty() {
        "0".to_string()
    } else {
        congresses
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let pattern = q.map(|q| format!("%{}%", crate::db::like_escape(q)));
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT u.id, u.username, u.display_name, u.disabled, u.must_change_password, u.last_login_at FROM users u \
         WHERE (EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.congress_id IN ({ids})) \
                OR NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id)) \
         AND u.username <> 'demo-seed' \
         AND ($1 IS NULL OR u.username LIKE $1 ESCAPE '\\' OR u.display_name LIKE $1 ESCAPE '\\') \
         AND ($2 IS NULL OR u.username > $2) ORDER BY u.username LIMIT $3"
    )))
    .bind(pattern)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(&db.pool)
    .await
}

pub async fn user_row(db: &Db, user: UserId) -> Result<Option<UserListRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, username, display_name, disabled, must_change_password, last_login_at FROM users WHERE id = $1")
        .bind(user.0)
        .fetch_optional(&db.pool)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantRow {
    pub id: i64,
    pub congress_id: i64,
    pub role: String,
    pub office: Option<String>,
}

pub async fn grant_rows(db: &Db, user: UserId) -> Result<Vec<GrantRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, congress_id, role, office FROM role_grants WHERE user_id = $1 ORDER BY congress_id, role")
        .bind(user.0)
        .fetch_all(&db.pool)
        .await
}

pub async fn revoke(tx: &mut Tx<'_>, user: UserId, grant: i64) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "DELETE FROM role_grants WHERE id = $1 AND user_id = $2 RETURNING congress_id",
    )
    .bind(grant)
    .bind(user.0)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(c,)| c))
}

pub async fn set_disabled(
    tx: &mut Tx<'_>,
    user: UserId,
    disabled: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET disabled = $2, disabled_reason = NULL WHERE id = $1")
        .bind(user.0)
        .bind(i64::from(disabled))
        .execute(&mut **tx)
        .await?;
    if disabled {
        sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut **tx)
            .await?;
        revoke_tokens(tx, user).await?;
    }
    Ok(())
}

//! `lianxin admin bootstrap`: the three separated administrators (三员分立) of a district, each
//! with a one-time password shown once and to be changed at first sign-in.

use super::roles::{Grant, Role};
use super::{password, store};
use crate::audit::{self, Outcome, Record};
use crate::congress::Congress;
use crate::db::Db;

pub struct Created {
    pub username: String,
    pub role: Role,
    pub one_time_password: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("administrator account {0} already exists; bootstrap runs once")]
    Exists(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("password hashing: {0}")]
    Hash(String),
}

pub async fn bootstrap(
    db: &Db,
    district: &Congress,
    now: i64,
) -> Result<Vec<Created>, BootstrapError> {
    let mut tx = db.write().await?;
    let mut out = Vec::new();
    for (username, role) in [
        ("sysadmin", Role::SystemAdmin),
        ("secadmin", Role::SecurityAdmin),
        ("auditadmin", Role::AuditAdmin),
    ] {
        if store::username_taken(&mut tx, username).await? {
            return Err(BootstrapError::Exists(username.into()));
        }
        let otp = password::one_time();
        let hash = password::hash(&otp).map_err(BootstrapError::Hash)?;
        let user = store::create_user(&mut tx, username, username, None, &hash, true, now).await?;
        store::grant(
            &mut tx,
            user,
            &Grant {
                congress: district.id,
                role,
                office: None,
                organization: None,
            },
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            &Record {
                at: now,
                user: None,
                congress: Some(district.id),
                action: "accounts.bootstrap",
                target: format!("user:{}", user.0),
                outcome: Outcome::Success,
                fields: &["username", "role"],
                client_addr: None,
            },
        )
        .await?;
        out.push(Created {
            username: username.into(),
            role,
            one_time_password: otp,
        });
    }
    tx.commit().await?;
    Ok(out)
}

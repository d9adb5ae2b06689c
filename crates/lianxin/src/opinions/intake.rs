//! 受理队列 — group commit for opinions. At a consultation's peak thousands of citizens submit
//! at once; one commit (one fsync) per opinion would cap intake at the disk's sync rate, and
//! concurrent write transactions would queue on SQLite's single writer. So submissions go to the
//! shared group-commit writer ([`crate::db::group_commit`]): one transaction per batch, each
//! submitter answered only after the commit; if a batch fails (a rare tracking-code collision,
//! say), each opinion is retried alone, so one bad submission never costs the others theirs.

use super::service::{Prepared, Received, store_prepared};
use crate::db::group_commit::{Batch, GroupWriter};
use crate::db::{Db, Tx};
use crate::platform::error::AppError;

/// How opinions are written in a batch: each in the batch's transaction ([`store_prepared`]).
pub struct Opinions;

impl Batch for Opinions {
    type Item = Prepared;
    type Output = Received;
    const MAX: usize = 128;
    const NAME: &'static str = "opinion";

    async fn write(
        &self,
        db: &Db,
        tx: &mut Tx<'static>,
        items: &[&Prepared],
    ) -> Result<Vec<Result<Received, AppError>>, AppError> {
        let mut done = Vec::with_capacity(items.len());
        for p in items {
            done.push(Ok(store_prepared(db, tx, p).await?));
        }
        Ok(done)
    }
}

/// The opinions' writer, shared by the public form, staff entry and the API.
pub type Intake = GroupWriter<Opinions>;

/// Starts the writer on the current runtime.
pub fn start(db: Db) -> Intake {
    GroupWriter::start(db, Opinions)
}

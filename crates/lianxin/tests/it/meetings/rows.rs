//! Rows decode their words at the store, and the schema's CHECK and the enum agree: every state
//! the enum has can be written and reads back as itself, and a word the code has no name for is
//! refused by the database before any comparison could silently miss it.

use crate::support::TestApp;
use lianxin::meetings::domain::{MeetingKind, MeetingState};
use lianxin::platform::ids::CongressId;

#[tokio::test]
async fn every_meeting_state_reads_back_as_itself_and_an_unknown_word_is_refused() {
    let app = TestApp::demo().await;
    let cid = CongressId(app.congress_id("示范区").await);
    let db = &app.state.db;
    let (mid,): (i64,) = sqlx::query_as(
        "SELECT id FROM meetings WHERE congress_id = $1 AND state = 'planned' ORDER BY id LIMIT 1",
    )
    .bind(cid.0)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    for state in MeetingState::ALL {
        sqlx::query("UPDATE meetings SET state = $2 WHERE id = $1")
            .bind(mid)
            .bind(state.as_str())
            .execute(&db.pool)
            .await
            .unwrap();
        let m = lianxin::meetings::service::meeting(db, cid, mid)
            .await
            .unwrap();
        assert_eq!(m.state, *state);
        assert!(MeetingKind::ALL.contains(&m.kind));
    }
    let unknown = sqlx::query("UPDATE meetings SET state = 'adjourned' WHERE id = $1")
        .bind(mid)
        .execute(&db.pool)
        .await;
    assert!(unknown.is_err(), "the schema takes only the enum's words");
}

//! Ballot secrecy against an insider (issue 17): someone who reads the database while a secret
//! vote is open or after it closed — its rows and their `xmin`, `ctid` and storage order, the
//! SQLite file and its WAL commit by commit, the PostgreSQL WAL — tries to link members to their
//! choices, and recovers nothing. Each attack is written against the tables as they were before
//! ballots were sealed (`ballots`, `vote_participation`, `audit_log`), and succeeds there.

use crate::support::{Client, NowMs, TestApp};
use lianxin::db::Backend;
use lianxin::meetings::ballot_seal;
use serde_json::json;

/// The choices the members make, one each, in voting order: distinct enough to be looked for.
const CHOICES: [&str; 8] = [
    "yes", "no", "abstain", "yes", "abstain", "no", "abstain", "yes",
];

struct Vote {
    cid: i64,
    id: i64,
    base: String,
    /// (person, username) of the members who vote, in voting order.
    voters: Vec<(i64, String)>,
}

/// A standing-committee meeting called, opened, every member checked in, a secret decision vote
/// on one item opened.
async fn open_vote(app: &TestApp, staff: &mut Client<'_>) -> Vote {
    let cid = app.congress_id("示范区").await;
    let now = app.clock.now_ms_();
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/meetings"),
            json!({"kind": "standing_committee", "title": "保密测试会议", "place": "会场", "starts_at": now}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text());
    let mid = r.json()["id"].as_i64().unwrap();
    let mbase = format!("/api/v1/congresses/{cid}/meetings/{mid}");
    let act = format!("{mbase}/actions");
    assert!(
        staff
            .json("POST", &act, json!({"action": "open"}))
            .await
            .status
            .is_success()
    );
    let view = staff.get(&mbase).await.json();
    let roll: Vec<i64> = view["roll"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["person_id"].as_i64().unwrap())
        .collect();
    for p in &roll {
        let r = staff
            .json("POST", &act, json!({"action": "check_in", "person": p}))
            .await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    staff
        .json(
            "POST",
            &act,
            json!({"action": "add_item", "kind": "decision", "title": "保密测试事项"}),
        )
        .await;
    let item = staff.get(&mbase).await.json()["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["id"]
        .clone();
    let r = staff
        .json(
            "POST",
            &format!("{mbase}/votes"),
            json!({"item": item, "subject": "保密测试表决"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let base = format!("/api/v1/congresses/{cid}/votes/{id}");
    let r = staff
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "open"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let mut voters = Vec::new();
    for p in roll {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT username FROM users WHERE person_id = $1")
                .bind(p)
                .fetch_optional(&app.state.db.pool)
                .await
                .unwrap();
        if let Some((u,)) = row {
            voters.push((p, u));
        }
    }
    voters.truncate(CHOICES.len());
    assert_eq!(voters.len(), CHOICES.len());
    Vote {
        cid,
        id,
        base,
        voters,
    }
}

/// The member signs in on their phone and casts `choice`; it is acknowledged.
async fn cast(app: &TestApp, vote: &Vote, user: &str, choice: &str) {
    let mut member = app.login(user).await;
    let r = member
        .json(
            "POST",
            &format!("{}/ballot", vote.base),
            json!({"ballot": choice}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text());
}

/// The SQLite WAL file's bytes.
fn wal(app: &TestApp) -> Vec<u8> {
    std::fs::read(app.dir.path().join("lianxin.sqlite-wal")).unwrap_or_default()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `pg_walinspect` over a WAL range: (transaction id, records) of the transactions' records
/// that touch `table` of this test's schema (VACUUM's records, of no transaction, left out). None where the extension cannot be had (no superuser).
async fn wal_records(app: &TestApp, table: &str, from: &str, to: &str) -> Option<Vec<(i64, i64)>> {
    let db = &app.state.db;
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_walinspect WITH SCHEMA public")
        .execute(&db.pool)
        .await
        .ok()?;
    let (node,): (i64,) = sqlx::query_as("SELECT pg_relation_filenode($1::regclass)::bigint")
        .bind(table)
        .fetch_one(&db.pool)
        .await
        .ok()?;
    sqlx::query_as(
        "SELECT xid::text::bigint, COUNT(*) FROM public.pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn) \
         WHERE block_ref LIKE '%/' || $3 || ' fork%' AND xid::text <> '0' GROUP BY xid ORDER BY xid",
    )
    .bind(from)
    .bind(to)
    .bind(node.to_string())
    .fetch_all(&db.pool)
    .await
    .ok()
}

async fn lsn(app: &TestApp) -> String {
    let (l,): (String,) = sqlx::query_as("SELECT pg_current_wal_flush_lsn()::text")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    l
}

/// The xmin join: every ballot row that shares its transaction with "member X voted".
async fn xmin_linked(app: &TestApp, vote: i64) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM ballots b JOIN vote_participation p ON p.xmin = b.xmin AND p.vote_id = b.vote_id WHERE b.vote_id = {vote}"
    ))
    .await
        + app
            .count(&format!(
                "SELECT COUNT(*) FROM ballots b JOIN audit_log a ON a.xmin = b.xmin WHERE b.vote_id = {vote} AND a.action = 'meetings.voted'"
            ))
            .await
}

#[tokio::test]
async fn an_insider_links_no_member_to_a_ballot_while_the_vote_is_open_or_after_it_closed() {
    let app = TestApp::demo().await;
    let pg = app.backend() == Backend::Postgres;
    let mut staff = app.login("bangong").await;
    let vote = open_vote(&app, &mut staff).await;
    assert_eq!(
        ballot_seal::kept_keys(&app.state.db.vault).unwrap(),
        vec![vote.id],
        "the open vote's key is in the key store"
    );
    let key_public: (Option<String>,) =
        sqlx::query_as("SELECT ballot_public_key FROM votes WHERE id = $1")
            .bind(vote.id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(
        key_public.0.is_some_and(|k| k.len() == 130),
        "the public key is kept with the vote"
    );

    // A quiet room: one member votes at a time, each ballot its own commit. On SQLite the WAL
    // is emptied first, then read after every commit, as an insider copying the files would:
    // it holds exactly the frames the voting wrote (SQLite reuses the file from its start after
    // a checkpoint, so its growth alone would miss them).
    let wal_from = if pg { lsn(&app).await } else { String::new() };
    if !pg {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        assert!(wal(&app).is_empty());
    }
    let mut frames = 0;
    for ((_, user), choice) in vote.voters.iter().zip(CHOICES) {
        cast(&app, &vote, user, choice).await;
        if !pg {
            let now = wal(&app);
            assert!(now.len() > frames, "the commit is in the WAL");
            frames = now.len();
            for c in ["yes", "no", "abstain"] {
                assert!(
                    !contains(&now, format!("\"{c}\"").as_bytes()),
                    "after {user}'s ballot the WAL shows the choice {c}"
                );
            }
        }
    }
    // While the vote is open: nothing readable links a member to a choice.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM ballots WHERE vote_id = {}",
            vote.id
        ))
        .await,
        0,
        "no ballot is in the clear while the vote is open"
    );
    let sealed: Vec<(String,)> =
        sqlx::query_as("SELECT sealed FROM sealed_ballots WHERE vote_id = $1")
            .bind(vote.id)
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(sealed.len(), CHOICES.len(), "one sealed batch per commit");
    let len = sealed[0].0.len();
    assert!(
        sealed.iter().all(|(s,)| s.len() == len),
        "every sealed ballot is as long as another"
    );
    let distinct: std::collections::BTreeSet<_> = sealed.iter().map(|s| s.0.clone()).collect();
    assert_eq!(
        distinct.len(),
        sealed.len(),
        "equal choices do not give equal ciphertexts"
    );
    // The longest choice written out in hex (18 digits): never in a ciphertext by chance.
    let abstain = hex::encode("\"abstain\"");
    assert!(sealed.iter().all(|(s,)| !s.contains(&abstain)));
    if pg {
        assert_eq!(
            xmin_linked(&app, vote.id).await,
            0,
            "the xmin join finds no ballot"
        );
        // The xmin join against the sealed rows finds each member's row — and a ciphertext.
        let linked = app
            .count(&format!("SELECT COUNT(*) FROM sealed_ballots s JOIN vote_participation p ON p.xmin = s.xmin AND p.vote_id = s.vote_id WHERE s.vote_id = {}", vote.id))
            .await;
        assert_eq!(
            linked,
            CHOICES.len() as i64,
            "the attack reaches only ciphertext"
        );
        // pg_walinspect over the vote's WAL range: which transactions wrote ballots.
        let to = lsn(&app).await;
        match wal_records(&app, "ballots", &wal_from, &to).await {
            Some(clear) => {
                assert!(
                    clear.is_empty(),
                    "transactions wrote clear ballots while the vote was open: {clear:?}"
                );
                let sealed = wal_records(&app, "sealed_ballots", &wal_from, &to)
                    .await
                    .unwrap();
                assert_eq!(
                    sealed.len(),
                    CHOICES.len(),
                    "the inspection sees each ballot's transaction"
                );
            }
            None => eprintln!("pg_walinspect cannot be had here: the WAL inspection is skipped"),
        }
    }

    // Close: opened in memory, counted, written in the clear in one batch, the key destroyed.
    let close_from = if pg { lsn(&app).await } else { String::new() };
    let r = staff
        .json(
            "POST",
            &format!("{}/actions", vote.base),
            json!({"action": "close"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let counts = &r.json()["result"]["counts"];
    assert_eq!(counts["yes"], 3);
    assert_eq!(counts["no"], 2);
    assert_eq!(counts["abstain"], 3);
    assert!(
        ballot_seal::kept_keys(&app.state.db.vault)
            .unwrap()
            .is_empty(),
        "the key is gone"
    );
    assert!(
        ballot_seal::load_key(&app.state.db.vault, vote.id)
            .unwrap()
            .is_none()
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM sealed_ballots WHERE vote_id = {}",
            vote.id
        ))
        .await,
        0
    );
    let clear: Vec<(String, String)> =
        sqlx::query_as("SELECT ballot_key, content FROM ballots WHERE vote_id = $1")
            .bind(vote.id)
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        clear.len(),
        CHOICES.len(),
        "the clear ballots are kept for any recount"
    );
    if pg {
        // After close every ballot and every member's participation carry the close's stamp:
        // the xmin join pairs each ballot with every voter alike, and with no audit record.
        let n = CHOICES.len() as i64;
        assert_eq!(
            xmin_linked(&app, vote.id).await,
            n * n,
            "all with all, nothing per voter"
        );
        let stamps = app
            .count(&format!("SELECT COUNT(DISTINCT x) FROM (SELECT xmin::text AS x FROM ballots WHERE vote_id = {0} UNION ALL SELECT xmin::text FROM vote_participation WHERE vote_id = {0}) s", vote.id))
            .await;
        assert_eq!(stamps, 1);
        let close_to = lsn(&app).await;
        if let Some(clear) = wal_records(&app, "ballots", &close_from, &close_to).await {
            assert_eq!(
                clear.len(),
                1,
                "the clear ballots were written by the close alone: {clear:?}"
            );
        }
        // The storage order is the random keys' order, not the voting order.
        let by_ctid: Vec<(String,)> =
            sqlx::query_as("SELECT ballot_key FROM ballots WHERE vote_id = $1 ORDER BY ctid")
                .bind(vote.id)
                .fetch_all(&app.state.db.pool)
                .await
                .unwrap();
        let mut keys: Vec<String> = clear.iter().map(|c| c.0.clone()).collect();
        keys.sort();
        assert_eq!(by_ctid.into_iter().map(|k| k.0).collect::<Vec<_>>(), keys);
    } else {
        // The cells of the ballots' pages: written in key order in one batch, so their offsets
        // in the file follow the random keys, not the voters.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let file = std::fs::read(app.dir.path().join("lianxin.sqlite")).unwrap();
        let mut at: Vec<(usize, String)> = clear
            .iter()
            .map(|(k, _)| {
                let off = file
                    .windows(32)
                    .position(|w| w == k.as_bytes())
                    .expect("the ballot's key is in the file");
                (off, k.clone())
            })
            .collect();
        at.sort();
        let order: Vec<String> = at.into_iter().map(|a| a.1).collect();
        let mut sorted = order.clone();
        sorted.sort();
        let mut reversed = sorted.clone();
        reversed.reverse();
        assert!(
            order == sorted || order == reversed,
            "the storage order follows the keys"
        );
    }
}

/// A server killed during the vote keeps the key: after the restart the vote closes and counts;
/// a key that outlived its vote is destroyed by the sweep.
#[tokio::test]
async fn the_key_survives_a_restart_during_the_vote_and_not_the_vote() {
    let app = TestApp::demo().await;
    let mut staff = app.login("bangong").await;
    let vote = open_vote(&app, &mut staff).await;
    for (voter, choice) in vote.voters.iter().zip(CHOICES).take(3) {
        cast(&app, &vote, &voter.1, choice).await;
    }
    // The restart: the key store opened again from its folder, nothing kept in memory.
    let db =
        app.state.db.clone().with_vault(
            lianxin::platform::vault::Vault::open(&app.dir.path().join("keys")).unwrap(),
        );
    assert_eq!(
        lianxin::meetings::service::destroy_spent_ballot_keys(&db)
            .await
            .unwrap(),
        0,
        "an open vote's key is kept"
    );
    assert!(ballot_seal::load_key(&db.vault, vote.id).unwrap().is_some());
    let user = lianxin::platform::ids::UserId(
        app.count("SELECT id FROM users WHERE username = 'bangong'")
            .await,
    );
    let now = app.clock.now_ms_();
    let o = lianxin::platform::origin::Origin {
        user,
        now,
        client_addr: None,
        today: chrono::DateTime::from_timestamp_millis(now)
            .unwrap()
            .date_naive(),
    };
    let out = lianxin::meetings::service::close_vote(
        &db,
        lianxin::platform::ids::CongressId(vote.cid),
        vote.id,
        None,
        &o,
    )
    .await
    .unwrap();
    assert_eq!(out.counts["yes"], 1);
    assert_eq!(out.counts["no"], 1);
    assert_eq!(out.counts["abstain"], 1);
    assert!(ballot_seal::load_key(&db.vault, vote.id).unwrap().is_none());
    // A key left behind by a close interrupted after its commit: the sweep destroys it.
    ballot_seal::create_key(&db.vault, vote.id).unwrap();
    assert_eq!(
        lianxin::meetings::service::destroy_spent_ballot_keys(&db)
            .await
            .unwrap(),
        1
    );
    assert!(ballot_seal::kept_keys(&db.vault).unwrap().is_empty());
}

/// Closing verifies instead of hoping: where an older snapshot (a running `pg_dump`, say) keeps
/// VACUUM from removing the dead row versions of the ballot tables, the vote is marked, its
/// page says so, and the retry removes them once the snapshot is gone.
#[tokio::test]
async fn a_close_that_could_not_remove_dead_row_versions_says_so_and_retries() {
    // Alone in its database: another test's snapshot would also hold the dead versions back.
    let app = TestApp::demo_alone().await;
    let mut staff = app.login("bangong").await;
    let vote = open_vote(&app, &mut staff).await;
    for (voter, choice) in vote.voters.iter().zip(CHOICES).take(3) {
        cast(&app, &vote, &voter.1, choice).await;
    }
    let pg = app.backend() == Backend::Postgres;
    // A long report holds a snapshot from before the close.
    let mut report = app.state.db.read().await.unwrap();
    if pg {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *report)
            .await
            .unwrap();
        sqlx::query("SELECT COUNT(*) FROM votes")
            .execute(&mut *report)
            .await
            .unwrap();
    }
    let r = staff
        .json(
            "POST",
            &format!("{}/actions", vote.base),
            json!({"action": "close"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let view = staff.get(&vote.base).await.json();
    assert_eq!(view["purge_pending"], pg, "{view}");
    let page = staff
        .get(&format!("/c/{}/votes/{}", vote.cid, vote.id))
        .await
        .text();
    assert_eq!(page.contains("id=\"purge-pending\""), pg);
    report.rollback().await.unwrap();
    lianxin::meetings::service::retry_purges(&app.state.db)
        .await
        .unwrap();
    assert_eq!(staff.get(&vote.base).await.json()["purge_pending"], false);
}

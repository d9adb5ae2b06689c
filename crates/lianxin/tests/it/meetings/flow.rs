//! A standing-committee meeting of the demo district run through the API: the quorum at its
//! edge, check-in by the rotating code, members voting at the same time, a second ballot refused
//! also when sent twice at once, the sealed result recounted from its published ballots, and
//! the tables of a secret vote inspected for anything that links a member to a ballot.

use crate::support::{Client, NowMs, TestApp, join_all};
use axum::http::StatusCode;
use lianxin::db::Backend;
use lianxin::meetings::{self, domain};
use lianxin::platform::ids::CongressId;
use serde_json::{Value, json};

async fn todays_meeting(app: &TestApp, staff: &mut Client<'_>, cid: i64) -> i64 {
    let list = staff
        .get(&format!("/api/v1/congresses/{cid}/meetings"))
        .await
        .json()["items"]
        .clone();
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["title"].as_str().unwrap().contains("第三十一次") && m["state"] == "planned")
        .map(|m| m["id"].as_i64().unwrap())
        .unwrap_or_else(|| panic!("no planned meeting in {list}; backend {:?}", app.backend()))
}

/// The usernames of the standing committee's members, in roll order.
async fn members(app: &TestApp, meeting: i64) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for r in meetings::roll(&app.state.db, meeting).await.unwrap() {
        let (name,): (String,) = sqlx::query_as("SELECT username FROM users WHERE person_id = $1")
            .bind(r.person_id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        out.push((r.person_id, name));
    }
    out
}

#[tokio::test]
async fn a_standing_committee_meeting_votes_in_secret_and_seals_its_result() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut staff = app.login("bangong").await;
    let mid = todays_meeting(&app, &mut staff, cid).await;
    let base = format!("/api/v1/congresses/{cid}/meetings/{mid}");
    let view = staff.get(&base).await.json();
    assert_eq!(view["quorum"]["members"], 25);
    assert_eq!(view["quorum"]["required"], 13, "more than half of 25");
    let items = view["items"].as_array().unwrap().clone();
    let decision = items.iter().find(|i| i["kind"] == "decision").unwrap()["id"]
        .as_i64()
        .unwrap();
    let report = items.iter().find(|i| i["kind"] == "report").unwrap()["id"]
        .as_i64()
        .unwrap();

    // A report is not voted on; a vote on the decision is set up.
    let r = staff
        .json(
            "POST",
            &format!("{base}/votes"),
            json!({"item": report, "subject": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = staff
        .json(
            "POST",
            &format!("{base}/votes"),
            json!({"item": decision, "subject": "关于民生实事项目实施情况报告的决议"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let vote = r.json()["id"].as_i64().unwrap();
    let vbase = format!("/api/v1/congresses/{cid}/votes/{vote}");

    // The meeting is not open: no vote starts.
    let r = staff
        .json(
            "POST",
            &format!("{vbase}/actions"),
            json!({"action": "open"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = staff
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "open"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Members check in from their phones with the code on the screen.
    let roll = members(&app, mid).await;
    // The demo's earlier meetings (the sittings, the reviews) are on the first member's record.
    let before = meetings::record_of(&app.state.db, CongressId(cid), roll[0].0)
        .await
        .unwrap();
    let key = meetings::meeting(&app.state.db, CongressId(cid), mid)
        .await
        .unwrap()
        .unwrap()
        .check_in_key;
    let now = app.clock.now_ms_();
    let code = domain::check_in_code(&key, mid, now);
    let mut phones = Vec::new();
    for (_, username) in roll.iter().take(14) {
        phones.push(app.login(username).await);
    }
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let r = phones[0]
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "check_in_code", "code": wrong}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a wrong code is refused"
    );
    // Guessing is bounded: after five wrong codes the 14th member's right code is refused too,
    // and only staff can check them in.
    let guesser = &mut phones[13];
    for _ in 0..domain::MAX_CODE_FAILURES {
        let r = guesser
            .json(
                "POST",
                &format!("{base}/actions"),
                json!({"action": "check_in_code", "code": wrong}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = guesser
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "check_in_code", "code": code}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.text().contains("工作人员为您签到"), "{}", r.text());
    for p in phones.iter_mut().take(12) {
        let r = p
            .json(
                "POST",
                &format!("{base}/actions"),
                json!({"action": "check_in_code", "code": code}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    // 12 of 25 is not more than half: the vote may not open, and nothing changed.
    let r = staff
        .json(
            "POST",
            &format!("{vbase}/actions"),
            json!({"action": "open"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.text().contains("法定人数"), "{}", r.text());
    assert_eq!(staff.get(&vbase).await.json()["state"], "ready");
    // The 13th by staff at the door: quorum.
    let r = staff
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "check_in", "person": roll[12].0}),
        )
        .await;
    assert_eq!(r.json()["met"], true);
    let r = staff
        .json(
            "POST",
            &format!("{vbase}/actions"),
            json!({"action": "open"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["members"], 25);
    assert_eq!(r.json()["present"], 13);

    // Someone not checked in may not vote; a ballot of the wrong shape is refused.
    let r = phones[13]
        .json("POST", &format!("{vbase}/ballot"), json!({"ballot": "yes"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = phones[0]
        .json(
            "POST",
            &format!("{vbase}/ballot"),
            json!({"ballot": "maybe"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Twelve phones vote at once: 10 yes, 1 no, 1 abstain.
    let choices: Vec<&str> = (0..12)
        .map(|k| match k {
            10 => "no",
            11 => "abstain",
            _ => "yes",
        })
        .collect();
    let futures: Vec<_> = phones
        .iter_mut()
        .take(12)
        .zip(&choices)
        .map(|(p, c)| {
            let path = format!("{vbase}/ballot");
            let c = *c;
            async move { p.json("POST", &path, json!({"ballot": c})).await }
        })
        .collect();
    let receipts = join_all(futures).await;
    let mut trackers = Vec::new();
    for r in &receipts {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        trackers.push(r.json()["tracker"].as_str().unwrap().to_string());
    }
    // A second ballot is refused — also two sent at the same moment by the 13th member.
    let r = phones[0]
        .json("POST", &format!("{vbase}/ballot"), json!({"ballot": "no"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let mut thirteenth = app.login(&roll[12].1).await;
    let mut twin = app.client();
    twin.cookies = thirteenth.cookies.clone();
    let path = format!("{vbase}/ballot");
    let (a, b) = tokio::join!(
        thirteenth.json("POST", &path, json!({"ballot": "yes"})),
        twin.json("POST", &path, json!({"ballot": "yes"}))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{} / {}",
        a.text(),
        b.text()
    );
    assert_eq!(staff.get(&vbase).await.json()["voted"], 13);

    // Closed: 11 yes of 25 members in office is not more than half — it fails, though 11 of 13
    // present said yes.
    let r = staff
        .json(
            "POST",
            &format!("{vbase}/actions"),
            json!({"action": "close"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(
        v["result"]["counts"],
        json!({"yes": 11, "no": 1, "abstain": 1, "not_voted": 0})
    );
    assert_eq!(v["result"]["threshold"], 13);
    assert_eq!(v["result"]["passed"], false);
    assert_eq!(v["digest"].as_str().unwrap().len(), 64);
    assert_eq!(v["signature"].as_str().unwrap().len(), 128);
    // Every voter finds their tracker; the published ballots recount to the same result.
    let published: Vec<String> = v["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    assert_eq!(published.len(), 13);
    for t in &trackers {
        assert!(published.contains(t), "tracker {t} not published");
    }
    let recount = lianxin::meetings::recount::recount_json(&v["published"].to_string()).unwrap();
    assert_eq!(serde_json::to_value(&recount).unwrap(), v["result"]);
    let seal = lianxin::platform::seal::Seal {
        digest: v["digest"].as_str().unwrap().into(),
        signature: v["signature"].as_str().unwrap().into(),
        key_version: v["seal_version"].as_i64().unwrap(),
    };
    let sealed = format!(
        "{}\n{}",
        serde_json::to_string(
            &serde_json::from_value::<lianxin::meetings::recount::Input>(v["published"].clone())
                .unwrap()
        )
        .unwrap(),
        serde_json::to_string(&recount).unwrap()
    );
    assert!(
        lianxin::congress::sealing::verify(
            &app.state.db,
            CongressId(cid),
            sealed.as_bytes(),
            &seal
        )
        .await
        .unwrap()
    );
    // After closing, no ballot is accepted.
    let r = phones[1]
        .json("POST", &format!("{vbase}/ballot"), json!({"ballot": "yes"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The deputy's performance record: attended and voted — never how.
    let r = staff
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "close"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let (deputy,): (i64,) =
        sqlx::query_as("SELECT id FROM deputies WHERE person_id = $1 AND congress_id = $2")
            .bind(roll[0].0)
            .bind(cid)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let mut office = app.login("daibiao").await;
    let page = office
        .get(&format!("/c/{cid}/deputies/{deputy}"))
        .await
        .text();
    for part in [
        format!("应出席会议 {} 次", before.meetings + 1),
        format!("出席 {} 次", before.present + 1),
        format!("请假 {} 次", before.on_leave),
        format!("电子表决 {} 项", before.votes + 1),
        format!("参加表决 {} 项", before.voted + 1),
    ] {
        assert!(
            page.contains(&part),
            "the deputy's page lacks {part}: {}",
            page.split("应出席会议")
                .nth(1)
                .unwrap_or("")
                .chars()
                .take(200)
                .collect::<String>()
        );
    }

    // The portal publishes the sealed result (counts and verdict, no one's vote), unless the
    // congress keeps its results internal.
    let mut citizen = app.client();
    let page = citizen.get(&format!("/results/{cid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("关于民生实事项目实施情况报告的决议")
            && page.text().contains("未通过")
    );
    let listed = citizen
        .get(&format!("/api/v1/public/congresses/{cid}/results"))
        .await
        .json()["items"]
        .clone();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["vote_id"] == vote)
    );
    let mut tx = app.state.db.write().await.unwrap();
    let change = lianxin::settings::Change {
        key: "results.publish",
        value: "keep_internal",
        source: lianxin::settings::registry::SourceKind::ProductDefault,
        source_text: "测试",
        decided_on: None,
    };
    lianxin::settings::set(&mut tx, CongressId(cid), &change, 0, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        citizen.get(&format!("/results/{cid}")).await.status,
        StatusCode::NOT_FOUND
    );

    no_table_links_a_member_to_a_ballot(&app, vote).await;
    // The ballots' audit records, appended many to a commit, still chain as one at a time do.
    let report = lianxin::audit::chain::verify(&app.state.db, &[7u8; 32])
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
}

/// The schema and the rows of a closed secret vote: the ballot tables hold a random key and the
/// content only; the audit trail says who voted, never how.
async fn no_table_links_a_member_to_a_ballot(app: &TestApp, vote: i64) {
    let db = &app.state.db;
    let columns = |table: &'static str| async move {
        let sql = match db.backend {
            Backend::Sqlite => {
                format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid")
            }
            Backend::Postgres => format!(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
            ),
        };
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&db.pool)
            .await
            .unwrap();
        rows.into_iter().map(|r| r.0).collect::<Vec<_>>()
    };
    // The congress (the same for every ballot of a vote) keeps tenancy checks uniform.
    assert_eq!(
        columns("ballots").await,
        ["vote_id", "congress_id", "ballot_key", "content"]
    );
    assert_eq!(
        columns("ballot_trackers").await,
        ["vote_id", "congress_id", "tracker"]
    );
    assert_eq!(
        columns("vote_participation").await,
        ["vote_id", "congress_id", "person_id"]
    );
    if db.backend == Backend::Sqlite {
        assert!(
            sqlx::query("SELECT rowid FROM ballots")
                .fetch_all(&db.pool)
                .await
                .is_err(),
            "ballots have no rowid that follows the voting order"
        );
    } else {
        // Rewritten at closing: one transaction stamp for every row, in key order.
        let stamps = app
            .count(&format!(
                "SELECT COUNT(DISTINCT xmin::text) FROM ballots WHERE vote_id = {vote}"
            ))
            .await;
        assert_eq!(stamps, 1, "ballots carry their voters' transaction stamps");
        let together = app
            .count(&format!("SELECT COUNT(DISTINCT x) FROM (SELECT xmin::text AS x FROM ballots WHERE vote_id = {vote} UNION ALL SELECT xmin::text FROM vote_participation WHERE vote_id = {vote}) s"))
            .await;
        assert_eq!(together, 1);
    }
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT ballot_key, content FROM ballots WHERE vote_id = $1 ORDER BY ballot_key",
    )
    .bind(vote)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(keys.len(), 13);
    assert!(
        keys.iter()
            .all(|(k, _)| k.len() == 32 && k.chars().all(|c| c.is_ascii_hexdigit()))
    );
    let voted = app
        .count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'meetings.voted' AND target = 'vote:{vote}'"))
        .await;
    assert_eq!(voted, 13, "one record per voter: that they voted");
    let leaks = app
        .count(&format!("SELECT COUNT(*) FROM audit_log WHERE target = 'vote:{vote}' AND (fields LIKE '%yes%' OR fields LIKE '%ballot%')"))
        .await;
    assert_eq!(leaks, 0);
    let v: Value = serde_json::from_str(
        &meetings::vote(db, CongressId(app.congress_id("示范区").await), vote)
            .await
            .unwrap()
            .unwrap()
            .published
            .unwrap(),
    )
    .unwrap();
    assert!(
        v.to_string().find("person").is_none(),
        "the published ballots name no one"
    );
}

#[tokio::test]
async fn an_election_lists_by_strokes_checks_write_ins_and_a_paper_vote_takes_the_tellers_counts() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut staff = app.login("bangong").await;
    let mid = todays_meeting(&app, &mut staff, cid).await;
    let base = format!("/api/v1/congresses/{cid}/meetings/{mid}");
    let r = staff
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "add_item", "kind": "election", "title": "补选常委会委员"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let view = staff.get(&base).await.json();
    let item = view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "election")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    // The item's document, distributed to participants, is flagged: it came later than 7 days ahead.
    let (ct, body) =
        crate::suggestions::multipart("material", "候选人情况.pdf", crate::suggestions::PDF);
    let r = staff
        .post_raw(
            &format!(
                "/c/{cid}/agenda-items/{item}/documents?_csrf={}",
                staff.csrf()
            ),
            &ct,
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (ct, body) =
        crate::suggestions::multipart("material", "网页.pdf", b"<html><script>x</script></html>");
    let r = staff
        .post_raw(
            &format!(
                "/c/{cid}/agenda-items/{item}/documents?_csrf={}",
                staff.csrf()
            ),
            &ct,
            body,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a disguised file is refused"
    );
    let docs = staff.get(&base).await.json()["documents"].clone();
    assert_eq!(docs.as_array().unwrap().len(), 1, "{docs}");
    assert_eq!(docs[0]["late"], true);
    let aid = docs[0]["attachment"]["id"].as_i64().unwrap();
    let mut member = app.login("changwei").await;
    let r = member
        .get(&format!("/c/{cid}/agenda-items/{item}/documents/{aid}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().starts_with("%PDF"));

    // A head's list with two more candidates than the seat is refused (组织法 Art 27).
    let r = staff
        .json("POST", &format!("{base}/votes"), json!({"item": item, "subject": "选举主任", "seats": 1, "post": "head", "candidates": ["黄明", "丁一", "王芳"]}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("第27条"), "{}", r.text());
    // A deputy head's: accepted, listed by the strokes of the surname, write-ins among deputies.
    let r = staff
        .json("POST", &format!("{base}/votes"), json!({"item": item, "subject": "补选副主任", "seats": 1, "post": "deputy_head", "candidates": ["黄明", "丁一", "王芳"], "write_ins_deputies_only": true}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let vote = r.json()["id"].as_i64().unwrap();
    let vbase = format!("/api/v1/congresses/{cid}/votes/{vote}");
    assert_eq!(
        staff.get(&vbase).await.json()["candidates"],
        json!(["丁一", "王芳", "黄明"])
    );
    let docx = staff
        .get(&format!("/c/{cid}/votes/{vote}/paper-ballot.docx"))
        .await;
    assert_eq!(docx.status, StatusCode::OK);

    staff
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "open"}),
        )
        .await;
    let roll = members(&app, mid).await;
    for (person, _) in roll.iter().take(13) {
        staff
            .json(
                "POST",
                &format!("{base}/actions"),
                json!({"action": "check_in", "person": person}),
            )
            .await;
    }
    let r = staff
        .json(
            "POST",
            &format!("{vbase}/actions"),
            json!({"action": "open"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut phone = app.login(&roll[0].1).await;
    let r = phone
        .json(
            "POST",
            &format!("{vbase}/ballot"),
            json!({"ballot": {"write_in": ["查无此人"]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.text().contains("查无此人"),
        "the message names the write-in: {}",
        r.text()
    );
    let r = phone
        .json(
            "POST",
            &format!("{vbase}/ballot"),
            json!({"ballot": {"for": ["丁一"], "write_in": ["王芳2"]}}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "two chosen for one seat"
    );
    let deputy: (String,) = sqlx::query_as("SELECT p.name FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.congress_id = $1 AND d.status = 'in_office' ORDER BY d.id LIMIT 1")
        .bind(cid)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = phone
        .json(
            "POST",
            &format!("{vbase}/ballot"),
            json!({"ballot": {"against": ["丁一"], "write_in": [deputy.0]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = staff
        .json(
            "POST",
            &format!("{vbase}/actions"),
            json!({"action": "close"}),
        )
        .await;
    let result = &r.json()["result"];
    assert_eq!(result["counts"][deputy.0.as_str()], 1, "{result}");
    assert_eq!(result["unfilled"], 1, "one vote of 25 elects no one");
    // A write-in could name its voter: per-name counts are published, not the ballots, and they
    // recount to the same counts.
    let published = &r.json()["published"];
    assert!(
        published.get("ballots").is_none() && published["counts"].is_object(),
        "{published}"
    );
    let recounted = lianxin::meetings::recount::recount_json(&published.to_string()).unwrap();
    assert_eq!(
        serde_json::to_value(&recounted.counts).unwrap(),
        result["counts"]
    );
    assert_eq!(recounted.elected.len(), 0);

    // Appointments go one person at a time; two in one vote only on the chairpersons' decision.
    let appointment = view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "appointment")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let two = json!({"item": appointment, "subject": "任命林晓燕、陈立新", "appointees": ["林晓燕", "陈立新"]});
    let r = staff
        .json("POST", &format!("{base}/votes"), two.clone())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let mut merged = two;
    merged["merged_by"] = json!("第五十次主任会议决定合并表决");
    let r = staff.json("POST", &format!("{base}/votes"), merged).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let merged_vote = r.json()["id"].as_i64().unwrap();
    let note = staff
        .get(&format!("/api/v1/congresses/{cid}/votes/{merged_vote}"))
        .await
        .json()["method_note"]
        .clone();
    assert!(
        note.as_str().unwrap().contains("第五十次主任会议"),
        "{note}"
    );

    // The decision item goes to paper: switched with the reason, the tellers' counts close it.
    let decision = view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "decision")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = staff
        .json(
            "POST",
            &format!("{base}/votes"),
            json!({"item": decision, "subject": "关于报告的决议"}),
        )
        .await;
    let vote = r.json()["id"].as_i64().unwrap();
    let vbase = format!("/api/v1/congresses/{cid}/votes/{vote}");
    let r = staff
        .json(
            "POST",
            &format!("{vbase}/actions"),
            json!({"action": "switch", "method": "paper", "reason": "表决器故障"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.json()["method_note"]
            .as_str()
            .unwrap()
            .contains("表决器故障")
    );
    staff
        .json(
            "POST",
            &format!("{vbase}/actions"),
            json!({"action": "open"}),
        )
        .await;
    let r = phone
        .json("POST", &format!("{vbase}/ballot"), json!({"ballot": "yes"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "no electronic ballot in a paper vote"
    );
    let r = staff
        .json(
            "POST",
            &format!("{vbase}/actions"),
            json!({"action": "close"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a paper vote needs the counts"
    );
    let r = staff
        .json("POST", &format!("{vbase}/actions"), json!({"action": "counts", "counts": {"yes": 11, "no": 1, "abstain": 1}, "void_ballots": 0}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["result"]["passed"], false, "11 of 25");
    assert_eq!(r.json()["published"]["counts"]["yes"], 11);

    // A sealed result is final: the tellers' recount is a new sealed record with its reason.
    let r = staff
        .json("POST", &format!("{vbase}/actions"), json!({"action": "correct", "reason": "重数", "counts": {"yes": 13, "no": 0, "abstain": 0}}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason of ten characters or more"
    );
    let r = staff
        .json("POST", &format!("{vbase}/actions"), json!({"action": "correct", "reason": "计票人复核纸质选票，发现两张赞成票漏计", "counts": {"yes": 13, "no": 0, "abstain": 0}}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(
        v["result"]["passed"], false,
        "the sealed result stays as it was"
    );
    assert_eq!(v["corrections"].as_array().unwrap().len(), 1);
    let corrected: Value =
        serde_json::from_str(v["corrections"][0]["result"].as_str().unwrap()).unwrap();
    assert_eq!(corrected["passed"], true, "13 of 25 after the recount");
    assert_eq!(v["corrections"][0]["digest"].as_str().unwrap().len(), 64);
}

/// 代表法 Art 62: two sessions missed without leave are flagged to staff; attending one sitting of
/// a session, or leave for it, is not missing it.
#[tokio::test]
async fn deputies_who_missed_two_sessions_without_leave_are_flagged() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut staff = app.login("bangong").await;
    let sessions: Vec<(String,)> =
        sqlx::query_as("SELECT opens_on FROM sessions WHERE congress_id = $1 ORDER BY opens_on")
            .bind(cid)
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert!(sessions.len() >= 2, "the demo district has two sessions");
    let mut present = 0;
    let mut excused = 0;
    for (k, (opens,)) in sessions.iter().take(2).enumerate() {
        let day = chrono::NaiveDate::parse_from_str(opens, "%Y-%m-%d").unwrap();
        let at = lianxin::platform::clock::china_midnight_ms(day) + 9 * 3_600_000;
        let r = staff
            .json("POST", &format!("/api/v1/congresses/{cid}/meetings"), json!({"kind": "congress_sitting", "title": format!("第{}次会议第一次全体会议", k + 1), "place": "礼堂", "starts_at": at}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let mid = r.json()["id"].as_i64().unwrap();
        let base = format!("/api/v1/congresses/{cid}/meetings/{mid}");
        staff
            .json(
                "POST",
                &format!("{base}/actions"),
                json!({"action": "open"}),
            )
            .await;
        let roll = meetings::roll(&app.state.db, mid).await.unwrap();
        present = roll[0].person_id;
        excused = roll[1].person_id;
        staff
            .json(
                "POST",
                &format!("{base}/actions"),
                json!({"action": "check_in", "person": present}),
            )
            .await;
        if k == 1 {
            staff
                .json(
                    "POST",
                    &format!("{base}/actions"),
                    json!({"action": "approve_leave", "person": excused}),
                )
                .await;
        }
        let r = staff
            .json(
                "POST",
                &format!("{base}/actions"),
                json!({"action": "close"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let flagged = lianxin::meetings::service::unexcused_absences(&app.state.db, CongressId(cid))
        .await
        .unwrap();
    let deputies = app
        .count(&format!(
            "SELECT COUNT(*) FROM deputies WHERE congress_id = {cid} AND status = 'in_office'"
        ))
        .await as usize;
    assert_eq!(
        flagged.len(),
        deputies - 2,
        "all but the one present and the one on leave"
    );
    assert!(
        flagged
            .iter()
            .all(|(p, _, n)| *p != present && *p != excused && *n == 2)
    );
    let page = staff.get(&format!("/c/{cid}/meetings")).await.text();
    assert!(page.contains("代表法第六十二条提示"), "staff see the flag");
    let mut member = app.login("changwei").await;
    assert!(
        !member
            .get(&format!("/c/{cid}/meetings"))
            .await
            .text()
            .contains("第六十二条"),
        "members do not"
    );
}

/// While a meeting is open, a member checked in to it is not signed out for idling; others are,
/// and so is the member once the meeting is closed.
#[tokio::test]
async fn a_checked_in_member_stays_signed_in_while_the_meeting_is_open() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut staff = app.login("bangong").await;
    let mid = todays_meeting(&app, &mut staff, cid).await;
    let base = format!("/api/v1/congresses/{cid}/meetings/{mid}");
    staff
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "open"}),
        )
        .await;
    let roll = members(&app, mid).await;
    let mut seated = app.login(&roll[0].1).await;
    let mut away = app.login(&roll[1].1).await;
    let key = meetings::meeting(&app.state.db, CongressId(cid), mid)
        .await
        .unwrap()
        .unwrap()
        .check_in_key;
    let code = domain::check_in_code(&key, mid, app.clock.now_ms_());
    let r = seated
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "check_in_code", "code": code}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Longer than the idle timeout (30 minutes by default), nobody touching anything.
    app.clock.advance(chrono::Duration::minutes(45));
    assert_eq!(
        seated.get(&base).await.status,
        StatusCode::OK,
        "the seated member is still signed in"
    );
    assert_eq!(
        away.get(&base).await.status,
        StatusCode::UNAUTHORIZED,
        "the one not checked in is not"
    );
    let r = staff_again(&app, &base).await;
    assert_eq!(r, StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(45));
    assert_eq!(
        seated.get(&base).await.status,
        StatusCode::UNAUTHORIZED,
        "the meeting closed: idle again"
    );
}

/// The office signs in again (its own session idled out too) and closes the meeting.
async fn staff_again(app: &TestApp, base: &str) -> StatusCode {
    let mut staff = app.login("bangong").await;
    staff
        .json(
            "POST",
            &format!("{base}/actions"),
            json!({"action": "close"}),
        )
        .await
        .status
}

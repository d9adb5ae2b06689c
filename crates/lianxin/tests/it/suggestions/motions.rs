//! Motions: filing at a session with enough signers or by an institution, before the
//! presidium's deadline; its decision; continuing as a suggestion; the API.

use super::*;

#[tokio::test]
async fn a_motion_is_filed_at_a_session_decided_by_the_presidium_and_may_become_a_suggestion() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    make_deputy(&app, "changwei", cid).await;
    let cosigner = name_of(&app, "changwei").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .post_form(
            &format!("/c/{cid}/motions"),
            &[
                ("title", "关于制定示范区农贸市场管理办法的议案"),
                ("content", "案由：……；案据：……；方案：……"),
                ("cosigners", &cosigner),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = id_from(&r.location());
    let item = format!("/c/{cid}/motions/{id}");
    let mut co = app.login("changwei").await;
    co.post_form(&format!("{item}/consent"), &[("accept", "1")])
        .await;
    // 2 March is not during a session: refused, nothing changes.
    let r = deputy.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("议案只能在大会期间提出"));
    // A session sits from 1 to 6 March; with two signers the motion is still short of ten.
    open_session(&app, cid).await;
    let r = deputy.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("联名代表人数不足"));
    // Eight more deputies sign: ten with the lead.
    sqlx::query(
        "INSERT INTO motion_signers (congress_id, motion_id, deputy_id, consent) \
         SELECT congress_id, $1, id, 'accepted' FROM deputies WHERE congress_id = $2 AND status = 'in_office' \
         AND id NOT IN (SELECT deputy_id FROM motion_signers WHERE motion_id = $1) \
         AND id <> (SELECT lead_deputy_id FROM motions WHERE id = $1) ORDER BY id LIMIT 7",
    )
    .bind(id)
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let r = deputy.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nine are not enough"
    );
    sqlx::query(
        "INSERT INTO motion_signers (congress_id, motion_id, deputy_id, consent) \
         SELECT congress_id, $1, id, 'accepted' FROM deputies WHERE congress_id = $2 AND status = 'in_office' \
         AND id NOT IN (SELECT deputy_id FROM motion_signers WHERE motion_id = $1) \
         AND id <> (SELECT lead_deputy_id FROM motions WHERE id = $1) ORDER BY id LIMIT 1",
    )
    .bind(id)
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let r = deputy.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "ten, the lead counted");
    assert!(deputy.get(&item).await.text().contains("第1号议案"));

    // The presidium refers it, the committee reports, the presidium does not put it on the agenda.
    let mut office = app.login("daibiao").await;
    let r = office
        .post_form(
            &format!("{item}/decide"),
            &[("decision", "refer"), ("committee", ""), ("note", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a referral names the committee"
    );
    let committee = app
        .count(&format!("SELECT MIN(id) FROM organizations WHERE congress_id = {cid} AND kind = 'special_committee'"))
        .await;
    let r = office
        .post_form(
            &format!("{item}/decide"),
            &[
                ("decision", "refer"),
                ("committee", &committee.to_string()),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = office
        .post_form(
            &format!("{item}/decide"),
            &[("decision", "on_agenda"), ("note", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the committee reports first"
    );
    office
        .post_form(
            &format!("{item}/report"),
            &[("report", "建议先由政府制定规章，条件成熟时再立法。")],
        )
        .await;
    let r = office
        .post_form(
            &format!("{item}/decide"),
            &[
                ("decision", "not_on_agenda"),
                ("note", "采纳专门委员会意见"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The lead deputy agrees: it continues as a suggestion, submitted, with its origin in the history.
    let r = deputy
        .post_form(&format!("{item}/convert"), &[("accept", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let sid = app
        .count(&format!(
            "SELECT suggestion_id FROM motions WHERE id = {id}"
        ))
        .await;
    let page = office
        .get(&format!("/c/{cid}/suggestions/{sid}"))
        .await
        .text();
    assert!(page.contains("由第1号议案转为建议") && page.contains("待审查"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM suggestion_signers WHERE suggestion_id = {sid} AND consent = 'accepted'")).await, 9);

    // An institutional motion needs no signatures.
    let r = office
        .post_form(
            &format!("/c/{cid}/motions"),
            &[
                ("proposer", "government"),
                ("title", "关于批准示范区国土空间总体规划的议案"),
                ("content", "提请审议。"),
                ("cosigners", ""),
            ],
        )
        .await;
    let gov = id_from(&r.location());
    let r = office
        .post_form(&format!("/c/{cid}/motions/{gov}/file"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        office
            .get(&format!("/c/{cid}/motions/{gov}"))
            .await
            .text()
            .contains("第2号议案")
    );
}

#[tokio::test]
async fn the_motions_api_drives_the_same_machine() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    let r = office
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/motions"),
            serde_json::json!({"proposer": "government", "title": "关于示范区预算调整方案的议案", "content": "提请审议。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let act = format!("/api/v1/congresses/{cid}/motions/{id}/actions");
    let r = office
        .json("POST", &act, serde_json::json!({"action": "file"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not during a session"
    );
    open_session(&app, cid).await;
    assert_eq!(
        office
            .json("POST", &act, serde_json::json!({"action": "file"}))
            .await
            .json()["state"],
        "filed"
    );
    let r = office
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "decide", "decision": "on_agenda"}),
        )
        .await;
    assert_eq!(r.json()["state"], "on_agenda");
    let mut deputy = app.login("deputy").await;
    assert_eq!(
        deputy
            .get(&format!("/api/v1/congresses/{cid}/motions/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "not theirs"
    );
    let detail = office
        .get(&format!("/api/v1/congresses/{cid}/motions/{id}"))
        .await
        .json();
    assert_eq!(detail["motion"]["number"], 1);
}

/// The text of a DOCX's main part.

#[tokio::test]
async fn after_the_presidiums_deadline_no_motion_is_filed() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    // No session sits on 2 March: nothing to set.
    let r = office
        .post_form(
            &format!("/c/{cid}/motions/deadline"),
            &[("deadline", "2026-03-02T12:00")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    open_session(&app, cid).await;
    let r = office
        .post_form(
            &format!("/c/{cid}/motions/deadline"),
            &[("deadline", "2026-03-20T12:00")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside the session"
    );
    assert!(r.text().contains("须在本次会议会期之内"));
    // The clock reads 10:00 on 2 March; the presidium closed filing at 09:30.
    let r = office
        .json(
            "PUT",
            &format!("/api/v1/congresses/{cid}/motions/deadline"),
            serde_json::json!({"deadline": "2026-03-02T09:30"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["deadline"], "2026-03-02T09:30");
    let r = office
        .post_form(
            &format!("/c/{cid}/motions"),
            &[
                ("proposer", "government"),
                ("title", "关于示范区养老服务条例的议案"),
                ("content", "案由：……"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let item = r.location();
    let r = office.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("已过大会主席团规定的议案截止时间"));
    // The presidium extends it to noon: the same motion is filed.
    office
        .post_form(
            &format!("/c/{cid}/motions/deadline"),
            &[("deadline", "2026-03-02T12:00")],
        )
        .await;
    assert!(
        office
            .get(&format!("/c/{cid}/motions"))
            .await
            .text()
            .contains("2026-03-02 12:00")
    );
    let r = office.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

/// Handling a motion as a suggestion is one transaction (issue 18): when the motion's own step
/// cannot be written, no suggestion is left behind without its motion pointing to it.
#[tokio::test]
async fn a_motion_becomes_a_suggestion_in_one_transaction_or_not_at_all() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .post_form(
            &format!("/c/{cid}/motions"),
            &[
                ("title", "关于加强示范区河道管理的议案"),
                ("content", "案由：……；案据：……；方案：……"),
                ("cosigners", ""),
            ],
        )
        .await;
    let id = id_from(&r.location());
    sqlx::query("UPDATE motions SET state = 'not_on_agenda' WHERE id = $1")
        .bind(id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    // Whatever writes the motion's new state fails, as a full disk or a lost connection would.
    refuse_writes(
        &app,
        "motions_fail",
        "BEFORE UPDATE ON motions",
        "NEW.state = 'converted'",
    )
    .await;
    let suggestions = format!("SELECT COUNT(*) FROM suggestions WHERE congress_id = {cid}");
    let before = app.count(&suggestions).await;
    let r = deputy
        .post_form(
            &format!("/c/{cid}/motions/{id}/convert"),
            &[("accept", "1")],
        )
        .await;
    assert!(r.status.is_server_error(), "{}", r.status);
    assert_eq!(
        app.count(&suggestions).await,
        before,
        "no orphan suggestion"
    );
    let state: (String,) = sqlx::query_as("SELECT state FROM motions WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(state.0, "not_on_agenda");
}

//! Issue 8: a livelihood cycle of the demo district through the API and the public pages — the
//! public call with its flood check, proposals by a deputy, a station and from an opinion, the
//! government's screening, the standing committee's review, a contested selection vote with a
//! tie at the cut-off and its run-off, delivery against weighted milestones, supervision and
//! rectification, the rating, and the published project with its open data. Bad input is
//! refused with its message and changes nothing.

use crate::support::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

mod flow;

/// The served form's signed time, from a page.
pub(super) fn issued(page: &str) -> String {
    let at = page.find("name=\"issued\" value=\"").unwrap() + "name=\"issued\" value=\"".len();
    page[at..].split('"').next().unwrap().to_string()
}

/// A new cycle for 2027 whose collection phase holds the test clock's day (2026-03-02).
pub(super) fn cycle_2027(places: u32, ratio: u32) -> Value {
    let phases = [
        ("collection", "2026-03-01", "2026-03-31"),
        ("screening", "2026-04-01", "2026-04-30"),
        ("review", "2026-05-01", "2026-05-15"),
        ("vote", "2026-05-20", "2026-05-20"),
        ("implementation", "2026-05-21", "2026-12-31"),
        ("evaluation", "2027-01-05", "2027-01-10"),
    ];
    json!({
        "year": 2027,
        "places": places,
        "ratio_percent": ratio,
        "phases": phases.iter().map(|(p, s, e)| json!({"phase": p, "starts_on": s, "ends_on": e})).collect::<Vec<_>>(),
    })
}

/// A citizen's proposal through the public form, waiting as a person would.
pub(super) async fn citizen_proposes(app: &TestApp, cid: i64, title: &str, body: &str) -> Resp {
    let mut citizen = app.client();
    let page = citizen.get(&format!("/livelihood/{cid}/propose")).await;
    assert_eq!(page.status, StatusCode::OK);
    let token = issued(&page.text());
    app.clock.advance(chrono::Duration::seconds(10));
    citizen
        .post_form(
            &format!("/livelihood/{cid}/propose"),
            &[
                ("title", title),
                ("body", body),
                ("place", "青石镇"),
                ("category", "elderly_care"),
                ("website", ""),
                ("issued", &token),
            ],
        )
        .await
}

/// Creates a congress sitting through the API, signs in all but a few on the sheet, opens it.
pub(super) async fn open_sitting(app: &TestApp, staff: &mut Client<'_>, cid: i64) -> i64 {
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/meetings"),
            json!({"kind": "congress_sitting", "title": "示范区第十八届人民代表大会第五次会议（临时）", "place": "区人民大会堂", "starts_at": app.clock.now_ms_()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mid = r.json()["id"].as_i64().unwrap();
    let roll = lianxin::meetings::roll(&app.state.db, mid).await.unwrap();
    assert_eq!(roll.len(), 180, "every district deputy in office is called");
    let persons: Vec<i64> = roll.iter().skip(10).map(|r| r.person_id).collect();
    let base = format!("/api/v1/congresses/{cid}/meetings/{mid}/actions");
    let r = staff
        .json(
            "POST",
            &base,
            json!({"action": "check_in_sheet", "persons": persons}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = staff.json("POST", &base, json!({"action": "open"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    mid
}

/// Opens a vote, switches it to paper and enters the tellers' counts.
pub(super) async fn paper_count(
    staff: &mut Client<'_>,
    cid: i64,
    vote: i64,
    counts: Value,
) -> Value {
    let base = format!("/api/v1/congresses/{cid}/votes/{vote}/actions");
    for step in [
        json!({"action": "open"}),
        json!({"action": "switch", "method": "paper", "reason": "纸质票，由计票人计票"}),
        json!({"action": "counts", "counts": counts, "void_ballots": 0}),
    ] {
        let r = staff.json("POST", &base, step.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.text());
    }
    staff
        .get(&format!("/api/v1/congresses/{cid}/votes/{vote}"))
        .await
        .json()
}

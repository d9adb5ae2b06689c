//! Issue 8's browser walk, a new cycle from the people's proposal to the first progress report:
//! a citizen proposes on a 360 px phone without an account; the government side screens it into
//! a candidate project in the browser; the office puts the list to the standing committee's
//! review and to the plenary's selection vote; the tellers' counts close the vote and the office
//! records the result; the lead unit plans a milestone and reports its first progress with a
//! photo; the public page shows the selected project with its progress bar.

use super::http::Http;
use super::{Session, click, shot, sign_in, sign_out, type_into, wait_contains, wait_path};
use chrono::{Datelike, Duration};
use fantoccini::Locator;
use serde_json::json;

/// Opens a `<details>` by its summary.
async fn open(c: &fantoccini::Client, details: &str) {
    click(c, &format!("{details} > summary")).await;
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver; run by .ci/run"]
async fn a_new_cycle_runs_from_a_citizens_proposal_to_the_vote_and_a_first_progress_report() {
    let session = Session::start().await;
    let c = session.c.clone();
    let base = session.base.clone();

    // The office opens next year's cycle, collecting from yesterday (through the API: the
    // form's date fields are the browser's own widgets).
    let today = chrono::Utc::now().date_naive();
    let year = today.year() + 1;
    let d = |n: i64| (today + Duration::days(n)).to_string();
    let mut office = Http::login(&base, "bangong").await;
    let phases = [
        ("collection", d(-1), d(10)),
        ("screening", d(11), d(20)),
        ("review", d(21), d(25)),
        ("vote", d(26), d(26)),
        ("implementation", d(27), d(400)),
        ("evaluation", d(410), d(420)),
    ];
    let r = office
        .json(
            "POST",
            "/api/v1/congresses/1/livelihood/cycles",
            json!({"year": year, "places": 2, "ratio_percent": 50,
                   "phases": phases.iter().map(|(p, s, e)| json!({"phase": p, "starts_on": s, "ends_on": e})).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let cycle = r.json()["id"].as_i64().unwrap();

    // 群众点单: a citizen proposes from a phone, without an account.
    c.set_window_size(360, 740).await.unwrap();
    c.goto(&format!("{base}/livelihood/1")).await.unwrap();
    click(&c, "#propose-link").await;
    c.wait()
        .for_element(Locator::Css("#propose-form"))
        .await
        .unwrap();
    type_into(&c, "#f-title", "南街村建老年助餐点").await;
    click(&c, "#f-category option[value='elderly_care']").await;
    type_into(&c, "#f-place", "桃源镇南街村").await;
    type_into(
        &c,
        "#f-body",
        "南街村独居老人多，做饭难，希望村里办一个老年助餐点，提供午餐和送餐。",
    )
    .await;
    // A person takes longer than three seconds to write; the form knows when it was served.
    tokio::time::sleep(std::time::Duration::from_millis(3_200)).await;
    shot(&c, "livelihood-phone-proposal").await;
    click(&c, "#propose-submit").await;
    c.wait()
        .for_element(Locator::Css("#proposed"))
        .await
        .unwrap();
    let w = c
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap();
    assert!(w.as_i64().unwrap() <= 360, "{w} px wide on a 360 px phone");
    c.set_window_size(1200, 1000).await.unwrap();

    // 初定: the government side screens it into a candidate project, in the browser, with its
    // own unit as the lead.
    let mut unit = Http::login(&base, "chengban").await;
    let me = unit.get("/api/v1/me").await.json();
    let lead = me["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|g| g["organization"].as_i64())
        .unwrap();
    sign_in(&c, &base, "chengban").await;
    c.goto(&format!("{base}/c/1/livelihood/{cycle}"))
        .await
        .unwrap();
    wait_contains(&c, "#proposals", "南街村建老年助餐点").await;
    open(&c, "#add-candidate").await;
    type_into(&c, "#c-title", "农村老年助餐点建设").await;
    type_into(
        &c,
        "#c-content",
        "在偏远行政村建设老年助餐点，为独居和高龄老人提供午餐和送餐服务。",
    )
    .await;
    type_into(&c, "#c-targets", "新建村级助餐点20个").await;
    type_into(&c, "#c-budget", "1600000").await;
    click(&c, &format!("#c-unit option[value='{lead}']")).await;
    type_into(&c, "#c-timetable", "一季度选址，年底前全部投用").await;
    click(&c, "#add-candidate input[name=proposals]").await;
    shot(&c, "livelihood-screening").await;
    click(&c, "#add-candidate-submit").await;
    wait_contains(&c, "#candidates", "农村老年助餐点建设").await;
    sign_out(&c).await;
    for title in ["村级文化礼堂提升", "乡村道路安全护栏"] {
        let r = unit
            .json(
                "POST",
                &format!("/api/v1/congresses/1/livelihood/cycles/{cycle}/candidates"),
                json!({"title": title, "content": format!("{title}：覆盖全区，惠及群众，年内完成。"), "targets": "年内完成", "budget_yuan": 800000, "lead_unit": lead, "timetable": "全年"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }

    // 审议 and 票决: the office puts the list to today's standing-committee meeting and, after
    // its opinion, to a plenary.
    let r = office
        .json(
            "POST",
            "/api/v1/congresses/1/meetings",
            json!({"kind": "congress_sitting", "title": "示范区第十八届人民代表大会临时会议", "place": "区人民大会堂", "starts_at": chrono::Utc::now().timestamp_millis()}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let sitting = r.json()["id"].as_i64().unwrap();
    let roll = office
        .get(&format!("/api/v1/congresses/1/meetings/{sitting}"))
        .await
        .json();
    let persons: Vec<i64> = roll["roll"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["person_id"].as_i64().unwrap())
        .collect();
    assert!(persons.len() > 100, "{roll}");
    for step in [
        json!({"action": "check_in_sheet", "persons": persons}),
        json!({"action": "open"}),
    ] {
        let r = office
            .json(
                "POST",
                &format!("/api/v1/congresses/1/meetings/{sitting}/actions"),
                step,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    sign_in(&c, &base, "bangong").await;
    c.goto(&format!("{base}/c/1/livelihood/{cycle}"))
        .await
        .unwrap();
    click(&c, "#s-rmeeting option:first-child").await;
    click(&c, "#put-review").await;
    c.wait()
        .for_element(Locator::Css("#s-opinion"))
        .await
        .unwrap();
    type_into(&c, "#s-opinion", "同意将候选项目提请区人民代表大会票决。").await;
    click(&c, "#record-review").await;
    wait_contains(&c, "#review-opinion", "同意将候选项目").await;
    c.execute(
        &format!("document.getElementById('s-vmeeting').value = '{sitting}';"),
        vec![],
    )
    .await
    .unwrap();
    click(&c, "#put-vote").await;
    c.wait()
        .for_element(Locator::Css("#vote-link"))
        .await
        .unwrap();
    let vote = office
        .get(&format!("/api/v1/congresses/1/livelihood/cycles/{cycle}"))
        .await
        .json()["cycle"]["vote_id"]
        .as_i64()
        .unwrap();
    // The tellers count the paper ballots.
    for step in [
        json!({"action": "open"}),
        json!({"action": "switch", "method": "paper", "reason": "纸质票，由计票人计票"}),
        json!({"action": "counts", "counts": {"农村老年助餐点建设": 150, "村级文化礼堂提升": 120, "乡村道路安全护栏": 60}, "void_ballots": 1}),
    ] {
        let r = office
            .json(
                "POST",
                &format!("/api/v1/congresses/1/votes/{vote}/actions"),
                step,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    c.refresh().await.unwrap();
    click(&c, "#apply-vote").await;
    wait_contains(&c, "#outcome", "已票决产生全部项目").await;
    wait_contains(&c, "#candidates", "票决产生").await;
    shot(&c, "livelihood-voted").await;
    sign_out(&c).await;

    // 政府买单: the lead unit plans a milestone and reports its first progress with a photo.
    let project = unit
        .get(&format!("/api/v1/congresses/1/livelihood/cycles/{cycle}"))
        .await
        .json()["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "农村老年助餐点建设")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    sign_in(&c, &base, "chengban").await;
    c.goto(&format!("{base}/c/1/livelihood/projects/{project}"))
        .await
        .unwrap();
    open(&c, "#add-milestone").await;
    type_into(&c, "#m-title", "完成选址和设计").await;
    type_into(&c, "#m-weight", "40").await;
    c.execute(
        &format!("document.getElementById('m-due').value = '{}';", d(90)),
        vec![],
    )
    .await
    .unwrap();
    click(&c, "#add-milestone-submit").await;
    wait_contains(&c, "#plan", "完成选址和设计").await;
    let m = unit
        .get(&format!(
            "/api/v1/congresses/1/livelihood/projects/{project}"
        ))
        .await
        .json()["milestones"][0]["id"]
        .as_i64()
        .unwrap();
    let field = format!("#r-m-{m}");
    c.find(Locator::Css(&field))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    type_into(&c, &field, "50").await;
    type_into(&c, "#r-body", "已完成10个村的选址，设计方案通过评审。").await;
    let photo = std::env::temp_dir().join("lianxin-site-photo.png");
    std::fs::write(&photo, PNG).unwrap();
    c.find(Locator::Css("#r-file"))
        .await
        .unwrap()
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    click(&c, "#report-submit").await;
    wait_contains(&c, "#progress-value", "50%").await;
    wait_contains(&c, "#reports", "lianxin-site-photo.png").await;
    shot(&c, "livelihood-progress").await;
    sign_out(&c).await;

    // The public page: the project, its vote and its progress bar.
    c.goto(&format!("{base}/livelihood/1")).await.unwrap();
    wait_contains(&c, &format!("#year-{year}"), "农村老年助餐点建设").await;
    let html = c.source().await.unwrap();
    assert!(html.contains("value=\"50\""), "the progress bar at 50%");
    wait_path(&c, "/livelihood/1").await;
    shot(&c, "livelihood-public").await;
    c.close().await.unwrap();
}

/// A 1×1 PNG: the photo evidence.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

use super::*;
use lianxin::meetings::domain::{MeetingKind, MeetingState};

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

#[tokio::test]
async fn a_cycle_runs_from_the_public_call_through_the_vote_and_its_runoff_to_the_rating() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut staff = app.login("bangong").await;
    let api = format!("/api/v1/congresses/{cid}/livelihood");

    // The demo holds last year's rated cycle and this year's, being delivered.
    let cycles = staff.get(&format!("{api}/cycles")).await.json()["items"].clone();
    assert_eq!(cycles.as_array().unwrap().len(), 2, "{cycles}");
    assert!(
        cycles
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["outcome"] == "selected")
    );

    // A cycle's plan is checked: N at least 1, the phases in order, one cycle a year.
    let mut bad = cycle_2027(0, 20);
    bad["phases"][2]["starts_on"] = json!("2026-04-10");
    let r = staff.json("POST", &format!("{api}/cycles"), bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert!(
        fields.contains(&"places".into()) && fields.contains(&"dates".into()),
        "{fields:?}"
    );
    let mut taken = cycle_2027(2, 20);
    taken["year"] = json!(2026);
    let r = staff.json("POST", &format!("{api}/cycles"), taken).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM livelihood_cycles").await,
        2
    );
    let r = staff
        .json("POST", &format!("{api}/cycles"), cycle_2027(2, 20))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let cycle = r.json()["id"].as_i64().unwrap();
    let cbase = format!("{api}/cycles/{cycle}");

    // 群众点单: a citizen proposes on the public call; a script filling the trap field does not.
    let r = citizen_proposes(
        &app,
        cid,
        "社区增设老年助餐点",
        "幸福社区老人多，附近没有助餐点，希望增设。",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut bot = app.client();
    let page = bot.get(&format!("/livelihood/{cid}/propose")).await.text();
    let token = issued(&page);
    app.clock.advance(chrono::Duration::seconds(10));
    let r = bot
        .post_form(
            &format!("/livelihood/{cid}/propose"),
            &[
                ("title", "广告"),
                ("body", "这是一条自动发送的广告内容，请勿理会。"),
                ("place", "x"),
                ("category", "other"),
                ("website", "http://spam"),
                ("issued", &token),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("表单已过期") || r.text().contains("请重新"),
        "a clear message"
    );
    // A similar proposal is grouped with the first.
    let r = citizen_proposes(
        &app,
        cid,
        "幸福社区增设老年助餐点",
        "幸福社区老人多，附近没有老年助餐点，希望尽快增设。",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let view = staff.get(&cbase).await.json();
    let props = view["proposals"].as_array().unwrap();
    assert_eq!(props.len(), 2, "the bot's post changed nothing");
    assert_eq!(props[1]["group_id"], props[0]["id"], "grouped: {view}");
    assert_eq!(props[0]["source"], "public");

    // A deputy and a station propose; an opinion of kind 问需 becomes a proposal with its link.
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .json("POST", &format!("{cbase}/proposals"), json!({"title": "背街小巷安装路灯", "body": "城西老街背街小巷晚上没有路灯，居民出行不便。", "place": "城西街道", "category": "roads_transport"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let lamp_proposal = r.json()["id"].as_i64().unwrap();
    let mut station = app.login("lianluozhan").await;
    let r = station
        .json(
            "POST",
            &format!("{cbase}/proposals"),
            json!({"title": "村口", "body": "短", "place": "", "category": "nope"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["errors"].as_array().unwrap().len(),
        3,
        "{}",
        r.text()
    );
    let r = station
        .json("POST", &format!("{cbase}/proposals"), json!({"title": "建设区级体育中心", "body": "希望建设可容纳两万人的体育中心，举办大型比赛。", "place": "城东街道", "category": "other"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let stadium = r.json()["id"].as_i64().unwrap();
    let need: i64 = count(
        &app,
        &format!("SELECT MIN(id) FROM opinions WHERE congress_id = {cid} AND kind = 'need'"),
    )
    .await;
    let other: i64 = count(
        &app,
        &format!("SELECT MIN(id) FROM opinions WHERE congress_id = {cid} AND kind <> 'need'"),
    )
    .await;
    let mut office = app.login("daibiao").await;
    let r = office
        .json(
            "POST",
            &format!("{api}/opinions/{other}/propose"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "only 问需: {}", r.text());
    let r = office
        .json("POST", &format!("{api}/opinions/{need}/propose"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["cycle"], cycle);
    let r = office
        .json("POST", &format!("{api}/opinions/{need}/propose"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "once");
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM livelihood_proposals WHERE cycle_id = {cycle} AND opinion_id = {need} AND source = 'opinion'")).await,
        1
    );

    // 初定: the unit declines one proposal with a published reason and screens candidates.
    let mut unit = app.login("chengban").await;
    let r = unit
        .json(
            "POST",
            &format!("{api}/proposals/{stadium}/actions"),
            json!({"action": "reject", "reason": "否"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = unit
        .json("POST", &format!("{api}/proposals/{stadium}/actions"), json!({"action": "reject", "reason": "投资规模超出民生实事项目范围，转入重大项目库研究。"}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let lead = count(&app, "SELECT organization_id FROM role_grants r JOIN users u ON u.id = r.user_id WHERE u.username = 'chengban'").await;
    let r = unit
        .json("POST", &format!("{cbase}/candidates"), json!({"title": "老年助餐点", "content": "新建社区老年助餐点，提供助餐送餐服务。", "targets": "新建10个", "timetable": "年内完成"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no lead unit, no budget"
    );
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert!(
        fields.contains(&"lead_unit".into()) && fields.contains(&"budget".into()),
        "{fields:?}"
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM livelihood_projects WHERE cycle_id = {cycle}")
        )
        .await,
        0
    );
    let first = view["proposals"][0]["id"].as_i64().unwrap();
    let candidate = |title: &str, proposals: Vec<i64>| json!({"title": title, "content": format!("{title}：覆盖全区，惠及群众，年内建成投用。"), "targets": "年内完成", "budget_yuan": 1_000_000, "lead_unit": lead, "timetable": "全年", "proposals": proposals});
    let mut ids = Vec::new();
    for (title, props) in [
        ("老年助餐点", vec![first]),
        ("背街小巷路灯", vec![lamp_proposal]),
    ] {
        let r = unit
            .json(
                "POST",
                &format!("{cbase}/candidates"),
                candidate(title, props),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let view = staff.get(&cbase).await.json();
    let adopted = view["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["state"] == "adopted")
        .count();
    assert_eq!(
        adopted, 3,
        "the grouped proposal is adopted with its group: {view}"
    );

    // 审议 before 票决; the contest M > N.
    let sitting = open_sitting(&app, &mut staff, cid).await;
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "vote", "meeting": sitting}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not reviewed: {}", r.text());
    let sc = lianxin::meetings::meetings(&app.state.db, lianxin::platform::ids::CongressId(cid))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == MeetingKind::StandingCommittee && m.state == MeetingState::Planned)
        .unwrap()
        .id;
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "review", "meeting": sitting}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a plenary does not review the list"
    );
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "review", "meeting": sc}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let docs = count(&app, &format!("SELECT COUNT(*) FROM attachments WHERE owner_kind = 'agenda_item' AND owner_id = (SELECT review_item_id FROM livelihood_cycles WHERE id = {cycle})")).await;
    assert_eq!(docs, 1, "the candidate list goes with the agenda item");
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "review_opinion", "opinion": "同意提请票决，建议细化目标。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "vote", "meeting": sitting}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "2 candidates for 2 places: {}",
        r.text()
    );
    assert!(r.text().contains("差额"), "{}", r.text());
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM livelihood_cycles WHERE vote_id IS NOT NULL AND year = 2027"
        )
        .await,
        0
    );
    // The list may be amended after the review: a third candidate, and an amendment.
    let r = unit
        .json(
            "POST",
            &format!("{cbase}/candidates"),
            candidate("口袋公园", vec![]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    ids.push(r.json()["id"].as_i64().unwrap());
    let r = unit
        .json("POST", &format!("{api}/projects/{}/actions", ids[2]), json!({"action": "amend", "content": "利用边角地建设口袋公园十个，方便居民休闲。", "targets": "新建10个", "budget_yuan": 900_000, "timetable": "全年"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "vote", "meeting": sitting}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let vote = r.json()["cycle"]["vote_id"].as_i64().unwrap();
    // Once the list is on the ballot it is closed.
    let r = unit
        .json(
            "POST",
            &format!("{cbase}/candidates"),
            candidate("第四个", vec![]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // 票决: a tie at the cut-off (108 each for the second place) goes to a run-off.
    let result = paper_count(
        &mut staff,
        cid,
        vote,
        json!({"老年助餐点": 150, "背街小巷路灯": 108, "口袋公园": 108}),
    )
    .await;
    assert_eq!(
        result["result"]["runoff"],
        json!(["背街小巷路灯", "口袋公园"]),
        "{result}"
    );
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "apply_vote"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["cycle"]["outcome"], "runoff");
    let state_of = |v: &Value, t: &str| {
        v["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["title"] == t)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state_of(&v, "老年助餐点"), "selected");
    assert_eq!(state_of(&v, "口袋公园"), "candidate");
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "apply_vote"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "recorded once");
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "vote", "meeting": sitting}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "the run-off: {}", r.text());
    let runoff = r.json()["cycle"]["vote_id"].as_i64().unwrap();
    let rv = staff
        .get(&format!("/api/v1/congresses/{cid}/votes/{runoff}"))
        .await
        .json();
    assert_eq!(rv["seats"], 1);
    assert_eq!(rv["candidates"], json!(["背街小巷路灯", "口袋公园"]));
    paper_count(
        &mut staff,
        cid,
        runoff,
        json!({"背街小巷路灯": 120, "口袋公园": 40}),
    )
    .await;
    let v = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "apply_vote"}),
        )
        .await
        .json();
    assert_eq!(v["cycle"]["outcome"], "selected", "{v}");
    assert_eq!(state_of(&v, "背街小巷路灯"), "selected");
    assert_eq!(state_of(&v, "口袋公园"), "not_selected");

    // 政府买单: the plan's milestones within the implementation phase, progress never above 100.
    let pbase = format!("{api}/projects/{}", ids[0]);
    let act = format!("{pbase}/actions");
    let r = unit
        .json(
            "POST",
            &act,
            json!({"action": "milestone", "title": "选址", "weight": 40, "due_on": "2026-05-01"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "before the plan"
    );
    assert!(r.text().contains("早于"), "{}", r.text());
    let r = unit
        .json(
            "POST",
            &act,
            json!({"action": "milestone", "title": "选址", "weight": 0, "due_on": "2026-06-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "weight 0");
    for (t, w, d) in [
        ("选址和设计", 40, "2026-06-30"),
        ("建成投用", 60, "2026-11-30"),
    ] {
        let r = unit
            .json(
                "POST",
                &act,
                json!({"action": "milestone", "title": t, "weight": w, "due_on": d}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let p = unit.get(&pbase).await.json();
    let m: Vec<i64> = p["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    let r = unit.json("POST", &act, json!({"action": "report", "kind": "progress", "body": "进展顺利。", "milestones": [[m[0], 101]]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM livelihood_reports WHERE project_id = {}",
                ids[0]
            )
        )
        .await,
        0
    );
    let r = deputy.json("POST", &act, json!({"action": "report", "kind": "progress", "body": "代表不能代报。", "milestones": []})).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "only the lead unit reports"
    );
    let r = unit.json("POST", &act, json!({"action": "report", "kind": "progress", "body": "选址设计完成，主体施工过半。", "milestones": [[m[0], 100], [m[1], 50]]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["progress"], 70, "40×100% + 60×50% = 70%");
    let r = unit.json("POST", &act, json!({"action": "report", "kind": "progress", "body": "倒退。", "milestones": [[m[1], 20]]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "never back");
    // Evidence through the page's upload (multipart, CSRF in the query).
    let (ct, body) = crate::suggestions::multipart("evidence", "现场.pdf", crate::suggestions::PDF);
    let body = String::from_utf8_lossy(&body).replace("name=\"purpose\"\r\n\r\nevidence", "name=\"action\"\r\n\r\nreport\r\n------lianxin-test\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmidyear\r\n------lianxin-test\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n年中报告：已建成五个助餐点。");
    let r = unit
        .post_raw(
            &format!(
                "/c/{cid}/livelihood/projects/{}/step?_csrf={}",
                ids[0],
                unit.csrf()
            ),
            &ct,
            body.into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM attachments WHERE owner_kind = 'livelihood_report'"
        )
        .await,
        1
    );

    // 人大验单: a supervision group of deputies; a visit raises a problem; the unit rectifies it
    // and the group closes it (not before).
    let me = count(
        &app,
        "SELECT person_id FROM users WHERE username = 'deputy'",
    )
    .await;
    let r = staff
        .json(
            "POST",
            &act,
            json!({"action": "supervisors", "persons": [me]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = deputy.json("POST", &act, json!({"action": "visit", "findings": "实地察看五个助餐点，运行正常。", "problem": "一处助餐点没有无障碍通道。"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let problem = r.json()["problems"][0]["id"].as_i64().unwrap();
    let r = deputy
        .json(
            "POST",
            &act,
            json!({"action": "close_problem", "problem": problem}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "not before the rectification"
    );
    let r = unit
        .json(
            "POST",
            &act,
            json!({"action": "rectify", "problem": problem, "rectification": "已加装无障碍坡道。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = deputy
        .json(
            "POST",
            &act,
            json!({"action": "close_problem", "problem": problem}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["problems"][0]["state"], "closed");

    // 满意度测评: one rating vote per selected project; unsatisfactory makes a rectification task.
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "rating", "meeting": sitting}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rating_votes: Vec<(i64, String)> = sqlx::query_as("SELECT rating_vote_id, title FROM livelihood_projects WHERE cycle_id = $1 AND state = 'selected' ORDER BY id")
        .bind(cycle)
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(rating_votes.len(), 2);
    paper_count(
        &mut staff,
        cid,
        rating_votes[0].0,
        json!({"satisfied": 120, "basically_satisfied": 30, "dissatisfied": 10}),
    )
    .await;
    paper_count(
        &mut staff,
        cid,
        rating_votes[1].0,
        json!({"satisfied": 30, "basically_satisfied": 40, "dissatisfied": 90}),
    )
    .await;
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "apply_ratings"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let lamp = staff
        .get(&format!("{api}/projects/{}", ids[1]))
        .await
        .json();
    assert_eq!(
        lamp["project"]["rating"], "unsatisfied",
        "70 of 180 is not more than half"
    );
    assert!(
        lamp["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["origin"] == "rating" && p["state"] == "open"),
        "{lamp}"
    );

    // Published: the project with its origin, vote, progress and rating; the declined reason;
    // the same as JSON and XLSX.
    let page = app.client().get(&format!("/livelihood/{cid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for want in [
        "老年助餐点",
        "背街小巷路灯",
        "投资规模超出民生实事项目范围",
        "70%",
    ] {
        assert!(html.contains(want), "public page lacks {want}");
    }
    assert!(
        !html.contains("幸福社区老人多"),
        "a proposal's text is not published"
    );
    let data = app
        .client()
        .get(&format!("/api/v1/public/congresses/{cid}/livelihood"))
        .await
        .json();
    let y = data["cycles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["year"] == 2027)
        .unwrap();
    let p = y["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "老年助餐点")
        .unwrap();
    assert_eq!(p["approvals"], 150);
    assert_eq!(p["progress"], 70);
    assert_eq!(p["proposals"], 2);
    assert_eq!(p["from_citizens"], 2);
    assert_eq!(p["rating"], "satisfied");
    let x = app
        .client()
        .get(&format!("/livelihood/{cid}/open-data.xlsx"))
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with(b"PK"), "an XLSX file");
    let detail = app
        .client()
        .get(&format!("/livelihood/{cid}/projects/{}", ids[0]))
        .await
        .text();
    assert!(
        detail.contains("现场.pdf") && detail.contains("选址和设计"),
        "evidence and milestones"
    );
}

#[tokio::test]
async fn another_congress_neither_sees_nor_changes_a_cycle() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let town = app.congress_id("青石镇").await;
    let cycle = count(
        &app,
        &format!("SELECT MIN(id) FROM livelihood_cycles WHERE congress_id = {cid}"),
    )
    .await;
    let mut qingshi = app.login("qingshi").await;
    let r = qingshi
        .get(&format!(
            "/api/v1/congresses/{cid}/livelihood/cycles/{cycle}"
        ))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a town's staff, the district's cycle"
    );
    let r = qingshi
        .get(&format!(
            "/api/v1/congresses/{town}/livelihood/cycles/{cycle}"
        ))
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "the district's cycle under the town's path"
    );
    let r = qingshi
        .json(
            "POST",
            &format!("/api/v1/congresses/{town}/livelihood/cycles/{cycle}/actions"),
            json!({"action": "apply_ratings"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A citizen outside the collection phase: the form says so and a post is refused.
    let page = app
        .client()
        .get(&format!("/livelihood/{cid}/propose"))
        .await
        .text();
    assert!(
        page.contains("现在不在征集期"),
        "the demo's cycles are past collection"
    );
    // The demo's last year: rated, with its rectification task for the unsatisfactory project.
    let rated = count(&app, &format!("SELECT COUNT(*) FROM livelihood_projects WHERE cycle_id = {cycle} AND rating IS NOT NULL")).await;
    assert_eq!(rated, 5);
    let tasks = count(&app, &format!("SELECT COUNT(*) FROM livelihood_problems p JOIN livelihood_projects j ON j.id = p.project_id WHERE j.cycle_id = {cycle} AND p.origin = 'rating'")).await;
    assert_eq!(tasks, 1);
    // This year's first project: the demo's unit account leads it and the demo's deputy
    // supervises it, so each finds their forms on its page.
    let this_year = count(
        &app,
        &format!("SELECT MAX(id) FROM livelihood_cycles WHERE congress_id = {cid}"),
    )
    .await;
    let first = count(&app, &format!("SELECT MIN(id) FROM livelihood_projects WHERE cycle_id = {this_year} AND state = 'selected'")).await;
    let mut unit = app.login("chengban").await;
    let page = unit
        .get(&format!("/c/{cid}/livelihood/projects/{first}"))
        .await
        .text();
    assert!(
        page.contains("id=\"report-submit\""),
        "the lead unit reports"
    );
    let mut deputy = app.login("deputy").await;
    let page = deputy
        .get(&format!("/c/{cid}/livelihood/projects/{first}"))
        .await
        .text();
    assert!(
        page.contains("id=\"visit\"") && !page.contains("id=\"report-submit\""),
        "the group visits, does not report"
    );
}

#[tokio::test]
async fn the_ballot_box_holds_a_selection_to_its_ballot_form_and_a_rating_to_its_grades() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut staff = app.login("bangong").await;
    let sc = lianxin::meetings::meetings(&app.state.db, lianxin::platform::ids::CongressId(cid))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == MeetingKind::StandingCommittee && m.state == MeetingState::Planned)
        .unwrap()
        .id;
    let base = format!("/api/v1/congresses/{cid}/meetings/{sc}");
    let roll = lianxin::meetings::roll(&app.state.db, sc).await.unwrap();
    let persons: Vec<i64> = roll.iter().map(|r| r.person_id).collect();
    for step in [
        json!({"action": "open"}),
        json!({"action": "check_in_sheet", "persons": persons}),
    ] {
        let r = staff.json("POST", &format!("{base}/actions"), step).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let mut votes = Vec::new();
    for (kind, title) in [
        ("selection", "民生实事项目票决（演练）"),
        ("rating", "民生实事项目满意度测评（演练）"),
    ] {
        let r = staff
            .json(
                "POST",
                &format!("{base}/actions"),
                json!({"action": "add_item", "kind": kind, "title": title}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let items = staff.get(&base).await.json()["items"].clone();
    let item = |k: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == k)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let r = staff
        .json("POST", &format!("{base}/votes"), json!({"item": item("selection"), "subject": "票决", "seats": 1, "candidates": ["甲项目", "乙项目"], "ballot_form": "ranked"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no such ballot form"
    );
    for body in [
        json!({"item": item("selection"), "subject": "票决", "seats": 1, "candidates": ["甲项目", "乙项目"], "ballot_form": "per_item"}),
        json!({"item": item("rating"), "subject": "测评"}),
    ] {
        let r = staff.json("POST", &format!("{base}/votes"), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = r.json()["id"].as_i64().unwrap();
        let r = staff
            .json(
                "POST",
                &format!("/api/v1/congresses/{cid}/votes/{v}/actions"),
                json!({"action": "open"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        votes.push(v);
    }
    let (name,): (String,) = sqlx::query_as("SELECT username FROM users WHERE person_id = $1")
        .bind(roll[0].person_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let mut member = app.login(&name).await;
    let cast = |v: i64| format!("/api/v1/congresses/{cid}/votes/{v}/ballot");
    let r = member
        .json("POST", &cast(votes[0]), json!({"ballot": ["甲项目"]}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a per-item vote takes 赞成/反对/弃权 on each: {}",
        r.text()
    );
    let r = member
        .json(
            "POST",
            &cast(votes[0]),
            json!({"ballot": {"甲项目": "yes", "乙项目": "no"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = member
        .json("POST", &cast(votes[1]), json!({"ballot": "great"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a grade outside 满意/基本满意/不满意"
    );
    let r = member
        .json(
            "POST",
            &cast(votes[1]),
            json!({"ballot": "basically_satisfied"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM vote_participation WHERE vote_id IN ({}, {})",
                votes[0], votes[1]
            )
        )
        .await,
        2,
        "the refused ballots left nothing"
    );
}

#[tokio::test]
async fn after_a_shortfall_the_presidium_may_put_those_not_selected_to_a_vote_again() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut staff = app.login("bangong").await;
    let mut unit = app.login("chengban").await;
    let api = format!("/api/v1/congresses/{cid}/livelihood");
    let r = staff
        .json("POST", &format!("{api}/cycles"), cycle_2027(2, 0))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let cbase = format!("{api}/cycles/{}", r.json()["id"]);
    let lead = count(&app, "SELECT organization_id FROM role_grants r JOIN users u ON u.id = r.user_id WHERE u.username = 'chengban'").await;
    for title in ["甲项目", "乙项目", "丙项目"] {
        let r = unit
            .json("POST", &format!("{cbase}/candidates"), json!({"title": title, "content": format!("{title}的建设内容，覆盖全区。"), "targets": "年内完成", "budget_yuan": 100_000, "lead_unit": lead, "timetable": "全年"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let sc = lianxin::meetings::meetings(&app.state.db, lianxin::platform::ids::CongressId(cid))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == MeetingKind::StandingCommittee && m.state == MeetingState::Planned)
        .unwrap()
        .id;
    for step in [
        json!({"action": "review", "meeting": sc}),
        json!({"action": "review_opinion", "opinion": "同意提请票决。"}),
    ] {
        let r = staff.json("POST", &format!("{cbase}/actions"), step).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let sitting = open_sitting(&app, &mut staff, cid).await;
    let vote = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "vote", "meeting": sitting}),
        )
        .await
        .json()["cycle"]["vote_id"]
        .as_i64()
        .unwrap();
    // 乙 and 丙 fall short of 91 of 180: one place is left unfilled.
    paper_count(
        &mut staff,
        cid,
        vote,
        json!({"甲项目": 150, "乙项目": 90, "丙项目": 50}),
    )
    .await;
    let v = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "apply_vote"}),
        )
        .await
        .json();
    assert_eq!(v["cycle"]["outcome"], "shortfall", "{v}");
    assert!(
        v["cycle"]["outcome_note"]
            .as_str()
            .unwrap()
            .contains("主席团")
    );
    let r = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "vote", "meeting": sitting}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only on the presidium's decision"
    );
    let r = staff
        .json("POST", &format!("{cbase}/actions"), json!({"action": "vote", "meeting": sitting, "decision": "主席团第三次会议决定再次票决"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let again = r.json()["cycle"]["vote_id"].as_i64().unwrap();
    let rv = staff
        .get(&format!("/api/v1/congresses/{cid}/votes/{again}"))
        .await
        .json();
    assert_eq!(rv["seats"], 1);
    assert_eq!(rv["candidates"], json!(["乙项目", "丙项目"]));
    assert!(
        rv["subject"]
            .as_str()
            .unwrap()
            .contains("主席团第三次会议决定再次票决"),
        "the decision is named in the vote"
    );
    paper_count(&mut staff, cid, again, json!({"乙项目": 120, "丙项目": 40})).await;
    let v = staff
        .json(
            "POST",
            &format!("{cbase}/actions"),
            json!({"action": "apply_vote"}),
        )
        .await
        .json();
    assert_eq!(v["cycle"]["outcome"], "selected", "{v}");
    let states: Vec<(String, String)> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["title"].as_str().unwrap().to_string(),
                p["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        states.contains(&("乙项目".into(), "selected".into()))
            && states.contains(&("丙项目".into(), "not_selected".into())),
        "{states:?}"
    );
}

#[tokio::test]
async fn a_suggestion_proposed_twice_at_once_is_stored_once() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut staff = app.login("bangong").await;
    let api = format!("/api/v1/congresses/{cid}/livelihood");
    let r = staff
        .json("POST", &format!("{api}/cycles"), cycle_2027(2, 0))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let suggestion = count(
        &app,
        &format!("SELECT MIN(id) FROM suggestions WHERE congress_id = {cid}"),
    )
    .await;
    let mut a = app.login("daibiao").await;
    let mut b = app.login("daibiao").await;
    let path = format!("{api}/suggestions/{suggestion}/propose");
    let (ra, rb) = tokio::join!(
        a.json("POST", &path, json!({})),
        b.json("POST", &path, json!({}))
    );
    let mut statuses = vec![ra.status, rb.status];
    statuses.sort();
    assert_eq!(
        statuses,
        vec![StatusCode::CREATED, StatusCode::CONFLICT],
        "{} / {}",
        ra.text(),
        rb.text()
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM livelihood_proposals WHERE suggestion_id = {suggestion}"
            )
        )
        .await,
        1
    );
}

/// Putting the projects to their rating is one transaction (issue 18): when the last project's
/// vote cannot be linked, no agenda item, no vote and no link is left behind.
#[tokio::test]
async fn the_rating_is_put_on_the_agenda_whole_or_not_at_all() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let (cycle, last): (i64, i64) = sqlx::query_as(
        "SELECT cycle_id, MAX(id) FROM livelihood_projects WHERE congress_id = $1 AND state = 'selected' \
         AND rating_vote_id IS NULL GROUP BY cycle_id ORDER BY cycle_id LIMIT 1",
    )
    .bind(cid)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let sitting = count(
        &app,
        &format!(
            "SELECT MAX(id) FROM meetings WHERE congress_id = {cid} AND kind = 'congress_sitting'"
        ),
    )
    .await;
    sqlx::query("UPDATE meetings SET state = 'planned' WHERE id = $1")
        .bind(sitting)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let when = format!("NEW.id = {last} AND NEW.rating_vote_id IS NOT NULL");
    refuse_writes(
        &app,
        "rating_fails",
        "BEFORE UPDATE ON livelihood_projects",
        &when,
    )
    .await;
    let items = format!("SELECT COUNT(*) FROM agenda_items WHERE meeting_id = {sitting}");
    let votes = format!("SELECT COUNT(*) FROM votes WHERE meeting_id = {sitting}");
    let (items_before, votes_before) = (count(&app, &items).await, count(&app, &votes).await);
    let mut staff = app.login("bangong").await;
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/livelihood/cycles/{cycle}/actions"),
            json!({"action": "rating", "meeting": sitting}),
        )
        .await;
    assert!(r.status.is_server_error(), "{} {}", r.status, r.text());
    assert_eq!(count(&app, &items).await, items_before, "no agenda item");
    assert_eq!(count(&app, &votes).await, votes_before, "no vote");
    let linked = format!(
        "SELECT COUNT(*) FROM livelihood_projects WHERE cycle_id = {cycle} AND rating_vote_id IS NOT NULL"
    );
    assert_eq!(count(&app, &linked).await, 0, "no project linked");
}

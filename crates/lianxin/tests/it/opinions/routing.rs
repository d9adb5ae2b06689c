//! Issue 6 item 4–6: an opinion is routed to a unit with its deadline, returned, referred
//! elsewhere with the reason, reopened, transferred to a town; a deputy turns opinions into a
//! suggestion whose reply reaches the citizen. Every refusal changes nothing.

use super::{send_opinion, track};
use crate::support::*;
use axum::http::StatusCode;

async fn holder_of(app: &TestApp, id: i64) -> (String, String, i64) {
    sqlx::query_as("SELECT holder, state, congress_id FROM opinions WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_opinion_is_routed_returned_referred_reopened_and_transferred_never_closed_silently() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let town = app.congress_id("青石镇").await;
    let (id, code) = send_opinion(
        &app,
        cid,
        "幸福路口的红绿灯坏了三天，车辆乱行很危险",
        None,
        "13912344321",
    )
    .await;
    let page = format!("/c/{cid}/opinions/{id}");
    let sms_before = app
        .count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'")
        .await;
    let unit = crate::suggestions::chengban_unit(&app).await;
    let mut staff = app.login("lianluozhan").await;

    // Routing needs a unit of this congress; an unknown one changes nothing.
    let r = staff
        .post_form(&format!("{page}/route"), &[("unit", "999999")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请选择本级的承办单位"));
    assert_eq!(holder_of(&app, id).await.0, "congress");
    let r = staff
        .post_form(&format!("{page}/route"), &[("unit", &unit.to_string())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (due,): (String,) = sqlx::query_as("SELECT due_on FROM opinions WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    // 15 working days after Monday 2 March 2026 (the test clock), on the legal calendar.
    assert_eq!(due, "2026-03-23");
    let citizen_page = track(&app, &code).await;
    assert!(
        citizen_page.contains("转交") && citizen_page.contains("应于2026-03-23前答复"),
        "{citizen_page}"
    );
    assert!(citizen_page.contains("2026年3月23日"), "the due date shown");
    // The unit hears of it in its inbox and sees it; the contact stays hidden (not shared).
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'chengban' AND n.kind = 'opinion_routed' AND n.link = '/c/{cid}/opinions/{id}'")).await,
        1
    );
    let mut unit_user = app.login("chengban").await;
    let list = unit_user.get(&format!("/c/{cid}/opinions")).await.text();
    assert!(list.contains(&format!("/c/{cid}/opinions/{id}\"")));
    let detail = unit_user.get(&page).await.text();
    assert!(
        !detail.contains("id=\"contact\""),
        "the citizen did not agree to share it"
    );
    // The station side no longer holds it: answering is refused.
    let r = staff
        .post_form(&format!("{page}/answer"), &[("answer", "已处理")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The unit returns it: only with a reason.
    let r = unit_user
        .post_form(&format!("{page}/return"), &[("reason", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = unit_user
        .post_form(
            &format!("{page}/return"),
            &[("reason", "信号灯由交警部门管理，不属本单位职责")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(holder_of(&app, id).await.0, "congress");
    assert_eq!(unit_user.get(&page).await.status, StatusCode::NOT_FOUND);

    // Referral needs the channel and an explanation of some substance.
    let r = staff
        .post_form(
            &format!("{page}/refer"),
            &[("referral", ""), ("explanation", "不归我们管")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text();
    assert!(t.contains("请选择应当通过的渠道") && t.contains("至少10个字"));
    assert_eq!(
        holder_of(&app, id).await,
        ("congress".into(), "received".into(), cid)
    );
    let r = staff
        .post_form(
            &format!("{page}/refer"),
            &[
                ("referral", "petition"),
                ("explanation", "交通信号灯故障属于公安交警部门职责，请拨打12345或向区信访局反映，我们也已电话告知交警大队。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let citizen_page = track(&app, &code).await;
    assert!(citizen_page.contains("信访工作机构") && citizen_page.contains("请拨打12345"));
    // The citizen finds that a brush-off: 不满意 reopens it, back with the congress.
    let mut citizen = app.client();
    let r = citizen
        .post_form(
            "/track/rate",
            &[
                ("code", &code),
                ("rating", "unsatisfied"),
                ("reason", "希望人大督促交警尽快修好"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        holder_of(&app, id).await,
        ("congress".into(), "reopened".into(), cid)
    );
    // The district hands it to the town, where the crossing is; an unrelated congress is refused.
    let mut town_staff = app.login("qingshi").await;
    let r = town_staff
        .post_form(
            &format!("/c/{town}/opinions/{id}/transfer"),
            &[("to", &cid.to_string()), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not the town's (yet)");
    let r = staff
        .post_form(
            &format!("{page}/transfer"),
            &[("to", &town.to_string()), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = staff
        .post_form(
            &format!("{page}/transfer"),
            &[
                ("to", &town.to_string()),
                ("reason", "路口位于青石镇镇区，由镇人大督促镇政府协调"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        holder_of(&app, id).await,
        ("congress".into(), "reopened".into(), town)
    );
    let citizen_page = track(&app, &code).await;
    assert!(citizen_page.contains("移交青石镇"), "{citizen_page}");
    assert_eq!(staff.get(&page).await.status, StatusCode::NOT_FOUND);
    let town_page = town_staff
        .get(&format!("/c/{town}/opinions/{id}"))
        .await
        .text();
    assert!(town_page.contains("幸福路口的红绿灯"));
    // A town hands over only to its district, never sideways to another town.
    let sibling = app.congress_id("白沙镇").await;
    let r = town_staff
        .post_form(
            &format!("/c/{town}/opinions/{id}/transfer"),
            &[("to", &sibling.to_string()), ("reason", "在白沙镇")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("只能移交给本区人大或本区的镇人大"));
    assert_eq!(holder_of(&app, id).await.2, town);
    // Audited on both sides; the citizen was told of each step by SMS.
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE target = 'opinion:{id}' AND action LIKE 'opinions.transfer_%'")).await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'")
            .await
            - sms_before,
        3,
        "routed, referred, transferred"
    );
    // The town answers; the citizen reads it and rates it.
    let r = town_staff
        .post_form(
            &format!("/c/{town}/opinions/{id}/answer"),
            &[("answer", "镇政府已协调交警大队于3月5日修复信号灯。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(track(&app, &code).await.contains("3月5日修复信号灯"));
}

#[tokio::test]
async fn a_deputy_turns_opinions_into_a_suggestion_whose_reply_answers_the_citizens() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let deputy = app
        .count("SELECT d.id FROM deputies d JOIN users u ON u.person_id = d.person_id WHERE u.username = 'deputy'")
        .await;
    let (a, code_a) =
        send_opinion(&app, cid, "老街一带下雨就积水，出行困难", Some(deputy), "").await;
    let (b, code_b) = send_opinion(
        &app,
        cid,
        "老街排水管道老化，雨季商铺进水",
        Some(deputy),
        "",
    )
    .await;
    let (c, _) = send_opinion(&app, cid, "希望增加城南公交班次", None, "").await;
    let mut d = app.login("deputy").await;
    // The deputy sees the opinions addressed to them, not the others.
    let list = d.get(&format!("/c/{cid}/opinions")).await.text();
    assert!(list.contains(&format!("op-{a}")) && list.contains(&format!("op-{b}")));
    assert!(!list.contains(&format!("/opinions/{c}\"")));
    assert_eq!(
        d.get(&format!("/c/{cid}/opinions/{c}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Nothing chosen, or someone else's: refused, nothing drafted.
    let before = app.count("SELECT COUNT(*) FROM suggestions").await;
    let r = d
        .post_form(&format!("/c/{cid}/opinions/convert"), &[])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = d
        .post_form(
            &format!("/c/{cid}/opinions/convert"),
            &[(&format!("op-{c}"), "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM suggestions").await, before);
    let r = d
        .post_form(
            &format!("/c/{cid}/opinions/convert"),
            &[(&format!("op-{a}"), "on"), (&format!("op-{b}"), "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let sid = crate::suggestions::id_from(&r.location());
    let (title, content): (String, String) =
        sqlx::query_as("SELECT title, content FROM suggestions WHERE id = $1")
            .bind(sid)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(title.contains("老街一带下雨就积水"));
    assert!(content.contains("老街排水管道老化") && content.contains("查询码"));
    let page = track(&app, &code_a).await;
    assert!(
        page.contains("代表正在起草") && page.contains("转为代表建议"),
        "{page}"
    );
    // Converted ones are no longer the deputy's to convert again.
    let r = d
        .post_form(
            &format!("/c/{cid}/opinions/convert"),
            &[(&format!("op-{a}"), "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The suggestion goes its statutory way; its reply answers both citizens.
    let item = format!("/c/{cid}/suggestions/{sid}");
    crate::suggestions::submit_and_assign(&app, &item).await;
    let page = track(&app, &code_b).await;
    assert!(page.contains("办理中"), "the suggestion's progress: {page}");
    crate::suggestions::reply(
        &app,
        &item,
        "B",
        "老街排水改造已列入今年城建计划，6月底前完工。",
    )
    .await;
    for code in [&code_a, &code_b] {
        let page = track(&app, code).await;
        assert!(
            page.contains("6月底前完工") && page.contains("id=\"rate-form\""),
            "{page}"
        );
    }
    let mut citizen = app.client();
    let r = citizen
        .post_form(
            "/track/rate",
            &[("code", &code_a), ("rating", "satisfied"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (rating,): (Option<String>,) = sqlx::query_as("SELECT rating FROM opinions WHERE id = $1")
        .bind(a)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(rating.as_deref(), Some("satisfied"));
}

/// A row of `opinions` as text, column by column, apart from its congress.
async fn opinion_row(app: &TestApp, id: i64) -> Vec<(String, String)> {
    let cols: Vec<String> = crate::schema::columns_of(app, "opinions").await;
    let mut out = Vec::new();
    for c in cols.into_iter().filter(|c| c != "congress_id") {
        let (v,): (Option<String>,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT CAST({c} AS TEXT) FROM opinions WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        out.push((c, v.unwrap_or_default()));
    }
    out
}

/// A transfer moves the opinion whole (issue 18: the congress is part of every key, so a row
/// never changes its congress): same id and tracking code, every column kept but those the
/// transfer resets, its history and its photos with it, nothing left behind in the old congress.
#[tokio::test]
async fn a_transferred_opinion_moves_whole_and_leaves_nothing_behind() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let town = app.congress_id("青石镇").await;
    let (id, code) = send_opinion(
        &app,
        cid,
        "青石镇中学门口的减速带被压坏了",
        None,
        "13912344321",
    )
    .await;
    let mut citizen = app.client();
    citizen.get(&format!("/track?code={code}")).await;
    let png = [
        &[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        &[7u8; 64][..],
    ]
    .concat();
    let (ct, body) = crate::suggestions::multipart("citizen", "减速带.png", &png);
    let path = format!("/track/attachments?code={code}&_csrf={}", citizen.csrf());
    assert_eq!(
        citizen.post_raw(&path, &ct, body).await.status,
        StatusCode::SEE_OTHER
    );
    let before = opinion_row(&app, id).await;
    let events = |c: i64| {
        format!("SELECT COUNT(*) FROM opinion_events WHERE opinion_id = {id} AND congress_id = {c}")
    };
    let history = app.count(&events(cid)).await;
    assert!(history >= 1);

    let mut staff = app.login("lianluozhan").await;
    let r = staff
        .post_form(
            &format!("/c/{cid}/opinions/{id}/transfer"),
            &[
                ("to", &town.to_string()),
                ("reason", "学校在青石镇，由镇人大督促"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    let after = opinion_row(&app, id).await;
    let reset = [
        "updated_at",
        "due_on",
        "holder",
        "deputy_id",
        "station_id",
        "unit_id",
        "group_id",
        "merged_into",
    ];
    for ((c, b), (c2, a)) in before.iter().zip(&after) {
        assert_eq!(c, c2);
        if !reset.contains(&c.as_str()) {
            assert_eq!(a, b, "{c} kept");
        }
    }
    assert_eq!(
        app.count(&format!("SELECT congress_id FROM opinions WHERE id = {id}"))
            .await,
        town
    );
    assert_eq!(app.count(&events(cid)).await, 0, "no history left behind");
    assert_eq!(
        app.count(&events(town)).await,
        history + 1,
        "its history, and the transfer"
    );
    for (table, col) in [
        ("attachments", "owner_kind = 'opinion' AND owner_id"),
        ("search_docs", "kind = 'opinion' AND item_id"),
    ] {
        let left =
            format!("SELECT COUNT(*) FROM {table} WHERE {col} = {id} AND congress_id = {cid}");
        assert_eq!(app.count(&left).await, 0, "{table} left behind");
        let moved =
            format!("SELECT COUNT(*) FROM {table} WHERE {col} = {id} AND congress_id = {town}");
        assert_eq!(app.count(&moved).await, 1, "{table} moved");
    }
    // The town's staff see the photo; the citizen's code still finds it.
    let aid = app
        .count(&format!(
            "SELECT id FROM attachments WHERE owner_kind = 'opinion' AND owner_id = {id}"
        ))
        .await;
    let mut town_staff = app.login("qingshi").await;
    let r = town_staff
        .get(&format!("/c/{town}/opinions/{id}/attachments/{aid}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(track(&app, &code).await.contains("减速带"));
}

//! The shared layers: Chinese search, the legal calendar with its registry of deadlines, and
//! congress settings with their sources.

use crate::support::*;
use axum::http::StatusCode;
use lianxin::calendar::deadlines::{self, Registration, Span};
use lianxin::calendar::{self as calendar_store, Basis};
use lianxin::platform::ids::{CongressId, UserId};

async fn add_unit(c: &mut Client<'_>, district: i64, name: &str) {
    let r = c
        .json(
            "POST",
            &format!("/api/v1/congresses/{district}/units"),
            serde_json::json!({"name": name, "organ_kind": "政府"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn traditional_queries_find_simplified_text_and_the_reverse() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let mut c = app.login("bangong").await;
    add_unit(&mut c, district, "区委书记信访接待室").await;
    add_unit(&mut c, district, "區委書記辦公室").await;
    let q = |s: &str| format!("/api/v1/congresses/{district}/units?q={}", enc(s));
    let found = names(&c.get(&q("區委書記")).await.json());
    assert!(
        found.contains(&"区委书记信访接待室".to_string()),
        "traditional query, simplified text: {found:?}"
    );
    assert!(found.contains(&"區委書記辦公室".to_string()));
    let found = names(&c.get(&q("区委书记")).await.json());
    assert!(
        found.contains(&"區委書記辦公室".to_string()),
        "simplified query, traditional text: {found:?}"
    );
    // Full-width and pinyin annotations fold too.
    let found = names(&c.get(&q("區(qū)委")).await.json());
    assert_eq!(found.len(), 2, "{found:?}");
    // The page marks the match on the original characters.
    let html = c
        .get(&format!(
            "/c/{district}/units?q=%E5%8C%BA%E5%A7%94%E4%B9%A6%E8%AE%B0"
        ))
        .await
        .text();
    assert!(
        html.contains("<mark>區委書記</mark>辦公室"),
        "highlight on the original text"
    );
}

#[tokio::test]
async fn the_roster_search_sees_every_commit_and_pages_by_rank() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let mut c = app.login("qingshi").await;
    let search = |q: &str| format!("/api/v1/congresses/{qingshi}/deputies?limit=2&q={}", enc(q));
    // Every deputy whose name contains the town's commonest surname is found (the index covers
    // what LIKE would).
    let (surname, like): (String, i64) = sqlx::query_as(
        "SELECT substr(p.name, 1, 1) AS s, COUNT(*) AS n FROM deputies d JOIN persons p ON p.id = d.person_id \
         WHERE d.congress_id = $1 GROUP BY substr(p.name, 1, 1) ORDER BY n DESC, s LIMIT 1",
    )
    .bind(qingshi)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let (like_any,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.congress_id = $1 AND p.name LIKE $2")
        .bind(qingshi)
        .bind(format!("%{surname}%"))
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(like >= 3 && like_any >= like, "{surname}: {like}");
    let mut seen = std::collections::BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("{}&after={}", search(&surname), enc(a)),
            None => search(&surname),
        };
        let page = c.get(&path).await.json();
        for item in page["items"].as_array().unwrap() {
            assert!(
                seen.insert(item["id"].as_i64().unwrap()),
                "no row on two pages"
            );
        }
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert!(
        seen.len() as i64 >= like_any,
        "search {} ⊇ LIKE {like_any}",
        seen.len()
    );
    // A new deputy is found at once; a renamed one under the new name only.
    let id = id_with_check("99010219800101077");
    let r = c
        .post_form(
            &format!("/c/{qingshi}/deputies"),
            &deputy_fields("欧阳明月", &id, "第1选区"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        names(&c.get(&search("欧阳")).await.json()),
        vec!["欧阳明月"]
    );
    assert_eq!(
        names(&c.get(&search("歐陽明月")).await.json()),
        vec!["欧阳明月"],
        "traditional query"
    );
    let new_id: i64 = r
        .location()
        .split('/')
        .nth(4)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let d = c
        .get(&format!("/api/v1/congresses/{qingshi}/deputies/{new_id}"))
        .await
        .json();
    let mut body = d.clone();
    body["name"] = serde_json::json!("上官云");
    body["constituency"] = d["constituency"].clone();
    let r = c
        .json(
            "PUT",
            &format!("/api/v1/congresses/{qingshi}/deputies/{new_id}"),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert!(names(&c.get(&search("欧阳")).await.json()).is_empty());
    assert_eq!(names(&c.get(&search("上官")).await.json()), vec!["上官云"]);
    // Another town's clerk finds nothing of this town, even by name.
    let mut other = app.login("baisha").await;
    let baisha = app.congress_id("白沙镇").await;
    let r = other
        .get(&format!(
            "/api/v1/congresses/{baisha}/deputies?q=%E4%B8%8A%E5%AE%98"
        ))
        .await
        .json();
    assert!(names(&r).is_empty());
    // Odd queries are harmless.
    for q in ["\"", "'", "*", "AND", "()", "——", "a\"b"] {
        assert_eq!(c.get(&search(q)).await.status, StatusCode::OK, "{q}");
    }
}

#[tokio::test]
async fn loading_a_year_recomputes_open_deadlines_and_tells_their_holders() {
    let app = TestApp::demo().await;
    let district = CongressId(app.congress_id("示范区").await);
    let (holder,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'daibiao'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let calendar = calendar_store::load(&app.state.db).await.unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2026, 10, 20).unwrap();
    let mut tx = app.state.db.write().await.unwrap();
    let reg = Registration {
        congress: district,
        module: "test",
        item_id: 1,
        kind: "reply",
        span: Span::Months(3),
        holder: Some(UserId(holder)),
        link: "/home",
    };
    let d = deadlines::register(
        &mut tx,
        &calendar,
        &reg,
        start,
        Basis {
            rule: "rule.suggestion_reply".into(),
            source: "代表法第五十一条".into(),
        },
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(d.due.to_string(), "2027-01-20");
    assert_eq!(d.unloaded_years, vec![2027]);
    // The calculator shows the warning for 2027.
    let mut staff = app.login("daibiao").await;
    let page = staff
        .get("/calendar?start=2026-10-20&amount=3&unit=months")
        .await
        .text();
    assert!(page.contains("2027年1月20日") && page.contains("2027年节假日安排尚未载入"));
    let page = staff
        .get("/calendar?start=2025-11-15&amount=3&unit=months")
        .await
        .text();
    assert!(page.contains("2026年2月24日"), "the issue's worked example");
    assert!(
        page.contains("已过去") && !page.contains("还剩 -"),
        "a past date is not 'minus days left'"
    );
    // The holder sees it on the home page, with its basis and the warning.
    let home = staff.get("/home").await.text();
    assert!(
        home.contains("my-deadlines")
            && home.contains("2027年1月20日")
            && home.contains("代表法第五十一条")
            && home.contains("2027年节假日安排尚未载入")
    );
    // In November the system administrator is reminded to load next year.
    let mut sys = app.login("sysadmin").await;
    assert!(
        !sys.get("/home").await.text().contains("calendar-reminder"),
        "March: no reminder"
    );
    // Passwords may be a year old here, so that the sign-in after the jump is not a forced change.
    let mut tx = app.state.db.write().await.unwrap();
    lianxin::accounts::set_policy_value(
        &mut tx,
        "password_max_age_days",
        "365",
        lianxin::platform::ids::UserId(1),
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.clock.advance(chrono::Duration::days(250));
    let mut sys = app.login("sysadmin").await;
    assert!(
        sys.get("/home")
            .await
            .text()
            .contains("2027年节假日安排尚未载入")
    );
    let mut staff = app.login("daibiao").await;
    // Only the system administrator loads a year; a bad file changes nothing.
    let arrangement = "year 2027 测试用安排（虚构）\n2027-01-20..2027-01-22 holiday 测试假日\n2027-01-23 workday 测试调休\n";
    assert_eq!(
        staff
            .post_form("/calendar", &[("body", arrangement)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut sys = app.login("sysadmin").await;
    let r = sys
        .post_form(
            "/calendar",
            &[("body", "year 2027 测试\n2027-01-19 workday 周二不能调休\n")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("第2行") && r.text().contains("调休上班日必须是周六或周日"));
    assert_eq!(app.count("SELECT COUNT(*) FROM holiday_years").await, 0);
    let r = sys.post_form("/calendar", &[("body", arrangement)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // 2027-01-20..22 are now holidays, 2027-01-23 (Saturday) a working day: due moves to the 23rd.
    let (due, unloaded): (String, String) =
        sqlx::query_as("SELECT due_on, unloaded_years FROM deadlines WHERE module = 'test'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!((due.as_str(), unloaded.as_str()), ("2027-01-23", ""));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM notifications WHERE user_id = {holder} AND kind = 'deadline_moved'")).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.year_load' AND target = 'year:2027'").await, 1);
    let page = staff
        .get("/calendar?start=2026-10-20&amount=3&unit=months")
        .await
        .text();
    assert!(page.contains("2027年1月23日") && !page.contains("尚未载入"));
}

#[tokio::test]
async fn settings_show_their_source_refuse_illegal_values_and_keep_history() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let mut staff = app.login("daibiao").await;
    let page = staff.get(&format!("/c/{district}/settings")).await.text();
    assert!(
        page.contains("代表建议答复期限")
            && page.contains("3个月")
            && page.contains("代表法第五十一条")
    );
    assert!(
        page.contains("尚未经本级人大确认"),
        "product defaults are marked"
    );
    assert!(!page.contains("settings-form"), "staff read, do not change");
    assert_eq!(
        staff
            .post_form(
                &format!("/c/{district}/settings"),
                &[
                    ("key", "suggestion.assign_window"),
                    ("value", "7wd"),
                    ("source_kind", "own_decision"),
                    ("source_text", "x"),
                    ("decided_on", "2026-03-01")
                ]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut sys = app.login("sysadmin").await;
    let set = |key: &'static str,
               value: &'static str,
               kind: &'static str,
               text: &'static str,
               date: &'static str| {
        vec![
            ("key", key),
            ("value", value),
            ("source_kind", kind),
            ("source_text", text),
            ("decided_on", date),
        ]
    };
    let r = sys
        .post_form(
            &format!("/c/{district}/settings"),
            &set(
                "suggestion.complex_reply_window",
                "7m",
                "own_decision",
                "主任会议决定",
                "2026-03-01",
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("超出法律允许的上限"));
    let r = sys
        .post_form(
            &format!("/c/{district}/settings"),
            &set(
                "suggestion.assign_window",
                "7wd",
                "own_decision",
                "主任会议决定",
                "",
            ),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a decision needs its date"
    );
    let r = sys
        .post_form(
            &format!("/c/{district}/settings"),
            &set(
                "suggestion.assign_window",
                "7wd",
                "own_decision",
                "区人大常委会主任会议决定",
                "2026-03-01",
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let list = sys
        .get(&format!("/api/v1/congresses/{district}/settings"))
        .await
        .json()["items"]
        .clone();
    let assign = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "suggestion.assign_window")
        .unwrap()
        .clone();
    assert_eq!(assign["value"], "7wd");
    assert_eq!(assign["source_kind"], "own_decision");
    assert_eq!(assign["decided_on"], "2026-03-01");
    assert_eq!(assign["unconfirmed"], false);
    // A preset is a starting point, labelled with its regulation and article.
    let r = sys
        .post_form(
            &format!("/c/{district}/settings/preset"),
            &[("preset", "chongqing_2017")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let feedback = lianxin::settings::get(
        &app.state.db,
        CongressId(district),
        "suggestion.feedback_window",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(feedback.value, "20wd");
    assert!(
        feedback.unconfirmed
            && feedback.source.contains("重庆市")
            && feedback.source.contains("第二十七条")
    );
    assert!(
        app.count(&format!(
            "SELECT COUNT(*) FROM congress_settings_history WHERE congress_id = {district}"
        ))
        .await
            >= 6
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('settings.change', 'settings.preset')"
        )
        .await,
        2
    );
    // Other congresses are untouched.
    let qingshi = app.congress_id("青石镇").await;
    let town = lianxin::settings::get(
        &app.state.db,
        CongressId(qingshi),
        "suggestion.assign_window",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(town.value, "5wd");
}

//! Issue 6, item 1: reception days at the stations, published ahead on the portal with the
//! deputies on duty, cancelled with a reason, and the receptions recorded there (the visitor
//! sealed at rest and masked on screen).

use crate::support::*;
use axum::http::StatusCode;

#[tokio::test]
async fn a_reception_day_is_published_ahead_shown_on_the_portal_and_its_receptions_recorded() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let station = app
        .count(&format!(
            "SELECT MIN(s.id) FROM stations s WHERE s.congress_id = {cid} AND EXISTS (SELECT 1 FROM deputies d WHERE d.station_id = s.id)"
        ))
        .await;
    let deputy = app
        .count(&format!(
            "SELECT MIN(id) FROM deputies WHERE station_id = {station} AND status = 'in_office'"
        ))
        .await;
    let mut staff = app.login("lianluozhan").await;
    assert!(
        staff
            .get(&format!("/c/{cid}/stations"))
            .await
            .text()
            .contains(&format!("#{deputy}"))
    );
    let days = format!("/c/{cid}/stations/{station}/days");
    let before = app.count("SELECT COUNT(*) FROM reception_days").await;
    // The clock reads 2 March: 4 March is too soon (3 days ahead by default), and says so.
    let r = staff
        .post_form(
            &days,
            &[
                ("on_date", "2026-03-04"),
                ("starts_at", "09:00"),
                ("ends_at", "11:30"),
                ("deputies", &format!("#{deputy}")),
                ("topic", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("最早可安排在2026-03-05"));
    let r = staff
        .post_form(
            &days,
            &[
                ("on_date", "2026-03-06"),
                ("starts_at", "11:30"),
                ("ends_at", "09:00"),
                ("deputies", "查无此人"),
                ("topic", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(text.contains("结束时间须晚于开始时间") && text.contains("查无此人"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reception_days").await,
        before
    );

    let r = staff
        .post_form(
            &days,
            &[
                ("on_date", "2026-03-05"),
                ("starts_at", "09:00"),
                ("ends_at", "11:30"),
                ("deputies", &format!("#{deputy}")),
                ("topic", "老旧小区改造<script>专题</script>"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let day_page = r.location().split('?').next().unwrap().to_string();
    let day: i64 = day_page.rsplit('/').next().unwrap().parse().unwrap();

    // The portal shows it to anyone, escaped, with the deputy on duty; the API too.
    let name: String = sqlx::query_as::<_, (String,)>(
        "SELECT p.name FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.id = $1",
    )
    .bind(deputy)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap()
    .0;
    let mut citizen = app.client();
    let page = citizen.get(&format!("/stations/{cid}")).await.text();
    assert!(page.contains("2026年3月5日") && page.contains(&name));
    assert!(
        page.contains("专题") && !page.contains("<script>专题"),
        "shown, escaped"
    );
    let api = citizen
        .get(&format!("/api/v1/public/congresses/{cid}/reception-days"))
        .await
        .json()["items"]
        .clone();
    assert!(
        api.as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == day && d["deputies"].as_str().unwrap().contains(&name))
    );

    // Not before the day: no receptions recorded ahead.
    let rec = format!("{day_page}/receptions");
    let r = staff
        .post_form(
            &rec,
            &[("deputy", ""), ("visitor", ""), ("matter", "路灯不亮")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("接待日还没到"));
    app.clock.advance(chrono::Duration::days(4));
    let mut staff = app.login("lianluozhan").await;
    let r = staff
        .post_form(
            &rec,
            &[
                ("deputy", "999999"),
                ("visitor", ""),
                ("matter", "路灯不亮"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not on duty");
    let r = staff
        .post_form(
            &rec,
            &[
                ("deputy", &deputy.to_string()),
                ("visitor", "王女士 13912344321"),
                ("matter", "小区路灯坏了两个月"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = staff.get(&day_page).await.text();
    assert!(page.contains("小区路灯坏了两个月") && page.contains("139******21"));
    assert!(!page.contains("13912344321"), "masked on screen");
    let (sealed,): (String,) =
        sqlx::query_as("SELECT visitor_sealed FROM receptions WHERE reception_day_id = $1")
            .bind(day)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(
        // Not "139": random ciphertext in base64 holds any three digits now and then.
        sealed.starts_with("sm4gcm:v") && !sealed.contains("13912344321"),
        "sealed at rest"
    );
    // A day that has passed cannot be cancelled.
    let r = staff
        .post_form(&format!("{day_page}/cancel"), &[("reason", "台风")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reception = app
        .count(&format!(
            "SELECT MAX(id) FROM receptions WHERE reception_day_id = {day}"
        ))
        .await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE (action = 'stations.schedule' AND target = 'reception_day:{day}') OR (action = 'stations.reception' AND target = 'reception:{reception}')"))
            .await,
        2,
        "each act audited"
    );
}

#[tokio::test]
async fn a_cancelled_day_stays_on_the_portal_with_its_reason_and_others_cannot_touch_it() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let (day, on_date): (i64, String) = sqlx::query_as(
        "SELECT id, on_date FROM reception_days WHERE congress_id = $1 AND cancelled_at IS NULL ORDER BY on_date DESC LIMIT 1",
    )
    .bind(cid)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert!(on_date.as_str() >= "2026-03-02", "the demo has coming days");
    let mut unit = app.login("chengban").await;
    let r = unit
        .post_form(
            &format!("/c/{cid}/reception-days/{day}/cancel"),
            &[("reason", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut office = app.login("daibiao").await;
    let r = office
        .post_form(
            &format!("/c/{cid}/reception-days/{day}/cancel"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is needed"
    );
    let r = office
        .post_form(
            &format!("/c/{cid}/reception-days/{day}/cancel"),
            &[("reason", "受台风影响，改期另行通知")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.client().get(&format!("/stations/{cid}")).await.text();
    assert!(page.contains("已取消") && page.contains("受台风影响，改期另行通知"));
}

//! Issue 4: the data-subject request desk (PIPL Art 44–50) and the retention of contact details.

use crate::support::*;
use axum::http::StatusCode;
use lianxin::platform::clock::Clock;

#[tokio::test]
async fn a_deletion_request_erases_what_may_be_erased_and_is_answered_within_the_deadline() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    // A deputy with contact details, whose mandate has ended (nothing obliges us to keep them).
    let id_card = id_with_check("99010219700707333");
    let mut fields = deputy_fields("前代表乙", &id_card, "青石镇第1选区");
    fields.extend([
        ("phone", "13611112222"),
        ("email", ""),
        ("address", "示范区白沙镇一号"),
    ]);
    let r = office
        .post_form(&format!("/c/{cid}/deputies"), &fields)
        .await;
    let deputy: i64 = r
        .location()
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let r = office
        .post_form(
            &format!("/c/{cid}/deputies/{deputy}/status"),
            &[
                ("status", "terminated"),
                ("status_date", "2026-03-01"),
                ("status_reason", "辞职"),
            ],
        )
        .await;
    assert!(r.status.is_redirection(), "{}", r.text());

    // Bad input changes nothing.
    let before = app.count("SELECT COUNT(*) FROM privacy_requests").await;
    let r = office
        .post_form(
            &format!("/c/{cid}/privacy"),
            &[
                ("kind", "deletion"),
                ("name", ""),
                ("contact", ""),
                ("identifier", ""),
                ("received_on", "2026-03-02"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM privacy_requests").await,
        before
    );

    let r = office
        .post_form(
            &format!("/c/{cid}/privacy"),
            &[
                ("kind", "deletion"),
                ("name", "前代表乙"),
                ("contact", "13611112222"),
                ("identifier", "136 1111 2222"),
                ("received_on", "2026-03-02"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let link = r.location();
    // 15 working days from Monday 2 March 2026: Monday 23 March.
    let page = office.get(&link).await.text();
    assert!(
        page.contains("2026年3月23日"),
        "due date on the legal calendar"
    );
    assert!(
        page.contains("13611112222") && page.contains("示范区白沙镇一号"),
        "what is held, in full"
    );
    assert!(
        office
            .get("/home")
            .await
            .text()
            .contains("个人信息权利请求答复期限"),
        "on the holder's deadline list"
    );
    // The requester is sealed at rest.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM privacy_requests WHERE requester_sealed LIKE '%前代表乙%'")
            .await,
        0
    );

    let page = office.post_form(&format!("{link}/erase"), &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("id=\"erased\"") && !page.text().contains("示范区白沙镇一号"));
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM persons p JOIN deputies d ON d.person_id = p.id WHERE d.id = {deputy} AND p.phone_sealed IS NULL AND p.address_sealed IS NULL")).await,
        1
    );
    // Closing needs a reply; then the deadline closes and the request cannot be closed twice.
    let r = office
        .post_form(
            &format!("{link}/close"),
            &[("outcome", "answered"), ("answer", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = office
        .post_form(
            &format!("{link}/close"),
            &[("outcome", "answered"), ("answer", "已删除您的联系方式。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM deadlines WHERE module = 'privacy' AND closed_at IS NULL")
            .await,
        0
    );
    let r = office
        .post_form(
            &format!("{link}/close"),
            &[("outcome", "answered"), ("answer", "again")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    for action in [
        "privacy.request_create",
        "privacy.request_view",
        "privacy.erase",
        "privacy.request_close",
    ] {
        assert!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await
                >= 1,
            "{action}"
        );
    }
    // Another congress's staff cannot see it; general-office staff cannot either.
    let qingshi = app.congress_id("青石镇").await;
    let mut town = app.login("qingshi").await;
    let other = link.replace(&format!("/c/{cid}/"), &format!("/c/{qingshi}/"));
    assert_eq!(town.get(&other).await.status, StatusCode::NOT_FOUND);
    let mut general = app.login("bangong").await;
    assert_eq!(general.get(&link).await.status, StatusCode::FORBIDDEN);

    // Retention: months after closure the requester's details are erased.
    let n =
        lianxin::privacy::retention::run(&app.state.db, app.clock.now_ms() + 25 * 31 * 86_400_000)
            .await
            .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM privacy_requests WHERE requester_sealed = ''")
            .await,
        1
    );
    assert!(
        office.get(&link).await.status.is_success(),
        "the request stays readable without them"
    );
}

#[tokio::test]
async fn a_deputy_in_office_keeps_the_record_the_law_requires() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    let id_card = id_with_check("99010219700707444");
    let mut fields = deputy_fields("在任代表丙", &id_card, "青石镇第1选区");
    fields.extend([("phone", "13622223333"), ("email", ""), ("address", "")]);
    office
        .post_form(&format!("/c/{cid}/deputies"), &fields)
        .await;
    let r = office
        .post_form(
            &format!("/c/{cid}/privacy"),
            &[
                ("kind", "deletion"),
                ("name", "在任代表丙"),
                ("contact", ""),
                ("identifier", &id_card),
                ("received_on", "2026-03-02"),
            ],
        )
        .await;
    let link = r.location();
    let page = office.get(&link).await.text();
    assert!(page.contains("法律要求保存其代表信息"));
    office.post_form(&format!("{link}/erase"), &[]).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM persons WHERE name = '在任代表丙' AND phone_sealed IS NOT NULL"
        )
        .await,
        1
    );
}

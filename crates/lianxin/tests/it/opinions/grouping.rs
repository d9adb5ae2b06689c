//! Issue 6 items 7–9: similar opinions are grouped on submission; the office merges a group
//! and one answer reaches every citizen; a split keeps the history. Search finds 區委書記 and
//! 区委书记 alike, with its filters; the insight page draws its charts.

use super::{send_opinion, track};
use crate::support::*;
use axum::http::StatusCode;

async fn group_of(app: &TestApp, id: i64) -> Option<i64> {
    let (g,): (Option<i64>,) = sqlx::query_as("SELECT group_id FROM opinions WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    g
}

#[tokio::test]
async fn similar_opinions_are_grouped_merged_answered_together_and_split_again() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let (a, code_a) = send_opinion(&app, cid, "解放路的路灯坏了好几天了，晚上很黑", None, "").await;
    let (b, code_b) = send_opinion(
        &app,
        cid,
        "解放路街灯不亮，晚上走路很黑",
        None,
        "13912344321",
    )
    .await;
    let (c, code_c) = send_opinion(&app, cid, "解放路路燈壞了，晚上黑", None, "").await;
    let (other, _) = send_opinion(&app, cid, "城南菜市场周边乱停车，道路拥堵", None, "").await;
    let g = group_of(&app, a).await;
    assert!(g.is_some(), "grouped on submission");
    assert_eq!(group_of(&app, b).await, g);
    assert_eq!(group_of(&app, c).await, g);
    assert_eq!(group_of(&app, other).await, None);
    let g = g.unwrap();
    let mut staff = app.login("lianluozhan").await;
    let groups = staff.get(&format!("/c/{cid}/opinions/groups")).await.text();
    assert!(groups.contains(&format!("/opinions/groups/{g}\"")));
    // The primary must be an open member of the group.
    let r = staff
        .post_form(
            &format!("/c/{cid}/opinions/groups/{g}/merge"),
            &[("primary", &other.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let merged_before = app
        .count("SELECT COUNT(*) FROM opinions WHERE merged_into IS NOT NULL")
        .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM opinions WHERE merged_into IS NOT NULL AND group_id = {g}"
        ))
        .await,
        0
    );
    let _ = merged_before;
    let r = staff
        .post_form(
            &format!("/c/{cid}/opinions/groups/{g}/merge"),
            &[("primary", &a.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM opinions WHERE merged_into = {a}"
        ))
        .await,
        2
    );
    // One split off again: handled on its own, its history keeps both steps.
    let r = staff
        .post_form(&format!("/c/{cid}/opinions/{c}/split"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(group_of(&app, c).await, None);
    let page = track(&app, &code_c).await;
    assert!(
        page.contains("合并办理") && page.contains("单独办理"),
        "{page}"
    );
    // One answer reaches every citizen still merged.
    let sms_before = app
        .count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'")
        .await;
    let r = staff
        .post_form(
            &format!("/c/{cid}/opinions/{a}/answer"),
            &[("answer", "解放路路灯已于3月4日全部修复。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for code in [&code_a, &code_b] {
        assert!(track(&app, code).await.contains("3月4日全部修复"));
    }
    assert!(
        !track(&app, &code_c).await.contains("3月4日全部修复"),
        "split off: not answered"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'")
            .await
            - sms_before,
        1,
        "b left a phone"
    );
    // The insight page counts them and names the groups.
    let insight = staff.get(&format!("/c/{cid}/opinions/insight")).await;
    assert_eq!(insight.status, StatusCode::OK);
    let t = insight.text();
    assert!(t.contains("<svg") && t.contains("青石镇幸福路") && t.contains("id=\"keywords\""));
}

#[tokio::test]
async fn search_finds_traditional_and_simplified_alike_with_filters_and_pages() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let (simp, _) = send_opinion(&app, cid, "希望区委书记到青石镇看看老街的排水", None, "").await;
    let (trad, _) = send_opinion(&app, cid, "請區委書記關注柳河鎮的學校", None, "").await;
    let (none, _) = send_opinion(&app, cid, "城南菜市场周边乱停车", None, "").await;
    let mut staff = app.login("daibiao").await;
    let find = |q: &str| format!("/c/{cid}/opinions?q={}", enc(q));
    for q in ["區委書記", "区委书记"] {
        let page = staff.get(&find(q)).await.text();
        for id in [simp, trad] {
            assert!(
                page.contains(&format!("/c/{cid}/opinions/{id}\"")),
                "{q} finds {id}"
            );
        }
        assert!(!page.contains(&format!("/c/{cid}/opinions/{none}\"")));
    }
    // Filters combine with the words: state, kind, category, place, dates.
    let page = staff
        .get(&format!("{}&state=answered", find("区委书记")))
        .await
        .text();
    assert!(page.contains("id=\"no-opinions\""));
    let page = staff
        .get(&format!("/c/{cid}/opinions?place={}&category=roads_transport&kind=need&from=2026-03-01&to=2026-03-02", enc("青石镇")))
        .await
        .text();
    assert!(page.contains(&format!("/c/{cid}/opinions/{simp}\"")));
    let page = staff
        .get(&format!("/c/{cid}/opinions?from=2026-03-03"))
        .await
        .text();
    assert!(
        page.contains("id=\"no-opinions\""),
        "nothing received after today"
    );
    // Another congress's staff search their own only.
    let town = app.congress_id("青石镇").await;
    let mut town_staff = app.login("qingshi").await;
    let page = town_staff
        .get(&format!("/c/{town}/opinions?q={}", enc("区委书记")))
        .await
        .text();
    assert!(page.contains("id=\"no-opinions\""));
    assert_eq!(
        town_staff.get(&find("区委书记")).await.status,
        StatusCode::FORBIDDEN
    );
}

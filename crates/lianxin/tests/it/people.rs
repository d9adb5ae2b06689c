//! Bodies and their members, and unit heads.

use crate::support::*;
use axum::http::StatusCode;

#[tokio::test]
async fn members_come_from_this_congress_s_deputies_in_office() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let qingshi = app.congress_id("青石镇").await;
    let (sc,): (i64,) = sqlx::query_as(
        "SELECT id FROM organizations WHERE congress_id = $1 AND kind = 'standing_committee'",
    )
    .bind(district)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    // A district deputy not yet on the standing committee.
    let (deputy,): (i64,) = sqlx::query_as(
        "SELECT d.id FROM deputies d WHERE d.congress_id = $1 AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = d.person_id AND m.organization_id = $2) ORDER BY d.id LIMIT 1",
    )
    .bind(district)
    .bind(sc)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let (town_deputy,): (i64,) =
        sqlx::query_as("SELECT id FROM deputies WHERE congress_id = $1 LIMIT 1")
            .bind(qingshi)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let mut c = app.login("renshi").await;
    let add = |d: i64, post: &'static str| serde_json::json!({"organization_id": sc, "deputy_id": d, "post": post, "starts_on": "2026-03-01"});
    // A town's deputy is not a deputy of the district congress.
    let r = c
        .json(
            "POST",
            &format!("/api/v1/congresses/{district}/members"),
            add(town_deputy, "member"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["errors"][0]["message_zh"],
        "只能从本级在任代表中选择"
    );
    // No secretary-general at county level (组织法 Art 47 ¶2).
    let r = c
        .json(
            "POST",
            &format!("/api/v1/congresses/{district}/members"),
            add(deputy, "secretary_general"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .json(
            "POST",
            &format!("/api/v1/congresses/{district}/members"),
            add(deputy, "member"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let membership = r.json()["id"].as_i64().unwrap();
    let r = c
        .json(
            "POST",
            &format!("/api/v1/congresses/{district}/members"),
            add(deputy, "vice_chair"),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already a member"
    );
    let count = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "standing_committee")
            .count()
    };
    assert_eq!(
        count(
            &c.get(&format!("/api/v1/congresses/{district}/members"))
                .await
                .json()["items"]
                .clone()
        ),
        26
    );
    // Removed through the page; the record stays with its end date.
    let r = c
        .post_form(
            &format!("/c/{district}/members/{membership}/end"),
            &[("ends_on", "2026-03-02")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        count(
            &c.get(&format!("/api/v1/congresses/{district}/members"))
                .await
                .json()["items"]
                .clone()
        ),
        25
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM memberships WHERE id = {membership} AND ends_on = '2026-03-02'"
        ))
        .await,
        1
    );
    // A deputy whose mandate ended cannot be added.
    c.post_form(
        &format!("/c/{district}/deputies/{deputy}/status"),
        &[
            ("status", "terminated"),
            ("status_date", "2026-03-03"),
            ("status_reason", "辞职"),
        ],
    )
    .await;
    let r = c
        .json(
            "POST",
            &format!("/api/v1/congresses/{district}/members"),
            add(deputy, "member"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A town clerk cannot touch the district's bodies.
    let mut town = app.login("qingshi").await;
    assert_eq!(
        town.json(
            "POST",
            &format!("/api/v1/congresses/{district}/members"),
            add(deputy, "member")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships WHERE post = 'secretary_general'")
            .await,
        0
    );
}

#[tokio::test]
async fn replacing_a_unit_head_keeps_the_previous_head_on_record() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let mut c = app.login("bangong").await;
    let units = c
        .get(&format!("/api/v1/congresses/{district}/units?limit=1"))
        .await
        .json();
    let unit = &units["items"][0];
    let id = unit["id"].as_i64().unwrap();
    let old_head = unit["head"].as_str().unwrap().to_string();
    let name = unit["name"].as_str().unwrap().to_string();
    let organ = unit["organ_kind"].as_str().unwrap().to_string();
    let path = format!("/c/{district}/units/{id}");
    let r = c
        .post_form(
            &path,
            &[
                ("name", &name),
                ("organ_kind", &organ),
                ("head_name", "周新任"),
                ("head_gender", ""),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a head needs a gender"
    );
    let r = c
        .post_form(
            &path,
            &[
                ("name", &name),
                ("organ_kind", &organ),
                ("head_name", "周新任"),
                ("head_gender", "female"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let units = c
        .get(&format!("/api/v1/congresses/{district}/units?limit=1"))
        .await
        .json();
    assert_eq!(units["items"][0]["head"], "周新任");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {id} AND post = 'head' AND ends_on IS NOT NULL")).await, 1);
    assert_ne!(old_head, "周新任");
    // Saving again with the same head changes nothing.
    c.post_form(
        &path,
        &[
            ("name", &name),
            ("organ_kind", &organ),
            ("head_name", "周新任"),
            ("head_gender", "female"),
        ],
    )
    .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM memberships WHERE organization_id = {id} AND post = 'head'"
        ))
        .await,
        2
    );
}

#[tokio::test]
async fn one_person_may_be_a_deputy_of_the_district_and_of_a_town() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let qingshi = app.congress_id("青石镇").await;
    let id = id_with_check("99010219750505555");
    let before = app.count("SELECT COUNT(*) FROM persons").await;
    let mut d = app.login("daibiao").await;
    let r = d
        .post_form(
            &format!("/c/{district}/deputies"),
            &deputy_fields("两级代表", &id, "青石镇第1选区"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut t = app.login("qingshi").await;
    let r = t
        .post_form(
            &format!("/c/{qingshi}/deputies"),
            &deputy_fields("两级代表", &id, "第1选区"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons").await,
        before + 1,
        "one person"
    );
    assert_eq!(app.count("SELECT COUNT(DISTINCT congress_id) FROM deputies WHERE person_id = (SELECT MAX(id) FROM persons)").await, 2, "two mandates");
    // But not twice in the same congress and term.
    let r = t
        .post_form(
            &format!("/c/{qingshi}/deputies"),
            &deputy_fields("两级代表", &id, "第2选区"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("此人已是本届代表"));
}

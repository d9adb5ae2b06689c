//! Issue 6 through the API: a client submits an opinion without an account (the served form's
//! token and the CSRF cookie, as the page has), follows and rates it by its code; staff list,
//! route and answer; a deputy converts; each capacity sees only its own.

use crate::support::*;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_opinion_loop_works_through_the_api() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let mut citizen = app.client();
    let form = citizen
        .get(&format!("/api/v1/public/congresses/{cid}/opinion-form"))
        .await
        .json();
    let issued = form["issued"].as_str().unwrap().to_string();
    let body = json!({
        "kind": "question", "category": "environment", "place": "柳河镇北岸",
        "body": "柳河镇造纸厂夜里偷排污水，河水发黑发臭<img src=x onerror=alert(1)>",
        "issued": issued,
    });
    // At once is a script's speed: refused, nothing stored.
    let before = app.count("SELECT COUNT(*) FROM opinions").await;
    let r = citizen
        .json(
            "POST",
            &format!("/api/v1/public/congresses/{cid}/opinions"),
            body.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM opinions").await, before);
    app.clock.advance(chrono::Duration::seconds(30));
    let r = citizen
        .json(
            "POST",
            &format!("/api/v1/public/congresses/{cid}/opinions"),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let code = r.json()["tracking_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 11);
    let t = citizen
        .get(&format!("/api/v1/public/opinions/{code}"))
        .await;
    assert_eq!(t.status, StatusCode::OK);
    let t = t.json();
    assert_eq!(t["state"], "received");
    assert_eq!(t["holder"], "congress");
    assert!(t["due_on"].is_string());
    // An unknown code is the same 404 as a mistyped one.
    assert_eq!(
        citizen
            .get("/api/v1/public/opinions/ZZZZZ-ZZZZZ")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Staff find it (traditional characters), route it, the unit answers.
    let mut staff = app.login("lianluozhan").await;
    let page = staff
        .get(&format!(
            "/api/v1/congresses/{cid}/opinions?q={}",
            enc("偷排汙水")
        ))
        .await
        .json();
    let id = page["items"][0]["id"].as_i64().unwrap();
    let unit = crate::suggestions::chengban_unit(&app).await;
    let act = format!("/api/v1/congresses/{cid}/opinions/{id}/actions");
    let r = staff
        .json(
            "POST",
            &act,
            json!({"action": "refer", "referral": "nowhere", "explanation": "短"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = staff
        .json("POST", &act, json!({"action": "route", "unit": unit}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["holder"], "unit");
    let mut unit_user = app.login("chengban").await;
    let list = unit_user
        .get(&format!("/api/v1/congresses/{cid}/opinions"))
        .await
        .json();
    let items = list["items"].as_array().unwrap();
    assert!(items.iter().any(|o| o["id"] == id));
    assert!(
        items
            .iter()
            .all(|o| o["holder"] == "unit" && o["unit_id"] == unit),
        "only what is routed to it"
    );
    let r = unit_user
        .json(
            "POST",
            &act,
            json!({"action": "transfer", "to": cid, "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a unit does not transfer");
    let r = unit_user
        .json(
            "POST",
            &act,
            json!({"action": "answer", "answer": "已责令停产整改，罚款20万元。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = citizen
        .get(&format!("/api/v1/public/opinions/{code}"))
        .await
        .json();
    assert_eq!(t["state"], "answered");
    assert_eq!(t["can_rate"], true);
    let r = citizen
        .json(
            "POST",
            &format!("/api/v1/public/opinions/{code}/rating"),
            json!({"rating": "unsatisfied"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "不满意 needs a reason"
    );
    let r = citizen
        .json(
            "POST",
            &format!("/api/v1/public/opinions/{code}/rating"),
            json!({"rating": "satisfied"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // The insight figures count it; groups and the OpenAPI document list the routes.
    let i = staff
        .get(&format!("/api/v1/congresses/{cid}/opinions/insight"))
        .await
        .json();
    assert!(
        i["by_place"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "柳河镇北岸" && r["satisfied"] == 1)
    );
    assert_eq!(
        staff
            .get(&format!("/api/v1/congresses/{cid}/opinions/groups"))
            .await
            .status,
        StatusCode::OK
    );
    let doc = app.client().get("/api/v1/openapi.json").await.text();
    assert!(
        doc.contains("/api/v1/public/congresses/{cid}/opinions")
            && doc.contains("/api/v1/congresses/{cid}/opinions/convert")
    );
    // A deputy converts through the API; staff may not.
    let r = staff
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/opinions/convert"),
            json!({"ids": [id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// A tracking code has one written form everywhere (issue 18): `XXXXX-XXXXX` in the citizen's
/// redirect and page, in the public API and in the staff API's list.
#[tokio::test]
async fn a_tracking_code_is_written_one_way_everywhere() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let (_, code) = super::send_opinion(&app, cid, "河堤步道的路灯不亮", None, "").await;
    let shown = format!("{}-{}", &code[..5], &code[5..]);
    let mut citizen = app.client();
    let page = citizen.get(&format!("/opinions/{cid}/new")).await.text();
    let token = super::issued(&page);
    app.clock.advance(chrono::Duration::seconds(10));
    let r = citizen
        .post_form(
            &format!("/opinions/{cid}/new"),
            &[
                ("kind", "need"),
                ("category", "roads_transport"),
                ("place", "河堤"),
                ("body", "河堤步道的路灯还是不亮"),
                ("contact", ""),
                ("consent", ""),
                ("deputy", ""),
                ("station", ""),
                ("website", ""),
                ("issued", &token),
            ],
        )
        .await;
    let location = r.location();
    let (_, fresh) = location.split_once("code=").unwrap();
    let fresh = fresh.split('&').next().unwrap();
    assert_eq!(fresh.len(), 11, "{location}");
    assert_eq!(&fresh[5..6], "-");
    let mut staff = app.login("lianluozhan").await;
    let list = staff
        .get(&format!("/api/v1/congresses/{cid}/opinions"))
        .await
        .json();
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["tracking_code"].as_str())
        .collect();
    assert!(codes.contains(&shown.as_str()), "{codes:?}");
    assert!(codes.iter().all(|c| c.len() == 11 && &c[5..6] == "-"));
    let public = app
        .client()
        .get(&format!("/api/v1/public/opinions/{code}"))
        .await
        .json();
    assert_eq!(public["tracking_code"], shown.as_str());
    let page = super::track(&app, &shown).await;
    assert!(
        page.contains(&shown) && !page.contains(&code),
        "never the undashed form"
    );
}

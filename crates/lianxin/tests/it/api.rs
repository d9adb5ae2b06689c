//! The JSON API: OpenAPI document, bearer tokens, keyset pages, create and update.

use crate::support::*;
use axum::http::StatusCode;
use std::collections::HashSet;

#[tokio::test]
async fn openapi_document_lists_the_operations_and_the_docs_page_works_offline() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    let r = c.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/me",
        "/api/v1/congresses",
        "/api/v1/congresses/{cid}/deputies",
        "/api/v1/congresses/{cid}/deputies/{id}",
        "/api/v1/public/congresses/{cid}/deputies",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let docs = c.get("/api/v1/docs").await.text();
    assert!(
        docs.contains("/api/v1/congresses/{cid}/deputies") && !docs.contains("<script src=\"http")
    );
}

#[tokio::test]
async fn bearer_tokens_work_without_csrf_and_cannot_mint_tokens() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let mut c = app.login("qingshi").await;
    let r = c
        .json(
            "POST",
            "/api/v1/tokens",
            serde_json::json!({"name": "对接测试", "days": 30}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM api_tokens WHERE token_digest = '{token}'"
        ))
        .await,
        0,
        "only a digest is stored"
    );
    let mut api = app.client();
    api.bearer = Some(token);
    let me = api.get("/api/v1/me").await.json();
    assert_eq!(me["username"], "qingshi");
    let id = id_with_check("99010219800101005");
    let body = serde_json::json!({"name": "接口登记", "gender": "男", "ethnicity": "汉族", "id_card": id, "party": "群众", "composition": "工人",
        "occupation": "电工", "education": "大学", "constituency": "第2选区"});
    let req = axum::http::Request::post(format!("/api/v1/congresses/{qingshi}/deputies"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let r = api.send(req).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let new_id = r.json()["id"].as_i64().unwrap();
    let d = api
        .get(&format!("/api/v1/congresses/{qingshi}/deputies/{new_id}"))
        .await
        .json();
    assert_eq!(d["name"], "接口登记");
    assert!(d["id_card_masked"].as_str().unwrap().contains("****"));
    assert!(d.get("id_card").is_none());
    // A token cannot create tokens; an expired token is refused.
    let r = api
        .json("POST", "/api/v1/tokens", serde_json::json!({"name": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.clock.advance(chrono::Duration::days(31));
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn keyset_pages_cover_the_roster_once_in_pinyin_order() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let mut c = app.login("daibiao").await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!(
                "/api/v1/congresses/{district}/deputies?limit=37&after={}",
                enc(a)
            ),
            None => format!("/api/v1/congresses/{district}/deputies?limit=37"),
        };
        let page = c.get(&path).await.json();
        for item in page["items"].as_array().unwrap() {
            seen.push((
                item["id"].as_i64().unwrap(),
                item["name"].as_str().unwrap().to_string(),
            ));
        }
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 180);
    assert_eq!(
        seen.iter().map(|s| s.0).collect::<HashSet<_>>().len(),
        180,
        "no row twice"
    );
    let keys: Vec<String> = seen
        .iter()
        .map(|(_, n)| lianxin::people::domain::name_key(n))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "pinyin order");
    // A bad cursor is a clear 400, not a 500.
    assert_eq!(
        c.get(&format!(
            "/api/v1/congresses/{district}/deputies?after=garbage"
        ))
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn updates_through_the_api_are_audited_by_field_name() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let mut c = app.login("qingshi").await;
    let (id,): (i64,) =
        sqlx::query_as("SELECT id FROM deputies WHERE congress_id = $1 ORDER BY id LIMIT 1")
            .bind(qingshi)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let d = c
        .get(&format!("/api/v1/congresses/{qingshi}/deputies/{id}"))
        .await
        .json();
    let body = serde_json::json!({"name": d["name"], "gender": d["gender"], "ethnicity": d["ethnicity"], "party": d["party"],
        "composition": d["composition"], "occupation": "新职业", "education": d["education"], "constituency": d["constituency"],
        "delegation": d["delegation"], "station": d["station"]});
    let r = c
        .json(
            "PUT",
            &format!("/api/v1/congresses/{qingshi}/deputies/{id}"),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let (fields, target): (String, String) = sqlx::query_as("SELECT fields, target FROM audit_log WHERE action = 'people.deputy_update' ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(fields, "occupation");
    assert_eq!(target, format!("deputy:{id}"));
}

#[tokio::test]
async fn units_are_listed_created_and_duplicates_refused() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let mut c = app.login("bangong").await;
    let page = c
        .get(&format!("/api/v1/congresses/{district}/units?limit=200"))
        .await
        .json();
    assert_eq!(page["items"].as_array().unwrap().len(), 40);
    assert!(page["items"][0]["head"].is_string(), "each unit has a head");
    let r = c
        .json(
            "POST",
            &format!("/api/v1/congresses/{district}/units"),
            serde_json::json!({"name": "区数据局", "organ_kind": "政府"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .json(
            "POST",
            &format!("/api/v1/congresses/{district}/units"),
            serde_json::json!({"name": "区乡村振兴局", "organ_kind": "政府"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // The personnel office may read units but not create them.
    let mut p = app.login("renshi").await;
    let r = p
        .json(
            "POST",
            &format!("/api/v1/congresses/{district}/units"),
            serde_json::json!({"name": "区某局", "organ_kind": "government"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// A user's API tokens are listed and revoked; every one ends with a password change, "sign out
/// everywhere", an administrator's reset or disabling, and the security administrator's
/// revocation; the policy caps a token's life and ends one left unused.
#[tokio::test]
async fn tokens_are_listed_revoked_and_end_with_the_password_and_the_policy() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let mut c = app.login("deputy").await;
    let mint = async |c: &mut Client<'_>, days: Option<i64>| {
        let mut body = serde_json::json!({"name": "脚本"});
        if let Some(d) = days {
            body["days"] = d.into();
        }
        let r = c.json("POST", "/api/v1/tokens", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["token"].as_str().unwrap().to_string()
    };
    let alive = async |token: &str| {
        let mut api = app.client();
        api.bearer = Some(token.to_string());
        api.get("/api/v1/me").await.status == StatusCode::OK
    };
    // The policy's cap (90 days by default): more is refused with the limit named.
    let r = c
        .json(
            "POST",
            "/api/v1/tokens",
            serde_json::json!({"name": "x", "days": 91}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("90"), "{}", r.text());
    // Listed (never the token itself) and revoked one by one.
    let one = mint(&mut c, Some(30)).await;
    let two = mint(&mut c, None).await;
    let list = c.get("/api/v1/tokens").await.json()["items"].clone();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains(&one[3..]));
    let page = c.get("/account/security").await.text();
    assert!(page.contains("id=\"tokens\"") && page.contains("脚本"));
    let id = list[0]["id"].as_i64().unwrap();
    let r = c
        .json(
            "POST",
            &format!("/api/v1/tokens/{id}/revoke"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(
        alive(&one).await != alive(&two).await,
        "one revoked, the other alive"
    );
    // Another user's token cannot be revoked by its id (404, nothing told).
    let other_id = list[1]["id"].as_i64().unwrap();
    let mut someone = app.login("town_deputy").await;
    let r = someone
        .json(
            "POST",
            &format!("/api/v1/tokens/{other_id}/revoke"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // "Sign out everywhere" ends the tokens.
    let three = mint(&mut c, None).await;
    c.post_form("/account/sessions/end-all", &[]).await;
    assert!(!alive(&two).await && !alive(&three).await);
    // A password change ends them.
    let mut c = app.login("deputy").await;
    let four = mint(&mut c, None).await;
    let r = c
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "Another-Passw0rd-2026"),
                ("confirm", "Another-Passw0rd-2026"),
            ],
        )
        .await;
    assert!(
        r.status.is_redirection() || r.status == StatusCode::OK,
        "{}",
        r.text()
    );
    assert!(!alive(&four).await, "a password change ends the tokens");
    // The security administrator revokes a user's tokens.
    let mut d = app.login("daibiao").await;
    let five = mint(&mut d, None).await;
    let uid = app
        .count("SELECT id FROM users WHERE username = 'daibiao'")
        .await;
    let mut sec = app.login("secadmin").await;
    let r = sec
        .post_form(&format!("/admin/users/{uid}/tokens/revoke"), &[])
        .await;
    assert_eq!(r.location(), format!("/admin/users/{uid}"));
    assert!(!alive(&five).await);
    // Unused for the policy's 30 days, a token stops working; used, it lives on.
    let mut d = app.login("daibiao").await;
    let idle = mint(&mut d, None).await;
    let used = mint(&mut d, None).await;
    app.clock.advance(chrono::Duration::days(20));
    assert!(alive(&used).await);
    app.clock.advance(chrono::Duration::days(20));
    assert!(alive(&used).await, "used 20 days ago");
    assert!(!alive(&idle).await, "unused for 40 days");
}

/// Every list the API returns is `{"items": [...], "next": …}` (issue 18's convention), so a new
/// module cannot answer a bare array: the OpenAPI document is read, every 200 answer with JSON.
#[test]
fn no_operation_answers_a_bare_array() {
    let doc = serde_json::to_value(lianxin::app::openapi::document()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let resolve = |s: &serde_json::Value| -> serde_json::Value {
        match s["$ref"].as_str() {
            Some(r) => schemas[r.trim_start_matches("#/components/schemas/")].clone(),
            None => s.clone(),
        }
    };
    let mut bare = Vec::new();
    let mut lists = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let schema = &op["responses"]["200"]["content"]["application/json"]["schema"];
            if schema.is_null() {
                continue;
            }
            let s = resolve(schema);
            if s["type"] == "array" {
                bare.push(format!("{method} {path}"));
            }
            // A list is an object of `items` (and `next`); a detail may have items of its own.
            let props = s["properties"].as_object().map_or(0, |p| p.len());
            if s["properties"]["items"]["type"] == "array" && props <= 2 {
                lists += 1;
                assert!(
                    s["properties"].get("next").is_some(),
                    "{method} {path}: items without next"
                );
            }
        }
    }
    assert_eq!(bare, Vec::<String>::new());
    assert!(lists >= 15, "the lists were found: {lists}");
}

/// The framework's own refusals (a malformed multipart body, a body over the limit) answer like
/// every other error on the API: a problem document in Chinese and English, not English text.
#[tokio::test]
async fn uploads_refused_before_any_handler_get_a_problem_document() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let sid = app
        .count(&format!(
            "SELECT MIN(id) FROM suggestions WHERE congress_id = {cid}"
        ))
        .await;
    let mut c = app.login("daibiao").await;
    let path = format!(
        "/api/v1/congresses/{cid}/suggestions/{sid}/attachments?_csrf={}",
        c.csrf()
    );
    let before = app.count("SELECT COUNT(*) FROM attachments").await;
    for (body, status, title) in [
        (
            b"not a multipart body".to_vec(),
            StatusCode::BAD_REQUEST,
            "提交的表单内容有误",
        ),
        (
            vec![b'x'; 11 * 1024 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
            "提交的内容太大",
        ),
    ] {
        let r = c
            .post_raw(&path, "multipart/form-data; boundary=XYZ", body)
            .await;
        assert_eq!(r.status, status, "{}", r.text());
        assert_eq!(
            r.headers[axum::http::header::CONTENT_TYPE],
            "application/problem+json"
        );
        let p = r.json();
        assert_eq!(p["title_zh"], title);
        assert!(!p["title_en"].as_str().unwrap().is_empty());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM attachments").await, before);
}

//! Issue 6, first part: a citizen sends an opinion without an account (from a deputy's QR link),
//! gets a tracking code, follows it, and reads the answer staff give; bad input and scripted
//! posts change nothing.

use crate::support::*;
use axum::http::StatusCode;

mod api;
mod grouping;
mod routing;

/// A citizen sends an opinion through the public form (waiting as a person would), optionally
/// addressed to a deputy and with a contact; returns its id and tracking code.
pub(super) async fn send_opinion(
    app: &TestApp,
    cid: i64,
    body: &str,
    deputy: Option<i64>,
    contact: &str,
) -> (i64, String) {
    let mut citizen = app.client();
    let page = citizen.get(&format!("/opinions/{cid}/new")).await.text();
    let token = issued(&page);
    app.clock.advance(chrono::Duration::seconds(10));
    let deputy = deputy.map(|d| d.to_string()).unwrap_or_default();
    let r = citizen
        .post_form(
            &format!("/opinions/{cid}/new"),
            &[
                ("kind", "need"),
                ("category", "roads_transport"),
                ("place", "青石镇幸福路"),
                ("body", body),
                ("contact", contact),
                ("consent", if contact.is_empty() { "" } else { "on" }),
                ("deputy", &deputy),
                ("station", ""),
                ("website", ""),
                ("issued", &token),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (id, code): (i64, String) =
        sqlx::query_as("SELECT id, tracking_code FROM opinions ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    (id, code)
}

/// The citizen's tracking page for the code.
pub(super) async fn track(app: &TestApp, code: &str) -> String {
    let r = app.client().get(&format!("/track?code={code}")).await;
    assert_eq!(r.status, StatusCode::OK);
    r.text()
}

async fn rate_opinion(c: &mut Client<'_>, code: &str, rating: &str, reason: &str) -> Resp {
    c.post_form(
        "/track/rate",
        &[("code", code), ("rating", rating), ("reason", reason)],
    )
    .await
}

fn issued(page: &str) -> String {
    let at = page.find("name=\"issued\" value=\"").unwrap() + "name=\"issued\" value=\"".len();
    page[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn a_citizen_sends_an_opinion_follows_it_by_code_and_reads_the_answer() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let deputy = app
        .count(&format!(
            "SELECT MIN(id) FROM deputies WHERE congress_id = {cid} AND status = 'in_office'"
        ))
        .await;
    let mut citizen = app.client();
    let form = citizen
        .get(&format!("/opinions/{cid}/new?deputy={deputy}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let page = form.text();
    assert!(page.contains("id=\"addressed\"") && page.contains("id=\"privacy-notice\""));
    let token = issued(&page);
    let path = format!("/opinions/{cid}/new");
    let deputy_s = deputy.to_string();
    let good = |body: &'static str, contact: &'static str, consent: &'static str| {
        vec![
            ("kind", "need"),
            ("category", "roads_transport"),
            ("place", "青石镇中心路"),
            ("body", body),
            ("contact", contact),
            ("consent", consent),
            ("deputy", ""),
            ("station", ""),
            ("website", ""),
        ]
    };
    let before = app.count("SELECT COUNT(*) FROM opinions").await;

    // Posted at once (a script's speed), without the served form, or with the hidden field filled.
    let mut f = good("路灯坏了", "", "");
    f.push(("issued", &token));
    let r = citizen.post_form(&path, &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("表单已过期或提交过快"));
    app.clock.advance(chrono::Duration::seconds(20));
    let mut f = good("路灯坏了", "", "");
    f.push(("issued", "1.forged"));
    assert_eq!(
        citizen.post_form(&path, &f).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut f = good("路灯坏了", "", "");
    f.retain(|(k, _)| *k != "website");
    f.push(("website", "http://spam.example"));
    f.push(("issued", &token));
    assert_eq!(
        citizen.post_form(&path, &f).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A person's mistakes: empty, too long, a contact without consent.
    let long = "长".repeat(5001);
    for (body, contact, consent, says) in [
        ("", "", "", "此项必须填写"),
        (long.as_str(), "", "", "最多5000字"),
        ("路灯坏了", "13912344321", "", "请先阅读并同意个人信息说明"),
    ] {
        let mut f: Vec<(&str, &str)> = good("", "", "");
        for (k, v) in f.iter_mut() {
            match *k {
                "body" => *v = body,
                "contact" => *v = contact,
                "consent" => *v = consent,
                _ => {}
            }
        }
        f.push(("issued", &token));
        let r = citizen.post_form(&path, &f).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert!(r.text().contains(says), "{says}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opinions").await,
        before,
        "nothing stored"
    );

    // Sent: a tracking code, addressed to the deputy, the contact sealed.
    let mut f = good(
        "中心路的路灯坏了两个月，晚上<script>alert(1)</script>出行不安全。",
        "13912344321",
        "true",
    );
    f.retain(|(k, _)| *k != "deputy");
    f.push(("deputy", &deputy_s));
    f.push(("issued", &token));
    let r = citizen.post_form(&path, &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let receipt = citizen.get(&r.location()).await.text();
    assert!(receipt.contains("id=\"receipt\"") && receipt.contains("id=\"tracking-code\""));
    assert!(!receipt.contains("<script>alert(1)</script>"), "escaped");
    let (id, code, channel, sealed): (i64, String, String, Option<String>) = sqlx::query_as(
        "SELECT id, tracking_code, channel, contact_sealed FROM opinions ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(channel, "deputy_qr");
    assert!(sealed.unwrap().starts_with("sm4gcm:v"));
    // The code as people type it: lower case, with the dash.
    let typed = format!("{}-{}", &code[..5], &code[5..]).to_lowercase();
    let page = citizen.get(&format!("/track?code={typed}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("已收到，正在办理"));
    let r = citizen.get("/track?code=ZZZZZ-ZZZZZ").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("没有找到这个查询码"));

    // Staff answer; the citizen reads it; a second answer is refused.
    let mut staff = app.login("lianluozhan").await;
    assert!(
        staff
            .get(&format!("/c/{cid}/opinions"))
            .await
            .text()
            .contains(&format!("/c/{cid}/opinions/{id}\""))
    );
    let detail = staff.get(&format!("/c/{cid}/opinions/{id}")).await.text();
    assert!(
        detail.contains("139******21") && !detail.contains("13912344321"),
        "masked"
    );
    let r = staff
        .post_form(&format!("/c/{cid}/opinions/{id}/answer"), &[("answer", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = staff
        .post_form(
            &format!("/c/{cid}/opinions/{id}/answer"),
            &[("answer", "已转镇政府，路灯本周内修复。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = citizen.get(&format!("/track?code={code}")).await.text();
    assert!(page.contains("已转镇政府，路灯本周内修复。") && page.contains("已答复"));
    let r = staff
        .post_form(
            &format!("/c/{cid}/opinions/{id}/answer"),
            &[("answer", "again")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The citizen rates: 不满意 needs a reason and reopens it once; the second answer is rated
    // again, and a second 不满意 does not reopen it.
    let r = rate_opinion(&mut citizen, &code, "unsatisfied", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请说明理由"));
    let r = rate_opinion(&mut citizen, &code, "unsatisfied", "一周过去了路灯还没修").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = citizen.get(&format!("/track?code={code}")).await.text();
    assert!(page.contains("正在重新办理") && page.contains("一周过去了路灯还没修"));
    let r = staff
        .post_form(
            &format!("/c/{cid}/opinions/{id}/answer"),
            &[("answer", "镇政府已更换灯具，今晚起恢复照明。")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "answered again after reopening"
    );
    let r = rate_opinion(&mut citizen, &code, "unsatisfied", "希望加装一盏").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM opinions WHERE id = {id} AND state = 'answered' AND reopened = 1 AND rating = 'unsatisfied'"))
            .await,
        1,
        "reopened once only"
    );
    let r = rate_opinion(&mut citizen, &code, "satisfied", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "rated already");

    // The deputy's printable QR code leads to the form addressed to them, on this site.
    let req = axum::http::Request::builder()
        .uri(format!("/c/{cid}/opinions/qr/deputies/{deputy}"))
        .header(axum::http::header::HOST, "renda.example.cn")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = staff.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml")
    );
    assert!(r.text().contains("<svg"));
    // A unit sees only what is routed to it: this one is not.
    let mut unit = app.login("chengban").await;
    assert_eq!(
        unit.get(&format!("/c/{cid}/opinions/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE target = 'opinion:{id}'"
        ))
        .await,
        5,
        "the submission, both answers and both ratings are audited"
    );
}

#[tokio::test]
async fn staff_enter_a_phoned_in_opinion_and_the_citizen_follows_it_by_the_code_they_were_given() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut staff = app.login("lianluozhan").await;
    let form = [
        ("channel", "phone"),
        ("kind", "question"),
        ("category", "elderly_care"),
        ("place", "白沙镇"),
        ("body", "老年食堂什么时候在周末开放？"),
        ("contact", ""),
    ];
    let mut bad = form.to_vec();
    bad[0] = ("channel", "web");
    let r = staff
        .post_form(&format!("/c/{cid}/opinions/new"), &bad)
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "staff enter visits, calls and letters"
    );
    let r = staff
        .post_form(&format!("/c/{cid}/opinions/new"), &form)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = staff.get(&r.location()).await.text();
    assert!(
        page.contains("id=\"tracking-code\""),
        "the code to give the citizen"
    );
    let (code, channel): (String, String) =
        sqlx::query_as("SELECT tracking_code, channel FROM opinions ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(channel, "phone");
    let r = app.client().get(&format!("/track?code={code}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("老年食堂什么时候在周末开放"));
    let mut deputy = app.login("deputy").await;
    assert_eq!(
        deputy
            .post_form(&format!("/c/{cid}/opinions/new"), &form)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_citizen_adds_photos_by_the_code_and_those_who_see_the_opinion_download_them() {
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let (id, code) = send_opinion(
        &app,
        cid,
        "城北公园的围栏倒了，孩子容易掉进河里。",
        None,
        "",
    )
    .await;
    let mut citizen = app.client();
    citizen.get(&format!("/track?code={code}")).await;
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let (ct, body) = crate::suggestions::multipart("citizen", name, &bytes);
        (ct, body)
    };
    let path = format!("/track/attachments?code={code}&_csrf={}", citizen.csrf());
    // Wrong content for the name, a page of HTML, nothing at all: refused, nothing stored.
    for (name, bytes, says) in [
        (
            "围栏.jpg",
            b"%PDF-1.4\n%%EOF\n".to_vec(),
            "文件内容与扩展名不符",
        ),
        (
            "围栏.html",
            b"<script>alert(1)</script>".to_vec(),
            "只能上传PDF",
        ),
        ("", Vec::new(), "请选择要上传的文件"),
        (
            "扫描件.pdf",
            [b"%PDF-1.4\n".as_slice(), &vec![b' '; 9 * 1024 * 1024]].concat(),
            "文件超过8 MB",
        ),
    ] {
        let (ct, body) = upload(name, bytes);
        let r = citizen.post_raw(&path, &ct, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(r.text().contains(says), "{says}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attachments WHERE owner_kind = 'opinion'")
            .await,
        0
    );
    // Too large for the body limit: refused before it is read.
    let (ct, body) = upload("大.pdf", vec![b'%'; 11 * 1024 * 1024]);
    let r = citizen.post_raw(&path, &ct, body).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let png = [
        &[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        &[0u8; 64][..],
    ]
    .concat();
    let (ct, body) = upload("围栏现状.png", png.clone());
    let r = citizen.post_raw(&path, &ct, body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = citizen.get(&r.location()).await.text();
    assert!(page.contains("id=\"attached\"") && page.contains("围栏现状.png"));
    // Station staff download it, byte for byte; a unit it was not routed to cannot.
    let aid = app
        .count("SELECT MAX(id) FROM attachments WHERE owner_kind = 'opinion'")
        .await;
    let mut staff = app.login("lianluozhan").await;
    let detail = staff.get(&format!("/c/{cid}/opinions/{id}")).await.text();
    assert!(detail.contains("围栏现状.png"));
    let r = staff
        .get(&format!("/c/{cid}/opinions/{id}/attachments/{aid}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, png);
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let mut unit = app.login("chengban").await;
    assert_eq!(
        unit.get(&format!("/c/{cid}/opinions/{id}/attachments/{aid}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Once answered, no more files.
    staff
        .post_form(
            &format!("/c/{cid}/opinions/{id}/answer"),
            &[("answer", "已通知公园管理处当天修复围栏。")],
        )
        .await;
    let (ct, body) = upload("又一张.png", png);
    let r = citizen.post_raw(&path, &ct, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attachments WHERE owner_kind = 'opinion'")
            .await,
        1
    );
}

//! Issue 6's browser walk: a citizen on a 360 px phone sends an opinion to a deputy without an
//! account, keeps the tracking code, and follows it — routed to a unit and returned, turned
//! into the deputy's suggestion, registered and assigned, answered by the unit head — then rates
//! the final reply, all on the phone.

use super::{
    Session, click, shot, sign_in, sign_out, type_into, wait_contains, wait_path, wait_text,
};
use fantoccini::Locator;
use std::time::Duration;

/// The page is no wider than the phone: nothing to scroll sideways.
async fn fits(c: &fantoccini::Client) {
    let w = c
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap();
    assert!(
        w.as_i64().unwrap() <= 360,
        "the page is {w} px wide on a 360 px phone"
    );
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver; run by .ci/run"]
async fn a_citizen_on_a_phone_follows_an_opinion_through_routing_and_a_suggestion_and_rates_the_reply()
 {
    let session = Session::start().await;
    let c = session.c.clone();
    let base = session.base.clone();
    let db = lianxin::db::Db::connect(
        &format!("sqlite://{}/lianxin.sqlite", session._data.path().display()),
        None,
    )
    .await
    .unwrap();
    let (deputy,): (i64,) = sqlx::query_as(
        "SELECT d.id FROM deputies d JOIN users u ON u.person_id = d.person_id WHERE u.username = 'deputy' AND d.congress_id = 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    db.pool.close().await;

    // The citizen scans the deputy's QR code with a 360 px phone.
    c.set_window_size(360, 740).await.unwrap();
    c.goto(&format!("{base}/opinions/1/new?deputy={deputy}"))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#addressed"))
        .await
        .unwrap();
    fits(&c).await;
    click(&c, "#kind-need").await;
    click(&c, "#f-category option[value='elderly_care']").await;
    type_into(&c, "#f-place", "桃源镇南街村").await;
    type_into(
        &c,
        "#f-body",
        "南街村没有老年食堂，独居老人做饭难，希望村里办一个助餐点。",
    )
    .await;
    type_into(&c, "#f-contact", "13800138000").await;
    click(&c, "#f-consent").await;
    // A person takes longer than three seconds to write; the form knows when it was served.
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    shot(&c, "opinion-phone-form").await;
    click(&c, "#opinion-submit").await;
    let code = c
        .wait()
        .for_element(Locator::Css("#tracking-code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(code.len(), 11, "{code}");
    fits(&c).await;
    shot(&c, "opinion-phone-receipt").await;
    let track = format!("{base}/track?code={code}");

    // The station routes it to a unit, which returns it as not its matter.
    c.set_window_size(1200, 1000).await.unwrap();
    sign_in(&c, &base, "lianluozhan").await;
    c.goto(&format!("{base}/c/1/opinions?q={}", "助餐点"))
        .await
        .unwrap();
    c.find(Locator::XPath(
        "//table[@id='opinion-list']//a[contains(text(), '南街村没有老年食堂')]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait()
        .for_element(Locator::Css("#answer-form"))
        .await
        .unwrap();
    let item = c.current_url().await.unwrap().path().to_string();
    click(&c, "#route-open").await;
    c.find(Locator::XPath(
        "//select[@id='f-unit']/option[text()='区人民政府办公室']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    click(&c, "#route-submit").await;
    wait_contains(&c, "#holder", "区人民政府办公室").await;
    sign_out(&c).await;
    c.set_window_size(360, 740).await.unwrap();
    c.goto(&track).await.unwrap();
    wait_contains(&c, "#holder", "区人民政府办公室").await;
    wait_contains(&c, "#history", "转交区人民政府办公室办理").await;
    fits(&c).await;

    c.set_window_size(1200, 1000).await.unwrap();
    sign_in(&c, &base, "chengban").await;
    c.goto(&format!("{base}{item}")).await.unwrap();
    click(&c, "#return-open").await;
    type_into(
        &c,
        "#f-reason",
        "助餐点由民政部门和镇政府负责，不属本办职责",
    )
    .await;
    click(&c, "#return-submit").await;
    wait_path(&c, "/c/1/opinions").await;
    sign_out(&c).await;

    // The deputy turns it into a suggestion and submits it; the office registers and assigns it.
    sign_in(&c, &base, "deputy").await;
    c.goto(&format!("{base}{item}")).await.unwrap();
    click(&c, "#convert-submit").await;
    c.wait().for_element(Locator::Css("#submit")).await.unwrap();
    let suggestion = c.current_url().await.unwrap().path().to_string();
    click(&c, "#submit").await;
    wait_text(&c, "#state", "待审查").await;
    sign_out(&c).await;
    c.set_window_size(360, 740).await.unwrap();
    c.goto(&track).await.unwrap();
    wait_contains(&c, "#suggestion", "待审查").await;
    wait_contains(&c, "#history", "转为代表建议").await;

    c.set_window_size(1200, 1000).await.unwrap();
    sign_in(&c, &base, "daibiao").await;
    c.goto(&format!("{base}{suggestion}")).await.unwrap();
    click(&c, "#review-submit").await;
    c.wait()
        .for_element(Locator::Css("#assign-form"))
        .await
        .unwrap();
    c.find(Locator::XPath(
        "//select[@id='f-lead_unit']/option[text()='区人民政府办公室']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    click(&c, "#assign-submit").await;
    c.wait().for_element(Locator::Css("#due-on")).await.unwrap();
    sign_out(&c).await;

    // The unit head replies; the reply is the citizen's answer.
    sign_in(&c, &base, "fuzeren").await;
    c.goto(&format!("{base}{suggestion}")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#reply-form"))
        .await
        .unwrap();
    click(&c, "#f-class option[value='B']").await;
    type_into(
        &c,
        "#f-body",
        "已会同民政局将南街村助餐点列入今年养老服务项目，9月底前开餐。",
    )
    .await;
    click(&c, "#reply-submit").await;
    wait_text(&c, "#state", "已答复待评价").await;
    sign_out(&c).await;

    // On the phone: the final reply, and the citizen's rating.
    c.set_window_size(360, 740).await.unwrap();
    c.goto(&track).await.unwrap();
    wait_contains(&c, "#answer", "9月底前开餐").await;
    fits(&c).await;
    click(&c, "#rate-satisfied").await;
    click(&c, "#rate-submit").await;
    c.wait().for_element(Locator::Css("#rated")).await.unwrap();
    wait_contains(&c, "#rating", "满意").await;
    shot(&c, "opinion-phone-rated").await;
    let history = c
        .find(Locator::Css("#history"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for step in [
        "收到意见",
        "转办承办单位",
        "承办单位退回",
        "转为代表建议",
        "代表建议已答复",
        "群众评价答复",
    ] {
        assert!(history.contains(step), "{step}: {history}");
    }
    c.close().await.unwrap();
}

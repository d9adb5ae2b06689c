//! Issue 7's browser walk: the general office opens today's standing-committee meeting and sets
//! up a vote on a decision and on an appointment; members check in from their phones with the
//! code on the room's screen — one in the browser, fourteen over HTTP at the same time; the
//! quorum is reached; the member votes on the phone and watches the board count the others'
//! ballots and show the verdict without a reload; the office closes the appointment vote in the
//! browser and the sealed results, the member's tracker and the minutes (Word) are there.

use super::http::Http;
use super::{Session, click, shot, sign_in, sign_out, wait_contains, wait_path, wait_text};
use crate::support::join_all;
use fantoccini::Locator;
use serde_json::json;

/// The code on the check-in screen now (the office's screen in the room).
async fn screen_code(office: &mut Http, mid: i64) -> String {
    let page = office
        .get(&format!("/c/1/meetings/{mid}/screen"))
        .await
        .text();
    let at = page
        .find("id=\"check-in-code\">")
        .expect("the code on the screen")
        + "id=\"check-in-code\">".len();
    page[at..at + 6].to_string()
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver; run by .ci/run"]
async fn a_standing_committee_meeting_is_run_in_the_browser_while_members_vote_from_their_phones() {
    let session = Session::start().await;
    let c = session.c.clone();
    let base = session.base.clone();

    // The office opens today's meeting in the browser and sets up its two votes.
    sign_in(&c, &base, "bangong").await;
    c.goto(&format!("{base}/c/1/meetings")).await.unwrap();
    c.find(Locator::XPath("//a[contains(text(), '第三十一次')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&c, "#open-meeting").await;
    wait_contains(&c, "#meeting-state", "进行中").await;
    let path = c.current_url().await.unwrap().path().to_string();
    let mid: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let mut office = Http::login(&base, "bangong").await;
    let view = office
        .get(&format!("/api/v1/congresses/1/meetings/{mid}"))
        .await
        .json();
    let item = |kind: &str| {
        view["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == kind)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (decision_item, appointment_item) = (item("decision"), item("appointment"));
    for it in [decision_item, appointment_item] {
        c.find(Locator::XPath(&format!(
            "//section[@id='item-{it}']//details/summary"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        click(&c, &format!("#new-vote-{it} button[type=submit]")).await;
        wait_path(&c, &path).await;
        c.wait()
            .for_element(Locator::Css(&format!("#item-{it} .vote")))
            .await
            .unwrap();
    }
    let view = office
        .get(&format!("/api/v1/congresses/1/meetings/{mid}"))
        .await
        .json();
    let vote_on = |it: i64| {
        view["votes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["item_id"] == it)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (decision, appointment) = (vote_on(decision_item), vote_on(appointment_item));
    c.goto(&format!("{base}/c/1/meetings/{mid}/screen"))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#check-in-qr svg"))
        .await
        .unwrap();
    shot(&c, "meeting-check-in-screen").await;
    c.goto(&format!("{base}/home")).await.unwrap();
    sign_out(&c).await;

    // Fourteen members check in from their phones with the code on the screen.
    let mut phones = Vec::new();
    for n in 2..=15 {
        phones.push(Http::login(&base, &format!("changwei{n:02}")).await);
    }
    for p in phones.iter_mut() {
        let code = screen_code(&mut office, mid).await;
        let r = p
            .json(
                "POST",
                &format!("/api/v1/congresses/1/meetings/{mid}/actions"),
                json!({"action": "check_in_code", "code": code}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    // One more scans the QR code with the phone in the browser: the code is filled in.
    c.set_window_size(360, 740).await.unwrap();
    sign_in(&c, &base, "changwei").await;
    let code = screen_code(&mut office, mid).await;
    c.goto(&format!("{base}/c/1/meetings/{mid}?code={code}"))
        .await
        .unwrap();
    click(&c, "#check-in").await;
    wait_contains(&c, "#my-attendance", "已签到").await;
    wait_contains(&c, "#quorum", "已达到法定人数").await;

    // The office opens the decision vote; the member votes on the phone and gets a tracker.
    let r = office
        .json(
            "POST",
            &format!("/api/v1/congresses/1/votes/{decision}/actions"),
            json!({"action": "open"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    c.goto(&format!("{base}/c/1/meetings/{mid}")).await.unwrap();
    click(&c, &format!("#ballot-{decision} button[value='yes']")).await;
    let tracker = c
        .wait()
        .for_element(Locator::Css("#my-tracker"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(tracker.len(), 11, "{tracker}");
    shot(&c, "meeting-phone-voted").await;

    // The board counts the others' ballots as they come, and shows the verdict: no reload.
    c.set_window_size(1200, 800).await.unwrap();
    c.goto(&format!("{base}/board/1/{mid}")).await.unwrap();
    wait_contains(&c, "#b-progress", "1 / 15").await;
    c.execute("window.__same_page = 1; return 1;", vec![])
        .await
        .unwrap();
    let choices = [
        "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "no",
        "abstain",
    ];
    let ballots: Vec<_> = phones
        .iter_mut()
        .zip(choices)
        .map(|(p, choice)| async move {
            p.json(
                "POST",
                &format!("/api/v1/congresses/1/votes/{decision}/ballot"),
                json!({"ballot": choice}),
            )
            .await
        })
        .collect();
    for r in join_all(ballots).await {
        assert_eq!(r.status, 201, "{}", r.text());
    }
    wait_contains(&c, "#b-progress", "15 / 15").await;
    let r = office
        .json(
            "POST",
            &format!("/api/v1/congresses/1/votes/{decision}/actions"),
            json!({"action": "close"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // 13 yes of 25 members in office: exactly more than half.
    assert_eq!(r.json()["result"]["passed"], true);
    wait_text(&c, "#b-verdict", "通过").await;
    wait_contains(&c, "#b-counts", "赞成 13").await;
    wait_contains(&c, "#b-threshold", "13").await;
    let same = c
        .execute("return window.__same_page || 0;", vec![])
        .await
        .unwrap();
    assert_eq!(same, json!(1), "the board updated without reloading");
    shot(&c, "meeting-board").await;

    // The appointment: the others vote over HTTP while the member votes no on the phone.
    let r = office
        .json(
            "POST",
            &format!("/api/v1/congresses/1/votes/{appointment}/actions"),
            json!({"action": "open"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    c.set_window_size(360, 740).await.unwrap();
    c.goto(&format!("{base}/c/1/meetings/{mid}")).await.unwrap();
    let ballots: Vec<_> = phones
        .iter_mut()
        .enumerate()
        .map(|(k, p)| async move {
            let choice = if k < 10 { "yes" } else { "no" };
            p.json(
                "POST",
                &format!("/api/v1/congresses/1/votes/{appointment}/ballot"),
                json!({"ballot": choice}),
            )
            .await
        })
        .collect();
    let mine = format!("#ballot-{appointment} button[value='no']");
    let (results, _) = tokio::join!(join_all(ballots), click(&c, &mine));
    for r in results {
        assert_eq!(r.status, 201, "{}", r.text());
    }
    c.wait()
        .for_element(Locator::Css(&format!("#voted-{appointment}")))
        .await
        .unwrap();
    sign_out(&c).await;

    // The office closes it in the browser: 10 yes of 25 is not more than half.
    c.set_window_size(1200, 1000).await.unwrap();
    sign_in(&c, &base, "bangong").await;
    c.goto(&format!("{base}/c/1/meetings/{mid}")).await.unwrap();
    click(&c, &format!("#close-vote-{appointment}")).await;
    c.wait()
        .for_element(Locator::Css(&format!(
            "#vote-{appointment}[data-state='closed']"
        )))
        .await
        .unwrap();
    c.goto(&format!("{base}/c/1/votes/{appointment}"))
        .await
        .unwrap();
    wait_text(&c, "#verdict", "未通过").await;
    let digest = c
        .find(Locator::Css("#digest"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(digest.len(), 64);
    // The member's tracker of the decision is in its published list.
    c.goto(&format!("{base}/c/1/votes/{decision}"))
        .await
        .unwrap();
    wait_contains(&c, "#trackers", &tracker).await;
    shot(&c, "meeting-result").await;

    // The minutes, as Word, with the attendance and both results.
    let r = office
        .get(&format!("/c/1/meetings/{mid}/minutes.docx"))
        .await;
    assert_eq!(r.status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    for part in [
        "第三十一次会议纪要",
        "实到15人",
        "赞成13票",
        "赞成10票",
        "未通过",
        "SM3",
    ] {
        assert!(xml.contains(part), "the minutes lack {part}");
    }
}

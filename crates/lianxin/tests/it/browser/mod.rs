//! Browser tests in headless Chromium (Debian's chromium and chromium-driver) against the real
//! `lianxin demo` binary. Ignored by default; `.ci/run` runs them with `--ignored`.

use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for(url: &str) {
    for _ in 0..300 {
        if let Ok(mut s) = tokio::net::TcpStream::connect(url).await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let _ = s.write_all(b"GET /readyz HTTP/1.0\r\n\r\n").await;
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf).await;
            if buf.contains("200 OK") {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not come up");
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver; run by .ci/run"]
async fn a_staff_member_signs_in_switches_language_opens_the_roster_and_fixes_a_form() {
    let session = Session::start().await;
    let c = session.c.clone();
    let base = session.base.clone();
    let css = |s: &'static str| Locator::Css(s);

    // Sign in as the deputies' affairs office.
    c.goto(&format!("{base}/login")).await.unwrap();
    assert!(
        c.source().await.unwrap().contains("演示账户"),
        "Chinese by default, demo accounts listed"
    );
    c.find(css("#f-username"))
        .await
        .unwrap()
        .send_keys("daibiao")
        .await
        .unwrap();
    c.find(css("#f-password"))
        .await
        .unwrap()
        .send_keys(lianxin::app::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    c.find(css("#login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(&c, "/home").await;
    assert!(
        c.find(css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("我的待办")
    );
    shot(&c, "home-zh").await;

    // Switch to English and back.
    c.find(css("#lang-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(css("html[lang='en']")).await.unwrap();
    assert_eq!(
        c.find(css("h1")).await.unwrap().text().await.unwrap(),
        "My tasks"
    );
    c.find(css("#lang-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(css("html[lang='zh-CN']"))
        .await
        .unwrap();
    assert_eq!(
        c.find(css("h1")).await.unwrap().text().await.unwrap(),
        "我的待办"
    );

    // Open the roster and page through it.
    c.find(Locator::LinkText("代表名册"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(css("#deputy-list")).await.unwrap();
    assert_eq!(
        c.find_all(css("#deputy-list tbody tr"))
            .await
            .unwrap()
            .len(),
        50,
        "first page"
    );
    c.find(css("#next-page"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_query(&c, "after=").await;
    c.wait().for_element(css("#deputy-list")).await.unwrap();
    assert!(
        !c.find_all(css("#deputy-list tbody tr"))
            .await
            .unwrap()
            .is_empty()
    );
    shot(&c, "roster").await;

    // Submit the new-deputy form with errors, then correctly.
    c.goto(&format!("{base}/c/1/deputies/new")).await.unwrap();
    c.wait().for_element(css("#deputy-form")).await.unwrap();
    c.find(css("#f-id_card"))
        .await
        .unwrap()
        .send_keys("12345")
        .await
        .unwrap();
    c.find(css("#deputy-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let summary = c.wait().for_element(css("#error-summary")).await.unwrap();
    assert!(summary.text().await.unwrap().contains("出现问题"));
    assert!(
        summary.text().await.unwrap().contains("姓名：此项必须填写"),
        "each line names its field"
    );
    assert!(c.title().await.unwrap().starts_with("错误："));
    let focused = c.active_element().await.unwrap().attr("id").await.unwrap();
    assert_eq!(
        focused.as_deref(),
        Some("error-summary"),
        "focus moves to the error summary"
    );
    shot(&c, "form-errors").await;
    for (field, value) in [
        ("f-name", "浏览器测试"),
        ("f-ethnicity", "汉族"),
        ("f-party", "群众"),
        ("f-composition", "工人"),
        ("f-occupation", "电工"),
        ("f-education", "大学"),
        ("f-id_card", "11010519491231002X"),
        ("f-phone", "139 1234 5678"),
    ] {
        let input = c.find(Locator::Id(field)).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    c.find(css("#f-gender option[value='male']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(css("#f-constituency option:nth-child(2)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(css("#deputy-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let saved = c.wait().for_element(css("#saved")).await.unwrap();
    assert!(saved.text().await.unwrap().contains("已保存"));
    assert!(
        c.find(css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("浏览器测试")
    );
    assert!(
        c.source().await.unwrap().contains("110105********002X"),
        "the ID number is masked"
    );
    assert!(
        c.source().await.unwrap().contains("139****5678"),
        "so is the phone"
    );
    // The deputies' affairs office may show it in full; the page says the viewing is recorded.
    c.find(css("#reveal")).await.unwrap().click().await.unwrap();
    let full = c.wait().for_element(css("#full-phone")).await.unwrap();
    assert_eq!(full.text().await.unwrap(), "13912345678");
    assert!(c.source().await.unwrap().contains("已记入审计记录"));
    shot(&c, "revealed").await;

    // Set up the second factor from the enrolment page (QR code, or the key typed by hand).
    c.goto(&format!("{base}/account/second-factor"))
        .await
        .unwrap();
    c.wait().for_element(css(".qr svg")).await.unwrap();
    let key: String = c
        .find(css("#manual-key"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .split_whitespace()
        .collect();
    let secret = base32_decode(&key);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    use lianxin::accounts::second_factor::{Algorithm, DIGITS, hotp, step_at};
    let code = hotp(Algorithm::Totp, &secret, step_at(now_ms) as u64, DIGITS);
    c.find(css("#f-code"))
        .await
        .unwrap()
        .send_keys(&code)
        .await
        .unwrap();
    shot(&c, "second-factor-enrol").await;
    c.find(css("#enrol-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let codes = c.wait().for_element(css("#recovery-codes")).await.unwrap();
    assert_eq!(codes.find_all(css("li")).await.unwrap().len(), 10);

    // The calendar's calculator and the settings page, for people to look at.
    c.goto(&format!(
        "{base}/calendar?start=2025-11-15&amount=3&unit=months"
    ))
    .await
    .unwrap();
    let computed = c.wait().for_element(css("#computed")).await.unwrap();
    assert!(
        computed.text().await.unwrap().contains("2026年2月24日"),
        "the Spring Festival roll-forward"
    );
    shot(&c, "calendar").await;
    c.goto(&format!("{base}/c/1/settings")).await.unwrap();
    c.wait().for_element(css("#settings")).await.unwrap();
    shot(&c, "settings").await;

    // A phone-sized window still works.
    c.set_window_size(360, 780).await.unwrap();
    c.goto(&format!("{base}/")).await.unwrap();
    c.wait().for_element(css("#towns")).await.unwrap();
    shot(&c, "public-phone").await;
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver; run by .ci/run"]
async fn a_suggestion_goes_from_a_deputy_through_the_office_and_a_unit_back_to_the_deputy() {
    let session = Session::start().await;
    let c = session.c.clone();
    let base = session.base.clone();
    let css = |s: &'static str| Locator::Css(s);

    // The deputy drafts and submits.
    sign_in(&c, &base, "deputy").await;
    c.goto(&format!("{base}/c/1/suggestions/new"))
        .await
        .unwrap();
    c.wait().for_element(css("#suggestion-form")).await.unwrap();
    c.find(css("#f-title"))
        .await
        .unwrap()
        .send_keys("关于桃源镇公厕改造的建议")
        .await
        .unwrap();
    c.find(css("#f-content"))
        .await
        .unwrap()
        .send_keys("镇区公厕年久失修，建议改造并安排专人保洁。")
        .await
        .unwrap();
    c.find(css("#f-category option[value='urban_construction']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(css("#suggestion-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(css("#submit")).await.unwrap();
    let item = c.current_url().await.unwrap().path().to_string();
    // A photo description as a PDF, attached through the browser's file input.
    let uploads = tempfile::tempdir().unwrap();
    let pdf = uploads.path().join("公厕现状说明.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n%%EOF\n").unwrap();
    c.find(css("#f-file"))
        .await
        .unwrap()
        .send_keys(pdf.to_str().unwrap())
        .await
        .unwrap();
    c.find(css("#attach-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_contains(&c, "#attachments", "公厕现状说明.pdf").await;
    c.find(css("#submit")).await.unwrap().click().await.unwrap();
    wait_text(&c, "#state", "待审查").await;
    sign_out(&c).await;

    // The office registers it and assigns it to the government office.
    sign_in(&c, &base, "daibiao").await;
    c.goto(&format!("{base}{item}")).await.unwrap();
    c.find(css("#review-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(css("#assign-form")).await.unwrap();
    c.find(Locator::XPath(
        "//select[@id='f-lead_unit']/option[text()='区人民政府办公室']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    shot(&c, "suggestion-assign").await;
    c.find(css("#assign-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let due = c.wait().for_element(css("#due-on")).await.unwrap();
    assert!(due.text().await.unwrap().contains("代表法第五十一条"));
    sign_out(&c).await;

    // The unit head signs the reply.
    sign_in(&c, &base, "fuzeren").await;
    c.goto(&format!("{base}{item}")).await.unwrap();
    c.wait().for_element(css("#reply-form")).await.unwrap();
    c.find(css("#f-class option[value='A']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(css("#f-body"))
        .await
        .unwrap()
        .send_keys("已列入今年公厕改造计划，十月底前完工。")
        .await
        .unwrap();
    c.find(css("#reply-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#state", "已答复待评价").await;
    sign_out(&c).await;

    // The deputy rates it; it closes, with its whole history.
    sign_in(&c, &base, "deputy").await;
    c.goto(&format!("{base}{item}")).await.unwrap();
    c.find(css("#rate-satisfied"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(css("#f-rate-comment"))
        .await
        .unwrap()
        .send_keys("改造方案听取了群众意见")
        .await
        .unwrap();
    c.find(css("#rate-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#state", "办结").await;
    let history = c.find(css("#history")).await.unwrap().text().await.unwrap();
    for step in ["起草", "提交", "立案", "交办", "答复", "评价"] {
        assert!(history.contains(step), "{step}");
    }
    wait_contains(&c, "#ratings", "改造方案听取了群众意见").await;
    shot(&c, "suggestion-closed").await;
    c.goto(&format!("{base}/c/1/suggestions")).await.unwrap();
    c.wait().for_element(css("#suggestion-list")).await.unwrap();
    shot(&c, "suggestions-deputy").await;
    sign_out(&c).await;

    // The office publishes the reply; a citizen reads it on the portal without signing in.
    sign_in(&c, &base, "daibiao").await;
    c.goto(&format!("{base}{item}")).await.unwrap();
    c.find(css("#publish"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(css("#published")).await.unwrap();
    sign_out(&c).await;
    let id = item.rsplit('/').next().unwrap().to_string();
    c.goto(&format!("{base}/replies/1/{id}")).await.unwrap();
    wait_contains(&c, "#public-reply", "十月底前完工").await;
    shot(&c, "portal-reply").await;
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver; run by .ci/run"]
async fn a_motion_is_filed_at_the_session_and_decided_by_the_presidium() {
    let session = Session::start().await;
    let c = session.c.clone();
    let base = session.base.clone();
    let css = |s: &'static str| Locator::Css(s);
    // The session sits today (the system administrator's page does this; here, its table).
    let db = lianxin::db::Db::connect(
        &format!("sqlite://{}/lianxin.sqlite", session._data.path().display()),
        None,
    )
    .await
    .unwrap();
    let today = chrono::Utc::now().date_naive();
    sqlx::query(
        "INSERT INTO sessions (congress_id, term_id, number, opens_on, closes_on) \
         SELECT congress_id, id, 6, $1, $2 FROM terms WHERE congress_id = 1",
    )
    .bind((today - chrono::Duration::days(1)).to_string())
    .bind((today + chrono::Duration::days(2)).to_string())
    .execute(&db.pool)
    .await
    .unwrap();

    sign_in(&c, &base, "deputy").await;
    c.goto(&format!("{base}/c/1/motions/new")).await.unwrap();
    c.wait().for_element(css("#motion-form")).await.unwrap();
    c.find(css("#f-title"))
        .await
        .unwrap()
        .send_keys("关于制定示范区养犬管理规定的议案")
        .await
        .unwrap();
    c.find(css("#f-content"))
        .await
        .unwrap()
        .send_keys("案由：养犬扰民事件增多。方案：制定规定，明确登记、牵绳、免疫。")
        .await
        .unwrap();
    c.find(css("#motion-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(css("#file")).await.unwrap();
    let item = c.current_url().await.unwrap().path().to_string();
    let id: i64 = item.rsplit('/').next().unwrap().parse().unwrap();
    // Nine deputies have signed on paper (keyed in by the office): ten with the lead.
    sqlx::query(
        "INSERT INTO motion_signers (congress_id, motion_id, deputy_id, consent) \
         SELECT 1, $1, id, 'accepted' FROM deputies WHERE congress_id = 1 AND status = 'in_office' \
         AND id <> (SELECT lead_deputy_id FROM motions WHERE id = $1) ORDER BY id LIMIT 9",
    )
    .bind(id)
    .execute(&db.pool)
    .await
    .unwrap();
    c.refresh().await.unwrap();
    c.find(css("#file")).await.unwrap().click().await.unwrap();
    wait_text(&c, "#state", "已提出待主席团决定").await;
    sign_out(&c).await;

    // The presidium refers it to a special committee, which reports; then it goes on the agenda.
    sign_in(&c, &base, "daibiao").await;
    c.goto(&format!("{base}{item}")).await.unwrap();
    c.wait().for_element(css("#decide-form")).await.unwrap();
    c.find(css("#f-decision option[value='refer']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(css("#f-committee option:nth-child(2)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(css("#decide-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#state", "交专门委员会审议").await;
    c.find(css("#f-report"))
        .await
        .unwrap()
        .send_keys("建议列入大会议程。")
        .await
        .unwrap();
    c.find(css("#report-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(css("#report")).await.unwrap();
    c.find(css("#f-decision option[value='on_agenda']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(css("#decide-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#state", "列入大会议程").await;
    shot(&c, "motion-on-agenda").await;
    db.pool.close().await;
    c.close().await.unwrap();
}

/// Clicks the element.
async fn click(c: &fantoccini::Client, selector: &str) {
    c.find(Locator::Css(selector))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Types into the element.
async fn type_into(c: &fantoccini::Client, selector: &str, text: &str) {
    c.find(Locator::Css(selector))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits until the element's text is `expected` (a click does not wait for the next page).
async fn wait_text(c: &fantoccini::Client, selector: &str, expected: &str) {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(e) = c.find(Locator::Css(selector)).await
            && let Ok(t) = e.text().await
        {
            if t == expected {
                return;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{selector} never read {expected:?} (last {last:?})");
}

/// Waits until the element's text contains `part`.
async fn wait_contains(c: &fantoccini::Client, selector: &str, part: &str) {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(e) = c.find(Locator::Css(selector)).await
            && let Ok(t) = e.text().await
        {
            if t.contains(part) {
                return;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{selector} never held {part:?} (last {last:?})");
}

async fn sign_in(c: &fantoccini::Client, base: &str, user: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Css("#f-username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Css("#f-password"))
        .await
        .unwrap()
        .send_keys(lianxin::app::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("#login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/home").await;
}

async fn sign_out(c: &fantoccini::Client) {
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("#towns")).await.unwrap();
}

/// A demo server, a chromedriver and a Chromium session on them; all stop when dropped.
struct Session {
    c: fantoccini::Client,
    base: String,
    _server: Killed,
    _driver: Killed,
    _data: tempfile::TempDir,
    _profile: tempfile::TempDir,
}

impl Session {
    async fn start() -> Session {
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let _server = Killed(
            Command::new(env!("CARGO_BIN_EXE_lianxin"))
                .arg("demo")
                .env("LIANXIN_DATA", data.path())
                .env("LIANXIN_LISTEN", &addr)
                .env_remove("LIANXIN_DATABASE_URL")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let driver_port = free_port();
        let _driver = Killed(
            Command::new("chromedriver")
                .arg(format!("--port={driver_port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver"),
        );
        wait_for(&addr).await;
        wait_for_driver(driver_port).await;
        let profile = tempfile::tempdir().unwrap();
        let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "prefs": {"intl.accept_languages": "zh-CN,zh"}, "args": [
                "--lang=zh-CN",
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1200,1000",
                format!("--user-data-dir={}", profile.path().display())]}
        }))
        .unwrap();
        let c = ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .unwrap();
        let base = format!("http://{addr}");
        Session {
            c,
            base,
            _server,
            _driver,
            _data: data,
            _profile: profile,
        }
    }
}

/// Waits until the browser shows a page whose path ends with `suffix` (a click does not wait).
async fn wait_path(c: &fantoccini::Client, suffix: &str) {
    for _ in 0..200 {
        if c.current_url().await.unwrap().path().ends_with(suffix) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the browser never reached …{suffix}");
}

async fn wait_query(c: &fantoccini::Client, part: &str) {
    for _ in 0..200 {
        if c.current_url()
            .await
            .unwrap()
            .query()
            .unwrap_or("")
            .contains(part)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the browser never reached a page with {part}");
}

async fn wait_for_driver(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

/// Saves a screenshot under target/screenshots for people to look at (README, reviews).
async fn shot(c: &fantoccini::Client, name: &str) {
    if let Ok(png) = c.screenshot().await {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// RFC 4648 base32 (no padding), as the enrolment page shows the key.
fn base32_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for ch in s.bytes() {
        let v = match ch {
            b'A'..=b'Z' => ch - b'A',
            b'2'..=b'7' => ch - b'2' + 26,
            _ => continue,
        };
        buf = (buf << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

mod http;
mod livelihood;
mod meetings;
mod opinions;

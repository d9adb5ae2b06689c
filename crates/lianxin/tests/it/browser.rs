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

    // Sign in as the deputies' affairs office.
    c.goto(&format!("{base}/login")).await.unwrap();
    assert!(c.source().await.unwrap().contains("演示账户"));
    c.find(Locator::Css("#f-username"))
        .await
        .unwrap()
        .send_keys("daibiao")
        .await
        .unwrap();
    c.find(Locator::Css("#f-password"))
        .await
        .unwrap()
        .send_keys(lianxin::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("#login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/home"));
    assert!(
        c.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("我的待办")
    );
    shot(&c, "home-zh").await;

    // Switch to English and back.
    c.find(Locator::Css("#lang-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        c.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "My tasks"
    );
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("en")
    );
    c.find(Locator::Css("#lang-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        c.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "我的待办"
    );

    // Open the roster and search it.
    c.find(Locator::LinkText("代表名册"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let rows = c
        .find_all(Locator::Css("#deputy-list tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 50, "first page");
    c.find(Locator::Css("#next-page"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        !c.find_all(Locator::Css("#deputy-list tbody tr"))
            .await
            .unwrap()
            .is_empty()
    );
    shot(&c, "roster").await;

    // Submit the new-deputy form with errors, then correctly.
    c.find(Locator::LinkText("代表名册"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::LinkText("登记代表"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#f-id_card"))
        .await
        .unwrap()
        .send_keys("12345")
        .await
        .unwrap();
    c.find(Locator::Css("#deputy-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let summary = c.find(Locator::Css("#error-summary")).await.unwrap();
    assert!(summary.text().await.unwrap().contains("出现问题"));
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
    ] {
        let input = c.find(Locator::Id(field)).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    let id = c.find(Locator::Id("f-id_card")).await.unwrap();
    id.clear().await.unwrap();
    id.send_keys("11010519491231002X").await.unwrap();
    c.find(Locator::Css("#f-gender option[value='male']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#f-constituency option:nth-child(2)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#deputy-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        c.find(Locator::Css("#saved"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("已保存")
    );
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.contains("浏览器测试"));
    assert!(c.source().await.unwrap().contains("110105********002X"));

    // A phone-sized window still works.
    c.set_window_size(360, 780).await.unwrap();
    c.goto(&format!("{base}/")).await.unwrap();
    shot(&c, "public-phone").await;
    c.close().await.unwrap();
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

//! XLSX import: nothing is written unless every row is valid; each bad row is reported in Chinese.

use crate::support::*;
use axum::http::StatusCode;
use lianxin::people::xlsx::{self, DEPUTY_COLUMNS, ListKind};

fn roster(rows: &[Vec<&str>]) -> Vec<u8> {
    let headers: Vec<&str> = DEPUTY_COLUMNS.iter().map(|c| c.1).collect();
    xlsx::workbook(&headers, rows).unwrap()
}

fn multipart(kind: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----lianxin-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名单.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn one_bad_row_writes_nothing_and_is_reported_in_chinese() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let before_deputies = app.count("SELECT COUNT(*) FROM deputies").await;
    let before_persons = app.count("SELECT COUNT(*) FROM persons").await;
    let good1 = id_with_check("99010219700101101");
    let good2 = id_with_check("99010219700101102");
    let bad_checksum = {
        let g = id_with_check("99010219700101103");
        let last = if g.ends_with('1') { '2' } else { '1' };
        format!("{}{last}", &g[..17])
    };
    let file = roster(&[
        vec![
            "甲一",
            "男",
            "汉族",
            &good1,
            "群众",
            "工人",
            "电工",
            "高中",
            "第1选区",
            "",
            "",
        ],
        vec![
            "甲二",
            "女",
            "汉族",
            &good2,
            "群众",
            "农民",
            "果农",
            "初中",
            "第2选区",
            "",
            "",
        ],
        vec![
            "甲三",
            "男",
            "汉族",
            &bad_checksum,
            "群众",
            "农民",
            "渔民",
            "初中",
            "第3选区",
            "",
            "",
        ],
    ]);
    let mut c = app.login("qingshi").await;
    let csrf = c.csrf();
    let (ct, body) = multipart("deputies", &file);
    let r = c
        .post_raw(&format!("/c/{qingshi}/import?_csrf={csrf}"), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("身份证号不正确"),
        "the reason is given in Chinese"
    );
    assert!(
        html.contains("<td data-label=\"行号\">4</td>"),
        "row 4 (header is row 1) is named"
    );
    assert!(html.contains("没有写入任何数据"));
    assert!(
        !html.contains("import-confirm"),
        "no way to confirm an invalid file"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM deputies").await,
        before_deputies
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons").await,
        before_persons
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'people.import'")
            .await,
        0
    );
}

#[tokio::test]
async fn every_kind_of_bad_row_is_reported_and_a_valid_file_imports_after_confirmation() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let origin = lianxin::people::service::Origin {
        user: lianxin::platform::ids::UserId(1),
        client_addr: None,
        now: 0,
        today: lianxin::platform::clock::china_date(0),
    };
    let term = lianxin::congress::current_term(
        &app.state.db,
        lianxin::platform::ids::CongressId(qingshi),
        "2026-03-02",
    )
    .await
    .unwrap()
    .unwrap()
    .id;
    let dup = id_with_check("99010219700101201");
    // An existing deputy of this term (same ID number) is a duplicate person too.
    let existing =
        lianxin::people::deputy_details(&app.state.db, lianxin::platform::ids::CongressId(qingshi))
            .await
            .unwrap();
    assert!(!existing.is_empty());
    let file = roster(&[
        vec![
            "",
            "男",
            "汉族",
            "",
            "群众",
            "工人",
            "电工",
            "高中",
            "第1选区",
            "",
            "",
        ],
        vec![
            "乙二",
            "女",
            "汉族",
            "",
            "群众",
            "农民",
            "果农",
            "初中",
            "第99选区",
            "",
            "",
        ],
        vec![
            "乙三",
            "男",
            "汉族",
            &dup,
            "群众",
            "农民",
            "渔民",
            "初中",
            "第3选区",
            "",
            "",
        ],
        vec![
            "乙四",
            "男",
            "汉族",
            &dup,
            "群众",
            "农民",
            "渔民",
            "初中",
            "第3选区",
            "",
            "",
        ],
    ]);
    let r = xlsx::import(
        &app.state.db,
        lianxin::platform::ids::CongressId(qingshi),
        term,
        ListKind::Deputies,
        &file,
        true,
        &origin,
    )
    .await
    .unwrap();
    let by_row: Vec<(usize, &str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.field.as_str(), e.message_zh.as_str()))
        .collect();
    assert!(by_row.contains(&(2, "name", "此项必须填写")), "{by_row:?}");
    assert!(
        by_row.contains(&(3, "constituency", "本级人大没有这个选区")),
        "{by_row:?}"
    );
    assert!(
        by_row
            .iter()
            .any(|(row, f, m)| *row == 5 && *f == "id_card" && m.contains("重复")),
        "{by_row:?}"
    );
    assert!(!r.written);

    // A valid file: preview, then confirm, then it is there.
    let ok = roster(&[vec![
        "丙一",
        "女",
        "回族",
        &id_with_check("99010219700101301"),
        "群众",
        "农民",
        "果农",
        "初中",
        "第1选区",
        "青石镇第一代表小组",
        "青石镇人大代表之家",
    ]]);
    let mut c = app.login("qingshi").await;
    let csrf = c.csrf();
    let (ct, body) = multipart("deputies", &ok);
    let r = c
        .post_raw(&format!("/c/{qingshi}/import?_csrf={csrf}"), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    let token = html
        .split("name=\"token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons WHERE name = '丙一'")
            .await,
        0,
        "preview writes nothing"
    );
    let r = c
        .post_form(
            &format!("/c/{qingshi}/import/confirm"),
            &[("token", &token), ("kind", "deputies")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("import-done"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons WHERE name = '丙一'")
            .await,
        1
    );
    // The same token cannot import twice.
    let r = c
        .post_form(
            &format!("/c/{qingshi}/import/confirm"),
            &[("token", &token), ("kind", "deputies")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons WHERE name = '丙一'")
            .await,
        1
    );
}

#[tokio::test]
async fn export_round_trips_through_import_checks_and_masks_id_numbers() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let mut c = app.login("qingshi").await;
    let r = c.get(&format!("/c/{qingshi}/export/deputies.xlsx")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(r.body.clone())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.height(), 101, "header + 100 deputies");
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "姓名");
    for row in range.rows().skip(1) {
        let id = row[3].to_string();
        assert!(id.contains("********"), "ID masked: {id}");
    }
    // Units export for district staff.
    let district = app.congress_id("示范区").await;
    let mut b = app.login("bangong").await;
    let r = b.get(&format!("/c/{district}/export/units.xlsx")).await;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(r.body.clone())).unwrap();
    assert_eq!(wb.worksheet_range_at(0).unwrap().unwrap().height(), 41);
}

//! Statistics with charts, XLSX and the annual report; the Word documents from templates.

use super::*;

#[tokio::test]
async fn statistics_by_category_and_unit_show_delivery_beside_satisfaction_and_export_to_xlsx() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    let page = office.get(&format!("/c/{cid}/suggestions/stats")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("按类别") && text.contains("按主办单位") && text.contains("区人民政府办公室")
    );
    assert!(text.contains("医疗卫生"), "categories by their names");
    // The demo's replied items: delivery is counted of replied items, satisfaction of rated ones.
    let replied = app
        .count(&format!(
            "SELECT COUNT(*) FROM suggestions WHERE congress_id = {cid} AND replied_on IS NOT NULL"
        ))
        .await;
    let delivered = app
        .count(&format!("SELECT COUNT(*) FROM suggestions WHERE congress_id = {cid} AND (reply_class = 'A' OR delivery = 'verified')"))
        .await;
    assert!(replied > 0);
    assert!(
        text.contains(&format!("（{delivered}/{replied}）")),
        "delivered of replied"
    );
    let x = office
        .get(&format!("/c/{cid}/suggestions/stats.xlsx"))
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.body.clone())).unwrap();
    use calamine::Reader;
    let sheets = wb.sheet_names().to_vec();
    assert_eq!(
        sheets,
        vec![
            "按会议或年度".to_string(),
            "按类别".to_string(),
            "按主办单位".to_string(),
            "按所涉镇".to_string()
        ]
    );
    let range = wb.worksheet_range("按主办单位").unwrap();
    assert!(range.rows().any(|r| r[0] == "区人民政府办公室"));
    let mut unit = app.login("chengban").await;
    assert_eq!(
        unit.get(&format!("/c/{cid}/suggestions/stats"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn statistics_per_session_and_year_and_the_annual_report_as_word() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    let page = office.get(&format!("/c/{cid}/suggestions/stats")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("按会议或年度") && text.contains("<svg class=\"chart\""));
    // The demo's items are numbered per recess year: the year's selection narrows to them.
    let (key,): (String,) = sqlx::query_as(
        "SELECT period_key FROM suggestions WHERE congress_id = $1 AND state <> 'draft' GROUP BY period_key ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .bind(cid)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let in_period = app
        .count(&format!("SELECT COUNT(*) FROM suggestions WHERE congress_id = {cid} AND period_key = '{key}' AND state NOT IN ('draft', 'withdrawn')"))
        .await;
    let one = office
        .get(&format!("/c/{cid}/suggestions/stats?period={key}"))
        .await
        .text();
    assert!(one.contains(&format!("<dd>{in_period}</dd>")), "{key}");
    let x = office
        .get(&format!("/c/{cid}/suggestions/stats.xlsx?period={key}"))
        .await;
    assert_eq!(x.status, StatusCode::OK);

    let year = if let Some(y) = key.strip_prefix('y') {
        y.to_string()
    } else {
        "2026".to_string()
    };
    let r = office
        .get(&format!("/c/{cid}/suggestions/report.docx?year={year}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.body[..2], b"PK");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body.clone())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains(&format!("关于{year}年代表建议办理情况的报告")));
    assert!(
        xml.contains("办成率") && xml.contains("黑体"),
        "sections as headings"
    );
    assert!(!xml.contains('{'), "every placeholder filled");
    let r = office
        .get(&format!("/c/{cid}/suggestions/report.docx?year=20x6"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut unit = app.login("chengban").await;
    assert_eq!(
        unit.get(&format!("/c/{cid}/suggestions/report.docx?year={year}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    xml
}

#[tokio::test]
async fn the_assignment_notice_and_the_reply_letter_come_as_word_documents_from_editable_templates()
{
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let id = app
        .count(&format!("SELECT MIN(s.id) FROM suggestions s WHERE s.congress_id = {cid} AND s.reply_class IS NOT NULL"))
        .await;
    let mut office = app.login("daibiao").await;
    let item = format!("/c/{cid}/suggestions/{id}");
    assert!(
        office
            .get(&item)
            .await
            .text()
            .contains("id=\"notice-docx\"")
    );
    let r = office.get(&format!("{item}/notice.docx")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get("content-type").unwrap(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let xml = docx_text(&r.body);
    let title: String =
        sqlx::query_as::<_, (String,)>("SELECT title FROM suggestions WHERE id = $1")
            .bind(id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
            .0;
    assert!(xml.contains(&title) && xml.contains("区人民政府办公室") && xml.contains("代表法"));
    assert!(
        xml.contains("方正小标宋简体") && xml.contains("仿宋_GB2312"),
        "government document fonts"
    );
    // The deputy downloads the reply letter.
    let mut deputy = app.login("deputy").await;
    let mine = app
        .count("SELECT MIN(s.id) FROM suggestions s JOIN users u ON u.username = 'deputy' JOIN deputies d ON d.person_id = u.person_id AND d.id = s.lead_deputy_id WHERE s.reply_class IS NOT NULL")
        .await;
    let r = deputy
        .get(&format!("/c/{cid}/suggestions/{mine}/reply.docx"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(docx_text(&r.body).contains("现答复如下"));
    // The office edits the template; an empty one is refused and changes nothing.
    let r = office
        .post_form(
            &format!("/c/{cid}/suggestions/templates"),
            &[("assignment_notice", ""), ("reply_letter", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM document_templates").await,
        0
    );
    let r = office
        .post_form(
            &format!("/c/{cid}/suggestions/templates"),
            &[
                ("assignment_notice", "交办通知{编号}\n\n{主办单位}：\n    请办理《{标题}》。\n\n示范区人大常委会代表工委\n{日期}"),
                ("reply_letter", "答复{编号}\n\n{领衔代表}代表：\n{答复内容}\n\n{承办单位}\n{日期}"),
                ("annual_report", "{年度}年报告\n\n    收到{收到件数}件，办成率{办成率}。\n\n代表工委\n{日期}"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let xml = docx_text(&office.get(&format!("{item}/notice.docx")).await.body);
    assert!(
        xml.contains("请办理《") && !xml.contains("认真研究办理"),
        "the office's own template"
    );
    let mut unit = app.login("chengban").await;
    assert_eq!(
        unit.get(&format!("{item}/notice.docx")).await.status,
        StatusCode::FORBIDDEN
    );
}

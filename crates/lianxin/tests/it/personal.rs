//! Issue 4: personal data sealed at rest, masked on screen, revealed only with an audited act,
//! rotated keys, and no clear-text personal datum anywhere in either database.

use crate::support::*;
use axum::http::StatusCode;
use std::collections::BTreeSet;

async fn new_deputy_with_contacts(app: &TestApp) -> (i64, i64, String) {
    new_deputy(app, "99010219800101777").await
}

async fn new_deputy(app: &TestApp, id17: &str) -> (i64, i64, String) {
    let cid = app.congress_id("示范区").await;
    let id_card = id_with_check(id17);
    let mut fields = deputy_fields("联系人甲", &id_card, "青石镇第1选区");
    fields.extend([
        ("phone", "139 8765-4321"),
        ("email", "Lianxi@Example.CN"),
        ("address", "示范区青石镇幸福村三组18号"),
    ]);
    let mut d = app.login("daibiao").await;
    let r = d.post_form(&format!("/c/{cid}/deputies"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id: i64 = r
        .location()
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (cid, id, id_card)
}

#[tokio::test]
async fn contact_details_are_sealed_masked_and_revealed_only_with_an_audited_act() {
    let app = TestApp::demo().await;
    let (cid, id, id_card) = new_deputy_with_contacts(&app).await;
    // At rest: sealed, with digests for exact look-ups; never the clear value.
    let (phone_sealed, phone_digest, id_sealed): (String, String, String) = sqlx::query_as(
        "SELECT p.phone_sealed, p.phone_digest, p.id_card_sealed FROM persons p JOIN deputies d ON d.person_id = p.id WHERE d.id = $1",
    )
    .bind(id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert!(phone_sealed.starts_with("sm4gcm:v1:") && id_sealed.starts_with("sm4gcm:v1:"));
    assert!(!phone_sealed.contains("13987654321") && phone_digest.len() == 64);
    // On screen: masked for everyone who may read the roster.
    let mut staff = app.login("bangong").await;
    let page = staff.get(&format!("/c/{cid}/deputies/{id}")).await.text();
    assert!(page.contains("139****4321") && page.contains("L***@example.cn"));
    assert!(page.contains("示范区青石镇****") && !page.contains("幸福村"));
    assert!(!page.contains("13987654321") && !page.contains(&id_card));
    assert!(
        !page.contains("id=\"reveal\""),
        "general office staff get no reveal button"
    );
    let r = staff
        .post_form(&format!("/c/{cid}/deputies/{id}/reveal"), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let api = staff
        .get(&format!("/api/v1/congresses/{cid}/deputies/{id}"))
        .await
        .json();
    assert_eq!(api["phone_masked"], "139****4321");
    assert!(
        api.get("phone_sealed").is_none(),
        "sealed values never leave the server"
    );
    // The deputies' affairs office may reveal; the act is audited with field names only.
    let mut office = app.login("daibiao").await;
    assert!(
        office
            .get(&format!("/c/{cid}/deputies/{id}"))
            .await
            .text()
            .contains("id=\"reveal\"")
    );
    let before = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'people.reveal'")
        .await;
    let full = office
        .post_form(&format!("/c/{cid}/deputies/{id}/reveal"), &[])
        .await
        .text();
    assert!(
        full.contains("13987654321") && full.contains(&id_card) && full.contains("幸福村三组18号")
    );
    let api = office
        .get(&format!("/api/v1/congresses/{cid}/deputies/{id}/personal"))
        .await
        .json();
    assert_eq!(api["phone"], "13987654321");
    assert_eq!(api["email"], "Lianxi@example.cn");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'people.reveal'")
            .await,
        before + 2
    );
    let (fields,): (String,) = sqlx::query_as(
        "SELECT fields FROM audit_log WHERE action = 'people.reveal' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(fields, "id_card,phone,email,address");
    // Editing: an empty contact field keeps its value; a filled one replaces it.
    let mut edit = deputy_fields("联系人甲", "", "青石镇第1选区");
    edit.extend([("phone", ""), ("email", ""), ("address", "")]);
    let r = office
        .post_form(&format!("/c/{cid}/deputies/{id}"), &edit)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let api = office
        .get(&format!("/api/v1/congresses/{cid}/deputies/{id}/personal"))
        .await
        .json();
    assert_eq!(api["phone"], "13987654321", "kept");
    edit.retain(|(k, _)| *k != "phone");
    edit.push(("phone", "028-8555 1234"));
    office
        .post_form(&format!("/c/{cid}/deputies/{id}"), &edit)
        .await;
    let api = office
        .get(&format!("/api/v1/congresses/{cid}/deputies/{id}/personal"))
        .await
        .json();
    assert_eq!(api["phone"], "02885551234", "replaced");
    let (fields,): (String,) = sqlx::query_as(
        "SELECT fields FROM audit_log WHERE action = 'people.deputy_update' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        fields, "phone",
        "the change is named, its value is not recorded"
    );
    // Bad input: a clear message, nothing changed.
    edit.retain(|(k, _)| *k != "phone");
    edit.push(("phone", "12345"));
    let r = office
        .post_form(&format!("/c/{cid}/deputies/{id}"), &edit)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请输入正确的电话号码"));
    // Exact look-up by the keyed digest (a data-subject request) finds the person.
    let found = lianxin::people::persons_by_identifier(&app.state.db, "028 8555 1234")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn rotating_the_field_key_reseals_everything_and_old_keys_no_longer_suffice() {
    let app = TestApp::demo().await;
    let (cid, id, _) = new_deputy_with_contacts(&app).await;
    let keys = app.dir.path().join("keys");
    let mut v2 = lianxin::platform::vault::Vault::open(&keys).unwrap();
    assert_eq!(v2.add_key().unwrap(), 2);
    let db2 = app.state.db.clone().with_vault(v2);
    let n = lianxin::db::rekey::reseal_all(&db2).await.unwrap();
    assert!(n >= 600 * 3, "every deputy's ID, phone and address ({n})");
    for (column, per) in lianxin::db::rekey::census(&db2).await.unwrap() {
        assert!(per.keys().all(|v| *v == 2), "{column}: {per:?}");
    }
    assert_eq!(
        lianxin::db::rekey::reseal_all(&db2).await.unwrap(),
        0,
        "idempotent"
    );
    let d = lianxin::people::deputy(&db2, lianxin::platform::ids::CongressId(cid), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.phone_masked.as_deref(), Some("139****4321"));
    // The vault that knew only v1 cannot open the re-sealed values.
    assert!(
        lianxin::people::deputy(&app.state.db, lianxin::platform::ids::CongressId(cid), id)
            .await
            .is_err()
    );
}

/// Every ID number and phone number the demo inserted, opened from the sealed columns.
async fn inserted_numbers(app: &TestApp) -> BTreeSet<String> {
    let rows: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id_card_sealed, phone_sealed FROM persons")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    let v = &app.state.db.vault;
    let mut out = BTreeSet::new();
    for (id, phone) in rows {
        if let Some(id) = v.open_opt("persons.id_card_sealed", id.as_deref()).unwrap() {
            out.insert(id);
        }
        if let Some(p) = v
            .open_opt("persons.phone_sealed", phone.as_deref())
            .unwrap()
        {
            out.insert(p);
        }
    }
    out
}

/// Every 11- and 18-character window of every run of digits (and X) in `bytes` that is one of
/// `needles`.
fn hits(bytes: &[u8], needles: &BTreeSet<String>) -> Vec<String> {
    let mut found = BTreeSet::new();
    let mut run = Vec::new();
    let mut flush = |run: &mut Vec<u8>| {
        for len in [11usize, 18] {
            if run.len() >= len {
                for w in run.windows(len) {
                    let s = String::from_utf8_lossy(w).into_owned();
                    if needles.contains(&s) {
                        found.insert(s);
                    }
                }
            }
        }
        run.clear();
    };
    for b in bytes {
        if b.is_ascii_digit() || *b == b'X' {
            run.push(*b);
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
    found.into_iter().collect()
}

#[tokio::test]
async fn no_phone_or_id_number_is_stored_in_clear_text_anywhere() {
    let app = TestApp::demo().await;
    let (cid, id, _) = new_deputy_with_contacts(&app).await;
    new_deputy(&app, "99010219800101888").await;
    // A change overwrites the old sealed value; secure_delete clears the freed space.
    let mut office = app.login("daibiao").await;
    let mut edit = deputy_fields("联系人甲", "", "青石镇第1选区");
    edit.extend([("phone", "13700001111"), ("email", ""), ("address", "")]);
    let r = office
        .post_form(&format!("/c/{cid}/deputies/{id}"), &edit)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let needles = inserted_numbers(&app).await;
    assert!(needles.len() >= 1200, "{}", needles.len());
    assert!(needles.contains("13700001111"));
    let mut bytes = Vec::new();
    match app.backend() {
        lianxin::db::Backend::Sqlite => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&app.state.db.pool)
                .await
                .unwrap();
            for entry in std::fs::read_dir(app.dir.path()).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    bytes.extend(std::fs::read(&path).unwrap());
                }
            }
            assert!(bytes.len() > 1_000_000, "the database file was read");
        }
        lianxin::db::Backend::Postgres => {
            let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
            assert!(tables.len() > 20);
            for (t,) in tables {
                let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT CAST(x AS TEXT) FROM \"{t}\" x"
                )))
                .fetch_all(&app.state.db.pool)
                .await
                .unwrap();
                for (r,) in rows {
                    bytes.extend(r.into_bytes());
                    bytes.push(b'\n');
                }
            }
        }
    }
    let found = hits(&bytes, &needles);
    assert!(
        found.is_empty(),
        "clear-text personal numbers found: {found:?}"
    );
    // The scan itself can fail: the same bytes plus one clear number are caught.
    bytes.extend(b" 13700001111 ");
    assert_eq!(hits(&bytes, &needles), vec!["13700001111".to_string()]);
}

#[tokio::test]
async fn the_cli_rotates_the_field_key_and_reports_the_versions() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lianxin"))
            .args(args)
            .env("LIANXIN_DATA", data.path())
            .env_remove("LIANXIN_DATABASE_URL")
            .env("LIANXIN_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&[
        "admin",
        "bootstrap",
        "--region",
        "970500",
        "--name",
        "密钥区人民代表大会",
    ]);
    // One sealed value to rotate: a deputy with a phone, written through the library.
    let db = lianxin::db::Db::connect(
        &format!("sqlite://{}/lianxin.sqlite", data.path().display()),
        None,
    )
    .await
    .unwrap()
    .with_vault(lianxin::platform::vault::Vault::open(&data.path().join("keys")).unwrap());
    let mut tx = db.write().await.unwrap();
    let v = lianxin::people::domain::DeputyInput {
        name: "密钥测试".into(),
        gender: "female".into(),
        ethnicity: "汉族".into(),
        phone: "13555556666".into(),
        party: "群众".into(),
        composition: "工人".into(),
        occupation: "技工".into(),
        education: "高中".into(),
        constituency: "第1选区".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    lianxin::people::create_person(&mut tx, &db.vault, &v, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.pool.close().await;
    assert!(run(&["keys", "status"]).contains("persons.phone_sealed: {1: 1}"));
    assert!(run(&["keys", "rotate"]).contains("field key v2 in use; 1 values re-sealed"));
    assert!(run(&["keys", "status"]).contains("persons.phone_sealed: {2: 1}"));
    assert!(run(&["keys", "new-seal-key", "--region", "970500"]).contains("sealing key v1 in use"));
    assert!(data.path().join("keys/field-v2.key").exists());
}

//! Test harness: a real server (the production router) on a real database — a fresh SQLite file
//! per test, or, when `LIANXIN_TEST_DATABASE_URL` names a PostgreSQL server, a fresh schema per
//! test. Requests go in-process through the router; cookies are kept like a browser keeps them.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use lianxin::app::router::router;
use lianxin::db::{Backend, Db, migrate};
use lianxin::platform::clock::FixedClock;
use lianxin::platform::config::{self, Layer};
use lianxin::web::{AppState, metrics::Metrics};
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = lianxin::app::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub dir: tempfile::TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

/// 2026-03-02 10:00 Shanghai: inside the demo terms.
pub fn start_time() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

pub fn pg_url() -> Option<String> {
    std::env::var("LIANXIN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A fresh, migrated, empty database; with `own_database` on PostgreSQL a database of its own
/// rather than a schema beside the other tests' (VACUUM's horizon spans every session of one
/// database, so a test of what VACUUM removes must not share it with tests running at once).
async fn fresh_db(dir: &std::path::Path, own_database: bool) -> Db {
    let db = match pg_url() {
        Some(url) if own_database => {
            let name = format!("t_{}", &lianxin::platform::secret::random_token()[..16]);
            let admin = Db::connect(&url, None)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin.pool)
                .await
                .unwrap();
            admin.pool.close().await;
            let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
            Db::connect(&format!("{base}/{name}"), None).await.unwrap()
        }
        Some(url) => {
            let schema = format!("t_{}", &lianxin::platform::secret::random_token()[..16]);
            let admin = Db::connect(&url, None)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&admin.pool)
                .await
                .unwrap();
            admin.pool.close().await;
            Db::connect(&url, Some(&schema)).await.unwrap()
        }
        None => Db::connect(
            &format!("sqlite://{}/lianxin.sqlite?mode=rwc", dir.display()),
            None,
        )
        .await
        .unwrap(),
    };
    let db = db.with_vault(lianxin::platform::vault::Vault::open(&dir.join("keys")).unwrap());
    migrate::run(&db).await.unwrap();
    db
}

impl TestApp {
    /// The demo district on a fresh database.
    pub async fn demo() -> TestApp {
        TestApp::seeded(false).await
    }

    /// The demo district in a PostgreSQL database of its own (see `fresh_db`).
    pub async fn demo_alone() -> TestApp {
        TestApp::seeded(true).await
    }

    async fn seeded(own_database: bool) -> TestApp {
        let app = TestApp::with_database(own_database).await;
        assert!(
            lianxin::app::demo::seed(&app.state.db, app.clock.now_ms_())
                .await
                .unwrap()
        );
        app
    }

    pub async fn empty() -> TestApp {
        TestApp::with_database(false).await
    }

    async fn with_database(own_database: bool) -> TestApp {
        // Errors the server logs show up in the output of a failing test.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn,lianxin=info")
            .with_test_writer()
            .try_init();
        let dir = tempfile::tempdir().unwrap();
        let db = fresh_db(dir.path(), own_database).await;
        let clock = Arc::new(FixedClock::at(start_time()));
        let flags = Layer {
            data: Some(dir.path().to_path_buf()),
            ..Layer::default()
        };
        let mut config = config::resolve(Layer::default(), Layer::default(), flags).unwrap();
        config.database_url = "test".into();
        let state = AppState {
            services: lianxin::app::server::services(&db),
            demo_sign_in: lianxin::app::demo::SIGN_IN,
            db,
            clock: clock.clone(),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            demo: true,
            // The fixed test clock never leaves its minute: limits high enough for whole suites
            // (the rate-limit test builds its own limiter).
            limiter: Arc::new(lianxin::web::limit::Limiter::new(100_000, 100_000)),
        };
        TestApp { state, clock, dir }
    }

    pub fn backend(&self) -> Backend {
        self.state.db.backend
    }

    pub fn client(&self) -> Client<'_> {
        Client {
            app: self,
            cookies: BTreeMap::new(),
            bearer: None,
        }
    }

    /// A client signed in as a demo account.
    pub async fn login(&self, username: &str) -> Client<'_> {
        let mut c = self.client();
        let r = c
            .post_form(
                "/login",
                &[("username", username), ("password", PASSWORD), ("next", "")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login as {username}: {}",
            r.text()
        );
        c
    }

    /// Lets passwords live a year, for tests that move the clock months ahead and sign in again.
    pub async fn passwords_last_a_year(&self) {
        let mut tx = self.state.db.write().await.unwrap();
        lianxin::accounts::set_policy_value(
            &mut tx,
            "password_max_age_days",
            "365",
            lianxin::platform::ids::UserId(1),
            0,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    pub async fn congress_id(&self, short_name: &str) -> i64 {
        let all = lianxin::congress::all(&self.state.db).await.unwrap();
        all.iter()
            .find(|c| c.short_name == short_name)
            .unwrap_or_else(|| panic!("no congress {short_name}"))
            .id
            .0
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        n
    }
}

pub trait NowMs {
    fn now_ms_(&self) -> i64;
}
impl NowMs for Arc<FixedClock> {
    fn now_ms_(&self) -> i64 {
        use lianxin::platform::clock::Clock;
        self.now_ms()
    }
}

pub struct Client<'a> {
    pub app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
    pub bearer: Option<String>,
}

impl Client<'_> {
    pub fn csrf(&self) -> String {
        self.cookies.get("lx_csrf").cloned().unwrap_or_default()
    }

    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let mut req = req;
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !cookie.is_empty() {
            req.headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        if let Some(t) = &self.bearer {
            req.headers_mut().insert(
                header::AUTHORIZATION,
                format!("Bearer {t}").parse().unwrap(),
            );
        }
        let resp = router(self.app.state.clone()).oneshot(req).await.unwrap();
        for v in resp.headers().get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap();
            let (kv, attrs) = s.split_once(';').unwrap_or((s, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// Posts a form the way our pages do, with the CSRF token (fetched first if needed).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if self.csrf().is_empty() {
            self.get("/login").await;
        }
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf();
        all.push(("_csrf", &csrf));
        let body = serde_urlencoded::to_string(&all).unwrap();
        self.post_raw(path, "application/x-www-form-urlencoded", body.into_bytes())
            .await
    }

    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A JSON call with the CSRF header, as a browser script would make it.
    pub async fn json(&mut self, method: &str, path: &str, body: serde_json::Value) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", self.csrf())
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }
}

/// A valid roster row for forms and API bodies.
pub fn deputy_fields<'a>(
    name: &'a str,
    id_card: &'a str,
    constituency: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("gender", "female"),
        ("ethnicity", "汉族"),
        ("id_card", id_card),
        ("party", "群众"),
        ("composition", "农民"),
        ("occupation", "果农"),
        ("education", "高中"),
        ("constituency", constituency),
        ("delegation", ""),
        ("station", ""),
    ]
}

/// Appends the right check character to 17 digits (GB 11643).
pub fn id_with_check(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}

/// Polls all the futures together (requests in flight at once) and returns their outputs in order.
pub async fn join_all<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut futs: Vec<std::pin::Pin<Box<F>>> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, o) in futs.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *o = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// Every `.rs` file below `root`, as (path relative to `root` with `/`, text), in path order.
pub fn rust_sources(root: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().and_then(|x| x.to_str()) == Some("rs") {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Makes the database refuse a write, as a full disk or a lost connection would: a trigger
/// `name` on `on` (e.g. `BEFORE UPDATE ON motions`) raises for each row where `when` holds.
/// For the tests of commands that must commit whole or not at all.
pub async fn refuse_writes(app: &TestApp, name: &str, on: &str, when: &str) {
    let sql = match app.backend() {
        lianxin::db::Backend::Sqlite => vec![format!(
            "CREATE TRIGGER {name} {on} WHEN {when} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )],
        lianxin::db::Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
            ),
            format!(
                "CREATE TRIGGER {name} {on} FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {name}()"
            ),
        ],
    };
    for s in sql {
        sqlx::query(sqlx::AssertSqlSafe(s))
            .execute(&app.state.db.pool)
            .await
            .unwrap();
    }
}

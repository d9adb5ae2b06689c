//! Tests against the real `lianxin` binary over TCP: the server started as an operator starts it,
//! and HTTP/1.1 requests as a client sends them (one connection a request).

use std::process::{Child, Command, Stdio};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The server process; killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

/// Starts `lianxin serve` on `data` and `url`; its log (warnings and errors, as JSON lines) goes
/// to `data/server.log`. Returns once the port accepts connections, before `/readyz` is asked.
pub async fn serve(data: &std::path::Path, url: &str, env: &[(&str, &str)]) -> Server {
    let addr = free_addr();
    let log = data.join("server.log");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lianxin"));
    cmd.arg("serve")
        .env("LIANXIN_DATA", data)
        .env("LIANXIN_DATABASE_URL", url)
        .env("LIANXIN_LISTEN", &addr)
        .env("LIANXIN_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap();
    let server = Server {
        child,
        addr: addr.clone(),
        log,
    };
    for _ in 0..1200 {
        if tokio::net::TcpStream::connect(&addr).await.is_ok() {
            return server;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the server at {addr} never listened");
}

/// An answer: status, headers (lower-case names) and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
    /// The value of the cookie `name` that the answer sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            if !k.eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            let pair = v.trim().split(';').next()?;
            let (n, value) = pair.split_once('=')?;
            (n == name).then(|| value.to_string())
        })
    }
}

/// One request on a fresh connection. An I/O error (refused, reset, closed early) is returned
/// as such: a dropped connection is a failure the tests count.
pub async fn send(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<Answer> {
    let auth = token.map(|t| ("Authorization", format!("Bearer {t}")));
    send_with(addr, method, path, auth.as_slice(), content_type, body).await
}

/// [`send`] with headers of the caller's (cookies, a CSRF header).
pub async fn send_with(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    content_type: &str,
    body: &[u8],
) -> std::io::Result<Answer> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !content_type.is_empty() {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await?;
    s.write_all(body).await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no complete answer"))?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let mut body = buf[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    Ok(Answer { status, head, body })
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..i]).trim(), 16).unwrap_or(0);
        if size == 0 || b.len() < i + 2 + size {
            break;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + size]);
        b = &b[(i + 4 + size).min(b.len())..];
    }
    out
}

pub async fn json(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> std::io::Result<Answer> {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    send(addr, method, path, Some(token), "application/json", &bytes).await
}

pub async fn form(
    addr: &str,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
) -> std::io::Result<Answer> {
    let body = serde_urlencoded::to_string(fields).unwrap();
    send(
        addr,
        "POST",
        path,
        Some(token),
        "application/x-www-form-urlencoded",
        body.as_bytes(),
    )
    .await
}

/// A database for a server of its own: a SQLite file in `data`, or a fresh PostgreSQL database.
pub async fn server_database(data: &std::path::Path) -> (String, Option<String>) {
    match crate::support::pg_url() {
        Some(url) => {
            let name = format!(
                "lx_{}",
                &lianxin::platform::secret::random_token()[..12].to_lowercase()
            );
            let admin = lianxin::db::Db::connect(&url, None).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin.pool)
                .await
                .unwrap();
            admin.pool.close().await;
            let base = url.rsplit_once('/').unwrap().0;
            (format!("{base}/{name}"), Some(name))
        }
        None => (
            format!("sqlite://{}/lianxin.sqlite?mode=rwc", data.display()),
            None,
        ),
    }
}

pub async fn drop_database(name: Option<String>) {
    if let (Some(name), Some(url)) = (name, crate::support::pg_url()) {
        let admin = lianxin::db::Db::connect(&url, None).await.unwrap();
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&admin.pool)
        .await;
        admin.pool.close().await;
    }
}

//! A small HTTP/1.1 client for the browser tests' other participants: members voting from their
//! own phones at the same time as the browser, against the same demo server process.

use std::collections::BTreeMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Http {
    addr: String,
    cookies: BTreeMap<String, String>,
}

pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

impl Http {
    pub fn new(base: &str) -> Http {
        Http {
            addr: base.trim_start_matches("http://").to_string(),
            cookies: BTreeMap::new(),
        }
    }

    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let mut s = tokio::net::TcpStream::connect(&self.addr).await.unwrap();
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let csrf = self.cookies.get("lx_csrf").cloned().unwrap_or_default();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nAccept: */*\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if let Some(ct) = content_type {
            head.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(body).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut body = raw[split + 4..].to_vec();
        let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut chunked = false;
        for line in head.lines().skip(1) {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let name = name.trim().to_ascii_lowercase();
            if name == "set-cookie" {
                let pair = value.trim().split(';').next().unwrap_or("");
                if let Some((k, v)) = pair.split_once('=') {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
            if name == "transfer-encoding" && value.to_ascii_lowercase().contains("chunked") {
                chunked = true;
            }
        }
        if chunked {
            body = dechunk(&body);
        }
        Reply { status, body }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, None, b"").await
    }

    pub async fn json(&mut self, method: &str, path: &str, v: serde_json::Value) -> Reply {
        self.send(
            method,
            path,
            Some("application/json"),
            v.to_string().as_bytes(),
        )
        .await
    }

    /// Signs in as a demo account (the login form, with its CSRF cookie).
    pub async fn login(base: &str, user: &str) -> Http {
        let mut h = Http::new(base);
        h.get("/login").await;
        let csrf = h.cookies.get("lx_csrf").cloned().unwrap_or_default();
        let form = serde_urlencoded::to_string([
            ("username", user),
            ("password", lianxin::app::demo::DEMO_PASSWORD),
            ("next", ""),
            ("_csrf", csrf.as_str()),
        ])
        .unwrap();
        let r = h
            .send(
                "POST",
                "/login",
                Some("application/x-www-form-urlencoded"),
                form.as_bytes(),
            )
            .await;
        assert_eq!(r.status, 303, "login as {user}: {}", r.text());
        h
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..i]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + size]);
        b = &b[i + 2 + size + 2..];
    }
    out
}

//! Delivery adapters for the outbox: the log (default), plain SMTP to an intranet relay, and an
//! HTTP webhook for an SMS gateway. SMTP and the webhook speak their protocols directly over
//! TCP (no TLS: both are meant for relays inside the government network); each message carries
//! the outbox id as an idempotency key so a gateway can drop a repeat after a crash mid-send.

use super::worker::OutboxRow;
use crate::platform::config::NotifyAdapter;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Clone)]
pub struct Adapter(pub NotifyAdapter);

const TIMEOUT: Duration = Duration::from_secs(15);

impl Adapter {
    pub async fn deliver(&self, row: &OutboxRow) -> Result<(), String> {
        match &self.0 {
            NotifyAdapter::Log => {
                // The recipient is personal data: log only the channel and the id.
                tracing::info!(outbox_id = row.id, channel = %row.channel, "notice delivered to log");
                Ok(())
            }
            NotifyAdapter::Smtp { addr, from } => {
                tokio::time::timeout(TIMEOUT, smtp_send(addr, from, row))
                    .await
                    .map_err(|_| "smtp timeout".to_string())?
            }
            NotifyAdapter::Webhook { url } => tokio::time::timeout(TIMEOUT, webhook_post(url, row))
                .await
                .map_err(|_| "webhook timeout".to_string())?,
        }
    }
}

async fn smtp_send(addr: &str, from: &str, row: &OutboxRow) -> Result<(), String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("smtp connect: {e}"))?;
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    expect(&mut r, "220").await?;
    let steps = [
        ("EHLO lianxin\r\n".to_string(), "250"),
        (format!("MAIL FROM:<{from}>\r\n"), "250"),
        (format!("RCPT TO:<{}>\r\n", row.recipient), "250"),
        ("DATA\r\n".to_string(), "354"),
    ];
    for (cmd, code) in steps {
        w.write_all(cmd.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        expect(&mut r, code).await?;
    }
    let subject = encode_header(&row.subject);
    // SMTP lines end in CRLF; a line starting with '.' gets another '.' (RFC 5321 §4.5.2).
    let crlf = row.body.replace("\r\n", "\n").replace('\n', "\r\n");
    let body = format!("\r\n{crlf}").replace("\r\n.", "\r\n..");
    let body = &body[2..];
    let msg = format!(
        "From: <{from}>\r\nTo: <{}>\r\nSubject: {subject}\r\nMessage-ID: <outbox-{}@lianxin>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n.\r\n",
        row.recipient, row.id
    );
    w.write_all(msg.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    expect(&mut r, "250").await?;
    let _ = w.write_all(b"QUIT\r\n").await;
    Ok(())
}

/// Reads one (possibly multi-line) SMTP reply and checks its code.
async fn expect<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R, code: &str) -> Result<(), String> {
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("smtp: connection closed".into());
        }
        if !line.starts_with(code) {
            return Err(format!("smtp: expected {code}, got {}", line.trim_end()));
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}

/// RFC 2047 encoded-word for a UTF-8 subject.
fn encode_header(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let hex: String = s.bytes().map(|b| format!("={b:02X}")).collect();
    format!("=?UTF-8?Q?{hex}?=")
}

async fn webhook_post(url: &str, row: &OutboxRow) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("webhook url must be http:// (intranet gateway)")?;
    let (host, path) = match rest.split_once('/') {
        Some((h, p)) => (h, format!("/{p}")),
        None => (rest, "/".to_string()),
    };
    let body = serde_json::json!({
        "id": row.id, "channel": row.channel, "to": row.recipient, "subject": row.subject, "text": row.body
    })
    .to_string();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Idempotency-Key: outbox-{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        row.id,
        body.len()
    );
    let mut stream = TcpStream::connect(host)
        .await
        .map_err(|e| format!("webhook connect: {e}"))?;
    stream
        .write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut r = BufReader::new(stream);
    let mut status = String::new();
    r.read_line(&mut status).await.map_err(|e| e.to_string())?;
    let code: u16 = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    if (200..300).contains(&code) {
        Ok(())
    } else {
        Err(format!("webhook answered {}", status.trim_end()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn chinese_subjects_are_encoded() {
        assert_eq!(super::encode_header("hi"), "hi");
        assert!(super::encode_header("通知").starts_with("=?UTF-8?Q?=E9=80=9A"));
    }
}

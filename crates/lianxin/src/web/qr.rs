//! QR codes as SVG (no JavaScript, no image library): the second factor's enrolment, and the
//! printable codes that lead citizens to a deputy's or a station's opinion form.

/// The data as an SVG QR code with its quiet zone, at least 200 px.
pub fn svg(data: &str) -> Option<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

/// The site's own origin as the request reached it (`https://host` behind a TLS proxy), for
/// links printed on paper; None for a Host header that is not a plain host name.
pub fn origin(headers: &axum::http::HeaderMap, tls: bool) -> Option<String> {
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let plain = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    plain.then(|| format!("{}://{host}", if tls { "https" } else { "http" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_code_and_only_plain_hosts() {
        assert!(
            svg("https://example.cn/opinions/1/new?deputy=2")
                .unwrap()
                .starts_with("<?xml")
        );
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::HOST,
            "renda.example.cn:8080".parse().unwrap(),
        );
        assert_eq!(
            origin(&h, true).as_deref(),
            Some("https://renda.example.cn:8080")
        );
        h.insert(axum::http::header::HOST, "evil.example/x?".parse().unwrap());
        assert_eq!(origin(&h, false), None);
    }
}

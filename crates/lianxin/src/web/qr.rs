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

/// The site's origin for links printed on paper and shown on the room's screen: the configured
/// `public_url`, never the request's `Host` header (a client could make the server print a QR
/// code that leads citizens to another site).
pub fn origin(config: &crate::platform::config::Config) -> &str {
    &config.public_url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_code_and_the_configured_origin_only() {
        assert!(
            svg("https://example.cn/opinions/1/new?deputy=2")
                .unwrap()
                .starts_with("<?xml")
        );
        // A Host header of the client's choosing changes nothing: the configured origin.
        let flags = crate::platform::config::Layer {
            public_url: Some("https://renda.example.cn/".into()),
            ..Default::default()
        };
        let c = crate::platform::config::resolve(Default::default(), Default::default(), flags)
            .unwrap();
        assert_eq!(origin(&c), "https://renda.example.cn");
        for bad in [
            "ftp://x",
            "https://evil.example/x?",
            "https://",
            "renda.example.cn",
        ] {
            let flags = crate::platform::config::Layer {
                public_url: Some(bad.into()),
                ..Default::default()
            };
            assert!(
                crate::platform::config::resolve(Default::default(), Default::default(), flags)
                    .is_err(),
                "{bad}"
            );
        }
        let c = crate::platform::config::resolve(
            Default::default(),
            Default::default(),
            Default::default(),
        )
        .unwrap();
        assert_eq!(origin(&c), format!("http://{}", c.listen));
    }
}

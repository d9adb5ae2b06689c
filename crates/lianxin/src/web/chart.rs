//! 图表 — horizontal stacked bar charts as inline SVG, drawn on the server: no script, no chart
//! library, readable in elder mode (the text is real text) and printable. Each bar carries a
//! `<title>` with its figures, and the caller puts the same figures in a table next to it, so the
//! chart is never the only way to read them.

/// One bar: its label and its segments (value, CSS class), drawn in order from the left.
pub struct Bar {
    pub label: String,
    pub segments: Vec<(i64, &'static str)>,
    /// What the tooltip and screen readers say of the bar.
    pub title: String,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const ROW: i64 = 28;
const LABEL: i64 = 180;
const WIDTH: i64 = 720;

/// The chart of `bars`, scaled to the largest total; `caption` names it for screen readers.
pub fn bars(caption: &str, bars: &[Bar]) -> String {
    let max = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.0.max(0)).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * bars.len() as i64 + 8;
    let mut out = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">",
        esc(caption)
    );
    let span = WIDTH - LABEL - 60;
    for (i, b) in bars.iter().enumerate() {
        let y = ROW * i as i64 + 4;
        let label: String = b.label.chars().take(12).collect();
        out.push_str(&format!(
            "<g><title>{}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"chart-label\">{}</text>",
            esc(&b.title),
            LABEL - 8,
            y + 17,
            esc(&label)
        ));
        let mut x = LABEL;
        let mut total = 0;
        for (v, class) in &b.segments {
            let v = (*v).max(0);
            total += v;
            let w = v * span / max;
            if w > 0 {
                out.push_str(&format!(
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"20\" class=\"{class}\"/>"
                ));
            }
            x += w;
        }
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"chart-value\">{total}</text></g>",
            x + 6,
            y + 16
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars(
            "图<1>",
            &[
                Bar {
                    label: "教育<script>".into(),
                    segments: vec![(3, "a"), (1, "b")],
                    title: "t".into(),
                },
                Bar {
                    label: "卫生".into(),
                    segments: vec![(2, "a"), (0, "b")],
                    title: "t".into(),
                },
            ],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("aria-label=\"图&lt;1&gt;\""));
        // The first bar (total 4) spans the whole width; the second half of it.
        assert!(svg.contains("width=\"360\" height=\"20\" class=\"a\""));
        assert!(svg.contains("width=\"240\" height=\"20\" class=\"a\""));
        assert_eq!(
            svg.matches("<rect").count(),
            3,
            "an empty segment draws nothing"
        );
    }

    #[test]
    fn no_bars_is_an_empty_chart_not_a_division_by_zero() {
        assert!(bars("x", &[]).ends_with("</svg>"));
    }
}

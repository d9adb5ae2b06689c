//! 文书 — the assignment notice (交办通知) and the reply letter (答复函) as DOCX, filled from
//! templates the office can edit. A template is plain text with placeholders in braces; its first
//! line is the title, a line ending in "：" is the addressee, lines starting with spaces are body
//! paragraphs (first line indented two characters), and the last two lines are the signature and
//! the date (right-aligned) — the layout of GB/T 9704 government documents, in the fonts offices
//! have installed (方正小标宋简体 for the title, 仿宋_GB2312 for the text).

use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, SpecialIndentType};

/// The kinds of document, with their built-in templates.
pub const KINDS: &[(&str, &str)] = &[
    (
        "assignment_notice",
        "关于交办{人大名称}代表建议{编号}的通知\n\n{主办单位}：\n    现将{领衔代表}代表提出的《{标题}》交由你单位主办{协办说明}。请依照《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》第五十一条的规定认真研究办理，于{答复期限}前书面答复代表，并抄送本委。\n    联系人：代表工作委员会\n\n{人大名称}常务委员会代表工作委员会\n{日期}",
    ),
    (
        "reply_letter",
        "关于{人大名称}代表建议{编号}的答复\n\n{领衔代表}代表：\n    您提出的《{标题}》收悉。经认真研究，现答复如下：\n{答复内容}\n    本件答复为{答复分类}。感谢您对我们工作的关心和支持。\n\n{承办单位}\n{日期}",
    ),
];

pub fn default_template(kind: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t)
}

/// Fills `{名称}` placeholders; unknown ones stay visible so that a typo in a template shows.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";

fn run(text: &str, font: &str, half_points: usize) -> Run {
    Run::new()
        .add_text(text)
        .fonts(RunFonts::new().east_asia(font).ascii(font).hi_ansi(font))
        .size(half_points)
}

/// The filled text laid out as a DOCX document.
pub fn render(text: &str) -> Result<Vec<u8>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let last_two: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, _)| i)
        .rev()
        .take(2)
        .collect();
    let mut doc = Docx::new();
    for (i, line) in lines.iter().enumerate() {
        let p = if i == 0 {
            // 二号 (22 pt) title, centred.
            Paragraph::new()
                .add_run(run(line.trim(), TITLE_FONT, 44))
                .align(AlignmentType::Center)
        } else if line.trim().is_empty() {
            Paragraph::new()
        } else if last_two.contains(&i) {
            Paragraph::new()
                .add_run(run(line.trim(), BODY_FONT, 32))
                .align(AlignmentType::Right)
        } else if line.starts_with(' ') || line.starts_with('\u{3000}') {
            // 三号 (16 pt) body, first line indented two characters.
            Paragraph::new()
                .add_run(run(line.trim(), BODY_FONT, 32))
                .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        } else {
            Paragraph::new().add_run(run(line.trim(), BODY_FONT, 32))
        };
        doc = doc.add_paragraph(p);
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_stay_visible() {
        let t = "{标题}：{未知}";
        assert_eq!(fill(t, &[("标题", "甲".into())]), "甲：{未知}");
        for (kind, _) in KINDS {
            assert!(default_template(kind).is_some());
        }
    }

    #[test]
    fn a_document_is_a_word_file() {
        let bytes = render("标题\n\n某单位：\n    正文。\n\n署名\n2026年3月2日").unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(bytes.len() > 1000);
    }
}

//! 公文 — a filled text laid out as a DOCX document in the layout of GB/T 9704 government
//! documents: the first line is the title, a line ending in "：" is the addressee, lines starting
//! with spaces are body paragraphs (first line indented two characters), 一、… lines are headings,
//! and the last two lines are the signature and the date (right-aligned), in the fonts offices
//! have installed (方正小标宋简体 for the title, 仿宋_GB2312 for the text). Suggestions' letters,
//! meetings' minutes and paper ballots use it.

use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, SpecialIndentType};

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
const HEADING_FONT: &str = "黑体";

/// A first-level heading: 一、 … 十、 at the start of an unindented line.
fn is_heading(line: &str) -> bool {
    let head: String = line
        .chars()
        .take_while(|c| "一二三四五六七八九十".contains(*c))
        .collect();
    !head.is_empty() && line[head.len()..].starts_with('、')
}

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
        } else if is_heading(line) {
            // 一级标题 in 黑体, as GB/T 9704 lays out numbered sections.
            Paragraph::new()
                .add_run(run(line.trim(), HEADING_FONT, 32))
                .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
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
    fn numbered_sections_are_headings_and_nothing_else_is() {
        assert!(is_heading("一、基本情况"));
        assert!(is_heading("十二、其他"));
        assert!(!is_heading("    一、缩进的是正文"));
        assert!(!is_heading("一是加强督办"));
        assert!(!is_heading("关于报告"));
    }

    #[test]
    fn a_document_is_a_word_file() {
        let bytes = render("标题\n\n某单位：\n    正文。\n\n署名\n2026年3月2日").unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(bytes.len() > 1000);
    }
}

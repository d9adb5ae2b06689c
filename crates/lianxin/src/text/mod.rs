//! 中文文本 — Chinese text as search needs it: normalisation (traditional → simplified with the
//! OpenCC data of `hanconv`, full-width → half-width, whitespace folding, removal of the pinyin
//! annotations some web pages put after characters, control characters dropped), segmentation
//! (jieba in search mode plus character bigrams, so recall does not depend on the dictionary),
//! query terms, highlighting on the original text, and keywords for "hot topics".

use jieba_rs::{Jieba, KeywordExtract, TextRank};
use std::collections::BTreeSet;
use std::sync::{LazyLock, RwLock};

/// The user dictionary's version; bump when `dict.txt` changes (indexed text may then be re-indexed).
pub const DICT_VERSION: u32 = 1;
const DICT: &str = include_str!("dict.txt");

static JIEBA: LazyLock<RwLock<Jieba>> = LazyLock::new(|| {
    let mut j = Jieba::new();
    for line in DICT
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut parts = line.split_whitespace();
        if let Some(word) = parts.next() {
            j.add_word(word, parts.next().and_then(|f| f.parse().ok()), None);
        }
    }
    RwLock::new(j)
});

pub mod docx;
pub mod redact;
pub mod similar;
pub mod strokes;

/// The names in a list as people type it: separated by 、 , ， or white space (co-signers,
/// deputies on duty).
pub fn name_list(s: &str) -> Vec<&str> {
    s.split(|c: char| c == '、' || c == ',' || c == '，' || c.is_whitespace())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect()
}

pub fn add_words<'a>(words: impl IntoIterator<Item = &'a str>) {
    if let Ok(mut j) = JIEBA.write() {
        for w in words {
            if w.chars().count() >= 2 {
                j.add_word(w, Some(20_000), None);
            }
        }
    }
}

pub fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüÜ".contains(c)
}

/// Removes `(qū)`, `（cè）`, `(qu1)` right after a Han character; returns the kept char indices.
fn strip_pinyin(chars: &[char]) -> Vec<usize> {
    let mut keep = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        keep.push(i);
        if is_han(chars[i]) {
            let mut j = i + 1;
            // One or more annotations in a row.
            while let Some(&open) = chars.get(j) {
                if open != '(' && open != '（' {
                    break;
                }
                let mut k = j + 1;
                while chars.get(k).is_some_and(|c| *c == ' ') {
                    k += 1;
                }
                let letters_start = k;
                while chars.get(k).is_some_and(|c| is_pinyin_letter(*c)) {
                    k += 1;
                }
                if k == letters_start || k - letters_start > 7 {
                    break;
                }
                if chars.get(k).is_some_and(|c| ('1'..='5').contains(c)) {
                    k += 1;
                }
                while chars.get(k).is_some_and(|c| *c == ' ') {
                    k += 1;
                }
                if !matches!(chars.get(k), Some(')') | Some('）')) {
                    break;
                }
                j = k + 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    keep
}

/// Full-width ASCII forms and the ideographic space to their half-width forms.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Normalised text and, for each of its characters, the index of the original character it came
/// from (when traditional → simplified kept the length; otherwise `None`).
pub fn normalize_with_map(s: &str) -> (String, Option<Vec<usize>>) {
    let chars: Vec<char> = s.chars().collect();
    let kept = strip_pinyin(&chars);
    let mut folded = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(kept.len());
    let mut last_space = true;
    for &i in &kept {
        let c = half_width(chars[i]);
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        folded.push(c.to_lowercase().next().unwrap_or(c));
        map.push(i);
    }
    if folded.ends_with(' ') {
        folded.pop();
        map.pop();
    }
    let simplified = hanconv::t2s(&folded);
    let same_length = simplified.chars().count() == map.len();
    (simplified, same_length.then_some(map))
}

/// Normalised text: what is indexed and what queries are compared with.
pub fn normalize(s: &str) -> String {
    normalize_with_map(s).0
}

/// Runs of Han characters and of letters/digits in normalised text.
fn runs(norm: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    for c in norm.chars() {
        let kind = if is_han(c) {
            Some(true)
        } else if c.is_alphanumeric() {
            Some(false)
        } else {
            None
        };
        match (kind, out.last_mut()) {
            (Some(k), Some((lk, run))) if *lk == k => run.push(c),
            (Some(k), _) => out.push((k, c.to_string())),
            (None, _) => out.push((false, String::new())),
        }
    }
    out.into_iter().filter(|(_, r)| !r.is_empty()).collect()
}

/// Index tokens of a text: jieba search-mode words, the character bigrams of every Han run and
/// its last character (so that one-character queries find it too), and lower-cased alphanumeric
/// words. Space-separated, for FTS5 and PostgreSQL `simple` alike.
pub fn tokens(s: &str) -> Vec<String> {
    let norm = normalize(s);
    let mut out = BTreeSet::new();
    if let Ok(j) = JIEBA.read() {
        for t in j.cut_for_search(&norm, true) {
            let w = t.word.trim();
            if w.chars().count() >= 2 && w.chars().all(|c| is_han(c) || c.is_alphanumeric()) {
                out.insert(w.to_string());
            }
        }
    }
    for (han, run) in runs(&norm) {
        if han {
            let cs: Vec<char> = run.chars().collect();
            for w in cs.windows(2) {
                out.insert(w.iter().collect());
            }
            if let Some(last) = cs.last() {
                out.insert(last.to_string());
            }
        } else {
            out.insert(run);
        }
    }
    out.into_iter().collect()
}

/// A query term: an exact token, or a prefix (a single Han character, or a short word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Exact(String),
    Prefix(String),
}

/// The terms of a query, all of which a document must contain: the bigrams of every Han run (a
/// one-character run as a prefix) and alphanumeric words (the last as a prefix, for typing).
pub fn query_terms(q: &str) -> Vec<Term> {
    let norm = normalize(q);
    let all = runs(&norm);
    let mut out = Vec::new();
    for (i, (han, run)) in all.iter().enumerate() {
        if *han {
            let cs: Vec<char> = run.chars().collect();
            if cs.len() == 1 {
                out.push(Term::Prefix(run.clone()));
            }
            for w in cs.windows(2) {
                out.push(Term::Exact(w.iter().collect()));
            }
        } else if i + 1 == all.len() {
            out.push(Term::Prefix(run.clone()));
        } else {
            out.push(Term::Exact(run.clone()));
        }
    }
    out.dedup();
    out.truncate(32);
    out
}

/// The parts of `original` matching the query, as (text, matched) pieces for highlighting. When
/// normalisation changed the text's length, the normalised text is highlighted instead.
pub fn highlight(original: &str, q: &str) -> Vec<(String, bool)> {
    let (norm, map) = normalize_with_map(original);
    let qn = normalize(q);
    let needles: Vec<Vec<char>> = runs(&qn)
        .into_iter()
        .map(|(_, r)| r.chars().collect())
        .filter(|r: &Vec<char>| !r.is_empty())
        .collect();
    let nchars: Vec<char> = norm.chars().collect();
    let mut hit = vec![false; nchars.len()];
    for needle in &needles {
        if needle.len() > nchars.len() {
            continue;
        }
        for start in 0..=nchars.len() - needle.len() {
            if nchars[start..start + needle.len()] == needle[..] {
                hit[start..start + needle.len()]
                    .iter_mut()
                    .for_each(|h| *h = true);
            }
        }
    }
    let (source, flags): (Vec<char>, Vec<bool>) = match map {
        Some(map) => {
            let orig: Vec<char> = original.chars().collect();
            let mut flags = vec![false; orig.len()];
            for (k, &i) in map.iter().enumerate() {
                if hit[k] {
                    flags[i] = true;
                }
            }
            (orig, flags)
        }
        None => (nchars, hit),
    };
    let mut out: Vec<(String, bool)> = Vec::new();
    for (c, f) in source.into_iter().zip(flags) {
        match out.last_mut() {
            Some((s, lf)) if *lf == f => s.push(c),
            _ => out.push((c.to_string(), f)),
        }
    }
    out
}

/// The `n` most salient words of a set of texts (TextRank), for "hot topics".
pub fn keywords(texts: &[&str], n: usize) -> Vec<(String, f64)> {
    let joined = texts
        .iter()
        .map(|t| normalize(t))
        .collect::<Vec<_>>()
        .join("。");
    let Ok(j) = JIEBA.read() else {
        return Vec::new();
    };
    let ranker = TextRank::default();
    let pos = ["ns", "n", "vn", "v", "nz", "nt"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    ranker
        .extract_keywords(&j, &joined, n, pos)
        .into_iter()
        .map(|k| (k.keyword, k.weight))
        .collect()
}

/// Refuses text with control characters other than line breaks and tabs (input validation).
pub fn has_bad_controls(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn name_lists_split_on_chinese_and_latin_separators() {
        assert_eq!(
            super::name_list(" 张三、李四,王五，赵六  钱七 "),
            vec!["张三", "李四", "王五", "赵六", "钱七"]
        );
        assert!(super::name_list("、 ,").is_empty());
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn traditional_full_width_and_pinyin_annotations_are_folded() {
        assert_eq!(
            normalize("區(qū)委書記劉自強(qiáng)出席會議"),
            "区委书记刘自强出席会议"
        );
        assert_eq!(
            normalize("測（cè）試(ce4)  Ｈｅｌｌｏ，　ＷＯＲＬＤ"),
            "测试 hello, world"
        );
        assert_eq!(normalize("頭髮乾燥"), "头发干燥");
        assert_eq!(
            normalize("abc(def) 人(not pinyin)"),
            "abc(def) 人(not pinyin)",
            "only after a Han character, only pinyin"
        );
        assert_eq!(
            normalize("区(qū)(qu1)委"),
            "区委",
            "doubled annotations in one pass"
        );
        assert_eq!(normalize("a\u{7}b\n\nc"), "a b c");
    }

    #[test]
    fn tokens_give_words_and_bigrams_and_queries_match_across_scripts() {
        let t = tokens("区委书记刘自强出席会议");
        for w in ["区委书记", "区委", "委书", "书记", "刘自", "自强", "议"] {
            assert!(t.contains(&w.to_string()), "{w} in {t:?}");
        }
        let q = query_terms("區委書記");
        assert_eq!(
            q,
            vec![
                Term::Exact("区委".into()),
                Term::Exact("委书".into()),
                Term::Exact("书记".into())
            ]
        );
        assert!(
            q.iter()
                .all(|term| matches!(term, Term::Exact(x) if t.contains(x)))
        );
        assert_eq!(query_terms("王"), vec![Term::Prefix("王".into())]);
        assert_eq!(query_terms("  "), vec![]);
        assert_eq!(
            query_terms("GDP 增长"),
            vec![Term::Exact("gdp".into()), Term::Exact("增长".into())]
        );
    }

    #[test]
    fn highlights_land_on_the_original_characters() {
        let h = highlight("區委書記劉自強", "区委书记");
        assert_eq!(
            h,
            vec![
                ("區委書記".to_string(), true),
                ("劉自強".to_string(), false)
            ]
        );
        let h = highlight("区(qū)委书记", "委书");
        let marked: String = h
            .iter()
            .filter(|(_, m)| *m)
            .map(|(s, _)| s.as_str())
            .collect();
        assert_eq!(marked, "委书");
    }

    #[test]
    fn the_user_dictionary_keeps_names_whole() {
        assert!(
            !tokens("钟离梦然来了").contains(&"钟离梦然".to_string()),
            "not a word before"
        );
        add_words(["钟离梦然"]);
        assert!(
            tokens("钟离梦然来了").contains(&"钟离梦然".to_string()),
            "a deputy's name is one word after"
        );
        assert!(
            tokens("人大代表联络站").contains(&"人大代表".to_string()),
            "congress vocabulary"
        );
    }

    #[test]
    fn keywords_find_the_topic() {
        let k = keywords(
            &[
                "小区停车难问题突出，建议增加停车位",
                "老旧小区停车位不足",
                "停车收费不合理",
            ],
            3,
        );
        assert!(k.iter().any(|(w, _)| w.contains("停车")), "{k:?}");
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent_and_keeps_han_characters(s in "[a-zA-Z0-9 （）()区委書記劉自強會議qūáǎ]{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            let han_in = s.chars().filter(|c| is_han(*c)).count();
            let han_out = once.chars().filter(|c| is_han(*c)).count();
            prop_assert_eq!(han_in, han_out);
        }
    }
}

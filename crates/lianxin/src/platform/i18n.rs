//! Messages in Simplified Chinese (the default) and English. Both catalogues live beside this
//! file as `key = text` lines; a test checks that every key exists in both and that every key the
//! code and templates use is defined.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh" | "zh-cn" => Some(Lang::Zh),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks a language from an Accept-Language header; Chinese unless English is preferred first.
    pub fn from_accept(header: &str) -> Lang {
        let first = header
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if first.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

pub const ZH_SOURCE: &str = include_str!("messages/zh-CN.txt");
pub const EN_SOURCE: &str = include_str!("messages/en.txt");

pub fn parse_catalogue(src: &str) -> HashMap<&str, &str> {
    src.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

static ZH: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| parse_catalogue(ZH_SOURCE));
static EN: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| parse_catalogue(EN_SOURCE));

/// The message for `key`; a missing key shows as itself (and fails the catalogue test).
pub fn tr(lang: Lang, key: &str) -> &str {
    let cat = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    cat.get(key).copied().unwrap_or(key)
}

/// The message for `key` with `{name}` placeholders filled in.
pub fn trf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// Translator handed to templates: `{{ t.t("nav.home") }}`.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Lang);

impl T {
    pub fn t(&self, key: impl AsRef<str>) -> String {
        tr(self.0, key.as_ref()).to_string()
    }

    /// The message under `prefix.key` (e.g. `status.in_office`).
    pub fn k(&self, prefix: &str, key: impl AsRef<str>) -> String {
        tr(self.0, &format!("{prefix}.{}", key.as_ref())).to_string()
    }

    pub fn f(&self, key: &str, name: &str, value: impl AsRef<str>) -> String {
        trf(self.0, key, &[(name, value.as_ref())])
    }

    pub fn is_zh(&self) -> bool {
        self.0 == Lang::Zh
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_catalogues_have_the_same_keys_and_no_empty_text() {
        let zh = parse_catalogue(ZH_SOURCE);
        let en = parse_catalogue(EN_SOURCE);
        let zk: BTreeSet<_> = zh.keys().collect();
        let ek: BTreeSet<_> = en.keys().collect();
        let only_zh: Vec<_> = zk.difference(&ek).collect();
        let only_en: Vec<_> = ek.difference(&zk).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "zh only: {only_zh:?}; en only: {only_en:?}"
        );
        assert!(zh.values().chain(en.values()).all(|v| !v.is_empty()));
        // Every line is either a comment, blank, or a `key = text` pair (no silent typos).
        for src in [ZH_SOURCE, EN_SOURCE] {
            for l in src
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            {
                assert!(l.contains(" = "), "malformed catalogue line: {l}");
            }
        }
    }

    #[test]
    fn every_key_used_in_code_and_templates_is_defined() {
        let zh = parse_catalogue(ZH_SOURCE);
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                if ext != "rs" && ext != "html" {
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                let namespaces: BTreeSet<&str> =
                    zh.keys().filter_map(|k| k.split('.').next()).collect();
                for key in used_keys(&text) {
                    let known_namespace = key
                        .split('.')
                        .next()
                        .is_some_and(|ns| namespaces.contains(ns));
                    if known_namespace && !zh.contains_key(key.as_str()) {
                        missing.push(format!("{}: {key}", p.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "undefined message keys:\n{}",
            missing.join("\n")
        );
    }

    /// Keys appear in code as `"ns.name"` literals passed to tr/t/FieldError; we look for string
    /// literals of the form `"lowercase.segments"` after `t(`, `tr(`, `trf(`, `f(`, or key markers.
    fn used_keys(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for marker in [
            "t.t(\"",
            "tr(lang, \"",
            "tr(ctx.lang, \"",
            "t.f(\"",
            "key: \"",
            "msg(\"",
            "FieldError::new(\"",
        ] {
            let mut rest = text;
            while let Some(i) = rest.find(marker) {
                rest = &rest[i + marker.len()..];
                let key: String = rest.chars().take_while(|c| *c != '"').collect();
                if marker == "FieldError::new(\"" {
                    // The second literal of the same call is the key.
                    let call: String = rest
                        .chars()
                        .take_while(|c| *c != ')' && *c != '\n')
                        .collect();
                    if let Some(j) = call.find(", \"") {
                        out.push(call[j + 3..].chars().take_while(|c| *c != '"').collect());
                    }
                    continue;
                }
                if key.contains('.')
                    && key.chars().all(|c| {
                        c.is_ascii_lowercase() || c == '.' || c == '_' || c.is_ascii_digit()
                    })
                {
                    out.push(key);
                }
            }
        }
        out
    }

    #[test]
    fn accept_language_prefers_chinese() {
        assert_eq!(Lang::from_accept("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept(""), Lang::Zh);
        assert_eq!(trf(Lang::En, "test.hello", &[("name", "Li")]), "Hello, Li");
    }
}

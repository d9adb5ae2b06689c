//! The walls of the house, read from the sources (issue 18): the layer order, slices that keep
//! their stores to themselves, SQL only in store files, and no cycle among the modules. Each rule
//! has a test on a made-up source that shows the scan catches what it forbids.
//!
//! A file belongs to its top-level module; a module's *handler* files (those that use the web
//! layer: `axum`, `crate::web`, `AppState`) sit in the band of the domain slices whatever the
//! module's own rank, so that a shared layer may have pages without the layers below the web
//! toolkit depending on it.

use crate::support::rust_sources;
use std::collections::{BTreeMap, BTreeSet};

/// The layer order, lowest first. A module may use modules of a lower rank, and of its own rank
/// as long as no cycle forms; never one of a higher rank.
const LAYERS: &[(&str, u8)] = &[
    ("platform", 0),
    ("db", 1),
    // Shared layers: text processing, search, the audit chain, uploads, the inbox and outbox and
    // the daily-job claim, the legal calendar, settings, the congresses, accounts and policy.
    ("text", 2),
    ("audit", 2),
    ("attachments", 2),
    ("search", 3),
    ("notify", 3),
    ("congress", 3),
    ("calendar", 4),
    ("settings", 5),
    ("accounts", 6),
    // The web toolkit: state, context, extractors, shell, errors, the home-card interface.
    ("web", 7),
    // Domain slices (and every module's handler files).
    ("people", HANDLERS),
    ("stations", HANDLERS),
    ("suggestions", HANDLERS),
    ("opinions", HANDLERS),
    ("meetings", HANDLERS),
    ("livelihood", HANDLERS),
    ("privacy", HANDLERS),
    ("portal", HANDLERS),
    // The application layer: router, OpenAPI, home page, daily jobs, server, CLI, demo.
    ("app", 9),
];

const HANDLERS: u8 = 8;

/// The modules whose SQL is the storage layer itself (migrations, transactions, backup).
const STORAGE: &[&str] = &["db"];

fn rank(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The source without comments (a doc link to a higher layer is no dependency).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_handler(module: &str, code: &str) -> bool {
    module != "web"
        && (code.contains("axum") || code.contains("crate::web") || code.contains("AppState"))
}

/// The top-level modules a file names, as `crate::m` paths or inside `use crate::{m, …}` groups.
fn modules_used(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let word = |s: &str| {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + 7..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: those at brace depth 0.
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => {
                        out.insert(word(&group[j..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(word(rest));
        }
    }
    out
}

struct Module {
    name: String,
    handler: bool,
}

fn module_of(rel: &str) -> String {
    rel.split('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".rs")
        .to_string()
}

/// Every reference from one module to another, as (from node, to module, file).
fn edges(sources: &[(String, String)]) -> Vec<(Module, String, String)> {
    let mut out = Vec::new();
    for (rel, text) in sources {
        let name = module_of(rel);
        if name == "lib" || name == "main" {
            continue;
        }
        let code = code(text);
        // Unit tests may reach anywhere; the walls are for the product's code.
        let code = code.split("#[cfg(test)]").next().unwrap_or_default();
        let handler = is_handler(&name, code);
        for used in modules_used(code) {
            if used != name && rank(&used).is_some() {
                out.push((
                    Module {
                        name: name.clone(),
                        handler,
                    },
                    used,
                    rel.clone(),
                ));
            }
        }
    }
    out
}

/// References that run down the layer order the wrong way: a module using one above it.
fn upward(sources: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (from, to, file) in edges(sources) {
        let (Some(mut r_from), Some(r_to)) = (rank(&from.name), rank(&to)) else {
            found.push(format!("{file}: module {} is not in LAYERS", from.name));
            continue;
        };
        if from.handler {
            r_from = r_from.max(HANDLERS);
        }
        if r_to > r_from {
            found.push(format!(
                "{file}: {} (rank {r_from}) uses {to} (rank {r_to})",
                from.name
            ));
        }
    }
    found
}

/// The cycles among the modules (handler files counted as their own node), each as its members.
fn cycles(sources: &[(String, String)]) -> Vec<Vec<String>> {
    let node = |m: &Module| {
        if m.handler {
            format!("{}:handlers", m.name)
        } else {
            m.name.clone()
        }
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to, _) in edges(sources) {
        let n = node(&from);
        if from.handler {
            graph
                .entry(n.clone())
                .or_default()
                .insert(from.name.clone());
        }
        graph.entry(n).or_default().insert(to);
    }
    // Strongly connected components (Tarjan), iterative enough for forty nodes by recursion.
    struct Tarjan<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on: BTreeSet<String>,
        out: Vec<Vec<String>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: &str) {
            let i = self.index.len();
            self.index.insert(v.into(), i);
            self.low.insert(v.into(), i);
            self.stack.push(v.into());
            self.on.insert(v.into());
            let next: Vec<String> = self.graph.get(v).into_iter().flatten().cloned().collect();
            for w in next {
                if !self.index.contains_key(&w) {
                    self.visit(&w);
                    let lw = self.low[&w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if self.on.contains(&w) {
                    let iw = self.index[&w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on.remove(&w);
                    let done = w == v;
                    comp.push(w);
                    if done {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    let nodes: Vec<String> = graph.keys().cloned().collect();
    for n in nodes {
        if !t.index.contains_key(&n) {
            t.visit(&n);
        }
    }
    t.out
}

/// Paths into another module's store (`crate::x::store`, `lianxin::x::store`), and stores
/// declared public.
fn foreign_stores(sources: &[(String, String)], crate_name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (rel, text) in sources {
        let me = module_of(rel);
        let code = code(text);
        for (i, _) in code.match_indices(crate_name) {
            let path: String = code[i + crate_name.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let parts: Vec<&str> = path.split("::").collect();
            if parts.len() >= 2 && parts[1] == "store" && parts[0] != me {
                found.push(format!("{rel}: {crate_name}{path}"));
            }
        }
        if rel.ends_with("mod.rs") && code.lines().any(|l| l.trim() == "pub mod store;") {
            found.push(format!("{rel}: pub mod store"));
        }
    }
    found
}

fn is_store_file(rel: &str) -> bool {
    rel.ends_with("/store.rs")
        || rel.contains("/store/")
        || STORAGE.contains(&module_of(rel).as_str())
}

/// Lines that send SQL, outside store files.
fn sql_outside_stores(sources: &[(String, String)]) -> Vec<String> {
    const SQL: &[&str] = &[
        "sqlx::query",
        "sqlx::raw_sql",
        "\"SELECT ",
        "\"INSERT INTO",
        "\"UPDATE ",
        "\"DELETE FROM",
        "\"WITH ",
    ];
    let mut found = Vec::new();
    for (rel, text) in sources {
        if is_store_file(rel) {
            continue;
        }
        let code = code(text);
        let code = code.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines() {
            if SQL.iter().any(|s| line.contains(s)) {
                found.push(format!("{rel}: {}", line.trim()));
            }
        }
    }
    found
}

fn product() -> Vec<(String, String)> {
    rust_sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

fn src(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

#[test]
fn no_module_uses_one_above_it() {
    let found = upward(&product());
    assert!(found.is_empty(), "upward imports:\n{}", found.join("\n"));
}

#[test]
fn the_layer_scan_finds_an_upward_import() {
    let bad = src(&[
        ("web/shell.rs", "use crate::suggestions::service;\n"),
        ("audit/mod.rs", "fn f() { crate::accounts::policy(); }\n"),
        (
            "calendar/mod.rs",
            "// a doc link to crate::app is no import\n",
        ),
        (
            "accounts/admin.rs",
            "use axum::Router;\nuse crate::people::Named;\n",
        ),
    ]);
    let found = upward(&bad);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("web/shell.rs") && found[1].starts_with("audit/mod.rs"));
}

#[test]
fn no_cycle_among_modules() {
    let found = cycles(&product());
    assert!(found.is_empty(), "cycles: {found:?}");
}

#[test]
fn the_cycle_scan_finds_a_cycle() {
    let bad = src(&[
        ("suggestions/service.rs", "use crate::opinions::service;\n"),
        (
            "opinions/service/mod.rs",
            "use crate::{people, suggestions::Scope};\n",
        ),
        (
            "people/pages.rs",
            "use crate::web::AppState;\nuse crate::meetings;\n",
        ),
        ("meetings/service.rs", "use crate::people;\n"),
    ]);
    assert_eq!(cycles(&bad), vec![vec!["opinions", "suggestions"]]);
}

#[test]
fn stores_are_private_to_their_slice() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = foreign_stores(&product(), "crate::");
    for root in [manifest.join("tests"), manifest.join("../bench/src")] {
        found.extend(foreign_stores(&rust_sources(&root), "lianxin::"));
    }
    assert!(
        found.is_empty(),
        "another slice's store:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_store_scan_finds_a_foreign_store() {
    let bad = src(&[
        (
            "accounts/store/mod.rs",
            "crate::meetings::store::checked_in_open(db, u)",
        ),
        ("meetings/service.rs", "use crate::meetings::store;\n"),
        ("people/mod.rs", "pub mod store;\n"),
    ]);
    let found = foreign_stores(&bad, "crate::");
    assert_eq!(found.len(), 2, "{found:?}");
}

#[test]
fn sql_is_sent_only_from_store_files() {
    let found = sql_outside_stores(&product());
    assert!(
        found.is_empty(),
        "SQL outside store files:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_sql_scan_finds_sql_in_a_service() {
    let bad = src(&[
        ("notify/mod.rs", "sqlx::query(\"DELETE FROM notices\")"),
        ("notify/store.rs", "sqlx::query(\"DELETE FROM notices\")"),
        ("db/migrate.rs", "sqlx::raw_sql(s)"),
        (
            "search/mod.rs",
            "let q = \"SELECT 1\";\n// sqlx::query in a comment\n",
        ),
    ]);
    let found = sql_outside_stores(&bad);
    assert_eq!(found.len(), 2, "{found:?}");
}

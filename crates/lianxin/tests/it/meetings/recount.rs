//! `lianxin tally`: every worked case of `docs/tally.md` is counted and compared, and the binary
//! answers files, standard input and malformed input with the documented exit codes.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

const DOC: &str = include_str!("../../../../../docs/tally.md");

/// The fenced blocks of the document with their info string, in order.
fn blocks() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = DOC.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .collect();
            out.push((info.trim().to_string(), body.join("\n")));
        }
    }
    out
}

/// Every field the expected value names matches; objects are compared field by field.
fn matches(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().try_for_each(|(k, v)| {
            let got = a.get(k).ok_or_else(|| format!("{path}.{k} missing"))?;
            matches(v, got, &format!("{path}.{k}"))
        }),
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}

fn tally(input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lianxin"))
        .args(["tally", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lianxin runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("written");
    let out = child.wait_with_output().expect("finished");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_case_in_the_documentation_is_counted_as_documented() {
    let blocks = blocks();
    let mut cases = 0;
    for pair in blocks.windows(2) {
        let [(info_in, input), (info_out, expected)] = pair else {
            continue;
        };
        if info_in != "json tally-input" {
            continue;
        }
        assert_eq!(
            info_out, "json tally-output",
            "an input without its output:\n{input}"
        );
        let out = lianxin::meetings::recount::recount_json(input)
            .unwrap_or_else(|e| panic!("{e}\n{input}"));
        let actual = serde_json::to_value(&out).expect("serialises");
        let expected: Value = serde_json::from_str(expected).expect("the expected output parses");
        if let Err(e) = matches(&expected, &actual, "") {
            panic!("{e}\n{input}\n{actual:#}");
        }
        cases += 1;
    }
    assert!(cases >= 12, "{cases} cases: the document lost its examples");
}

#[test]
fn the_binary_reads_files_and_standard_input_and_exits_2_on_malformed_input() {
    let blocks = blocks();
    let (_, first) = blocks
        .iter()
        .find(|(i, _)| i == "json tally-input")
        .expect("a case");
    let (code, out, _) = tally(first);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("JSON on stdout");
    assert_eq!(v["passed"], Value::Bool(true));

    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("vote.json");
    std::fs::write(&file, first).expect("written");
    let by_file = Command::new(env!("CARGO_BIN_EXE_lianxin"))
        .arg("tally")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(by_file.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&by_file.stdout),
        out,
        "same result by file and by stdin"
    );

    let mut malformed = 0;
    for (info, input) in &blocks {
        if info == "json tally-malformed" {
            let (code, out, err) = tally(input);
            assert_eq!(code, 2, "{input}");
            assert!(out.is_empty(), "nothing on stdout for {input}");
            assert!(err.contains("lianxin tally:") && err.len() > 20, "{err}");
            malformed += 1;
        }
    }
    assert!(malformed >= 5);
    let (code, _, err) = tally("{not json");
    assert_eq!(code, 2);
    assert!(err.contains("JSON"), "{err}");
}

#[test]
fn the_schema_accepts_the_documented_fields_and_names_every_rule() {
    let schema: Value = serde_json::from_str(include_str!("../../../../../docs/tally.schema.json"))
        .expect("the schema is JSON");
    let props = schema["properties"].as_object().expect("properties");
    for field in [
        "rule",
        "body",
        "members",
        "present",
        "ballots_issued",
        "round",
        "seats",
        "candidates",
        "post",
        "ballots",
        "counts",
    ] {
        assert!(props.contains_key(field), "{field} not in the schema");
    }
    let rules = &schema["properties"]["rule"]["enum"];
    assert_eq!(
        rules,
        &serde_json::json!(["decision", "election", "selection", "rating"])
    );
}

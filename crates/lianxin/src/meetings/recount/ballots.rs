//! Reading ballots (or a paper vote's counts) into counts, ballot by ballot: a ballot the law
//! voids is counted as void; a ballot the format does not allow is malformed input.

use super::{Counted, Input, Malformed, Rule, Tallied, malformed};
use crate::meetings::tally::{self, Count, RatingCount};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

pub(super) fn count(input: &Input, names: &[String]) -> Result<Counted, Malformed> {
    match (&input.ballots, &input.counts) {
        (Some(_), Some(_)) => Err(malformed(
            "give `ballots` or `counts`, not both / `ballots` 与 `counts` 只能给出其一",
        )),
        (None, None) => Err(malformed(
            "give the `ballots`, or a paper vote's `counts` / 须给出 `ballots` 或纸质计票的 `counts`",
        )),
        (Some(b), None) => from_ballots(input, names, b),
        (None, Some(c)) => from_counts(input, names, c),
    }
}

fn from_ballots(input: &Input, names: &[String], ballots: &[Value]) -> Result<Counted, Malformed> {
    let seats = input.seats.unwrap_or(0);
    match input.rule {
        Rule::Decision | Rule::Rating => {
            let grades: &[&str] = if input.rule == Rule::Decision {
                &["yes", "no", "abstain"]
            } else {
                &["satisfied", "basically_satisfied", "dissatisfied"]
            };
            let mut n = [0u32; 3];
            for (i, b) in ballots.iter().enumerate() {
                if b.is_null() {
                    continue;
                }
                let k = b
                    .as_str()
                    .and_then(|s| grades.iter().position(|g| *g == s))
                    .ok_or_else(|| {
                        malformed(format!(
                            "ballot {}: {b} is not one of {grades:?} or null / 第{}张选票的选项无效",
                            i + 1,
                            i + 1
                        ))
                    })?;
                n[k] += 1;
            }
            Ok(graded(input, n, None, 0))
        }
        Rule::Election => {
            let mut votes = Tally::new(names);
            let mut void = 0;
            for (i, b) in ballots.iter().enumerate() {
                let e = ElectionBallot::read(b, names).map_err(|m| at(i, m))?;
                if e.void(seats) {
                    void += 1;
                    continue;
                }
                for c in &e.chosen {
                    votes.add(c, 0);
                }
                for c in &e.against {
                    votes.add(c, 1);
                }
                for c in &e.abstain {
                    votes.add(c, 2);
                }
            }
            Ok(votes.done(ballots.len() as u32, void, true))
        }
        Rule::Selection => {
            let mut votes = Tally::new(names);
            let mut void = 0;
            let mut per_item = false;
            for (i, b) in ballots.iter().enumerate() {
                match b {
                    Value::Array(list) => {
                        let mut chosen = BTreeSet::new();
                        let mut twice = false;
                        for c in list {
                            let c = listed(c, names).map_err(|m| at(i, m))?;
                            twice |= !chosen.insert(c);
                        }
                        if twice || !tally::ballot_valid(chosen.len() as u32, seats) {
                            void += 1;
                            continue;
                        }
                        for c in chosen {
                            votes.add(c, 0);
                        }
                    }
                    Value::Object(items) => {
                        per_item = true;
                        for (c, grade) in items {
                            let c =
                                listed(&Value::String(c.clone()), names).map_err(|m| at(i, m))?;
                            let k = match grade.as_str() {
                                Some("yes") => 0,
                                Some("no") => 1,
                                Some("abstain") => 2,
                                _ => {
                                    return Err(at(
                                        i,
                                        malformed(format!(
                                            "{c:?}: {grade} is not \"yes\", \"no\" or \"abstain\""
                                        )),
                                    ));
                                }
                            };
                            votes.add(c, k);
                        }
                    }
                    other => {
                        return Err(at(
                            i,
                            malformed(format!(
                                "{other} is neither a list of chosen candidates nor an object {{candidate: grade}}"
                            )),
                        ));
                    }
                }
            }
            Ok(votes.done(ballots.len() as u32, void, per_item))
        }
    }
}

fn from_counts(
    input: &Input,
    names: &[String],
    counts: &Map<String, Value>,
) -> Result<Counted, Malformed> {
    let number = |k: &str, v: &Value| -> Result<u32, Malformed> {
        v.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                malformed(format!(
                    "counts.{k} must be a whole number ≥ 0 / 票数须为非负整数"
                ))
            })
    };
    let void = input.void_ballots.unwrap_or(0);
    match input.rule {
        Rule::Decision | Rule::Rating => {
            let keys: &[&str] = if input.rule == Rule::Decision {
                &["yes", "no", "abstain", "not_voted"]
            } else {
                &[
                    "satisfied",
                    "basically_satisfied",
                    "dissatisfied",
                    "not_voted",
                ]
            };
            let mut n = [0u32; 4];
            for (k, v) in counts {
                let i = keys.iter().position(|x| x == k).ok_or_else(|| {
                    malformed(format!("counts: unknown key {k:?}; expected {keys:?}"))
                })?;
                n[i] = number(k, v)?;
            }
            Ok(graded(input, [n[0], n[1], n[2]], Some(n[3]), void))
        }
        Rule::Election | Rule::Selection => {
            let mut votes = Tally::new(names);
            for (k, v) in counts {
                if input.rule == Rule::Selection {
                    listed(&Value::String(k.clone()), names)?;
                }
                let n = number(k, v)?;
                votes.add_many(k, n);
            }
            let returned = input
                .ballots_returned
                .unwrap_or(input.ballots_issued.unwrap_or(input.present));
            let mut c = votes.done(returned, void, false);
            c.detail = Map::new();
            Ok(c)
        }
    }
}

/// A decision's or a rating's three grades (not pressing is no grade).
fn graded(input: &Input, n: [u32; 3], not_voted: Option<u32>, void: u32) -> Counted {
    let cast = n[0] + n[1] + n[2];
    let returned = input.ballots_returned.unwrap_or(cast + void);
    let not_voted = not_voted.unwrap_or(input.present.saturating_sub(cast + void));
    if input.rule == Rule::Decision {
        Counted {
            counts: obj(json!({"yes": n[0], "no": n[1], "abstain": n[2], "not_voted": not_voted})),
            detail: Map::new(),
            returned,
            void,
            tally: Tallied::Decision(Count {
                yes: n[0],
                no: n[1],
                abstain: n[2],
            }),
        }
    } else {
        Counted {
            counts: obj(
                json!({"satisfied": n[0], "basically_satisfied": n[1], "dissatisfied": n[2], "not_voted": not_voted}),
            ),
            detail: Map::new(),
            returned,
            void,
            tally: Tallied::Rating(RatingCount {
                satisfied: n[0],
                basically_satisfied: n[1],
                unsatisfied: n[2],
            }),
        }
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn at(i: usize, m: Malformed) -> Malformed {
    malformed(format!("ballot {} / 第{}张选票: {}", i + 1, i + 1, m.0))
}

fn listed<'a>(v: &Value, names: &'a [String]) -> Result<&'a str, Malformed> {
    let s = v
        .as_str()
        .ok_or_else(|| malformed(format!("{v} is not a candidate's name")))?;
    names
        .iter()
        .find(|n| n.as_str() == s)
        .map(String::as_str)
        .ok_or_else(|| {
            malformed(format!(
                "{s:?} is not on the candidate list / 不在候选人名单上"
            ))
        })
}

/// One election ballot: 赞成 (and write-ins) count against the seats.
struct ElectionBallot {
    chosen: BTreeSet<String>,
    against: Vec<String>,
    abstain: Vec<String>,
    contradictory: bool,
}

impl ElectionBallot {
    fn read(b: &Value, names: &[String]) -> Result<ElectionBallot, Malformed> {
        let Value::Object(m) = b else {
            return Err(malformed(format!(
                "{b} is not {{\"for\": [...], \"against\": [...], \"abstain\": [...], \"write_in\": [...]}}"
            )));
        };
        let list = |k: &str| -> Result<Vec<String>, Malformed> {
            match m.get(k) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .ok_or_else(|| malformed(format!("{k}: {v} is not a name")))
                    })
                    .collect(),
                Some(v) => Err(malformed(format!("{k}: {v} is not a list of names"))),
            }
        };
        if let Some(k) = m
            .keys()
            .find(|k| !["for", "against", "abstain", "write_in"].contains(&k.as_str()))
        {
            return Err(malformed(format!(
                "unknown key {k:?}; expected for, against, abstain, write_in"
            )));
        }
        let (mut for_, against, abstain, write_in) = (
            list("for")?,
            list("against")?,
            list("abstain")?,
            list("write_in")?,
        );
        for c in for_.iter().chain(&against).chain(&abstain) {
            listed(&Value::String(c.clone()), names)?;
        }
        for_.extend(write_in);
        let chosen: BTreeSet<String> = for_.iter().cloned().collect();
        let mut all: BTreeSet<&String> = chosen.iter().collect();
        all.extend(&against);
        all.extend(&abstain);
        // A name marked twice, or for and against at once, cannot be read: the ballot is void.
        let contradictory =
            chosen.len() != for_.len() || all.len() != chosen.len() + against.len() + abstain.len();
        Ok(ElectionBallot {
            chosen,
            against,
            abstain,
            contradictory,
        })
    }

    fn void(&self, seats: u32) -> bool {
        self.contradictory || !tally::ballot_valid(self.chosen.len() as u32, seats)
    }
}

/// Votes per name in list order, write-ins after in the order first seen; with 赞成/反对/弃权.
struct Tally {
    rows: Vec<(String, [u32; 3])>,
}

impl Tally {
    fn new(names: &[String]) -> Tally {
        Tally {
            rows: names.iter().map(|n| (n.clone(), [0; 3])).collect(),
        }
    }

    fn row(&mut self, name: &str) -> &mut [u32; 3] {
        let i = match self.rows.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.rows.push((name.to_string(), [0; 3]));
                self.rows.len() - 1
            }
        };
        &mut self.rows[i].1
    }

    fn add(&mut self, name: &str, k: usize) {
        self.row(name)[k] += 1;
    }

    fn add_many(&mut self, name: &str, n: u32) {
        self.row(name)[0] += n;
    }

    fn done(self, returned: u32, void: u32, detail: bool) -> Counted {
        let mut counts = Map::new();
        let mut details = Map::new();
        for (n, v) in &self.rows {
            counts.insert(n.clone(), json!(v[0]));
            if detail {
                details.insert(
                    n.clone(),
                    json!({"for": v[0], "against": v[1], "abstain": v[2]}),
                );
            }
        }
        Counted {
            counts,
            detail: details,
            returned,
            void,
            tally: Tallied::Names(self.rows.into_iter().map(|(n, v)| (n, v[0])).collect()),
        }
    }
}

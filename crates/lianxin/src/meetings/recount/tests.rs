//! Property tests of the recount through its JSON input: the threshold edges, void ballots, void
//! rounds and ties at the cut-off (the worked cases are in `docs/tally.md`, run by the
//! integration tests).

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn run(v: Value) -> Output {
    match recount_json(&v.to_string()) {
        Ok(o) => o,
        Err(e) => panic!("{e}: {v}"),
    }
}

#[test]
fn exactly_half_is_not_a_majority_for_even_and_odd_bodies() {
    for (members, yes, passed) in [
        (24, 12, false),
        (24, 13, true),
        (25, 12, false),
        (25, 13, true),
    ] {
        let o = run(json!({"rule": "decision", "body": "standing_committee",
            "members": members, "present": members, "counts": {"yes": yes, "no": 0}}));
        assert_eq!(o.passed, Some(passed), "{yes} of {members}");
        assert_eq!(o.threshold, 13);
    }
}

#[test]
fn a_ballot_marking_a_name_twice_or_for_and_against_is_void() {
    let o = run(
        json!({"rule": "election", "body": "congress", "members": 5, "present": 5,
        "seats": 2, "candidates": ["甲", "乙"],
        "ballots": [{"for": ["甲"], "against": ["甲"]}, {"for": ["甲"], "write_in": ["甲"]},
                    {"abstain": ["乙", "乙"]}, {}]}),
    );
    assert_eq!(o.void_ballots, 3);
    assert_eq!(o.ballots_returned, 4, "a blank ballot is cast");
    assert_eq!(o.counts.get("甲"), Some(&json!(0)));
}

#[test]
fn malformed_inputs_are_refused_with_the_field_named() {
    for (v, field) in [
        (
            json!({"rule": "decision", "body": "congress", "members": 3, "present": 4, "ballots": []}),
            "present",
        ),
        (
            json!({"rule": "election", "body": "congress", "members": 3, "present": 3, "candidates": ["甲"], "ballots": []}),
            "seats",
        ),
        (
            json!({"rule": "election", "body": "congress", "members": 3, "present": 3, "seats": 1, "candidates": ["甲", "甲"], "ballots": []}),
            "twice",
        ),
        (
            json!({"rule": "decision", "body": "congress", "members": 3, "present": 3, "ballots": ["maybe"]}),
            "ballot 1",
        ),
        (
            json!({"rule": "decision", "body": "congress", "members": 3, "present": 3, "round": 3, "ballots": []}),
            "round",
        ),
        (
            json!({"rule": "decision", "body": "congress", "members": 3, "present": 3}),
            "ballots",
        ),
        (
            json!({"rule": "decision", "body": "constituency", "members": 3, "present": 3, "ballots": []}),
            "constituency",
        ),
        (
            json!({"rule": "rating", "body": "congress", "members": 3, "present": 3, "verdict_rule": "x", "ballots": []}),
            "verdict_rule",
        ),
        (
            json!({"rule": "decision", "body": "congress", "members": 3.5, "present": 3, "ballots": []}),
            "members",
        ),
    ] {
        let e = recount_json(&v.to_string()).expect_err(field);
        assert!(e.0.contains(field), "{field}: {e}");
    }
}

proptest! {
    /// A decision passes exactly when 2*yes > members — at N/2, N/2+1 and everywhere else,
    /// whatever the others did; and never without a quorum.
    #[test]
    fn a_decision_passes_at_half_plus_one_of_all_members(
        members in 1u32..600, present_pct in 0u32..=100, yes_pct in 0u32..=100, edge in 0u32..3,
    ) {
        let present = members * present_pct / 100;
        let yes = match edge {
            0 => members / 2,
            1 => members / 2 + 1,
            _ => present * yes_pct / 100,
        }.min(present);
        let o = run(json!({"rule": "decision", "body": "congress", "members": members,
            "present": present, "counts": {"yes": yes, "no": present - yes}}));
        let quorum = 3 * present >= 2 * members;
        prop_assert_eq!(o.quorum.met, quorum);
        prop_assert_eq!(o.passed, Some(quorum && 2 * yes > members));
        prop_assert_eq!(o.threshold, members / 2 + 1);
    }

    /// A ballot choosing more than the seats (write-ins included) is void and counts for no one;
    /// the others count for exactly the names they chose.
    #[test]
    fn void_ballots_count_for_no_one(
        raw in proptest::collection::vec((proptest::collection::btree_set(0usize..4, 0..4), any::<bool>()), 0..30),
        seats in 1u32..4,
    ) {
        let names = ["甲", "乙", "丙", "丁"];
        let ballots: Vec<Value> = raw.iter().map(|(chosen, write_in)| {
            let f: Vec<&str> = chosen.iter().map(|i| names[*i]).collect();
            if *write_in { json!({"for": f, "write_in": ["戊"]}) } else { json!({"for": f}) }
        }).collect();
        let o = run(json!({"rule": "election", "body": "congress", "members": 40, "present": 30,
            "seats": seats, "candidates": names, "ballots": ballots}));
        let valid: Vec<_> = raw.iter().filter(|(c, w)| c.len() + usize::from(*w) <= seats as usize).collect();
        prop_assert_eq!(o.void_ballots as usize, raw.len() - valid.len());
        for (i, n) in names.iter().enumerate() {
            let expected = valid.iter().filter(|(c, _)| c.contains(&i)).count();
            prop_assert_eq!(o.counts.get(*n), Some(&json!(expected)));
        }
    }

    /// More ballots returned than issued voids the round: nothing passes, nothing is elected.
    #[test]
    fn a_round_with_more_ballots_than_issued_is_void(issued in 0u32..50, extra in 0u32..3, yes in 0u32..50) {
        let returned = issued + extra;
        let o = run(json!({"rule": "decision", "body": "standing_committee", "members": 50,
            "present": 50, "ballots_issued": issued,
            "counts": {"yes": yes.min(returned), "no": returned - yes.min(returned)}}));
        prop_assert_eq!(o.valid, extra == 0);
        if extra > 0 {
            prop_assert_eq!(o.passed, Some(false));
        }
        let e = run(json!({"rule": "election", "body": "congress", "members": 10, "present": 10,
            "ballots_issued": issued, "ballots_returned": returned, "seats": 1,
            "candidates": ["甲", "乙"], "counts": {"甲": 9}}));
        prop_assert_eq!(e.valid, extra == 0);
        prop_assert_eq!(e.elected.is_empty(), extra > 0);
    }

    /// A tie at the cut-off puts exactly the tied in a run-off, and elects those above it.
    #[test]
    fn a_tie_at_the_cut_off_goes_to_a_runoff_of_the_tied(
        above in 0usize..3, tied in 2usize..4, seats_left in 1usize..2, members in 10u32..100,
    ) {
        let cut = members / 2 + 1;
        let mut counts = Map::new();
        let mut names = Vec::new();
        for i in 0..above + tied {
            let name = format!("候选人{i}");
            let v = if i < above { cut + 10 + i as u32 } else { cut };
            counts.insert(name.clone(), json!(v));
            names.push(name);
        }
        let seats = above + seats_left.min(tied - 1);
        let o = run(json!({"rule": "election", "body": "congress", "members": members,
            "present": members, "seats": seats, "candidates": names, "counts": counts}));
        prop_assert_eq!(o.elected.len(), above);
        prop_assert_eq!(o.runoff.len(), tied);
        prop_assert_eq!(o.unfilled, 0);
    }
}

/// What readers parse is what the count writes: every field of [`Stored`] comes from the
/// [`Output`] of the same vote, and a renamed field is an error, not an empty list.
#[test]
fn the_stored_result_reads_back_what_the_count_wrote() {
    let out = run(
        json!({"rule": "election", "body": "congress", "members": 5, "present": 5,
        "seats": 1, "candidates": ["甲", "乙"], "ballots": [{"for": ["甲"]}, {"for": ["甲"]}, {"for": ["甲"]}, {"for": ["乙"]}, {}]}),
    );
    let text = serde_json::to_string(&out).unwrap();
    let stored = Stored::parse(&text).unwrap();
    assert!(stored.valid);
    assert_eq!(stored.elected, out.elected);
    assert_eq!(stored.elected, vec!["甲"]);
    assert_eq!(
        (stored.passed, stored.unfilled, stored.threshold),
        (out.passed, out.unfilled, out.threshold)
    );
    assert_eq!(stored.count("甲"), 3);
    let renamed = text.replace("\"elected\"", "\"chosen\"");
    assert!(Stored::parse(&renamed).is_err());
}

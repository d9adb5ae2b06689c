//! 审议, 票决, 测评 — the cycle's steps on meetings: the candidate list on a standing-committee
//! agenda with its document, the review's opinion, the selection vote on the plenary (and its
//! run-off), the sealed result read back into the projects, and the rating votes with their
//! verdicts. The meetings module runs the votes and its tally decides; nothing is counted here.

use super::domain::{self, ProjectState};
use super::service::{Origin, cycle, record, text_ok};
use super::store::{self, CycleLink, ProjectRow};
use crate::db::Db;
use crate::meetings::domain::{ItemKind, MeetingKind, VoteState};
use crate::meetings::recount::Stored;
use crate::meetings::service as meetings;
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::CongressId;

mod rating;
pub use rating::{apply_ratings, put_to_rating};

/// Puts the candidate list on a standing-committee meeting's agenda (a town: its presidium's),
/// with the list as the item's document (浙江省重大事项规定 Art 4: reviewed by the standing
/// committee before the plenary votes).
pub async fn put_on_review(
    db: &Db,
    congress: CongressId,
    cycle_id: i64,
    meeting_id: i64,
    o: &Origin,
) -> Result<i64, AppError> {
    let c = cycle(db, congress, cycle_id).await?;
    if c.review_item_id.is_some() {
        return Err(AppError::Conflict("livelihood.already_on_agenda"));
    }
    let m = meetings::meeting(db, congress, meeting_id).await?;
    if !matches!(
        Some(m.kind),
        Some(MeetingKind::StandingCommittee | MeetingKind::Presidium | MeetingKind::Chairpersons)
    ) {
        return Err(AppError::field(
            Field("meeting"),
            "livelihood.review_meeting_kind",
        ));
    }
    let candidates = candidates(db, c.id).await?;
    if candidates.is_empty() {
        return Err(AppError::Conflict("livelihood.no_candidates"));
    }
    let title = format!("审议{}年民生实事候选项目清单", c.year);
    let item = meetings::add_item(db, congress, m.id, ItemKind::Deliberation, &title, o).await?;
    let doc = super::public::candidate_list_docx(&c, &candidates).map_err(AppError::internal)?;
    crate::meetings::documents::attach(
        db,
        congress,
        item,
        &format!("{}年民生实事候选项目清单.docx", c.year),
        &doc,
        o,
    )
    .await?;
    let mut tx = db.write().await?;
    store::set_cycle_link(&mut tx, c.id, CycleLink::ReviewItem, item).await?;
    record(
        &mut tx,
        congress,
        format!("livelihood_cycle:{}", c.id),
        o,
        "livelihood.review_agenda",
        &["meeting"],
    )
    .await?;
    tx.commit().await?;
    Ok(item)
}

async fn candidates(db: &Db, cycle: i64) -> Result<Vec<ProjectRow>, AppError> {
    Ok(store::projects(db, cycle)
        .await?
        .into_iter()
        .filter(|p| p.state == ProjectState::Candidate)
        .collect())
}

/// 审议意见 — the review's opinion, recorded once the list was on the agenda.
pub async fn record_review(
    db: &Db,
    congress: CongressId,
    cycle_id: i64,
    opinion: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let c = cycle(db, congress, cycle_id).await?;
    if c.review_item_id.is_none() {
        return Err(AppError::Conflict("livelihood.not_on_agenda"));
    }
    if !text_ok(opinion, 5, 5000) {
        return Err(AppError::field(
            Field("opinion"),
            "livelihood.review_opinion_required",
        ));
    }
    let mut tx = db.write().await?;
    store::set_review_opinion(&mut tx, c.id, opinion.trim(), o.now).await?;
    record(
        &mut tx,
        congress,
        format!("livelihood_cycle:{}", c.id),
        o,
        "livelihood.review",
        &["opinion"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 票决 — sets up the selection vote on the congress's plenary: M candidates for N places (M > N
/// and the ratio of the 票决办法), reviewed first. After a tie at the cut-off, the run-off is put
/// the same way among the tied, for the places left.
pub async fn put_to_vote(
    db: &Db,
    congress: CongressId,
    cycle_id: i64,
    meeting_id: i64,
    decision: Option<&str>,
    o: &Origin,
) -> Result<i64, AppError> {
    let c = cycle(db, congress, cycle_id).await?;
    let runoff = c.outcome.as_deref() == Some("runoff");
    // After a shortfall the presidium may decide to vote again among those not selected, for
    // the places left; its decision is named in the vote.
    let revote = c.outcome.as_deref() == Some("shortfall");
    if c.vote_id.is_some() && !runoff && !revote {
        return Err(AppError::Conflict("livelihood.vote_exists"));
    }
    let decision = decision.map(str::trim).filter(|d| !d.is_empty());
    if revote && !decision.is_some_and(|d| text_ok(d, 5, 200)) {
        return Err(AppError::field(
            Field("decision"),
            "livelihood.decision_required",
        ));
    }
    if c.review_opinion.is_none() {
        return Err(AppError::Conflict("livelihood.not_reviewed"));
    }
    let m = meetings::meeting(db, congress, meeting_id).await?;
    if Some(m.kind) != Some(MeetingKind::CongressSitting) {
        return Err(AppError::field(
            Field("meeting"),
            "livelihood.vote_meeting_kind",
        ));
    }
    let all = store::projects(db, c.id).await?;
    let selected = all
        .iter()
        .filter(|p| p.state == ProjectState::Selected)
        .count() as u32;
    let on_ballot = |p: &&ProjectRow| {
        p.state == ProjectState::Candidate || (revote && p.state == ProjectState::NotSelected)
    };
    let again: Vec<i64> = all
        .iter()
        .filter(|p| revote && p.state == ProjectState::NotSelected)
        .map(|p| p.id)
        .collect();
    let list: Vec<String> = all
        .iter()
        .filter(on_ballot)
        .map(|p| p.title.clone())
        .collect();
    let places = (c.places as u32).saturating_sub(selected);
    let ratio = if runoff || revote {
        0
    } else {
        c.ratio_percent as u32
    };
    if !domain::contest_ok(list.len() as u32, places, ratio) {
        return Err(AppError::Invalid(vec![
            FieldError::new(Field("candidates"), "livelihood.contest").with_arg(format!(
                "{}/{}",
                list.len(),
                places
            )),
        ]));
    }
    let subject = match decision.filter(|_| revote) {
        Some(d) => format!("{}年民生实事项目再次票决（主席团决定：{d}）", c.year),
        None if runoff => format!("{}年民生实事项目再次票决", c.year),
        None => format!("{}年民生实事项目票决", c.year),
    };
    let item = meetings::add_item(db, congress, m.id, ItemKind::Selection, &subject, o).await?;
    let vote = meetings::create_vote(
        db,
        congress,
        m.id,
        item,
        &meetings::NewVote {
            method: None,
            subject,
            seats: Some(places),
            candidates: Some(list),
            post: None,
            write_ins_deputies_only: None,
            keep_order: Some(true),
            appointees: None,
            merged_by: None,
            ballot_form: Some(c.ballot_form.clone()),
            selection_rule: Some(c.selection_rule.clone()),
        },
        o,
    )
    .await?;
    let mut tx = db.write().await?;
    store::set_cycle_link(&mut tx, c.id, CycleLink::Vote, vote).await?;
    for id in again {
        store::set_project_state(
            &mut tx,
            id,
            ProjectState::NotSelected,
            ProjectState::Candidate,
            None,
        )
        .await?;
    }
    record(
        &mut tx,
        congress,
        format!("livelihood_cycle:{}", c.id),
        o,
        "livelihood.vote",
        &["meeting", "candidates", "places", "decision"],
    )
    .await?;
    tx.commit().await?;
    Ok(vote)
}

/// What a selection's sealed result means for the cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// (title, approvals) of every project on the ballot.
    pub approvals: Vec<(String, i64)>,
    pub selected: Vec<String>,
    pub runoff: Vec<String>,
    pub unfilled: u32,
}

/// Reads a closed selection vote's result (the `meetings::recount` output it was sealed with).
pub fn selection_of(result: &Stored) -> Selection {
    Selection {
        approvals: result
            .counts
            .keys()
            .map(|k| (k.clone(), result.count(k)))
            .collect(),
        selected: result.elected.clone(),
        unfilled: if result.runoff.is_empty() {
            result.unfilled
        } else {
            0
        },
        runoff: result.runoff.clone(),
    }
}

/// 记录票决结果 — once the selection vote is closed and sealed, its result decides: the
/// selected become projects to deliver, the others are not selected, except those tied at the
/// cut-off, who stay candidates for the run-off; a shortfall is recorded for the presidium.
pub async fn apply_vote(
    db: &Db,
    congress: CongressId,
    cycle_id: i64,
    o: &Origin,
) -> Result<Selection, AppError> {
    let c = cycle(db, congress, cycle_id).await?;
    let vote_id = c.vote_id.ok_or(AppError::Conflict("livelihood.no_vote"))?;
    if c.outcome.is_some() {
        return Err(AppError::Conflict("livelihood.outcome_recorded"));
    }
    let (_, v) = meetings::vote(db, congress, vote_id).await?;
    let result = match (v.state, &v.result) {
        (VoteState::Closed, Some(r)) => Stored::parse(r).map_err(AppError::internal)?,
        _ => return Err(AppError::Conflict("livelihood.vote_not_closed")),
    };
    if !result.valid {
        return Err(AppError::Conflict("livelihood.vote_invalid"));
    }
    let s = selection_of(&result);
    let (outcome, note) = if !s.runoff.is_empty() {
        (
            "runoff",
            format!("{}票数相等，须就余下名额再次票决", s.runoff.join("、")),
        )
    } else if s.unfilled > 0 {
        (
            "shortfall",
            format!(
                "{}个名额未选出（赞成票未达到票决办法规定的票数），由主席团决定是否再次票决",
                s.unfilled
            ),
        )
    } else {
        ("selected", String::new())
    };
    let mut tx = db.write().await?;
    if !store::set_outcome(&mut tx, c.id, outcome, &note).await? {
        return Err(AppError::Conflict("livelihood.outcome_recorded"));
    }
    for p in store::projects(db, c.id).await? {
        if p.state != ProjectState::Candidate {
            continue;
        }
        let approvals = s
            .approvals
            .iter()
            .find(|(t, _)| *t == p.title)
            .map(|(_, n)| *n);
        let to = if s.selected.contains(&p.title) {
            ProjectState::Selected
        } else if s.runoff.contains(&p.title) {
            ProjectState::Candidate
        } else {
            ProjectState::NotSelected
        };
        store::set_project_state(&mut tx, p.id, ProjectState::Candidate, to, approvals).await?;
    }
    record(
        &mut tx,
        congress,
        format!("livelihood_cycle:{}", c.id),
        o,
        "livelihood.outcome",
        &["outcome"],
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::recount::recount_json;
    use serde_json::json;

    /// The selection as the cycle reads it from the meetings tally's sealed output.
    fn select(input: serde_json::Value) -> Selection {
        let out = recount_json(&input.to_string()).expect("well-formed");
        let text = serde_json::to_string(&out).expect("serialises");
        selection_of(&Stored::parse(&text).expect("reads back"))
    }

    fn choose(members: u32, places: u32, ballots: Vec<Vec<&str>>) -> serde_json::Value {
        json!({"rule": "selection", "body": "congress", "members": members, "present": members,
               "seats": places, "candidates": ["甲", "乙", "丙", "丁"], "ballots": ballots})
    }

    #[test]
    fn the_top_n_with_more_than_half_of_all_deputies_are_selected_with_their_tallies() {
        // 5 deputies, 2 places: 甲 5, 乙 3, 丙 2, 丁 0 — 3 is more than half of 5.
        let s = select(choose(
            5,
            2,
            vec![
                vec!["甲", "乙"],
                vec!["甲", "乙"],
                vec!["甲", "乙"],
                vec!["甲", "丙"],
                vec!["甲", "丙"],
            ],
        ));
        assert_eq!(s.selected, vec!["甲", "乙"]);
        assert!(s.runoff.is_empty());
        assert_eq!(s.unfilled, 0);
        let tally: std::collections::BTreeMap<_, _> = s.approvals.into_iter().collect();
        assert_eq!(tally["甲"], 5);
        assert_eq!(tally["乙"], 3);
        assert_eq!(tally["丙"], 2);
    }

    #[test]
    fn a_tie_at_the_cut_off_goes_to_a_runoff_of_exactly_the_tied() {
        // 7 deputies, 2 places: 甲 5, 乙 4, 丙 4 — both more than half, one place between them.
        let s = select(choose(
            7,
            2,
            vec![
                vec!["甲", "乙"],
                vec!["甲", "乙"],
                vec!["甲", "丙"],
                vec!["甲", "丙"],
                vec!["乙", "丙"],
                vec!["乙", "丙"],
                vec!["甲"],
            ],
        ));
        assert_eq!(s.selected, vec!["甲"]);
        assert_eq!(s.runoff, vec!["乙", "丙"]);
        assert_eq!(s.unfilled, 0, "a run-off is not a shortfall");
    }

    #[test]
    fn exactly_half_is_not_enough_and_the_shortfall_is_recorded() {
        // 6 deputies, 2 places: 甲 4, 乙 3 (exactly half: not more than half) — one place unfilled.
        let s = select(choose(
            6,
            2,
            vec![
                vec!["甲", "乙"],
                vec!["甲", "乙"],
                vec!["甲", "乙"],
                vec!["甲"],
                vec![],
                vec![],
            ],
        ));
        assert_eq!(s.selected, vec!["甲"]);
        assert!(s.runoff.is_empty());
        assert_eq!(s.unfilled, 1);
        // One more approval for 乙 (4 of 6) fills the place.
        let s = select(choose(
            6,
            2,
            vec![
                vec!["甲", "乙"],
                vec!["甲", "乙"],
                vec!["甲", "乙"],
                vec!["甲", "乙"],
                vec![],
                vec![],
            ],
        ));
        assert_eq!(s.selected, vec!["甲", "乙"]);
        assert_eq!(s.unfilled, 0);
    }

    #[test]
    fn per_item_ballots_count_approvals_only() {
        // 赞成/反对/弃权 on each: only 赞成 counts towards selection.
        let ballots = vec![
            json!({"甲": "yes", "乙": "yes", "丙": "no", "丁": "abstain"}),
            json!({"甲": "yes", "乙": "abstain", "丙": "yes", "丁": "no"}),
            json!({"甲": "yes", "乙": "yes", "丙": "no", "丁": "no"}),
        ];
        let input = json!({"rule": "selection", "body": "congress", "members": 3, "present": 3,
                           "seats": 2, "candidates": ["甲", "乙", "丙", "丁"], "ballots": ballots});
        let s = select(input);
        assert_eq!(s.selected, vec!["甲", "乙"]);
        let tally: std::collections::BTreeMap<_, _> = s.approvals.into_iter().collect();
        assert_eq!((tally["甲"], tally["乙"], tally["丙"]), (3, 2, 1));
    }

    #[test]
    fn the_session_may_count_approvals_against_those_present_or_take_the_most() {
        // 9 deputies in office, 6 present (the quorum of two thirds): 甲 has 4 — more than half of
        // those present, not of all.
        let with = |rule: Option<&str>| {
            let mut v = choose(
                9,
                1,
                vec![
                    vec!["甲"],
                    vec!["甲"],
                    vec!["甲"],
                    vec!["甲"],
                    vec!["乙"],
                    vec![],
                ],
            );
            v["present"] = json!(6);
            if let Some(r) = rule {
                v["selection_rule"] = json!(r);
            }
            v
        };
        let s = select(with(None));
        assert!(s.selected.is_empty(), "4 of 9 in office is not a majority");
        assert_eq!(s.unfilled, 1);
        assert_eq!(
            select(with(Some("over_half_of_present"))).selected,
            vec!["甲"]
        );
        assert_eq!(select(with(Some("most_votes"))).selected, vec!["甲"]);
        // Under the most votes, a tie at the top still goes to a run-off.
        let mut tie = choose(3, 1, vec![vec!["甲"], vec!["乙"], vec![]]);
        tie["selection_rule"] = json!("most_votes");
        assert_eq!(select(tie).runoff, vec!["甲", "乙"]);
        let mut bad = with(None);
        bad["selection_rule"] = json!("two_thirds");
        assert!(
            recount_json(&bad.to_string()).is_err(),
            "an unknown rule is malformed"
        );
    }
}

//! 满意度测评 — the deputies' rating of the selected projects at the next plenary, and its
//! verdicts (an unsatisfactory one gives the project a rectification task).

use super::*;

/// 满意度测评 — puts every selected project to the deputies' rating at the plenary: one rating
/// vote each, secret, with the grades 满意 / 基本满意 / 不满意.
pub async fn put_to_rating(
    db: &Db,
    congress: CongressId,
    cycle_id: i64,
    meeting_id: i64,
    o: &Origin,
) -> Result<Vec<i64>, AppError> {
    let c = cycle(db, congress, cycle_id).await?;
    if c.rating_item_id.is_some() {
        return Err(AppError::Conflict("livelihood.already_on_agenda"));
    }
    let m = meetings::meeting(db, congress, meeting_id).await?;
    if Some(m.kind) != Some(MeetingKind::CongressSitting) {
        return Err(AppError::field(
            Field("meeting"),
            "livelihood.vote_meeting_kind",
        ));
    }
    let projects: Vec<ProjectRow> = store::projects(db, c.id)
        .await?
        .into_iter()
        .filter(|p| p.state == ProjectState::Selected && p.rating_vote_id.is_none())
        .collect();
    if projects.is_empty() {
        return Err(AppError::Conflict("livelihood.nothing_to_rate"));
    }
    let title = format!("{}年民生实事项目满意度测评", c.year);
    // The item, its votes, the projects' links and the cycle's link: one transaction, so a
    // failure halfway leaves no item with only some of its votes.
    let mut tx = db.write().await?;
    let item = meetings::add_item_in(&mut tx, congress, &m, ItemKind::Rating, &title, o).await?;
    let mut votes = Vec::new();
    for p in &projects {
        let rating = meetings::NewVote {
            method: None,
            subject: format!("{}（满意度测评）", p.title),
            seats: None,
            candidates: None,
            post: None,
            write_ins_deputies_only: None,
            keep_order: None,
            appointees: None,
            merged_by: None,
            ballot_form: None,
            selection_rule: None,
        };
        let on = (item, ItemKind::Rating);
        let vote = meetings::create_vote_in(&mut tx, congress, &m, on, &rating, o).await?;
        store::set_rating_vote(&mut tx, p.id, vote).await?;
        votes.push(vote);
    }
    store::set_cycle_link(&mut tx, c.id, CycleLink::RatingItem, item).await?;
    record(
        &mut tx,
        congress,
        format!("livelihood_cycle:{}", c.id),
        o,
        "livelihood.rating_agenda",
        &["meeting"],
    )
    .await?;
    tx.commit().await?;
    Ok(votes)
}

/// Records the verdict of every closed rating vote (the congress's `rating.verdict` rule was
/// applied by the tally); a project rated unsatisfactory gets a rectification task.
pub async fn apply_ratings(
    db: &Db,
    congress: CongressId,
    cycle_id: i64,
    o: &Origin,
) -> Result<u32, AppError> {
    let c = cycle(db, congress, cycle_id).await?;
    let mut recorded = 0;
    for p in store::projects(db, c.id).await? {
        let (Some(vote), None) = (p.rating_vote_id, &p.rating) else {
            continue;
        };
        let (_, v) = meetings::vote(db, congress, vote).await?;
        let Some(r) = v.result.as_deref().filter(|_| v.state == VoteState::Closed) else {
            continue;
        };
        let out = Stored::parse(r).map_err(AppError::internal)?;
        let verdict = if out.passed == Some(true) {
            "satisfied"
        } else {
            "unsatisfied"
        };
        let mut tx = db.write().await?;
        if store::set_rating(&mut tx, p.id, verdict).await? {
            if verdict == "unsatisfied" {
                let n = |k: &str| out.count(k);
                let body = format!(
                    "满意度测评结果为不满意（满意{}票、基本满意{}票、不满意{}票）。请牵头单位整改，并向常委会报告整改情况。",
                    n("satisfied"),
                    n("basically_satisfied"),
                    n("dissatisfied")
                );
                store::insert_problem(&mut tx, congress, p.id, "rating", &body, o.user.0, o.now)
                    .await?;
            }
            record(
                &mut tx,
                congress,
                format!("livelihood_project:{}", p.id),
                o,
                "livelihood.rating",
                &["rating"],
            )
            .await?;
            recorded += 1;
        }
        tx.commit().await?;
    }
    Ok(recorded)
}

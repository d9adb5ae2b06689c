//! Meeting and vote commands. Each is one transaction with its audit record; a refusal changes
//! nothing and, where the issue asks for it (a vote without quorum, a ballot refused), is
//! audited as a refusal. A secret ballot's audit record says only that the member voted.

use super::ballot_seal;
use super::domain::{self, Attendance, ItemKind, MeetingKind, MeetingState, VoteMethod};
use super::recount::{self, BodyKind, Input, Output, Rule};
use super::store::ballots as ballot_store;
use super::store::{self, MeetingRow, VoteRow};
use crate::audit::{self, Outcome, Record};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::CongressId;
use rand::RngExt;
use serde::{Deserialize, Serialize};

pub use crate::platform::origin::Origin;

pub(super) async fn record(
    tx: &mut Tx<'_>,
    congress: CongressId,
    target: String,
    o: &Origin,
    action: &str,
    outcome: Outcome,
    fields: &[&str],
) -> Result<(), sqlx::Error> {
    let r = Record::by(o, Some(congress), action, target, fields).outcome(outcome);
    audit::append(tx, &r).await.map(drop)
}

/// Audits a refused attempt in its own transaction (the attempt itself changed nothing).
pub(super) async fn refused(
    db: &Db,
    congress: CongressId,
    target: String,
    o: &Origin,
    action: &str,
    e: AppError,
) -> AppError {
    let r = Record::by(o, Some(congress), action, target, &[]).outcome(Outcome::Denied);
    audit::refusal(db, &r).await;
    e
}

/// 召集会议 — a new meeting and its roll.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub title: String,
    pub place: String,
    /// Milliseconds since the epoch.
    pub starts_at: i64,
}

pub async fn create_meeting(
    db: &Db,
    congress: CongressId,
    m: &NewMeeting,
    o: &Origin,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let title = m.title.trim();
    if title.is_empty() || title.chars().count() > 120 {
        errors.push(FieldError::new(Field("title"), "meetings.title_required"));
    }
    if m.place.trim().chars().count() > 120 {
        errors.push(FieldError::new(Field("place"), "meetings.place_too_long"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let key = hex::encode(rand::rng().random::<[u8; 16]>());
    let mut tx = db.write().await?;
    let organization = match m.kind.organization_kind() {
        Some(kind) => Some(
            store::body_of(&mut tx, congress, kind)
                .await?
                .ok_or(AppError::Conflict("meetings.no_body"))?,
        ),
        None => None,
    };
    let id = store::insert_meeting(
        &mut tx,
        congress,
        m.kind.as_str(),
        organization,
        title,
        m.place.trim(),
        m.starts_at,
        &key,
        o.user.0,
        o.now,
    )
    .await?;
    let called = match organization {
        Some(org) => {
            store::call_members(
                &mut tx,
                congress,
                id,
                org,
                m.kind == MeetingKind::Chairpersons,
            )
            .await?
        }
        None => store::call_deputies(&mut tx, congress, id).await?,
    };
    if called == 0 {
        return Err(AppError::Conflict("meetings.no_members"));
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{id}"),
        o,
        "meetings.create",
        Outcome::Success,
        &["kind", "title", "place", "starts_at"],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The meeting of the path, in this congress.
pub async fn meeting(db: &Db, congress: CongressId, id: i64) -> Result<MeetingRow, AppError> {
    store::meeting(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// 列席 — someone attending without a vote; never counted for quorum or votes.
pub async fn add_attendee(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    person: i64,
    o: &Origin,
) -> Result<(), AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    if m.state == "closed" {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let mut tx = db.write().await?;
    store::add_attendee(&mut tx, congress, m.id, person).await?;
    record(
        &mut tx,
        congress,
        format!("meeting:{}", m.id),
        o,
        "meetings.attendee",
        Outcome::Success,
        &["person"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 议程 — adds an item at the end of the agenda (not once the meeting is closed).
pub async fn add_item(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    kind: ItemKind,
    title: &str,
    o: &Origin,
) -> Result<i64, AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    let mut tx = db.write().await?;
    let id = add_item_in(&mut tx, congress, &m, kind, title, o).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`add_item`] inside the caller's transaction (a step that adds an item and its votes at once).
pub async fn add_item_in(
    tx: &mut Tx<'_>,
    congress: CongressId,
    m: &MeetingRow,
    kind: ItemKind,
    title: &str,
    o: &Origin,
) -> Result<i64, AppError> {
    if m.state == "closed" {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("title"),
            "meetings.item_title_required",
        )]));
    }
    let id = store::insert_item(tx, congress, m.id, kind.as_str(), title, o.now).await?;
    record(
        tx,
        congress,
        format!("meeting:{}", m.id),
        o,
        "meetings.item",
        Outcome::Success,
        &["kind", "title"],
    )
    .await?;
    Ok(id)
}

/// 开会 / 散会 — opens a planned meeting, or closes an open one (open votes must be closed first).
pub async fn set_state(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    to: MeetingState,
    o: &Origin,
) -> Result<(), AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    let from = match to {
        MeetingState::Open => "planned",
        MeetingState::Closed => "open",
        MeetingState::Planned => return Err(AppError::Conflict("meetings.bad_state")),
    };
    if to == MeetingState::Closed
        && store::votes(db, m.id)
            .await?
            .iter()
            .any(|v| v.state == "open")
    {
        return Err(AppError::Conflict("meetings.vote_still_open"));
    }
    let mut tx = db.write().await?;
    store::link_accounts(&mut tx, m.id).await?;
    if !store::set_meeting_state(&mut tx, m.id, from, to.as_str(), o.now).await? {
        return Err(AppError::Conflict("meetings.bad_state"));
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{}", m.id),
        o,
        &format!("meetings.{}", to.as_str()),
        Outcome::Success,
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 签到 — by staff for a person on the roll, or by the member with the code on the screen.
pub enum CheckIn<'a> {
    Staff { person: i64 },
    Code { code: &'a str },
}

pub async fn check_in(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    how: CheckIn<'_>,
    o: &Origin,
) -> Result<i64, AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    if m.state == "closed" {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let (person, via) = match how {
        CheckIn::Staff { person } => (person, "staff"),
        CheckIn::Code { code } => {
            let me = store::roll_of_user(db, m.id, o.user.0)
                .await?
                .ok_or(AppError::Denied("meetings.not_on_roll"))?;
            // Guessing is bounded: past the limit no code is even compared.
            if store::code_failures(db, m.id, me.person_id).await? >= domain::MAX_CODE_FAILURES {
                return Err(refused(
                    db,
                    congress,
                    format!("meeting:{}", m.id),
                    o,
                    "meetings.check_in",
                    AppError::Denied("meetings.code_attempts"),
                )
                .await);
            }
            if !domain::check_in_code_valid(&m.check_in_key, m.id, o.now, code) {
                store::add_code_failure(db, m.id, me.person_id).await?;
                return Err(refused(
                    db,
                    congress,
                    format!("meeting:{}", m.id),
                    o,
                    "meetings.check_in",
                    AppError::Invalid(vec![FieldError::new(Field("code"), "meetings.code_wrong")]),
                )
                .await);
            }
            (me.person_id, "code")
        }
    };
    let mut tx = db.write().await?;
    if !store::set_attendance(
        &mut tx,
        m.id,
        person,
        Attendance::Present.as_str(),
        Some(via),
        Some(o.now),
        None,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{}/person:{person}", m.id),
        o,
        "meetings.check_in",
        Outcome::Success,
        &["via"],
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}

/// 签到表 — staff record a paper sign-in sheet in one step: every listed member present. A
/// congress sitting signs in hundreds of deputies at the door; one transaction, one record.
pub async fn check_in_sheet(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    persons: &[i64],
    o: &Origin,
) -> Result<u32, AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    if m.state == "closed" {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let mut tx = db.write().await?;
    let mut marked = 0;
    for person in persons {
        if !store::set_attendance(
            &mut tx,
            m.id,
            *person,
            Attendance::Present.as_str(),
            Some("sheet"),
            Some(o.now),
            None,
        )
        .await?
        {
            return Err(AppError::NotFound);
        }
        marked += 1;
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{}", m.id),
        o,
        "meetings.check_in_sheet",
        Outcome::Success,
        &["persons"],
    )
    .await?;
    tx.commit().await?;
    Ok(marked)
}

/// 请假 — a member asks for leave (their own), or staff approve it.
pub async fn leave(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    person: Option<i64>,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    if m.state == "closed" {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let (person, attendance) = match person {
        Some(p) => (p, Attendance::Excused),
        None => {
            let me = store::roll_of_user(db, m.id, o.user.0)
                .await?
                .ok_or(AppError::Denied("meetings.not_on_roll"))?;
            if reason.trim().chars().count() < 2 {
                return Err(AppError::Invalid(vec![FieldError::new(
                    Field("reason"),
                    "meetings.leave_reason_required",
                )]));
            }
            (me.person_id, Attendance::LeaveRequested)
        }
    };
    let reason = Some(reason.trim()).filter(|r| !r.is_empty());
    let mut tx = db.write().await?;
    if !store::set_attendance(
        &mut tx,
        m.id,
        person,
        attendance.as_str(),
        None,
        None,
        reason,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{}/person:{person}", m.id),
        o,
        &format!("meetings.{}", attendance.as_str()),
        Outcome::Success,
        &["reason"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The quorum as it stands: members called (in office), present, and what the law requires.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct QuorumNow {
    pub members: u32,
    pub present: u32,
    pub required: u32,
    pub met: bool,
}

async fn body_rules(
    db: &Db,
    congress: CongressId,
    kind: MeetingKind,
) -> Result<(BodyKind, Option<String>), AppError> {
    let body = kind.body();
    let presidium = if body == BodyKind::Presidium {
        crate::settings::get(db, congress, "presidium.quorum")
            .await?
            .map(|r| r.value)
    } else {
        None
    };
    Ok((body, presidium))
}

pub async fn quorum(db: &Db, congress: CongressId, m: &MeetingRow) -> Result<QuorumNow, AppError> {
    let rules = quorum_rules(db, congress, m).await?;
    let mut tx = db.write().await?;
    let q = quorum_in(&mut tx, m, &rules).await?;
    tx.commit().await?;
    Ok(q)
}

/// The body whose quorum applies to the meeting, and the presidium's own rule if it has one.
async fn quorum_rules(
    db: &Db,
    congress: CongressId,
    m: &MeetingRow,
) -> Result<(recount::BodyKind, Option<String>), AppError> {
    let kind = MeetingKind::parse(&m.kind).ok_or_else(|| AppError::internal("meeting kind"))?;
    body_rules(db, congress, kind).await
}

/// The quorum as the caller's transaction counts the roll (opening a vote snapshots exactly
/// what it checked).
async fn quorum_in(
    tx: &mut Tx<'_>,
    m: &MeetingRow,
    (body, presidium_quorum): &(recount::BodyKind, Option<String>),
) -> Result<QuorumNow, AppError> {
    let (members, present) = store::member_counts(tx, m.id).await?;
    let q = recount::quorum_of(*body, presidium_quorum.as_deref(), members, present)
        .map_err(AppError::internal)?
        .0;
    Ok(QuorumNow {
        members,
        present,
        required: q.required,
        met: q.met,
    })
}

/// 设置表决 — a vote on an agenda item; the candidate list is checked against the rules now.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewVote {
    pub method: Option<VoteMethod>,
    pub subject: String,
    pub seats: Option<u32>,
    pub candidates: Option<Vec<String>>,
    pub post: Option<recount::Post>,
    /// 另选他人 only among the congress's deputies; by default for standing-committee members
    /// (组织法 Art 47), whom the congress elects "在代表中".
    #[serde(default)]
    pub write_ins_deputies_only: Option<bool>,
    /// An election's candidates are listed by the stroke count of the surname (姓氏笔画) unless
    /// the session's rules set the order given.
    #[serde(default)]
    pub keep_order: Option<bool>,
    /// An appointment or removal is voted one person at a time; several people in one vote only
    /// when the chairpersons' meeting so decided — `merged_by` names that decision.
    #[serde(default)]
    pub appointees: Option<Vec<String>>,
    #[serde(default)]
    pub merged_by: Option<String>,
    /// A selection's ballot form by the session's 票决办法: `choose` (up to N, the default) or
    /// `per_item` (赞成/反对/弃权 on each candidate).
    #[serde(default)]
    pub ballot_form: Option<String>,
    /// A selection's threshold by the 票决办法: `over_half_of_members` (the default),
    /// `over_half_of_present` or `most_votes`; recorded with the vote and in its published input.
    #[serde(default)]
    pub selection_rule: Option<String>,
}

pub async fn create_vote(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    item_id: i64,
    v: &NewVote,
    o: &Origin,
) -> Result<i64, AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    let item = store::items(db, m.id)
        .await?
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or(AppError::NotFound)?;
    let kind = ItemKind::parse(&item.kind).ok_or(AppError::Conflict("meetings.item_not_voted"))?;
    let mut tx = db.write().await?;
    let id = create_vote_in(&mut tx, congress, &m, (item.id, kind), v, o).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create_vote`] inside the caller's transaction, for the agenda item `(id, kind)` of `m`
/// (putting every project of a cycle to its rating vote in one step).
pub async fn create_vote_in(
    tx: &mut Tx<'_>,
    congress: CongressId,
    m: &MeetingRow,
    (item_id, kind): (i64, ItemKind),
    v: &NewVote,
    o: &Origin,
) -> Result<i64, AppError> {
    if m.state == "closed" {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let rule = kind
        .rule()
        .ok_or(AppError::Conflict("meetings.item_not_voted"))?;
    let subject = v.subject.trim();
    let mut errors = Vec::new();
    if subject.is_empty() || subject.chars().count() > 300 {
        errors.push(FieldError::new(
            Field("subject"),
            "meetings.subject_required",
        ));
    }
    let appointees: Vec<String> = v
        .appointees
        .iter()
        .flatten()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let merged_by = v
        .merged_by
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let merged = appointees.len() > 1;
    if merged && kind == ItemKind::Appointment && merged_by.is_none() {
        errors.push(FieldError::new(
            Field("merged_by"),
            "meetings.merged_needs_decision",
        ));
    }
    let named = matches!(rule, Rule::Election | Rule::Selection);
    let mut candidates: Vec<String> = v
        .candidates
        .iter()
        .flatten()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if rule == Rule::Election && v.keep_order != Some(true) {
        crate::text::strokes::sort_by_strokes(&mut candidates);
    }
    if named {
        let seats = v.seats.unwrap_or(0);
        let probe = Input {
            rule,
            body: BodyKind::Congress,
            members: 1,
            present: 1,
            ballots_issued: None,
            round: None,
            seats: Some(seats),
            candidates: Some(candidates.clone()),
            post: v.post,
            excess: None,
            presidium_quorum: None,
            verdict_rule: None,
            selection_rule: v.selection_rule.clone(),
            ballots: Some(Vec::new()),
            counts: None,
            void_ballots: None,
            ballots_returned: None,
            other: Default::default(),
        };
        match recount::recount(&probe) {
            Err(_) => errors.push(FieldError::new(
                Field("candidates"),
                "meetings.candidates_invalid",
            )),
            Ok(out) if !out.valid => errors.push(
                FieldError::new(Field("candidates"), "meetings.candidates_rule")
                    .with_arg(out.invalid_reason.unwrap_or_default()),
            ),
            Ok(_) => {}
        }
    }
    let ballot_form = match (rule, v.ballot_form.as_deref()) {
        (Rule::Selection, None | Some("choose")) => Some("choose"),
        (Rule::Selection, Some("per_item")) => Some("per_item"),
        (_, None) => None,
        _ => {
            errors.push(FieldError::new(
                Field("ballot_form"),
                "meetings.ballot_form_invalid",
            ));
            None
        }
    };
    let selection_rule = match (rule, v.selection_rule.as_deref()) {
        (Rule::Selection, None) => None,
        (
            Rule::Selection,
            Some(r @ ("over_half_of_members" | "over_half_of_present" | "most_votes")),
        ) => Some(r),
        (_, None) => None,
        _ => {
            errors.push(FieldError::new(
                Field("selection_rule"),
                "meetings.selection_rule_invalid",
            ));
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let list = named
        .then(|| serde_json::to_string(&candidates))
        .transpose()
        .map_err(AppError::internal)?;
    let id = store::insert_vote(
        tx,
        congress,
        m.id,
        item_id,
        rule_str(rule),
        v.method.unwrap_or(VoteMethod::Secret).as_str(),
        subject,
        named.then(|| i64::from(v.seats.unwrap_or(0))),
        list.as_deref(),
        v.post.filter(|_| named).map(post_str),
        rule == Rule::Election
            && v.write_ins_deputies_only
                .unwrap_or(v.post == Some(recount::Post::Member)),
        o.now,
    )
    .await?;
    if let Some(form) = ballot_form {
        store::set_selection_rules(tx, id, form, selection_rule).await?;
    }
    if merged && let Some(decision) = merged_by {
        let note = format!("合并表决（{}）：{decision}", appointees.join("、"));
        store::switch_method(
            tx,
            id,
            v.method.unwrap_or(VoteMethod::Secret).as_str(),
            &note,
        )
        .await?;
    }
    record(
        tx,
        congress,
        format!("vote:{id}"),
        o,
        "meetings.vote_create",
        Outcome::Success,
        &["method", "subject", "seats", "candidates"],
    )
    .await?;
    Ok(id)
}

pub fn rule_str(r: Rule) -> &'static str {
    match r {
        Rule::Decision => "decision",
        Rule::Election => "election",
        Rule::Selection => "selection",
        Rule::Rating => "rating",
    }
}

fn post_str(p: recount::Post) -> &'static str {
    match p {
        recount::Post::Head => "head",
        recount::Post::DeputyHead => "deputy_head",
        recount::Post::Member => "member",
        recount::Post::Deputy => "deputy",
    }
}

/// The vote of the path, with its meeting, in this congress.
pub async fn vote(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<(MeetingRow, VoteRow), AppError> {
    let v = store::vote(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let m = meeting(db, congress, v.meeting_id).await?;
    Ok((m, v))
}

/// 开始表决 — only in an open meeting with its quorum; snapshots the members in office and
/// those present (`legal-rules.md` §0.2).
pub async fn open_vote(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    o: &Origin,
) -> Result<(), AppError> {
    let (m, v) = vote(db, congress, vote_id).await?;
    let target = format!("vote:{}", v.id);
    if m.state != "open" {
        return Err(refused(
            db,
            congress,
            target,
            o,
            "meetings.vote_open",
            AppError::Conflict("meetings.not_open"),
        )
        .await);
    }
    let q = quorum(db, congress, &m).await?;
    if !q.met {
        return Err(refused(
            db,
            congress,
            target,
            o,
            "meetings.vote_open",
            AppError::Conflict("meetings.no_quorum"),
        )
        .await);
    }
    // A secret vote's key pair: the private half kept (and synced) before the vote opens.
    let secret = VoteMethod::parse(&v.method) == Some(VoteMethod::Secret);
    let public_key = if secret {
        Some(ballot_seal::create_key(&db.vault, v.id).map_err(AppError::internal)?)
    } else {
        None
    };
    let rules = quorum_rules(db, congress, &m).await?;
    let opened = async {
        let mut tx = db.write().await?;
        // Counted again inside the transaction that opens the vote: the snapshot is what was
        // checked, even if someone checked in or out since the look above.
        let q = quorum_in(&mut tx, &m, &rules).await?;
        if !q.met {
            return Err(AppError::Conflict("meetings.no_quorum"));
        }
        if !store::open_vote(&mut tx, v.id, q.members, q.present, o.now).await? {
            return Err(AppError::Conflict("meetings.vote_not_ready"));
        }
        if let Some(key) = &public_key {
            ballot_store::set_public_key(&mut tx, v.id, key).await?;
        }
        Ok(tx)
    }
    .await;
    let mut tx = match opened {
        Ok(tx) => tx,
        Err(e) => {
            // Not opened: the key must not outlive it.
            let _ = ballot_seal::destroy_key(&db.vault, v.id);
            if matches!(e, AppError::Conflict("meetings.no_quorum")) {
                return Err(refused(db, congress, target, o, "meetings.vote_open", e).await);
            }
            return Err(e);
        }
    };
    record(
        &mut tx,
        congress,
        target,
        o,
        "meetings.vote_open",
        Outcome::Success,
        &["members", "present"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 投票 — a member present casts their ballot, once (see `ballot_box`: the checks, then one
/// transaction of its own; the HTTP routes queue it for a group commit instead).
pub async fn cast(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    ballot: &serde_json::Value,
    o: &Origin,
) -> Result<Option<String>, AppError> {
    let p = super::ballot_box::prepare(db, congress, vote_id, ballot, o).await?;
    super::ballot_box::cast_alone(db, p).await
}

pub(crate) fn rule_of(v: &VoteRow) -> Result<Rule, AppError> {
    serde_json::from_value(serde_json::Value::String(v.rule.clone())).map_err(AppError::internal)
}

pub(crate) fn candidates_of(v: &VoteRow) -> Vec<String> {
    v.candidates
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default()
}

/// 计票人录入 — a show of hands or paper vote's counts, in the shape of `docs/tally.md`.
pub async fn close_vote(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    counts: Option<(serde_json::Map<String, serde_json::Value>, u32)>,
    o: &Origin,
) -> Result<Output, AppError> {
    let (m, v) = vote(db, congress, vote_id).await?;
    if v.state != "open" {
        return Err(AppError::Conflict("meetings.vote_not_open"));
    }
    let method = VoteMethod::parse(&v.method).unwrap_or(VoteMethod::Secret);
    let paper = matches!(method, VoteMethod::Hands | VoteMethod::Paper);
    if paper != counts.is_some() {
        return Err(AppError::Conflict(if paper {
            "meetings.counts_required"
        } else {
            "meetings.counts_not_expected"
        }));
    }
    let kind = MeetingKind::parse(&m.kind).ok_or_else(|| AppError::internal("meeting kind"))?;
    let (body, presidium_quorum) = body_rules(db, congress, kind).await?;
    let verdict_rule = if v.rule == "rating" {
        crate::settings::get(db, congress, "rating.verdict")
            .await?
            .map(|r| r.value)
    } else {
        None
    };
    let rule = rule_of(&v)?;
    let named = matches!(rule, Rule::Election | Rule::Selection);
    crate::congress::sealing::ensure_key(db, congress, o.now).await?;
    let mut tx = db.write().await?;
    if !store::close_vote(&mut tx, v.id, o.now).await? {
        return Err(AppError::Conflict("meetings.vote_not_open"));
    }
    // The sealed ballots opened in memory with the vote's key (the key store's file).
    let sealed = ballot_store::sealed(&mut tx, v.id).await?;
    let mut opened = Vec::new();
    if !sealed.is_empty() {
        let key = ballot_seal::load_key(&db.vault, v.id)
            .map_err(AppError::internal)?
            .ok_or_else(|| AppError::internal(ballot_seal::BallotSealError::Missing(v.id)))?;
        for batch in &sealed {
            opened.extend(ballot_seal::open(&key, batch).map_err(AppError::internal)?);
        }
    }
    let ballots = if paper {
        None
    } else {
        let mut contents = store::ballot_contents(&mut tx, v.id).await?;
        contents.extend(opened.iter().cloned());
        contents.sort();
        let mut list = Vec::new();
        for c in contents {
            list.push(serde_json::from_str(&c).map_err(AppError::internal)?);
        }
        Some(list)
    };
    let (counts, void) = match counts {
        Some((c, void)) => (Some(c), Some(void)),
        None => (None, None),
    };
    let input = Input {
        rule,
        body,
        members: v.members.unwrap_or(0) as u32,
        present: v.present.unwrap_or(0) as u32,
        ballots_issued: None,
        round: None,
        seats: named.then(|| v.seats.unwrap_or(0) as u32),
        candidates: named.then(|| candidates_of(&v)),
        post: v
            .post
            .as_deref()
            .and_then(|p| serde_json::from_value(serde_json::Value::String(p.into())).ok()),
        excess: None,
        presidium_quorum,
        verdict_rule,
        selection_rule: v.selection_rule.clone(),
        ballots,
        counts,
        void_ballots: void,
        ballots_returned: None,
        other: [(
            "subject".to_string(),
            serde_json::Value::String(v.subject.clone()),
        )]
        .into_iter()
        .collect(),
    };
    let out = recount::recount(&input).map_err(|e| {
        AppError::Invalid(vec![
            FieldError::new(Field("counts"), "meetings.counts_invalid").with_arg(e.0),
        ])
    })?;
    let published = serde_json::to_string(&publishable(input, &out)).map_err(AppError::internal)?;
    let result = serde_json::to_string(&out).map_err(AppError::internal)?;
    let sealed = format!("{published}\n{result}");
    let seal =
        crate::congress::sealing::seal_result(db, congress, sealed.as_bytes(), o.now).await?;
    // Kept in the clear for any recount, in one shuffled batch; the sealed rows go.
    ballot_store::insert_clear(&mut tx, v.id, congress, &opened).await?;
    ballot_store::delete_sealed(&mut tx, v.id).await?;
    store::rewrite_for_secrecy(db, &mut tx, v.id).await?;
    store::record_result(
        &mut tx,
        v.id,
        &published,
        &result,
        out.passed,
        &seal.digest,
        &seal.signature,
        seal.key_version,
    )
    .await?;
    record(
        &mut tx,
        congress,
        format!("vote:{}", v.id),
        o,
        "meetings.vote_close",
        Outcome::Success,
        &["result", "digest"],
    )
    .await?;
    tx.commit().await?;
    // Counted and kept: the key is destroyed, so that what the WAL, archives, replicas and
    // backups hold of the vote can never be opened. A failure here is retried by the sweep.
    if let Err(e) = ballot_seal::destroy_key(&db.vault, v.id) {
        tracing::error!(vote = v.id, error = %e, "the ballot key of a closed vote was not destroyed; the sweep retries");
    }
    purge(db, v.id).await;
    Ok(out)
}

/// Removes the dead row versions of a closed vote's ballot tables, and checks that it did; where
/// it could not, the vote is marked (its result page says so) and the log says why.
async fn purge(db: &Db, vote: i64) -> bool {
    match store::vacuum_ballots(db).await {
        Ok(0) => store::set_purge_pending(db, vote, false).await.is_ok(),
        Ok(dead) => {
            tracing::warn!(
                vote,
                dead,
                "dead row versions of a closed vote's ballot tables remain after VACUUM: an older snapshot (a running pg_dump?) holds them; retried every minute"
            );
            let _ = store::set_purge_pending(db, vote, true).await;
            false
        }
        Err(e) => {
            tracing::warn!(vote, error = %e, "vacuum after closing a vote; retried every minute");
            let _ = store::set_purge_pending(db, vote, true).await;
            false
        }
    }
}

/// Retries the removal of dead row versions for every vote marked; returns how many are clean.
pub async fn retry_purges(db: &Db) -> Result<usize, AppError> {
    let mut clean = 0;
    for vote in store::purge_pending(db).await? {
        if purge(db, vote).await {
            clean += 1;
        }
    }
    Ok(clean)
}

/// Destroys every ballot key whose vote is no longer open (a close interrupted between its
/// commit and the key's removal, a vote that failed to open). Run at start and every minute.
pub async fn destroy_spent_ballot_keys(db: &Db) -> Result<usize, AppError> {
    if db.vault.dir().is_none() {
        return Ok(0);
    }
    let kept = ballot_seal::kept_keys(&db.vault).map_err(AppError::internal)?;
    if kept.is_empty() {
        return Ok(0);
    }
    let open = ballot_store::open_among(db, &kept).await?;
    let mut destroyed = 0;
    for vote in kept.into_iter().filter(|v| !open.contains(v)) {
        if ballot_seal::destroy_key(&db.vault, vote).map_err(AppError::internal)? {
            destroyed += 1;
        }
    }
    Ok(destroyed)
}

/// What is published of a closed vote: its input with the ballots shuffled — but where ballots
/// carry write-in names, a ballot could identify its voter (a name only they would write), so
/// the per-name counts are published instead, with the void and returned ballots: `lianxin
/// tally` recounts them to the same counts and the same elected, without the per-candidate
/// 反对/弃权 detail.
fn publishable(input: Input, out: &Output) -> Input {
    let write_ins = input.rule == Rule::Election
        && input.ballots.iter().flatten().any(|b| {
            b.get("write_in")
                .is_some_and(|w| w.as_array().is_some_and(|a| !a.is_empty()))
        });
    if !write_ins {
        return input;
    }
    Input {
        ballots: None,
        counts: Some(out.counts.clone()),
        void_ballots: Some(out.void_ballots),
        ballots_returned: Some(out.ballots_returned),
        ..input
    }
}

/// 改变表决方式 — devices failed: a show of hands or paper, with the reason; recorded.
pub async fn switch_method(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    to: VoteMethod,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let (_, v) = vote(db, congress, vote_id).await?;
    if !matches!(to, VoteMethod::Hands | VoteMethod::Paper) {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("method"),
            "meetings.switch_to_manual",
        )]));
    }
    if reason.trim().chars().count() < 4 {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("reason"),
            "meetings.switch_reason",
        )]));
    }
    if store::voted(db, v.id).await? > 0 {
        return Err(AppError::Conflict("meetings.switch_after_ballots"));
    }
    let mut tx = db.write().await?;
    let note = format!("{} → {}: {}", v.method, to.as_str(), reason.trim());
    if !store::switch_method(&mut tx, v.id, to.as_str(), &note).await? {
        return Err(AppError::Conflict("meetings.vote_closed"));
    }
    record(
        &mut tx,
        congress,
        format!("vote:{}", v.id),
        o,
        "meetings.vote_switch",
        Outcome::Success,
        &["method", "reason"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 代表法 Art 62 — deputies who missed two sessions without leave: (person, name, sessions).
/// A sitting belongs to the session whose dates hold its day (China time).
pub async fn unexcused_absences(
    db: &Db,
    congress: CongressId,
) -> Result<Vec<(i64, String, usize)>, AppError> {
    let sessions = store::sessions(db, congress).await?;
    let sittings: Vec<(i64, i64, String, String)> = store::sitting_attendance(db, congress)
        .await?
        .into_iter()
        .filter_map(|(_, at, person, name, attendance)| {
            let day = crate::platform::clock::china_date(at).to_string();
            sessions
                .iter()
                .find(|(_, opens, closes)| *opens <= day && day <= *closes)
                .map(|(session, _, _)| (*session, person, name, attendance))
        })
        .collect();
    Ok(domain::unexcused_absences(&sittings))
}

/// 更正 — a sealed result is final; a correction (the tellers found a miscount, say) is a new
/// record: the published input with the corrected counts, recounted by the same rules, sealed,
/// with its reason. Electronic ballots are not re-entered: only the counts of the input change.
pub async fn correct(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    reason: &str,
    counts: serde_json::Map<String, serde_json::Value>,
    void_ballots: u32,
    o: &Origin,
) -> Result<recount::Output, AppError> {
    let (_, v) = vote(db, congress, vote_id).await?;
    if v.state != "closed" {
        return Err(AppError::Conflict("meetings.correct_open"));
    }
    if reason.trim().chars().count() < 10 {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("reason"),
            "meetings.correct_reason",
        )]));
    }
    let mut input: Input = v
        .published
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .ok_or_else(|| AppError::internal("a closed vote without its published input"))?;
    input.ballots = None;
    input.counts = Some(counts);
    input.void_ballots = Some(void_ballots);
    input
        .other
        .insert("corrects".into(), serde_json::Value::from(v.id));
    input.other.insert(
        "reason".into(),
        serde_json::Value::String(reason.trim().into()),
    );
    let out = recount::recount(&input).map_err(|e| {
        AppError::Invalid(vec![
            FieldError::new(Field("counts"), "meetings.counts_invalid").with_arg(e.0),
        ])
    })?;
    let published = serde_json::to_string(&input).map_err(AppError::internal)?;
    let result = serde_json::to_string(&out).map_err(AppError::internal)?;
    let seal = crate::congress::sealing::seal_result(
        db,
        congress,
        format!("{published}\n{result}").as_bytes(),
        o.now,
    )
    .await?;
    let mut tx = db.write().await?;
    store::insert_correction(
        &mut tx,
        congress,
        v.id,
        reason.trim(),
        &published,
        &result,
        out.passed,
        &seal,
        o.user.0,
        o.now,
    )
    .await?;
    record(
        &mut tx,
        congress,
        format!("vote:{}", v.id),
        o,
        "meetings.vote_correct",
        Outcome::Success,
        &["reason", "counts"],
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

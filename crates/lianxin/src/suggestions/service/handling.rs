//! The handling commands after registration: assignment with the statutory deadline, return
//! within the window, contacts, the signed reply, delivery of class-B items, and the office's
//! closing of escalated items.

use super::*;
use crate::platform::error::Field;
use std::future::Future;
use std::pin::Pin;

/// 交办: one lead unit and optional co-units of this congress; the reply deadline is 3 months
/// from today (6 if the office marks the item complex), on the legal calendar (代表法 Art 51).
pub async fn assign(
    db: &Db,
    congress: CongressId,
    id: i64,
    lead: Option<i64>,
    co: &[i64],
    complex: bool,
    o: &Origin,
) -> Result<NaiveDate, AppError> {
    let plan = plan_assign(db, congress, id, lead, co, complex, o).await?;
    // The items merged into this one that wait are assigned alike, in the same transaction.
    let mut merged = Vec::new();
    for sid in merge::waiting_merged(db, congress, id).await? {
        merged.push(plan_assign(db, congress, sid, lead, co, complex, o).await?);
    }
    let mut tx = db.write().await?;
    let due = write_assign(db, &mut tx, congress, &plan, o).await?;
    for m in &merged {
        write_assign(db, &mut tx, congress, m, o).await?;
    }
    tx.commit().await?;
    Ok(due)
}

/// What an assignment will write, checked and read before its transaction.
pub(super) struct AssignPlan {
    s: Suggestion,
    from: State,
    to: State,
    cmd: Command,
    lead: i64,
    co: Vec<i64>,
    complex: bool,
    span: Span,
    basis: Basis,
    calendar: Calendar,
    units: Vec<i64>,
    deputies: Vec<i64>,
}

/// The checks of [`assign`] (refusals audited), and what it needs to write.
pub(super) async fn plan_assign(
    db: &Db,
    congress: CongressId,
    id: i64,
    lead: Option<i64>,
    co: &[i64],
    complex: bool,
    o: &Origin,
) -> Result<AssignPlan, AppError> {
    let s = load(db, congress, id, Capacity::Office).await?;
    let cmd = Command::Assign {
        has_lead_unit: lead.is_some(),
    };
    let (from, to) = decide(db, congress, &s, cmd, o).await?;
    let lead = lead.ok_or(AppError::internal("lead checked by the machine"))?;
    // Units of another congress are refused (and so are unknown ids).
    for u in std::iter::once(lead).chain(co.iter().copied()) {
        if crate::people::unit(db, congress, u).await?.is_none() {
            refused(db, congress, id, o, "assign").await;
            return Err(AppError::field(
                Field("lead_unit"),
                "suggestion.unit_not_here",
            ));
        }
    }
    if co.contains(&lead) {
        return Err(AppError::field(
            Field("co_units"),
            "suggestion.lead_also_co",
        ));
    }
    let key = if complex {
        "suggestion.complex_reply_window"
    } else {
        "suggestion.reply_window"
    };
    let (span, basis) = setting_span(db, congress, key).await?;
    // Whatever a congress set, never beyond the law's 6 months (代表法 Art 51).
    let span = match span {
        Span::Months(m) if m > domain::MAX_REPLY_MONTHS => Span::Months(domain::MAX_REPLY_MONTHS),
        other => other,
    };
    let calendar: Calendar = crate::calendar::load(db).await?;
    let units = store::unit_users(db, congress, &[&[lead], co].concat()).await?;
    let deputies = notices::deputies_of(db, congress, &s, false).await?;
    Ok(AssignPlan {
        s,
        from,
        to,
        cmd,
        lead,
        co: co.to_vec(),
        complex,
        span,
        basis,
        calendar,
        units,
        deputies,
    })
}

/// Writes a planned assignment inside the caller's transaction: the step, the deadline on the
/// legal calendar, the units, and the notices to the units and the deputies.
pub(super) async fn write_assign(
    db: &Db,
    tx: &mut Tx<'_>,
    congress: CongressId,
    p: &AssignPlan,
    o: &Origin,
) -> Result<NaiveDate, AppError> {
    let (s, id) = (&p.s, p.s.id);
    transition(
        tx,
        congress,
        s,
        Move {
            from: p.from,
            to: p.to,
            cmd: p.cmd,
        },
        "",
        o,
        &["units", "complex", "due_on"],
    )
    .await?;
    let d = register_deadline(
        tx,
        &p.calendar,
        congress,
        id,
        Due {
            kind: "reply",
            span: p.span,
            start: o.today,
            basis: p.basis.clone(),
        },
        o.now,
    )
    .await?;
    let assignment = store::Assignment {
        lead: p.lead,
        co: &p.co,
        complex: p.complex,
        assigned_on: o.today,
        due_on: d.due,
    };
    store::assign(tx, congress, id, &assignment, o.now).await?;
    let (no, no_en) = notices::numbers(s);
    let t = notices::Tell {
        kind: "suggestion_assigned",
        reach: false,
        zh: format!("交办代表建议{no}，请于{}前答复：{}", d.due, s.title),
        en: format!(
            "Suggestion {no_en}assigned to you, reply by {}: {}",
            d.due, s.title
        ),
    };
    notices::tell(db, tx, congress, id, &p.units, &t, o).await?;
    let t = notices::Tell {
        kind: "suggestion_assigned",
        reach: false,
        zh: format!("您的建议{no}已交办，答复期限为{}：{}", d.due, s.title),
        en: format!(
            "Your suggestion {no_en}is assigned, reply due {}: {}",
            d.due, s.title
        ),
    };
    notices::tell(db, tx, congress, id, &p.deputies, &t, o).await?;
    Ok(d.due)
}

/// 退办: the lead unit returns the item within the return window, with a reason.
pub async fn unit_return(
    db: &Db,
    congress: CongressId,
    id: i64,
    unit: i64,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Unit { unit, head: false }).await?;
    let is_lead = leads(db, congress, id, unit).await?;
    if !is_lead {
        return Err(not_entitled(db, congress, id, o, "unit_return").await);
    }
    if reason.trim().is_empty() {
        return Err(AppError::field(
            Field("reason"),
            "suggestion.reason_required",
        ));
    }
    let (span, _) = setting_span(db, congress, "suggestion.return_window").await?;
    let calendar = crate::calendar::load(db).await?;
    let assigned_on = assigned_date(&s, o.today);
    let last_day = span.compute(&calendar, assigned_on, Basis::default()).due;
    let cmd = Command::UnitReturn {
        within_window: o.today <= last_day,
    };
    let (from, to) = decide(db, congress, &s, cmd, o).await?;
    let mut tx = db.write().await?;
    transition(
        &mut tx,
        congress,
        &s,
        Move { from, to, cmd },
        reason.trim(),
        o,
        &["units", "return_reason"],
    )
    .await?;
    store::unit_return(&mut tx, congress, id, unit, reason.trim(), o.now).await?;
    deadlines::close(&mut tx, "suggestions", id, "reply", o.now).await?;
    let (no, no_en) = notices::numbers(&s);
    let t = notices::Tell {
        kind: "suggestion_unit_returned",
        reach: false,
        zh: format!(
            "承办单位退回建议{no}（{}），请重新交办：{}",
            reason.trim(),
            s.title
        ),
        en: format!(
            "A unit returned suggestion {no_en}({}); assign it again: {}",
            reason.trim(),
            s.title
        ),
    };
    let office = store::office_users(db, congress).await?;
    notices::tell(db, &mut tx, congress, id, &office, &t, o).await?;
    tx.commit().await?;
    Ok(())
}

/// A unit's contact with the deputy as typed: the day (`YYYY-MM-DD`), its form
/// ([`CONTACT_FORMS`]) and what was discussed.
pub struct ContactInput<'a> {
    pub unit: i64,
    pub on_date: &'a str,
    pub form: &'a str,
    pub content: &'a str,
}

/// A unit records a contact with the deputy (date, form, content).
pub async fn log_contact(
    db: &Db,
    congress: CongressId,
    id: i64,
    c: &ContactInput<'_>,
    o: &Origin,
) -> Result<(), AppError> {
    let (unit, form, content) = (c.unit, c.form, c.content);
    let s = load(db, congress, id, Capacity::Unit { unit, head: false }).await?;
    if !state_of(&s)?.reply_pending() {
        return Err(AppError::field(
            Field("state"),
            "suggestion.refused.not_assigned",
        ));
    }
    let mut errors = Vec::new();
    let date = NaiveDate::parse_from_str(c.on_date.trim(), "%Y-%m-%d").ok();
    if date.is_none_or(|d| d > o.today) {
        errors.push(FieldError::new(Field("on_date"), "field.date_invalid"));
    }
    if !CONTACT_FORMS.contains(&form) {
        errors.push(FieldError::new(Field("form"), "field.required"));
    }
    if content.trim().is_empty() {
        errors.push(FieldError::new(Field("content"), "field.required"));
    }
    let Some(on_date) = date.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let contact = store::NewContact {
        unit,
        on_date,
        form,
        content: content.trim(),
    };
    let mut tx = db.write().await?;
    store::add_contact(&mut tx, congress, id, &contact, o.user.0, o.now).await?;
    record(
        &mut tx,
        congress,
        id,
        o,
        "contact",
        &["on_date", "form", "content"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a reply sets off in the slices above this one, in the reply's own transaction: the
/// citizens' opinions that became this suggestion are answered with it (`opinions` offers it;
/// the application layer registers it).
#[derive(Clone, Copy)]
pub struct Replied(pub for<'a> fn(&'a Db, &'a mut Tx<'static>, Reply<'a>) -> Answered<'a>);

/// One reply, as the [`Replied`] hook sees it.
pub struct Reply<'a> {
    pub congress: CongressId,
    pub suggestion: i64,
    pub text: &'a str,
    pub origin: &'a Origin,
}

/// The [`Replied`] hook's work.
pub type Answered<'a> = Pin<Box<dyn Future<Output = Result<(), AppError>> + Send + 'a>>;

/// A reply as the unit's account writes it: the unit, whether the account is its head (only the
/// head signs), the class (A–D) and the text.
#[derive(Clone, Copy)]
pub struct ReplyInput<'a> {
    pub unit: i64,
    pub head: bool,
    pub class: &'a str,
    pub body: &'a str,
}

/// 答复: the lead unit's head signs the reply with its class; the feedback window starts.
pub async fn reply(
    db: &Db,
    congress: CongressId,
    id: i64,
    r: ReplyInput<'_>,
    o: &Origin,
    replied: Replied,
) -> Result<(), AppError> {
    let (unit, head, body) = (r.unit, r.head, r.body);
    let s = load(db, congress, id, Capacity::Unit { unit, head }).await?;
    let is_lead = leads(db, congress, id, unit).await?;
    if !is_lead || !head {
        return Err(not_entitled(db, congress, id, o, "reply").await);
    }
    let mut errors = Vec::new();
    // The congress's classes: A–D, or the three-class scheme without C (已解决、正在解决、留作参考).
    let offered = reply_classes(db, congress).await?;
    let class = ReplyClass::parse(r.class).filter(|c| offered.contains(c));
    if class.is_none() {
        errors.push(FieldError::new(Field("class"), "suggestion.class_required"));
    }
    if body.trim().is_empty() {
        errors.push(FieldError::new(Field("body"), "field.required"));
    }
    let Some(class) = class.filter(|_| errors.is_empty()) else {
        refused(db, congress, id, o, "reply").await;
        return Err(AppError::Invalid(errors));
    };
    let (from, to) = decide(db, congress, &s, Command::Reply, o).await?;
    // 会签: every co-unit's opinion first — unless the co-unit window has passed, so that a
    // silent co-unit cannot hold the statutory reply past its deadline.
    let co_units: Vec<i64> = store::units(db, congress, id)
        .await?
        .iter()
        .filter(|u| u.active == 1 && u.role == UnitRole::Co)
        .map(|u| u.unit_id)
        .collect();
    if !co_units.is_empty() {
        let given: Vec<i64> = store::opinions(db, congress, id)
            .await?
            .iter()
            .map(|p| p.unit_id)
            .collect();
        let (window, _) = setting_span(db, congress, "suggestion.co_unit_window").await?;
        let calendar = crate::calendar::load(db).await?;
        let assigned = assigned_date(&s, o.today);
        let window_end = window.compute(&calendar, assigned, Basis::default()).due;
        if co_units.iter().any(|u| !given.contains(u)) && o.today <= window_end {
            refused(db, congress, id, o, "reply").await;
            return Err(AppError::field(
                Field("state"),
                "suggestion.refused.countersign_pending",
            ));
        }
    }
    let (span, basis) = setting_span(db, congress, "suggestion.feedback_window").await?;
    let calendar = crate::calendar::load(db).await?;
    let mut tx = db.write().await?;
    transition(
        &mut tx,
        congress,
        &s,
        Move {
            from,
            to,
            cmd: Command::Reply,
        },
        "",
        o,
        &["reply", "class"],
    )
    .await?;
    deadlines::close(&mut tx, "suggestions", id, "reply", o.now).await?;
    let fb = register_deadline(
        &mut tx,
        &calendar,
        congress,
        id,
        Due {
            kind: "feedback",
            span,
            start: o.today,
            basis,
        },
        o.now,
    )
    .await?;
    let signed = store::NewReply {
        unit,
        class,
        body: body.trim(),
        replied_on: o.today,
        feedback_due_on: fb.due,
    };
    store::add_reply(&mut tx, congress, id, &signed, o.user.0, o.now).await?;
    // The citizens whose opinions became this suggestion read the reply on their tracking page.
    (replied.0)(
        db,
        &mut tx,
        Reply {
            congress,
            suggestion: id,
            text: body.trim(),
            origin: o,
        },
    )
    .await?;
    // To the lead deputy, copied to every co-signer (抄送): all may read it, the entitled rate it.
    let (no, no_en) = notices::numbers(&s);
    let t = notices::Tell {
        kind: "suggestion_replied",
        reach: true,
        zh: format!("建议{no}已答复，请于{}前评价：{}", fb.due, s.title),
        en: format!(
            "Suggestion {no_en}has been answered; rate it by {}: {}",
            fb.due, s.title
        ),
    };
    let deputies = notices::deputies_of(db, congress, &s, true).await?;
    notices::tell(db, &mut tx, congress, id, &deputies, &t, o).await?;
    tx.commit().await?;
    let same = ReplyInput {
        class: class.as_str(),
        body: body.trim(),
        ..r
    };
    merge::reply_merged(db, congress, id, same, o, replied).await?;
    Ok(())
}

/// The reply classes the congress uses (`suggestion.reply_classes`).
pub async fn reply_classes(db: &Db, congress: CongressId) -> Result<Vec<ReplyClass>, AppError> {
    let v = crate::settings::get(db, congress, "suggestion.reply_classes").await?;
    Ok(match v.as_ref().map(|r| r.value.as_str()) {
        Some("solved_in_progress_reference") => vec![ReplyClass::A, ReplyClass::B, ReplyClass::D],
        _ => vec![ReplyClass::A, ReplyClass::B, ReplyClass::C, ReplyClass::D],
    })
}

/// 跟踪办理: the unit reports a class-B item solved; the office verifies it (only then is it
/// counted as delivered).
pub async fn delivery(
    db: &Db,
    congress: CongressId,
    id: i64,
    cap: Capacity,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, cap).await?;
    let (from, to, action) = match cap {
        Capacity::Unit { .. } => (Delivery::Pending, Delivery::Reported, "delivery_report"),
        Capacity::Office => (Delivery::Reported, Delivery::Verified, "delivery_verify"),
        Capacity::Deputy(_) => return Err(not_entitled(db, congress, id, o, "delivery").await),
    };
    let mut tx = db.write().await?;
    if !store::set_delivery(&mut tx, congress, id, from, to).await? {
        drop(tx);
        refused(db, congress, id, o, action).await;
        return Err(AppError::field(
            Field("state"),
            "suggestion.refused.delivery",
        ));
    }
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action,
            from: &s.state,
            to: &s.state,
            note: "",
            now: o.now,
        },
    )
    .await?;
    record(&mut tx, congress, id, o, action, &["delivery"]).await?;
    tx.commit().await?;
    Ok(())
}

/// The office closes an escalated item with its decision.
pub async fn close_escalated(
    db: &Db,
    congress: CongressId,
    id: i64,
    note: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Office).await?;
    if note.trim().is_empty() {
        return Err(AppError::field(
            Field("reason"),
            "suggestion.reason_required",
        ));
    }
    let (from, to) = decide(db, congress, &s, Command::Close, o).await?;
    let mut tx = db.write().await?;
    transition(
        &mut tx,
        congress,
        &s,
        Move {
            from,
            to,
            cmd: Command::Close,
        },
        note.trim(),
        o,
        &["state"],
    )
    .await?;
    store::set_closed(&mut tx, congress, id, &o.today.to_string()).await?;
    tx.commit().await?;
    Ok(())
}

//! 会议纪要 — the minutes of a meeting as a Word document: time and place, attendance (present,
//! on leave, absent, attending without a vote), the agenda, and every vote's result with the
//! article it rests on and its seal. Laid out by the documents' common layout (GB/T 9704 fonts).

use super::api::MeetingView;
use super::domain::VoteState;
use super::recount::{Stored, Verdict};
use crate::platform::clock::format_ms;
use std::fmt::Write;

/// The minutes' text: the first line is the title, numbered sections are headings.
pub fn text(v: &MeetingView, congress: &str) -> String {
    let m = &v.meeting;
    let mut s = String::new();
    let _ = writeln!(s, "{}纪要", m.title);
    let _ = writeln!(s, "　　时间：{}　地点：{}", format_ms(m.starts_at), m.place);
    let _ = writeln!(s, "一、出席情况");
    let names = |capacity: &str, attendance: &[&str]| {
        v.roll
            .iter()
            .filter(|r| r.capacity == capacity && attendance.contains(&r.attendance.as_str()))
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let _ = writeln!(
        s,
        "　　应出席{}人，实到{}人（法定人数{}人，{}）。",
        v.quorum.members,
        v.quorum.present,
        v.quorum.required,
        if v.quorum.met {
            "符合法定人数"
        } else {
            "不足法定人数"
        }
    );
    for (label, list) in [
        ("请假", names("member", &["excused", "leave_requested"])),
        ("缺席", names("member", &["expected"])),
        ("列席", names("attendee", &["present"])),
    ] {
        if !list.is_empty() {
            let _ = writeln!(s, "　　{label}：{list}。");
        }
    }
    let _ = writeln!(s, "二、会议议程");
    for i in &v.items {
        let _ = writeln!(s, "　　{}. {}", i.position, i.title);
    }
    let _ = writeln!(s, "三、表决结果");
    if v.votes.iter().all(|x| x.state != VoteState::Closed) {
        let _ = writeln!(s, "　　本次会议未进行表决。");
    }
    for (n, x) in v
        .votes
        .iter()
        .filter(|x| x.state == VoteState::Closed)
        .enumerate()
    {
        let stored = x
            .result
            .clone()
            .and_then(|v| serde_json::from_value::<Stored>(v).ok());
        let c = |k: &str| stored.as_ref().map_or(0, |s| s.count(k));
        let tally = match x.rule.as_str() {
            "decision" => format!(
                "赞成{}票，反对{}票，弃权{}票，未按表决器{}人",
                c("yes"),
                c("no"),
                c("abstain"),
                c("not_voted")
            ),
            "rating" => format!(
                "满意{}票，基本满意{}票，不满意{}票，未表态{}人",
                c("satisfied"),
                c("basically_satisfied"),
                c("dissatisfied"),
                c("not_voted")
            ),
            _ => stored
                .iter()
                .flat_map(|s| s.counts.iter())
                .map(|(k, n)| format!("{k}{n}票"))
                .collect::<Vec<_>>()
                .join("，"),
        };
        let verdict = match stored.as_ref().map(Stored::verdict) {
            Some(Verdict::Passed) => "通过".to_string(),
            Some(Verdict::NotPassed) => "未通过".to_string(),
            Some(Verdict::Elected(e)) => format!("当选：{}", e.join("、")),
            Some(Verdict::NoneElected) | None => "无人当选".to_string(),
        };
        let method = match x.method.as_str() {
            "secret" => "电子无记名表决",
            "named" => "电子记名表决",
            "hands" => "举手表决",
            _ => "纸质选票",
        };
        let _ = writeln!(
            s,
            "　　（{}）{}。{}，应到{}人，出席{}人；{}。通过需{}票，{}。",
            chinese_number(n + 1),
            x.subject,
            method,
            x.members.unwrap_or(0),
            x.present.unwrap_or(0),
            tally,
            stored.as_ref().map_or(0, |s| s.threshold),
            verdict
        );
        if let Some(note) = &x.method_note {
            let _ = writeln!(s, "　　表决方式变更：{note}。");
        }
        for c in &x.corrections {
            let _ = writeln!(
                s,
                "　　更正（{}）：{}。更正后结果已另行封存：SM3 {}。",
                format_ms(c.created_at),
                c.reason,
                c.digest
            );
        }
        if let Some(d) = &x.digest {
            let _ = writeln!(
                s,
                "　　结果封存：SM3 {d}（密钥版本{}）。",
                x.seal_version.unwrap_or(0)
            );
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "{congress}");
    let _ = writeln!(
        s,
        "{}",
        format_ms(m.closed_at.unwrap_or(m.starts_at))
            .get(..10)
            .unwrap_or("")
    );
    s
}

fn chinese_number(n: usize) -> String {
    const D: [&str; 11] = [
        "〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
    ];
    match n {
        0..=10 => D[n].to_string(),
        11..=19 => format!("十{}", D[n - 10]),
        _ => n.to_string(),
    }
}

/// The minutes as DOCX bytes.
pub fn docx(v: &MeetingView, congress: &str) -> Result<Vec<u8>, String> {
    crate::text::docx::render(&text(v, congress))
}

/// 选票 — a paper ballot for a vote taken on paper: the subject, how to mark it, one line per
/// candidate (or the motion) with boxes, and the write-in lines within the seats.
pub fn paper_ballot(v: &super::store::VoteRow, congress: &str) -> Result<Vec<u8>, String> {
    let mut s = String::new();
    let _ = writeln!(s, "{}选票", v.subject);
    let candidates = super::service::candidates_of(v);
    match v.rule.as_str() {
        "decision" => {
            let _ = writeln!(
                s,
                "　　请在您同意的选项前的方框内划“○”，只能划一处；多划或不划的，视为弃权。"
            );
            let _ = writeln!(s, "　　□ 赞成　　□ 反对　　□ 弃权");
        }
        "rating" => {
            let _ = writeln!(s, "　　请在一个选项前的方框内划“○”；不划或多划的为无效票。");
            let _ = writeln!(s, "　　□ 满意　　□ 基本满意　　□ 不满意");
        }
        "selection" => {
            let _ = writeln!(
                s,
                "　　应选{}项。请在同意的项目前的方框内划“○”，所选多于应选数的，选票无效。",
                v.seats.unwrap_or(0)
            );
            for c in &candidates {
                let _ = writeln!(s, "　　□ {c}");
            }
        }
        _ => {
            let seats = v.seats.unwrap_or(0);
            let _ = writeln!(
                s,
                "　　应选{seats}名。对候选人可以投赞成票、反对票，可以另选他人，也可以弃权。赞成的在“赞成”下划“○”，反对的划“×”，弃权的不划；另选他人的，在空格内写上姓名，并在其下划“○”。所选人数（含另选他人）多于应选名额的，选票作废。"
            );
            let _ = writeln!(s, "　　候选人按姓氏笔画排列：");
            for c in &candidates {
                let _ = writeln!(s, "　　{c}　　赞成 □　反对 □");
            }
            for _ in 0..seats {
                let _ = writeln!(s, "　　另选他人：＿＿＿＿＿＿　□");
            }
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "{congress}");
    let _ = writeln!(s, "（请勿在选票上署名）");
    crate::text::docx::render(&s)
}

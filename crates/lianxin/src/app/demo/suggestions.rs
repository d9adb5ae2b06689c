//! A year of the demo district's suggestions in every state, made through the real commands (so
//! the history, the audit trail, the deadlines and the numbers are what the system would have
//! written): drafts waiting for co-signers, items under review, returned, not registered,
//! assigned (some overdue), returned by a unit, replied, re-handled, closed, delivered.

use crate::db::Db;
use crate::platform::ids::{CongressId, UserId};
use crate::suggestions::domain::Command;
use crate::suggestions::service::{self, DraftInput, Origin};
use chrono::{Duration, NaiveDate};

const TOPICS: &[(&str, &str, &str)] = &[
    (
        "卫生院增设儿科门诊",
        "health",
        "家长带孩子看病需到城区，往返两小时，建议卫生院增设儿科门诊并配备专职医生。",
    ),
    (
        "老旧小区加装电梯",
        "urban_construction",
        "小区建于上世纪九十年代，老人上下楼困难，建议简化加装电梯审批并给予补贴。",
    ),
    (
        "农村生活污水治理",
        "environment",
        "部分村庄生活污水直排河道，建议分片建设污水处理设施并落实运维经费。",
    ),
    (
        "中小学课后服务",
        "education_culture",
        "双职工家庭接孩子困难，建议扩大课后服务覆盖面，丰富服务内容。",
    ),
    (
        "农产品冷链物流",
        "agriculture",
        "果蔬季节性强、损耗大，建议在镇上建设冷链集配中心。",
    ),
    (
        "公交线路延伸至工业园区",
        "urban_construction",
        "园区职工通勤不便，建议延伸公交线路并增加早晚高峰班次。",
    ),
    (
        "养老服务中心建设",
        "social_security",
        "农村老人增多，建议每个镇建设一处综合养老服务中心。",
    ),
    (
        "小微企业融资难",
        "economy",
        "小微企业贷款门槛高，建议设立风险补偿资金池，推广信用贷款。",
    ),
    (
        "学校周边交通安全",
        "public_safety",
        "上下学时段道路拥堵、车速快，建议设置减速带和护学岗。",
    ),
    (
        "政务服务一网通办",
        "government",
        "部分事项仍需多次跑腿，建议推进数据共享，实现一次办结。",
    ),
    (
        "河道堤防加固",
        "public_safety",
        "汛期堤防渗水，建议列入年度水利项目进行加固。",
    ),
    (
        "菜市场提升改造",
        "urban_construction",
        "菜市场设施陈旧、卫生差，建议实施标准化改造。",
    ),
];

const TOWNS: &[&str] = &["青石镇", "白沙镇", "柳河镇", "桃源镇", "云岭镇", "金田镇"];

/// What a demo item should end as.
#[derive(Clone, Copy)]
enum Target {
    Draft,
    Submitted,
    Returned,
    NotRegistered,
    Withdrawn,
    Registered,
    Assigned,
    UnitReturned,
    Replied,
    Rehandling,
    Closed,
    Delivered,
}

const PLAN: &[Target] = &[
    Target::Draft,
    Target::Submitted,
    Target::Submitted,
    Target::Returned,
    Target::NotRegistered,
    Target::Withdrawn,
    Target::Registered,
    Target::Assigned,
    Target::Assigned,
    Target::Assigned,
    Target::UnitReturned,
    Target::Replied,
    Target::Replied,
    Target::Rehandling,
    Target::Closed,
    Target::Closed,
    Target::Closed,
    Target::Delivered,
];

pub(super) fn at(now: i64, days_ago: i64) -> (i64, NaiveDate) {
    let ms = now - days_ago * 86_400_000;
    let date = chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| (d + Duration::hours(8)).date_naive())
        .unwrap_or_default();
    (ms, date)
}

pub(super) async fn user(db: &Db, name: &str) -> anyhow::Result<i64> {
    Ok(super::store::user_id(db, name).await?)
}

/// Seeds the suggestions of the district (idempotent with the rest of the demo: called once,
/// right after the district is created).
pub async fn seed(db: &Db, district: CongressId, now: i64) -> anyhow::Result<usize> {
    let office = user(db, "daibiao").await?;
    let operator = user(db, "chengban").await?;
    let head = user(db, "fuzeren").await?;
    let deputy_user = user(db, "deputy").await?;
    let lead_unit = super::store::unit_of_user(db, operator).await?;
    let other_units = super::store::other_units(db, district, lead_unit, 6).await?;
    let the_deputy = crate::suggestions::deputy_of_user(db, district, deputy_user)
        .await?
        .map(|(d, _)| d);
    let deputies = super::store::deputies_in_office(db, district, 40).await?;
    let origin = |user: i64, days_ago: i64| {
        let (ms, date) = at(now, days_ago);
        Origin {
            user: UserId(user),
            client_addr: None,
            now: ms,
            today: date,
        }
    };
    let town_ids: Vec<(i64, String)> = crate::congress::all(db)
        .await?
        .into_iter()
        .filter(|c| c.parent == Some(district))
        .map(|c| (c.id.0, c.short_name))
        .collect();
    let mut made = 0;
    for (i, target) in PLAN.iter().cycle().take(PLAN.len() * 2).enumerate() {
        let (topic, category, content) = TOPICS[i % TOPICS.len()];
        let town = TOWNS[i % TOWNS.len()];
        // The "deputy" account leads every third item, so its own list is full of examples.
        let lead = match the_deputy {
            Some(d) if i % 3 == 0 => d,
            _ => deputies.get(i % deputies.len().max(1)).map_or(0, |d| d.0),
        };
        // Items drafted between about ten months and a week ago; later plans are younger.
        let start = 300 - (i as i64 * 7) % 290;
        let by_deputy = |days_ago: i64| {
            origin(
                user_for_deputy(lead, the_deputy, deputy_user, office),
                days_ago,
            )
        };
        let id = service::draft(
            db,
            district,
            lead,
            &DraftInput {
                title: format!("关于{town}{topic}的建议"),
                content: content.to_string(),
                category: category.to_string(),
                cosigners: String::new(),
                town: town_ids
                    .iter()
                    .find(|(_, name)| name == town)
                    .map(|(id, _)| id.to_string())
                    .unwrap_or_default(),
                as_delegation: false,
            },
            &by_deputy(start),
        )
        .await?;
        made += 1;
        if i % 4 == 0 {
            service::attach(
                db,
                district,
                id,
                service::Capacity::Deputy(lead),
                crate::attachments::Upload {
                    purpose: "material",
                    file_name: "现场情况说明.pdf",
                    bytes: DEMO_PDF,
                },
                &by_deputy(start),
            )
            .await?;
        }
        if matches!(target, Target::Draft) {
            continue;
        }
        if matches!(target, Target::Withdrawn) {
            service::lead_action(db, district, id, lead, true, &by_deputy(start - 1)).await?;
            continue;
        }
        service::lead_action(db, district, id, lead, false, &by_deputy(start - 1)).await?;
        let o = origin(office, start - 3);
        match target {
            Target::Submitted => continue,
            Target::Returned => {
                service::review(
                    db,
                    district,
                    id,
                    Command::ReturnForRevision,
                    "请补充问题的具体情况和建议措施",
                    &o,
                )
                .await?;
                continue;
            }
            Target::NotRegistered => {
                service::review(
                    db,
                    district,
                    id,
                    Command::Reject,
                    "属于个人诉求，已转交信访部门办理，留作参阅",
                    &o,
                )
                .await?;
                continue;
            }
            _ => {
                service::review(db, district, id, Command::Register, "", &o).await?;
            }
        }
        if matches!(target, Target::Registered) {
            continue;
        }
        let replying = matches!(
            target,
            Target::Replied
                | Target::Rehandling
                | Target::Closed
                | Target::Delivered
                | Target::UnitReturned
        );
        let unit = if replying {
            lead_unit
        } else {
            other_units
                .get(i % other_units.len().max(1))
                .map_or(lead_unit, |u| u.0)
        };
        let co: Vec<i64> = other_units
            .iter()
            .map(|u| u.0)
            .filter(|u| *u != unit)
            .take(i % 2)
            .collect();
        service::assign(
            db,
            district,
            id,
            Some(unit),
            &co,
            i % 5 == 0,
            &origin(office, start - 5),
        )
        .await?;
        match target {
            Target::Assigned => continue,
            Target::UnitReturned => {
                service::unit_return(
                    db,
                    district,
                    id,
                    unit,
                    "该事项属交通运输局职责，建议改由其主办",
                    &origin(operator, start - 7),
                )
                .await?;
                continue;
            }
            _ => {}
        }
        let reply_day = (start - 40).max(1);
        let contact = service::ContactInput {
            unit,
            on_date: &at(now, reply_day + 5).1.to_string(),
            form: "visit",
            content: "与代表一同实地察看，听取意见",
        };
        let by_operator = origin(operator, reply_day + 5);
        service::log_contact(db, district, id, &contact, &by_operator).await?;
        for c in &co {
            // Co-units countersign on paper; the office keys their opinions in.
            service::co_opinion(
                db,
                district,
                id,
                *c,
                "同意主办单位的办理意见",
                &origin(office, reply_day + 3),
            )
            .await?;
        }
        let class = if matches!(target, Target::Delivered) || i % 4 == 1 {
            "B"
        } else {
            "A"
        };
        if i % 3 == 0 {
            service::attach(
                db,
                district,
                id,
                service::Capacity::Unit { unit, head: false },
                crate::attachments::Upload {
                    purpose: "reply",
                    file_name: "办理方案.pdf",
                    bytes: DEMO_PDF,
                },
                &origin(operator, reply_day),
            )
            .await?;
        }
        let reply = service::ReplyInput {
            unit,
            head: true,
            class,
            body: "经研究，已将该建议列入年度工作计划，具体措施如下：一是明确责任科室；二是落实经费；三是年底前完成。",
        };
        let by_head = origin(head, reply_day);
        service::reply(
            db,
            district,
            id,
            reply,
            &by_head,
            crate::opinions::service::REPLIED,
        )
        .await?;
        let rate_day = (reply_day - 5).max(0);
        match target {
            Target::Replied => continue,
            Target::Rehandling => {
                service::rate(
                    db,
                    district,
                    id,
                    lead,
                    "unsatisfied",
                    "答复只讲了原则，没有具体措施和时间表。",
                    &by_deputy(rate_day),
                )
                .await?;
            }
            Target::Closed => {
                let r = if i % 2 == 0 {
                    "satisfied"
                } else {
                    "basically_satisfied"
                };
                service::rate(db, district, id, lead, r, "", &by_deputy(rate_day)).await?;
            }
            Target::Delivered => {
                service::rate(
                    db,
                    district,
                    id,
                    lead,
                    "satisfied",
                    "承办单位多次上门沟通，问题已经解决。",
                    &by_deputy(rate_day),
                )
                .await?;
                service::delivery(
                    db,
                    district,
                    id,
                    service::Capacity::Unit { unit, head: false },
                    &origin(operator, rate_day),
                )
                .await?;
                service::delivery(
                    db,
                    district,
                    id,
                    service::Capacity::Office,
                    &origin(office, rate_day),
                )
                .await?;
            }
            _ => {}
        }
        // Half of the settled replies are published on the portal, as an office would.
        if matches!(target, Target::Closed | Target::Delivered) && i % 2 == 0 {
            service::publish(db, district, id, true, &origin(office, rate_day)).await?;
        }
    }
    Ok(made)
}

/// A one-page PDF, so that the demo's attachments open in any reader.
const DEMO_PDF: &[u8] = b"%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 58 >> stream
BT /F1 18 Tf 72 760 Td (Lianxin demo attachment) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
";

/// The account a seeded deputy acts through: the demo deputy's own, else (deputies without an
/// account) the office, which keys in paper submissions on their behalf.
fn user_for_deputy(lead: i64, the_deputy: Option<i64>, deputy_user: i64, office: i64) -> i64 {
    if Some(lead) == the_deputy {
        deputy_user
    } else {
        office
    }
}

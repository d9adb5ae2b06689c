//! The demo's citizens' opinions: two months of them through the real commands, at the dates
//! they would have come in — from the portal and QR codes, by visit and phone; answered on the
//! spot, routed to units (one answered late, one still open past its date), referred to the
//! petition-letters office, a group of street-lamp complaints merged and answered together, two
//! turned into a deputy's suggestion, one handed over to 青石镇, and the citizens' ratings.

use super::suggestions::{at, user};
use crate::db::Db;
use crate::opinions::service::{self, Handler, OpinionInput};
use crate::platform::ids::{CongressId, UserId};
use crate::platform::origin::Origin;

fn origin(user: i64, now: i64, days_ago: i64) -> Origin {
    let (ms, today) = at(now, days_ago);
    Origin {
        user: UserId(user),
        client_addr: None,
        now: ms,
        today,
    }
}

/// (days ago, kind, category, place, text, to the demo deputy)
const OPINIONS: &[(i64, &str, &str, &str, &str, bool)] = &[
    (
        58,
        "need",
        "roads_transport",
        "青石镇幸福路",
        "幸福路的路灯坏了好几天了，晚上很黑，老人出门不安全。",
        false,
    ),
    (
        57,
        "need",
        "roads_transport",
        "青石镇幸福路",
        "幸福路街灯不亮，晚上走路很黑，希望尽快修好。",
        false,
    ),
    (
        55,
        "need",
        "roads_transport",
        "青石镇幸福路",
        "幸福路路燈壞了一個星期，晚上漆黑一片。",
        false,
    ),
    (
        54,
        "question",
        "environment",
        "柳河镇",
        "柳河镇造纸厂夜里偷排污水，河水发黑发臭，环保部门管不管？",
        false,
    ),
    (
        50,
        "need",
        "elderly_care",
        "白沙镇",
        "希望在白沙镇建一个老年食堂，方便独居老人吃饭。",
        true,
    ),
    (
        49,
        "need",
        "elderly_care",
        "白沙镇",
        "白沙镇独居老人多，吃饭难，建议办老年人助餐点。",
        true,
    ),
    (
        45,
        "idea",
        "business",
        "松岗镇",
        "建议简化小微企业开办手续，一窗受理，优化营商环境。",
        false,
    ),
    (
        40,
        "need",
        "schools",
        "桃源镇中心小学",
        "中心小学门口上下学时段交通拥堵严重，建议错峰放学并安排协管员。",
        false,
    ),
    (
        36,
        "question",
        "medical_insurance",
        "云溪镇",
        "医保异地报销手续太繁琐，跑了好几趟都没办好，能否网上办理？",
        false,
    ),
    (
        30,
        "need",
        "housing",
        "青石镇和平小区",
        "和平小区楼道堆满杂物，物业不管，存在消防隐患。",
        false,
    ),
    (
        24,
        "question",
        "public_safety",
        "城南社区",
        "邻居家的房屋买卖纠纷，法院判了不执行，人大能不能管？",
        false,
    ),
    (
        18,
        "need",
        "roads_transport",
        "白沙镇东河村",
        "东河村到镇上的公交车太少，一天只有两班。",
        false,
    ),
    (
        12,
        "need",
        "environment",
        "青石镇老街",
        "老街附近建筑工地夜间施工噪音扰民，晚上十一点还在打桩。",
        false,
    ),
    (
        6,
        "idea",
        "schools",
        "柳河镇",
        "建议在柳河镇增加幼儿园学位，孩子入园太难。",
        false,
    ),
    (
        3,
        "need",
        "elderly_care",
        "松岗镇",
        "松岗镇养老院床位太少，排队要等一年。",
        false,
    ),
    (
        1,
        "need",
        "roads_transport",
        "青石镇幸福路",
        "幸福路路灯晚上不亮，已经很久了。",
        false,
    ),
];

pub async fn seed(db: &Db, district: CongressId, now: i64) -> anyhow::Result<usize> {
    let staff = user(db, "lianluozhan").await?;
    let operator = user(db, "chengban").await?;
    let deputy_user = user(db, "deputy").await?;
    let unit = super::store::unit_of_user(db, operator).await?;
    let deputy = crate::suggestions::deputy_of_user(db, district, deputy_user)
        .await?
        .map(|(d, _)| d);
    let town = crate::congress::all(db)
        .await?
        .into_iter()
        .find(|c| c.parent == Some(district) && c.name.contains("青石镇"))
        .map(|c| c.id);
    let e = |e: crate::platform::error::AppError| anyhow::anyhow!("{e}");
    let mut ids = Vec::new();
    for (i, (days, kind, category, place, body, to_deputy)) in OPINIONS.iter().enumerate() {
        let (ms, _) = at(now, *days);
        let input = OpinionInput {
            kind: kind.to_string(),
            category: category.to_string(),
            place: place.to_string(),
            body: body.to_string(),
            contact: if i % 3 == 0 {
                format!("1390000{:04}", 2000 + i)
            } else {
                String::new()
            },
            consent: "on".into(),
            deputy: match (to_deputy, deputy) {
                (true, Some(d)) => d.to_string(),
                _ => String::new(),
            },
            issued: service::form_token(db, ms - 90_000).map_err(e)?,
            ..OpinionInput::default()
        };
        let r = if i % 4 == 1 {
            service::enter_for_citizen(db, district, &input, "phone", UserId(staff), ms, None)
                .await
                .map_err(e)?
        } else {
            service::submit(db, district, &input, ms, None)
                .await
                .map_err(e)?
        };
        ids.push((r.id, r.code));
    }
    let id = |k: usize| ids[k].0;
    let code = |k: usize| ids[k].1.clone();
    // The street-lamp group: merged under its leader, one answer for all of them.
    let group = crate::opinions::get(db, district, id(1))
        .await?
        .and_then(|o| o.group_id);
    if let Some(leader) = group {
        service::merge(db, district, leader, leader, &origin(staff, now, 53))
            .await
            .map_err(e)?;
        service::answer(
            db,
            district,
            leader,
            Handler::Staff,
            "经联系区城管局，幸福路12盏路灯已于本周更换灯具并恢复照明，今后每月巡查一次。",
            &origin(staff, now, 50),
        )
        .await
        .map_err(e)?;
        let members = crate::opinions::members(db, district, leader).await?;
        for (m, r) in members.iter().zip(["satisfied", "basically_satisfied"]) {
            let (ms, _) = at(now, 48);
            service::rate(db, &m.tracking_code, r, "", ms, None)
                .await
                .map_err(e)?;
        }
    }
    // Routed to the unit: answered (late), and one still open past its date.
    service::route(
        db,
        district,
        id(3),
        Handler::Staff,
        unit,
        &origin(staff, now, 53),
    )
    .await
    .map_err(e)?;
    service::answer(
        db,
        district,
        id(3),
        Handler::Unit(unit),
        "经查，造纸厂存在夜间偷排问题，已责令停产整改并处罚款20万元，整改完成前不得复产。",
        &origin(operator, now, 20),
    )
    .await
    .map_err(e)?;
    {
        let (ms, _) = at(now, 18);
        service::rate(db, &code(3), "satisfied", "", ms, None)
            .await
            .map_err(e)?;
    }
    service::route(
        db,
        district,
        id(7),
        Handler::Staff,
        unit,
        &origin(staff, now, 38),
    )
    .await
    .map_err(e)?;
    service::route(
        db,
        district,
        id(11),
        Handler::Staff,
        unit,
        &origin(staff, now, 16),
    )
    .await
    .map_err(e)?;
    // Answered on the spot by the station; one rated unsatisfied and reopened.
    service::answer(
        db,
        district,
        id(6),
        Handler::Staff,
        "区政务服务中心已开设企业开办“一窗通办”专区，营业执照、印章、发票一天办结。",
        &origin(staff, now, 43),
    )
    .await
    .map_err(e)?;
    service::answer(
        db,
        district,
        id(8),
        Handler::Staff,
        "异地就医备案已可在国家医保服务平台APP办理，备案后直接结算，不必回参保地报销。",
        &origin(staff, now, 33),
    )
    .await
    .map_err(e)?;
    {
        let (ms, _) = at(now, 30);
        service::rate(
            db,
            &code(8),
            "unsatisfied",
            "我父亲不会用手机，希望社区能帮着办。",
            ms,
            None,
        )
        .await
        .map_err(e)?;
    }
    // Never a silent closure: the court judgment belongs to the court.
    service::refer(
        db,
        district,
        id(10),
        Handler::Staff,
        "litigation",
        "生效判决不履行的，可以向作出判决的人民法院申请强制执行；人大不能代替法院办理个案，如认为执行中有违法情形，可向区检察院反映。",
        &origin(staff, now, 22),
    )
    .await
    .map_err(e)?;
    // Two needs turned into the deputy's suggestion.
    if let Some(d) = deputy {
        service::convert(
            db,
            district,
            d,
            &[id(4), id(5)],
            &origin(deputy_user, now, 47),
        )
        .await
        .map_err(e)?;
    }
    // The night construction is the town's to handle.
    if let Some(t) = town {
        service::transfer(
            db,
            district,
            id(12),
            t,
            "工地位于青石镇镇区，由镇人大主席团督促镇政府处理",
            &origin(staff, now, 11),
        )
        .await
        .map_err(e)?;
    }
    Ok(ids.len())
}

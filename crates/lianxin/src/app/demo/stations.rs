//! The demo's reception days: at the first three district stations, one held three weeks ago
//! with the receptions recorded there, and two coming ones published on the portal — made
//! through the real commands, at the dates they would have been entered.

use super::suggestions::{at, user};
use crate::db::Db;
use crate::platform::ids::{CongressId, UserId};
use crate::stations;
use crate::stations::domain::DayInput;
use crate::stations::service::{self, Origin, ReceptionInput};

const MATTERS: &[&str] = &[
    "小区门口的路灯坏了两个多月，晚上出行不安全，希望尽快修好。",
    "老年食堂只在工作日开放，希望周末也能供餐。",
    "菜市场周边占道经营严重，早高峰公交车过不去。",
    "孩子上学的路口没有红绿灯，希望增设信号灯或安排交通协管员。",
];

pub async fn seed(db: &Db, district: CongressId, now: i64) -> anyhow::Result<usize> {
    let staff = UserId(user(db, "lianluozhan").await?);
    let origin = |days_ago: i64| {
        let (ms, today) = at(now, days_ago);
        Origin {
            user: staff,
            client_addr: None,
            now: ms,
            today,
        }
    };
    let mut made = 0;
    for (i, station) in stations::stations(db, district)
        .await?
        .into_iter()
        .take(3)
        .enumerate()
    {
        // By id: the demo's names repeat, as real rosters' do.
        let deputies: Vec<String> = stations::station_deputies(db, district, station.id)
            .await?
            .into_iter()
            .map(|(id, _)| format!("#{id}"))
            .take(2)
            .collect();
        if deputies.is_empty() {
            continue;
        }
        // (entered days ago, held days ago): a past day, and two coming ones.
        for (entered, held) in [(27i64, 21i64), (2, -5 - i as i64), (1, -12)] {
            let (_, on) = at(now, held);
            let id = service::schedule(
                db,
                district,
                station.id,
                &DayInput {
                    on_date: on.to_string(),
                    starts_at: "09:00".into(),
                    ends_at: "11:30".into(),
                    topic: if held < -10 {
                        "老旧小区改造专题接待".into()
                    } else {
                        String::new()
                    },
                    deputies: deputies.join("、"),
                },
                &origin(entered),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            made += 1;
            if held > 0 {
                let on_duty = stations::on_duty(db, district, id).await?;
                for (k, matter) in MATTERS.iter().enumerate().skip(i).take(2) {
                    service::record_reception(
                        db,
                        district,
                        id,
                        &ReceptionInput {
                            deputy: on_duty
                                .get(k % on_duty.len().max(1))
                                .map(|(d, _)| d.to_string())
                                .unwrap_or_default(),
                            visitor: if k % 2 == 0 {
                                format!("居民王女士 1390000{:04}", 1000 + k)
                            } else {
                                String::new()
                            },
                            matter: matter.to_string(),
                        },
                        &origin(held),
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
            }
        }
    }
    Ok(made)
}

//! Synthetic districts at scale for the benchmark harness: many congresses, up to millions of
//! persons and tens of thousands of deputies, written with multi-row INSERTs in large
//! transactions. Names and ID numbers are fictional (region codes 98xxxx).

use super::names::Lcg;
use super::store::{insert_deputies, insert_persons};
use crate::congress::{self as congresses, CongressLevel};
use crate::db::Db;
use crate::platform::ids::CongressId;

#[derive(Debug, Clone)]
pub struct Spec {
    pub persons: u64,
    pub deputies: u64,
    pub districts: u64,
    pub towns_per_district: u64,
}

/// What was made, for the benchmark to aim at.
#[derive(Debug, Clone)]
pub struct Made {
    /// The congress with the most deputies (a tenth of all).
    pub largest: CongressId,
    pub largest_deputies: u64,
    pub congresses: u64,
    /// A deputy id of the largest congress.
    pub sample_deputy: i64,
}

const PERSON_BATCH: usize = 500;
const COMMIT_EVERY: u64 = 50_000;

/// Seeds the synthetic congresses; `progress(done, total)` is called as rows are written.
pub async fn seed(
    db: &Db,
    spec: &Spec,
    now: i64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<Made> {
    anyhow::ensure!(
        spec.deputies <= spec.persons,
        "every deputy is a person: deputies must not exceed persons"
    );
    anyhow::ensure!(
        spec.districts <= 99 && spec.towns_per_district <= 99,
        "at most 99 districts of 99 towns"
    );
    let total = spec.persons + spec.deputies;
    let mut tx = db.write().await?;
    // Congresses, each with a term and ten constituencies.
    let mut all = Vec::new();
    for d in 1..=spec.districts {
        let code = format!("98{d:02}00");
        let district = congresses::create(
            &mut tx,
            None,
            CongressLevel::District,
            &format!("测试{d}区人民代表大会"),
            &format!("测试{d}区"),
            &code,
            now,
        )
        .await?;
        all.push(district);
        for t in 1..=spec.towns_per_district {
            let code = format!("98{d:02}{t:02}");
            all.push(
                congresses::create(
                    &mut tx,
                    Some(district),
                    CongressLevel::Town,
                    &format!("测试{d}区{t}镇人民代表大会"),
                    &format!("测试{d}区{t}镇"),
                    &code,
                    now,
                )
                .await?,
            );
        }
    }
    let mut plan = Vec::new();
    for &c in &all {
        let term = congresses::create_term(&mut tx, c, 1, "2022-01-01", "2027-12-31").await?;
        let mut cons = Vec::new();
        for k in 1..=10 {
            cons.push(
                crate::people::create_constituency(&mut tx, c, &format!("第{k}选区"), None).await?,
            );
        }
        plan.push((c, term, cons));
    }
    tx.commit().await?;

    // Persons, in batches; the first `deputies` of them become deputies.
    let mut rng = Lcg(98);
    let mut person_ids: Vec<i64> = Vec::with_capacity(spec.deputies as usize);
    let mut done = 0u64;
    let mut tx = db.write().await?;
    while done < spec.persons {
        let n = PERSON_BATCH.min((spec.persons - done) as usize);
        let ids = insert_persons(&mut tx, &db.vault, &mut rng, done, n, now).await?;
        if (person_ids.len() as u64) < spec.deputies {
            person_ids.extend(
                ids.into_iter()
                    .take((spec.deputies as usize) - person_ids.len()),
            );
        }
        done += n as u64;
        if done % COMMIT_EVERY < n as u64 {
            tx.commit().await?;
            tx = db.write().await?;
        }
        progress(done, total);
    }
    tx.commit().await?;

    // Deputies: a tenth in the first congress, the rest spread evenly.
    let largest_n = (spec.deputies / 10).max(1).min(spec.deputies);
    let rest = spec.deputies - largest_n;
    let others = (all.len() as u64).saturating_sub(1).max(1);
    let mut tx = db.write().await?;
    let mut written = 0u64;
    let mut cursor = 0usize;
    let mut sample = 0;
    for (i, (c, term, cons)) in plan.iter().enumerate() {
        let count = if i == 0 {
            largest_n
        } else {
            rest / others + u64::from((i as u64 - 1) < rest % others)
        };
        let mut left = count as usize;
        while left > 0 {
            let n = left.min(PERSON_BATCH);
            let batch = &person_ids[cursor..cursor + n];
            let first = insert_deputies(&mut tx, *c, *term, cons, batch, &mut rng, now).await?;
            if i == 0 && sample == 0 {
                sample = first;
            }
            cursor += n;
            left -= n;
            written += n as u64;
            progress(spec.persons + written, total);
        }
        if written % COMMIT_EVERY < count {
            tx.commit().await?;
            tx = db.write().await?;
        }
    }
    tx.commit().await?;
    Ok(Made {
        largest: plan[0].0,
        largest_deputies: largest_n,
        congresses: all.len() as u64,
        sample_deputy: sample,
    })
}

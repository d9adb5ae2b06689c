//! Synthetic districts at scale for the benchmark harness: many congresses, up to millions of
//! persons and tens of thousands of deputies, written with multi-row INSERTs in large
//! transactions. Names and ID numbers are fictional (region codes 98xxxx).

use super::names::{self, Lcg};
use crate::congress::{CongressLevel, store as congresses};
use crate::db::{Db, Tx};
use crate::people::domain::{mask_id_card, name_key};
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
                crate::people::store::create_constituency(&mut tx, c, &format!("第{k}选区"), None)
                    .await?,
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

async fn insert_persons(
    tx: &mut Tx<'_>,
    vault: &crate::platform::vault::Vault,
    rng: &mut Lcg,
    offset: u64,
    n: usize,
    now: i64,
) -> anyhow::Result<Vec<i64>> {
    let mut sql = String::from(
        "INSERT INTO persons (name, name_key, gender, ethnicity, birth_date, id_card_digest, id_card_masked, id_card_sealed, created_at) VALUES ",
    );
    let mut rows = Vec::with_capacity(n);
    for k in 0..n {
        let serial = offset + k as u64;
        let name = names::name(rng);
        // Region 98xxxx + serial keeps every number unique across a million persons.
        let id = names::id_card(980_000 + (serial / 1000) as u32 % 20_000, serial, rng);
        rows.push((name_key(&name), name, id));
        let b = k * 8;
        if k > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, NULL, ${}, ${}, ${}, ${})",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8
        ));
    }
    sql.push_str(" RETURNING id");
    let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql));
    for (key, name, id) in &rows {
        let gender = if id.as_bytes()[16] % 2 == 1 {
            "male"
        } else {
            "female"
        };
        q = q
            .bind(name)
            .bind(key)
            .bind(gender)
            .bind("汉族")
            .bind(vault.digest(crate::people::store::ID_CARD, id)?)
            .bind(mask_id_card(id))
            .bind(vault.seal(crate::people::store::ID_CARD, id)?)
            .bind(now);
    }
    Ok(q.fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}

async fn insert_deputies(
    tx: &mut Tx<'_>,
    congress: CongressId,
    term: i64,
    cons: &[i64],
    persons: &[i64],
    rng: &mut Lcg,
    now: i64,
) -> anyhow::Result<i64> {
    // The sort key is the person's; read it back in one query per batch.
    let placeholders: Vec<String> = (1..=persons.len()).map(|i| format!("${i}")).collect();
    let mut q = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(format!(
        "SELECT id, name_key, name FROM persons WHERE id IN ({})",
        placeholders.join(",")
    )));
    for p in persons {
        q = q.bind(*p);
    }
    let people: std::collections::HashMap<i64, (String, String)> = q
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(id, key, name)| (id, (key, name)))
        .collect();
    // Ten parameters per row; the status is a literal.
    let mut sql = String::from(
        "INSERT INTO deputies (congress_id, term_id, person_id, name_key, constituency_id, party, composition, occupation, education, status, created_at, updated_at) VALUES ",
    );
    for k in 0..persons.len() {
        let b = k * 10;
        if k > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 'in_office', ${}, ${})",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8,
            b + 9,
            b + 10,
            b + 10
        ));
    }
    sql.push_str(" RETURNING id");
    let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql));
    for (k, p) in persons.iter().enumerate() {
        q = q
            .bind(congress.0)
            .bind(term)
            .bind(*p)
            .bind(people.get(p).map(|x| x.0.clone()).unwrap_or_default())
            .bind(cons[k % cons.len()])
            .bind(rng.pick(names::PARTIES))
            .bind(rng.pick(names::COMPOSITIONS))
            .bind(rng.pick(names::OCCUPATIONS))
            .bind(rng.pick(names::EDUCATIONS))
            .bind(now);
    }
    let ids = q.fetch_all(&mut **tx).await?;
    // Index them for search, as the roster's commands do one by one.
    let mut sql = String::from(
        "INSERT INTO search_docs (congress_id, kind, item_id, title, body, tokens, updated_at) VALUES ",
    );
    let mut docs = Vec::with_capacity(ids.len());
    for (k, ((id,), p)) in ids.iter().zip(persons).enumerate() {
        let name = people.get(p).map(|x| x.1.clone()).unwrap_or_default();
        let tokens = crate::search::doc_tokens(&crate::search::Doc {
            congress,
            kind: "deputy",
            item_id: *id,
            title: &name,
            body: "",
        });
        let b = k * 5;
        if k > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${}, 'deputy', ${}, ${}, '', ${}, ${})",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5
        ));
        docs.push((*id, name, tokens));
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (id, name, tokens) in docs {
        q = q
            .bind(congress.0)
            .bind(id)
            .bind(name)
            .bind(tokens)
            .bind(now);
    }
    q.execute(&mut **tx).await?;
    Ok(ids.first().map_or(0, |(id,)| *id))
}

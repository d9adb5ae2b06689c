//! The demo's own SQL: look-ups by the demo's known names, and the bulk loads of the
//! province-scale roster (a statement per batch, not a command per deputy).

use super::names::{self, Lcg};
use crate::db::{Db, Tx};
use crate::people::domain::{mask_id_card, name_key};
use crate::platform::ids::{CongressId, UserId};

/// The id of a demo account.
pub(super) async fn user_id(db: &Db, username: &str) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&db.pool)
        .await?;
    Ok(id)
}

/// The unit a unit account belongs to.
pub(super) async fn unit_of_user(db: &Db, user: i64) -> Result<i64, sqlx::Error> {
    let (unit,): (i64,) = sqlx::query_as(
        "SELECT organization_id FROM role_grants WHERE user_id = $1 AND organization_id IS NOT NULL",
    )
    .bind(user)
    .fetch_one(&db.pool)
    .await?;
    Ok(unit)
}

/// Up to `n` handling units of the congress other than `except`, by id.
pub(super) async fn other_units(
    db: &Db,
    congress: CongressId,
    except: i64,
    n: i64,
) -> Result<Vec<(i64,)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id FROM organizations WHERE congress_id = $1 AND kind = 'handling_unit' AND id <> $2 ORDER BY id LIMIT $3",
    )
    .bind(congress.0)
    .bind(except)
    .bind(n)
    .fetch_all(&db.pool)
    .await
}

/// Up to `n` deputies in office, by id.
pub(super) async fn deputies_in_office(
    db: &Db,
    congress: CongressId,
    n: i64,
) -> Result<Vec<(i64,)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id FROM deputies WHERE congress_id = $1 AND status = 'in_office' ORDER BY id LIMIT $2",
    )
    .bind(congress.0)
    .bind(n)
    .fetch_all(&db.pool)
    .await
}

/// The seed account exists only to sign the seeded records: nobody signs in with it.
pub(super) async fn disable_user(tx: &mut Tx<'_>, user: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET disabled = 1 WHERE id = $1")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(super) async fn insert_persons(
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
            .bind(vault.digest(crate::people::ID_CARD, id)?)
            .bind(mask_id_card(id))
            .bind(vault.seal(crate::people::ID_CARD, id)?)
            .bind(now);
    }
    Ok(q.fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}

pub(super) async fn insert_deputies(
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

//! 示范区 — the demo district: a fictional district congress with 6 towns, ~180 district and ~600
//! town deputies, a standing committee of 25, 40 handling units, 12 liaison stations, and an
//! account for every role (all sharing one documented demo password). Created idempotently in
//! one transaction: a half-made district is never left behind.

mod directory;
pub mod livelihood;
pub mod meetings;
pub mod names;
pub mod opinions;
pub mod scale;
pub mod stations;
mod store;
pub mod suggestions;

use crate::accounts::roles::{Grant, Office, Role};
use crate::accounts::{self as accounts, password};
use crate::congress::{self as congresses, CongressLevel};
use crate::db::{Db, Tx};
use crate::people;
use crate::people::domain::DeputyInput;
use crate::people::service::{self, Origin};
use crate::platform::ids::{CongressId, PersonId, UserId};
use names::Lcg;

pub use directory::{ACCOUNTS, Scope, TOWNS, UNITS};

pub const DEMO_PASSWORD: &str = "Lianxin-demo-2026";

/// The login page's help in demo mode: the accounts above and their password.
pub const SIGN_IN: crate::web::DemoSignIn = crate::web::DemoSignIn {
    accounts: || ACCOUNTS.iter().map(|(u, r, ..)| (*u, *r)).collect(),
    password: DEMO_PASSWORD,
};
pub const DISTRICT_CODE: &str = "990100";

/// Creates the demo district unless it exists. Returns true when it was created now.
pub async fn seed(db: &Db, now: i64) -> anyhow::Result<bool> {
    if congresses::by_region(db, DISTRICT_CODE).await?.is_some() {
        return Ok(false);
    }
    // One argon2id hash for every demo account: hashing ~20 times would slow the start for nothing.
    let hash = password::hash(DEMO_PASSWORD).map_err(anyhow::Error::msg)?;
    let mut tx = db.write().await?;
    let mut rng = Lcg(2026);
    let district = congresses::create(
        &mut tx,
        None,
        CongressLevel::District,
        "示范区人民代表大会",
        "示范区",
        DISTRICT_CODE,
        now,
    )
    .await?;
    let mut towns = Vec::new();
    for (i, t) in TOWNS.iter().enumerate() {
        let code = format!("9901{:02}", i + 1);
        towns.push(
            congresses::create(
                &mut tx,
                Some(district),
                CongressLevel::Town,
                &format!("{t}人民代表大会"),
                t,
                &code,
                now,
            )
            .await?,
        );
    }
    // Terms and sessions: the district's 18th congress (2022–2027) with five sessions so far.
    let d_term = congresses::create_term(&mut tx, district, 18, "2022-01-10", "2027-01-09").await?;
    let mut last_session = 0;
    for n in 1..=5i64 {
        let year = 2021 + n;
        last_session = congresses::create_session(
            &mut tx,
            district,
            d_term,
            n,
            &format!("{year}-01-10"),
            &format!("{year}-01-13"),
        )
        .await?;
    }
    let mut town_terms = Vec::new();
    for &t in &towns {
        let term = congresses::create_term(&mut tx, t, 18, "2021-12-25", "2026-12-24").await?;
        for n in 1..=5i64 {
            let year = 2021 + n;
            congresses::create_session(
                &mut tx,
                t,
                term,
                n,
                &format!("{year}-01-05"),
                &format!("{year}-01-06"),
            )
            .await?;
        }
        town_terms.push(term);
    }
    // The system itself is the origin of the seed records.
    let origin = Origin {
        user: UserId(0),
        client_addr: None,
        now,
        today: crate::platform::clock::china_date(now),
    };
    let sys = seed_system_user(&mut tx, &hash, now).await?;
    let origin = Origin {
        user: sys,
        ..origin
    };

    // Constituencies, delegations, stations.
    for (i, &t) in towns.iter().enumerate() {
        for k in 1..=5 {
            people::create_constituency(
                &mut tx,
                district,
                &format!("{}第{k}选区", TOWNS[i]),
                Some(t),
            )
            .await?;
        }
        for k in 1..=20 {
            people::create_constituency(&mut tx, t, &format!("第{k}选区"), Some(t)).await?;
        }
        people::create_org(
            &mut tx,
            district,
            "delegation",
            None,
            &format!("{}代表团", TOWNS[i]),
            Some(last_session),
            now,
        )
        .await?;
        people::create_org(
            &mut tx,
            t,
            "deputy_group",
            None,
            &format!("{}第一代表小组", TOWNS[i]),
            None,
            now,
        )
        .await?;
        people::create_station(
            &mut tx,
            district,
            "liaison_station",
            &format!("{}人大代表联络站", TOWNS[i]),
            &format!("示范区{}中心路{}号", TOWNS[i], 10 + i),
            "周一至周五 9:00–17:00",
        )
        .await?;
        people::create_station(
            &mut tx,
            t,
            "deputies_home",
            &format!("{}人大代表之家", TOWNS[i]),
            &format!("示范区{}便民服务中心二楼", TOWNS[i]),
            "每月第一个周三 9:00–12:00",
        )
        .await?;
    }

    // Deputies: 180 district deputies (30 per town), 100 per town (600 in all).
    let mut serial = 0u64;
    let mut district_people = Vec::new();
    for (i, _) in TOWNS.iter().enumerate() {
        for k in 0..30 {
            serial += 1;
            let input = deputy_input(
                &mut rng,
                serial,
                &format!("{}第{}选区", TOWNS[i], k % 5 + 1),
                &format!("{}代表团", TOWNS[i]),
                &format!("{}人大代表联络站", TOWNS[i]),
            );
            let v = input
                .validate()
                .map_err(|e| anyhow::anyhow!("demo deputy invalid: {e:?}"))?;
            service::create_deputy(&mut tx, &db.vault, district, d_term, &v, &origin)
                .await?
                .map_err(|e| anyhow::anyhow!("demo deputy: {e:?}"))?;
            district_people.push(v.id_card.unwrap_or_default());
        }
    }
    for (i, &t) in towns.iter().enumerate() {
        for k in 0..100 {
            serial += 1;
            let input = deputy_input(
                &mut rng,
                serial,
                &format!("第{}选区", k % 20 + 1),
                &format!("{}第一代表小组", TOWNS[i]),
                &format!("{}人大代表之家", TOWNS[i]),
            );
            let v = input
                .validate()
                .map_err(|e| anyhow::anyhow!("demo deputy invalid: {e:?}"))?;
            service::create_deputy(&mut tx, &db.vault, t, town_terms[i], &v, &origin)
                .await?
                .map_err(|e| anyhow::anyhow!("demo deputy: {e:?}"))?;
        }
    }

    // The standing committee (25), the session presidium (15), special committees, working bodies.
    let mut person_of = Vec::new();
    for id in &district_people {
        if let Some(p) = people::person_by_id_card(&mut tx, &db.vault, id).await? {
            person_of.push(p);
        }
    }
    let sc = people::create_org(
        &mut tx,
        district,
        "standing_committee",
        None,
        "示范区人大常委会",
        None,
        now,
    )
    .await?;
    for (k, p) in person_of.iter().take(25).enumerate() {
        let post = match k {
            0 => "chair",
            // 组织法 Art 47 ¶2: a district standing committee has a chair, vice-chairs and members.
            1..=4 => "vice_chair",
            _ => "member",
        };
        people::add_membership(&mut tx, district, sc, *p, post, Some("2022-01-13")).await?;
    }
    let presidium = people::create_org(
        &mut tx,
        district,
        "presidium",
        None,
        "示范区第十八届人大第五次会议主席团",
        Some(last_session),
        now,
    )
    .await?;
    for (k, p) in person_of.iter().skip(20).take(15).enumerate() {
        people::add_membership(
            &mut tx,
            district,
            presidium,
            *p,
            if k == 0 { "chair" } else { "member" },
            Some("2026-01-10"),
        )
        .await?;
    }
    for (n, name) in ["示范区人大法制委员会", "示范区人大财政经济委员会"]
        .iter()
        .enumerate()
    {
        let org = people::create_org(
            &mut tx,
            district,
            "special_committee",
            None,
            name,
            None,
            now,
        )
        .await?;
        for (k, p) in person_of.iter().skip(40 + n * 7).take(7).enumerate() {
            people::add_membership(
                &mut tx,
                district,
                org,
                *p,
                if k == 0 { "chair" } else { "member" },
                Some("2022-01-13"),
            )
            .await?;
        }
    }
    for name in [
        "示范区人大常委会办公室",
        "示范区人大常委会代表工作委员会",
        "示范区人大常委会选举任免联络工作委员会",
    ] {
        people::create_org(&mut tx, district, "working_body", None, name, None, now).await?;
    }
    for (name, kind) in [
        ("示范区人民政府", "government"),
        ("示范区监察委员会", "supervisory_commission"),
        ("示范区人民法院", "court"),
        ("示范区人民检察院", "procuratorate"),
    ] {
        people::create_org(&mut tx, district, "organ", Some(kind), name, None, now).await?;
    }

    // Handling units with their heads.
    let mut first_unit = None;
    for (name, organ) in UNITS {
        let kind = crate::people::domain::OrganKind::parse(organ)
            .ok_or_else(|| anyhow::anyhow!("organ {organ}"))?;
        serial += 1;
        let head = service::Head {
            name: names::name(&mut rng),
            gender: if serial.is_multiple_of(3) {
                crate::people::domain::Gender::Female
            } else {
                crate::people::domain::Gender::Male
            },
        };
        let unit = service::create_unit(&mut tx, district, name, kind, Some(&head), &origin)
            .await?
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        first_unit.get_or_insert(unit);
    }

    // Accounts.
    let mut welcome = Vec::new();
    for (username, role_key, role, office, scope) in ACCOUNTS {
        let congress = match scope {
            Scope::District => district,
            Scope::Town(i) => towns[*i],
        };
        let person: Option<PersonId> = match role {
            Role::Deputy | Role::StandingCommitteeMember | Role::PresidiumMember => person_of
                .get(match role {
                    Role::StandingCommitteeMember => 6,
                    Role::PresidiumMember => 21,
                    _ => 100,
                })
                .copied(),
            _ => None,
        };
        let display =
            crate::platform::i18n::tr(crate::platform::i18n::Lang::Zh, role_key).to_string();
        let user = accounts::create_user(
            &mut tx,
            username,
            &format!("演示·{display}"),
            person.map(|p| p.0),
            &hash,
            false,
            now,
        )
        .await?;
        let organization = match role {
            Role::UnitOperator | Role::UnitHead => first_unit,
            _ => None,
        };
        accounts::grant(
            &mut tx,
            user,
            &Grant {
                congress,
                role: *role,
                office: *office,
                organization,
            },
            now,
        )
        .await?;
        welcome.push((congress, user));
    }
    tx.commit().await?;
    suggestions::seed(db, district, now).await?;
    stations::seed(db, district, now).await?;
    opinions::seed(db, district, now).await?;
    meetings::seed(db, district, &hash, now).await?;
    livelihood::seed(db, district, now).await?;
    // Last, so that each account's newest notice is the welcome, above the year of suggestions.
    let mut tx = db.write().await?;
    for (congress, user) in welcome {
        crate::notify::notify(
            &mut tx,
            &crate::notify::Notice {
                congress: Some(congress),
                user,
                kind: "welcome",
                title_zh: "欢迎使用连心演示环境：这里的人员和数据均为虚构",
                title_en: "Welcome to the Lianxin demo: all people and data here are fictional",
                link: "/home",
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The account that seeded the district, so that seed records in the audit trail have an author.
async fn seed_system_user(tx: &mut Tx<'_>, hash: &str, now: i64) -> anyhow::Result<UserId> {
    // Disabled: it exists only to author the seed; nobody can sign in with it.
    let user =
        accounts::create_user(tx, "demo-seed", "演示数据生成", None, hash, false, now).await?;
    store::disable_user(tx, user).await?;
    Ok(user)
}

fn deputy_input(
    rng: &mut Lcg,
    serial: u64,
    constituency: &str,
    delegation: &str,
    station: &str,
) -> DeputyInput {
    DeputyInput {
        name: names::name(rng),
        gender: if rng.next_u64() % 5 < 3 {
            "male".into()
        } else {
            "female".into()
        },
        ethnicity: rng.pick(names::ETHNICITIES).to_string(),
        id_card: names::id_card(990101 + (serial / 1000) as u32, serial, rng),
        party: rng.pick(names::PARTIES).to_string(),
        composition: rng.pick(names::COMPOSITIONS).to_string(),
        occupation: rng.pick(names::OCCUPATIONS).to_string(),
        education: rng.pick(names::EDUCATIONS).to_string(),
        constituency: constituency.to_string(),
        delegation: delegation.to_string(),
        station: station.to_string(),
        // Contact details as a congress office holds them (made up; sealed at rest).
        phone: format!(
            "1{}{:09}",
            rng.pick(&["39", "58", "87", "36"]),
            rng.next_u64() % 1_000_000_000
        )[..11]
            .to_string(),
        email: if serial.is_multiple_of(3) {
            format!("daibiao{serial}@example.cn")
        } else {
            String::new()
        },
        address: format!("{constituency}{}号", rng.next_u64() % 200 + 1),
    }
}

/// The demo district's congress ids (district first, then towns in order).
pub async fn congress_ids(db: &Db) -> anyhow::Result<Vec<CongressId>> {
    let all = congresses::all(db).await?;
    Ok(all
        .iter()
        .filter(|c| c.region_code.starts_with("9901"))
        .map(|c| c.id)
        .collect())
}

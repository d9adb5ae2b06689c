//! Rules about people: deputies' status (代表法 Art 61–62), the resident ID number's checksum
//! (GB 11643-1999), required roster fields, and the pinyin sort key. Pure; no I/O.

use crate::platform::error::Field;
use crate::platform::error::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    /// Accepts the stored code and the words offices write in spreadsheets.
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim() {
            "male" | "男" | "M" | "m" => Some(Gender::Male),
            "female" | "女" | "F" | "f" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// 代表资格状态 — a deputy's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeputyStatus {
    /// 在任
    InOffice,
    /// 暂停执行代表职务 — 代表法 Art 61 (e.g. detention, criminal proceedings); restored when the cause ends.
    Suspended,
    /// 代表资格终止 — 代表法 Art 62 (resignation, recall, loss of nationality, death, two unexcused
    /// absences from sessions, …). Final.
    Terminated,
}

impl DeputyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeputyStatus::InOffice => "in_office",
            DeputyStatus::Suspended => "suspended",
            DeputyStatus::Terminated => "terminated",
        }
    }
    pub fn parse(s: &str) -> Option<DeputyStatus> {
        match s {
            "in_office" => Some(DeputyStatus::InOffice),
            "suspended" => Some(DeputyStatus::Suspended),
            "terminated" => Some(DeputyStatus::Terminated),
            _ => None,
        }
    }

    /// Allowed status changes. Termination is final (代表法 Art 62: 代表资格终止); suspension
    /// (Art 61) ends by restoration or by termination.
    pub fn can_become(self, next: DeputyStatus) -> Result<(), &'static str> {
        use DeputyStatus::*;
        match (self, next) {
            (InOffice, Suspended)
            | (InOffice, Terminated)
            | (Suspended, InOffice)
            | (Suspended, Terminated) => Ok(()),
            (a, b) if a == b => Ok(()),
            (Terminated, _) => Err("deputy.error.terminated_final"),
            _ => Err("deputy.error.bad_transition"),
        }
    }

    /// Only a deputy in office counts toward quorum and majorities (members in office).
    pub fn in_office(self) -> bool {
        self == DeputyStatus::InOffice
    }
}

crate::db::text_column!(DeputyStatus);

/// Validates an 18-character resident ID number (GB 11643-1999): 17 digits, a check character
/// from the ISO 7064 MOD 11-2 scheme, and a real birth date in positions 7–14.
pub fn valid_id_card(s: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let expected = CHECK[(sum % 11) as usize];
    if b[17].to_ascii_uppercase() != expected {
        return false;
    }
    birth_date_of(s).is_some()
}

/// The birth date encoded in an ID number, as `YYYY-MM-DD`.
pub fn birth_date_of(id: &str) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(id.get(6..14)?, "%Y%m%d").ok()?;
    Some(d.format("%Y-%m-%d").to_string())
}

/// `110101********123X` — what screens show of an ID number (first 6, last 4).
pub fn mask_id_card(id: &str) -> String {
    if id.len() < 10 {
        return "*".repeat(id.len());
    }
    format!(
        "{}{}{}",
        &id[..6],
        "*".repeat(id.len() - 10),
        &id[id.len() - 4..]
    )
}

/// Pinyin sort key: names sort as an office sorts them (张 after 李), ties broken by the name.
pub fn name_key(name: &str) -> String {
    use pinyin::ToPinyin;
    let mut key = String::new();
    for c in name.chars() {
        match c.to_pinyin() {
            Some(p) => key.push_str(p.plain()),
            None => key.extend(c.to_lowercase()),
        }
        key.push(' ');
    }
    // '!' sorts after the space between syllables but before any letter: 李思 before 李思立.
    key.push('!');
    key.push_str(name);
    key
}

/// The roster fields an office keeps for a deputy, as entered in a form or a spreadsheet row.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DeputyInput {
    pub name: String,
    /// `male` / `female` (男 / 女 also accepted).
    pub gender: String,
    pub ethnicity: String,
    /// 18-character resident ID number; stored only as a keyed digest and a masked copy.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub id_card: String,
    pub party: String,
    pub composition: String,
    pub occupation: String,
    pub education: String,
    /// Name of the constituency (选区).
    pub constituency: String,
    /// Name of the delegation (代表团) or deputies' group; optional.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub delegation: String,
    /// Name of the liaison station; optional.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub station: String,
    /// Contact phone; sealed at rest, masked on screen. On an update, empty means unchanged.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub phone: String,
    /// Contact e-mail; sealed at rest, masked on screen. On an update, empty means unchanged.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub email: String,
    /// Mailing address; sealed at rest, masked on screen. On an update, empty means unchanged.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub address: String,
}

/// Optional text fields accept `null` as well as a missing field or "" (what the API returns).
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// A deputy's roster entry that passed validation.
#[derive(Debug, Clone)]
pub struct ValidDeputy {
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub id_card: Option<String>,
    pub party: String,
    pub composition: String,
    pub occupation: String,
    pub education: String,
    pub constituency: String,
    pub delegation: Option<String>,
    pub station: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

pub const MAX_FIELD_CHARS: usize = 100;
pub const MAX_ADDRESS_CHARS: usize = 200;

/// A phone number as stored: digits only, with a leading `+` kept; spaces, dashes and
/// parentheses dropped. Mobile (11 digits starting with 1) or fixed line with area code
/// (7 to 15 digits in all, ITU-T E.164).
pub fn normalize_phone(s: &str) -> Option<String> {
    let t = s.trim();
    let plus = t.starts_with('+');
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let only_allowed = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+'));
    if !only_allowed || !(7..=15).contains(&digits.len()) {
        return None;
    }
    // Mainland mobile numbers are 1[3-9]xxxxxxxxx; an 11-digit 10x/11x/12x is a typo.
    let b = digits.as_bytes();
    if !plus && b.len() == 11 && b[0] == b'1' && matches!(b[1], b'0'..=b'2') {
        return None;
    }
    Some(if plus { format!("+{digits}") } else { digits })
}

/// A plausible e-mail address (one `@`, a dotted domain, no spaces), lower-cased domain.
pub fn normalize_email(s: &str) -> Option<String> {
    let t = s.trim();
    let (local, domain) = t.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !t.contains(char::is_whitespace)
        && !domain.contains('@')
        && t.chars().count() <= MAX_FIELD_CHARS;
    ok.then(|| format!("{local}@{}", domain.to_lowercase()))
}

impl DeputyInput {
    /// Trims every field and checks the required ones. Reports every problem at once.
    pub fn validate(&self) -> Result<ValidDeputy, Vec<FieldError>> {
        let mut errs = Vec::new();
        let req = |v: &str, field: &'static str, errs: &mut Vec<FieldError>| {
            let v = v.trim();
            if v.is_empty() {
                errs.push(FieldError::new(Field(field), "field.required"));
            } else if v.chars().count() > MAX_FIELD_CHARS {
                errs.push(FieldError::new(Field(field), "field.too_long"));
            }
            v.to_string()
        };
        let name = req(&self.name, "name", &mut errs);
        let gender = Gender::parse(&self.gender);
        if gender.is_none() {
            errs.push(FieldError::new(Field("gender"), "field.gender_invalid"));
        }
        let ethnicity = req(&self.ethnicity, "ethnicity", &mut errs);
        let party = req(&self.party, "party", &mut errs);
        let composition = req(&self.composition, "composition", &mut errs);
        let occupation = req(&self.occupation, "occupation", &mut errs);
        let education = req(&self.education, "education", &mut errs);
        let constituency = req(&self.constituency, "constituency", &mut errs);
        let id = self.id_card.trim().to_ascii_uppercase();
        let id_card = if id.is_empty() {
            None
        } else if valid_id_card(&id) {
            Some(id)
        } else {
            errs.push(FieldError::new(Field("id_card"), "field.id_card_invalid"));
            None
        };
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let phone = match opt(&self.phone) {
            None => None,
            Some(p) => match normalize_phone(&p) {
                Some(n) => Some(n),
                None => {
                    errs.push(FieldError::new(Field("phone"), "field.phone_invalid"));
                    None
                }
            },
        };
        let email = match opt(&self.email) {
            None => None,
            Some(e) => match normalize_email(&e) {
                Some(n) => Some(n),
                None => {
                    errs.push(FieldError::new(Field("email"), "field.email_invalid"));
                    None
                }
            },
        };
        let address = opt(&self.address);
        if address
            .as_ref()
            .is_some_and(|a| a.chars().count() > MAX_ADDRESS_CHARS)
        {
            errs.push(FieldError::new(Field("address"), "field.too_long"));
        }
        match gender {
            Some(gender) if errs.is_empty() => Ok(ValidDeputy {
                name,
                gender,
                ethnicity,
                id_card,
                party,
                composition,
                occupation,
                education,
                constituency,
                delegation: opt(&self.delegation),
                station: opt(&self.station),
                phone,
                email,
                address,
            }),
            _ => Err(errs),
        }
    }
}

/// 一府一委两院 — the kinds of organ a handling unit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganKind {
    Government,
    SupervisoryCommission,
    Court,
    Procuratorate,
}

impl OrganKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganKind::Government => "government",
            OrganKind::SupervisoryCommission => "supervisory_commission",
            OrganKind::Court => "court",
            OrganKind::Procuratorate => "procuratorate",
        }
    }
    pub fn parse(s: &str) -> Option<OrganKind> {
        match s.trim() {
            "government" | "政府" | "人民政府" => Some(OrganKind::Government),
            "supervisory_commission" | "监委" | "监察委员会" => {
                Some(OrganKind::SupervisoryCommission)
            }
            "court" | "法院" | "人民法院" => Some(OrganKind::Court),
            "procuratorate" | "检察院" | "人民检察院" => Some(OrganKind::Procuratorate),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Appends the right check character to 17 digits.
    fn with_check(first17: &str) -> String {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17
            .bytes()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
    }

    #[test]
    fn phones_and_emails_normalise_or_are_refused() {
        assert_eq!(
            normalize_phone("138 1234-5678").as_deref(),
            Some("13812345678")
        );
        assert_eq!(
            normalize_phone("(028) 8555-1234").as_deref(),
            Some("02885551234")
        );
        assert_eq!(
            normalize_phone("+86 138 1234 5678").as_deref(),
            Some("+8613812345678")
        );
        assert_eq!(normalize_phone("12812345678"), None, "no mobile prefix 12");
        assert_eq!(normalize_phone("123456"), None, "too short");
        assert_eq!(normalize_phone("1381234567a"), None);
        assert_eq!(
            normalize_email(" Zhang.San@Example.CN ").as_deref(),
            Some("Zhang.San@example.cn")
        );
        assert_eq!(normalize_email("zhang@example"), None);
        assert_eq!(normalize_email("a b@example.cn"), None);
        assert_eq!(normalize_email("a@b@example.cn"), None);
    }

    #[test]
    fn id_card_checksum_follows_gb_11643() {
        // The standard's worked example.
        assert!(valid_id_card("11010519491231002X"));
        assert!(valid_id_card("11010519491231002x"));
        assert!(
            !valid_id_card("110105194912310021"),
            "wrong check character"
        );
        assert!(!valid_id_card(&with_check("11010519491331002")), "month 13");
        assert!(
            !valid_id_card(&with_check("11010519490230002")),
            "30 February is no birth date"
        );
        assert!(!valid_id_card("1101051949123100"), "too short");
        assert!(!valid_id_card("A1010519491231002X"));
        assert_eq!(
            birth_date_of("11010519491231002X").as_deref(),
            Some("1949-12-31")
        );
        assert_eq!(mask_id_card("11010519491231002X"), "110105********002X");
    }

    proptest! {
        #[test]
        fn exactly_one_check_character_is_valid(body in "[1-6][0-9]{5}(19[5-9][0-9]|200[0-5])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}") {
            let good = with_check(&body);
            prop_assert!(valid_id_card(&good));
            for c in "0123456789X".chars().filter(|c| !good.ends_with(*c)) {
                let bad = format!("{body}{c}");
                prop_assert!(!valid_id_card(&bad));
            }
        }
    }

    #[test]
    fn termination_is_final_and_suspension_can_end() {
        use DeputyStatus::*;
        assert!(InOffice.can_become(Suspended).is_ok());
        assert!(Suspended.can_become(InOffice).is_ok());
        assert!(Suspended.can_become(Terminated).is_ok());
        assert_eq!(
            Terminated.can_become(InOffice),
            Err("deputy.error.terminated_final")
        );
        assert_eq!(
            Terminated.can_become(Suspended),
            Err("deputy.error.terminated_final")
        );
        assert!(!Suspended.in_office() && !Terminated.in_office() && InOffice.in_office());
    }

    #[test]
    fn names_sort_by_pinyin() {
        let mut names = vec!["张伟", "李思立", "李娜", "安然", "王芳", "李思"];
        names.sort_by_key(|n| name_key(n));
        assert_eq!(
            names,
            vec!["安然", "李娜", "李思", "李思立", "王芳", "张伟"]
        );
    }

    #[test]
    fn validation_reports_every_problem_in_one_pass() {
        let input = DeputyInput {
            name: "  ".into(),
            gender: "未知".into(),
            id_card: "123".into(),
            ..Default::default()
        };
        let errs = input.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        for f in [
            "name",
            "gender",
            "ethnicity",
            "party",
            "constituency",
            "id_card",
        ] {
            assert!(fields.contains(&f), "{f} not reported in {fields:?}");
        }
        let ok = DeputyInput {
            name: " 王小明 ".into(),
            gender: "男".into(),
            ethnicity: "汉族".into(),
            id_card: "11010519491231002x".into(),
            party: "中共党员".into(),
            composition: "工人".into(),
            occupation: "技术员".into(),
            education: "大学".into(),
            constituency: "第一选区".into(),
            ..Default::default()
        };
        let v = ok.validate().unwrap();
        assert_eq!(v.name, "王小明");
        assert_eq!(v.id_card.as_deref(), Some("11010519491231002X"));
        assert_eq!(v.delegation, None);
    }
}

/// The bodies whose members the roster keeps (常委会, 主席团, 专门委员会).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    StandingCommittee,
    Presidium,
    SpecialCommittee,
}

impl BodyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::StandingCommittee => "standing_committee",
            BodyKind::Presidium => "presidium",
            BodyKind::SpecialCommittee => "special_committee",
        }
    }
    pub fn parse(s: &str) -> Option<BodyKind> {
        [
            BodyKind::StandingCommittee,
            BodyKind::Presidium,
            BodyKind::SpecialCommittee,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A member's post in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    /// 主任 / 主任委员 / 主席团常务主席
    Chair,
    /// 副主任 / 副主任委员
    ViceChair,
    /// 委员 / 成员
    Member,
}

impl Post {
    pub fn as_str(self) -> &'static str {
        match self {
            Post::Chair => "chair",
            Post::ViceChair => "vice_chair",
            Post::Member => "member",
        }
    }
    pub fn parse(s: &str) -> Option<Post> {
        [Post::Chair, Post::ViceChair, Post::Member]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// Who may sit on a body. The standing committee of a district (市辖区) congress is elected "在代表
/// 中" and consists of a chair, vice-chairs and members — no secretary-general at county level
/// (组织法 Art 47 ¶2); special committees' members are nominated "在代表中" (Art 34); the session
/// presidium is elected by the congress from its deputies (Art 19 for towns; practice at county
/// level). So every member must be a deputy of the same congress, in office.
pub fn check_member(
    kind: BodyKind,
    post: Post,
    deputy_in_office: bool,
) -> Result<(), &'static str> {
    if !deputy_in_office {
        return Err("member.not_deputy");
    }
    if kind == BodyKind::Presidium && post == Post::ViceChair {
        return Err("member.post_invalid");
    }
    Ok(())
}

#[cfg(test)]
mod member_tests {
    use super::*;

    #[test]
    fn only_deputies_in_office_sit_on_bodies() {
        assert_eq!(
            check_member(BodyKind::StandingCommittee, Post::Member, true),
            Ok(())
        );
        assert_eq!(
            check_member(BodyKind::StandingCommittee, Post::Chair, false),
            Err("member.not_deputy")
        );
        assert_eq!(
            check_member(BodyKind::SpecialCommittee, Post::ViceChair, true),
            Ok(())
        );
        assert_eq!(
            check_member(BodyKind::Presidium, Post::ViceChair, true),
            Err("member.post_invalid")
        );
        assert_eq!(
            Post::parse("secretary_general"),
            None,
            "no secretary-general at county level (组织法 Art 47 ¶2)"
        );
    }
}

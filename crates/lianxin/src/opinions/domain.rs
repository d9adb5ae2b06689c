//! The rules of citizens' opinions, pure: kinds and channels, the tracking code (random, read
//! aloud over the phone without confusion), what a submission must hold, and the no-script
//! check against scripted floods (a signed time the form was served: a person takes more than a
//! few seconds to write, a script posting directly does not have the token at all).

crate::db::words!(
    /// 意见类型 — what a citizen brings: a question, a need, an idea.
    OpinionKind {
        Question = "question",
        Need = "need",
        Idea = "idea",
    }
);

crate::db::words!(
    /// 意见状态 — received (with its holder), answered, or reopened after an unsatisfied rating.
    OpinionState {
        Received = "received",
        Answered = "answered",
        Reopened = "reopened",
    }
);

/// 问政 / 问需 / 问计.
pub const KINDS: &[&str] = &["question", "need", "idea"];

pub const CATEGORIES: &[&str] = &[
    "roads_transport",
    "schools",
    "elderly_care",
    "medical_insurance",
    "environment",
    "business",
    "housing",
    "public_safety",
    "other",
];

/// How an opinion came in.
pub const CHANNELS: &[&str] = &[
    "web",
    "deputy_qr",
    "station_qr",
    "walk_in",
    "phone",
    "letter",
];

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud is not misheard.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_LEN: usize = 10;

/// A tracking code from 10 random bytes (50 bits: unguessable at any rate a limit allows).
pub fn tracking_code(random: [u8; CODE_LEN]) -> String {
    random
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect()
}

/// As shown: `K7QX3-M9PZ2`.
pub fn show_code(code: &str) -> String {
    if code.len() == CODE_LEN {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

/// Serialises a stored code in its one written form (for rows that leave as API bodies).
pub fn serialize_code<S: serde::Serializer>(code: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&show_code(code))
}

/// What a person typed, as stored: case, dashes and spaces ignored; O read as 0, I and L as 1.
pub fn normalize_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '－' | '—'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// The least time a person takes to fill the form, and how long a served form stays valid.
pub const MIN_FILL_MS: i64 = 3_000;
pub const MAX_FORM_AGE_MS: i64 = 2 * 3_600_000;

/// Whether a form served at `issued` may be submitted at `now`.
pub fn fill_time_ok(issued: i64, now: i64) -> bool {
    let age = now - issued;
    (MIN_FILL_MS..=MAX_FORM_AGE_MS).contains(&age)
}

/// The citizen's ratings of an answer.
pub const RATINGS: &[&str] = &["satisfied", "basically_satisfied", "unsatisfied"];

/// Whether the citizen may rate now: the latest answer stands and was not rated yet.
pub fn may_rate(state: OpinionState, rated_round: Option<i64>, reopened: i64) -> bool {
    state == OpinionState::Answered && rated_round.is_none_or(|r| r < reopened)
}

/// After a rating: whether it reopens the opinion (不满意, the first time only).
pub fn reopens(rating: &str, reopened: i64) -> bool {
    rating == "unsatisfied" && reopened == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_read_aloud_survive_common_mistakes() {
        let code = tracking_code([0, 1, 2, 31, 32, 200, 17, 18, 19, 20]);
        assert_eq!(code.len(), CODE_LEN);
        assert_eq!(show_code(&code).len(), CODE_LEN + 1);
        assert_eq!(
            normalize_code(&show_code(&code).to_lowercase()),
            Some(code.clone())
        );
        assert_eq!(normalize_code("o1234-5678l"), Some("0123456781".into()));
        assert_eq!(normalize_code("12345"), None);
        assert_eq!(
            normalize_code("UUUUUUUUUU"),
            None,
            "U is not in the alphabet"
        );
    }

    #[test]
    fn a_form_filled_in_under_three_seconds_or_after_two_hours_is_refused() {
        assert!(!fill_time_ok(0, 2_999));
        assert!(fill_time_ok(0, 3_000));
        assert!(fill_time_ok(0, MAX_FORM_AGE_MS));
        assert!(!fill_time_ok(0, MAX_FORM_AGE_MS + 1));
        assert!(!fill_time_ok(10_000, 0), "from the future");
    }

    #[test]
    fn an_answer_is_rated_once_and_unsatisfied_reopens_only_the_first_time() {
        assert!(may_rate(OpinionState::Answered, None, 0));
        assert!(
            !may_rate(OpinionState::Answered, Some(0), 0),
            "rated already"
        );
        assert!(!may_rate(OpinionState::Received, None, 0));
        assert!(
            !may_rate(OpinionState::Reopened, Some(0), 1),
            "being handled again"
        );
        assert!(
            may_rate(OpinionState::Answered, Some(0), 1),
            "the second answer"
        );
        assert!(reopens("unsatisfied", 0));
        assert!(!reopens("unsatisfied", 1), "once");
        assert!(!reopens("satisfied", 0));
    }

    proptest! {
        /// Every code is in the alphabet, normalizes to itself, and survives its display form.
        #[test]
        fn codes_round_trip(bytes in proptest::array::uniform10(any::<u8>())) {
            let code = tracking_code(bytes);
            prop_assert_eq!(normalize_code(&code), Some(code.clone()));
            prop_assert_eq!(normalize_code(&show_code(&code)), Some(code));
        }
    }
}

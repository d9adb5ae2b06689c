//! The typed registry of rule parameters that differ between provinces and congresses. Each has a
//! kind, legal bounds, a national default where the law sets one, and — per congress — a value
//! with its source: the law, a provincial regulation applied by reference (参照), the congress's
//! own decision with its date, a preset applied as a starting point, or the product's default
//! (not yet confirmed by the congress, and shown as such). Pure; no I/O.

use crate::calendar::deadlines::Span;

/// A period as regulations state them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Days(u32),
    WorkingDays(u32),
    Months(u32),
}

impl Period {
    /// Stored form: `5d`, `7wd`, `3m`.
    pub fn encode(self) -> String {
        match self {
            Period::Days(n) => format!("{n}d"),
            Period::WorkingDays(n) => format!("{n}wd"),
            Period::Months(n) => format!("{n}m"),
        }
    }

    pub fn decode(s: &str) -> Option<Period> {
        let s = s.trim();
        let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
        let n: u32 = num.parse().ok()?;
        match unit {
            "d" => Some(Period::Days(n)),
            "wd" => Some(Period::WorkingDays(n)),
            "m" => Some(Period::Months(n)),
            _ => None,
        }
    }

    /// Calendar days compare to working days at 5/7; months at 30 days — only to check bounds.
    fn rough_days(self) -> u32 {
        match self {
            Period::Days(n) => n,
            Period::WorkingDays(n) => n * 7 / 5,
            Period::Months(n) => n * 30,
        }
    }

    /// The deadline span for the legal calendar (calendar days count as working days only when a
    /// rule says so; here they are kept as months or working days as written).
    pub fn span(self) -> Span {
        match self {
            Period::Months(n) => Span::Months(n),
            Period::WorkingDays(n) => Span::WorkingDays(n),
            // A period "within N days" ends N days later; the nearest span the calendar offers is
            // months when N is a multiple of 30, otherwise working days at 5/7 (rounded up).
            Period::Days(n) if n % 30 == 0 => Span::Months(n / 30),
            Period::Days(n) => Span::WorkingDays((n * 5).div_ceil(7)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A period, at most `max_days` (rough calendar days); `months_only` when the law counts months.
    Period { max_days: u32, months_only: bool },
    /// One of the listed choices.
    Choice(&'static [&'static str]),
}

/// Where a value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Fixed by national law.
    Law,
    /// A provincial regulation the congress applies by reference (参照).
    ByReference,
    /// The congress's own decision (with its date).
    OwnDecision,
    /// A preset from a provincial regulation, applied as a starting point, not yet confirmed.
    Preset,
    /// The product's default, not yet confirmed by the congress.
    ProductDefault,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Law => "law",
            SourceKind::ByReference => "by_reference",
            SourceKind::OwnDecision => "own_decision",
            SourceKind::Preset => "preset",
            SourceKind::ProductDefault => "product_default",
        }
    }
    pub fn parse(s: &str) -> Option<SourceKind> {
        [
            SourceKind::Law,
            SourceKind::ByReference,
            SourceKind::OwnDecision,
            SourceKind::Preset,
            SourceKind::ProductDefault,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A parameter of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub key: &'static str,
    pub kind: Kind,
    /// The value before a congress sets one.
    pub default: &'static str,
    /// Where the default comes from.
    pub default_source: SourceKind,
    /// The citation of the default (law and article, or why the product chose it).
    pub default_cite: &'static str,
}

pub const PARAMS: &[Param] = &[
    Param {
        key: "suggestion.reply_window",
        kind: Kind::Period {
            max_days: 90,
            months_only: true,
        },
        default: "3m",
        default_source: SourceKind::Law,
        default_cite: "代表法第五十一条：自交办之日起三个月内答复",
    },
    Param {
        key: "suggestion.complex_reply_window",
        kind: Kind::Period {
            max_days: 180,
            months_only: true,
        },
        default: "6m",
        default_source: SourceKind::Law,
        default_cite: "代表法第五十一条：涉及面广、处理难度大的，自交办之日起六个月内答复",
    },
    Param {
        key: "suggestion.assign_window",
        kind: Kind::Period {
            max_days: 30,
            months_only: false,
        },
        default: "5wd",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；多数地方规定为5至10个工作日",
    },
    Param {
        key: "suggestion.return_window",
        kind: Kind::Period {
            max_days: 30,
            months_only: false,
        },
        default: "5wd",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；多数地方规定为5至10个工作日",
    },
    Param {
        key: "suggestion.co_unit_window",
        kind: Kind::Period {
            max_days: 60,
            months_only: false,
        },
        default: "1m",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；多数地方规定为1个月",
    },
    Param {
        key: "suggestion.feedback_window",
        kind: Kind::Period {
            max_days: 60,
            months_only: false,
        },
        default: "15wd",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；北京市规定为15个工作日",
    },
    Param {
        key: "suggestion.rehandle_window",
        kind: Kind::Period {
            max_days: 90,
            months_only: false,
        },
        default: "1m",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；多数地方规定为1至2个月",
    },
    Param {
        key: "suggestion.rating_by",
        kind: Kind::Choice(&["lead_deputy", "every_signer"]),
        default: "lead_deputy",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；多数地方由领衔代表评价",
    },
    Param {
        key: "suggestion.reply_classes",
        kind: Kind::Choice(&["abcd", "solved_in_progress_reference"]),
        default: "abcd",
        default_source: SourceKind::ProductDefault,
        default_cite: "各地通行的A、B、C、D四类",
    },
    Param {
        key: "suggestion.publication",
        kind: Kind::Choice(&["office_decides", "none"]),
        default: "office_decides",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；多地人大在门户网站公开建议答复，去除个人信息（个人信息保护法第二十五条）",
    },
    Param {
        key: "station.publish_ahead",
        kind: Kind::Period {
            max_days: 30,
            months_only: false,
        },
        default: "3d",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；多地要求接待日安排至少提前3天向社会公布",
    },
    Param {
        key: "presidium.quorum",
        kind: Kind::Choice(&["majority", "two_thirds"]),
        default: "majority",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定主席团的法定人数；过半数为通行做法",
    },
    Param {
        key: "rating.verdict",
        kind: Kind::Choice(&[
            "satisfied_over_half_of_votes",
            "satisfied_over_half_of_members",
        ]),
        default: "satisfied_over_half_of_members",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；以全体组成人员过半数满意（含基本满意）为满意",
    },
    Param {
        key: "results.publish",
        kind: Kind::Choice(&["publish_results", "keep_internal"]),
        default: "publish_results",
        default_source: SourceKind::ProductDefault,
        default_cite: "常委会会议表决结果通常向社会公布；本级人大可决定不在门户公布",
    },
    Param {
        key: "opinion.answer_window",
        kind: Kind::Period {
            max_days: 60,
            months_only: false,
        },
        default: "15wd",
        default_source: SourceKind::ProductDefault,
        default_cite: "国家法律未规定；常见做法为15个工作日",
    },
    Param {
        key: "opinion.similarity",
        kind: Kind::Choice(&["0.2", "0.25", "0.3", "0.35", "0.4", "0.5"]),
        default: "0.3",
        default_source: SourceKind::ProductDefault,
        default_cite: "产品默认值：在标注集上准确率0.95、召回率0.95（见BENCHMARKS.md）",
    },
];

pub fn param(key: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.key == key)
}

/// Checks a value against the parameter's kind and legal bounds; returns the normalised value.
pub fn validate(p: &Param, value: &str) -> Result<String, &'static str> {
    match p.kind {
        Kind::Period {
            max_days,
            months_only,
        } => {
            let period = Period::decode(value).ok_or("settings.bad_period")?;
            if months_only && !matches!(period, Period::Months(_)) {
                return Err("settings.months_only");
            }
            let n = match period {
                Period::Days(n) | Period::WorkingDays(n) | Period::Months(n) => n,
            };
            if n == 0 {
                return Err("settings.zero");
            }
            if period.rough_days() > max_days {
                return Err("settings.over_limit");
            }
            Ok(period.encode())
        }
        Kind::Choice(choices) => {
            let v = value.trim();
            if choices.contains(&v) {
                Ok(v.to_string())
            } else {
                Err("settings.bad_choice")
            }
        }
    }
}

/// A preset: the values one provincial regulation gives, each with its article.
pub struct Preset {
    pub key: &'static str,
    pub title: &'static str,
    pub values: &'static [(&'static str, &'static str, &'static str)],
}

/// Presets from the provincial regulations summarised in `shared/reference/legal-rules.md` §3.1.
pub const PRESETS: &[Preset] = &[
    Preset {
        key: "shandong_2017",
        title: "山东省实施代表法办法（2017）",
        values: &[
            ("suggestion.assign_window", "5d", "第十条"),
            ("suggestion.return_window", "5d", "第十二条"),
            ("suggestion.co_unit_window", "1m", "第二十一条"),
            ("suggestion.rehandle_window", "1m", "第二十四条"),
        ],
    },
    Preset {
        key: "zhejiang_2016",
        title: "浙江省实施代表法办法（2016）",
        values: &[
            ("suggestion.return_window", "10d", "第十四条"),
            ("suggestion.co_unit_window", "2m", "第十八条"),
            ("suggestion.rehandle_window", "1m", "第二十四条"),
        ],
    },
    Preset {
        key: "beijing_2014",
        title: "北京市实施代表法办法（2014）",
        values: &[
            ("suggestion.feedback_window", "15wd", "第二十三条"),
            ("suggestion.rehandle_window", "2m", "第二十七条"),
        ],
    },
    Preset {
        key: "shanghai",
        title: "上海市代表建议、批评和意见办理规定",
        values: &[
            ("suggestion.assign_window", "7wd", "第十一条"),
            ("suggestion.return_window", "7wd", "第十四条"),
            ("suggestion.co_unit_window", "1m", "—"),
            ("suggestion.rehandle_window", "1m", "第二十一条"),
        ],
    },
    Preset {
        key: "chongqing_2017",
        title: "重庆市实施代表法办法（2017）",
        values: &[
            ("suggestion.assign_window", "10wd", "第十三条"),
            ("suggestion.return_window", "10wd", "第十六条"),
            ("suggestion.co_unit_window", "30wd", "—"),
            ("suggestion.feedback_window", "20wd", "第二十七条"),
            ("suggestion.rehandle_window", "2m", "第二十七条"),
        ],
    },
    Preset {
        key: "qingdao_2021",
        title: "青岛市人大代表建议、批评和意见办理办法（2021）",
        values: &[
            ("suggestion.assign_window", "5wd", "第十四条"),
            ("suggestion.return_window", "5wd", "第十九条"),
            ("suggestion.co_unit_window", "1m", "—"),
        ],
    },
];

pub fn preset(key: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_law_s_reply_windows_are_hard_limits() {
        let reply = param("suggestion.reply_window").unwrap();
        assert_eq!(validate(reply, "3m"), Ok("3m".into()));
        assert_eq!(
            validate(reply, "2m"),
            Ok("2m".into()),
            "a congress may be stricter than the law"
        );
        assert_eq!(validate(reply, "4m"), Err("settings.over_limit"));
        assert_eq!(validate(reply, "60wd"), Err("settings.months_only"));
        let complex = param("suggestion.complex_reply_window").unwrap();
        assert_eq!(validate(complex, "6m"), Ok("6m".into()));
        assert_eq!(
            validate(complex, "7m"),
            Err("settings.over_limit"),
            "代表法 Art 51: six months at most"
        );
        assert_eq!(validate(complex, "0m"), Err("settings.zero"));
    }

    #[test]
    fn periods_and_choices_are_parsed_strictly() {
        assert_eq!(Period::decode("15wd"), Some(Period::WorkingDays(15)));
        assert_eq!(Period::decode(" 5d "), Some(Period::Days(5)));
        assert_eq!(Period::decode("5 d"), None);
        assert_eq!(Period::decode("wd"), None);
        assert_eq!(Period::decode("5y"), None);
        let by = param("suggestion.rating_by").unwrap();
        assert_eq!(validate(by, "every_signer"), Ok("every_signer".into()));
        assert_eq!(validate(by, "anyone"), Err("settings.bad_choice"));
        assert_eq!(Period::Days(30).span(), Span::Months(1));
        assert_eq!(Period::Days(10).span(), Span::WorkingDays(8));
    }

    #[test]
    fn every_default_and_preset_value_is_valid() {
        for p in PARAMS {
            assert_eq!(
                validate(p, p.default),
                Ok(p.default.to_string()),
                "{}",
                p.key
            );
        }
        for preset in PRESETS {
            for (key, value, _) in preset.values {
                let p = param(key).unwrap_or_else(|| panic!("{}: unknown {key}", preset.key));
                assert!(validate(p, value).is_ok(), "{} {key}={value}", preset.key);
            }
        }
    }
}

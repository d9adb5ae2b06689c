//! 文书 — the assignment notice (交办通知) and the reply letter (答复函) as DOCX, filled from
//! templates the office can edit. A template is plain text with placeholders in braces; its first
//! line is the title, a line ending in "：" is the addressee, lines starting with spaces are body
//! paragraphs (first line indented two characters), and the last two lines are the signature and
//! the date (right-aligned) — the layout of GB/T 9704 government documents ([`crate::text::docx`]).

pub use crate::text::docx::{fill, render};

/// The kinds of document, with their built-in templates.
pub const KINDS: &[(&str, &str)] = &[
    (
        "assignment_notice",
        "关于交办{人大名称}代表建议{编号}的通知\n\n{主办单位}：\n    现将{领衔代表}代表提出的《{标题}》交由你单位主办{协办说明}。请依照《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》第五十一条的规定认真研究办理，于{答复期限}前书面答复代表，并抄送本委。\n    联系人：代表工作委员会\n\n{人大名称}常务委员会代表工作委员会\n{日期}",
    ),
    (
        "reply_letter",
        "关于{人大名称}代表建议{编号}的答复\n\n{领衔代表}代表：\n    您提出的《{标题}》收悉。经认真研究，现答复如下：\n{答复内容}\n    本件答复为{答复分类}。感谢您对我们工作的关心和支持。\n\n{承办单位}\n{日期}",
    ),
    (
        "annual_report",
        "关于{年度}年代表建议办理情况的报告\n\n{人大名称}常务委员会：\n    现将{年度}年代表建议办理情况报告如下。\n一、基本情况\n    {年度}年共收到代表建议{收到件数}件，立案{立案件数}件，交办{交办件数}件，已答复{答复件数}件，其中按期答复{按期件数}件，按期答复率{按期答复率}。\n    代表已评价{评价件数}件，其中满意和基本满意{满意件数}件，满意率{满意率}；未评价{未评价件数}件。\n    已解决或经核实解决（办成）{办成件数}件，办成率{办成率}。尚有{超期件数}件超过答复期限，已督促承办单位尽快答复。\n二、分类办理情况\n{分类情况}\n三、承办单位办理情况\n{单位情况}\n四、重点督办建议办理情况\n{重点督办情况}\n五、下一步工作\n    对列入计划解决的建议，继续跟踪办理，逐件核实办成情况；对代表不满意的建议，督促承办单位重新办理。\n\n{人大名称}常务委员会代表工作委员会\n{日期}",
    ),
];

pub fn default_template(kind: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_stay_visible() {
        let t = "{标题}：{未知}";
        assert_eq!(fill(t, &[("标题", "甲".into())]), "甲：{未知}");
        for (kind, _) in KINDS {
            assert!(default_template(kind).is_some());
        }
    }
}

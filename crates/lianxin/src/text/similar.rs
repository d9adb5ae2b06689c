//! 相似意见 — near-duplicate detection for short Chinese texts such as citizens' opinions.
//!
//! A text's *features* are its segmented words (stop-words removed, complaint vocabulary folded
//! to one word each: 街灯 → 路灯, 不亮 → 坏) and the character bigrams of what remains, so that
//! both a reworded and a mis-segmented complaint still share most features. Two texts are similar
//! when the Jaccard index of their features reaches the congress's threshold.
//!
//! Comparing every pair does not scale, so each text gets a MinHash signature of [`HASHES`]
//! values cut into [`BANDS`] bands; texts sharing a band's values land in the same LSH bucket and
//! only those candidates are compared. With 2 values per band, a pair at similarity 0.3 shares a
//! bucket with probability 1 − (1 − 0.3²)¹⁶ ≈ 0.78, at 0.5 with 0.99, at 0.1 with 0.15. All of
//! it is pure.

use super::{JIEBA, is_han, normalize};
use std::collections::BTreeSet;

pub const BANDS: usize = 16;
pub const ROWS: usize = 2;
pub const HASHES: usize = BANDS * ROWS;

/// The threshold `opinion.similarity` defaults to: on the labelled set, precision 0.95 and
/// recall 0.95 (see BENCHMARKS.md).
pub const DEFAULT_THRESHOLD: f64 = 0.3;

/// Words people use for the same thing in complaints, folded to the first of each row.
const SYNONYMS: &[&[&str]] = &[
    &["路灯", "街灯", "照明灯", "灯杆"],
    &[
        "坏", "坏了", "不亮", "损坏", "失灵", "故障", "坏掉", "熄灭", "灭了",
    ],
    &["垃圾", "生活垃圾", "废弃物"],
    &["清运", "清理", "收运", "拉走", "清走"],
    &["噪音", "噪声", "吵闹", "太吵", "很吵"],
    &["积水", "内涝", "水浸", "淹水"],
    &["老年人", "老人", "长者", "老年"],
    &["医保", "医疗保险"],
    &["报销", "结算"],
    &["臭", "异味", "臭味", "恶臭", "难闻"],
    &["公交", "公交车", "巴士", "公共汽车"],
    &["红绿灯", "信号灯", "交通灯"],
    &["坑洼", "坑", "坑坑洼洼", "破损"],
    &["停车", "泊车", "停车位", "车位"],
    &["幼儿园", "托儿所"],
    &["学位", "入学名额"],
    &["营商环境", "营商"],
    &["养老", "养老服务"],
    &["食堂", "助餐点", "老年食堂"],
    &["排污", "排放污水", "偷排"],
    &["晚上", "夜里", "夜间", "夜晚"],
    &["拥堵", "堵车", "堵死", "堵塞", "堵了"],
];

/// Words that carry no matter of their own in complaints.
const STOP_WORDS: &[&str] = &[
    "的",
    "了",
    "是",
    "在",
    "和",
    "与",
    "及",
    "也",
    "很",
    "都",
    "就",
    "有",
    "我",
    "我们",
    "你",
    "他",
    "她",
    "它",
    "这",
    "那",
    "这个",
    "那个",
    "个",
    "请",
    "希望",
    "能否",
    "能",
    "可以",
    "一下",
    "问题",
    "反映",
    "建议",
    "情况",
    "现在",
    "已经",
    "一直",
    "还",
    "太",
    "非常",
    "比较",
    "好几",
    "几天",
    "好",
    "吗",
    "呢",
    "啊",
    "吧",
    "要",
    "给",
    "把",
    "被",
    "让",
    "对",
    "为",
    "等",
    "多",
    "什么",
    "怎么",
    "如何",
    "尽快",
    "解决",
    "相关",
    "部门",
    "处理",
    "一些",
    "有关",
    "关于",
    "目前",
    "经常",
    "总是",
    "特别",
    "十分",
    "真的",
    "而且",
    "但是",
    "因为",
    "所以",
    "如果",
    "没",
    "没有",
    "不",
    "又",
    "再",
    "才",
    "着",
    "过",
    "得",
    "地",
    "之",
    "其",
    "此",
    "该",
    "们",
    "啦",
    "呀",
    "嘛",
    "哦",
    "麻烦",
    "谢谢",
    "领导",
    "政府",
    "人大",
    "代表",
    "市民",
    "群众",
    "居民",
    "大家",
    // The boilerplate of complaints: how long, how bad, what is asked — the same in every one.
    "您好",
    "你好",
    "时间",
    "很长",
    "长时间",
    "多月",
    "一个",
    "半年",
    "一周",
    "星期",
    "反复",
    "出现",
    "影响",
    "严重",
    "生活",
    "不便",
    "方便",
    "很大",
    "意见",
    "重视",
    "协调",
    "督促",
    "回复",
    "盼",
    "作为",
    "附近",
    "住户",
    "老住户",
    "存在",
    "天",
];

/// A 64-bit FNV-1a hash of a feature: stable across runs and machines (the buckets are stored).
fn fnv(tag: u8, s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in std::iter::once(tag).chain(s.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The variants to replace, longest first, each with its canonical word. Replacing in the text
/// (before segmentation) folds a variant however the segmenter would have cut it.
static VARIANTS: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
    std::sync::LazyLock::new(|| {
        let mut v: Vec<(&str, &str)> = SYNONYMS
            .iter()
            .flat_map(|row| row[1..].iter().map(move |w| (*w, row[0])))
            .collect();
        v.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        v
    });

fn fold(text: &str) -> String {
    let mut out = text.to_string();
    for (variant, canonical) in VARIANTS.iter() {
        if out.contains(variant) {
            out = out.replace(variant, canonical);
        }
    }
    out
}

/// The kept words of a text, folded and in order.
pub fn words(text: &str) -> Vec<String> {
    let norm = fold(&normalize(text));
    let Ok(j) = JIEBA.read() else {
        return Vec::new();
    };
    j.cut(&norm, true)
        .into_iter()
        .map(|t| t.word.trim())
        .filter(|w| w.chars().any(|c| is_han(c) || c.is_alphanumeric()))
        .filter(|w| !STOP_WORDS.contains(w))
        // A single character (镇, 路, 的 of a split name) says little on its own; the folded
        // complaint words (坏, 臭, 坑) say much. The bigrams keep the rest.
        .filter(|w| w.chars().count() > 1 || SYNONYMS.iter().any(|row| row[0] == *w))
        .map(str::to_string)
        .collect()
}

/// The feature set of a text: its words and the character bigrams of the kept text, sorted.
pub fn features(text: &str) -> Vec<u64> {
    let ws = words(text);
    let mut out = BTreeSet::new();
    for w in &ws {
        out.insert(fnv(b'w', w));
    }
    let chars: Vec<char> = ws.iter().flat_map(|w| w.chars()).collect();
    for pair in chars.windows(2) {
        out.insert(fnv(b'c', &pair.iter().collect::<String>()));
    }
    if chars.len() == 1 {
        out.insert(fnv(b'c', &chars[0].to_string()));
    }
    out.into_iter().collect()
}

/// The Jaccard index of two sorted feature sets (0 when both are empty).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// The similarity of two texts.
pub fn similarity(a: &str, b: &str) -> f64 {
    jaccard(&features(a), &features(b))
}

/// A MinHash signature: for each of [`HASHES`] hash functions, the least hash over the features.
pub fn signature(features: &[u64]) -> [u32; HASHES] {
    let mut sig = [u32::MAX; HASHES];
    for &f in features {
        for (i, s) in sig.iter_mut().enumerate() {
            // Each function is the mix of the feature with its own seed; truncation keeps it uniform.
            let h = mix(f ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)) as u32;
            if h < *s {
                *s = h;
            }
        }
    }
    sig
}

/// The estimated similarity of two signatures: the share of equal values.
pub fn estimate(a: &[u32; HASHES], b: &[u32; HASHES]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / HASHES as f64
}

/// The band keys of a signature within `scope`, one per band.
fn band_keys(scope: i64, sig: &[u32; HASHES]) -> impl Iterator<Item = u64> + '_ {
    sig.chunks(ROWS).enumerate().map(move |(band, rows)| {
        let mut h = mix(scope as u64 ^ ((band as u64) << 56));
        for &r in rows {
            h = mix(h ^ u64::from(r));
        }
        h
    })
}

/// The LSH bucket keys of a signature within `scope` (a congress): one per band. An empty text
/// has no buckets, so it is never grouped.
pub fn buckets(scope: i64, sig: &[u32; HASHES]) -> Vec<i64> {
    if sig[0] == u32::MAX {
        return Vec::new();
    }
    // Positive, so it sorts the same as an SQL integer on every backend.
    band_keys(scope, sig).map(|h| (h >> 1) as i64).collect()
}

/// Leaders read per bucket: the most recent, as a new complaint repeats a recent one.
pub const PER_BUCKET: usize = 4;

/// Groups texts in memory (the batch form, for a whole consultation at once): returns, for each
/// text, the index of its group's leader. A text joins the most similar leader sharing one of
/// its buckets whose estimated similarity reaches `threshold`, else leads a group of its own.
/// Comparing with the leader, not with any member, keeps groups from chaining: A ~ B and B ~ C
/// does not put A and C together unless C resembles A's group's leader.
pub fn group_all(signatures: &[[u32; HASHES]], threshold: f64) -> Vec<usize> {
    let mut leader_of: Vec<usize> = Vec::with_capacity(signatures.len());
    let mut leaders: std::collections::HashMap<u64, Vec<u32>> = std::collections::HashMap::new();
    for (i, sig) in signatures.iter().enumerate() {
        if sig[0] == u32::MAX {
            leader_of.push(i);
            continue;
        }
        let keys: Vec<u64> = band_keys(0, sig).collect();
        // The leaders of the last few entries of each bucket, those sharing most buckets first.
        let mut votes: Vec<(u32, usize)> = Vec::new();
        for k in &keys {
            for &l in leaders
                .get(k)
                .into_iter()
                .flatten()
                .rev()
                .take(4 * PER_BUCKET)
            {
                match votes.iter_mut().find(|(c, _)| *c == l) {
                    Some(v) => v.1 += 1,
                    None => votes.push((l, 1)),
                }
            }
        }
        votes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut best: Option<(f64, usize)> = None;
        for &(l, _) in votes.iter().take(8) {
            let l = l as usize;
            let e = estimate(sig, &signatures[l]);
            if e >= threshold && best.is_none_or(|(b, bl)| e > b || (e == b && l < bl)) {
                best = Some((e, l));
            }
        }
        match best {
            Some((_, l)) => leader_of.push(l),
            None => {
                leader_of.push(i);
                for k in keys {
                    leaders.entry(k).or_default().push(i as u32);
                }
            }
        }
    }
    leader_of
}

/// A labelled pair for measuring the grouping: two texts and whether people judge them the same
/// matter.
pub struct Labelled<'a> {
    pub a: &'a str,
    pub b: &'a str,
    pub similar: bool,
}

/// The labelled set kept in the repository (`similar_pairs.tsv`: label, text, text).
pub const LABELLED: &str = include_str!("similar_pairs.tsv");

pub fn labelled() -> Vec<Labelled<'static>> {
    LABELLED
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split('\t');
            let label = parts.next()?;
            Some(Labelled {
                similar: label == "1",
                a: parts.next()?,
                b: parts.next()?,
            })
        })
        .collect()
}

/// Whether the grouping links two texts: they share an LSH bucket and their similarity reaches
/// `threshold` (what happens on submission).
pub fn linked(a: &str, b: &str, threshold: f64) -> bool {
    let (fa, fb) = (features(a), features(b));
    let (ba, bb) = (buckets(0, &signature(&fa)), buckets(0, &signature(&fb)));
    ba.iter().any(|k| bb.contains(k)) && jaccard(&fa, &fb) >= threshold
}

/// Precision and recall of the grouping at `threshold` on the labelled set.
pub fn precision_recall(set: &[Labelled<'_>], threshold: f64) -> (f64, f64) {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for p in set {
        let said = linked(p.a, p.b, threshold);
        match (said, p.similar) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            (false, false) => {}
        }
    }
    let precision = if tp + fp == 0.0 { 1.0 } else { tp / (tp + fp) };
    let recall = if tp + fn_ == 0.0 {
        1.0
    } else {
        tp / (tp + fn_)
    };
    (precision, recall)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reworded_complaints_are_similar_and_different_matters_are_not() {
        let a = "幸福路的路灯坏了好几天了，晚上很黑";
        let b = "幸福路街灯不亮，晚上走路很黑";
        let c = "幸福路的垃圾好几天没人清运了";
        assert!(similarity(a, b) > similarity(a, c));
        assert!(similarity(a, b) >= 0.4, "{}", similarity(a, b));
        assert!(similarity(a, c) < 0.3, "{}", similarity(a, c));
        assert_eq!(similarity("", ""), 0.0);
        assert!(
            (similarity("幸福路路燈壞了", "幸福路路灯坏了") - 1.0).abs() < 1e-9,
            "traditional and simplified are one text"
        );
    }

    #[test]
    fn the_labelled_set_is_read_and_the_grouping_reaches_its_reported_figures() {
        let set = labelled();
        assert!(set.len() >= 60, "{}", set.len());
        assert!(set.iter().any(|p| p.similar) && set.iter().any(|p| !p.similar));
        // The figures BENCHMARKS.md reports at the default threshold (opinion.similarity = 0.3).
        let (p, r) = precision_recall(&set, DEFAULT_THRESHOLD);
        assert!(p >= 0.95, "precision {p}");
        assert!(r >= 0.95, "recall {r}");
        // A stricter threshold trades recall for precision.
        let (p2, r2) = precision_recall(&set, 0.45);
        assert!(p2 >= p && r2 < r);
    }

    #[test]
    fn the_batch_grouping_joins_near_duplicates_only() {
        let texts = [
            "幸福路的路灯坏了好几天了，晚上很黑",
            "幸福路街灯不亮，晚上很黑",
            "幸福路路灯坏了，晚上黑",
            "青石镇中心小学门口上下学时段交通拥堵",
            "城南菜市场周边污水横流，气味难闻",
        ];
        let sigs: Vec<_> = texts.iter().map(|t| signature(&features(t))).collect();
        let g = group_all(&sigs, DEFAULT_THRESHOLD);
        assert_eq!(g[0], 0, "the first leads");
        assert_eq!(g[2], 0);
        assert_ne!(g[0], g[3]);
        assert_ne!(g[3], g[4]);
        assert_eq!(g[4], 4);
    }

    proptest! {
        /// Similarity is symmetric, within [0, 1], and 1 for a text with itself.
        #[test]
        fn similarity_is_a_proper_index(a in "[路灯坏垃圾清运幸福镇小学 ]{0,12}", b in "[路灯坏垃圾清运幸福镇小学 ]{0,12}") {
            let s = similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert!((s - similarity(&b, &a)).abs() < 1e-12);
            if !features(&a).is_empty() {
                prop_assert!((similarity(&a, &a) - 1.0).abs() < 1e-12);
            }
        }

        /// Buckets depend on the scope: two congresses never share one.
        #[test]
        fn buckets_never_span_two_congresses(t in "[路灯坏垃圾清运]{2,8}") {
            let sig = signature(&features(&t));
            let a = buckets(1, &sig);
            let b = buckets(2, &sig);
            prop_assert!(a.iter().all(|k| !b.contains(k)));
        }
    }
}

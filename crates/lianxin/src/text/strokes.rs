//! 姓氏笔画排序 — listing candidates "by the stroke count of the surname", as Chinese ballots and
//! name lists do: fewer strokes first; equal counts go on to the next character. Counts follow
//! the 通用规范汉字表 (simplified forms). The table holds the common surnames and the characters
//! of given names most used; a character not in it sorts after every known count of its place,
//! by code point. Within one count the order by first stroke (横竖撇点折) is not applied yet: ties
//! go by code point.

/// (character, strokes). Kept sorted by character for binary search (checked by a test).
const STROKES: &[(char, u8)] = &[
    ('一', 1),
    ('丁', 2),
    ('万', 3),
    ('上', 3),
    ('丛', 5),
    ('东', 5),
    ('严', 7),
    ('丽', 7),
    ('乐', 5),
    ('乔', 6),
    ('于', 3),
    ('云', 4),
    ('亮', 9),
    ('人', 2),
    ('任', 6),
    ('伍', 6),
    ('伟', 6),
    ('余', 7),
    ('佳', 8),
    ('侯', 9),
    ('俊', 9),
    ('俞', 9),
    ('倪', 10),
    ('傅', 12),
    ('元', 4),
    ('兰', 5),
    ('关', 6),
    ('军', 6),
    ('冯', 5),
    ('冷', 7),
    ('凌', 10),
    ('刘', 6),
    ('初', 7),
    ('利', 7),
    ('力', 2),
    ('勇', 9),
    ('包', 5),
    ('华', 6),
    ('卢', 5),
    ('卫', 3),
    ('卿', 10),
    ('叶', 5),
    ('司', 5),
    ('吕', 6),
    ('吴', 7),
    ('周', 8),
    ('唐', 10),
    ('嘉', 14),
    ('国', 8),
    ('坤', 8),
    ('夏', 10),
    ('天', 4),
    ('姚', 9),
    ('姜', 9),
    ('娜', 9),
    ('婷', 12),
    ('孔', 4),
    ('孙', 6),
    ('孟', 8),
    ('季', 8),
    ('宁', 5),
    ('宇', 6),
    ('安', 6),
    ('宋', 7),
    ('宏', 7),
    ('宗', 8),
    ('宣', 9),
    ('宫', 9),
    ('崔', 11),
    ('常', 11),
    ('平', 5),
    ('庄', 6),
    ('康', 11),
    ('廖', 14),
    ('建', 8),
    ('张', 7),
    ('强', 12),
    ('彭', 12),
    ('徐', 10),
    ('志', 7),
    ('思', 9),
    ('成', 6),
    ('戴', 17),
    ('房', 8),
    ('敏', 11),
    ('文', 4),
    ('新', 13),
    ('方', 4),
    ('施', 9),
    ('明', 8),
    ('易', 8),
    ('春', 9),
    ('晓', 10),
    ('曹', 11),
    ('曾', 12),
    ('朱', 6),
    ('李', 7),
    ('杜', 7),
    ('杨', 7),
    ('林', 8),
    ('柯', 9),
    ('柳', 9),
    ('梁', 11),
    ('梅', 11),
    ('楠', 13),
    ('欧', 8),
    ('武', 8),
    ('段', 9),
    ('毛', 4),
    ('江', 6),
    ('汤', 6),
    ('汪', 7),
    ('沈', 7),
    ('泽', 8),
    ('洪', 9),
    ('海', 10),
    ('涛', 10),
    ('温', 12),
    ('潘', 15),
    ('然', 12),
    ('熊', 14),
    ('燕', 16),
    ('牛', 4),
    ('玉', 5),
    ('王', 4),
    ('琳', 12),
    ('瑞', 13),
    ('田', 5),
    ('申', 5),
    ('白', 5),
    ('石', 5),
    ('磊', 15),
    ('秀', 7),
    ('秦', 10),
    ('程', 12),
    ('立', 5),
    ('章', 11),
    ('童', 12),
    ('管', 14),
    ('红', 6),
    ('罗', 8),
    ('翟', 14),
    ('胡', 9),
    ('舒', 12),
    ('航', 10),
    ('艾', 5),
    ('芳', 7),
    ('苏', 7),
    ('茂', 8),
    ('范', 8),
    ('莫', 10),
    ('萧', 11),
    ('董', 12),
    ('蒋', 12),
    ('蔡', 14),
    ('薛', 16),
    ('袁', 10),
    ('裴', 14),
    ('许', 6),
    ('谢', 12),
    ('谭', 14),
    ('贺', 9),
    ('贾', 10),
    ('赵', 9),
    ('邓', 4),
    ('邱', 7),
    ('邵', 7),
    ('邹', 7),
    ('郑', 8),
    ('郝', 9),
    ('郭', 10),
    ('金', 8),
    ('钟', 9),
    ('钱', 10),
    ('闫', 6),
    ('阎', 11),
    ('阳', 6),
    ('陆', 7),
    ('陈', 7),
    ('陶', 10),
    ('雨', 8),
    ('雪', 11),
    ('雷', 13),
    ('霍', 16),
    ('静', 14),
    ('韦', 4),
    ('韩', 12),
    ('顾', 10),
    ('飞', 3),
    ('马', 3),
    ('高', 10),
    ('魏', 17),
    ('鲁', 12),
    ('黄', 11),
    ('黎', 15),
    ('龙', 5),
    ('龚', 11),
];

/// Strokes of a character, if the table has it.
pub fn strokes(c: char) -> Option<u8> {
    STROKES
        .binary_search_by_key(&c, |(k, _)| *k)
        .ok()
        .map(|i| STROKES[i].1)
}

/// The sort key of a name: per character, its strokes (unknown after all known) and code point.
pub fn key(name: &str) -> Vec<(u8, u32)> {
    name.trim()
        .chars()
        .map(|c| (strokes(c).unwrap_or(u8::MAX), u32::from(c)))
        .collect()
}

/// Sorts names by the stroke count of the surname, then of the following characters.
pub fn sort_by_strokes(names: &mut [String]) {
    names.sort_by_cached_key(|n| key(n));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_has_no_duplicates() {
        assert!(STROKES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn names_go_by_the_strokes_of_the_surname_then_the_next_character() {
        let mut names: Vec<String> = [
            "王芳",
            "马丽",
            "李强",
            "丁一",
            "张伟",
            "黄明",
            "王立新",
            "林晓燕",
            "魏东",
            "欧阳明",
            "亓官",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        sort_by_strokes(&mut names);
        // 丁2 马3 王4 (立5 before 芳7) …
        assert_eq!(&names[..4], ["丁一", "马丽", "王立新", "王芳"]);
        let pos = |n: &str| names.iter().position(|x| x == n).unwrap();
        assert!(pos("李强") < pos("林晓燕"), "7 strokes before 8");
        assert!(pos("黄明") < pos("魏东"), "11 before 17");
        assert!(
            pos("欧阳明") < pos("黄明"),
            "a compound surname goes by its first character, 8"
        );
        assert_eq!(
            names.last().map(String::as_str),
            Some("亓官"),
            "a surname not in the table goes last"
        );
        assert!(
            pos("张伟") < pos("李强"),
            "7 and 7: the surnames' code points stand in for the first stroke"
        );
        assert_eq!(strokes('潘'), Some(15));
    }
}

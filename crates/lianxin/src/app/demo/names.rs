//! Deterministic generators for fictional people: names from common characters and resident ID
//! numbers with the fictional region code 99xxxx (no real region uses 99), so nothing in the demo
//! can be mistaken for a real person's number.

/// A small linear congruential generator: the same seed gives the same district every time.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next_u64() as usize) % items.len()]
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "萧", "田", "董", "潘", "袁", "蔡", "蒋", "余",
];
const GIVEN: &[&str] = &[
    "晓", "明", "华", "建", "国", "文", "立", "新", "志", "海", "春", "秀", "玉", "兰", "红", "丽",
    "静", "宁", "安", "平", "雨", "欣", "然", "思", "远", "嘉", "瑞", "泽", "宇", "航", "楠", "琳",
    "婷", "雪", "梅", "强", "军", "勇", "磊", "涛",
];

pub fn name(rng: &mut Lcg) -> String {
    let mut n = rng.pick(SURNAMES).to_string();
    n.push_str(rng.pick(GIVEN));
    if !rng.next_u64().is_multiple_of(3) {
        n.push_str(rng.pick(GIVEN));
    }
    n
}

/// A checksum-valid ID number in the fictional region `99xxxx`, unique per `serial`.
pub fn id_card(region: u32, serial: u64, rng: &mut Lcg) -> String {
    let year = 1955 + rng.next_u64() % 45;
    let month = 1 + rng.next_u64() % 12;
    let day = 1 + rng.next_u64() % 28;
    let seq = serial % 1000;
    let first17 = format!("{region:06}{year:04}{month:02}{day:02}{seq:03}");
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

pub const ETHNICITIES: &[&str] = &[
    "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "回族", "满族", "壮族",
];
pub const PARTIES: &[&str] = &[
    "中共党员",
    "中共党员",
    "中共党员",
    "群众",
    "群众",
    "民革党员",
    "民盟盟员",
    "民建会员",
    "九三学社社员",
    "无党派人士",
];
pub const COMPOSITIONS: &[&str] = &[
    "工人",
    "农民",
    "专业技术人员",
    "党政干部",
    "企业负责人",
    "解放军",
    "其他",
];
pub const OCCUPATIONS: &[&str] = &[
    "社区党委书记",
    "村委会主任",
    "小学教师",
    "乡镇卫生院医生",
    "企业工程师",
    "个体工商户",
    "农业合作社负责人",
    "律师",
    "环卫工人",
    "物业经理",
    "中学校长",
    "护士",
    "快递网点负责人",
    "民营企业董事长",
    "街道办事处干部",
];
pub const EDUCATIONS: &[&str] = &["大学", "大学", "研究生", "大专", "高中", "中专"];

#[cfg(test)]
mod tests {
    #[test]
    fn generated_ids_are_valid_and_fictional() {
        let mut rng = super::Lcg(7);
        for serial in 0..200 {
            let id = super::id_card(990101, serial, &mut rng);
            assert!(crate::people::domain::valid_id_card(&id), "{id}");
            assert!(id.starts_with("99"));
        }
    }
}

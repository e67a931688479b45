//! The recogniser's character dictionary and the closed sets of values a card can print.
//!
//! The PP-OCRv5 dictionary holds traditional forms next to simplified ones (漢 and 汉), so a
//! field with a closed set of values (民族, 性别) is mapped back onto that set instead of being
//! trusted character by character.

/// Class index k of the CTC output: 0 is the blank, 1..=len the dictionary entries in file
/// order, len+1 a space.
pub struct Dict {
    entries: Vec<String>,
    /// For each class, the class it is read as: itself, or the simplified form of a
    /// traditional-only character (cards are printed in simplified characters).
    canonical: Vec<u32>,
}

impl Dict {
    /// Parses a dictionary file: one entry per line, kept verbatim (the first v5 entry is
    /// U+3000, an ideographic space; some entries are several code points).
    pub fn parse(text: &str) -> Dict {
        let mut entries: Vec<String> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l).to_string()).collect();
        if entries.last().is_some_and(|l| l.is_empty()) {
            entries.pop();
        }
        let canonical = (0..entries.len() as u32 + 2).collect();
        Dict { entries, canonical }
    }

    /// Reads every traditional-only entry as its simplified form, from "TRAD<TAB>SIMP" lines
    /// (`models/ppocrv5_t2s.txt`, made by `scripts/gen_t2s.py`). Pairs naming an entry the
    /// dictionary lacks are ignored, and so are simplified forms beyond the Basic Multilingual
    /// Plane (𬀩 for 暐): such late forms, in names mostly, are not what card systems print, which
    /// keep the character as registered.
    pub fn with_simplified(mut self, pairs: &str) -> Dict {
        let index: std::collections::HashMap<&str, u32> = self.entries.iter().enumerate().map(|(i, e)| (e.as_str(), i as u32 + 1)).collect();
        for line in pairs.lines() {
            let Some((t, s)) = line.split_once('\t') else { continue };
            if s.chars().any(|c| c as u32 > 0xFFFF) {
                continue;
            }
            if let (Some(&t), Some(&s)) = (index.get(t), index.get(s)) {
                self.canonical[t as usize] = s;
            }
        }
        self
    }

    /// Japanese forms (shinjitai) the recogniser also knows, read as their simplified Chinese
    /// counterparts: a Chinese card never prints them, and 単 for 单 in an address is a real
    /// misreading. Characters that are also Chinese in their own right (芸, 浜, 弁) are left out.
    pub fn with_japanese_forms(self) -> Dict {
        self.with_simplified(JAPANESE_FORMS)
    }

    /// The class that class `k` is read as (see [`Dict::with_simplified`]).
    pub fn canonical(&self, k: usize) -> usize {
        self.canonical.get(k).map_or(k, |&c| c as usize)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn class(&self, k: usize) -> &str {
        match k {
            0 => "",
            k if k <= self.entries.len() => &self.entries[k - 1],
            _ => " ",
        }
    }
}

/// The 56 ethnic groups as printed on a card (without 族).
pub const ETHNIC_GROUPS: [&str; 56] = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// Traditional (or variant) forms the recogniser may return for characters of the closed sets.
const TRAD: [(char, char); 24] = [
    ('漢', '汉'),
    ('維', '维'),
    ('爾', '尔'),
    ('壯', '壮'),
    ('鮮', '鲜'),
    ('滿', '满'),
    ('瑤', '瑶'),
    ('薩', '萨'),
    ('東', '东'),
    ('鄉', '乡'),
    ('納', '纳'),
    ('頗', '颇'),
    ('達', '达'),
    ('錫', '锡'),
    ('烏', '乌'),
    ('別', '别'),
    ('羅', '罗'),
    ('溫', '温'),
    ('獨', '独'),
    ('龍', '龙'),
    ('倫', '伦'),
    ('門', '门'),
    ('彞', '彝'),
    ('彜', '彝'),
];

fn simplify(s: &str) -> String {
    s.chars().map(|c| TRAD.iter().find(|(t, _)| *t == c).map(|(_, s)| *s).unwrap_or(if c == '諾' { '诺' } else { c })).collect()
}

/// Maps a recognised 民族 value onto the 56 groups: traditional forms simplified, a trailing
/// 族 dropped, one wrong or missing character forgiven when only one group is that close.
pub fn ethnicity(raw: &str) -> Option<String> {
    let s = simplify(raw.trim());
    let s = s.strip_suffix('族').unwrap_or(&s);
    if s.is_empty() {
        return None;
    }
    if let Some(g) = ETHNIC_GROUPS.iter().find(|g| **g == s) {
        return Some(g.to_string());
    }
    let near: Vec<&&str> = ETHNIC_GROUPS.iter().filter(|g| edit_distance(g, s) <= 1).collect();
    // Single-character groups are too easy to reach with one edit; require the same length then.
    // Several groups one edit away (哈萨 → 哈萨克 or 哈尼): a dropped last character is the
    // likeliest misreading, so a single group that starts with the reading wins.
    let prefixed: Vec<&&str> = near.iter().copied().filter(|g| g.starts_with(s)).collect();
    match (near.as_slice(), prefixed.as_slice()) {
        ([g], _) if g.chars().count() > 1 || s.chars().count() == 1 => Some(g.to_string()),
        (_, [g]) if s.chars().count() > 1 => Some(g.to_string()),
        _ => None,
    }
}

/// Maps a recognised 性别 value onto 男 / 女.
pub fn sex(raw: &str) -> Option<String> {
    raw.chars().find_map(|c| match c {
        '男' => Some("男".to_string()),
        '女' => Some("女".to_string()),
        _ => None,
    })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Pairs of (Japanese form, simplified Chinese), one per line, tab-separated.
const JAPANESE_FORMS: &str = concat!(
    "単\t单\n県\t县\n広\t广\n沢\t泽\n竜\t龙\n斉\t齐\n栄\t荣\n戦\t战\n売\t卖\n読\t读\n変\t变\n発\t发\n楽\t乐\n",
    "薬\t药\n鉄\t铁\n関\t关\n図\t图\n歳\t岁\n実\t实\n帰\t归\n児\t儿\n隣\t邻\n様\t样\n険\t险\n検\t检\n験\t验\n",
    "剣\t剑\n経\t经\n済\t济\n営\t营\n駅\t驿\n桜\t樱\n覚\t觉\n拠\t据\n庁\t厅\n団\t团\n転\t转\n伝\t传\n鶏\t鸡\n",
    "黒\t黑\n囲\t围\n挙\t举\n恵\t惠\n絵\t绘\n塩\t盐\n縁\t缘\n穏\t稳\n仮\t假\n価\t价\n拡\t扩\n閲\t阅\n観\t观\n",
    "陥\t陷\n勧\t劝\n巻\t卷\n寛\t宽\n気\t气\n郷\t乡\n暁\t晓\n駆\t驱\n継\t继\n軽\t轻\n権\t权\n顕\t显\n厳\t严\n",
    "鉱\t矿\n砕\t碎\n雑\t杂\n賛\t赞\n収\t收\n従\t从\n渋\t涩\n獣\t兽\n縦\t纵\n粛\t肃\n処\t处\n緒\t绪\n奨\t奖\n",
    "焼\t烧\n証\t证\n乗\t乘\n浄\t净\n剰\t剩\n畳\t叠\n縄\t绳\n壌\t壤\n譲\t让\n醸\t酿\n粋\t粹\n酔\t醉\n穂\t穗\n",
    "髄\t髓\n瀬\t濑\n摂\t摄\n専\t专\n銭\t钱\n繊\t纤\n荘\t庄\n捜\t搜\n挿\t插\n巣\t巢\n層\t层\n騒\t骚\n増\t增\n",
    "蔵\t藏\n贈\t赠\n続\t续\n対\t对\n帯\t带\n滝\t泷\n択\t择\n弾\t弹\n遅\t迟\n鋳\t铸\n聴\t听\n懲\t惩\n鎮\t镇\n",
    "逓\t递\n稲\t稻\n闘\t斗\n徳\t德\n弐\t贰\n悩\t恼\n脳\t脑\n覇\t霸\n廃\t废\n拝\t拜\n髪\t发\n抜\t拔\n払\t拂\n",
    "仏\t佛\n並\t并\n辺\t边\n舗\t铺\n歩\t步\n豊\t丰\n毎\t每\n満\t满\n黙\t默\n訳\t译\n揺\t摇\n謡\t谣\n頼\t赖\n",
    "覧\t览\n両\t两\n猟\t猎\n緑\t绿\n塁\t垒\n涙\t泪\n隷\t隶\n霊\t灵\n齢\t龄\n労\t劳\n録\t录\n",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_classes_are_blank_entries_space() {
        let d = Dict::parse("\u{3000}\n一\n🇨🇳\n");
        assert_eq!(d.len(), 3);
        assert_eq!(d.class(0), "");
        assert_eq!(d.class(1), "\u{3000}");
        assert_eq!(d.class(3), "🇨🇳");
        assert_eq!(d.class(4), " ");
    }

    #[test]
    fn japanese_forms_read_as_simplified_but_chinese_characters_stay() {
        let d = Dict::parse("单\n単\n芸\n艺\n").with_japanese_forms();
        assert_eq!(d.canonical(2), 1, "単 reads as 单");
        assert_eq!(d.canonical(3), 3, "芸 is a Chinese character (a name) and stays");
    }

    #[test]
    fn a_simplified_form_beyond_the_basic_plane_is_not_taken() {
        let d = Dict::parse("暐\n𬀩\n強\n强\n").with_simplified("暐\t𬀩\n強\t强\n");
        assert_eq!(d.class(d.canonical(1)), "暐");
        assert_eq!(d.class(d.canonical(3)), "强");
    }

    #[test]
    fn traditional_only_classes_read_as_simplified() {
        let d = Dict::parse("强\n強\n於\n").with_simplified("強\t强\n於\t于\n");
        assert_eq!(d.canonical(2), 1, "強 reads as 强");
        assert_eq!(d.canonical(1), 1);
        assert_eq!(d.canonical(3), 3, "a pair whose target is not in the dictionary is ignored");
        assert_eq!(d.canonical(0), 0);
        assert_eq!(d.canonical(4), 4, "the space class stays");
    }

    #[test]
    fn the_committed_table_keeps_characters_names_use_as_they_are() {
        let t2s = include_str!("../../models/ppocrv5_t2s.txt");
        let map: std::collections::HashMap<&str, &str> = t2s.lines().filter_map(|l| l.split_once('\t')).collect();
        assert_eq!(map.get("強"), Some(&"强"));
        assert_eq!(map.get("漢"), Some(&"汉"));
        for kept in ["於", "乾", "夥", "著", "强", "汉"] {
            assert!(!map.contains_key(kept), "{kept} must not be rewritten");
        }
    }

    #[test]
    fn ethnicity_maps_onto_the_closed_set() {
        assert_eq!(ethnicity("漢").as_deref(), Some("汉"));
        // Variant forms of 彝 the recogniser returns on a noisy photo.
        assert_eq!(ethnicity("彞").as_deref(), Some("彝"));
        assert_eq!(ethnicity("彜族").as_deref(), Some("彝"));
        assert_eq!(ethnicity("維吾爾").as_deref(), Some("维吾尔"));
        assert_eq!(ethnicity("蒙古族").as_deref(), Some("蒙古"));
        assert_eq!(ethnicity("哈萨").as_deref(), Some("哈萨克"));
        assert_eq!(ethnicity("火星"), None);
        assert_eq!(ETHNIC_GROUPS.len(), 56);
    }

    #[test]
    fn sex_is_male_or_female() {
        assert_eq!(sex(" 女").as_deref(), Some("女"));
        assert_eq!(sex("x"), None);
    }
}

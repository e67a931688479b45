//! Tests of the region timeline: the naming policy on known places, unknown codes, and the
//! invariants of the whole generated table.

use super::*;

fn names(e: &Entry) -> (&'static str, &'static str, &'static str) {
    let n = e.current();
    (n.province, n.city, n.district)
}

fn get(code: u32) -> Entry {
    lookup(code).unwrap_or_else(|| panic!("{code} should be in the table"))
}

#[test]
fn municipality_city_is_the_province() {
    let e = get(110101);
    assert_eq!(names(&e), ("北京市", "北京市", "东城区"));
    assert!(!e.abolished());
    assert_eq!(e.since(), 1980);
    assert_eq!(e.until(), None);
    assert_eq!(get(500154).current().city, "重庆市");
}

#[test]
fn renamed_city_answers_with_todays_name() {
    // 襄樊市 became 襄阳市 in 2010; its districts answer with 襄阳市 today.
    let e = get(420602);
    assert_eq!(names(&e), ("湖北省", "襄阳市", "襄城区"));
    assert_eq!(e.at_year(2005).unwrap().names.city, "襄樊市");
    assert_eq!(e.at_year(2010).unwrap().names.city, "襄阳市");
    assert!(e.eras_differ_at(2009));
    assert!(!e.eras_differ_at(2010));
    let city = get(420600);
    assert_eq!(names(&city), ("湖北省", "襄阳市", ""));
    assert!(city.is_prefecture());
}

#[test]
fn renamed_district_answers_with_todays_name() {
    // 呼和浩特市郊区 became 赛罕区 in 2000.
    let e = get(150105);
    assert_eq!(names(&e), ("内蒙古自治区", "呼和浩特市", "赛罕区"));
    assert_eq!(e.at_year(1999).unwrap().names.district, "郊区");
    assert_eq!(e.since(), 1980);
    assert!(!e.abolished());
}

#[test]
fn reused_code_shows_both_places() {
    let e = get(362324);
    let h = e.history();
    assert_eq!(h.len(), 2);
    assert_eq!((h[0].since, h[0].until), (1980, Some(1981)));
    assert_eq!((h[0].names.city, h[0].names.district), ("宜春地区", "丰城县"));
    assert_eq!(h[1].since, 1982);
    assert_eq!((h[1].names.city, h[1].names.district), ("上饶地区", "铅山县"));
    assert_eq!(e.at_year(1981).unwrap().names.district, "丰城县");
    assert_eq!(e.at_year(1982).unwrap().names.district, "铅山县");
    assert_eq!(e.at_year(1979), None);
}

#[test]
fn abolished_code_keeps_its_last_names() {
    // 铅山县 moved to 361124 when 上饶地区 became 上饶市 (2000 list).
    let e = get(362324);
    assert!(e.abolished());
    assert_eq!(e.until(), Some(1999));
    assert_eq!(names(&e), ("江西省", "上饶地区", "铅山县"));
    assert_eq!(e.at_year(2000), None);
    assert!(!e.eras_differ_at(2000));
    // 开县 became 开州区 (500154) in 2016.
    let kai = get(500234);
    assert!(kai.abolished());
    assert_eq!(kai.until(), Some(2015));
    assert_eq!(names(&kai), ("重庆市", "重庆市", "开县"));
}

#[test]
fn new_code_starts_in_its_year() {
    let e = get(500154);
    assert_eq!(e.since(), 2016);
    assert_eq!(names(&e), ("重庆市", "重庆市", "开州区"));
    assert_eq!(e.at_year(2015), None);
}

#[test]
fn county_level_city_under_the_province_has_no_city() {
    for (code, province, district) in [(429004, "湖北省", "仙桃市"), (659001, "新疆维吾尔自治区", "石河子市")] {
        let e = get(code);
        assert_eq!(names(&e), (province, "", district));
        assert!(!e.abolished());
        assert!(!e.is_prefecture());
    }
}

#[test]
fn prefecture_city_without_districts_has_no_district() {
    let e = get(441900);
    assert_eq!(names(&e), ("广东省", "东莞市", ""));
    assert!(e.is_prefecture());
    assert!(!e.abolished());
}

#[test]
fn residence_permit_prefixes_are_valid() {
    for (code, name) in [(810000, "香港特别行政区"), (820000, "澳门特别行政区"), (830000, "台湾省")] {
        let e = get(code);
        assert_eq!(names(&e), (name, "", ""));
        assert!(!e.abolished());
        assert!(e.at_year(2018).is_some(), "{code} valid when the permits began");
        assert_eq!(province_name((code / 10000) as u8), Some(name));
    }
}

#[test]
fn unknown_codes_are_none() {
    for code in [0, 999_999, 110_199, 110_000, 440_000, 1_000_000, u32::MAX] {
        assert!(lookup(code).is_none(), "{code} should be unknown");
    }
}

#[test]
fn province_names_and_code_helpers() {
    assert_eq!(province_name(11), Some("北京市"));
    assert_eq!(province_name(42), Some("湖北省"));
    assert_eq!(province_name(99), None);
    assert_eq!(prefecture_code(420602), 420600);
    assert_eq!(province_code(420602), 420000);
}

#[test]
fn whole_table_invariants() {
    let mut prev = 0;
    let mut count = 0;
    for e in entries() {
        count += 1;
        let code = e.code();
        assert!(code > prev, "codes sorted and unique at {code}");
        prev = code;
        assert!((110_000..=999_999).contains(&code), "{code} is six digits");
        assert_eq!(lookup(code).map(|x| x.code()), Some(code));
        let h = e.history();
        assert!(!h.is_empty(), "{code} has eras");
        for (i, era) in h.iter().enumerate() {
            assert!(era.since >= 1980, "{code} starts at the earliest list");
            if let Some(u) = era.until {
                assert!(era.since <= u, "{code} era reversed");
            } else {
                assert_eq!(i, h.len() - 1, "{code}: only the last era may be open");
            }
            if i > 0 {
                let before = h[i - 1].until.expect("closed before a later era");
                assert!(before < era.since, "{code} eras overlap or are unsorted");
                // Adjacent eras differ in their names; a gap may repeat them.
                if before + 1 == era.since {
                    assert_ne!(h[i - 1].names, era.names, "{code} eras not merged");
                }
            }
            let n = era.names;
            assert!(!n.province.is_empty(), "{code} has a province");
            if e.is_prefecture() {
                assert!(n.district.is_empty(), "{code} prefecture has no district");
                assert!(code % 10000 == 0 || !n.city.is_empty(), "{code} names its city");
            } else {
                assert!(!n.district.is_empty(), "{code} has a district name");
            }
            for s in [n.province, n.city, n.district] {
                assert_eq!(s.trim(), s, "{code} names are trimmed");
            }
        }
        assert_eq!(e.abolished(), e.until().is_some());
        assert_eq!(e.at_year(e.since()).map(|x| x.since), Some(e.since()));
    }
    assert_eq!(count, entries().len());
    let now = entries().filter(|e| !e.abolished()).count();
    assert!(count > 6000 && now > 3000, "{count} codes, {now} in force");
}

#[test]
fn changes_after_the_last_yearly_list() {
    // 米林县 became 米林市 (540481) in 2023: known from the current list and its events.
    let old = get(540422);
    assert!(old.abolished());
    assert_eq!(old.until(), Some(LAST_LIST_YEAR));
    assert_eq!(names(&old), ("西藏自治区", "林芝市", "米林县"));
    let new = get(540481);
    assert!(!new.abolished());
    assert_eq!(new.since(), 2023);
    assert_eq!(names(&new), ("西藏自治区", "林芝市", "米林市"));
    // 西沙区 (2020) is missing from the 2020-2022 lists; its year is set by the generator.
    assert_eq!(get(460302).since(), 2020);
}

#[test]
fn the_prefix_index_finds_every_code_and_nothing_else() {
    for (i, &code) in table::CODES.iter().enumerate() {
        let e = lookup(code).unwrap_or_else(|| panic!("{code} is in the table"));
        assert_eq!(e.code, code);
        assert_eq!(e.eras.len(), (table::STARTS[i + 1] - table::STARTS[i]) as usize);
        for near in [code + 1, code.wrapping_sub(1)] {
            assert_eq!(lookup(near).is_some(), table::CODES.binary_search(&near).is_ok(), "{near}");
        }
    }
    for code in [0, 99, 999_999, 1_000_000, 11_010_000, u32::MAX] {
        assert!(lookup(code).is_none(), "{code}");
    }
}

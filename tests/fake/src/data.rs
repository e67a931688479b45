//! The fake's data: a few clearly fake identities and a tiny region table.

/// A fake person known to the fake two-factor services.
#[derive(Debug, Clone, Copy)]
pub struct Identity {
    pub name: &'static str,
    pub number: &'static str,
    pub sex: &'static str,
}

/// Identities on record. Checking one with its own name gives `Match`; with any other name,
/// `Mismatch`. All numbers have valid check digits and are made up.
pub const IDENTITIES: &[Identity] = &[
    Identity { name: "张三", number: "11010519491231002X", sex: "女" },
    Identity { name: "李四", number: "110101199003070038", sex: "男" },
    Identity { name: "王芳", number: "310115198511204523", sex: "女" },
    Identity { name: "赵六", number: "440305199208152718", sex: "男" },
];

/// A valid number that is on no record: two-factor answers `NoRecord`.
pub const NO_RECORD_NUMBER: &str = "110101200001010010";

/// A locally valid number (阿勒泰市 654301) outside the fake's small region data: NowAPI answers `NOT_ATT`,
/// apizero 4000 未找到.
pub const UNKNOWN_REGION_NUMBER: &str = "654301199001010015";

pub(crate) struct Place {
    pub code: &'static str,
    pub name: &'static str,
    pub postno: &'static str,
    pub areano: &'static str,
}

pub(crate) const PLACES: &[Place] = &[
    Place { code: "110000", name: "北京市", postno: "100000", areano: "010" },
    Place { code: "110100", name: "北京市", postno: "100000", areano: "010" },
    Place { code: "110101", name: "东城区", postno: "100010", areano: "010" },
    Place { code: "110105", name: "朝阳区", postno: "100020", areano: "010" },
    Place { code: "310000", name: "上海市", postno: "200000", areano: "021" },
    Place { code: "310100", name: "上海市", postno: "200000", areano: "021" },
    Place { code: "310115", name: "浦东新区", postno: "200120", areano: "021" },
    Place { code: "440000", name: "广东省", postno: "510000", areano: "020" },
    Place { code: "440300", name: "深圳市", postno: "518000", areano: "0755" },
    Place { code: "440305", name: "南山区", postno: "518052", areano: "0755" },
];

pub(crate) fn place(code: &str) -> Option<&'static Place> {
    PLACES.iter().find(|p| p.code == code)
}

pub(crate) fn identity(number: &str) -> Option<&'static Identity> {
    IDENTITIES.iter().find(|i| i.number.eq_ignore_ascii_case(number))
}

/// GB 11643 check: 18 characters, 17 digits, the right check digit.
pub(crate) fn valid_number(n: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = n.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(W).map(|(d, w)| (d - b'0') as u32 * w).sum();
    b"10X98765432"[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

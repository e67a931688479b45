//! How a checked number is printed: one JSON line, or a few human-readable lines in the user's
//! language. Shared by every subcommand that prints checked numbers; writes straight into the
//! (buffered) output without building strings.

use idcheck::i18n::Lang;
use idcheck::id::{Holder, Report, Sex};
use std::io::{self, Write};

/// One JSON object and a newline: the shape of [`idcheck::id::Checked`].
pub fn json(out: &mut impl Write, r: &Report<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *out, r).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// The number and its verdict on one line, then one indented line per note, reason or warning.
pub fn human(out: &mut impl Write, r: &Report<'_>, lang: Lang) -> io::Result<()> {
    let zh = lang == Lang::Zh;
    let shown = if r.number.is_empty() { r.input } else { r.number };
    if !r.valid {
        write!(out, "{shown}  {}", if zh { "无效" } else { "invalid" })?;
    } else {
        write!(out, "{shown}  {}", if zh { "有效" } else { "valid" })?;
        if let Some(sex) = r.sex {
            let s = match (sex, zh) {
                (Sex::Male, true) => "男",
                (Sex::Female, true) => "女",
                (Sex::Male, false) => "male",
                (Sex::Female, false) => "female",
            };
            write!(out, "  {s}")?;
        }
        if let (Some(b), Some(age)) = (r.birth_date, r.age) {
            if zh {
                write!(out, "  {b}（{age}岁）")?;
            } else {
                write!(out, "  born {b} (age {age})")?;
            }
        }
        if let Some(region) = r.region {
            let n = region.current();
            write!(out, "  {}", n.province)?;
            if !n.city.is_empty() && n.city != n.province {
                write!(out, " {}", n.city)?;
            }
            if !n.district.is_empty() {
                write!(out, " {}", n.district)?;
            }
            write!(out, " [{:06}]", region.code())?;
            if region.abolished() {
                write!(out, " {}", if zh { "（已撤销）" } else { "(abolished)" })?;
            }
        }
        if let Some(f) = r.foreign {
            // 外国人永久居留身份证（2023年版）  国籍 沙特阿拉伯 [SAU 682]  受理地 江苏省
            write!(out, "  {}", f.edition.msg().get(lang))?;
            let n = &f.nationality;
            let label = if zh { "国籍" } else { "nationality" };
            match n.country {
                Some(c) if zh => write!(out, "  {label} {} {} [{} {:03}]", c.zh, c.en, c.alpha3, c.numeric)?,
                Some(c) => write!(out, "  {label} {} ({}) [{} {:03}]", c.en, c.zh, c.alpha3, c.numeric)?,
                None => write!(out, "  {label} [{}]", n.code())?,
            }
            write!(out, "  {} {} [{:02}]", if zh { "受理地" } else { "accepted in" }, f.province, f.province_code)?;
        } else if let Some(h) = r.holder.filter(|h| *h != Holder::Resident) {
            let m = h.msg();
            write!(out, "  {}", m.get(lang))?;
        }
    }
    out.write_all(b"\n")?;
    if let Some(up) = r.upgraded {
        if zh {
            writeln!(out, "  → 18位号码：{up}")?;
        } else {
            writeln!(out, "  → 18-digit number: {up}")?;
        }
    }
    if r.input != r.number && !r.normalised.is_empty() {
        for n in r.normalised {
            writeln!(out, "  · {}", n.text(lang))?;
        }
    }
    for reason in r.reasons {
        writeln!(out, "  ✗ {}", reason.text(lang))?;
    }
    for w in r.warnings {
        writeln!(out, "  ! {}", w.text(lang))?;
    }
    Ok(())
}

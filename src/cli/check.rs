//! `idcheck check`: validates numbers given as arguments, or streams them from stdin one per
//! line (constant memory, millions of lines).
//!
//! The hot loop reuses one line buffer and one warnings vector and takes the zero-allocation
//! fast path for clean valid lines; only lines that need normalising or fail go through the
//! rich [`idcheck::id::check_at`].

use super::output;
use idcheck::i18n::Lang;
use idcheck::id::{self, fast, describe, validate_fast, Date, Generation, Report, Warning};
use std::io::{self, BufRead, IsTerminal, Write};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
idcheck check 11010519491231002X\n  \
idcheck check --json < numbers.txt > report.jsonl\n  \
idcheck check '110101 19900307 1234'\n\n\
Input may contain spaces, hyphens, zero-width spaces, full-width digits and a lower-case x; \
they are removed or converted and reported under `normalised`. Blank lines are skipped.\n\
输入可包含空格、连字符、零宽空格、全角数字和小写 x，会被自动规范并在 normalised 中注明；空行跳过。\n\n\
JSON lines hold: input, number, upgraded, valid, normalised, reasons (kind: length | format | \
region | date | checksum, with expected for checksum), birth_date, age, sex, holder, region \
{code, province, city, district, province_code, city_code, abolished, since, until, history}, warnings.")]
pub struct Args {
    /// Numbers to check; read one per line from stdin when none are given.
    /// 要校验的号码；不给则从标准输入逐行读取。
    #[arg(value_name = "NUMBER")]
    pub numbers: Vec<String>,

    /// Print one JSON object per line instead of text. 每行输出一个 JSON 对象。
    #[arg(long)]
    pub json: bool,

    /// Check as of this date instead of today in China (UTC+8): birth dates after it are
    /// errors, ages count to it. 以此日期为"今天"进行校验。
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<Date>,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("'{s}' is not a date: use YYYY-MM-DD / 日期格式应为 YYYY-MM-DD"))
}

struct Printer<W: Write> {
    out: W,
    json: bool,
    lang: Lang,
    today: Date,
    warnings: Vec<Warning>,
    any_invalid: bool,
}

impl<W: Write> Printer<W> {
    fn print(&mut self, r: &Report<'_>) -> io::Result<()> {
        self.any_invalid |= !r.valid;
        if self.json {
            output::json(&mut self.out, r)
        } else {
            output::human(&mut self.out, r, self.lang)
        }
    }

    /// Checks and prints one line (without its line end).
    fn line(&mut self, line: &str) -> io::Result<()> {
        if let Ok(f) = validate_fast(line.as_bytes(), self.today) {
            let mut warnings = std::mem::take(&mut self.warnings);
            warnings.clear();
            describe(&f, &mut warnings);
            let mut up = [0u8; 18];
            let upgraded = match f.generation {
                Generation::Fifteen => fast::upgrade_into(line.as_bytes(), &mut up).map(|()| std::str::from_utf8(&up).expect("ASCII")),
                Generation::Eighteen => None,
            };
            let r = Report {
                input: line,
                number: line,
                upgraded,
                valid: true,
                normalised: &[],
                reasons: &[],
                birth_date: Some(f.birth),
                age: Some(f.birth.age_on(self.today)),
                sex: Some(f.sex),
                holder: Some(f.region.holder()),
                region: Some(f.region),
                warnings: &warnings,
            };
            let res = self.print(&r);
            self.warnings = warnings;
            return res;
        }
        let c = id::check_at(line, self.today);
        self.print(&c.report())
    }
}

/// Runs the subcommand; returns the exit status.
pub fn run(args: Args, lang: Lang) -> i32 {
    let today = args.today.unwrap_or_else(Date::today);
    let stdout = io::stdout().lock();
    let mut p = Printer {
        out: io::BufWriter::with_capacity(1 << 16, stdout),
        json: args.json,
        lang,
        today,
        warnings: Vec::new(),
        any_invalid: false,
    };
    let result = if args.numbers.is_empty() {
        stream(&mut p, lang)
    } else {
        args.numbers.iter().try_for_each(|n| p.line(n))
    };
    let result = result.and_then(|()| p.out.flush());
    match result {
        Ok(()) => i32::from(p.any_invalid),
        // The reader of our output went away (`| head`): stop quietly.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => i32::from(p.any_invalid),
        Err(e) => {
            let msg = match lang {
                Lang::Zh => format!("idcheck: 读写失败：{e}；请检查输入文件和输出位置"),
                Lang::En => format!("idcheck: reading or writing failed: {e}; check the input file and where the output goes"),
            };
            eprintln!("{msg}");
            2
        }
    }
}

/// Reads stdin line by line with one reused buffer.
fn stream<W: Write>(p: &mut Printer<W>, lang: Lang) -> io::Result<()> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        let hint = match lang {
            Lang::Zh => "idcheck: 从标准输入读取号码，每行一个；按 Ctrl-D 结束",
            Lang::En => "idcheck: reading numbers from stdin, one per line; press Ctrl-D to finish",
        };
        eprintln!("{hint}");
    }
    let mut input = io::BufReader::with_capacity(1 << 16, stdin.lock());
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        let mut line: &[u8] = &buf;
        while let [rest @ .., b'\n' | b'\r'] = line {
            line = rest;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(s) => p.line(s)?,
            Err(_) => p.line(&String::from_utf8_lossy(line))?,
        }
    }
}

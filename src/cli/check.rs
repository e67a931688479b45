//! `idcheck check`: validates numbers given as arguments, or streams them from stdin one per
//! line (constant memory, millions of lines).
//!
//! The hot loop reuses one line buffer and one warnings vector and takes the zero-allocation
//! fast path for clean valid lines; only lines that need normalising or fail go through the
//! rich [`idcheck::id::check_at`].
//!
//! Every number checked is recorded in the audit trail (masked + keyed hash) unless
//! `--no-record` is given. A stream's numbers go into chunks of up to 65,536 (one row each, see
//! `idcheck::audit::chunk`), written when full, once the input has been quiet for 200 ms (so an
//! interactive session records each line at once) and at the end.

use super::output;
use super::trail::Trail;
use idcheck::audit::{NumberChunk, Record};
use idcheck::i18n::Lang;
use idcheck::id::{self, describe, fast, validate_fast, Date, Fast, Generation, Report, Warning};
use std::collections::HashMap;
use std::io::{self, BufRead, IsTerminal, Write};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
idcheck check 11010519491231002X\n  \
idcheck check --json < numbers.txt > report.jsonl\n  \
idcheck check --no-record < numbers.txt   (nothing written to the audit trail)\n  \
idcheck check '110101 19900307 1234'\n\n\
Numbers of the 外国人永久居留身份证 (2023 edition: 18 digits beginning with 9; 2017 edition: \
3 letters and 12 digits) are checked by that card's rules and described with their nationality.\n\n\
Input may contain spaces, hyphens, zero-width spaces, full-width digits and a lower-case x; \
they are removed or converted and reported under `normalised`. Blank lines are skipped.\n\
输入可包含空格、连字符、零宽空格、全角数字和小写 x，会被自动规范并在 normalised 中注明；空行跳过。\n\n\
JSON lines hold: input, number, upgraded, valid, normalised, reasons (kind: length | format | \
region | date | checksum, with expected for checksum), birth_date, age, sex, holder, region \
{code, province, city, district, province_code, city_code, abolished, since, until, history}, \
foreign (for a 外国人永久居留身份证 number: {edition, document_zh, document_en, nationality \
{code, alpha3, numeric, zh, en}, province_code, province}; else null), warnings.\n\n\
Every check is recorded in the audit trail (masked number + keyed hash; see `idcheck history`). \
Pipelines that must not write anything pass --no-record. If the trail cannot be opened, a \
warning is printed once and checking goes on.\n\
每次校验都写入审计记录（号码打码并加密散列，见 idcheck history）；不允许写入时加 --no-record。\
审计记录无法打开时只警告一次，校验照常进行。")]
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

    /// Do not record these checks in the audit trail (for pipelines that must not write).
    /// 不写入审计记录。
    #[arg(long)]
    pub no_record: bool,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("'{s}' is not a date: use YYYY-MM-DD / 日期格式应为 YYYY-MM-DD"))
}

/// The warnings of one (region, birth year, generation) and their rendered text.
type WarningText = (Vec<Warning>, Box<[u8]>);

/// What the fast path prints depends only on the region code, birth year and generation
/// (warnings) or the code alone (region JSON): computed once, reused for every such line. The
/// maps are cleared when they grow past a bound, so memory stays constant.
#[derive(Default)]
struct Cache {
    region_json: HashMap<u32, Box<[u8]>>,
    warnings: HashMap<(u32, u16, Generation), WarningText>,
}

const CACHE_BOUND: usize = 1 << 16;

/// Checks per audit write. A stream's clean numbers go into one chunk row of up to this many
/// (see `idcheck::audit::chunk`: a keyed hash, two in a team, and the masked form per number,
/// written in one statement); its other lines, and numbers given as arguments, are ordinary
/// rows, written in one transaction.
const RECORD_CHUNK: usize = idcheck::audit::CHUNK_MAX;
/// An interactive stream is flushed to the trail once the input has been quiet this long (at
/// most this often while it keeps coming).
const RECORD_IDLE: std::time::Duration = std::time::Duration::from_millis(200);

/// The checks waiting to be written to the audit trail.
struct Recorder {
    trail: Trail,
    /// Rows: a stream's lines that are not clean numbers, and every argument.
    pending: Vec<Record>,
    /// Whether clean numbers are gathered into chunks (a stream on stdin).
    chunked: bool,
    /// The chunk being gathered; made with the trail's keys by the first number.
    chunk: Option<NumberChunk>,
    last_flush: std::time::Instant,
}

impl Recorder {
    fn new(trail: Trail, chunked: bool) -> Recorder {
        Recorder { trail, pending: Vec::new(), chunked, chunk: None, last_flush: std::time::Instant::now() }
    }

    /// Records the local validation of `number` (normalised); `record` builds its row when it
    /// does not go into a chunk. No allocation for a clean number of a stream.
    fn number(&mut self, number: &[u8], valid: bool, record: impl FnOnce() -> Record) {
        if !self.trail.is_on() {
            return;
        }
        if self.chunked {
            if self.chunk.is_none() {
                self.chunk = self.trail.chunk();
            }
            match &mut self.chunk {
                Some(c) => {
                    if c.push(number, valid) {
                        if c.len() >= RECORD_CHUNK {
                            self.flush();
                        }
                        return;
                    }
                }
                // The trail could not be opened (already warned).
                None => return,
            }
        }
        self.pending.push(record());
        if self.pending.len() >= RECORD_CHUNK {
            self.flush();
        }
    }

    fn waiting(&self) -> usize {
        self.pending.len() + self.chunk.as_ref().map_or(0, NumberChunk::len)
    }

    fn flush(&mut self) {
        self.trail.record_many(&mut self.pending);
        if let Some(c) = &mut self.chunk {
            self.trail.write_chunk(c);
        }
        self.last_flush = std::time::Instant::now();
    }

    /// Called before the input may block: writes what is waiting once no more input comes
    /// within [`RECORD_IDLE`] of the last write (`input_within` waits for input up to the time
    /// given and says whether some came).
    fn idle(&mut self, input_within: impl FnOnce(std::time::Duration) -> bool) {
        if self.waiting() == 0 {
            return;
        }
        let wait = RECORD_IDLE.saturating_sub(self.last_flush.elapsed());
        if wait.is_zero() || !input_within(wait) {
            self.flush();
        }
    }
}

/// Whether stdin has something to read (or has ended) within `wait`.
#[cfg(target_os = "linux")]
fn input_within(wait: std::time::Duration) -> bool {
    let mut fd = libc::pollfd { fd: 0, events: libc::POLLIN, revents: 0 };
    let ms = wait.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd for the duration of the call.
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    // An error (a signal) counts as input: the caller then keeps waiting in its read.
    n != 0
}

/// Elsewhere: as if input always came, so a stream is written when it is [`RECORD_IDLE`] old
/// at the moment the input runs dry.
#[cfg(not(target_os = "linux"))]
fn input_within(_wait: std::time::Duration) -> bool {
    true
}

struct Printer<W: Write> {
    out: W,
    json: bool,
    lang: Lang,
    today: Date,
    cache: Cache,
    any_invalid: bool,
    /// `None`: not recording (`--no-record`, or the trail failed).
    recorder: Option<Recorder>,
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
        match validate_fast(line.as_bytes(), self.today) {
            Ok(f) => {
                if let Some(r) = &mut self.recorder {
                    r.number(line.as_bytes(), true, || Record::local_number(line, true));
                }
                self.fast(line, &f)
            }
            Err(_) => {
                let c = id::check_at(line, self.today);
                if let Some(r) = &mut self.recorder {
                    r.number(c.number().as_bytes(), c.is_valid(), || Record::local(&c));
                }
                self.print(&c.report())
            }
        }
    }

    /// Writes pending records; stops recording once the trail has failed.
    fn flush_records(&mut self) {
        if let Some(r) = &mut self.recorder {
            r.flush();
            if !r.trail.is_on() {
                self.recorder = None;
            }
        }
    }

    /// A clean valid line: the same output as [`Printer::print`] of its `Checked`, without
    /// allocating once the caches are warm.
    fn fast(&mut self, line: &str, f: &Fast) -> io::Result<()> {
        let key = (f.region.code(), f.birth.year(), f.generation);
        if self.cache.warnings.len() >= CACHE_BOUND {
            self.cache.warnings.clear();
        }
        let (warnings, warnings_json) = self.cache.warnings.entry(key).or_insert_with(|| {
            let mut w = Vec::new();
            describe(f, &mut w);
            let json = serde_json::to_vec(&w).expect("warnings serialise").into_boxed_slice();
            (w, json)
        });
        let mut up = [0u8; 18];
        let upgraded = match f.generation {
            Generation::Fifteen => fast::upgrade_into(line.as_bytes(), &mut up).map(|()| std::str::from_utf8(&up).expect("ASCII")),
            Generation::Eighteen => None,
        };
        let age = f.birth.age_on(self.today);
        if !self.json {
            let r = Report {
                input: line,
                number: line,
                upgraded,
                valid: true,
                normalised: &[],
                reasons: &[],
                birth_date: Some(f.birth),
                age: Some(age),
                sex: Some(f.sex),
                holder: Some(f.region.holder()),
                region: Some(f.region),
                foreign: None,
                warnings,
            };
            return output::human(&mut self.out, &r, self.lang);
        }
        if self.cache.region_json.len() >= CACHE_BOUND {
            self.cache.region_json.clear();
        }
        let region_json =
            self.cache.region_json.entry(f.region.code()).or_insert_with(|| serde_json::to_vec(&f.region).expect("region serialises").into_boxed_slice());
        // `line` is canonical ASCII (digits and X): no escaping needed. The field order is that
        // of `Report`; a test compares this with serde's output.
        let o = &mut self.out;
        o.write_all(b"{\"input\":\"")?;
        o.write_all(line.as_bytes())?;
        o.write_all(b"\",\"number\":\"")?;
        o.write_all(line.as_bytes())?;
        o.write_all(b"\",\"upgraded\":")?;
        match upgraded {
            Some(u) => write!(o, "\"{u}\"")?,
            None => o.write_all(b"null")?,
        }
        o.write_all(b",\"valid\":true,\"normalised\":[],\"reasons\":[],\"birth_date\":\"")?;
        let mut date = [0u8; 10];
        o.write_all(f.birth.write_iso(&mut date).as_bytes())?;
        write!(o, "\",\"age\":{age},\"sex\":\"{}\",\"holder\":\"{}\",\"region\":", f.sex.as_str(), f.region.holder().as_str())?;
        o.write_all(region_json)?;
        o.write_all(b",\"foreign\":null,\"warnings\":")?;
        o.write_all(warnings_json)?;
        o.write_all(b"}\n")
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
        cache: Cache::default(),
        any_invalid: false,
        recorder: (!args.no_record).then(|| Recorder::new(Trail::new(true, None, lang), args.numbers.is_empty())),
    };
    let result = if args.numbers.is_empty() { stream(&mut p, lang) } else { args.numbers.iter().try_for_each(|n| p.line(n)) };
    let result = result.and_then(|()| p.out.flush());
    p.flush_records();
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
        if input.buffer().is_empty() {
            // The next read may wait for the writer: record what is done so far first.
            if let Some(r) = &mut p.recorder {
                r.idle(input_within);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(json: bool, lines: &[&str]) -> String {
        let mut p = Printer {
            out: Vec::new(),
            json,
            lang: Lang::En,
            today: Date::new(2026, 6, 1).unwrap(),
            cache: Cache::default(),
            any_invalid: false,
            recorder: None,
        };
        for l in lines {
            p.line(l).unwrap();
        }
        String::from_utf8(p.out).unwrap()
    }

    /// The hand-written fast JSON is byte for byte what serde makes of `Checked`.
    #[test]
    fn fast_json_equals_serde_json() {
        let today = Date::new(2026, 6, 1).unwrap();
        let numbers = [
            "11010519491231002X",
            "110101900307123",
            "110101900307124",
            "810000199003071231",
            "820000199003071238",
            "830000199003071234",
            "420602199001011237",
            "420602199001011237",
            "362324198001011234",
            "500154199301011234",
            "110103199001011234",
            "110103201501011234",
            "429004199001011234",
            "441900199001011234",
            " 11010519491231002x",
            "1101",
        ];
        for n in numbers {
            // Use the right check character where the list's is a placeholder.
            let c = id::check_at(n, today);
            let n = if c.reasons.iter().any(|r| r.expected.is_some()) && n.len() == 18 {
                format!("{}{}", &n[..17], c.reasons[0].expected.unwrap())
            } else {
                n.to_string()
            };
            let expected = serde_json::to_string(&id::check_at(&n, today)).unwrap() + "\n";
            // Twice: cold and warm caches.
            assert_eq!(printed(true, &[&n, &n]), expected.repeat(2), "{n}");
            let mut human = Vec::new();
            output::human(&mut human, &id::check_at(&n, today).report(), Lang::En).unwrap();
            assert_eq!(printed(false, &[&n]), String::from_utf8(human).unwrap(), "{n}");
        }
    }
}

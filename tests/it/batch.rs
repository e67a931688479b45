//! Batch checks: local validation before any paid call, pacing at the vendor's QPS,
//! cancellation, resume after an interruption without paying twice, and result exports that
//! open in a spreadsheet.

use idcheck::audit::{Filter, Kind, Outcome, StaticKey, Store};
use idcheck::batch::{self, export, Event, Runner, Status};
use idcheck::i18n::Msg;
use idcheck::providers::{ErrorKind, ProviderError, Verdict};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A valid number (check digit computed) for sequence `seq` born 1949-12-31 in 110105.
fn number(seq: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first = format!("11010519491231{:03}", seq % 1000);
    let sum: u32 = first.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    format!("{first}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

fn names() -> Vec<String> {
    ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑一", "冯二"].iter().map(|s| s.to_string()).collect()
}

/// A CSV of `n` valid rows plus, when `with_invalid`, two invalid ones at lines 3 and 6.
fn write_csv(dir: &Path, n: u32, with_invalid: bool) -> (std::path::PathBuf, Vec<String>) {
    let mut text = String::from("\u{feff}序号,姓名,身份证号,备注\n");
    let mut numbers = Vec::new();
    let names = names();
    for i in 0..n {
        if with_invalid && (i == 1 || i == 4) {
            text.push_str(&format!("{i},{},110105194912310021,坏号\n", names[i as usize % names.len()]));
        }
        let num = number(i + 1);
        text.push_str(&format!("{i},{}{},{num},\n", names[i as usize % names.len()], i));
        numbers.push(num);
    }
    let p = dir.join("people.csv");
    std::fs::write(&p, text).unwrap();
    (p, numbers)
}

fn open(dir: &Path) -> Arc<Store> {
    Arc::new(Store::open(&dir.join("config"), &StaticKey::new(vec![3u8; 32])).unwrap())
}

type Reply = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Verdict, ProviderError>> + Send>>;

/// The callee side: counts calls per number and records when each arrived.
#[derive(Default, Clone)]
struct Callee {
    calls: Arc<Mutex<HashMap<String, u32>>>,
    times: Arc<Mutex<Vec<Instant>>>,
}

impl Callee {
    async fn answer(&self, number: &str, delay: Duration) -> Result<Verdict, ProviderError> {
        self.times.lock().unwrap().push(Instant::now());
        *self.calls.lock().unwrap().entry(number.to_string()).or_default() += 1;
        tokio::time::sleep(delay).await;
        let last = number.as_bytes()[16];
        match last % 3 {
            0 => Ok(Verdict::Match),
            1 => Ok(Verdict::Mismatch),
            _ => Ok(Verdict::NoRecord),
        }
    }
    /// The runner's call: every number answered by this callee after `delay`.
    fn replier(&self, delay: Duration) -> impl Fn(batch::Call) -> Reply + Send + Sync {
        let c = self.clone();
        move |call| {
            let c = c.clone();
            Box::pin(async move { c.answer(call.number.expose(), delay).await })
        }
    }
    fn total(&self) -> u32 {
        self.calls.lock().unwrap().values().sum()
    }
    fn max_per_number(&self) -> u32 {
        self.calls.lock().unwrap().values().copied().max().unwrap_or(0)
    }
}

#[tokio::test]
async fn invalid_rows_are_reported_and_never_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, numbers) = write_csv(dir.path(), 6, true);
    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert_eq!(plan.rows.len(), 8);
    assert_eq!(plan.count(Status::Invalid), 2);
    assert_eq!(plan.to_send(), 6);
    let invalid_lines: Vec<_> = plan.rows.iter().zip(&plan.results).filter(|(_, r)| r.status == Status::Invalid).map(|(r, _)| r.source.clone()).collect();
    assert_eq!(invalid_lines, [batch::Source::Line(3), batch::Source::Line(7)]);

    // No consent: nothing is sent.
    let callee = Callee::default();
    let err = runner.run(&mut plan, false, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap_err();
    assert!(err.message().zh.contains("同意"));
    assert_eq!(callee.total(), 0);

    let summary = runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    assert_eq!(callee.total(), 6);
    assert!(numbers.iter().all(|n| callee.calls.lock().unwrap()[n] == 1));
    assert_eq!(summary.invalid, 2);
    assert_eq!(summary.matched + summary.mismatched + summary.no_record, 6);
    assert!(summary.any_failed());

    // The audit trail: 8 local validations (6 valid, 2 invalid) and 6 two-factor checks with consent.
    let batch_filter = |kind| Filter { batch_id: Some(plan.batch_id.clone()), kind: Some(kind), ..Default::default() };
    let locals = store.query(&batch_filter(Kind::Local)).unwrap();
    assert_eq!(locals.len(), 8);
    assert_eq!(locals.iter().filter(|e| e.outcome == Outcome::Invalid).count(), 2);
    let paid = store.query(&batch_filter(Kind::TwoFactor)).unwrap();
    assert_eq!(paid.len(), 6);
    assert!(paid.iter().all(|e| e.consent && e.provider == "apizero"));

    // The stored batch, as a reviewer's batch view lists it: counts and masked rows.
    let listed = batch::list(&store, 10).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].total, listed[0].finished, listed[0].consent), (8, true, true));
    assert_eq!(listed[0].counts["invalid"], 2);
    assert_eq!(listed[0].counts["done"], 6);
    let stored = batch::rows(&store, &plan.batch_id).unwrap();
    assert_eq!(stored.len(), 8);
    assert_eq!(stored[1].result.status, Status::Invalid);
    assert_eq!(stored[0].number_masked.as_deref(), Some(idcheck::mask::number(&numbers[0]).as_str()));
    assert_eq!(stored[0].name_masked.as_deref(), Some("张*"));
    assert_eq!(stored[0].result.verdict, plan.results[0].verdict);

    // A finished batch is not resumed: the same input starts a new batch, told about the
    // earlier one, whose answers it carries over without sending anything.
    let again = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert!(!again.resumed);
    assert_ne!(again.batch_id, plan.batch_id);
    assert_eq!(again.previous.as_deref(), Some(plan.batch_id.as_str()));
    assert_eq!((again.to_send(), again.reused(), again.count(Status::Invalid)), (0, 6, 2));
}

#[tokio::test]
async fn qps_is_respected_at_the_callee() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = write_csv(dir.path(), 20, false);
    let store = open(dir.path());
    let qps = 5.0;
    let runner = Runner::new(store, "apizero", qps);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    let callee = Callee::default();
    let c = callee.clone();
    let progress = Arc::new(Mutex::new(Vec::new()));
    let p = progress.clone();
    let started = Instant::now();
    runner
        .run(
            &mut plan,
            true,
            &CancellationToken::new(),
            move |ev| {
                if let Event::Progress(pr) = ev {
                    p.lock().unwrap().push(*pr);
                }
            },
            move |call| {
                let c = c.clone();
                // Slow answers: several requests are in flight at once.
                async move { c.answer(call.number.expose(), Duration::from_millis(600)).await }
            },
        )
        .await
        .unwrap();
    let elapsed = started.elapsed();
    let times = callee.times.lock().unwrap().clone();
    assert_eq!(times.len(), 20);
    // In any one-second window the callee sees at most QPS requests (+1 for window edges and
    // timer jitter).
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..].iter().filter(|u| u.duration_since(*t) < Duration::from_secs(1)).count();
        assert!(in_window <= qps as usize + 1, "{in_window} requests within 1 s of request {i}");
    }
    // 20 starts at 5/s take at least 19 intervals; and the run does not take much longer than
    // N / QPS plus one answer's latency.
    assert!(elapsed >= Duration::from_millis(3600), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(4000 + 600 + 1500), "{elapsed:?}");
    let progress = progress.lock().unwrap();
    assert_eq!(progress.len(), 20);
    let last = progress.last().unwrap();
    assert_eq!((last.done, last.total), (20, 20));
    assert!(last.rate > 3.0 && last.rate <= 6.0, "rate {}", last.rate);
    assert!(progress[5].eta.unwrap() > Duration::from_secs(1));
}

#[tokio::test]
async fn cancel_stops_sending_and_a_later_run_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, numbers) = write_csv(dir.path(), 10, false);
    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "apizero", 20.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    let callee = Callee::default();
    let cancel = CancellationToken::new();
    let (c, k) = (callee.clone(), cancel.clone());
    let summary = runner
        .run(
            &mut plan,
            true,
            &cancel,
            move |ev| {
                if let Event::Progress(p) = ev {
                    if p.done == 3 {
                        k.cancel();
                    }
                }
            },
            move |call| {
                let c = c.clone();
                async move { c.answer(call.number.expose(), Duration::from_millis(20)).await }
            },
        )
        .await
        .unwrap();
    let sent = callee.total() as usize;
    assert!((3..10).contains(&sent), "sent {sent}");
    assert_eq!(summary.pending, 10 - sent);
    assert_eq!(summary.unknown, 0, "rows in flight finished before the run returned");

    let runner = Runner::new(store, "apizero", 20.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert!(plan.resumed);
    assert_eq!(plan.to_send(), 10 - sent);
    let summary = runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    assert_eq!(callee.total(), 10);
    assert_eq!(callee.max_per_number(), 1);
    assert!(numbers.iter().all(|n| callee.calls.lock().unwrap().contains_key(n)));
    assert!(!summary.any_failed());
}

/// An interruption in the middle of paid calls (the run's future dropped, as when the process
/// is killed): rows in flight are left "sending" and come back as "unknown", never re-sent.
#[tokio::test]
async fn resume_after_a_kill_never_pays_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = write_csv(dir.path(), 12, true);
    let callee = Callee::default();
    {
        let store = open(dir.path());
        let runner = Runner::new(store, "muzhiyun", 4.0);
        let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
        let c = callee.clone();
        let never = CancellationToken::new();
        let run = runner.run(
            &mut plan,
            true,
            &never,
            |_| {},
            move |call| {
                let c = c.clone();
                async move { c.answer(call.number.expose(), Duration::from_millis(800)).await }
            },
        );
        // Killed after ~1.5 s: some rows answered, some in flight, most not started.
        assert!(tokio::time::timeout(Duration::from_millis(1500), run).await.is_err());
    }
    let first = callee.total();
    assert!((2..12).contains(&first), "first run sent {first}");

    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "muzhiyun", 50.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert!(plan.resumed);
    let unknown = plan.count(Status::Unknown);
    let done = plan.count(Status::Done);
    assert!(unknown >= 1, "rows in flight at the kill are unknown");
    assert_eq!(unknown + done, first as usize);
    assert_eq!(plan.count(Status::Invalid), 2);
    let msg: &Msg = plan.results.iter().find(|r| r.status == Status::Unknown).unwrap().message.as_ref().unwrap();
    assert!(msg.en.contains("check it manually"));

    let summary = runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    assert_eq!(callee.total(), 12, "every valid row paid exactly once in total");
    assert_eq!(callee.max_per_number(), 1);
    assert_eq!(summary.unknown, unknown);
    assert_eq!(summary.invalid, 2);
    assert!(summary.any_failed());

    // Running the same input again starts a new batch, and the face is told the input was
    // already checked; nothing is sent again, the rows left unknown included.
    let mut plan3 = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert!(!plan3.resumed, "a finished batch is not resumed");
    assert_eq!(plan3.previous.as_deref(), Some(plan.batch_id.as_str()), "the face is told it was checked before");
    assert_eq!(plan3.to_send(), 0);
    assert_eq!(plan3.count(Status::Unknown), unknown);
    runner.run(&mut plan3, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    assert_eq!(callee.total(), 12);
}

#[tokio::test]
async fn failures_before_billing_are_retried_on_resume_others_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, numbers) = write_csv(dir.path(), 4, false);
    let store = open(dir.path());
    // One request at a time, so the run can be stopped after exactly two answers.
    let runner = Runner::new(store.clone(), "apizero", 2.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    let callee = Callee::default();
    let fail =
        |kind| ProviderError::new("apizero", kind).with_message(Msg::new("出错", "failed")).with_code("x").with_request_id(Some("r1".into())).with_status(500);
    let (n0, n1) = (numbers[0].clone(), numbers[1].clone());
    let answer = move |c: Callee, n: String| {
        let (n0, n1) = (n0.clone(), n1.clone());
        async move {
            let v = c.answer(&n, Duration::ZERO).await;
            if n == n0 {
                Err(fail(ErrorKind::Network))
            } else if n == n1 {
                Err(fail(ErrorKind::Upstream))
            } else {
                v
            }
        }
    };
    let cancel = CancellationToken::new();
    let (c, k, a) = (callee.clone(), cancel.clone(), answer.clone());
    let summary = runner
        .run(
            &mut plan,
            true,
            &cancel,
            move |ev| {
                if matches!(ev, Event::Progress(p) if p.done == 2) {
                    k.cancel();
                }
            },
            move |call| a(c.clone(), call.number.expose().clone()),
        )
        .await
        .unwrap();
    assert_eq!(summary.failed, 2, "{summary:?}");
    assert_eq!(summary.pending, 2);
    let failed = plan.results.iter().find(|r| r.status == Status::Failed).unwrap();
    assert_eq!(failed.error.as_ref().unwrap().request_id.as_deref(), Some("r1"));

    // On resume the network failure (the request never reached the vendor) is sent again;
    // the upstream failure (it may have been billed) is kept as it is.
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert!(plan.resumed);
    assert_eq!(plan.to_send(), 3);
    let c = callee.clone();
    let summary = runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, move |call| answer(c.clone(), call.number.expose().clone())).await.unwrap();
    let calls = callee.calls.lock().unwrap().clone();
    assert_eq!(calls[&numbers[0]], 2);
    assert_eq!(calls[&numbers[1]], 1);
    assert_eq!(calls[&numbers[2]], 1);
    assert_eq!(calls[&numbers[3]], 1);
    assert_eq!(summary.failed, 2, "the network failure failed again; the upstream one is kept");
}

#[tokio::test]
async fn exports_open_in_a_spreadsheet_masked_unless_revealed() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let (csv, numbers) = write_csv(dir.path(), 5, true);
    let store = open(dir.path());
    let runner = Runner::new(store, "apizero", 50.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    let callee = Callee::default();
    runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();

    let masked = export::lines(&plan, false);
    let xlsx = dir.path().join("result.xlsx");
    export::write(&xlsx, export::Format::from_path(&xlsx), &masked).unwrap();
    let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    o => o.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 1 + 7);
    assert!(rows[0][3].starts_with("身份证号"));
    assert_eq!(rows[1][3], idcheck::mask::number(&numbers[0]));
    assert_eq!(rows[1][2], "张*");
    assert!(rows[2][4].contains("本地校验不通过"), "{:?}", rows[2]);
    for r in &rows {
        for n in &numbers {
            assert!(!r.contains(n));
        }
    }

    let out = dir.path().join("result.csv");
    export::write(&out, export::Format::Csv, &export::lines(&plan, true)).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    // calamine reads CSV too? No: read it back with the csv crate, as Excel would parse it.
    let mut rd = csv::Reader::from_reader(&bytes[3..]);
    let back: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(back.len(), 7);
    assert_eq!(&back[0][3], numbers[0].as_str(), "revealed on request");
    assert_eq!(&back[0][2], "张三0");

    let out = dir.path().join("result.jsonl");
    export::write(&out, export::Format::from_path(&out), &masked).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["row"], 1);
    assert_eq!(first["status"], "done");
    assert_eq!(text.lines().count(), 7);
}

#[tokio::test]
async fn xlsx_input_with_number_cells_and_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("in.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["部门", "Name", "ID Card", "电话"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 1, "张三").unwrap();
    ws.write_string(1, 2, number(1)).unwrap();
    ws.write_string(2, 1, "李四").unwrap();
    ws.write_number(2, 2, 110105194912310000.0).unwrap();
    ws.write_number(2, 3, 13800000000.0).unwrap();
    wb.save(&p).unwrap();
    let input = batch::load(&p).unwrap();
    assert_eq!(input.rows.len(), 2);
    assert_eq!(input.rows[0].number.expose(), &number(1));
    assert_eq!(input.rows[1].name.expose(), "李四");
    let runner = Runner::new(open(dir.path()), "apizero", 10.0);
    let plan = runner.prepare(input).unwrap();
    assert_eq!(plan.count(Status::Pending), 1);
    assert_eq!(plan.count(Status::Invalid), 1, "a number damaged by a numeric cell fails validation");
}

#[tokio::test]
async fn database_holds_no_full_number_or_name_after_a_batch() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, numbers) = write_csv(dir.path(), 5, false);
    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, |_call| async { Ok(Verdict::Match) }).await.unwrap();
    let mut files = 0;
    for e in std::fs::read_dir(dir.path().join("config")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        files += 1;
        for needle in numbers.iter().map(String::as_str).chain(["张三0", "李四1"]) {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "found {needle}");
        }
    }
    assert!(files >= 2, "database and WAL scanned");
}

/// The desktop shell spawns the run on its runtime: the future must be `Send` and the store
/// shareable across threads.
#[tokio::test]
async fn a_run_can_be_spawned() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = write_csv(dir.path(), 3, false);
    let store = open(dir.path());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let handle = tokio::spawn(async move {
        let runner = Runner::new(store, "apizero", 100.0);
        let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
        let cancel = CancellationToken::new();
        let summary = runner
            .run(
                &mut plan,
                true,
                &cancel,
                move |ev| {
                    let _ = tx.send(ev.clone());
                },
                |_call| async { Ok(Verdict::NoRecord) },
            )
            .await
            .unwrap();
        summary
    });
    let summary = handle.await.unwrap();
    assert_eq!(summary.no_record, 3);
    let mut events = Vec::new();
    while let Some(ev) = rx.recv().await {
        events.push(ev);
    }
    assert!(matches!(events[0], Event::Started { to_send: 3 }));
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Row { .. })).count(), 3);
    let json = serde_json::to_value(&events[1]).unwrap();
    assert!(json["event"].is_string(), "events serialise for the web view: {json}");
}

/// `idcheck batch` against the fake apizero over real HTTP: invalid rows reported without a
/// call, every valid row paid once, a second run pays for nothing (answers reused), `--again`
/// pays again, exit status 1 when a row is invalid. Needs a Secret Service for the audit key (run inside dbus-run-session).
#[test]
fn batch_command_against_the_fake() {
    use idcheck_fake::{Endpoint, FakeConfig, FakeServices, IDENTITIES};
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("skipped: no D-Bus session (run inside dbus-run-session with gnome-keyring)");
        return;
    }
    let fake = FakeServices::start_background(FakeConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("姓名,身份证号\n");
    for i in IDENTITIES {
        csv.push_str(&format!("{},{}\n", i.name, i.number));
    }
    csv.push_str("坏号,110105194912310021\n");
    let input = dir.path().join("in.csv");
    std::fs::write(&input, csv).unwrap();
    let out = dir.path().join("out.xlsx");
    let run = |extra: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_idcheck"));
        c.args(["--lang", "en", "batch", "--provider", "apizero", "--consent", "--out"])
            .arg(&out)
            .arg(&input)
            .args(extra)
            .env("IDCHECK_CONFIG_DIR", dir.path().join("cfg"));
        for (k, v) in fake.env_exports() {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let (code, err) = run(&[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("1 rows failed local validation"), "{err}");
    assert_eq!(fake.calls(Endpoint::Apizero2c), IDENTITIES.len());
    for i in IDENTITIES {
        assert!(!err.contains(i.number) && !err.contains(i.name), "stderr is masked: {err}");
    }
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.height(), 1 + IDENTITIES.len() + 1);
    let cell = |r: usize, c: usize| range.get((r, c)).map(|d| d.to_string()).unwrap_or_default();
    assert!(cell(1, 5).contains("match"), "{}", cell(1, 5));
    assert!(cell(IDENTITIES.len() + 1, 4).contains("invalid"));

    let (code, err) = run(&[]);
    assert_eq!(code, Some(1), "the invalid row again: {err}");
    assert!(err.contains("reused") && err.contains("--again"), "{err}");
    assert_eq!(fake.calls(Endpoint::Apizero2c), IDENTITIES.len(), "nothing paid again");
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert!(range.get((1, 5)).unwrap().to_string().contains("match"), "the earlier verdict is kept");
    assert!(range.get((1, 9)).unwrap().to_string().contains("not paid again"));

    let (code, err) = run(&["--again"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(fake.calls(Endpoint::Apizero2c), 2 * IDENTITIES.len(), "--again pays again");
}

// ---- The ledger: no batch pays twice, whatever happens between runs. ----

/// `names()[i % 10]` + `i`, as `write_csv` writes them.
fn name_of(i: usize) -> String {
    format!("{}{i}", names()[i % names().len()])
}

/// The rows of `write_csv(dir, n, false)` saved again by another program: CRLF line endings,
/// the columns in another order with one more, a lower-case check character.
fn resave_csv(dir: &Path, numbers: &[String]) -> std::path::PathBuf {
    let mut text = String::from("身份证号,部门,姓名\r\n");
    for (i, n) in numbers.iter().enumerate() {
        text.push_str(&format!("{},前台,{}\r\n", n.to_ascii_lowercase(), name_of(i)));
    }
    let p = dir.join("people-resaved.csv");
    std::fs::write(&p, text).unwrap();
    p
}

async fn run_all(runner: &Runner, csv: &Path, callee: &Callee) -> batch::Plan {
    let mut plan = runner.prepare(batch::load(csv).unwrap()).unwrap();
    runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    plan
}

fn all_finished(store: &Store) -> bool {
    batch::list(store, 100).unwrap().iter().all(|b| b.finished)
}

#[tokio::test]
async fn the_same_table_run_three_times_pays_once() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, numbers) = write_csv(dir.path(), 5, true);
    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let callee = Callee::default();
    let first = run_all(&runner, &csv, &callee).await;
    assert_eq!(callee.total(), 5);
    for _ in 0..2 {
        let plan = run_all(&runner, &csv, &callee).await;
        assert_eq!(callee.total(), 5, "nothing paid again");
        assert_eq!((plan.reused(), plan.count(Status::Done), plan.count(Status::Invalid)), (5, 5, 2));
        for (i, (row, res)) in plan.rows.iter().zip(&plan.results).enumerate() {
            if res.status == Status::Done {
                assert_eq!(res.verdict, first.results[i].verdict, "the earlier verdict of row {}", row.index);
                assert_eq!(res.reused_from.as_deref(), Some(first.batch_id.as_str()), "the batch that paid, not the one that reused");
                assert!(res.message.as_ref().unwrap().en.contains("not paid again"));
            }
        }
        // Stored so the batch views and exports say it.
        let stored = batch::rows(&store, &plan.batch_id).unwrap();
        assert_eq!(stored.iter().filter(|r| r.result.reused_from.as_deref() == Some(first.batch_id.as_str())).count(), 5);
        let lines = export::lines(&plan, false);
        assert!(lines.iter().filter(|l| l.reused_from.is_some()).all(|l| l.message_zh.as_deref().unwrap().contains("未再次计费")));
    }
    assert_eq!(callee.max_per_number(), 1);
    assert!(numbers.iter().all(|n| callee.calls.lock().unwrap()[n] == 1));
    assert_eq!(batch::list(&store, 10).unwrap().len(), 3);
    assert!(all_finished(&store));
}

/// A face that refuses to run (or a clerk who closes the window) after `prepare` leaves no
/// batch that a later run would take for an interrupted one and pay for.
#[tokio::test]
async fn a_refused_rerun_leaves_no_open_batch() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = write_csv(dir.path(), 4, false);
    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let callee = Callee::default();
    run_all(&runner, &csv, &callee).await;
    // Refused: prepared, never run.
    let refused = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert_eq!(refused.to_send(), 0);
    assert!(all_finished(&store), "{:?}", batch::list(&store, 10).unwrap());
    // The next run starts afresh and pays nothing.
    let plan = run_all(&runner, &csv, &callee).await;
    assert!(!plan.resumed);
    assert_eq!(callee.total(), 4);
    assert!(all_finished(&store));
}

#[tokio::test]
async fn a_table_saved_again_with_other_bytes_pays_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, numbers) = write_csv(dir.path(), 6, false);
    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let callee = Callee::default();
    let first = run_all(&runner, &csv, &callee).await;
    assert_eq!(callee.total(), 6);
    let resaved = resave_csv(dir.path(), &numbers);
    assert_ne!(std::fs::read(&resaved).unwrap(), std::fs::read(&csv).unwrap());
    let plan = run_all(&runner, &resaved, &callee).await;
    assert!(!plan.resumed);
    assert_eq!(plan.previous, None, "other bytes: not the same input");
    assert_eq!(callee.total(), 6, "the same rows are not paid again");
    assert_eq!(plan.reused(), 6);
    let verdicts = |p: &batch::Plan| p.results.iter().map(|r| r.verdict).collect::<Vec<_>>();
    assert_eq!(verdicts(&plan), verdicts(&first));

    // Another provider is another bill: its rows are sent.
    let other = Runner::new(store.clone(), "nowapi", 50.0);
    run_all(&other, &resaved, &callee).await;
    assert_eq!(callee.total(), 12);
    // A name that differs is another check.
    let mut text = std::fs::read_to_string(&resaved).unwrap();
    text = text.replacen(&name_of(0), "张三丰", 1);
    std::fs::write(&resaved, text).unwrap();
    run_all(&runner, &resaved, &callee).await;
    assert_eq!(callee.total(), 13);
    assert_eq!(callee.calls.lock().unwrap()[&numbers[0]], 3);
}

/// The process dies while rows are in flight (their calls never return; the run's future is
/// dropped); the same rows then come back in a table saved again. The rows in flight may have
/// been billed: they are unknown, never sent again; the rest are sent once.
#[tokio::test]
async fn rows_in_flight_at_a_crash_are_not_sent_again_from_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, numbers) = write_csv(dir.path(), 8, false);
    let callee = Callee::default();
    let first_id;
    {
        let store = open(dir.path());
        // 4 per second, so at most 4 in flight: the rest are not started when it dies.
        let runner = Runner::new(store, "apizero", 4.0);
        let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
        first_id = plan.batch_id.clone();
        let c = callee.clone();
        let never = CancellationToken::new();
        let run = runner.run(
            &mut plan,
            true,
            &never,
            |_| {},
            move |call| {
                *c.calls.lock().unwrap().entry(call.number.expose().clone()).or_default() += 1;
                std::future::pending::<Result<Verdict, ProviderError>>()
            },
        );
        assert!(tokio::time::timeout(Duration::from_millis(1500), run).await.is_err());
    }
    let in_flight: Vec<String> = callee.calls.lock().unwrap().keys().cloned().collect();
    assert_eq!(in_flight.len(), 4, "rows in flight when it died");

    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let resaved = resave_csv(dir.path(), &numbers);
    let plan = run_all(&runner, &resaved, &callee).await;
    assert!(!plan.resumed, "another file: a new batch");
    assert_eq!(callee.total(), 8, "only the rows never sent are sent");
    assert_eq!(callee.max_per_number(), 1);
    for (row, res) in plan.rows.iter().zip(&plan.results) {
        if in_flight.contains(&row.number.expose().to_ascii_uppercase()) {
            assert_eq!(res.status, Status::Unknown, "row {}", row.index);
            assert_eq!(res.reused_from.as_deref(), Some(first_id.as_str()));
            assert!(res.message.as_ref().unwrap().en.contains("check it manually"));
        } else {
            assert_eq!(res.status, Status::Done);
        }
    }
    // The first file again: its interrupted batch resumes and has nothing left to pay for.
    let plan = run_all(&runner, &csv, &callee).await;
    assert!(plan.resumed);
    assert_eq!(plan.batch_id, first_id);
    assert_eq!((plan.count(Status::Unknown), plan.count(Status::Done)), (4, 4));
    assert_eq!(callee.total(), 8);
    assert!(all_finished(&store));
}

/// `again` pays again, on purpose: at `prepare` ([`Runner::again`]) or after it
/// ([`Runner::send_again`], what the window's tick does).
#[tokio::test]
async fn again_pays_again() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, numbers) = write_csv(dir.path(), 3, false);
    let store = open(dir.path());
    let callee = Callee::default();
    run_all(&Runner::new(store.clone(), "apizero", 50.0), &csv, &callee).await;
    let plan = run_all(&Runner::new(store.clone(), "apizero", 50.0).again(true), &csv, &callee).await;
    assert_eq!(plan.reused(), 0);
    assert_eq!(callee.total(), 6);

    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert_eq!((plan.to_send(), plan.reused()), (0, 3));
    assert_eq!(runner.send_again(&mut plan).unwrap(), 3);
    assert_eq!((plan.to_send(), plan.reused()), (3, 0));
    runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    assert!(numbers.iter().all(|n| callee.calls.lock().unwrap()[n] == 3));
    assert!(batch::rows(&store, &plan.batch_id).unwrap().iter().all(|r| r.result.status == Status::Done && r.result.reused_from.is_none()));
    assert!(all_finished(&store));
}

/// The same photos read again, one of them differently (another name): not sent again.
#[tokio::test]
async fn the_same_photo_read_differently_is_not_paid_again() {
    use idcheck::card::CardFields;
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    std::fs::write(photos.join("a.jpg"), b"\xFF\xD8 the first card").unwrap();
    std::fs::write(photos.join("b.jpg"), b"\xFF\xD8 the second card").unwrap();
    let store = open(dir.path());
    let reads = Arc::new(Mutex::new(0u32));
    let read = |store: Arc<Store>| {
        let reads = reads.clone();
        let photos = photos.clone();
        async move {
            let n = {
                let mut r = reads.lock().unwrap();
                *r += 1;
                *r
            };
            let input = batch::load(&photos).unwrap();
            batch::read_images(&store, "local", None, input, move |path| {
                let first = path.file_name().unwrap() == "a.jpg";
                async move {
                    let (name, seq) = match (first, n) {
                        (true, 1) => ("张三", 1),
                        // The second reading of the first photo gets a character wrong.
                        (true, _) => ("张叁", 1),
                        (false, _) => ("李四", 2),
                    };
                    Ok(CardFields { name: Some(name.into()), number: Some(number(seq)), ..Default::default() })
                }
            })
            .await
        }
    };
    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let callee = Callee::default();
    let input = read(store.clone()).await;
    assert!(input.rows.iter().all(|r| r.photo_digest.is_some()));
    let mut plan = runner.prepare(input).unwrap();
    runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    assert_eq!(callee.total(), 2);

    let input = read(store.clone()).await;
    assert_eq!(input.rows[0].name.expose(), "张叁");
    let mut plan = runner.prepare(input).unwrap();
    assert_eq!((plan.to_send(), plan.reused()), (0, 2));
    runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    assert_eq!(callee.total(), 2, "the same photos are not paid for again");
    assert!(all_finished(&store));
}

/// Batches written before the ledger existed (rows without keys) still protect the same
/// input: its rows are matched by position and number hash and carried over.
#[tokio::test]
async fn batches_from_before_the_ledger_are_not_paid_again() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = write_csv(dir.path(), 4, true);
    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let callee = Callee::default();
    let first = run_all(&runner, &csv, &callee).await;
    drop(runner);
    drop(store);
    {
        let db = rusqlite::Connection::open(dir.path().join("config").join(idcheck::audit::DB_FILE)).unwrap();
        db.execute("UPDATE batch_rows SET pair_hash = NULL, photo_hash = NULL", []).unwrap();
    }
    let store = open(dir.path());
    let runner = Runner::new(store.clone(), "apizero", 50.0);
    let plan = run_all(&runner, &csv, &callee).await;
    assert_eq!(callee.total(), 4, "nothing paid again");
    assert_eq!(plan.reused(), 4);
    assert!(plan.results.iter().filter_map(|r| r.reused_from.as_deref()).all(|b| b == first.batch_id));
    // And from then on by their keys, whatever the file's bytes.
    let numbers: Vec<String> =
        first.rows.iter().zip(&first.results).filter(|(_, r)| r.status == Status::Done).map(|(r, _)| r.number.expose().clone()).collect();
    let resaved = resave_csv(dir.path(), &numbers);
    run_all(&runner, &resaved, &callee).await;
    assert_eq!(callee.total(), 4);
}

#[tokio::test]
async fn foreign_permanent_resident_numbers_are_not_sent() {
    // A 2023-edition 外国人永久居留身份证 number built here (9, 11, 840, 1990-03-07, 123) and a
    // 2017-edition one: valid, but the vendors check resident numbers only.
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first = "91184019900307123";
    let sum: u32 = first.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    let foreign = format!("{first}{}", b"10X98765432"[(sum % 11) as usize] as char);
    assert!(idcheck::id::check(&foreign).is_valid());
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, format!("姓名,身份证号\n张三,{}\nJOHN SMITH,{foreign}\nJANE DOE,USA310090030712\n", number(1))).unwrap();
    let runner = Runner::new(open(dir.path()), "apizero", 50.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert_eq!((plan.to_send(), plan.count(Status::Invalid)), (1, 2));
    let m = plan.results[1].message.as_ref().unwrap();
    assert!(m.zh.contains("外国人永久居留身份证（2023年版）") && m.en.contains("resident ID numbers only"), "{m:?}");
    let callee = Callee::default();
    runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    assert_eq!(callee.total(), 1);
    assert_eq!(callee.calls.lock().unwrap().get(&number(1)), Some(&1));
}

/// The same name and number twice in one table is checked and paid once; the repeat takes the
/// answer; one number under two names is flagged on both rows (and both asked).
#[tokio::test]
async fn repeats_in_one_batch_are_paid_once_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    let (a, b) = (number(1), number(2));
    std::fs::write(&csv, format!("姓名,身份证号\n张三,{a}\n李四,{b}\n张三,{a}\n王五,{b}\n")).unwrap();
    let runner = Runner::new(open(dir.path()), "apizero", 50.0);
    let mut plan = runner.prepare(batch::load(&csv).unwrap()).unwrap();
    assert_eq!(plan.to_send(), 3, "the repeated row is not counted as a call");
    let callee = Callee::default();
    runner.run(&mut plan, true, &CancellationToken::new(), |_| {}, callee.replier(Duration::ZERO)).await.unwrap();
    assert_eq!(callee.total(), 3);
    assert_eq!(callee.calls.lock().unwrap()[&a], 1, "paid once for 张三");
    assert_eq!(plan.results[2].status, Status::Done);
    assert_eq!(plan.results[2].verdict, plan.results[0].verdict);
    assert_eq!(plan.count(Status::Pending), 0);
    let lines = export::lines(&plan, false);
    assert!(lines[2].message_zh.as_deref().unwrap().contains("与第 1 行"), "{:?}", lines[2].message_zh);
    for i in [1, 3] {
        assert!(lines[i].message_en.as_deref().unwrap().contains("under another name"), "{:?}", lines[i].message_en);
    }
    assert!(lines[0].message_zh.is_none());
    assert!(all_finished(&open(dir.path())));
}

/// A folder's back photos are paired with their fronts (by name, else by order): no row of
/// their own; an expired back is said on the front's row.
#[tokio::test]
async fn backs_in_a_folder_pair_with_their_fronts() {
    use idcheck::card::{CardFields, Side};
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    for f in ["a_back.jpg", "a_front.jpg", "b1.jpg", "b2.jpg", "c_back.jpg"] {
        std::fs::write(photos.join(f), format!("\u{FF}\u{D8} {f}")).unwrap();
    }
    let store = open(dir.path());
    let input = batch::load(&photos).unwrap();
    let input = batch::read_images_on(
        &store,
        "local",
        None,
        input,
        |path| {
            let f = path.file_name().unwrap().to_string_lossy().into_owned();
            async move {
                Ok(match f.as_str() {
                    "a_front.jpg" => CardFields { side: Some(Side::Front), name: Some("张三".into()), number: Some(number(1)), ..Default::default() },
                    "b1.jpg" => CardFields { side: Some(Side::Front), name: Some("李四".into()), number: Some(number(2)), ..Default::default() },
                    "a_back.jpg" => CardFields { side: Some(Side::Back), valid_until: Some("2020.01.01".into()), ..Default::default() },
                    _ => CardFields { side: Some(Side::Back), valid_until: Some("长期".into()), ..Default::default() },
                })
            }
        },
        idcheck::id::Date::parse("2026-12-05").unwrap(),
    )
    .await;
    // a_front (+ a_back), b1 (+ b2), c_back alone.
    assert_eq!(input.rows.len(), 3);
    let en = |i: usize| input.rows[i].notes.iter().map(|m| m.en.clone()).collect::<Vec<_>>().join(" ");
    assert!(en(0).contains("a_back.jpg") && en(0).contains("expired on 2020"), "{}", en(0));
    assert!(en(1).contains("b2.jpg") && !en(1).contains("expired"), "{}", en(1));
    assert!(input.rows[2].read_error.as_ref().unwrap().en.contains("no photo of its front"));
    let runner = Runner::new(store, "apizero", 50.0);
    let plan = runner.prepare(input).unwrap();
    assert_eq!((plan.to_send(), plan.count(Status::Invalid)), (2, 1));
}

//! The batch runner: local validation first, one consent for the batch, then the paid calls
//! paced at the vendor's QPS, with progress events and cancellation.
//!
//! The runner knows nothing about vendors: it is handed an async closure that checks one
//! name + number (the two-factor client in the command and the window, a counting closure or
//! the fake services in tests).

use super::input::{Input, Row};
use super::state::{self, RowKeys, RowResult, Status};
use crate::audit::{AuditError, ErrorInfo, Record, Store};
use crate::i18n::Msg;
use crate::providers::{ProviderError, Verdict};
use crate::secret::Sensitive;
use futures_util::StreamExt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// What went wrong with a batch as a whole (a row's failure is in its [`RowResult`]).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{0}")]
    Audit(#[from] AuditError),
    #[error("{0}")]
    Input(#[from] super::input::InputError),
    /// The holder's consent was not confirmed.
    #[error("{0}")]
    NoConsent(Msg),
}

impl BatchError {
    pub fn message(&self) -> &Msg {
        match self {
            BatchError::Audit(e) => e.message(),
            BatchError::Input(e) => &e.0,
            BatchError::NoConsent(m) => m,
        }
    }
}

/// One paid check handed to the caller's closure.
#[derive(Debug, Clone)]
pub struct Call {
    pub index: usize,
    pub name: Sensitive<String>,
    /// The normalised number, already validated locally.
    pub number: Sensitive<String>,
}

/// Progress of a run, sent after every answered row.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Progress {
    /// Rows settled in this run.
    pub done: usize,
    /// Rows to send in this run.
    pub total: usize,
    /// Answers per second so far in this run.
    pub rate: f64,
    /// Estimated time left.
    pub eta: Option<Duration>,
}

/// What the runner tells its caller while it works.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The paid phase starts with this many rows to send.
    Started {
        to_send: usize,
    },
    /// A row was answered.
    Row {
        index: usize,
        result: RowResult,
    },
    Progress(Progress),
    /// Cancellation was requested; rows in flight finish, no new row is sent.
    Cancelling,
}

/// A batch ready to run: its rows and where each stands.
#[derive(Debug)]
pub struct Plan {
    pub batch_id: String,
    /// Whether an interrupted batch of the same input was found and resumed.
    pub resumed: bool,
    /// A finished earlier batch of the same input (same bytes) and provider, for a notice.
    /// Running this plan does not pay again for rows answered there: they are carried over
    /// (see [`RowResult::reused_from`]) unless the runner was built with [`Runner::again`] or
    /// [`Runner::send_again`] was called.
    pub previous: Option<String>,
    pub rows: Vec<Row>,
    /// `results[i]` is the state of `rows[i]`.
    pub results: Vec<RowResult>,
    /// `repeats[i]`: the earlier row `rows[i]` repeats in this batch (the same name and number,
    /// or the same photo). Such a row is never sent: it takes that row's answer.
    pub repeats: Vec<Option<usize>>,
}

impl Plan {
    pub fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }
    /// Rows the paid phase will send (repeats of other rows take their answer instead).
    pub fn to_send(&self) -> usize {
        self.sendable().count()
    }
    /// Positions of the rows the paid phase will send.
    fn sendable(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.rows.len()).filter(|&i| self.results[i].status == Status::Pending && self.repeats.get(i).is_none_or(Option::is_none))
    }
    /// Repeats still pending whose earlier row has its answer: that answer, said to be shared.
    fn settled_repeats(&self) -> Vec<(usize, RowResult)> {
        let mut out = Vec::new();
        for (i, of) in self.repeats.iter().enumerate() {
            let Some(j) = *of else { continue };
            let (mine, theirs) = (&self.results[i], &self.results[j]);
            if mine.status != Status::Pending || matches!(theirs.status, Status::Pending | Status::Sending) {
                continue;
            }
            let n = self.rows[j].index + 1;
            let said = Msg::new(format!("与第 {n} 行相同，沿用其结果，未重复付费。"), format!("The same as row {n}: its answer applies; not paid for again."));
            let message = match &theirs.message {
                Some(m) => Msg::new(format!("{} {}", said.zh, m.zh), format!("{} {}", said.en, m.en)),
                None => said,
            };
            out.push((i, RowResult { message: Some(message), ..theirs.clone() }));
        }
        out
    }
    /// Rows carried over from earlier batches (answered, or maybe billed, there): not sent.
    pub fn reused(&self) -> usize {
        self.results.iter().filter(|r| r.reused_from.is_some()).count()
    }
    pub fn summary(&self) -> Summary {
        let verdicts = |v| self.results.iter().filter(|r| r.verdict == Some(v)).count();
        Summary {
            total: self.rows.len(),
            matched: verdicts(Verdict::Match),
            mismatched: verdicts(Verdict::Mismatch),
            no_record: verdicts(Verdict::NoRecord),
            invalid: self.count(Status::Invalid),
            failed: self.count(Status::Failed),
            unknown: self.count(Status::Unknown),
            pending: self.count(Status::Pending) + self.count(Status::Sending),
            reused: self.reused(),
        }
    }
}

/// Counts by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub total: usize,
    pub matched: usize,
    pub mismatched: usize,
    pub no_record: usize,
    pub invalid: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Not sent (cancelled before their turn).
    pub pending: usize,
    /// Carried over from earlier batches, not paid in this one (also counted above by
    /// outcome).
    pub reused: usize,
}

impl Summary {
    /// Whether any row has no verdict (invalid, failed, unknown or not sent).
    pub fn any_failed(&self) -> bool {
        self.invalid + self.failed + self.unknown + self.pending > 0
    }
}

/// Runs batches against one provider. Build one per batch.
///
/// No batch pays twice: a row whose provider, number and name (or whose photo) was answered
/// in any earlier batch, or may have been billed there (left `sending`/`unknown`, or failed
/// without the certainty that it was not billed), is not sent again but carried over, with a
/// message naming that batch. This holds whatever happens between runs (a run refused or
/// cancelled, a crash, the table saved again with other bytes, a photo read differently),
/// as long as the earlier batch is within the trail's retention. Only [`Runner::again`] (or
/// [`Runner::send_again`]) pays again.
///
/// ```no_run
///
/// # async fn demo(store: std::sync::Arc<idcheck::audit::Store>) -> Result<(), idcheck::batch::BatchError> {
/// use idcheck::batch::{self, Runner};
/// let input = batch::load(std::path::Path::new("people.xlsx"))?;
/// let runner = Runner::new(store, "apizero", 5.0).operator(Some("王审核"));
/// let mut plan = runner.prepare(input)?;          // validates locally, resumes if interrupted
/// // ... show plan.count(Status::Invalid), ask for the holder's consent ...
/// let cancel = tokio_util::sync::CancellationToken::new();
/// let summary = runner
///     .run(&mut plan, true, &cancel, |ev| eprintln!("{ev:?}"), |call| async move {
///         // client.two_factor(call.name.expose(), call.number.expose()).await
///         # let _ = call; Ok(idcheck::providers::Verdict::Match)
///     })
///     .await?;
/// # Ok(()) }
/// ```
pub struct Runner {
    store: Arc<Store>,
    provider: String,
    qps: f64,
    operator: Option<String>,
    pace: bool,
    again: bool,
}

impl Runner {
    /// A runner for `provider` sending at most `qps` requests per second (also the number of
    /// requests in flight at once, rounded up).
    pub fn new(store: Arc<Store>, provider: &str, qps: f64) -> Runner {
        Runner { store, provider: provider.to_string(), qps: if qps > 0.0 { qps } else { 1.0 }, operator: None, pace: true, again: false }
    }

    /// The operator name written to the audit trail.
    pub fn operator(mut self, operator: Option<&str>) -> Runner {
        self.operator = operator.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        self
    }

    /// Whether the runner paces starts itself (default) or leaves all pacing to the client's
    /// own limiter.
    pub fn pacing(mut self, on: bool) -> Runner {
        self.pace = on;
        self
    }

    /// Checks again, and pays again for, rows answered in earlier batches: with `true`,
    /// [`Runner::prepare`] does not look for earlier answers, so every locally valid row of a
    /// new batch is sent — those answered before (`done`), and also those left `unknown` or
    /// failed maybe billed (the clerk asked explicitly; such rows may be billed once more).
    /// Rows of an interrupted batch being resumed keep their own state: its rows left
    /// `unknown` by its own interruption are still never re-sent. Default `false`.
    pub fn again(mut self, on: bool) -> Runner {
        self.again = on;
        self
    }

    /// Validates every row locally and stores the batch, or resumes the interrupted batch of
    /// the same input (same bytes, same provider). No paid call is made here.
    ///
    /// Unless built with [`Runner::again`], every row that would be sent is looked up in the
    /// ledger of earlier batches of the same provider (any input) and carried over instead
    /// when it was answered or may have been billed there (see the type's documentation). A
    /// plan left with nothing to send is stored finished at once: a run refused or skipped
    /// leaves nothing a later run would take for an interrupted batch.
    pub fn prepare(&self, input: Input) -> Result<Plan, BatchError> {
        let fingerprint = self.fingerprint(&input);
        let rows = input.rows;
        let keys: Vec<Option<RowKeys>> = rows.iter().map(|r| state::keys(&self.store, &self.provider, r)).collect();
        if let Some(id) = state::find_open(&self.store, &fingerprint, &self.provider)? {
            let stored = state::resume(&self.store, &id)?;
            if stored.len() == rows.len()
                && stored
                    .iter()
                    .zip(&rows)
                    .all(|((no, hash, _), row)| *no == row.index && (hash.is_empty() || *hash == self.store.hash_number(row.number.expose())))
            {
                let mut results: Vec<RowResult> = stored.into_iter().map(|(_, _, r)| r).collect();
                // Rows still to send may have been answered by another batch since (the same
                // rows in another file, or a run of this input that did not resume).
                let carried = self.carry_over(Some(&id), &keys, &results)?;
                let with_keys: Vec<(usize, &RowKeys)> = rows.iter().zip(&keys).filter_map(|(r, k)| k.as_ref().map(|k| (r.index, k))).collect();
                state::update_rows(&self.store, &id, &with_keys, &carried.iter().map(|(i, r)| (rows[*i].index, r.clone())).collect::<Vec<_>>())?;
                for (i, r) in carried {
                    results[i] = r;
                }
                let (rows, repeats) = with_repeats(rows, &keys);
                let mut plan = Plan { batch_id: id, resumed: true, previous: None, rows: normalised(rows), results, repeats };
                self.settle_repeats(&mut plan, &|_| {})?;
                if !plan.results.iter().any(|r| r.status == Status::Pending) {
                    state::mark_finished(&self.store, &plan.batch_id)?;
                }
                return Ok(plan);
            }
            // The stored batch does not match the rows (should not happen with equal bytes):
            // close it and start afresh rather than guess.
            state::mark_finished(&self.store, &id)?;
        }
        let previous = state::find_finished(&self.store, &fingerprint, &self.provider)?;
        if !self.again {
            // Batches of this input written before the ledger existed join it.
            let legacy: Vec<(usize, String, &RowKeys)> =
                rows.iter().zip(&keys).filter_map(|(r, k)| k.as_ref().map(|k| (r.index, self.store.hash_number(r.number.expose()), k))).collect();
            state::backfill(&self.store, &fingerprint, &self.provider, &legacy)?;
        }
        let mut results = Vec::with_capacity(rows.len());
        let mut locals = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(msg) = &row.read_error {
                results.push(RowResult { status: Status::Invalid, verdict: None, error: None, message: Some(msg.clone()), reused_from: None });
                continue;
            }
            let checked = crate::id::check(row.number.expose());
            locals.push(Record::local(&checked).operator(self.operator.as_deref()));
            if let Some(f) = checked.foreign.filter(|_| checked.is_valid()) {
                // Valid, but the vendors' two-factor services check resident numbers only
                // (see `providers::require_valid_number`): not sent.
                let doc = f.edition.msg();
                results.push(RowResult {
                    status: Status::Invalid,
                    verdict: None,
                    error: None,
                    message: Some(Msg::new(
                        format!("这是{}的号码（有效），服务商只核验居民身份证号码，未发送。请按证件人工核验。", doc.zh),
                        format!(
                            "This is the number of a {} (valid); the vendor checks resident ID numbers only, so it was not sent. Check the card by hand.",
                            doc.en
                        ),
                    )),
                    reused_from: None,
                });
            } else if checked.is_valid() {
                results.push(RowResult::pending());
            } else {
                results.push(RowResult {
                    status: Status::Invalid,
                    verdict: None,
                    error: None,
                    message: Some(Msg::new(
                        "身份证号未通过本地校验（校验位、出生日期或地区码有误），未发送。请核对号码。",
                        "The ID number failed local validation (check digit, birth date or region code); not sent. Check the number.",
                    )),
                    reused_from: None,
                });
            }
        }
        for (i, r) in self.carry_over(None, &keys, &results)? {
            results[i] = r;
        }
        let id = new_batch_id();
        for r in &mut locals {
            *r = r.clone().batch(&id);
        }
        let (rows, repeats) = with_repeats(rows, &keys);
        state::create(&self.store, &id, &self.provider, &fingerprint, self.operator.as_deref(), &rows, &results, &keys, &locals)?;
        let mut plan = Plan { batch_id: id, resumed: false, previous, rows: normalised(rows), results, repeats };
        self.settle_repeats(&mut plan, &|_| {})?;
        Ok(plan)
    }

    /// The rows still to send (`pending` in `results`) that earlier batches answered or may
    /// have billed, with the state to carry over; none when built with [`Runner::again`].
    fn carry_over(&self, own: Option<&str>, keys: &[Option<RowKeys>], results: &[RowResult]) -> Result<Vec<(usize, RowResult)>, BatchError> {
        if self.again {
            return Ok(Vec::new());
        }
        let wanted: Vec<(usize, &RowKeys)> = keys
            .iter()
            .zip(results)
            .enumerate()
            .filter(|(_, (_, r))| r.status == Status::Pending)
            .filter_map(|(i, (k, _))| k.as_ref().map(|k| (i, k)))
            .collect();
        Ok(state::earlier(&self.store, own, &wanted)?)
    }

    /// Sends again, and pays again for, the rows of `plan` carried over from earlier batches
    /// (the clerk asked for it after the plan was prepared; [`Runner::again`] is the same
    /// before). They become `pending` in the plan and in the database, and the batch is open
    /// again. Returns how many rows that was.
    pub fn send_again(&self, plan: &mut Plan) -> Result<usize, BatchError> {
        let rows = state::uncarry(&self.store, &plan.batch_id)?;
        for no in &rows {
            if let Some(i) = plan.rows.iter().position(|r| r.index == *no) {
                plan.results[i] = RowResult::pending();
            }
        }
        Ok(rows.len())
    }

    fn fingerprint(&self, input: &Input) -> String {
        let mut h = self.store.hasher();
        for part in &input.fingerprint_parts {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
        // Rows read from photos are part of what is checked.
        for r in &input.rows {
            h.update(r.name.expose().as_bytes());
            h.update(b"\0");
            h.update(r.number.expose().as_bytes());
            h.update(b"\n");
        }
        h.finish()
    }

    /// Gives each repeat whose earlier row has its answer that answer, stored and told.
    fn settle_repeats(&self, plan: &mut Plan, on_event: &dyn Fn(&Event)) -> Result<(), BatchError> {
        let settled = plan.settled_repeats();
        if settled.is_empty() {
            return Ok(());
        }
        let stored: Vec<(usize, RowResult)> = settled.iter().map(|(i, r)| (plan.rows[*i].index, r.clone())).collect();
        state::update_rows(&self.store, &plan.batch_id, &[], &stored)?;
        for (i, r) in settled {
            plan.results[i] = r.clone();
            on_event(&Event::Row { index: i, result: r });
        }
        Ok(())
    }

    /// Sends every pending row through `call`, at most `qps` per second, until done or
    /// cancelled. `consent` must be the clerk's confirmation of the holders' consent for the
    /// whole batch. Rows in flight when `cancel` fires are allowed to finish (their answer is
    /// kept); rows not yet started stay pending for a later run.
    pub async fn run<F, Fut, E>(&self, plan: &mut Plan, consent: bool, cancel: &CancellationToken, on_event: E, call: F) -> Result<Summary, BatchError>
    where
        F: Fn(Call) -> Fut + Send + Sync,
        Fut: Future<Output = Result<Verdict, ProviderError>> + Send,
        E: Fn(&Event) + Send + Sync,
    {
        let to_send: Vec<usize> = plan.sendable().collect();
        if to_send.is_empty() {
            self.settle_repeats(plan, &on_event)?;
            if plan.count(Status::Pending) == 0 {
                state::mark_finished(&self.store, &plan.batch_id)?;
            }
            return Ok(plan.summary());
        }
        if !consent {
            return Err(BatchError::NoConsent(Msg::new(
                "批量核验需要先确认已取得全部持证人的授权同意（命令行加 --consent）。",
                "A batch check needs confirmation that every holder consented (pass --consent on the command line).",
            )));
        }
        state::confirm_consent(&self.store, &plan.batch_id, self.operator.as_deref())?;
        on_event(&Event::Started { to_send: to_send.len() });

        let total = to_send.len();
        let concurrency = self.qps.ceil().max(1.0) as usize;
        let interval = Duration::from_secs_f64(1.0 / self.qps);
        let pacer = tokio::sync::Mutex::new(Pacer { next: tokio::time::Instant::now(), starts: std::collections::VecDeque::new() });
        let window_cap = (self.qps.floor() as usize).max(1);
        let started = Instant::now();
        let settled = AtomicUsize::new(0);
        let cancel_announced = std::sync::atomic::AtomicBool::new(false);
        let batch_id = plan.batch_id.clone();
        let rows = &plan.rows;
        let (store, provider, operator, pace) = (&self.store, self.provider.as_str(), self.operator.as_deref(), self.pace);
        let call = &call;
        let on_event = &on_event;
        // A child token, so a database failure stops this run without cancelling the caller's.
        let stop = cancel.child_token();
        let cancel = &stop;
        let (pacer, settled, cancel_announced, batch_id) = (&pacer, &settled, &cancel_announced, &batch_id);

        let mut answers = futures_util::stream::iter(to_send)
            .map(|i| async move {
                let cancelled = || {
                    if !cancel_announced.swap(true, Ordering::SeqCst) {
                        on_event(&Event::Cancelling);
                    }
                };
                if cancel.is_cancelled() {
                    cancelled();
                    return Ok(None);
                }
                let row = &rows[i];
                let index = row.index;
                let mark = || {
                    let (s, b) = (store.clone(), batch_id.clone());
                    blocking(move || state::mark_sending(&s, &b, index))
                };
                if pace {
                    // Starts follow a smooth schedule (one every 1/qps) and never more than
                    // ⌊qps⌋ fall in any one second, counted from the actual starts. The lock is
                    // held across the wait and the "sending" mark, so starts are serialised in
                    // row order and the recorded start is right before the call.
                    let mut pacer = pacer.lock().await;
                    let now = tokio::time::Instant::now();
                    let mut at = pacer.next.max(now);
                    if pacer.starts.len() >= window_cap {
                        at = at.max(pacer.starts[0] + Duration::from_secs(1));
                    }
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = cancel.cancelled() => {}
                    }
                    if cancel.is_cancelled() {
                        cancelled();
                        return Ok(None);
                    }
                    // Durably "sending" before the paid call.
                    mark().await?;
                    pacer.starts.push_back(tokio::time::Instant::now());
                    if pacer.starts.len() > window_cap {
                        pacer.starts.pop_front();
                    }
                    pacer.next = at + interval;
                } else {
                    mark().await?;
                }
                let answer = call(Call { index: row.index, name: row.name.clone(), number: row.number.clone() }).await;
                let record = Record::two_factor(provider, row.name.expose(), row.number.expose(), &answer).consent(true).operator(operator).batch(batch_id);
                let result = match &answer {
                    Ok(v) => RowResult { status: Status::Done, verdict: Some(*v), error: None, message: None, reused_from: None },
                    Err(e) => RowResult {
                        status: Status::Failed,
                        verdict: None,
                        error: Some(ErrorInfo::from(e)),
                        message: Some(e.message.clone()),
                        reused_from: None,
                    },
                };
                let retry = matches!(&answer, Err(e) if state::not_billed(e));
                let (s, b, r) = (store.clone(), batch_id.clone(), result.clone());
                blocking(move || state::finish_row(&s, &b, index, &r, retry, &record)).await?;
                let done = settled.fetch_add(1, Ordering::SeqCst) + 1;
                on_event(&Event::Row { index: i, result: result.clone() });
                let secs = started.elapsed().as_secs_f64().max(1e-6);
                let rate = done as f64 / secs;
                let eta = if cancel.is_cancelled() { None } else { Some(Duration::from_secs_f64((total - done) as f64 / rate.max(1e-9))) };
                on_event(&Event::Progress(Progress { done, total, rate, eta }));
                Ok::<_, BatchError>(Some((i, result)))
            })
            .buffer_unordered(concurrency);

        let mut first_error = None;
        while let Some(answer) = answers.next().await {
            match answer {
                Ok(Some((i, result))) => plan.results[i] = result,
                Ok(None) => {}
                Err(e) => {
                    // The database failed: stop sending, but let rows in flight finish.
                    stop.cancel();
                    first_error.get_or_insert(e);
                }
            }
        }
        drop(answers);
        if let Some(e) = first_error {
            return Err(e);
        }
        self.settle_repeats(plan, &on_event)?;
        if plan.count(Status::Pending) == 0 {
            state::mark_finished(&self.store, &plan.batch_id)?;
        }
        Ok(plan.summary())
    }
}

/// The pacing state shared by a run's concurrent rows.
struct Pacer {
    /// The next start on the smooth schedule.
    next: tokio::time::Instant,
    /// The actual times of the last ⌊qps⌋ starts.
    starts: std::collections::VecDeque<tokio::time::Instant>,
}

/// Runs a database step off the async threads (SQLite with synchronous=FULL waits for the disk).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, AuditError> + Send + 'static) -> Result<T, BatchError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => Ok(r?),
        Err(e) => Err(BatchError::Audit(AuditError::Db(Msg::new(format!("数据库任务失败：{e}"), format!("A database task failed: {e}"))))),
    }
}

/// The rows with the notes on repeats added, and which earlier row each repeats.
fn with_repeats(mut rows: Vec<Row>, keys: &[Option<RowKeys>]) -> (Vec<Row>, Vec<Option<usize>>) {
    let (same, notes) = super::pair::repeats(&rows, keys);
    for (row, notes) in rows.iter_mut().zip(notes) {
        row.notes.extend(notes);
    }
    (rows, same.into_iter().map(|s| s.map(|(j, _)| j)).collect())
}

/// The rows with their numbers normalised as they will be sent.
fn normalised(rows: Vec<Row>) -> Vec<Row> {
    rows.into_iter()
        .map(|mut r| {
            let n = crate::id::check(r.number.expose()).number().to_string();
            if !n.is_empty() {
                r.number = Sensitive::new(n);
            }
            r
        })
        .collect()
}

fn new_batch_id() -> String {
    let mut r = [0u8; 4];
    let _ = getrandom::getrandom(&mut r);
    format!("{}-{}", chrono::Utc::now().format("%Y%m%d%H%M%S"), hex::encode(r))
}

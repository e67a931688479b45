//! Batches at the desk: the same rules as one check, for many rows.
//!
//! Photos of a folder are prepared on this machine like a dropped photo (EXIF and GPS gone,
//! size capped) and read by the OCR provider of the settings (`local` unless a vendor was
//! chosen); every row is validated locally; the ledger of earlier batches keeps any answered
//! (provider, number, name) from being paid again; the two-factor client, and with it the
//! demo or real mode, is fixed when the batch is loaded.

use super::{Desk, DeskError};
use crate::batch::{self, Call, Event, InputKind, Plan, Runner, Summary};
use crate::providers::{self, ErrorKind, Ocr, ProviderError, TwoFactor};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A loaded batch: its plan, and the client and mode it was loaded for.
pub struct BatchJob {
    pub runner: Runner,
    pub plan: Plan,
    pub kind: InputKind,
    /// The two-factor provider as configured when the batch was loaded.
    pub provider: String,
    /// Whether the batch runs against the built-in fakes (fixed at load).
    pub demo: bool,
    /// Requests per second the runner starts.
    pub qps: f64,
    client: Arc<dyn TwoFactor>,
}

/// How a batch is loaded.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// The two-factor provider; `None`: the settings' choice.
    pub provider: Option<String>,
    /// Requests per second; `None`: just under the provider's documented limit.
    pub qps: Option<f64>,
    /// Check and pay again for rows answered in earlier batches.
    pub again: bool,
}

impl Desk {
    /// Loads a folder of photos or a table, reads the photos, validates every row locally and
    /// stores the batch (or finds the interrupted one of the same input). No paid call.
    /// `on_read(done, total)` follows the photos being read.
    pub async fn batch_load(self: &Arc<Self>, path: &Path, options: BatchOptions, on_read: impl Fn(usize, usize) + Send + Sync) -> Result<BatchJob, DeskError> {
        let kind = InputKind::of(path)?;
        let provider = options.provider.clone().unwrap_or_else(|| self.settings().two_factor().to_string());
        // The client, and so the mode, is fixed now: a batch never mixes demo and real answers.
        let (client, demo) = self.two_factor_client(&provider)?;
        let p = path.to_path_buf();
        let mut input = tokio::task::spawn_blocking(move || batch::load(&p)).await.map_err(|_| DeskError::internal())??;
        // The batch's state lives in the audit trail: without it, no batch.
        let desk = self.clone();
        let store = tokio::task::spawn_blocking(move || desk.store()).await.map_err(|_| DeskError::internal())??;
        let operator = self.settings().operator().map(String::from);

        if !input.images.is_empty() {
            let (ocr_id, reader, ocr_demo) = self.ocr_reader()?;
            let total = input.images.len();
            let done = AtomicUsize::new(0);
            on_read(0, total);
            let (done, on_read) = (&done, &on_read);
            let recorded = Desk::recorded_id(&ocr_id, ocr_demo);
            input = batch::read_images(&store, &recorded, operator.as_deref(), input, |path| {
                let reader = reader.clone();
                async move {
                    let result = read_photo(&path, reader).await;
                    on_read(done.fetch_add(1, Ordering::SeqCst) + 1, total);
                    result
                }
            })
            .await;
        }

        // Just under the vendor's QPS: the client's own limiter keeps the documented limit.
        let qps = options.qps.filter(|q| *q > 0.0).unwrap_or(providers::two_factor_qps(&provider) as f64 / 1.03);
        let runner_id = Desk::recorded_id(&provider, demo);
        let again = options.again;
        let (runner, plan) = tokio::task::spawn_blocking(move || {
            let runner = Runner::new(store, &runner_id, qps).operator(operator.as_deref()).again(again);
            let plan = runner.prepare(input)?;
            Ok::<_, batch::BatchError>((runner, plan))
        })
        .await
        .map_err(|_| DeskError::internal())??;
        Ok(BatchJob { runner, plan, kind, provider, demo, qps, client })
    }

    /// Runs the paid phase of a loaded batch. Consent for the whole batch is required; rows
    /// answered in earlier batches are carried over, not paid again, unless `again`. Rows in
    /// flight when `cancel` fires finish and keep their answer.
    pub async fn batch_run(
        &self,
        job: &mut BatchJob,
        consent: bool,
        again: bool,
        cancel: &CancellationToken,
        on_event: impl Fn(&Event) + Send + Sync,
    ) -> Result<Summary, DeskError> {
        if again {
            job.runner.send_again(&mut job.plan)?;
        }
        if !consent && job.plan.to_send() > 0 {
            return Err(DeskError::new(
                "consent",
                "批量核验前须取得全部持证人的授权，并确认“已取得全部持证人授权”（命令行加 --consent）。",
                "Get every holder's consent and confirm “Every holder has consented” before the batch (pass --consent on the command line).",
            ));
        }
        let client = job.client.clone();
        let call = move |c: Call| {
            let client = client.clone();
            async move { client.verify(c.name.expose(), c.number.expose()).await.map(|r| r.verdict) }
        };
        Ok(job.runner.run(&mut job.plan, consent, cancel, on_event, call).await?)
    }
}

/// Reads one photo of a folder: size-checked, prepared like a dropped photo, then read. A
/// vendor never gets the original file.
async fn read_photo(path: &Path, reader: Arc<dyn Ocr>) -> Result<crate::card::CardFields, ProviderError> {
    let provider = reader.id();
    let refused = |m: crate::i18n::Msg| ProviderError::new(provider, ErrorKind::InvalidInput).with_message(m);
    let p = path.to_path_buf();
    let jpeg = tokio::task::spawn_blocking(move || super::photo::prepare_file(&p).map(|prep| prep.jpeg))
        .await
        .map_err(|_| refused(crate::i18n::Msg::new("读取照片时内部出错。", "An internal error while reading the photo.")))?
        .map_err(|e| refused(e.message))?;
    reader.read(&jpeg).await
}

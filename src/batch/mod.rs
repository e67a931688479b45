//! Batch checks for compliance reviewers: a table of names and numbers, or a folder of card
//! photos, checked in one go.
//!
//! Everything is validated locally first and invalid rows are reported without any paid call;
//! the clerk confirms consent once for the batch; the paid calls are then paced at the
//! vendor's QPS with progress events and cancellation. The batch's state lives in the audit
//! database, so an interrupted batch resumes without paying twice for any row.
//!
//! Flow: [`load`] → (for photos: [`read_images`]) → [`Runner::prepare`] → [`Runner::run`] →
//! [`export::lines`] + [`export::write`].

pub mod export;
pub mod input;
mod runner;
pub mod state;

pub use input::{load, Input, InputError, InputKind, Row, Source};
pub use runner::{BatchError, Call, Event, Plan, Progress, Runner, Summary};
pub use state::{list, rows, BatchInfo, RowResult, Status, StoredRow};

use crate::audit::{Record, Store};
use crate::card::CardFields;
use crate::i18n::Msg;
use crate::providers::ProviderError;
use crate::secret::Sensitive;
use std::future::Future;
use std::path::PathBuf;

/// Reads the photos of a folder input into rows with `ocr` (one photo at a time), recording
/// each read in the audit trail. A photo that cannot be read becomes a row with a
/// `read_error`, reported as invalid and never sent. Each row carries the SHA-256 of its
/// photo's bytes ([`Row::photo_digest`], the file streamed, not held), so a photo already
/// checked is not paid for again however it reads next time.
pub async fn read_images<F, Fut>(store: &Store, ocr_provider: &str, operator: Option<&str>, mut input: Input, ocr: F) -> Input
where
    F: Fn(PathBuf) -> Fut,
    Fut: Future<Output = Result<CardFields, ProviderError>>,
{
    let images = std::mem::take(&mut input.images);
    for (i, path) in images.into_iter().enumerate() {
        let photo_digest = digest_file(&path);
        let result = ocr(path.clone()).await;
        let _ = store.record(&Record::ocr(ocr_provider, &result).operator(operator));
        let (name, number, read_error) = match result {
            Ok(f) => {
                let name = f.name.unwrap_or_default().trim().to_string();
                let number = f.number.unwrap_or_default().trim().to_string();
                let err = if name.is_empty() || number.is_empty() {
                    Some(Msg::new(
                        "照片中没有读到姓名或身份证号。请确认是身份证人像面（姓名页）且照片清晰。",
                        "No name or number was read from the photo. Make sure it shows the front (name side) of the card and is sharp.",
                    ))
                } else {
                    None
                };
                (name, number, err)
            }
            Err(e) => (String::new(), String::new(), Some(e.message.clone())),
        };
        input.rows.push(Row { index: i, source: Source::Image(path), name: Sensitive::new(name), number: Sensitive::new(number), read_error, photo_digest });
    }
    input
}

/// SHA-256 of a file's bytes, read in blocks; `None` if it cannot be read (the OCR step then
/// reports the file).
fn digest_file(path: &std::path::Path) -> Option<[u8; 32]> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    std::io::copy(&mut file, &mut h).ok()?;
    Some(h.finalize().into())
}

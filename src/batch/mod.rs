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
pub mod pair;
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
///
/// A photo of a card's back (国徽页) is paired with its front (see [`pair`]): it adds no row of
/// its own, and the front's row notes the pairing and, when the back shows the card has
/// expired by `today`, says so before anything is paid. A back with no front beside it is a
/// row that says what is missing.
pub async fn read_images<F, Fut>(store: &Store, ocr_provider: &str, operator: Option<&str>, input: Input, ocr: F) -> Input
where
    F: Fn(PathBuf) -> Fut,
    Fut: Future<Output = Result<CardFields, ProviderError>>,
{
    read_images_on(store, ocr_provider, operator, input, ocr, crate::id::Date::today()).await
}

/// [`read_images`] with the date the validity of paired backs is judged on.
pub async fn read_images_on<F, Fut>(store: &Store, ocr_provider: &str, operator: Option<&str>, mut input: Input, ocr: F, today: crate::id::Date) -> Input
where
    F: Fn(PathBuf) -> Fut,
    Fut: Future<Output = Result<CardFields, ProviderError>>,
{
    let images = std::mem::take(&mut input.images);
    let mut read = Vec::with_capacity(images.len());
    for path in images {
        let photo_digest = digest_file(&path);
        let result = ocr(path.clone()).await;
        let _ = store.record(&Record::ocr(ocr_provider, &result).operator(operator));
        read.push((path, photo_digest, result));
    }
    let photos: Vec<pair::Photo> = read
        .iter()
        .map(|(path, _, r)| pair::Photo { file_name: path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(), fields: r.as_ref().ok() })
        .collect();
    let back_of = pair::pair_backs(&photos);
    let mut back_for: Vec<Option<usize>> = vec![None; read.len()];
    for (b, f) in back_of.iter().enumerate() {
        if let Some(f) = f {
            back_for[*f] = Some(b);
        }
    }
    drop(photos);
    let file_name = |i: usize| read[i].0.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let mut rows = Vec::new();
    for (i, (path, photo_digest, result)) in read.iter().enumerate() {
        if back_of[i].is_some() {
            continue;
        }
        let mut notes = Vec::new();
        let (name, number, read_error) = match result {
            Ok(f) => {
                let name = f.name.clone().unwrap_or_default().trim().to_string();
                let number = f.number.clone().unwrap_or_default().trim().to_string();
                // The validity period: on this photo (both sides in one) or on its paired back.
                let mut until = f.valid_until.clone().filter(|s| !s.trim().is_empty());
                if let Some(b) = back_for[i] {
                    notes.push(Msg::new(format!("反面（国徽页）见照片 {}。", file_name(b)), format!("Its back is in photo {}.", file_name(b))));
                    if let Ok(back) = &read[b].2 {
                        until = until.or_else(|| back.valid_until.clone());
                    }
                }
                if let Some(end) = until.as_deref().and_then(|u| crate::validity::expired_on(u, today)) {
                    notes.push(Msg::new(
                        format!("证件已于 {end} 过期：请持证人换领新证，核验结果仅供参考。"),
                        format!("The card expired on {end}: the holder needs a new card; the check result is for reference only."),
                    ));
                }
                let back_only = name.is_empty() && number.is_empty() && f.side == Some(crate::card::Side::Back);
                let err = if back_only {
                    Some(Msg::new(
                        "这是身份证反面（国徽页），文件夹中没有与之配对的人像面照片。请补拍人像面（姓名页）。",
                        "This is the back of a card (emblem side) and no photo of its front was found beside it. Add a photo of the front (name side).",
                    ))
                } else if name.is_empty() || number.is_empty() {
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
        rows.push(Row {
            index: rows.len(),
            source: Source::Image(path.clone()),
            name: Sensitive::new(name),
            number: Sensitive::new(number),
            read_error,
            photo_digest: *photo_digest,
            notes,
        });
    }
    input.rows.extend(rows);
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

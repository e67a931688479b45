//! The offline OCR engine ([`crate::ocr`]) as an OCR provider: `local` (本机识别).
//!
//! The photo never leaves the machine; no key, no network, no bill. The prepared JPEG is
//! decoded again here (a few milliseconds) so every OCR provider takes the same input.

use super::{ClientConfig, ErrorKind, Ocr, ProviderError, Vendor};
use crate::card::CardFields;
use std::sync::Arc;

pub const ID: &str = "local";

pub static VENDOR: Vendor = Vendor {
    id: ID,
    name: ("本机识别", "on this machine"),
    key_fields: &[],
    default_base_url: None,
    url_env: None,
    ocr: Some(|_c: ClientConfig| Ok(Arc::new(Local))),
    two_factor: None,
    region: None,
};

/// The embedded PP-OCR models, loaded once per process.
pub struct Local;

#[async_trait::async_trait]
impl Ocr for Local {
    fn id(&self) -> &'static str {
        ID
    }

    async fn read(&self, jpeg: &[u8]) -> Result<CardFields, ProviderError> {
        let bytes = jpeg.to_vec();
        // Inference is CPU-bound: keep it off the async threads.
        let reading = tokio::task::spawn_blocking(move || crate::ocr::read_file(&bytes)).await.map_err(stopped)?;
        reading.map(|r| r.fields).map_err(failed)
    }

    async fn read_all(&self, jpeg: &[u8]) -> Result<Vec<CardFields>, ProviderError> {
        let bytes = jpeg.to_vec();
        let all = tokio::task::spawn_blocking(move || crate::ocr::read_file_all(&bytes)).await.map_err(stopped)?.map_err(failed)?;
        let centre = |r: &crate::ocr::Reading| {
            r.place.map(|q| (q.corners.iter().map(|p| p.x).sum::<f64>() / 4.0, q.corners.iter().map(|p| p.y).sum::<f64>() / 4.0)).unwrap_or((0.0, 0.0))
        };
        Ok(crate::card::holders(
            all.into_iter()
                .map(|r| {
                    let c = centre(&r);
                    (r.fields, c)
                })
                .collect(),
        ))
    }
}

fn stopped(e: tokio::task::JoinError) -> ProviderError {
    ProviderError::new(ID, ErrorKind::Other)
        .with_message(crate::i18n::Msg::new("本机识别意外中止，请重试。", format!("The local OCR stopped unexpectedly ({e}); try again.")))
}

fn failed(e: crate::ocr::OcrError) -> ProviderError {
    let kind = match e {
        crate::ocr::OcrError::NoText => ErrorKind::Unrecognisable,
        crate::ocr::OcrError::Image(_) => ErrorKind::InvalidInput,
        _ => ErrorKind::Other,
    };
    ProviderError::new(ID, kind).with_message(e.msg())
}

//! What the web view receives: plain, serialisable views over core results.
//!
//! The shell owns these shapes so the page stays stable while the core grows. Nothing here
//! carries a key, and numbers and names appear in full only where the clerk typed them.

use idcheck::i18n::Msg;
use serde::Serialize;

/// Every failure a command reports: the desk's one error type, serialised in one place (the
/// core's `desk::DeskError`, with tests of its JSON there).
pub use idcheck::desk::DeskError as UiError;

/// A provider's display name in both languages.
pub fn provider_name(id: &str) -> Msg {
    match id {
        "apizero" => Msg::new("极数本源 apizero", "apizero"),
        "muzhiyun" => Msg::new("拇指云", "Muzhiyun (拇指云)"),
        "nowapi" => Msg::new("NowAPI", "NowAPI"),
        "local" => Msg::new("本机识别", "on this computer"),
        "embedded" => Msg::new("内置区划表", "embedded table"),
        other => Msg::new(other, other),
    }
}

/// A photo brought in and prepared: what the page shows.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoView {
    /// `data:image/jpeg;base64,...` of the prepared image (in memory only).
    pub preview: String,
    pub width: u32,
    pub height: u32,
    pub warnings: Vec<PhotoWarning>,
}

/// One card found in the photo, straightened and cropped (upright, card-shaped), as the page
/// shows it in place of the photo; for a front, its portrait too. JPEG `data:` URLs made in
/// memory. No `Debug`: these are images of a person's card.
#[derive(Clone, Serialize)]
pub struct CardCrop {
    /// `front`, `back`, or `null` when the side cannot be told.
    pub side: Option<idcheck::crops::Side>,
    pub image: String,
    pub portrait: Option<String>,
}

/// One person's card as read from a photo holding several: what the chooser offers and what
/// fills the form once the clerk picks it.
#[derive(Debug, Clone, Serialize)]
pub struct CardChoice {
    pub fields: idcheck::card::CardFields,
    /// As [`OcrView::doubtful`], for this card.
    pub doubtful: Vec<&'static str>,
    /// The sides this card's fields come from (`CardFields::sides`): the chooser says them.
    pub sides: Vec<idcheck::card::Side>,
}

/// A photo-quality warning: its kind (`blur`, `not_id_card`, ...) and what to do.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoWarning {
    pub kind: idcheck::quality::WarningKind,
    pub message: Msg,
}

impl PhotoWarning {
    pub fn list(warnings: &[idcheck::quality::Warning]) -> Vec<PhotoWarning> {
        warnings.iter().map(|w| PhotoWarning { kind: w.kind, message: w.message.clone() }).collect()
    }
}

/// The result of a drop or of 打开…: a photo, or why not, and a note (several files).
#[derive(Debug, Clone, Serialize, Default)]
pub struct PhotoLoaded {
    pub photo: Option<PhotoView>,
    pub error: Option<UiError>,
    pub note: Option<Msg>,
}

/// What the OCR read.
#[derive(Debug, Clone, Serialize)]
pub struct OcrView {
    pub fields: idcheck::card::CardFields,
    pub provider: String,
    pub provider_name: Msg,
    /// The fields the clerk should check against the card: read with too little confidence.
    pub doubtful: Vec<&'static str>,
    /// The photo's warnings in the light of the read: a card whose fields were read is a card,
    /// whatever the photo looked like. They replace the ones shown with the photo.
    pub warnings: Vec<PhotoWarning>,
    pub demo: bool,
    /// Every card read, one per person (a front and its back in one photo are one card; the
    /// first is `fields`). With more than one, the page lets the clerk choose before filling.
    pub cards: Vec<CardChoice>,
}

/// One finding of the local checks.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub message: Msg,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<char>,
}

/// The local checks of what is in the form.
#[derive(Debug, Clone, Serialize, Default)]
pub struct LocalView {
    pub empty: bool,
    pub number_present: bool,
    pub valid: bool,
    /// Why the number is not valid.
    pub reasons: Vec<Finding>,
    /// Warnings that do not block: cross-checks with the card, validity, expiry.
    pub warnings: Vec<Finding>,
    /// Plain facts read from the number (birth, age, sex).
    pub facts: Vec<Msg>,
    /// The six-digit region code, when the number starts with one.
    pub region_code: Option<String>,
    /// A short key that changes when the number changes (not the number itself).
    pub number_key: Option<String>,
    /// The birth date the number gives, when the printed one is a date and another one: shown
    /// beside 出生, never put into it.
    pub number_birth: Option<String>,
    /// The sex the number gives (男 / 女), when the printed one is the other: shown beside 性别,
    /// never put into it.
    pub number_sex: Option<Msg>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EraView {
    pub since: u16,
    pub until: Option<u16>,
    pub province: String,
    pub city: String,
    pub district: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmbeddedRegion {
    pub current: EraView,
    pub abolished: bool,
    pub since: u16,
    pub until: Option<u16>,
    pub history: Vec<EraView>,
    /// What the code meant in the holder's birth year, if that differs from today.
    pub at_birth: Option<Msg>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OnlineRegion {
    pub provider: String,
    pub provider_name: Msg,
    pub full_name: String,
    pub differs: bool,
    pub demo: bool,
    pub error: Option<UiError>,
}

impl OnlineRegion {
    /// An online lookup that failed.
    pub fn failed(provider: &str, demo: bool, error: UiError) -> OnlineRegion {
        OnlineRegion {
            provider: provider.to_string(),
            provider_name: provider_name(provider),
            full_name: String::new(),
            differs: false,
            demo,
            error: Some(error),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionView {
    pub code: String,
    pub embedded: Option<EmbeddedRegion>,
    pub online: Option<OnlineRegion>,
}

/// A two-factor verdict as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyView {
    /// `match`, `mismatch` or `no_record`.
    pub verdict: String,
    pub message: Msg,
    pub provider: String,
    pub provider_name: Msg,
    pub time: String,
    pub request_id: Option<String>,
    pub reused: bool,
    pub demo: bool,
    pub masked_number: String,
    pub masked_name: String,
    pub birthday: Option<String>,
    pub sex: Option<String>,
    pub address_masked: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestView {
    pub millis: u64,
    pub note: Option<Msg>,
}

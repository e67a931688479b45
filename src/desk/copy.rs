//! The watermarked copy (身份证复印件) as the desk makes it, for the window and the command
//! alike: the statement checked (the operator defaults to the settings' one), the PDF made
//! from the photos in memory, and the copy recorded in the audit trail — purpose, sides and
//! operator, never an image. Where the PDF goes (a file the clerk chose, the printer) is the
//! face's business; nothing is written to disk here.

use super::{Desk, DeskError};
use crate::audit::Record;
use crate::copy::{self, CopyError, CopyPdf, Statement};
use image::RgbImage;

/// A copy made: the PDF, the statement printed on it, and why it could not be recorded, if
/// it could not (a trail that cannot be written never stops the copy; the face says so).
#[derive(Debug)]
pub struct CopyMade {
    pub copy: CopyPdf,
    pub statement: Statement,
    pub not_recorded: Option<DeskError>,
}

impl From<CopyError> for DeskError {
    fn from(e: CopyError) -> DeskError {
        DeskError::from_msg(e.kind, e.message)
    }
}

impl Desk {
    /// The statement a copy would carry: the purpose and operator checked (the operator
    /// defaults to the settings' one; an empty one states none), dated today. A face asks
    /// it before opening a save dialog, so a missing purpose is said first.
    pub fn copy_statement(&self, purpose: &str, operator: Option<&str>) -> Result<Statement, DeskError> {
        let settings = self.settings();
        let operator = operator.or(settings.operator());
        Ok(Statement::new(purpose, operator, chrono::Local::now().date_naive())?)
    }

    /// Makes the copy of the card(s) in `photos` (one photo holding one or both sides, or a
    /// front and a back) stating `purpose`, today's date and the operator (`None`: the
    /// settings' operator; an empty one: none), and records it. Blocking: CPU, font file,
    /// keychain and disk.
    pub fn make_copy(&self, photos: &[&RgbImage], purpose: &str, operator: Option<&str>) -> Result<CopyMade, DeskError> {
        let statement = self.copy_statement(purpose, operator)?;
        let font = copy::font::find()?;
        let made = copy::make(photos, &statement, &font)?;
        let record = Record::copy(&statement.purpose, &made.sides_label()).stamped();
        let not_recorded = self.trail.record(vec![record], statement.operator.as_deref(), self.settings().retention_days()).err();
        if not_recorded.is_none() {
            self.nudge_team_sender();
        }
        Ok(CopyMade { copy: made, statement, not_recorded })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::DeskConfig;
    use crate::paths::Namespace;
    use crate::settings::Settings;

    fn desk(dir: &std::path::Path) -> std::sync::Arc<Desk> {
        let settings = Settings { operator: Some("王芳".into()), ..Settings::default() };
        Desk::with_settings(DeskConfig { record: false, ..DeskConfig::at(Namespace::at(dir)) }, settings)
    }

    fn photo(name: &str) -> RgbImage {
        let bytes = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cards").join(name)).unwrap();
        crate::image_prep::decode_upright(&bytes).unwrap().0
    }

    #[test]
    fn the_operator_defaults_to_the_settings_and_the_purpose_is_required() {
        let dir = tempfile::tempdir().unwrap();
        let desk = desk(dir.path());
        let front = photo("desk-front.jpg");
        let made = desk.make_copy(&[&front], " 开户 ", None).unwrap();
        assert_eq!(made.statement.operator.as_deref(), Some("王芳"));
        assert_eq!(made.statement.purpose, "开户");
        assert!(made.copy.pdf.starts_with(b"%PDF-"));
        assert_eq!(made.copy.sides_label(), "front");
        assert!(made.not_recorded.is_none());
        // An operator typed for this copy wins; an empty one states none.
        let other = desk.make_copy(&[&front], "开户", Some("李雷")).unwrap();
        assert_eq!(other.statement.operator.as_deref(), Some("李雷"));
        let none = desk.make_copy(&[&front], "开户", Some("  ")).unwrap();
        assert_eq!(none.statement.operator, None);
        let e = desk.make_copy(&[&front], "   ", None).unwrap_err();
        assert_eq!(e.kind, "purpose");
        assert!(e.message.zh.contains("用途") && e.message.en.contains("purpose"), "{e:?}");
        // Nothing written: no trail, no file, in the desk's directory.
        assert_eq!(std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0), 0);
    }
}

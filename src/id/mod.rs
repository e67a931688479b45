//! Resident ID numbers (GB 11643-1999): parsing, validation and description.
//!
//! CONTRACT STUB: `check` and `Checked::{is_valid, number}` are the API other modules use.

use serde::Serialize;

/// The result of parsing and validating what a user typed or an OCR returned.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub input: String,
    /// The normalised number (what would be sent to a service).
    pub number: String,
    pub valid: bool,
}

impl Checked {
    pub fn is_valid(&self) -> bool {
        self.valid
    }
    pub fn number(&self) -> &str {
        &self.number
    }
}

/// Parses and validates one number.
pub fn check(input: &str) -> Checked {
    let number: String = input.trim().to_ascii_uppercase();
    let valid = number.len() == 18 && check_digit(&number[..17]) == number.as_bytes().get(17).copied();
    Checked { input: input.to_string(), number, valid }
}

fn check_digit(first17: &str) -> Option<u8> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let mut sum = 0;
    for (i, b) in first17.bytes().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        sum += (b - b'0') as u32 * W[i];
    }
    Some(b"10X98765432"[(sum % 11) as usize])
}

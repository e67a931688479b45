//! A wrapper for secrets (API keys, app codes, signs).
//!
//! `Sensitive<T>` prints nothing through `Debug` or `Display` and does not implement
//! `Serialize`, so a key cannot end up in a log line, an error message, or a reply to the web
//! view by accident. Reading the value is an explicit [`Sensitive::expose`] call, which is
//! easy to find in review.

use std::fmt;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself. Call only where it is put on the wire or into the keychain.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_print_nothing_of_the_secret() {
        let s = Sensitive::new(String::from("sk-very-secret-123"));
        assert!(!format!("{s:?}").contains("secret-123"));
        assert!(!format!("{s}").contains("secret-123"));
        assert!(!format!("{:#?}", Some(&s)).contains("secret-123"));
        assert_eq!(s.expose(), "sk-very-secret-123");
    }
}

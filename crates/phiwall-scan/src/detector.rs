//! The one trait every PHI recognizer implements, and the document view it reads.
//!
//! Detectors see a [`Doc`] and push [`Span`]s with **byte** offsets into `Doc::text`. They never
//! copy or return the text itself. The scanner resolves overlaps and converts to code points.

use crate::types::PhiType;

/// A candidate finding in byte offsets of the text the detector was given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// Byte offset of the first byte (on a char boundary).
    pub start: usize,
    /// Byte offset one past the last byte (on a char boundary).
    pub end: usize,
    /// The identifier type.
    pub kind: PhiType,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// Stable recognizer name.
    pub recognizer: &'static str,
}

impl Span {
    /// A span with the given fields.
    pub fn new(
        start: usize,
        end: usize,
        kind: PhiType,
        score: f32,
        recognizer: &'static str,
    ) -> Self {
        Span { start, end, kind, score: score.clamp(0.0, 1.0), recognizer }
    }
}

/// The text under scan and cheap facts about it, computed once per scan.
#[derive(Debug, Clone, Copy)]
pub struct Doc<'a> {
    /// The text, unchanged.
    pub text: &'a str,
    /// True when the text is a normalized *view* of a transcript (spoken numbers turned into
    /// digits and so on) rather than the original. Detectors may relax layout rules on views.
    pub is_spoken_view: bool,
}

impl<'a> Doc<'a> {
    /// A document over original text.
    pub fn new(text: &'a str) -> Self {
        Doc { text, is_spoken_view: false }
    }

    /// Up to `max_bytes` of text ending at `pos`, widened to a char boundary.
    pub fn before(&self, pos: usize, max_bytes: usize) -> &'a str {
        let pos = floor_boundary(self.text, pos.min(self.text.len()));
        let start = floor_boundary(self.text, pos.saturating_sub(max_bytes));
        &self.text[start..pos]
    }

    /// Up to `max_bytes` of text starting at `pos`, narrowed to a char boundary.
    pub fn after(&self, pos: usize, max_bytes: usize) -> &'a str {
        let pos = floor_boundary(self.text, pos.min(self.text.len()));
        let end = floor_boundary(self.text, (pos + max_bytes).min(self.text.len()));
        &self.text[pos..end]
    }
}

/// The largest char boundary `<= i`.
pub fn floor_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A PHI recognizer. Implementations are immutable after construction and shared across threads.
pub trait Detector: Send + Sync {
    /// Stable name used in findings and evaluation reports.
    fn name(&self) -> &'static str;
    /// Push every candidate in `doc` onto `out`. Must not panic on any input.
    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_windows_respect_char_boundaries() {
        let d = Doc::new("é call me at 555");
        assert_eq!(d.before(14, 100), "é call me at ");
        // Position 1 is inside "é": it floors to 0.
        assert_eq!(d.before(1, 1), "");
        assert_eq!(d.after(1, 3), "é ");
        assert_eq!(d.before(14, 3), "at ");
        assert!(d.after(100, 5).is_empty());
    }
}

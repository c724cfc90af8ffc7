//! Context words around a candidate: the cheap evidence that raises or lowers a score
//! ("DOB", "member ID", "call me at", "fax"). Matching is ASCII case-insensitive on whole words.

use crate::detector::Doc;

/// How far to look around a span, in bytes.
pub const DEFAULT_WINDOW: usize = 48;

/// True when any of `words` occurs as a whole word (ASCII case-insensitive) in `hay`.
/// Multi-word entries match with any run of spaces or punctuation between their words.
pub fn contains_word(hay: &str, words: &[&str]) -> bool {
    words.iter().any(|w| find_word(hay, w).is_some())
}

/// Byte offset of the last whole-word occurrence of `word` in `hay`.
pub fn find_word(hay: &str, word: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let w = word.as_bytes();
    if w.is_empty() || h.len() < w.len() {
        return None;
    }
    let mut found = None;
    let mut i = 0;
    while i + w.len() <= h.len() {
        if h[i..i + w.len()].eq_ignore_ascii_case(w) {
            let left_ok = i == 0 || !h[i - 1].is_ascii_alphanumeric();
            let right_ok = i + w.len() == h.len() || !h[i + w.len()].is_ascii_alphanumeric();
            if left_ok && right_ok {
                found = Some(i);
            }
        }
        i += 1;
    }
    found
}

/// True when one of `words` appears within `window` bytes before `start`.
pub fn before_has(doc: &Doc<'_>, start: usize, window: usize, words: &[&str]) -> bool {
    contains_word(doc.before(start, window), words)
}

/// True when one of `words` appears within `window` bytes after `end`.
pub fn after_has(doc: &Doc<'_>, end: usize, window: usize, words: &[&str]) -> bool {
    contains_word(doc.after(end, window), words)
}

/// True when one of `words` appears on either side within `window` bytes.
pub fn around_has(doc: &Doc<'_>, start: usize, end: usize, window: usize, words: &[&str]) -> bool {
    before_has(doc, start, window, words) || after_has(doc, end, window, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert!(contains_word("Pt DOB: 3/4/84", &["dob"]));
        assert!(!contains_word("adobe", &["dob"]));
        assert!(contains_word("call me at", &["call me at"]));
        assert_eq!(find_word("fax fax", "fax"), Some(4));
    }

    #[test]
    fn windows() {
        let d = Doc::new("member id 12345 thanks");
        assert!(before_has(&d, 10, 20, &["member id"]));
        assert!(after_has(&d, 15, 20, &["thanks"]));
        assert!(!before_has(&d, 10, 20, &["thanks"]));
    }
}

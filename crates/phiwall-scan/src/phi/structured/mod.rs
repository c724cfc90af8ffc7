//! Structured identifiers: numbers and codes with a recognisable shape (SSN, phone and fax,
//! e-mail, URL, IP address, payment card) and identifiers recognised by the words that introduce
//! them (MRN, health plan, account, licence, vehicle, device, biometric and other ids).
//!
//! Two kinds of detector live here:
//! - *shape* detectors (one per file) find candidates with a compiled regex or a byte prefilter,
//!   check boundaries and validators (`crate::phi::validators`), then score with context words;
//!   SSN, phone/fax, card and IPv4 share one pass over the text's *digit clusters* (runs of
//!   digits joined by short separators, found eight bytes at a time) through
//!   [`NumericDetector`], so their regexes only ever see a few short slices;
//! - one *keyed* detector (`keyed.rs`) runs a single Aho-Corasick automaton over every context
//!   phrase ("MRN", "member ID", "VIN", "serial number", "fingerprint ID" ...) of the families in
//!   `ids`, `vehicle`, `device`, `biometric` and `other_id`, only over the stretches just before
//!   words that hold a digit, and reads the identifier that follows.
//!
//! Context words are checked with `Window`: a window of text split into words once, matched
//! against short lists (whole words, ASCII case-insensitive).
//!
//! Invariants: every span is on ASCII bytes of `doc.text` (so always on char boundaries); regexes
//! are ASCII-only (`(?-u)`) so the lazy DFA never falls back to slow Unicode word boundaries; no
//! detector allocates per byte. Numbers glued to other numbers ("1.555-212-9876", "555-212-9876-1")
//! are never reported, and dose units, vitals, lab names, room and extension words lower scores.

mod biometric;
mod card;
mod device;
mod email;
mod ids;
mod ip;
mod keyed;
mod other_id;
mod phone;
mod ssn;
mod url;
mod vehicle;

use crate::detector::{floor_boundary, Detector, Doc, Span};

/// This family's detectors, built once (regexes and automata compile here).
///
/// The digit-cluster families (SSN, phone, card, IPv4) share one pass over the text through
/// [`NumericDetector`]; each still tags its spans with its own recognizer name.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(NumericDetector::default()),
        Box::new(email::EmailDetector),
        Box::new(url::UrlDetector::new()),
        Box::new(ip::Ipv6Detector),
        Box::new(ids::IdShapeDetector::new()),
        Box::new(vehicle::VinDetector::new()),
        Box::new(device::UdiDetector::new()),
        Box::new(keyed::KeyedDetector::new()),
    ]
}

/// SSN, phone/fax, payment card and IPv4 detection in one pass over the digit clusters.
#[derive(Debug, Default)]
pub struct NumericDetector {
    ssn: ssn::SsnDetector,
    phone: phone::PhoneDetector,
    card: card::CardDetector,
    ip: ip::IpDetector,
}

impl Detector for NumericDetector {
    fn name(&self) -> &'static str {
        "numeric"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        for c in digit_clusters(doc.text).filter(|c| c.digits >= 4) {
            self.ssn.scan_cluster(doc, c, out);
            self.phone.scan_cluster(doc, c, out);
            self.card.scan_cluster(doc, c, out);
            self.ip.scan_cluster(doc, c, out);
        }
        self.phone.scan_area_code_then(doc, out);
    }
}

/// Words that, just before a number, say it is not an identifier (rooms, extensions, codes,
/// lab and vital names, money).
pub(crate) const NEG_BEFORE: &[&str] = &[
    "room",
    "rm",
    "bed",
    "ext",
    "extension",
    "x",
    "icd",
    "icd10",
    "icd-10",
    "cpt",
    "ndc",
    "hcpcs",
    "loinc",
    "snomed",
    "lot",
    "version",
    "ver",
    "v",
    "build",
    "release",
    "dose",
    "bp",
    "hr",
    "rr",
    "temp",
    "spo2",
    "o2",
    "sat",
    "sats",
    "pulse",
    "wt",
    "weight",
    "ht",
    "height",
    "bmi",
    "glucose",
    "hgb",
    "hct",
    "wbc",
    "plt",
    "inr",
    "ptt",
    "na",
    "k",
    "cl",
    "bun",
    "cr",
    "creat",
    "a1c",
    "ldl",
    "hdl",
    "tsh",
    "usd",
    "page",
    "pages",
    "step",
    "steps",
    "mg",
    "ml",
];

/// Unit words that, right after a number, make it a measurement.
pub(crate) const UNITS_AFTER: &[&str] = &[
    "mg", "mcg", "ug", "g", "gm", "kg", "lb", "lbs", "ml", "l", "cc", "units", "unit", "u", "iu",
    "meq", "mmol", "mmhg", "bpm", "mm", "cm", "min", "mins", "hrs", "hours", "days", "tabs",
    "tablets", "caps", "puffs", "drops", "times", "mg/dl", "pm", "am",
];

/// True for ASCII letters and digits.
pub(crate) fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// True when the number starting at `start` is not glued to text on its left: the previous
/// byte is not alphanumeric, `$` or `@`; a `-`, `/` or `+` must not follow a letter or digit
/// ("x-123", "7/555"), and a `.`, `,` or `:` must not follow a digit ("1.555", "$1,250", "10:30").
pub(crate) fn left_free(text: &[u8], start: usize) -> bool {
    let Some(&p) = start.checked_sub(1).and_then(|i| text.get(i)) else { return true };
    if is_alnum(p) || matches!(p, b'_' | b'$' | b'@') {
        return false;
    }
    let pp = start.checked_sub(2).and_then(|i| text.get(i)).copied();
    match p {
        b'-' | b'/' | b'+' => !pp.is_some_and(is_alnum),
        b'.' | b',' | b':' => !pp.is_some_and(|b| b.is_ascii_digit()),
        _ => true,
    }
}

/// A run of digits joined by short separators ("(212) 555-0147", "4111 1111 1111 1111",
/// "192.168.0.1"): the only places numeric shapes can match. Found once per detector with a
/// plain byte loop, so long stretches of prose cost almost nothing and the regexes only ever see
/// a few short slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cluster {
    /// Byte offset of the first byte (a digit, or a `+`/`(` right before one).
    pub start: usize,
    /// Byte offset one past the last digit.
    pub end: usize,
    /// Number of ASCII digits inside.
    pub digits: usize,
}

/// Iterator over the digit clusters of a text; see [`Cluster`].
pub(crate) struct Clusters<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Digit clusters of `text`: digits joined by one or two bytes of ` -.()/+:,`, widened left over
/// one `+` or `(`.
pub(crate) fn digit_clusters(text: &str) -> Clusters<'_> {
    Clusters { bytes: text.as_bytes(), pos: 0 }
}

impl Iterator for Clusters<'_> {
    type Item = Cluster;

    fn next(&mut self) -> Option<Cluster> {
        let b = self.bytes;
        let first = find_digit(b, self.pos)?;
        let mut i = first;
        let mut end = first;
        let mut digits = 0;
        loop {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                digits += 1;
                i += 1;
            }
            end = end.max(i);
            let is_sep =
                |x: &u8| matches!(x, b' ' | b'-' | b'.' | b'(' | b')' | b'/' | b'+' | b':' | b',');
            let mut j = i;
            while j < i + 2 && b.get(j).is_some_and(is_sep) {
                j += 1;
            }
            if j > i && b.get(j).is_some_and(u8::is_ascii_digit) {
                i = j;
            } else {
                break;
            }
        }
        self.pos = end.max(first + 1);
        let start = match first.checked_sub(1).and_then(|p| b.get(p)) {
            Some(b'+' | b'(') => first - 1,
            _ => first,
        };
        Some(Cluster { start, end, digits })
    }
}

/// A maximal run of ASCII letters, digits and inner dashes, with what kinds of bytes it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Word {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Holds an ASCII uppercase letter.
    pub has_upper: bool,
    /// Holds an ASCII lowercase letter.
    pub has_lower: bool,
    /// Holds an ASCII digit.
    pub has_digit: bool,
}

/// Iterator over [`Word`]s; see [`alnum_words`].
pub(crate) struct Words<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Runs of `[A-Za-z0-9]` joined by single dashes ("1EG4-TE5-MK73", "AB1234563"), in order.
pub(crate) fn alnum_words(text: &str) -> Words<'_> {
    Words { bytes: text.as_bytes(), pos: 0 }
}

impl Iterator for Words<'_> {
    type Item = Word;

    fn next(&mut self) -> Option<Word> {
        let b = self.bytes;
        let start = self.pos + b.get(self.pos..)?.iter().position(|&x| is_alnum(x))?;
        let mut w =
            Word { start, end: start, has_upper: false, has_lower: false, has_digit: false };
        let mut i = start;
        while let Some(&x) = b.get(i) {
            if is_alnum(x) {
                w.has_upper |= x.is_ascii_uppercase();
                w.has_lower |= x.is_ascii_lowercase();
                w.has_digit |= x.is_ascii_digit();
                i += 1;
            } else if x == b'-' && b.get(i + 1).is_some_and(|&y| is_alnum(y)) {
                i += 1;
            } else {
                break;
            }
        }
        w.end = i;
        self.pos = i;
        Some(w)
    }
}

/// Index of the first ASCII digit in `bytes` at or after `from`. Eight bytes at a time (SWAR):
/// prose has few digits, and this loop is what every numeric detector pays per byte.
pub(crate) fn find_digit(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut arr = [0u8; 8];
        arr.copy_from_slice(chunk);
        let x = u64::from_le_bytes(arr);
        // Bytes 0x30..=0x39 become 0..=9 after xor with 0x30 only when their high nibble is 3;
        // "has a byte < 10" (Mycroft's hasless) flags chunks worth a byte-by-byte look.
        let t = x ^ (ONES * 0x30);
        let has_small = t.wrapping_sub(ONES * 10) & !t & HIGHS;
        if has_small != 0 {
            if let Some(p) = chunk.iter().position(u8::is_ascii_digit) {
                return Some(i + p);
            }
        }
        i += 8;
    }
    bytes.get(i..)?.iter().position(u8::is_ascii_digit).map(|p| i + p)
}

/// Words (see [`Word`]) that contain at least one digit, found from the digits outward so text
/// without digits is skipped at [`find_digit`] speed.
pub(crate) fn digit_words(text: &str) -> impl Iterator<Item = Word> + '_ {
    let b = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        let d = find_digit(b, pos)?;
        let mut s = d;
        while s > 0
            && b.get(s - 1).is_some_and(|&x| {
                is_alnum(x) || (x == b'-' && s >= 2 && b.get(s - 2).is_some_and(|&y| is_alnum(y)))
            })
        {
            s -= 1;
        }
        let w = alnum_words(text.get(s..).unwrap_or("")).next().map(|w| Word {
            start: w.start + s,
            end: w.end + s,
            ..w
        })?;
        pos = w.end.max(d + 1);
        Some(w)
    })
}

/// True when one of `words` occurs as a whole word (ASCII case-insensitive) in `hay`.
/// Multi-word entries ("call me at") match consecutive words separated by any non-alphanumeric
/// bytes. See [`Window`], which this builds once.
pub(crate) fn has_word(hay: &str, words: &[&str]) -> bool {
    Window::new(hay).has(words)
}

/// Byte offset in `hay` of the last whole-word occurrence of any of `words`; see [`has_word`].
#[cfg(test)]
pub(crate) fn last_word_at(hay: &str, words: &[&str]) -> Option<usize> {
    Window::new(hay).last(words, 0)
}

/// A context window split into words once, so several word lists can be checked against it.
///
/// Faster than [`crate::phi::context::contains_word`] for long lists: an entry whose first word
/// has a length no token has is rejected with one bit test, others are compared token by token.
pub(crate) struct Window<'a> {
    b: &'a [u8],
    toks: [(u32, u32); 24],
    n: usize,
    /// Bit `k` set when some token has length `k` (lengths of 63+ share bit 63).
    len_mask: u64,
    /// Bit `b & 63` set when some token starts with byte `b` (ASCII-lowercased).
    first_mask: u64,
}

impl<'a> Window<'a> {
    /// Split `hay` into its first 24 words.
    pub(crate) fn new(hay: &'a str) -> Self {
        let b = hay.as_bytes();
        let mut w = Window { b, toks: [(0, 0); 24], n: 0, len_mask: 0, first_mask: 0 };
        let mut i = 0;
        while i < b.len() && w.n < w.toks.len() {
            if b.get(i).is_some_and(|&x| is_alnum(x)) {
                let s = i;
                while b.get(i).is_some_and(|&x| is_alnum(x)) {
                    i += 1;
                }
                if let Some(t) = w.toks.get_mut(w.n) {
                    *t = (s as u32, i as u32);
                    w.n += 1;
                    w.len_mask |= 1u64 << (i - s).min(63);
                    let first = b.get(s).map_or(0, u8::to_ascii_lowercase);
                    w.first_mask |= 1u64 << (first & 63);
                }
            } else {
                i += 1;
            }
        }
        w
    }

    /// Length in bytes of the text the window was built from.
    pub(crate) fn len(&self) -> usize {
        self.b.len()
    }

    fn tok(&self, k: usize) -> &'a [u8] {
        self.toks.get(k).and_then(|&(s, e)| self.b.get(s as usize..e as usize)).unwrap_or(&[])
    }

    /// True when one of `words` occurs.
    pub(crate) fn has(&self, words: &[&str]) -> bool {
        self.last(words, 0).is_some()
    }

    /// True when one of `words` starts at or after byte `from`.
    pub(crate) fn has_from(&self, words: &[&str], from: usize) -> bool {
        self.last(words, from).is_some()
    }

    /// Byte offset of the last occurrence of any of `words` starting at or after `from`.
    pub(crate) fn last(&self, words: &[&str], from: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        for w in words {
            let wb = w.as_bytes();
            // Most entries fail on their first letter: one bit test, before any scanning.
            let Some(&c0) = wb.first() else { continue };
            if self.first_mask & (1u64 << (c0.to_ascii_lowercase() & 63)) == 0 {
                continue;
            }
            let k = wb.iter().position(|&c| !is_alnum(c)).unwrap_or(wb.len());
            let (first, rest) = wb.split_at(k);
            if first.is_empty() || self.len_mask & (1u64 << first.len().min(63)) == 0 {
                continue;
            }
            for t in 0..self.n {
                let at = self.toks.get(t).map_or(0, |tt| tt.0 as usize);
                let x = self.tok(t);
                if at < from || x.len() != first.len() || !x.eq_ignore_ascii_case(first) {
                    continue;
                }
                // Remaining parts of a multi-word entry must follow token by token.
                let mut next = t + 1;
                let is_hit = rest.split(|&c| !is_alnum(c)).filter(|p| !p.is_empty()).all(|p| {
                    let y = self.tok(next);
                    next += 1;
                    y.len() == p.len() && y.eq_ignore_ascii_case(p)
                });
                if is_hit && best.is_none_or(|bst| at > bst) {
                    best = Some(at);
                }
            }
        }
        best
    }
}

/// True when the number ending at `end` is not glued to text on its right: the next byte is not
/// alphanumeric, and not `-`, `.`, `/`, `,` or `:` followed by a digit ("555-212-9876-12",
/// "4.5.6", "120/80"), and not `%`.
pub(crate) fn right_free(text: &[u8], end: usize) -> bool {
    let Some(&n) = text.get(end) else { return true };
    if is_alnum(n) || n == b'_' || n == b'%' {
        return false;
    }
    if matches!(n, b'-' | b'.' | b'/' | b',' | b':') {
        return !text.get(end + 1).is_some_and(|b| b.is_ascii_digit());
    }
    true
}

/// The first word (ASCII letters, digits, `/`, `%`) after `end`, skipping at most one space.
pub(crate) fn next_word(text: &str, end: usize) -> &str {
    let bytes = text.as_bytes();
    let mut i = end;
    if bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    let s = i;
    while bytes.get(i).is_some_and(|&b| is_alnum(b) || b == b'/' || b == b'%') {
        i += 1;
    }
    text.get(s..i).unwrap_or("")
}

/// The last word (letters, digits, `-`) ending within a few bytes before `start`, skipping
/// spaces and `:#.` punctuation.
pub(crate) fn prev_word(text: &str, start: usize) -> &str {
    let bytes = text.as_bytes();
    let mut i = start.min(bytes.len());
    let mut skipped = 0;
    while i > 0 && skipped < 3 && bytes.get(i - 1).is_some_and(|b| b" :#.\t".contains(b)) {
        i -= 1;
        skipped += 1;
    }
    let e = i;
    while i > 0 && bytes.get(i - 1).is_some_and(|&b| is_alnum(b) || b == b'-') {
        i -= 1;
    }
    text.get(i..e).unwrap_or("")
}

/// How far an answer may start after the question mark: room for a speaker label and a few
/// words ("\n[caller] yeah, it's ", "\nPatient: That's Keisha Washington, ").
const ANSWER_PREFIX_MAX: usize = 64;
/// At most this many words between the question mark and the answer's value.
const ANSWER_PREFIX_WORDS: usize = 6;
/// How far back a question may start before its question mark.
const QUESTION_MAX: usize = 120;

/// True when `prefix` (the text between a question mark and a value) is only a speaker label and
/// a few words: no digits, no sentence end, at most [`ANSWER_PREFIX_WORDS`] words.
fn is_answer_prefix(prefix: &[u8]) -> bool {
    if prefix.len() > ANSWER_PREFIX_MAX {
        return false;
    }
    let mut words = 0;
    let mut in_word = false;
    for &b in prefix {
        if b.is_ascii_digit() || matches!(b, b'.' | b'?' | b'!' | b';' | b'(' | b')') {
            return false;
        }
        let is_word = b.is_ascii_alphabetic() || b >= 0x80 || b == b'\'';
        if is_word && !in_word {
            words += 1;
        }
        in_word = is_word;
    }
    words <= ANSWER_PREFIX_WORDS + 1
}

/// When the value starting at `start` answers a question ("What's the best number to reach
/// you?\nCaller: Sure, it's 382 294 2240"), the question (from its sentence start to the
/// question mark); else `None`. Speakers answer in the next turn, so the words that tell what a
/// number is ("phone", "member ID", "zip code") are often in the other speaker's question, beyond
/// the usual context window.
pub(crate) fn answered_question(text: &str, start: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let lo = start.saturating_sub(ANSWER_PREFIX_MAX + 1);
    let q = (lo..start).rev().find(|&i| bytes.get(i) == Some(&b'?'))?;
    if !is_answer_prefix(bytes.get(q + 1..start)?) {
        return None;
    }
    let qlo = q.saturating_sub(QUESTION_MAX);
    let qs = (qlo..q)
        .rev()
        .find(|&i| bytes.get(i).is_some_and(|b| b".?!\n".contains(b)))
        .map_or(qlo, |i| i + 1);
    text.get(floor_boundary(text, qs)..q)
}

/// When the phrase ending at `from` sits in a question ("Can you read me the account number on
/// the statement?"), where the answer's first digit-bearing word starts (after a speaker label
/// and a few words such as "yeah it's"); else `None`.
pub(crate) fn answer_after_question(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    // The rest of the question: no digits, no sentence end.
    let mut i = from;
    let limit = (from + 80).min(bytes.len());
    while i < limit {
        let b = *bytes.get(i)?;
        if b == b'?' {
            break;
        }
        if b.is_ascii_digit() || matches!(b, b'.' | b'!' | b'\n' | b';') {
            return None;
        }
        i += 1;
    }
    if bytes.get(i) != Some(&b'?') {
        return None;
    }
    let q = i;
    // The first word holding a digit after the question mark.
    let mut j = q + 1;
    let limit = (q + 1 + ANSWER_PREFIX_MAX).min(bytes.len());
    while j < limit {
        let b = *bytes.get(j)?;
        if b.is_ascii_digit() {
            break;
        }
        j += 1;
    }
    if !bytes.get(j).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    // Back to the start of that word ("F1549798").
    while j > q + 1 && bytes.get(j - 1).is_some_and(|&b| is_alnum(b)) {
        j -= 1;
    }
    is_answer_prefix(bytes.get(q + 1..j)?).then_some(j)
}

/// True when the word right after `end` is a measurement unit.
pub(crate) fn unit_follows(text: &str, end: usize) -> bool {
    let w = next_word(text, end);
    !w.is_empty() && UNITS_AFTER.iter().any(|u| w.eq_ignore_ascii_case(u))
}

/// True when the word right before `start` says "not an identifier" (room, ext, ICD, BP ...).
pub(crate) fn negative_before(text: &str, start: usize) -> bool {
    let w = prev_word(text, start);
    !w.is_empty() && NEG_BEFORE.iter().any(|n| w.eq_ignore_ascii_case(n))
}

/// Context score: `base`, raised to `with_ctx` when one of `pos` occurs within `window` bytes
/// before the span (or `window / 2` after), and lowered to `with_neg` when one of `neg` occurs
/// just before it and no positive word does.
#[allow(clippy::too_many_arguments)]
pub(crate) fn context_score(
    doc: &Doc<'_>,
    start: usize,
    end: usize,
    window: usize,
    pos: &[&str],
    neg: &[&str],
    base: f32,
    with_ctx: f32,
) -> f32 {
    let before = doc.before(start, window);
    let bw = Window::new(before);
    if bw.has(pos) || has_word(doc.after(end, window / 2), pos) {
        return with_ctx.max(base);
    }
    if bw.has_from(neg, before.len().saturating_sub(24)) {
        return base.min(0.3);
    }
    base
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Helpers shared by the family tests: run one detector and read back (type, text, score).
    use crate::detector::{Detector, Doc, Span};
    use crate::types::PhiType;

    /// Spans the detector reports at or above the scanner's default threshold, as
    /// (type, covered text).
    pub fn found(d: &dyn Detector, text: &str) -> Vec<(PhiType, String)> {
        found_in(d, &Doc::new(text))
    }

    /// Like [`found`] on a spoken view.
    pub fn found_spoken(d: &dyn Detector, text: &str) -> Vec<(PhiType, String)> {
        found_in(d, &Doc { text, is_spoken_view: true })
    }

    fn found_in(d: &dyn Detector, doc: &Doc<'_>) -> Vec<(PhiType, String)> {
        let mut out: Vec<Span> = Vec::new();
        d.detect(doc, &mut out);
        for s in &out {
            assert!(s.start < s.end && s.end <= doc.text.len(), "span in range");
            assert!(doc.text.is_char_boundary(s.start) && doc.text.is_char_boundary(s.end));
        }
        out.iter()
            .filter(|s| s.score >= 0.5)
            .map(|s| (s.kind, doc.text[s.start..s.end].to_string()))
            .collect()
    }

    /// Assert the detector reports nothing at the default threshold.
    pub fn assert_none(d: &dyn Detector, text: &str) {
        let f = found(d, text);
        assert!(f.is_empty(), "expected nothing in {text:?}, got {f:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let t = b"a1.555 x-12 (555) 9";
        assert!(!left_free(t, 3), "after digit-dot");
        assert!(left_free(t, 0));
        assert!(!left_free(b"x-123", 2));
        assert!(left_free(b"call 555", 5));
        assert!(left_free(b"#555", 1));
        assert!(!left_free(b"$1250", 1));
        assert!(right_free(b"555. ", 3));
        assert!(!right_free(b"555.5", 3));
        assert!(!right_free(b"555%", 3));
        assert!(!right_free(b"555a", 3));
        assert!(right_free(b"555", 3));
    }

    #[test]
    fn clusters() {
        let t = "call (212) 555-0147, BP 120/80 HR 72 card 4111 1111 1111 1111. +1 5";
        let got: Vec<(&str, usize)> =
            digit_clusters(t).map(|c| (&t[c.start..c.end], c.digits)).collect();
        assert_eq!(
            got,
            vec![
                ("(212) 555-0147", 10),
                ("120/80", 5),
                ("72", 2),
                ("4111 1111 1111 1111", 16),
                ("+1 5", 2)
            ]
        );
        assert_eq!(digit_clusters("no digits").count(), 0);
        assert_eq!(digit_clusters("").count(), 0);
        assert_eq!(digit_clusters("9").map(|c| (c.start, c.end)).collect::<Vec<_>>(), vec![(0, 1)]);
    }

    #[test]
    fn words() {
        let t = "MBI 1EG4-TE5-MK73, dea AB1234563 -x- é";
        let got: Vec<&str> = alnum_words(t).map(|w| &t[w.start..w.end]).collect();
        assert_eq!(got, vec!["MBI", "1EG4-TE5-MK73", "dea", "AB1234563", "x"]);
        let w = alnum_words("aB3").next().unwrap();
        assert!(w.has_upper && w.has_lower && w.has_digit);
        assert_eq!(alnum_words("").count(), 0);
    }

    #[test]
    fn digit_search() {
        let t = b"abcdefghijklmnopqrstuvwxyz 0123 //:;@ 9";
        assert_eq!(find_digit(t, 0), Some(27));
        assert_eq!(find_digit(t, 31), Some(38));
        assert_eq!(find_digit(t, 39), None);
        assert_eq!(find_digit(b"", 0), None);
        assert_eq!(find_digit(b"abc", 10), None);
        // Bytes near '0'..'9' in value but not digits.
        assert_eq!(find_digit(b"/:;<=>?@ /:;<=>?@ PQRSTUVWXYZ", 0), None);
        for i in 0..40 {
            let mut v = vec![b'x'; 40];
            v[i] = b'7';
            assert_eq!(find_digit(&v, 0), Some(i));
        }
        let t = "see W4821-7 and 1EG4-TE5-MK73, é5x";
        let got: Vec<&str> = digit_words(t).map(|w| &t[w.start..w.end]).collect();
        assert_eq!(got, vec!["W4821-7", "1EG4-TE5-MK73", "5x"]);
    }

    #[test]
    fn word_lists() {
        assert!(has_word("Pt SSN: x", &["ssn"]));
        assert!(has_word("please CALL me   at", &["call me at"]));
        assert!(!has_word("recall me", &["call me"]));
        assert!(!has_word("adobe", &["dob"]));
        assert!(has_word("ss# ", &["ss"]));
        assert_eq!(last_word_at("phone 1, fax 2", &["fax", "phone"]), Some(9));
        assert_eq!(last_word_at("", &["fax"]), None);
        assert!(!has_word("fax", &[]));
        let w = Window::new("fax 1, phone 2, mrn");
        assert!(w.has_from(&["mrn"], 10));
        assert!(!w.has_from(&["fax"], 1));
        assert_eq!(w.last(&["fax", "phone"], 0), Some(7));
    }

    #[test]
    fn words_around() {
        assert_eq!(next_word("500 mg daily", 3), "mg");
        assert!(unit_follows("500 mg daily", 3));
        assert!(!unit_follows("500 daily", 3));
        assert_eq!(prev_word("room 412", 5), "room");
        assert_eq!(prev_word("ext. 4471", 5), "ext");
        assert!(negative_before("BP: 120", 4));
        assert!(!negative_before("call 555", 5));
        assert_eq!(prev_word("", 0), "");
    }

    /// Every structured detector over one text; spans at or above the default threshold.
    fn all_found(text: &str, is_spoken_view: bool) -> Vec<(crate::types::PhiType, String)> {
        let doc = Doc { text, is_spoken_view };
        let mut out = Vec::new();
        for d in detectors() {
            d.detect(&doc, &mut out);
        }
        out.iter()
            .filter(|s| s.score >= 0.5)
            .map(|s| (s.kind, text[s.start..s.end].to_string()))
            .collect()
    }

    #[test]
    fn clinical_numbers_are_not_phi() {
        let texts = [
            "Metformin 500 mg PO BID, insulin 0.5 mL SC, KCl 20 mEq x2, Tylenol 650 mg q6h prn",
            "BP 120/80, HR 72, RR 16, T 98.6, SpO2 98% on RA, Wt 82.5 kg, BMI 27.4",
            "K 4.2, Na 138, Cl 101, HCO3 24, BUN 18, Cr 1.1, Hgb 13.5, WBC 7.2, Plt 250, INR 1.1",
            "at 10:30 and again at 8 30 pm, next dose 0800, seen 14:45:10",
            "Dx E11.9, I10, Z79.4, J45.909; CPT 99213, 93000, 80053; HCPCS J1100",
            "NDC 0002-3227-30 and NDC 0069-0105-01 dispensed, lot 4471A",
            "total $1,250.00, copay $25, balance $12,345.67",
            "3 tabs, 2 puffs, 12 hours, 4 weeks, 1-2 days, 10 of 12 systems reviewed",
            "room 412, bed 2, ext. 4471, extension 5562, x4471",
            "firmware version 1.2.3, v2.10.4.1, section 4.2.1.3, release 10.0.19045",
            "DOB 03/04/1984, seen 2023-12-05, on 12.05.2023, in 1984, follow up 6/12",
            "ABG 7.35/45/80/24, vent A/C 500x12, FiO2 40%, PEEP 5",
            "platelets 150000, WBC 12000 cells/uL, ANC 1500, CD4 350 cells, VL 40000 copies",
            "QTc 450 ms, EF 55-60%, LDL 130 mg/dL, A1c 7.2%, glucose 105 mg/dL 2 hours",
            "e.g. report.pdf, notes.docx, i.e. pt. Dr.Smith St.Louis",
            "ages 40-64 and 65-74; 1 in 1000; ratio 1:2:3; 5'10\"; 6 ft 2 in",
        ];
        let spoken = [
            "bp was 120 over 80 and heart rate 72 oxygen 98 percent",
            "i take 2 tablets 3 times a day and 500 mg at night",
            "my sugar was 105 this morning at 8 30 and 140 after lunch",
            "i was born in 1979 and i am 45 years old, room 412 bed 2",
            "the pharmacy number is on the bottle, call me back in 2 weeks",
            "i walked 3 5 miles and lost 12 pounds in 6 weeks",
        ];
        for t in spoken {
            assert!(all_found(t, true).is_empty(), "spoken {t:?}: {:?}", all_found(t, true));
        }
        for t in texts {
            assert!(all_found(t, false).is_empty(), "{t:?}: {:?}", all_found(t, false));
            assert!(all_found(t, true).is_empty(), "spoken {t:?}: {:?}", all_found(t, true));
        }
    }

    #[test]
    fn mixed_note_types() {
        use crate::types::PhiType as T;
        let note = "MRN: 00123456. Call me at (212) 555-0147; fax 212-555-0148. \
            john.doe@example.com https://mychart.example.org/p/1 SSN 123-45-6789 \
            visa 4111 1111 1111 1111 from 192.168.10.20. Member ID XJH123456789. \
            DEA AB1234563. VIN 1HGCM82633A004352. serial PJN123456H. \
            fingerprint ID FP-88213. claim number 88-1234-X.";
        let got = all_found(note, false);
        for (kind, s) in [
            (T::Mrn, "00123456"),
            (T::Phone, "(212) 555-0147"),
            (T::Fax, "212-555-0148"),
            (T::Email, "john.doe@example.com"),
            (T::Url, "https://mychart.example.org/p/1"),
            (T::Ssn, "123-45-6789"),
            (T::CreditCard, "4111 1111 1111 1111"),
            (T::IpAddress, "192.168.10.20"),
            (T::HealthPlanId, "XJH123456789"),
            (T::LicenseNumber, "AB1234563"),
            (T::VehicleId, "1HGCM82633A004352"),
            (T::DeviceId, "PJN123456H"),
            (T::BiometricId, "FP-88213"),
            (T::OtherId, "88-1234-X"),
        ] {
            assert!(got.contains(&(kind, s.to_string())), "missing {kind} {s:?} in {got:?}");
        }
    }

    /// Every detector, both views: spans in range, non-empty, on char boundaries, scores in [0, 1].
    fn check_spans(text: &str) {
        static ALL: std::sync::LazyLock<Vec<Box<dyn Detector>>> =
            std::sync::LazyLock::new(detectors);
        for d in ALL.iter() {
            for is_spoken_view in [false, true] {
                let mut out = Vec::new();
                d.detect(&Doc { text, is_spoken_view }, &mut out);
                for s in out {
                    assert!(
                        s.start < s.end && s.end <= text.len(),
                        "{} span out of range",
                        d.name()
                    );
                    assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
                    assert!((0.0..=1.0).contains(&s.score));
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

        #[test]
        fn any_text_is_safe(s in "\\PC{0,80}") {
            check_spans(&s);
        }

        #[test]
        fn id_like_text_is_safe(
            s in "[0-9 ()+.@:/#xX-]{0,40}[a-zA-Z0-9 .@:/é-]{0,40}",
            key in proptest::sample::select(vec!["", "MRN ", "call me at ", "VIN ", "SSN ", "http://", "www.", "IBAN ", "fax "]),
        ) {
            check_spans(&format!("{key}{s}"));
        }
    }

    #[test]
    fn every_detector_has_a_name_and_survives_odd_input() {
        let ds = detectors();
        let inputs =
            ["", "é", "@", "::", "...", "1", "(", "http://", "\u{1F600}@x.com 555-", "a@b."];
        for d in &ds {
            assert!(!d.name().is_empty());
            for t in inputs {
                let mut out = Vec::new();
                d.detect(&Doc::new(t), &mut out);
                d.detect(&Doc { text: t, is_spoken_view: true }, &mut out);
                for s in out {
                    assert!(s.start < s.end && s.end <= t.len());
                }
            }
        }
    }
}

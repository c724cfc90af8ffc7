//! Spelled-out runs: single letters and digits said one by one ("N-G-U-Y-E-N", "W 4 8 2 1 9",
//! "W four eight two one nine", "N. G. U.") joined into one word for the view, and the
//! [`SpelledNameDetector`] for surnames spelled after a name cue ("my last name is L-O-P-E-Z").
//!
//! A run is a maximal sequence of *items* (a single letter, a single written digit, a digit word,
//! "double/triple X") separated by spaces, a hyphen, a comma or a dash; a period separates only
//! two letters ("N. G." but not "1.2"). It is joined when it has at least three characters and
//! either a letter or only written digits ("1 2 3 4" -> "1234"); a run of spoken digits without
//! letters is left to the number parser. The English words "a" and "I" are not letters at the
//! edge of a run when their case or kind differs from their neighbour ("is a W 4 8" -> "is a W48"),
//! and a run whose only letter is "a"/"I" is prose. A lone "o"/"O" is the digit zero when its
//! neighbours in the run are digits ("W four o two" -> "W402") and a letter otherwise.

use super::tokens::{Class, Gap, Tok};
use super::view::View;
use crate::detector::{Detector, Doc, Span};
use crate::phi::context::before_has;
use crate::types::PhiType;

/// What one item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Letter,
    /// A single written digit.
    Written,
    /// A spoken digit word, "oh" or "double/triple X".
    Spoken,
}

/// "L as in Larry" at token `k`.
fn is_phonetic(toks: &[Tok], k: usize) -> bool {
    let class = |i: usize| toks.get(k + i).map(|t| (t.class, t.gap.is_soft()));
    matches!(class(0), Some((Class::Letter(_), true)))
        && matches!(class(1), Some((Class::As, true)))
        && matches!(class(2), Some((Class::In, true)))
        && matches!(class(3), Some((Class::Word | Class::Letter(_), _)))
}

/// Item at token `k`: its kind, character count and number of tokens.
fn item_at(toks: &[Tok], k: usize) -> Option<(ItemKind, usize, usize)> {
    let t = toks.get(k)?;
    match t.class {
        Class::Letter(_) if is_phonetic(toks, k) => Some((ItemKind::Letter, 1, 4)),
        Class::Letter(_) => Some((ItemKind::Letter, 1, 1)),
        Class::DigitChar(_) => Some((ItemKind::Written, 1, 1)),
        Class::Digit(_) | Class::Oh => Some((ItemKind::Spoken, 1, 1)),
        Class::Repeat(n) if t.gap.is_soft() => {
            let next = toks.get(k + 1)?.class;
            matches!(
                next,
                Class::Digit(_) | Class::Oh | Class::DigitChar(_) | Class::Letter(b'o' | b'O')
            )
            .then_some((ItemKind::Spoken, usize::from(n), 2))
        }
        _ => None,
    }
}

/// Labels callers spell before the number they name ("m r n", "d o b", "s s n", "i d").
const SPELLED_LABELS: &[&[u8]] = &[b"mrn", b"dob", b"ssn", b"id", b"npi", b"dea"];

/// Tokens `first..=last` are single letters (no phonetic "as in") spelling one of
/// [`SPELLED_LABELS`].
fn is_spelled_label(toks: &[Tok], first: usize, last: usize) -> bool {
    let Some(run) = toks.get(first..=last) else { return false };
    if run.len() > 3 {
        return false;
    }
    let mut buf = [0u8; 3];
    for (slot, t) in buf.iter_mut().zip(run) {
        match t.class {
            Class::Letter(c) => *slot = c.to_ascii_lowercase(),
            _ => return false,
        }
    }
    let letters = buf.get(..run.len()).unwrap_or(&[]);
    SPELLED_LABELS.contains(&letters)
}

/// The word "dash" (not "slash", the other [`Class::Dash`] word: a date's separator). The
/// token's length tells them apart without the text.
fn is_dash_word(t: &Tok) -> bool {
    t.class == Class::Dash && t.end - t.start == 4
}

fn gap_ok(gap: Gap, left: ItemKind, right: ItemKind) -> bool {
    match gap {
        Gap::Space | Gap::Hyphen | Gap::Sep => true,
        Gap::Period => left == ItemKind::Letter && right == ItemKind::Letter,
        Gap::Break => false,
    }
}

/// A spelled run: token range and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spelled {
    /// First and last token index (inclusive).
    pub(crate) first: usize,
    pub(crate) last: usize,
    /// Letters in the run (after trimming "a"/"I").
    pub(crate) letters: usize,
    /// Characters the run joins into.
    pub(crate) chars: usize,
    /// Spoken digit words in the run.
    pub(crate) spoken: usize,
    /// Some letter was spelled phonetically ("L as in Larry").
    pub(crate) is_phonetic: bool,
}

/// One item's token range and kind, used while scanning.
#[derive(Debug, Clone, Copy)]
struct Item {
    first: usize,
    last: usize,
    kind: ItemKind,
    chars: usize,
}

fn letter_of(toks: &[Tok], it: &Item) -> Option<u8> {
    match toks.get(it.first)?.class {
        Class::Letter(c) if it.kind == ItemKind::Letter => Some(c),
        _ => None,
    }
}

/// "a"/"I" at the edge of a run is the English word when its neighbour is a digit or a letter
/// of the other case; an uppercase "A" only next to a lowercase letter (it is a common ID prefix:
/// "A five five five").
fn edge_is_word(toks: &[Tok], edge: &Item, neighbour: &Item) -> bool {
    let nb = letter_of(toks, neighbour);
    match letter_of(toks, edge) {
        Some(b'a' | b'i' | b'I') => {
            nb.is_none_or(|n| n.is_ascii_uppercase() != edge_upper(toks, edge))
        }
        Some(b'A') => nb.is_some_and(|n| n.is_ascii_lowercase()),
        _ => false,
    }
}

fn edge_upper(toks: &[Tok], it: &Item) -> bool {
    letter_of(toks, it).is_some_and(|c| c.is_ascii_uppercase())
}

/// Scan the maximal run starting at token `i`; it qualifies with at least `min_chars`
/// characters. Returns the qualifying run (if any) and the token index just after the raw run,
/// which is at least `i + 1`.
pub(crate) fn scan(toks: &[Tok], i: usize, min_chars: usize) -> (Option<Spelled>, usize) {
    let Some((kind, chars, n)) = item_at(toks, i) else { return (None, i + 1) };
    let mut first = Item { first: i, last: i + n - 1, kind, chars };
    let mut second: Option<Item> = None;
    let mut before_last: Option<Item> = None;
    let mut last = first;
    let (mut letters, mut spoken, mut total, mut count) = (0usize, 0usize, 0usize, 0usize);
    let mut add = |it: &Item| {
        match it.kind {
            ItemKind::Letter => letters += 1,
            ItemKind::Spoken => spoken += 1,
            ItemKind::Written => {}
        }
        total += it.chars;
        count += 1;
    };
    add(&first);
    while let Some(mut gap) = toks.get(last.last).map(|t| t.gap) {
        let mut k = last.last + 1;
        // "H M O dash eight eight two": the word "dash" inside a run is the ID's hyphen.
        if gap.is_soft() && toks.get(k).is_some_and(|t| is_dash_word(t) && t.gap.is_soft()) {
            gap = Gap::Space;
            k += 1;
        }
        let Some((kind, chars, n)) = item_at(toks, k) else { break };
        if !gap_ok(gap, last.kind, kind) {
            break;
        }
        // "m r n, zero zero four ...": a spelled label ends before the digits it introduces,
        // so the view reads "mrn, 004 ..." and the label is a context word of its own.
        if kind != ItemKind::Letter && is_spelled_label(toks, i, last.last) {
            break;
        }
        let it = Item { first: k, last: k + n - 1, kind, chars };
        add(&it);
        if second.is_none() {
            second = Some(it);
        }
        before_last = Some(last);
        last = it;
    }
    let end = last.last + 1;
    // Trim "a"/"I" used as words at either edge.
    if let Some(s) = second {
        if edge_is_word(toks, &first, &s) {
            letters -= 1;
            total -= 1;
            count -= 1;
            first = s;
        }
    }
    if let Some(b) = before_last {
        if count >= 2 && b.first >= first.first && edge_is_word(toks, &last, &b) {
            letters -= 1;
            total -= 1;
            count -= 1;
            last = b;
        }
    }
    let only_article = letters == 1
        && (first.first..=last.last).any(|k| {
            matches!(toks.get(k).map(|t| t.class), Some(Class::Letter(b'a' | b'A' | b'i' | b'I')))
        });
    // "i d number": a two-letter label is joined too, so it reads as the word "id".
    let ok = (total >= min_chars
        || (letters == count && is_spelled_label(toks, first.first, last.last)))
        && count >= 2
        && ((letters >= 1 && !only_article) || (letters == 0 && spoken == 0));
    // A run is a handful of tokens; this rescan is bounded by its length.
    let is_phonetic = ok && (first.first..=last.last).any(|k| is_phonetic(toks, k));
    let run = ok.then_some(Spelled {
        is_phonetic,
        first: first.first,
        last: last.last,
        letters,
        chars: total,
        spoken,
    });
    (run, end)
}

/// Write the joined run into `view`: each character maps to the token(s) it came from.
pub(crate) fn emit(view: &mut View, toks: &[Tok], run: &Spelled, text: &str) {
    let mut k = run.first;
    let mut prev_kind: Option<ItemKind> = None;
    while k <= run.last {
        if let Some(d) = toks.get(k).filter(|t| is_dash_word(t)) {
            view.push_str("-", d.start, d.end);
            k += 1;
            continue;
        }
        let Some((kind, _, n)) = item_at(toks, k) else { break };
        let (Some(a), Some(b)) = (toks.get(k), toks.get(k + n - 1)) else { break };
        let next_kind = if k + n <= run.last { item_at(toks, k + n).map(|x| x.0) } else { None };
        let mut buf = [0u8; 3];
        let s: &str = match (a.class, toks.get(k + 1).map(|t| t.class)) {
            (Class::Letter(c @ (b'o' | b'O')), _) if n == 1 => {
                let is_digit = |x: Option<ItemKind>| x.is_some_and(|x| x != ItemKind::Letter);
                let has_nb = prev_kind.is_some() || next_kind.is_some();
                let no_letter_nb =
                    prev_kind != Some(ItemKind::Letter) && next_kind != Some(ItemKind::Letter);
                let zero = has_nb && no_letter_nb && (is_digit(prev_kind) || is_digit(next_kind));
                buf[0] = if zero { b'0' } else { c };
                std::str::from_utf8(&buf[..1]).unwrap_or("")
            }
            (Class::Letter(_), _) => text.get(a.start..a.end).unwrap_or(""),
            (Class::DigitChar(d) | Class::Digit(d), _) => {
                buf[0] = b'0' + d.min(9);
                std::str::from_utf8(&buf[..1]).unwrap_or("")
            }
            (Class::Oh, _) => "0",
            (Class::Repeat(r), Some(c)) => {
                let d = match c {
                    Class::Digit(d) | Class::DigitChar(d) => d.min(9),
                    _ => 0,
                };
                let r = usize::from(r).min(3);
                for x in buf.iter_mut().take(r) {
                    *x = b'0' + d;
                }
                std::str::from_utf8(&buf[..r]).unwrap_or("")
            }
            _ => "",
        };
        view.push_str(s, a.start, b.end);
        prev_kind = Some(kind);
        k += n;
    }
}

/// Words before a spelled run that say it is a name.
const NAME_CUES: &[&str] = &[
    "name is",
    "name's",
    "last name",
    "first name",
    "middle name",
    "surname",
    "family name",
    "maiden name",
    "spelled",
    "spell",
    "spelling",
    "spells",
];

/// Weaker cues: enough for three letters or more ("that's L-O-P-E-Z"), not for two ("it's p m").
const WEAK_NAME_CUES: &[&str] = &["that's", "it's", "that is"];

/// Acronyms people spell out in clinical conversations ("it's C O P D"): never names. Short
/// surnames that are also acronyms ("Do") are left out on purpose.
const ACRONYMS: &[&str] = &[
    "copd", "chf", "hiv", "aids", "mri", "ekg", "ecg", "eeg", "icu", "cpr", "dnr", "adhd", "ptsd",
    "ocd", "uti", "std", "sti", "gerd", "ibs", "ibd", "tbi", "dvt", "cabg", "ct", "pet", "bmi",
    "hba", "tsh", "cbc", "bmp", "cmp", "psa", "ldl", "hdl", "iud", "ivf", "er", "ent", "obgyn",
    "ob", "gyn", "gp", "pcp", "np", "pa", "rn", "md", "dds", "pt", "ot", "usa", "us", "ok", "tv",
    "pm", "am", "asap", "fyi", "id", "dob", "ssn", "mrn", "hmo", "ppo", "ada", "fda", "cdc", "nih",
    "va", "ama", "aaa", "abc", "xyz",
];

/// Whether lowercase `letters` spell one of [`ACRONYMS`] ("copd", "icu").
pub(crate) fn is_acronym(letters: &str) -> bool {
    ACRONYMS.contains(&letters)
}

/// The run's letters spell one of [`ACRONYMS`].
fn is_common_acronym(toks: &[Tok], run: &Spelled) -> bool {
    if run.chars > 6 {
        return false;
    }
    let mut buf = [0u8; 6];
    let mut n = 0;
    for t in toks.get(run.first..=run.last).unwrap_or(&[]) {
        if let Class::Letter(c) = t.class {
            if let Some(b) = buf.get_mut(n) {
                *b = c.to_ascii_lowercase();
                n += 1;
            }
        }
    }
    // `n` counts letter tokens, so it exceeds `run.letters` only when an example word is
    // itself a letter ("C as in C"); compare the counts to be sure `letters` is the spelling.
    let letters = buf.get(..n).unwrap_or(&[]);
    n == run.letters && ACRONYMS.iter().any(|a| a.as_bytes() == letters)
}

/// Score of a spelled name after a name cue.
const SCORE_WITH_CUE: f32 = 0.85;
/// Score without a cue: below the default threshold, since acronyms ("C-O-P-D") look the same.
const SCORE_WITHOUT_CUE: f32 = 0.4;

/// NAME for a surname spelled letter by letter: "my last name is N-G-U-Y-E-N",
/// "that's L-O-P-E-Z", "spelled S M I T H". Letters only; runs with digits are identifiers.
#[derive(Debug, Default)]
pub struct SpelledNameDetector;

impl Detector for SpelledNameDetector {
    fn name(&self) -> &'static str {
        "spelled_name"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        if super::tokens::features(doc.text, super::tokens::HAS_SPELLED_2) == 0 {
            return;
        }
        detect_names(doc, &super::tokens::tokenize(doc.text), out);
    }
}

/// The [`SpelledNameDetector`] over tokens of `doc.text`.
pub(crate) fn detect_names(doc: &Doc<'_>, toks: &[Tok], out: &mut Vec<Span>) {
    let mut i = 0;
    while i < toks.len() {
        let (run, end) = scan(toks, i, 2);
        i = end.max(i + 1);
        let Some(run) = run else { continue };
        if run.letters != run.chars || run.letters < 2 {
            continue;
        }
        let (Some(a), Some(b)) = (toks.get(run.first), toks.get(run.last)) else { continue };
        let is_strong_cue = run.is_phonetic || before_has(doc, a.start, 40, NAME_CUES);
        let has_cue = is_strong_cue || before_has(doc, a.start, 24, WEAK_NAME_CUES);
        if run.letters < 3 && !is_strong_cue {
            continue;
        }
        if is_common_acronym(toks, &run) {
            continue;
        }
        // "a m", "p.m.": times of day.
        let w = |k: usize| toks.get(k).and_then(|t| doc.text.get(t.start..t.end)).unwrap_or("");
        if run.letters == 2
            && matches!(w(run.first), "a" | "A" | "p" | "P")
            && matches!(w(run.last), "m" | "M")
        {
            continue;
        }
        let score = if has_cue { SCORE_WITH_CUE } else { SCORE_WITHOUT_CUE };
        out.push(Span::new(a.start, b.end, PhiType::Name, score, "spelled_name"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn joined(s: &str) -> Vec<String> {
        let toks = tokenize(s);
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let (run, end) = scan(&toks, i, 3);
            if let Some(r) = run {
                let mut v = View::default();
                emit(&mut v, &toks, &r, s);
                out.push(v.text);
            }
            i = end;
        }
        out
    }

    #[test]
    fn joins_runs() {
        assert_eq!(joined("N-G-U-Y-E-N"), vec!["NGUYEN"]);
        assert_eq!(joined("it is W 4 8 2 1 9 ok"), vec!["W48219"]);
        assert_eq!(joined("W four eight two one nine"), vec!["W48219"]);
        assert_eq!(joined("N. G. U. Y."), vec!["NGUY"]);
        assert_eq!(joined("S, M, I, T, H"), vec!["SMITH"]);
        assert_eq!(joined("1 2 3 4"), vec!["1234"]);
        assert_eq!(joined("W double five"), vec!["W55"]);
        assert_eq!(joined("j o n e s"), vec!["jones"]);
        assert_eq!(joined("W four o two"), vec!["W402"]);
        assert_eq!(joined("L as in Larry, O as in Oscar, P as in Peter"), vec!["LOP"]);
        assert_eq!(joined("it's B as in boy 4 2"), vec!["B42"]);
        assert!(joined("a as in").is_empty());
        // The word "dash" inside a run is the ID's hyphen; "slash" and a dangling "dash" are not.
        assert_eq!(joined("is h m o dash eight eight two one three"), vec!["hmo-88213"]);
        assert_eq!(joined("A B C dash 1 2 3"), vec!["ABC-123"]);
        assert_eq!(joined("A B C dash and more"), vec!["ABC"]);
        assert_eq!(joined("A B C slash D E F"), vec!["ABC", "DEF"]);
        assert!(joined("five five five dash two one two").is_empty());
    }

    #[test]
    fn trims_articles() {
        assert_eq!(joined("is a W 4 8"), vec!["W48"]);
        assert_eq!(joined("I B M"), vec!["IBM"]);
        assert_eq!(joined("give me a B 1 2 shot"), vec!["B12"]);
    }

    #[test]
    fn leaves_prose() {
        assert!(joined("a five six day course").is_empty());
        assert!(joined("I have a dog").is_empty());
        assert!(joined("five five five").is_empty(), "spoken digits belong to numbers");
        assert!(joined("plan B. I think").is_empty());
        assert!(joined("version 1.2.3").is_empty());
        assert!(joined("x 3").is_empty());
    }

    fn names(s: &str) -> Vec<(String, f32)> {
        let mut v = Vec::new();
        SpelledNameDetector.detect(&Doc::new(s), &mut v);
        v.iter().map(|sp| (s[sp.start..sp.end].to_string(), sp.score)).collect()
    }

    #[test]
    fn spelled_names() {
        let n = names("my last name is N-G-U-Y-E-N, first name Lan");
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].0, "N-G-U-Y-E-N");
        assert!(n[0].1 >= 0.8);
        let n = names("yes that's L-O-P-E-Z");
        assert_eq!(n[0].0, "L-O-P-E-Z");
        assert!(n[0].1 >= 0.8);
        let n = names("it's spelled s m i t h.");
        assert_eq!(n[0].0, "s m i t h");
        let n =
            names("ok so L as in Larry, O as in Oscar, P as in Peter, E, Z as in zebra. Thanks");
        assert_eq!(n[0].0, "L as in Larry, O as in Oscar, P as in Peter, E, Z as in zebra");
        assert!(n[0].1 >= 0.8);
        // Without a cue the score stays under the default threshold.
        let n = names("history of C-O-P-E and asthma");
        assert_eq!(n.len(), 1);
        assert!(n[0].1 < 0.5);
        // Identifiers are not names.
        assert!(names("my name is W 4 8 2 1").is_empty());
        assert!(names("my name is Maria").is_empty());
        // Two letters need a cue.
        assert!(names("the T-J joint").is_empty());
        assert_eq!(names("last name is N-G").len(), 1);
        assert!(names("it's at two thirty p m").is_empty());
        assert!(names("it's N-G").is_empty(), "two letters need a name cue");
        assert!(names("my name is, uh, p.m.").is_empty());
        assert!(names("it's C-O-P-D, spelled C O P D").is_empty());
        assert_eq!(names("that's spelled C O P E").len(), 1);
        assert_eq!(names("last name D-O").len(), 1, "Do is a surname");
    }
}

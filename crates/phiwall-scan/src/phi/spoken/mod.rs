//! Speech-to-text forms: a normalized *view* of a transcript in which spoken numbers become
//! digits ("five five five" -> "555", "nineteen eighty four" -> "1984", "third" -> "3rd") and
//! spelled letters join ("N-G-U-Y-E-N" -> "NGUYEN"), with a byte map back to the original, so the
//! written-form recognizers also find spoken PHI. Spoken-only forms ("maria dot lopez at gmail dot
//! com", "w w w dot riverside clinic dot org", "my last name is L-O-P-E-Z") have their own
//! detectors here, run over the original text.
//!
//! Invariants of [`normalize`]: it returns `None` without allocating when the text has no number
//! word and no run of single characters (`tokens::features`, one pass over the words with no
//! allocation; measured faster than a case-insensitive Aho-Corasick scan, which also could not
//! see spelled runs); otherwise it makes one forward pass over the tokens. Every byte of the view
//! maps to a non-empty original range whose ends are char boundaries (tokens and the gaps between
//! them start and end on char boundaries; text that is not rewritten is copied with its own
//! map), and the map is monotone. Number rules are in `numbers`, spelled runs in `spelled`,
//! spoken e-mail and URLs in `email`.

mod email;
mod numbers;
mod spelled;
mod tokens;
mod view;

pub use email::{SpokenEmailDetector, SpokenUrlDetector};
pub(crate) use spelled::is_acronym;

/// Whether `w` is a spoken ordinal ("fifth", "twentieth"), as the number parser reads it.
pub(crate) fn is_ordinal_word(w: &str) -> bool {
    matches!(tokens::classify_word(w), tokens::Class::Ord(_))
}
pub use spelled::SpelledNameDetector;
pub use view::View;

use crate::detector::{Detector, Doc, Span};
use numbers::NumberRun;
use tokens::{
    features, features_all, tokenize, HAS_CONNECTOR, HAS_NUMBER_WORD, HAS_SPELLED_2, HAS_SPELLED_3,
};

/// Build the normalized view of `text`, or `None` when nothing in it needs normalizing.
pub fn normalize(text: &str) -> Option<View> {
    // The view's map stores u32 offsets.
    if text.len() > u32::MAX as usize || features(text, HAS_NUMBER_WORD | HAS_SPELLED_3) == 0 {
        return None;
    }
    normalize_tokens(text, &tokenize(text))
}

/// What the scanner runs over original text for spoken forms: the spoken-only detectors
/// ([`SpokenFormsDetector`]), pushing onto `out`, then [`normalize`]. Same spans, same order and
/// same view as running them one after the other, but one prefilter pass and at most one
/// tokenization serve both.
pub fn detect_and_normalize(doc: &Doc<'_>, out: &mut Vec<Span>) -> Option<View> {
    let text = doc.text;
    let f = features_all(text, HAS_CONNECTOR | HAS_SPELLED_2 | HAS_NUMBER_WORD | HAS_SPELLED_3);
    if f == 0 {
        return None;
    }
    let mut toks: Option<Vec<tokens::Tok>> = None;
    if f & (HAS_CONNECTOR | HAS_SPELLED_2) != 0 {
        let toks = toks.get_or_insert_with(|| tokenize(text));
        if f & HAS_CONNECTOR != 0 {
            email::detect_addresses(doc, toks, out);
        }
        if f & HAS_SPELLED_2 != 0 {
            spelled::detect_names(doc, toks, out);
        }
    }
    if text.len() > u32::MAX as usize || f & (HAS_NUMBER_WORD | HAS_SPELLED_3) == 0 {
        return None;
    }
    let toks = toks.get_or_insert_with(|| tokenize(text));
    normalize_tokens(text, toks)
}

/// [`normalize`] over the tokens of `text`.
fn normalize_tokens(text: &str, toks: &[tokens::Tok]) -> Option<View> {
    let mut view: Option<View> = None;
    let mut copied = 0usize;
    let mut run = NumberRun::default();
    let mut spelled_fail_until = 0usize;
    let mut i = 0usize;
    while i < toks.len() {
        if i >= spelled_fail_until {
            let (found, end) = spelled::scan(toks, i, 3);
            if let Some(sp) = found {
                let (Some(a), Some(b)) = (toks.get(sp.first), toks.get(sp.last)) else { break };
                let v = view.get_or_insert_with(|| View::with_capacity(text.len()));
                copy_original(v, text, &mut copied, a.start);
                spelled::emit(v, toks, &sp, text);
                copied = b.end;
                i = sp.last + 1;
                continue;
            }
            spelled_fail_until = end;
        }
        // "we're at, uh, sixty one forty": a hesitation and its commas drop out of the view, so
        // a cue and its value meet (session 19).
        if is_dropped_filler(text, toks, i) {
            let (Some(p), Some(n)) = (toks.get(i.wrapping_sub(1)), toks.get(i + 1)) else { break };
            if copied <= p.end {
                let v = view.get_or_insert_with(|| View::with_capacity(text.len()));
                copy_original(v, text, &mut copied, p.end);
                v.push_str(" ", p.end, n.start);
                copied = n.start;
            }
            i += 1;
            continue;
        }
        match run.parse(text, toks, i) {
            // "March one": a lone "one" after a month is a day.
            Some(end) if run.is_worth_converting() || numbers::follows_month(text, toks, i) => {
                let (Some(a), Some(b)) = (toks.get(i), toks.get(end - 1)) else { break };
                let v = view.get_or_insert_with(|| View::with_capacity(text.len()));
                copy_original(v, text, &mut copied, a.start);
                run.emit(v, toks);
                copied = b.end;
                i = end;
            }
            // A lone weak word ("one question"): skip the whole run, it has nothing else.
            Some(end) => i = end.max(i + 1),
            None => i += 1,
        }
    }
    let mut v = view?;
    copy_original(&mut v, text, &mut copied, text.len());
    Some(v)
}

/// True when token `i` is a hesitation between two tokens ("at, uh, 6140", "is um June"), or
/// "like" set off by commas ("the group number is, like, 0047").
fn is_dropped_filler(text: &str, toks: &[tokens::Tok], i: usize) -> bool {
    let (Some(p), Some(t)) = (i.checked_sub(1).and_then(|k| toks.get(k)), toks.get(i)) else {
        return false;
    };
    if t.class != tokens::Class::Word || toks.get(i + 1).is_none() {
        return false;
    }
    let open = |g: tokens::Gap| g.is_soft() || g == tokens::Gap::Sep;
    if numbers::is_filler(text, t) {
        return open(p.gap) && open(t.gap);
    }
    let is_like = text.get(t.start..t.end).is_some_and(|w| w.eq_ignore_ascii_case("like"));
    is_like && p.gap == tokens::Gap::Sep && t.gap == tokens::Gap::Sep
}

/// Copy `text[*copied..upto]` unchanged into the view.
fn copy_original(v: &mut View, text: &str, copied: &mut usize, upto: usize) {
    if upto > *copied {
        if let Some(s) = text.get(*copied..upto) {
            v.push_original(s, *copied);
        }
        *copied = upto;
    }
}

/// Detectors for spoken-only forms, run over the original text: one [`SpokenFormsDetector`] that
/// tokenizes once for all of them.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![Box::new(SpokenFormsDetector)]
}

/// Runs [`SpokenEmailDetector`], [`SpokenUrlDetector`] and [`SpelledNameDetector`] over one
/// tokenization, after one allocation-free prefilter pass (most text has no "dot", "slash" or
/// spelled letters and costs only that pass). Spans keep the individual recognizer names.
#[derive(Debug, Default)]
pub struct SpokenFormsDetector;

impl Detector for SpokenFormsDetector {
    fn name(&self) -> &'static str {
        "spoken_forms"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let want = HAS_CONNECTOR | HAS_SPELLED_2;
        // `features` stops at the first hit, so ask again only for what is still unknown.
        let mut f = features(doc.text, want);
        if f == 0 {
            return;
        }
        if f & want != want {
            f |= features(doc.text, want & !f);
        }
        let toks = tokenize(doc.text);
        if f & HAS_CONNECTOR != 0 {
            email::detect_addresses(doc, &toks, out);
        }
        if f & HAS_SPELLED_2 != 0 {
            spelled::detect_names(doc, &toks, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detector::Span;
    use crate::types::PhiType;
    use proptest::prelude::*;

    fn norm(s: &str) -> Option<String> {
        normalize(s).map(|v| v.text)
    }

    #[test]
    fn prefilter_returns_none() {
        assert_eq!(norm("Patient reports chest pain since Monday."), None);
        assert_eq!(norm("someone phoned; it was done. Oh well"), None);
        assert_eq!(norm("I have one question"), None, "weak words alone change nothing");
        assert_eq!(norm("the one in March, one more"), None, "a comma parts month and number");
        assert_eq!(norm("BP 120/80, HR 72"), None);
        assert_eq!(norm(""), None);
    }

    #[test]
    fn conventions_from_helpers() {
        assert_eq!(
            norm("call five five five, two one two, nine eight seven six please").as_deref(),
            Some("call 555 212 9876 please")
        );
        assert_eq!(norm("PIN one two three four").as_deref(), Some("PIN 1234"));
        assert_eq!(norm("born nineteen eighty four").as_deref(), Some("born 1984"));
        assert_eq!(norm("on the third").as_deref(), Some("on the 3rd"));
        assert_eq!(norm("dob oh three oh three eighty four").as_deref(), Some("dob 03 03 84"));
        assert_eq!(norm("it's N-G-U-Y-E-N.").as_deref(), Some("it's NGUYEN."));
        assert_eq!(
            norm("your first visit is March one at").as_deref(),
            Some("your first visit is March 1 at")
        );
        assert_eq!(norm("member W 4 8 2 1").as_deref(), Some("member W4821"));
        // A spelled label stays a word before the digits it introduces (session 15).
        assert_eq!(
            norm("it's m r n, zero zero four four one two").as_deref(),
            Some("it's mrn, 004412")
        );
        assert_eq!(
            norm("i d number is k l m one two three").as_deref(),
            Some("id number is klm123")
        );
        assert_eq!(norm("m r i one two three").as_deref(), Some("mri123"));
        assert_eq!(
            norm("seen March twenty first, twenty twenty three").as_deref(),
            Some("seen March 21st 2023")
        );
        // Session 19: hesitations drop out of the view, with their commas.
        assert_eq!(
            norm("we're at, uh, sixty one forty, um, far hills avenue").as_deref(),
            Some("we're at 6140 far hills avenue")
        );
        assert_eq!(
            norm("the group number is, like, zero zero four seven").as_deref(),
            Some("the group number is 0047")
        );
        assert_eq!(norm("I like one two three").as_deref(), Some("I like 123"));
    }

    #[test]
    fn transcript_phrases() {
        let cases = [
            ("social is one two three, four five, six seven eight nine", "social is 123 45 6789"),
            ("born seven fourteen nineteen sixty two", "born 7 14 1962"),
            ("I live at four twenty two Maple Street", "I live at 422 Maple Street"),
            ("blood pressure one twenty over eighty", "blood pressure 120 over 80"),
            ("temp ninety eight point six", "temp 98.6"),
            ("IP one nine two dot one six eight dot one dot one", "IP 192.168.1.1"),
            ("seen oh three slash oh five slash twenty three", "seen 03 05 23"),
            ("plate seven A B C one two three", "plate 7ABC123"),
            ("ID X Y Z one two three four", "ID XYZ1234"),
            ("card four one one one, one one one one", "card 4111 1111"),
            ("a forty-five-year-old man", "a 45-year-old man"),
            ("she's ninety two", "she's 92"),
            ("spelled L as in Larry, O as in Oscar, P as in Peter", "spelled LOP"),
        ];
        for (input, want) in cases {
            assert_eq!(norm(input).as_deref(), Some(want), "{input}");
        }
        for prose in ["one-on-one", "first of all", "one third of them", "no one", "wait a second"]
        {
            assert_eq!(norm(prose), None, "{prose}");
        }
    }

    #[test]
    fn mixed_text() {
        assert_eq!(
            norm("No one called. I have two kids and one of them is W four eight two.").as_deref(),
            Some("No one called. I have 2 kids and one of them is W482.")
        );
        assert_eq!(norm("room 12, bed two").as_deref(), Some("room 12, bed 2"));
        assert_eq!(norm("Zoë said twenty-three").as_deref(), Some("Zoë said 23"));
        assert_eq!(norm("a couple of times, once").as_deref(), None);
    }

    #[test]
    fn spans_map_back() {
        let s = "number is five five five, two one two thanks";
        let v = normalize(s).unwrap();
        let at = v.text.find("555 212").unwrap();
        let m = v.map_span(Span::new(at, at + 7, PhiType::Phone, 0.9, "t")).unwrap();
        assert_eq!(&s[m.start..m.end], "five five five, two one two");
    }

    #[test]
    fn pathological_runs_are_linear() {
        let s = "one ".repeat(262_144); // 1 MiB
        let t = std::time::Instant::now();
        let v = normalize(&s).unwrap();
        assert_eq!(v.text.trim_end().len(), 262_144);
        let s = "a ".repeat(300_000) + &"1 ".repeat(200_000);
        let _ = normalize(&s);
        let s = "oh ".repeat(300_000);
        assert_eq!(norm(&s), None);
        assert!(t.elapsed().as_secs() < 20, "normalize is not linear");
    }

    #[test]
    fn combined_detector_and_scanner() {
        let s = "Sure, it's maria dot lopez at gmail dot com, my last name is L-O-P-E-Z, and the \
                 portal is w w w dot riverside clinic dot org slash portal.";
        let mut out = Vec::new();
        SpokenFormsDetector.detect(&Doc::new(s), &mut out);
        let got: Vec<(&str, PhiType)> = out
            .iter()
            .filter(|sp| sp.score >= 0.5)
            .map(|sp| (&s[sp.start..sp.end], sp.kind))
            .collect();
        assert!(got.contains(&("maria dot lopez at gmail dot com", PhiType::Email)), "{got:?}");
        assert!(got.contains(&("L-O-P-E-Z", PhiType::Name)), "{got:?}");
        assert!(
            got.contains(&("w w w dot riverside clinic dot org slash portal", PhiType::Url)),
            "{got:?}"
        );
        // Through the scanner: the e-mail wins over the URL inside it.
        let scanner = crate::Scanner::new(crate::ScannerConfig::default()).unwrap();
        let found = scanner.scan_bytes(s);
        let email = found.iter().find(|f| f.kind == PhiType::Email).unwrap();
        assert_eq!(&s[email.start..email.end], "maria dot lopez at gmail dot com");
        assert!(!found
            .iter()
            .any(|f| f.kind == PhiType::Url && f.start < email.end && f.end > email.start));
        // Nothing spoken: nothing found, nothing allocated for the view.
        let mut out = Vec::new();
        SpokenFormsDetector
            .detect(&Doc::new("Patient denies chest pain. Will follow up."), &mut out);
        assert!(out.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn view_and_spans_land_on_char_boundaries(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("one"), Just("two"), Just("oh"), Just("o"), Just("twenty"), Just("first"),
                    Just("hundred"), Just("thousand"), Just("and"), Just("a"), Just("A"),
                    Just("double"), Just("dash"), Just("N"), Just("5"), Just("55"), Just("é"),
                    Just("Zoë"), Just("’"), Just("'"), Just("-"), Just(","), Just("."), Just(" "),
                    Just("\n"), Just("that's"), Just("nineteen"), Just("eighty"), Just("👍"),
                    Just("March"), Just("second"), Just("of"), Just("I"), Just("at"), Just("dot"),
                    Just("com"), Just("org"), Just("slash"), Just("as"), Just("in"), Just("Larry"),
                    Just("point"), Just("underscore"), Just("www"), Just("w"), Just("maria"),
                    Just("@"), Just("_"), Just("/"), Just("colon"), Just("https"), Just("name is"),
                    Just("spelled"), Just("triple"), Just("um"), Just("uh"), Just("like"),
                ],
                0..40,
            ),
            seps in proptest::collection::vec(prop_oneof![Just(" "), Just(""), Just("-"), Just(", ")], 40),
            a in 0usize..400, b in 0usize..400,
        ) {
            let mut s = String::new();
            for (p, sep) in parts.iter().zip(seps.iter()) {
                s.push_str(p);
                s.push_str(sep);
            }
            if let Some(v) = normalize(&s) {
                prop_assert_eq!(v.text.len(), v.src.len());
                for (i, &(x, y)) in v.src.iter().enumerate() {
                    let (x, y) = (x as usize, y as usize);
                    prop_assert!(x < y && y <= s.len(), "byte {} maps to {}..{}", i, x, y);
                    prop_assert!(s.is_char_boundary(x) && s.is_char_boundary(y));
                }
                // Maps are monotone: a span never maps to a reversed range.
                for w in v.src.windows(2) {
                    prop_assert!(w[0].0 <= w[1].0);
                }
                for (x, y) in [(a.min(b), a.max(b)), (a, b)] {
                    if let Some(m) = v.map_span(Span::new(x, y, PhiType::Name, 0.9, "t")) {
                        prop_assert!(m.start < m.end && m.end <= s.len());
                        prop_assert!(s.is_char_boundary(m.start) && s.is_char_boundary(m.end));
                    }
                }
            }
            let mut out = Vec::new();
            SpokenFormsDetector.detect(&Doc::new(&s), &mut out);
            for sp in out {
                prop_assert!(sp.start < sp.end && sp.end <= s.len());
                prop_assert!(s.is_char_boundary(sp.start) && s.is_char_boundary(sp.end));
            }
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
            if let Some(v) = normalize(&s) {
                prop_assert_eq!(v.text.len(), v.src.len());
                for &(x, y) in &v.src {
                    prop_assert!(s.is_char_boundary(x as usize) && s.is_char_boundary(y as usize));
                }
            }
            let doc = crate::detector::Doc::new(&s);
            let mut out = Vec::new();
            for d in detectors() {
                d.detect(&doc, &mut out);
            }
            for sp in out {
                prop_assert!(sp.start < sp.end && sp.end <= s.len());
                prop_assert!(s.is_char_boundary(sp.start) && s.is_char_boundary(sp.end));
            }
        }
    }
}

//! NAME and EMPLOYER recognizers.
//!
//! Both work on word [`tokens`] carrying lexicon facts ([`lexicon`]: given names, surnames, common
//! English words and clinical stop terms, derived from the 1990 US Census lists plus curated lists
//! of names from communities that list under-covers; see docs/names.md and
//! `tools/build_name_lexicon.py`). Recall does not depend on a name's origin: context patterns
//! ([`person`]) accept names the lexicon has never seen, and the lexicon only adds evidence.
//!
//! Invariants: pure functions of the input text; the lexicon is parsed once into an immutable
//! table; spans are byte offsets on char boundaries of `doc.text`.

pub mod context;
pub mod cues;
pub mod employer;
pub mod korean;
pub mod lexicon;
pub(crate) mod nickname;
pub mod person;
pub mod tokens;
pub mod vietnamese;

use crate::detector::{Detector, Doc, Span};
use std::sync::Arc;

/// This family's detectors: one detector that tokenizes once and reports NAME and EMPLOYER,
/// with the learned tagger's NAME and ADDRESS spans when `tagger` is given.
pub fn detectors(tagger: Option<Arc<crate::phi::tagger::Model>>) -> Vec<Box<dyn Detector>> {
    lexicon::warm();
    context::warm();
    vec![Box::new(NamesDetector { tagger })]
}

/// NAME ([`person`]) and EMPLOYER ([`employer`]) over one shared tokenization, plus the learned
/// tagger ([`crate::phi::tagger`]) over the same tokens. `Default` runs the rules only.
#[derive(Debug, Default, Clone)]
pub struct NamesDetector {
    /// The learned tagger, if enabled.
    pub tagger: Option<Arc<crate::phi::tagger::Model>>,
}

impl Detector for NamesDetector {
    fn name(&self) -> &'static str {
        "names"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = tokens::Tokens::new(doc.text);
        let first = out.len();
        let name_ends = person::detect_tokens(doc.text, &t, out);
        employer::detect_tokens(doc.text, &t, out);
        employer::affiliations(doc.text, &t, &name_ends, out);
        vietnamese::detect_tokens(&t, out);
        korean::detect_tokens(&t, out);
        cues::detect_tokens(&t, out);
        if let Some(m) = &self.tagger {
            m.detect(&t, out);
        }
        cues::extend_names(&t, out, first);
    }
}

/// Token `k` is a word of two or more letters (not a number, not a lone initial): a part of a
/// name recognized by its shape.
pub(crate) fn is_name_part(t: &tokens::Tokens, k: usize) -> bool {
    t.get(k).is_some_and(|x| !matches!(x.shape, tokens::Shape::Number | tokens::Shape::Initial))
}

/// Only spaces, or one hyphen, before token `k`: it continues the name before it.
pub(crate) fn continues_name(t: &tokens::Tokens, k: usize) -> bool {
    t.get(k).is_some_and(|x| x.gap.is_space() || (x.gap.has_dash && x.gap.len == 1))
}

/// Push a NAME span for each name `name_at` recognizes by its shape (it returns the last token
/// of a name starting at a token), left to right, without overlaps.
pub(crate) fn push_name_runs(
    t: &tokens::Tokens,
    out: &mut Vec<Span>,
    score: f32,
    recognizer: &'static str,
    name_at: impl Fn(&tokens::Tokens, usize) -> Option<usize>,
) {
    let mut i = 0;
    while i < t.len() {
        let Some(last) = name_at(t, i) else {
            i += 1;
            continue;
        };
        if let (Some(a), Some(b)) = (t.get(i), t.get(last)) {
            out.push(Span::new(a.start, b.end, crate::types::PhiType::Name, score, recognizer));
        }
        i = last.max(i) + 1;
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::types::PhiType;
    use crate::{Scanner, ScannerConfig};

    #[test]
    fn scanner_reports_names_and_employers() {
        let s = Scanner::new(ScannerConfig::default()).unwrap();
        let text = "My name is Nguyen Van Minh and I work at Kroger.";
        let f = s.scan(text);
        let kinds: Vec<(PhiType, String)> = f
            .iter()
            .map(|x| (x.kind, text.chars().skip(x.start).take(x.end - x.start).collect()))
            .collect();
        assert!(kinds.contains(&(PhiType::Name, "Nguyen Van Minh".to_string())), "{kinds:?}");
        assert!(kinds.contains(&(PhiType::Employer, "Kroger".to_string())), "{kinds:?}");
    }

    proptest::proptest! {
        /// Any input: no panic, spans non-empty, on char boundaries, inside the text.
        #[test]
        fn spans_are_well_formed(text in "(?s)[ a-zA-Z'’\\-.,:()\n0-9éÑễŁß你\u{301}\u{200b}İ]{0,200}") {
            let mut out = Vec::new();
            NamesDetector::default().detect(&Doc::new(&text), &mut out);
            for s in out {
                proptest::prop_assert!(s.start < s.end && s.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
                proptest::prop_assert!((0.0..=1.0).contains(&s.score));
            }
        }

        /// Names built from context words and lexicon names never panic and are found.
        #[test]
        fn context_plus_lexicon_name(
            given in proptest::sample::select(vec!["Maria", "José", "Nguyễn", "Oluwaseun", "Priya", "Aiyana"]),
            surname in proptest::sample::select(vec!["Lopez", "Tran", "Okafor", "Patel", "Begay", "O'Brien"]),
            ctx in proptest::sample::select(vec!["My name is", "Patient:", "Dr.", "her daughter", "spoke with"]),
        ) {
            let text = format!("{ctx} {given} {surname} today.");
            let mut out = Vec::new();
            NamesDetector::default().detect(&Doc::new(&text), &mut out);
            let want = format!("{given} {surname}");
            proptest::prop_assert!(
                out.iter().any(|s| s.score >= 0.5 && text.get(s.start..s.end) == Some(want.as_str())),
                "{text}"
            );
        }
    }

    #[test]
    fn clinical_note_without_names_is_clean() {
        let s = Scanner::new(ScannerConfig::default()).unwrap();
        let text = "Pt alert and oriented x3. Foley draining clear urine. Lasix 40 mg IV given. \
                    Bell's palsy resolved. Swan Ganz removed. Will continue Coumadin per protocol. \
                    May follow up in June. Grant Hill Road closed.";
        let found: Vec<_> = s
            .scan(text)
            .into_iter()
            .filter(|f| matches!(f.kind, PhiType::Name | PhiType::Employer))
            .collect();
        assert!(found.is_empty(), "{found:?}");
    }
}

//! Redaction transforms over findings: `mask`, `pseudonymize`, `tokenize`, and `restore`.
//!
//! A [`Redactor`] applies one [`Action`] per PHI type. Invariants (property-tested in this
//! module): text outside findings is copied unchanged and in order; a masked or tokenized span
//! leaves none of its characters behind; a pseudonymized span never equals the original, and in
//! shape-preserving surrogates (digits, ids) every letter and digit differs from the original at
//! its position. Keys come in from the caller; nothing here stores them.

mod dates;
mod key;
mod surrogate;
mod token;

pub use key::RedactionKey;
pub use token::{restore, TokenMap, TOKEN_PATTERN};

use crate::error::Error;
use crate::offsets::chars_to_bytes;
use crate::types::{Finding, PhiType, ALL_PHI_TYPES};
use serde::{Deserialize, Serialize};

/// What to do with one PHI type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave the text as it is.
    Allow,
    /// Replace with a type tag such as `[NAME]`.
    #[default]
    Mask,
    /// Replace with a consistent, keyed, realistic surrogate of the same type and shape.
    Pseudonymize,
    /// Replace with a reversible token whose mapping the caller keeps.
    Tokenize,
}

/// One replacement made, in code points of the input and of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Replacement {
    /// PHI type replaced.
    #[serde(rename = "type")]
    pub kind: PhiType,
    /// What was done.
    pub action: Action,
    /// Start in the input (code points).
    pub start: usize,
    /// End in the input (code points).
    pub end: usize,
    /// Start in the output (code points).
    pub out_start: usize,
    /// End in the output (code points).
    pub out_end: usize,
}

/// The result of [`Redactor::apply`].
#[derive(Debug, Clone, Default)]
pub struct Redacted {
    /// The transformed text.
    pub text: String,
    /// Every replacement made, in order.
    pub replacements: Vec<Replacement>,
    /// Tokens created by `tokenize` actions (token -> original value). Keep it secret.
    pub tokens: TokenMap,
}

/// Applies a per-type [`Action`] to findings.
#[derive(Clone)]
pub struct Redactor {
    actions: [Action; ALL_PHI_TYPES.len()],
    key: Option<RedactionKey>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("actions", &self.actions)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl Redactor {
    /// A redactor that applies `action` to every type. `Pseudonymize` and `Tokenize` need a key.
    pub fn uniform(action: Action, key: Option<RedactionKey>) -> Result<Self, Error> {
        Self::with_actions([action; ALL_PHI_TYPES.len()], key)
    }

    /// A redactor with one action per type (indexed by `PhiType as usize`).
    pub fn with_actions(
        actions: [Action; ALL_PHI_TYPES.len()],
        key: Option<RedactionKey>,
    ) -> Result<Self, Error> {
        let needs_key =
            actions.iter().any(|a| matches!(a, Action::Pseudonymize | Action::Tokenize));
        if needs_key && key.is_none() {
            return Err(Error::Config {
                key: "redact.key",
                expected: "a key for pseudonymize or tokenize",
                found: "none".into(),
            });
        }
        Ok(Redactor { actions, key })
    }

    /// Set the action for one type.
    pub fn set(&mut self, kind: PhiType, action: Action) -> Result<(), Error> {
        if matches!(action, Action::Pseudonymize | Action::Tokenize) && self.key.is_none() {
            return Err(Error::Config {
                key: "redact.key",
                expected: "a key for pseudonymize or tokenize",
                found: "none".into(),
            });
        }
        self.actions[kind as usize] = action;
        Ok(())
    }

    /// The action for one type.
    pub fn action(&self, kind: PhiType) -> Action {
        self.actions[kind as usize]
    }

    /// Transform `text`. `findings` use code-point offsets, may be unsorted; overlapping
    /// findings are merged into one span of the earlier finding's type. `scope` keys the
    /// per-patient date shift (for example a keyed patient reference); `None` uses one shift
    /// for the whole key.
    pub fn apply(
        &self,
        text: &str,
        findings: &[Finding],
        scope: Option<&str>,
    ) -> Result<Redacted, Error> {
        let spans = normalize_spans(text, findings)?;
        let mut out =
            Redacted { text: String::with_capacity(text.len() + 16), ..Default::default() };
        let mut out_chars = 0usize;
        let mut last_byte = 0usize;
        let mut last_char = 0usize;
        for s in spans {
            let before = &text[last_byte..s.bstart];
            out.text.push_str(before);
            out_chars += s.cstart - last_char;
            let original = &text[s.bstart..s.bend];
            let action = self.actions[s.kind as usize];
            let replacement: std::borrow::Cow<'_, str> = match (action, &self.key) {
                (Action::Allow, _) => original.into(),
                (Action::Mask, _) | (Action::Pseudonymize | Action::Tokenize, None) => {
                    mask_tag(s.kind).into()
                }
                (Action::Pseudonymize, Some(k)) => {
                    surrogate::surrogate(k, s.kind, original, scope).into()
                }
                (Action::Tokenize, Some(k)) => out.tokens.insert(k, s.kind, original).into(),
            };
            let rep_chars = replacement.chars().count();
            out.text.push_str(&replacement);
            if action != Action::Allow {
                out.replacements.push(Replacement {
                    kind: s.kind,
                    action,
                    start: s.cstart,
                    end: s.cend,
                    out_start: out_chars,
                    out_end: out_chars + rep_chars,
                });
            }
            out_chars += rep_chars;
            last_byte = s.bend;
            last_char = s.cend;
        }
        out.text.push_str(&text[last_byte..]);
        Ok(out)
    }
}

/// The tag `mask` writes for a type, e.g. `[NAME]`.
pub fn mask_tag(kind: PhiType) -> &'static str {
    match kind {
        PhiType::Name => "[NAME]",
        PhiType::Address => "[ADDRESS]",
        PhiType::Date => "[DATE]",
        PhiType::Age => "[AGE]",
        PhiType::Phone => "[PHONE]",
        PhiType::Fax => "[FAX]",
        PhiType::Email => "[EMAIL]",
        PhiType::Ssn => "[SSN]",
        PhiType::Mrn => "[MRN]",
        PhiType::HealthPlanId => "[HEALTH_PLAN_ID]",
        PhiType::AccountNumber => "[ACCOUNT_NUMBER]",
        PhiType::LicenseNumber => "[LICENSE_NUMBER]",
        PhiType::VehicleId => "[VEHICLE_ID]",
        PhiType::DeviceId => "[DEVICE_ID]",
        PhiType::Url => "[URL]",
        PhiType::IpAddress => "[IP_ADDRESS]",
        PhiType::BiometricId => "[BIOMETRIC_ID]",
        PhiType::OtherId => "[OTHER_ID]",
        PhiType::CreditCard => "[CREDIT_CARD]",
        PhiType::Employer => "[EMPLOYER]",
    }
}

/// Replace every finding with its type tag.
pub fn mask(text: &str, findings: &[Finding]) -> Result<String, Error> {
    Ok(Redactor::uniform(Action::Mask, None)?.apply(text, findings, None)?.text)
}

/// Replace every finding with a keyed surrogate.
pub fn pseudonymize(
    text: &str,
    findings: &[Finding],
    key: &RedactionKey,
    scope: Option<&str>,
) -> Result<String, Error> {
    Ok(Redactor::uniform(Action::Pseudonymize, Some(key.clone()))?
        .apply(text, findings, scope)?
        .text)
}

/// Replace every finding with a reversible token; returns the text and the token map.
pub fn tokenize(
    text: &str,
    findings: &[Finding],
    key: &RedactionKey,
) -> Result<(String, TokenMap), Error> {
    let r = Redactor::uniform(Action::Tokenize, Some(key.clone()))?.apply(text, findings, None)?;
    Ok((r.text, r.tokens))
}

struct ByteSpan {
    kind: PhiType,
    cstart: usize,
    cend: usize,
    bstart: usize,
    bend: usize,
}

/// Validate, sort and merge findings; convert to byte offsets.
fn normalize_spans(text: &str, findings: &[Finding]) -> Result<Vec<ByteSpan>, Error> {
    let len = if text.is_ascii() { text.len() } else { text.chars().count() };
    let mut idx: Vec<usize> = (0..findings.len()).collect();
    for (i, f) in findings.iter().enumerate() {
        if f.start > f.end || f.end > len {
            return Err(Error::SpanOutOfRange { index: i, start: f.start, end: f.end, len });
        }
    }
    idx.retain(|&i| !findings[i].is_empty());
    idx.sort_by_key(|&i| (findings[i].start, std::cmp::Reverse(findings[i].end)));
    let mut merged: Vec<(PhiType, usize, usize)> = Vec::with_capacity(idx.len());
    for i in idx {
        let f = &findings[i];
        match merged.last_mut() {
            Some(m) if f.start < m.2 => m.2 = m.2.max(f.end),
            _ => merged.push((f.kind, f.start, f.end)),
        }
    }
    let mut points: Vec<usize> = Vec::with_capacity(merged.len() * 2);
    for m in &merged {
        points.push(m.1);
        points.push(m.2);
    }
    let bytes = chars_to_bytes(text, &points);
    Ok(merged
        .iter()
        .enumerate()
        .map(|(i, m)| ByteSpan {
            kind: m.0,
            cstart: m.1,
            cend: m.2,
            bstart: bytes.get(2 * i).copied().unwrap_or(text.len()),
            bend: bytes.get(2 * i + 1).copied().unwrap_or(text.len()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f(kind: PhiType, start: usize, end: usize) -> Finding {
        Finding { kind, start, end, score: 1.0, recognizer: "test" }
    }

    fn key() -> RedactionKey {
        RedactionKey::new(b"0123456789abcdef0123456789abcdef".to_vec()).unwrap()
    }

    #[test]
    fn mask_replaces_spans_only() {
        let t = "Call Maria at 555-212-9876.";
        let out = mask(t, &[f(PhiType::Name, 5, 10), f(PhiType::Phone, 14, 26)]).unwrap();
        assert_eq!(out, "Call [NAME] at [PHONE].");
    }

    #[test]
    fn non_ascii_offsets_are_code_points() {
        let t = "José Núñez llamó";
        let out = mask(t, &[f(PhiType::Name, 0, 10)]).unwrap();
        assert_eq!(out, "[NAME] llamó");
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        assert!(mask("abc", &[f(PhiType::Name, 1, 9)]).is_err());
        assert!(mask("abc", &[f(PhiType::Name, 2, 1)]).is_err());
    }

    #[test]
    fn overlaps_merge() {
        let out = mask("abcdefgh", &[f(PhiType::Name, 1, 4), f(PhiType::Phone, 3, 6)]).unwrap();
        assert_eq!(out, "a[NAME]gh");
    }

    #[test]
    fn pseudonyms_are_consistent_and_keyed() {
        let t = "Maria Lopez called; Maria Lopez again";
        let fs = [f(PhiType::Name, 0, 11), f(PhiType::Name, 20, 31)];
        let a = pseudonymize(t, &fs, &key(), None).unwrap();
        let b = pseudonymize(t, &fs, &key(), None).unwrap();
        assert_eq!(a, b);
        let parts: Vec<&str> = a.split("; ").collect();
        let first = parts[0].trim_end_matches(" called");
        let second = parts[1].trim_end_matches(" again");
        assert_eq!(first, second);
        assert!(!a.contains("Maria") && !a.contains("Lopez"));
        let other = RedactionKey::new(vec![7u8; 32]).unwrap();
        assert_ne!(pseudonymize(t, &fs, &other, None).unwrap(), a);
    }

    #[test]
    fn tokenize_round_trips() {
        let t = "SSN 123-45-6789 for Maria";
        let fs = [f(PhiType::Ssn, 4, 15), f(PhiType::Name, 20, 25)];
        let (tok, map) = tokenize(t, &fs, &key()).unwrap();
        assert!(!tok.contains("6789") && !tok.contains("Maria"));
        assert_eq!(restore(&tok, &map), t);
    }

    #[test]
    fn pseudonymize_and_tokenize_need_a_key() {
        assert!(Redactor::uniform(Action::Tokenize, None).is_err());
        assert!(Redactor::uniform(Action::Mask, None).is_ok());
    }

    #[test]
    fn replacements_report_offsets() {
        let r = Redactor::uniform(Action::Mask, None)
            .unwrap()
            .apply("é Maria", &[f(PhiType::Name, 2, 7)], None)
            .unwrap();
        assert_eq!(r.replacements[0].out_start, 2);
        assert_eq!(r.replacements[0].out_end, 8);
    }

    /// Random text plus random non-overlapping findings.
    fn text_and_spans() -> impl Strategy<Value = (String, Vec<Finding>)> {
        (
            "[a-zA-Z0-9 ,.@/éñ漢-]{0,80}",
            proptest::collection::vec((0usize..80, 1usize..12, 0usize..20), 0..6),
        )
            .prop_map(|(text, raw)| {
                let n = text.chars().count();
                let mut spans: Vec<Finding> = Vec::new();
                for (s, l, k) in raw {
                    let (s, e) = (s.min(n), (s + l).min(n));
                    if s < e && spans.iter().all(|o| e <= o.start || s >= o.end) {
                        spans.push(f(ALL_PHI_TYPES[k], s, e));
                    }
                }
                spans.sort_by_key(|x| x.start);
                (text, spans)
            })
    }

    fn check_outside_unchanged(text: &str, r: &Redacted) {
        let tc: Vec<char> = text.chars().collect();
        let oc: Vec<char> = r.text.chars().collect();
        let (mut ti, mut oi) = (0usize, 0usize);
        for rep in &r.replacements {
            assert_eq!(tc[ti..rep.start], oc[oi..rep.out_start]);
            ti = rep.end;
            oi = rep.out_end;
        }
        assert_eq!(tc[ti..], oc[oi..]);
    }

    proptest! {
        #[test]
        fn mask_keeps_outside_and_removes_inside((text, spans) in text_and_spans()) {
            let r = Redactor::uniform(Action::Mask, None).unwrap().apply(&text, &spans, None).unwrap();
            check_outside_unchanged(&text, &r);
            let oc: Vec<char> = r.text.chars().collect();
            for rep in &r.replacements {
                let tag: String = oc[rep.out_start..rep.out_end].iter().collect();
                prop_assert_eq!(tag.as_str(), mask_tag(rep.kind));
            }
        }

        #[test]
        fn pseudonymize_keeps_outside_and_changes_inside((text, spans) in text_and_spans()) {
            let r = Redactor::uniform(Action::Pseudonymize, Some(key())).unwrap().apply(&text, &spans, Some("p1")).unwrap();
            check_outside_unchanged(&text, &r);
            let tc: Vec<char> = text.chars().collect();
            let oc: Vec<char> = r.text.chars().collect();
            for rep in &r.replacements {
                let orig: String = tc[rep.start..rep.end].iter().collect();
                let new: String = oc[rep.out_start..rep.out_end].iter().collect();
                if orig.chars().any(|c| c.is_alphanumeric()) {
                    prop_assert_ne!(orig, new);
                }
            }
        }

        #[test]
        fn tokenize_hides_and_restores((text, spans) in text_and_spans()) {
            let r = Redactor::uniform(Action::Tokenize, Some(key())).unwrap().apply(&text, &spans, None).unwrap();
            check_outside_unchanged(&text, &r);
            prop_assert_eq!(restore(&r.text, &r.tokens), text);
        }

        #[test]
        fn never_panics_on_arbitrary_findings(text in ".{0,40}", raw in proptest::collection::vec((0usize..60, 0usize..60), 0..5)) {
            let fs: Vec<Finding> = raw.iter().map(|&(s, e)| f(PhiType::Name, s, e)).collect();
            let _ = mask(&text, &fs);
        }
    }
}

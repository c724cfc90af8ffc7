//! The scanner: built once from config, then `scan(&str)` from any thread.
//!
//! Pipeline per call: run every detector over the original text; when the text holds spoken
//! numbers, spelled letters or "at"/"dot" forms, build a normalized view (see
//! [`crate::phi::spoken`]), run the detectors again over the view and map spans back; drop spans
//! under `min_score`; merge same-type overlaps; keep the best of cross-type overlaps; convert byte
//! offsets to code points.

use crate::detector::{Detector, Doc, Span};
use crate::error::Error;
use crate::offsets::bytes_to_chars;
use crate::phi;
use crate::types::{Finding, PhiType, ALL_PHI_TYPES};
use std::sync::Arc;

/// How a [`Scanner`] behaves. `Default` reports every type at the recommended threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct ScannerConfig {
    /// Types to report. Empty means all types.
    pub types: Vec<PhiType>,
    /// Findings scoring below this are dropped. Range `[0, 1]`; default 0.5.
    pub min_score: f32,
    /// Also scan a normalized view for spoken and spelled forms (speech-to-text). Default on.
    pub is_spoken_forms_enabled: bool,
    /// The learned name and place tagger run beside the rules. Default: the embedded model.
    pub tagger: TaggerChoice,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig {
            types: Vec::new(),
            min_score: 0.5,
            is_spoken_forms_enabled: true,
            tagger: TaggerChoice::Embedded,
        }
    }
}

/// Which learned tagger ([`phi::tagger`]) a scanner runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum TaggerChoice {
    /// The model shipped in the binary.
    #[default]
    Embedded,
    /// Rules only.
    Off,
    /// A model loaded by the caller (evaluating a freshly trained model).
    Model(Arc<phi::tagger::Model>),
}

/// A built PHI scanner. Cheap to share (`Send + Sync`), immutable.
pub struct Scanner {
    detectors: Vec<Box<dyn Detector>>,
    enabled: [bool; ALL_PHI_TYPES.len()],
    min_score: f32,
    is_spoken_forms_enabled: bool,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("detectors", &self.detectors.iter().map(|d| d.name()).collect::<Vec<_>>())
            .field("min_score", &self.min_score)
            .finish()
    }
}

impl Scanner {
    /// Build a scanner. Fails only on invalid configuration.
    pub fn new(config: ScannerConfig) -> Result<Self, Error> {
        if !(0.0..=1.0).contains(&config.min_score) {
            return Err(Error::Config {
                key: "min_score",
                expected: "a number in [0, 1]",
                found: config.min_score.to_string(),
            });
        }
        let mut enabled = [config.types.is_empty(); ALL_PHI_TYPES.len()];
        for t in &config.types {
            enabled[*t as usize] = true;
        }
        Ok(Scanner {
            detectors: phi::default_detectors(match config.tagger {
                TaggerChoice::Embedded => phi::tagger::embedded(),
                TaggerChoice::Off => None,
                TaggerChoice::Model(m) => Some(m),
            }),
            enabled,
            min_score: config.min_score,
            is_spoken_forms_enabled: config.is_spoken_forms_enabled,
        })
    }

    /// Names of the detectors this scanner runs.
    pub fn detector_names(&self) -> Vec<&'static str> {
        self.detectors.iter().map(|d| d.name()).collect()
    }

    /// Find PHI in `text`. Findings are sorted by start and never overlap.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let spans = self.scan_bytes(text);
        let mut findings: Vec<Finding> = spans
            .iter()
            .map(|s| Finding {
                kind: s.kind,
                start: s.start,
                end: s.end,
                score: s.score,
                recognizer: s.recognizer,
            })
            .collect();
        let mut offs: Vec<&mut usize> = Vec::with_capacity(findings.len() * 2);
        for f in findings.iter_mut() {
            offs.push(&mut f.start);
            offs.push(&mut f.end);
        }
        bytes_to_chars(text, &mut offs);
        findings
    }

    /// Like [`Scanner::scan`] but with byte offsets (for callers that slice the text directly).
    pub fn scan_bytes(&self, text: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        let doc = Doc::new(text);
        for d in &self.detectors {
            d.detect(&doc, &mut spans);
        }
        if self.is_spoken_forms_enabled {
            // The spoken-only detectors and the normalized view share one prefilter pass and
            // one tokenization of the text.
            if let Some(view) = phi::spoken::detect_and_normalize(&doc, &mut spans) {
                let vdoc = Doc { text: &view.text, is_spoken_view: true };
                let mut vspans = Vec::new();
                for d in &self.detectors {
                    d.detect(&vdoc, &mut vspans);
                }
                spans.extend(vspans.into_iter().filter_map(|s| view.map_span(s)));
            }
        }
        spans.retain(|s| {
            self.enabled[s.kind as usize]
                && s.score >= self.min_score
                && s.start < s.end
                && s.end <= text.len()
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end)
        });
        let mut spans = resolve_overlaps(spans);
        phi::campus::extend_campus_words(text, &mut spans);
        phi::address_block::complete_address_blocks(text, &mut spans);
        phi::names::nickname::join_parenthesized_nicknames(text, &mut spans);
        spans
    }
}

/// How much lower a containing span may score than a span of another type inside it and still
/// rank with it (see [`resolve_overlaps`]).
const CONTAINER_MARGIN: f32 = 0.1;

/// Merge same-type overlaps into their union (max score), then greedily keep the highest-scoring
/// (then longest) spans among cross-type overlaps; a span containing a span of another type that
/// scores at most [`CONTAINER_MARGIN`] more ranks with that span. Output is sorted and
/// non-overlapping.
pub fn resolve_overlaps(mut spans: Vec<Span>) -> Vec<Span> {
    if spans.len() < 2 {
        return spans;
    }
    spans.sort_unstable_by_key(|s| (s.kind, s.start, s.end));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(m) if m.kind == s.kind && s.start < m.end => {
                if s.end > m.end {
                    m.end = s.end;
                }
                if s.score > m.score {
                    m.score = s.score;
                    m.recognizer = s.recognizer;
                }
            }
            _ => merged.push(s),
        }
    }
    // A span that wholly contains a slightly better-scored span of another type ranks with it:
    // the longer reading explains more of the text ("oh" taken as a name inside the spoken date
    // "oh nine two six eighty one"), and hiding the container hides the contained span too.
    merged.sort_unstable_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut rank: Vec<(f32, Span)> = merged.iter().map(|s| (s.score, *s)).collect();
    for i in 0..rank.len() {
        let Some(&(_, outer)) = rank.get(i) else { break };
        let mut best = outer.score;
        for &(_, inner) in rank.iter().skip(i + 1) {
            if inner.start >= outer.end {
                break;
            }
            let is_inside = inner.end <= outer.end
                && inner.end - inner.start < outer.end - outer.start
                && inner.kind != outer.kind;
            if is_inside && inner.score > best && outer.score >= inner.score - CONTAINER_MARGIN {
                best = inner.score;
            }
        }
        if let Some(r) = rank.get_mut(i) {
            r.0 = best;
        }
    }
    rank.sort_unstable_by(|(ra, a), (rb, b)| {
        rb.total_cmp(ra).then((b.end - b.start).cmp(&(a.end - a.start))).then(a.start.cmp(&b.start))
    });
    // Kept spans never overlap, so ordered by start their ends increase too: a candidate overlaps
    // a kept span exactly when it overlaps the last kept span starting before its end. Keeping
    // them sorted answers that by binary search instead of a scan of every kept span.
    let mut kept: Vec<Span> = Vec::with_capacity(rank.len());
    for (_, s) in rank {
        let before_end = kept.partition_point(|k| k.start < s.end);
        let overlaps =
            before_end.checked_sub(1).and_then(|p| kept.get(p)).is_some_and(|k| s.start < k.end);
        if !overlaps {
            let at = kept.partition_point(|k| (k.start, k.end) < (s.start, s.end));
            kept.insert(at, s);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: usize, end: usize, kind: PhiType, score: f32) -> Span {
        Span::new(start, end, kind, score, "t")
    }

    #[test]
    fn same_type_overlaps_merge() {
        let out =
            resolve_overlaps(vec![sp(0, 5, PhiType::Name, 0.6), sp(3, 9, PhiType::Name, 0.9)]);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].start, out[0].end), (0, 9));
        assert!((out[0].score - 0.9).abs() < 1e-6);
    }

    #[test]
    fn cross_type_keeps_best() {
        let out = resolve_overlaps(vec![
            sp(0, 10, PhiType::Phone, 0.9),
            sp(2, 11, PhiType::Ssn, 0.5),
            sp(20, 25, PhiType::Date, 0.7),
        ]);
        assert_eq!(
            out.iter().map(|s| s.kind).collect::<Vec<_>>(),
            vec![PhiType::Phone, PhiType::Date]
        );
    }

    #[test]
    fn container_ranks_with_a_slightly_better_span_inside() {
        // A spoken date holding a word also read as a name: the date wins.
        let out =
            resolve_overlaps(vec![sp(10, 36, PhiType::Date, 0.75), sp(10, 12, PhiType::Name, 0.8)]);
        assert_eq!(out.iter().map(|s| s.kind).collect::<Vec<_>>(), vec![PhiType::Date]);
        // Far weaker containers, and partial overlaps, still lose to the better span.
        let out = resolve_overlaps(vec![
            sp(10, 36, PhiType::Address, 0.55),
            sp(12, 20, PhiType::Name, 0.9),
        ]);
        assert_eq!(out.iter().map(|s| s.kind).collect::<Vec<_>>(), vec![PhiType::Name]);
        let out =
            resolve_overlaps(vec![sp(10, 36, PhiType::Date, 0.75), sp(30, 40, PhiType::Name, 0.8)]);
        assert_eq!(out.iter().map(|s| s.kind).collect::<Vec<_>>(), vec![PhiType::Name]);
    }

    #[test]
    fn rejects_bad_threshold() {
        assert!(Scanner::new(ScannerConfig { min_score: 1.5, ..Default::default() }).is_err());
    }

    #[test]
    fn scanner_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Scanner>();
    }
}

//! Synthetic corpus of healthcare call transcripts, portal messages, short clinical notes and
//! EHR-assistant requests, with gold PHI spans. Our own data: every sentence and name is written
//! here, every identifier is random.
//!
//! PHI appears both written and the way speech-to-text emits it (digits as words, "oh" for zero,
//! spoken dates, "dot"/"at" e-mail addresses, spelled surnames, lowercase text), surrounded by
//! hard negatives that must stay untouched (doses, vitals, times, lab values, codes, prices,
//! room and extension numbers, counts, years alone, ages under 90).
//!
//! Splits: every template is dev or test; phrasings inside shared helpers alternate by split
//! ([`Ctx::alt`]), and names come from disjoint dev and test pools per origin group. So the test
//! split has templates, phrasings and names that dev tuning never saw.
//!
//! Determinism: record `i` of seed `s` depends only on `(s, i)` (see [`rng::Rng::for_record`]).
//! Invariant, checked by tests: the text at each gold span equals the value inserted.

pub mod names;
pub mod rng;
pub mod spoken;
mod templates;
pub mod values;

use crate::corpus::Split;
use crate::error::Error;
use crate::readers::{JsonlRecord, JsonlSpan};
use names::{pool, OriginGroup, GROUPS};
use phiwall_scan::PhiType;
use rng::Rng;
use std::io::Write;

pub use templates::{TemplateInfo, TEMPLATES};

/// Largest corpus one call generates.
pub const MAX_COUNT: usize = 10_000_000;

/// Generator settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    /// Number of records.
    pub count: usize,
    /// Seed; the same seed gives the same corpus.
    pub seed: u64,
}

/// What kind of text a template writes; decides how often values are spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A phone call transcribed by speech-to-text.
    Call,
    /// A patient-portal message, typed.
    Portal,
    /// A short clinical note, typed.
    Note,
    /// A request to an EHR assistant, typed or dictated.
    Assistant,
}

/// Generate `opts.count` records.
pub fn generate(opts: GenOptions) -> Result<Vec<JsonlRecord>, Error> {
    if opts.count > MAX_COUNT {
        return Err(Error::Config {
            key: "count",
            expected: "at most 10000000 records",
            found: opts.count.to_string(),
        });
    }
    Ok((0..opts.count).map(|i| record(opts.seed, i as u64)).collect())
}

/// Write records as JSONL.
pub fn write_jsonl(records: &[JsonlRecord], mut w: impl Write) -> std::io::Result<()> {
    for r in records {
        serde_json::to_writer(&mut w, r).map_err(std::io::Error::other)?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// Record `index` of the corpus for `seed`.
pub fn record(seed: u64, index: u64) -> JsonlRecord {
    let mut rng = Rng::for_record(seed, index);
    let t = TEMPLATES.get(rng.below(TEMPLATES.len())).copied().unwrap_or(templates::FALLBACK);
    let group = GROUPS.get(rng.below(GROUPS.len())).copied().unwrap_or(GROUPS[0]);
    let mut ctx = Ctx::new(rng, t.split, t.kind, group);
    (t.build)(&mut ctx);
    let text = std::mem::take(&mut ctx.text);
    JsonlRecord {
        id: format!("gen-{seed}-{index}"),
        text: text.trim_end().to_string(),
        spans: ctx.spans,
        split: Some(t.split),
        template: Some(t.name.to_string()),
        origin: Some(group.key.to_string()),
    }
}

/// A person in a record.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub given: String,
    pub surname: String,
}

/// The text under construction, its gold spans and the record's choices.
pub(crate) struct Ctx {
    pub rng: Rng,
    pub split: Split,
    pub kind: Kind,
    text: String,
    chars: usize,
    spans: Vec<JsonlSpan>,
    /// Lower-case everything appended (speech-to-text without casing).
    pub is_lower: bool,
    /// Values are rendered spoken (mostly) rather than written.
    pub is_spoken: bool,
    /// Speaker label style: 0 "Agent:/Caller:", 1 "agent:/patient:", 2 "[agent]", 3 none.
    pub speakers: u8,
    pub patient: Person,
    pub relative: Person,
    pub doctor: Person,
    /// The patient's date of birth (year, month, day): the same in every mention.
    pub dob: (u32, u32, u32),
    /// Who spoke last (`Some(true)` = agent), so one speaker's turns are not split.
    last_speaker: Option<bool>,
}

impl Ctx {
    fn new(mut rng: Rng, split: Split, kind: Kind, group: OriginGroup) -> Self {
        let (gl, sl) = match split {
            Split::Dev => (group.given_dev, group.surname_dev),
            Split::Test => (group.given_test, group.surname_test),
        };
        let (given, surnames) = (pool(gl), pool(sl));
        let person = |rng: &mut Rng| Person {
            given: given.get(rng.below(given.len())).cloned().unwrap_or_default(),
            surname: surnames.get(rng.below(surnames.len())).cloned().unwrap_or_default(),
        };
        let patient = person(&mut rng);
        let relative = Person { given: person(&mut rng).given, surname: patient.surname.clone() };
        let doctor = person(&mut rng);
        let dob = (rng.range(1928, 2012), rng.range(1, 12), rng.range(1, 28));
        let (is_lower, is_spoken, speakers) = match kind {
            Kind::Call => (rng.chance(0.5), true, rng.below(4) as u8),
            Kind::Assistant => (rng.chance(0.3), rng.chance(0.4), 3),
            Kind::Portal | Kind::Note => (false, false, 3),
        };
        Ctx {
            rng,
            split,
            kind,
            text: String::with_capacity(1024),
            chars: 0,
            spans: Vec::new(),
            is_lower,
            is_spoken,
            speakers,
            patient,
            relative,
            doctor,
            dob,
            last_speaker: None,
        }
    }

    /// Append plain text.
    pub fn lit(&mut self, s: &str) {
        if self.is_lower {
            let low = s.to_lowercase();
            self.chars += low.chars().count();
            self.text.push_str(&low);
        } else {
            self.chars += s.chars().count();
            self.text.push_str(s);
        }
    }

    /// Append a PHI value and record its gold span.
    pub fn phi(&mut self, kind: PhiType, value: &str) {
        let start = self.chars;
        let before = self.text.len();
        self.lit(value);
        let appended = self.text.get(before..).unwrap_or("").to_string();
        self.spans.push(JsonlSpan { kind, start, end: self.chars, text: Some(appended) });
    }

    /// Pick a phrasing: variants at even positions belong to dev, odd ones to test, so the two
    /// splits never share a phrasing of a shared helper. One variant is used by both.
    pub fn alt(&mut self, variants: &[&'static str]) -> &'static str {
        let parity = usize::from(self.split == Split::Test);
        let own: Vec<&'static str> =
            variants.iter().enumerate().filter(|(i, _)| i % 2 == parity).map(|(_, v)| *v).collect();
        if own.is_empty() {
            return variants.first().copied().unwrap_or("");
        }
        own.get(self.rng.below(own.len())).copied().unwrap_or("")
    }

    /// Pick any phrasing (for text inside one template, which already belongs to one split).
    pub fn any(&mut self, variants: &[&'static str]) -> &'static str {
        variants.get(self.rng.below(variants.len())).copied().unwrap_or("")
    }

    /// Whether this value is spoken: spoken texts still show written digits now and then.
    pub fn spoken(&mut self) -> bool {
        self.is_spoken && !self.rng.chance(0.15)
    }

    /// Start a speaker turn (calls only).
    pub fn turn(&mut self, is_agent: bool) {
        if self.kind != Kind::Call {
            return;
        }
        if self.last_speaker == Some(is_agent) {
            self.lit(" ");
            return;
        }
        self.last_speaker = Some(is_agent);
        if !self.text.is_empty() {
            self.lit(if self.speakers == 3 { " " } else { "\n" });
        }
        let label = match (self.speakers, is_agent) {
            (0, true) => "Agent: ",
            (0, false) => "Caller: ",
            (1, true) => "agent: ",
            (1, false) => "patient: ",
            (2, true) => "[agent] ",
            (2, false) => "[caller] ",
            _ => "",
        };
        self.lit(label);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_match_inserted_values() {
        for i in 0..300 {
            let r = record(11, i);
            let chars: Vec<char> = r.text.chars().collect();
            for s in &r.spans {
                let got: String =
                    chars.get(s.start..s.end).map(|c| c.iter().collect()).unwrap_or_default();
                assert_eq!(Some(got.as_str()), s.text.as_deref(), "record {i}");
                assert!(!got.trim().is_empty());
                assert_eq!(got.trim(), got, "record {i}: span has edge whitespace");
            }
        }
    }

    #[test]
    fn alt_respects_split() {
        let g = GROUPS[0];
        let mut dev = Ctx::new(Rng::new(1), Split::Dev, Kind::Call, g);
        let mut test = Ctx::new(Rng::new(1), Split::Test, Kind::Call, g);
        for _ in 0..20 {
            assert!(["a", "c"].contains(&dev.alt(&["a", "b", "c", "d"])));
            assert!(["b", "d"].contains(&test.alt(&["a", "b", "c", "d"])));
            assert_eq!(test.alt(&["only"]), "only");
        }
    }

    #[test]
    fn count_is_bounded() {
        assert!(generate(GenOptions { count: MAX_COUNT + 1, seed: 0 }).is_err());
        assert_eq!(generate(GenOptions { count: 3, seed: 0 }).map(|v| v.len()).ok(), Some(3));
    }
}

//! A learned token tagger for people's names and places, run beside the NAME and ADDRESS rules.
//!
//! The rules find names and places by context patterns they were written for; notes name people
//! and places in more ways than anyone writes rules for ("Plan: d/w Bergstrom re dispo", "pt's
//! son Kwame updated"). The tagger scores every word token as NAME, PLACE (a facility, town or
//! street word: ADDRESS) or neither with a three-class logistic regression over the hashed
//! features of [`features`], and reports runs of tagged tokens. Its spans are unioned with the
//! rules' spans by the scanner's overlap resolution.
//!
//! Trained by `phiwall train tagger` (crates/phiwall-eval/src/tagger.rs) on the dev halves of the
//! labelled sets only; see docs/eval-phi.md "Learned tagger" for the data, the command and the
//! figures.
//!
//! File format (little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `PWTAGLR1` |
//! | 4 | feature version (must equal [`features::FEATURE_VERSION`]) |
//! | 4 | `dim_log2` (must equal [`features::DIM_LOG2`]) |
//! | 4 | `scale` (f32): weight = `scale * q` |
//! | 12 | bias per class (3 x f32: none, NAME, PLACE) |
//! | 8 | emission threshold per tagged class (2 x f32: NAME, PLACE) |
//! | 4 | FNV-1a 32 checksum of the weight bytes |
//! | 3 * 2^dim_log2 | weights, i8, class-interleaved (`bucket * 3 + class`) |

pub mod features;

use crate::detector::Span;
use crate::error::Error;
use crate::phi::names::tokens::{Gap, Shape, Tokens};
use crate::types::PhiType;
use features::{token_facts, token_features, DIM, DIM_LOG2, FEATURE_VERSION};
use std::sync::{Arc, LazyLock};

/// Number of classes: none, NAME, PLACE.
pub const N_CLASSES: usize = 3;
/// Class index of a name token.
pub const CLASS_NAME: usize = 1;
/// Class index of a place token.
pub const CLASS_PLACE: usize = 2;

const MAGIC: &[u8; 8] = b"PWTAGLR1";
const HEADER: usize = 8 + 4 + 4 + 4 + 12 + 8 + 4;

/// The model shipped in the binary.
pub static EMBEDDED_BYTES: &[u8] = include_bytes!("../../../data/names/tagger.bin");

static EMBEDDED: LazyLock<Option<Arc<Model>>> =
    LazyLock::new(|| Model::from_bytes(EMBEDDED_BYTES).ok().map(Arc::new));

/// The embedded model, parsed once. `None` only if the shipped file is broken, which a unit test
/// rules out.
pub fn embedded() -> Option<Arc<Model>> {
    EMBEDDED.clone()
}

/// A loaded, immutable tagger model.
#[derive(Clone, PartialEq)]
pub struct Model {
    scale: f32,
    bias: [f32; N_CLASSES],
    thresholds: [f32; 2],
    weights: Vec<i8>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("tagger::Model")
            .field("bias", &self.bias)
            .field("thresholds", &self.thresholds)
            .finish()
    }
}

fn checksum(bytes: &[i8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h = (h ^ u32::from(b as u8)).wrapping_mul(0x0100_0193);
    }
    h
}

fn read_f32(bytes: &[u8], at: usize) -> Option<f32> {
    read_u32(bytes, at).map(f32::from_bits)
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

fn bad(expected: &'static str, found: String) -> Error {
    Error::Config { key: "tagger.model", expected, found }
}

impl Model {
    /// Quantize float weights (`DIM * 3`, class-interleaved) into a model.
    pub fn from_float(
        weights: &[f32],
        bias: [f32; N_CLASSES],
        thresholds: [f32; 2],
    ) -> Result<Model, Error> {
        if weights.len() != DIM * N_CLASSES {
            return Err(bad("three weights per feature bucket", format!("{}", weights.len())));
        }
        if weights.iter().chain(&bias).chain(&thresholds).any(|w| !w.is_finite()) {
            return Err(bad("finite weights", "a non-finite value".to_owned()));
        }
        if thresholds.iter().any(|t| !(0.0..1.0).contains(t)) {
            return Err(bad("thresholds in [0, 1)", format!("{thresholds:?}")));
        }
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let weights =
            weights.iter().map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8).collect();
        Ok(Model { scale, bias, thresholds, weights })
    }

    /// Parse the file format in the module documentation. Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, Error> {
        if bytes.len() < HEADER {
            return Err(bad(
                "a tagger file of at least 44 bytes",
                format!("{} bytes", bytes.len()),
            ));
        }
        if bytes.get(..8) != Some(MAGIC.as_slice()) {
            return Err(bad("magic PWTAGLR1", "other bytes".to_owned()));
        }
        let version = read_u32(bytes, 8).unwrap_or(0);
        if version != FEATURE_VERSION {
            return Err(bad("the feature version this build extracts", format!("{version}")));
        }
        let dim_log2 = read_u32(bytes, 12).unwrap_or(0);
        if dim_log2 != DIM_LOG2 {
            return Err(bad("the feature dimension this build extracts", format!("2^{dim_log2}")));
        }
        let f = |at| read_f32(bytes, at).unwrap_or(f32::NAN);
        let scale = f(16);
        let bias = [f(20), f(24), f(28)];
        let thresholds = [f(32), f(36)];
        if !scale.is_finite()
            || scale <= 0.0
            || bias.iter().any(|b| !b.is_finite())
            || thresholds.iter().any(|t| !(0.0..1.0).contains(t))
        {
            return Err(bad(
                "finite scale, biases and thresholds in [0, 1)",
                "other values".into(),
            ));
        }
        let sum = read_u32(bytes, 40).unwrap_or(0);
        let body = bytes.get(HEADER..).unwrap_or(&[]);
        if body.len() != DIM * N_CLASSES {
            return Err(bad("3 * 2^17 weight bytes", format!("{} bytes", body.len())));
        }
        let weights: Vec<i8> = body.iter().map(|&b| b as i8).collect();
        if checksum(&weights) != sum {
            return Err(bad("a matching weight checksum", "a corrupted file".to_owned()));
        }
        Ok(Model { scale, bias, thresholds, weights })
    }

    /// Serialize to the file format in the module documentation.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.extend_from_slice(&DIM_LOG2.to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        for b in self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for t in self.thresholds {
            out.extend_from_slice(&t.to_le_bytes());
        }
        out.extend_from_slice(&checksum(&self.weights).to_le_bytes());
        out.extend(self.weights.iter().map(|&w| w as u8));
        out
    }

    /// The same model with other emission thresholds (training picks them on held-out notes).
    pub fn with_thresholds(mut self, thresholds: [f32; 2]) -> Result<Model, Error> {
        if thresholds.iter().any(|t| !(0.0..1.0).contains(t)) {
            return Err(bad("thresholds in [0, 1)", format!("{thresholds:?}")));
        }
        self.thresholds = thresholds;
        Ok(self)
    }

    /// Class probabilities of one token from its feature buckets.
    pub fn probabilities(&self, feats: &[u32]) -> [f32; N_CLASSES] {
        let mut z = self.bias;
        for &f in feats {
            let at = f as usize * N_CLASSES;
            if let Some(w) = self.weights.get(at..at + N_CLASSES) {
                for (zc, &wc) in z.iter_mut().zip(w) {
                    *zc += self.scale * f32::from(wc);
                }
            }
        }
        softmax(z)
    }

    /// Class probabilities of every token of `t` (numbers get `[1, 0, 0]`).
    pub fn token_probabilities(&self, t: &Tokens) -> Vec<[f32; N_CLASSES]> {
        let facts = token_facts(t);
        let mut feats = Vec::with_capacity(32);
        (0..t.len())
            .map(|i| {
                if t.get(i).is_none_or(|x| x.shape == Shape::Number) {
                    return [1.0, 0.0, 0.0];
                }
                token_features(t, &facts, i, &mut feats);
                self.probabilities(&feats)
            })
            .collect()
    }

    /// Report runs of tagged tokens as NAME and ADDRESS spans (byte offsets of `text`).
    ///
    /// Two guards keep the tagger out of what other recognizers own: a lone letter, or a run of
    /// two or more tokens of at most two letters each, is a spelled value ("d q t oh",
    /// "N-G-U-Y-E-N") or an initial, which the spelled-form and name rules type; and a payer,
    /// pharmacy or health-system brand ([`is_organization`]), a weekday or a message label
    /// ("Attn", "Re") is never a person or a place, whatever its context.
    pub fn detect(&self, t: &Tokens, out: &mut Vec<Span>) {
        let mut probs = self.token_probabilities(t);
        for (i, p) in probs.iter_mut().enumerate() {
            let next = t.low(i + 1);
            let is_brand_head = matches!((t.low(i), next), ("blue", "cross" | "shield"))
                || (matches!(t.low(i), "cross" | "shield") && i > 0 && t.low(i - 1) == "blue");
            // Message labels ("Attn: Billing", "Re: refill") read like capitalized names.
            let is_label = matches!(t.low(i), "attn" | "re" | "fwd");
            if is_organization(t.low(i))
                || is_brand_head
                || is_weekday(t.low(i))
                || is_label
                || is_eponym_before_head(t, i)
                || is_drug_product_word(t, i)
            {
                *p = [1.0, 0.0, 0.0];
            } else if is_untitled_stop_term(t, i)
                || crate::phi::names::person::is_the_surname_thing(t, i)
            {
                // Countries and states are stop terms too: they stay places. "The Whipple went
                // well" names a procedure, not a person; a place stays open ("the Bronx").
                p[CLASS_NAME] = 0.0;
            }
        }
        let class_of = |p: &[f32; N_CLASSES]| -> Option<usize> {
            let (name, place) = (p[CLASS_NAME], p[CLASS_PLACE]);
            if name >= self.thresholds[0] && name >= place {
                Some(CLASS_NAME)
            } else if place >= self.thresholds[1] && place > name {
                Some(CLASS_PLACE)
            } else {
                None
            }
        };
        let mut run: Option<Run> = None;
        let mut last_single = false;
        for (i, p) in probs.iter().enumerate() {
            let Some(tok) = t.get(i) else { break };
            let class = class_of(p);
            // "N-G-U" is one token of letters spelled out.
            let is_short = t.low(i).split('-').all(|part| part.chars().count() <= 2);
            if let Some(r) = run.as_mut() {
                // A place keeps the numbers written with it ("Puruntie 82", "Leeds, 4"): a
                // house number or postcode left visible next to a hidden street still points
                // at the place.
                let is_place_number = r.class == CLASS_PLACE
                    && tok.shape == Shape::Number
                    && tok.end - tok.start <= 6
                    && joins_number(&tok.gap);
                if is_place_number {
                    r.last = i;
                    continue;
                }
                if class == Some(r.class) && joins(&tok.gap) {
                    r.last = i;
                    r.best = r.best.max(p[r.class]);
                    r.words += 1;
                    r.short &= is_short;
                    continue;
                }
                if let Some(r) = run.take() {
                    self.emit(t, &r, last_single, out);
                }
            }
            if let Some(c) = class {
                run = Some(Run {
                    class: c,
                    first: i,
                    last: i,
                    best: p[c],
                    words: 1,
                    short: is_short,
                });
                last_single = tok.shape == Shape::Initial || t.low(i).contains('-');
            }
        }
        if let Some(r) = run {
            self.emit(t, &r, last_single, out);
        }
    }

    /// Push the span of a finished run, unless it is a spelled value or holds no name or place.
    ///
    /// A lowercase function word at either end of a run is trimmed ("we're at the corner of"
    /// must not hide "the"), and a place run left with one generic facility word ("the Heart
    /// Center" tagged on "Center" alone) names no place: the tagger only scores single tokens,
    /// so either can cross its threshold from context alone.
    fn emit(&self, t: &Tokens, r: &Run, last_single: bool, out: &mut Vec<Span>) {
        let spelled = r.short && (r.words >= 2 || last_single);
        if spelled {
            return;
        }
        let is_edge_word = |i: usize| {
            t.get(i).is_some_and(|x| x.shape == Shape::Lower) && is_function_word(t.low(i))
        };
        let (mut first, mut last) = (r.first, r.last);
        while first < last && is_edge_word(first) {
            first += 1;
        }
        while last > first && is_edge_word(last) {
            last -= 1;
        }
        if is_edge_word(first) {
            return;
        }
        if r.class == CLASS_PLACE && first == last && is_generic_place_word(t.low(first)) {
            return;
        }
        let (Some(a), Some(b)) = (t.get(first), t.get(last)) else { return };
        out.push(self.span(r.class, a.start, b.end, r.best));
    }

    /// A span scored so that the emission threshold maps to 0.5 (the scanner's default
    /// `min_score`) and certainty to [`MAX_SCORE`].
    fn span(&self, class: usize, start: usize, end: usize, p: f32) -> Span {
        let thr = self.thresholds[class - 1];
        let score = 0.5 + (MAX_SCORE - 0.5) * ((p - thr) / (1.0 - thr).max(1e-6)).clamp(0.0, 1.0);
        let (kind, recognizer) = if class == CLASS_NAME {
            (PhiType::Name, "name_tagger")
        } else {
            (PhiType::Address, "place_tagger")
        };
        Span::new(start, end, kind, score, recognizer)
    }
}

/// A run of tokens of one tagged class, by token index.
struct Run {
    class: usize,
    first: usize,
    last: usize,
    /// The highest class probability in the run.
    best: f32,
    /// Word tokens in the run (numbers kept by a place are not counted).
    words: usize,
    /// Every word token has at most two letters per hyphen part.
    short: bool,
}

/// Words that never start or end a name or a place when written in lower case.
fn is_function_word(low: &str) -> bool {
    matches!(
        low,
        "the"
            | "an"
            | "of"
            | "at"
            | "on"
            | "in"
            | "and"
            | "or"
            | "to"
            | "for"
            | "from"
            | "by"
            | "with"
            | "near"
            | "into"
    )
}

/// Facility and building words that name no place on their own ("Center", "Clinic").
fn is_generic_place_word(low: &str) -> bool {
    matches!(
        low,
        "center"
            | "centre"
            | "hospital"
            | "clinic"
            | "building"
            | "tower"
            | "pavilion"
            | "office"
            | "unit"
            | "wing"
            | "campus"
            | "department"
            | "lab"
            | "laboratory"
            | "pharmacy"
            | "suite"
            | "floor"
            | "institute"
            | "practice"
    )
}

/// The highest score a tagger span gets: below the structured and context rules (0.8 and up), so
/// where a rule types the same text differently ("Humana" as a plan, "B" in a spelled member
/// id), the rule wins the overlap.
pub const MAX_SCORE: f32 = 0.75;

/// US payers, pharmacy chains and health-system brands that read like surnames or towns
/// ("Aetna", "Humana", "Walgreens", "Kaiser"). Public names, written for this list.
pub(crate) fn is_organization(low: &str) -> bool {
    matches!(
        low,
        "aetna"
            | "anthem"
            | "cigna"
            | "humana"
            | "kaiser"
            | "permanente"
            | "medicaid"
            | "medicare"
            | "medi-cal"
            | "tricare"
            | "champva"
            | "molina"
            | "centene"
            | "ambetter"
            | "wellcare"
            | "amerigroup"
            | "highmark"
            | "elevance"
            | "optum"
            | "unitedhealthcare"
            | "oscar"
            | "bcbs"
            | "caresource"
            | "geisinger"
            | "walgreens"
            | "cvs"
            | "rite"
            | "kroger"
            | "costco"
            | "walmart"
            | "publix"
            | "safeway"
            | "albertsons"
            | "express"
            | "caremark"
            | "medco"
            | "mayo"
            | "cleveland"
            | "sutter"
            | "ascension"
            | "providence"
            | "intermountain"
            | "banner"
            | "atrium"
            | "novant"
            | "ochsner"
            | "dignity"
    )
}

/// True when token `i` is a stop term of the lexicon that is no given name (a drug, an eponym
/// written without its head such as "Swan-Ganz" or "Osgood-Schlatter", a country) with no title
/// before it: never a person
/// for the tagger (session 18). Titles keep people ("Dr. Foley"); the rules decide those.
fn is_untitled_stop_term(t: &Tokens, i: usize) -> bool {
    let titled = i > 0 && t.title(i - 1).is_some();
    // Given names among the stop terms stay open to the tagger ("Thanks, Jun", "Mae Lee").
    !titled && t.get(i).is_some_and(|tok| tok.entry.is_some_and(|e| e.is_stop && e.given == 0))
}

/// True when token `i` comes right before an eponym's head, directly or through a second
/// capitalised word ("Whipple procedure", "Lou Gehrig's disease", "Klippel Feil syndrome"): a
/// condition or procedure, neither a person nor a place (session 18).
fn is_eponym_before_head(t: &Tokens, i: usize) -> bool {
    let head_at =
        |k: usize| t.get(k).is_some_and(|x| x.gap.is_space()) && is_strong_eponym_head(t.low(k));
    head_at(i + 1)
        || (t.get(i).is_some_and(|x| x.is_capitalized)
            && t.get(i + 1).is_some_and(|x| x.is_capitalized && x.gap.is_space())
            && head_at(i + 2))
}

/// Heads after which a capitalised word names a condition, sign or procedure, never a person
/// ("Bell's palsy"): the unambiguous part of the rules' eponym heads.
fn is_strong_eponym_head(low: &str) -> bool {
    matches!(
        low,
        "disease"
            | "syndrome"
            | "sign"
            | "palsy"
            | "procedure"
            | "maneuver"
            | "pouch"
            | "fundoplication"
            | "diverticulum"
            | "esophagus"
            | "lymphoma"
            | "sarcoma"
            | "thyroiditis"
            | "catheter"
            | "contracture"
            | "cyst"
            | "reflex"
            | "criteria"
            | "coma"
    )
}

/// True when token `i` is a dosage form or route written in a drug product's name, or a word
/// of the product name before one ("Clonidine Transdermal Patch", "Bexarotene Topical"): a
/// medicine, neither a person nor a place (session 19; MedQuAD titles read "... of Clonidine
/// Transdermal Patch ?", where the words end a phrase as places do). Words before the form
/// count only when the form is capitalised and no title precedes them ("Dr. Patel Injection
/// Clinic" keeps its name).
fn is_drug_product_word(t: &Tokens, i: usize) -> bool {
    if is_dosage_form(t.low(i)) {
        return true;
    }
    let titled = i > 0 && t.title(i - 1).is_some();
    let form_at = |k: usize| {
        t.get(k).is_some_and(|x| x.is_capitalized && x.gap.is_space()) && is_dosage_form(t.low(k))
    };
    !titled
        && t.get(i).is_some_and(|x| x.is_capitalized)
        && (form_at(i + 1)
            || (t.get(i + 1).is_some_and(|x| x.is_capitalized && x.gap.is_space())
                && form_at(i + 2)))
}

/// Dosage forms and routes as drug product names write them.
fn is_dosage_form(low: &str) -> bool {
    matches!(
        low,
        "patch"
            | "patches"
            | "tablet"
            | "tablets"
            | "capsule"
            | "capsules"
            | "cream"
            | "ointment"
            | "gel"
            | "lotion"
            | "spray"
            | "inhaler"
            | "injection"
            | "suspension"
            | "syrup"
            | "suppository"
            | "lozenge"
            | "elixir"
            | "topical"
            | "transdermal"
            | "ophthalmic"
            | "otic"
            | "intranasal"
            | "sublingual"
            | "subcutaneous"
            | "intravenous"
    )
}

/// Day names are dates' business, never a person ("Monday" opens many note lines), in the
/// plural too ("son Kwame visits Sundays").
pub(crate) fn is_weekday(low: &str) -> bool {
    let day = low.strip_suffix('s').unwrap_or(low);
    matches!(
        day,
        "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday"
    )
}

/// Two tagged tokens belong to one span when only spaces, a period ("J. Smith", "St. Paul") or a
/// hyphen lie between them on one line.
fn joins(g: &Gap) -> bool {
    g.len <= 3
        && !(g.has_newline
            || g.has_colon
            || g.has_comma
            || g.has_stop
            || g.has_paren
            || g.has_other)
}

/// A number belongs to the place before it when only spaces, a comma or a dash lie between
/// them on one line.
fn joins_number(g: &Gap) -> bool {
    g.len <= 3
        && !(g.has_newline
            || g.has_colon
            || g.has_stop
            || g.has_paren
            || g.has_other
            || g.has_period)
}

fn softmax(z: [f32; N_CLASSES]) -> [f32; N_CLASSES] {
    let m = z.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let e = z.map(|v| (v - m).exp());
    let s: f32 = e.iter().sum();
    e.map(|v| v / s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads() {
        assert!(embedded().is_some(), "{:?}", Model::from_bytes(EMBEDDED_BYTES).err());
    }

    #[test]
    fn bytes_round_trip_and_corruption_is_an_error() {
        let mut w = vec![0f32; DIM * N_CLASSES];
        w[7] = 1.5;
        w[100] = -0.25;
        let m = Model::from_float(&w, [0.5, -1.0, -2.0], [0.4, 0.6]).unwrap();
        let bytes = m.to_bytes();
        assert_eq!(Model::from_bytes(&bytes).unwrap(), m);
        let mut broken = bytes.clone();
        broken[HEADER + 7] ^= 1;
        assert!(Model::from_bytes(&broken).is_err());
        assert!(Model::from_bytes(&bytes[..HEADER + 10]).is_err());
        assert!(Model::from_bytes(b"PWTAGLR1").is_err());
        let mut wrong_version = bytes;
        wrong_version[8] ^= 0x40;
        assert!(Model::from_bytes(&wrong_version).is_err());
    }

    #[test]
    fn bad_thresholds_are_rejected() {
        let w = vec![0f32; DIM * N_CLASSES];
        assert!(Model::from_float(&w, [0.0; 3], [1.0, 0.5]).is_err());
        assert!(Model::from_float(&w, [0.0; 3], [0.5, f32::NAN]).is_err());
    }

    #[test]
    fn weekdays_are_never_tagged() {
        let w = vec![0f32; DIM * N_CLASSES];
        let m = Model::from_float(&w, [0.0, 5.0, 0.0], [0.5, 0.5]).unwrap();
        let text = "Kwame visits Sundays and Mondays";
        let mut out = Vec::new();
        m.detect(&Tokens::new(text), &mut out);
        let got: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["Kwame visits"], "a lone lowercase \"and\" is trimmed away");
    }

    #[test]
    fn clinical_eponyms_are_never_tagged() {
        let w = vec![0f32; DIM * N_CLASSES];
        let m = Model::from_float(&w, [0.0, 5.0, 0.0], [0.5, 0.5]).unwrap();
        let text = "Kwame had a Whipple procedure, Lou Gehrig's disease and a Swan-Ganz; Dr. Foley";
        let mut out = Vec::new();
        m.detect(&Tokens::new(text), &mut out);
        let got: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["Kwame had a", "procedure", "disease and a", "Dr. Foley"]);
    }

    #[test]
    fn runs_join_across_spaces_and_initials_not_commas_or_lines() {
        // A model whose NAME bias wins everywhere tags every word token.
        let w = vec![0f32; DIM * N_CLASSES];
        let m = Model::from_float(&w, [0.0, 5.0, 0.0], [0.5, 0.5]).unwrap();
        let text = "Ann B. Lee, Tom\nKay 12 Roe";
        let mut out = Vec::new();
        m.detect(&Tokens::new(text), &mut out);
        let got: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["Ann B. Lee", "Tom", "Kay", "Roe"]);
        assert!(out
            .iter()
            .all(|s| s.kind == PhiType::Name && (0.5..=MAX_SCORE).contains(&s.score)));
    }

    #[test]
    fn places_keep_their_numbers_names_do_not() {
        let w = vec![0f32; DIM * N_CLASSES];
        let place = Model::from_float(&w, [0.0, 0.0, 5.0], [0.5, 0.5]).unwrap();
        let text = "Puruntie 82, Helsinki\nRoom 12";
        let mut out = Vec::new();
        place.detect(&Tokens::new(text), &mut out);
        let got: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["Puruntie 82", "Helsinki", "Room 12"]);
        let name = Model::from_float(&w, [0.0, 5.0, 0.0], [0.5, 0.5]).unwrap();
        let mut out = Vec::new();
        name.detect(&Tokens::new("Ann 82"), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].end, 3);
    }

    #[test]
    fn drug_products_are_never_tagged() {
        let w = vec![0f32; DIM * N_CLASSES];
        let place = Model::from_float(&w, [0.0, 0.0, 5.0], [0.5, 0.5]).unwrap();
        let text = "side effects of Clonidine Transdermal Patch ?\nBexarotene Topical\nDr. Patel Injection";
        let mut out = Vec::new();
        place.detect(&Tokens::new(text), &mut out);
        let got: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["side effects", "Dr. Patel"]);
    }

    #[test]
    fn runs_drop_lowercase_function_words_and_lone_facility_words() {
        let w = vec![0f32; DIM * N_CLASSES];
        let place = Model::from_float(&w, [0.0, 0.0, 5.0], [0.5, 0.5]).unwrap();
        let text = "at the Heart Center, the\nthe Center\nnear Maple Street\nThe Woodlands";
        let mut out = Vec::new();
        place.detect(&Tokens::new(text), &mut out);
        let got: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["Heart Center", "Maple Street", "The Woodlands"]);
    }

    #[test]
    fn spelled_letters_and_organizations_are_left_to_the_rules() {
        let w = vec![0f32; DIM * N_CLASSES];
        let m = Model::from_float(&w, [0.0, 5.0, 0.0], [0.5, 0.5]).unwrap();
        let text = "d q t oh, then Humana for Bo, Blue Cross Blue Shield on Monday";
        let mut out = Vec::new();
        m.detect(&Tokens::new(text), &mut out);
        let got: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["then", "Bo"]);
        for spelled in ["n g u y e n", "J", "N-G-U"] {
            let mut out = Vec::new();
            m.detect(&Tokens::new(spelled), &mut out);
            assert!(out.is_empty(), "{spelled}");
        }
        // A two-letter surname alone is still reported.
        let mut out = Vec::new();
        m.detect(&Tokens::new("Li"), &mut out);
        assert_eq!(out.len(), 1);
    }

    proptest::proptest! {
        /// Any text: spans inside the text, on char boundaries, scores in [0.5, 1].
        #[test]
        fn spans_are_well_formed(text in "(?s)[ a-zA-Z'\\-.,:()\n0-9éÑễ你\u{301}]{0,160}") {
            if let Some(m) = embedded() {
                let mut out = Vec::new();
                m.detect(&Tokens::new(&text), &mut out);
                for s in out {
                    proptest::prop_assert!(s.start < s.end && s.end <= text.len());
                    proptest::prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
                    proptest::prop_assert!((0.5..=MAX_SCORE).contains(&s.score));
                }
            }
        }
    }
}

//! `phiwall train tagger`: fit the learned name and place tagger ([`phiwall_scan::phi::tagger`])
//! on the **dev** halves of the labelled PHI sets, choose its emission thresholds on held-out
//! dev folds, and write the model file.
//!
//! Data (read from the shared data directory at training time, never copied):
//! - PhysioNet deid gold notes of the dev patients (names of clinicians, patients and relatives;
//!   locations);
//! - presidio-research `synth_dataset_v2` sentences of the dev templates;
//! - our generated transcripts (calls, portal messages, notes, EHR requests) of the dev
//!   templates;
//! - MedQuAD answer passages as text without PHI (eponyms, drug and disease names are hard
//!   negatives).
//!
//! Each word token is labelled NAME, PLACE (ADDRESS) or none from the gold spans; tokens inside
//! other PHI types or excluded spans, number words inside addresses and digit tokens are not
//! trained on. The fit is a multinomial logistic regression with AdaGrad over the hashed features
//! of [`phiwall_scan::phi::tagger::features`]; shuffling uses our own seeded generator, so the
//! same data and seed give the same bytes.
//!
//! Thresholds: the dev documents are split in two folds by patient or template
//! ([`crate::fold_of`]); a model fitted on one fold is run inside the full scanner on the other
//! at each threshold of a grid, and the pair with the best F2 whose precision stays within
//! [`TaggerTrainConfig::max_precision_loss`] of the rules-only scanner on the same documents is
//! kept (per type: NAME thresholds are judged on NAME, PLACE on ADDRESS). The final model is
//! fitted on all dev documents with those thresholds.

use crate::corpus::{fold_of, Fold, GoldDoc, Split};
use crate::generate::{self, GenOptions};
use crate::metrics::{evaluate, EvalOptions, MatchMode};
use crate::readers::{read_deid, read_jsonl, read_presidio};
use crate::{Error, LabelOptions};
use phiwall_scan::phi::names::tokens::{Shape, Tokens};
use phiwall_scan::phi::tagger::features::{token_facts, token_features, DIM};
use phiwall_scan::phi::tagger::{Model, CLASS_NAME, CLASS_PLACE, N_CLASSES};
use phiwall_scan::{PhiType, Scanner, ScannerConfig, TaggerChoice};
use std::path::Path;
use std::sync::Arc;

/// Training settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggerTrainConfig {
    /// Seed for shuffling and the generated transcripts.
    pub seed: u64,
    /// Passes over the training tokens.
    pub epochs: usize,
    /// AdaGrad base learning rate.
    pub learning_rate: f32,
    /// L2 penalty on touched weights.
    pub l2: f32,
    /// Generated transcripts to draw (dev templates only are kept).
    pub transcripts: usize,
    /// MedQuAD passages used as text without PHI.
    pub medquad_passages: usize,
    /// Largest drop in a type's precision, against the rules-only scanner on the held-out fold,
    /// that a threshold may cost.
    pub max_precision_loss: f64,
    /// Loss weight of NAME and PLACE tokens (they are about 1% of tokens).
    pub positive_weight: f32,
    /// Loss weight of clinical-note tokens (deid), the hardest and most common text.
    pub note_weight: f32,
}

impl Default for TaggerTrainConfig {
    fn default() -> Self {
        TaggerTrainConfig {
            seed: 7,
            epochs: 6,
            learning_rate: 0.1,
            l2: 1e-6,
            transcripts: 2000,
            medquad_passages: 600,
            max_precision_loss: 0.02,
            positive_weight: 1.0,
            note_weight: 1.0,
        }
    }
}

/// One labelled source.
#[derive(Debug, Clone)]
pub struct Source {
    /// Short name for reports.
    pub name: &'static str,
    /// Dev documents only.
    pub docs: Vec<GoldDoc>,
}

/// Threshold grid tried per class.
const GRID: [f32; 8] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/// Read the dev documents of every source from `data` (the shared data directory).
pub fn load_sources(data: &Path, cfg: &TaggerTrainConfig) -> Result<Vec<Source>, Error> {
    let read = |rel: &str| -> Result<String, Error> {
        let p = data.join(rel);
        std::fs::read_to_string(&p)
            .map_err(|source| Error::Io { path: p.display().to_string(), source })
    };
    let opts = LabelOptions::default();
    let deid_path = "phi/DEID-2023/derived/physionet_deid_gold.jsonl";
    let deid = read_deid(&read(deid_path)?, deid_path, opts)?;
    let presidio_path = "phi/presidio-research/data/synth_dataset_v2.json";
    let presidio = read_presidio(&read(presidio_path)?, presidio_path, "synth_dataset_v2", opts)?;
    let records = generate::generate(GenOptions { count: cfg.transcripts, seed: cfg.seed })?;
    let mut buf = Vec::new();
    generate::write_jsonl(&records, &mut buf)
        .map_err(|source| Error::Io { path: "generated transcripts".into(), source })?;
    let transcripts = read_jsonl(&String::from_utf8_lossy(&buf), "generated transcripts")?;
    let medquad_path = "injection/MedQuAD/medquad_answers_sample2000.jsonl";
    let medquad = read(medquad_path)?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
        .take(cfg.medquad_passages)
        .enumerate()
        .map(|(i, text)| GoldDoc {
            id: format!("medquad#{i}"),
            text,
            spans: Vec::new(),
            excluded: Vec::new(),
            split: Split::Dev,
            template: Some(format!("medquad#{i}")),
            origin: None,
        })
        .collect();
    let dev = |docs: Vec<GoldDoc>| docs.into_iter().filter(|d| d.split == Split::Dev).collect();
    Ok(vec![
        Source { name: "deid", docs: dev(deid.docs) },
        Source { name: "presidio", docs: dev(presidio.docs) },
        Source { name: "transcripts", docs: dev(transcripts.docs) },
        Source { name: "medquad", docs: medquad },
    ])
}

/// Spoken number words, not trained as part of a place ("fourteen twenty three Elm Street").
fn is_number_word(low: &str) -> bool {
    matches!(
        low,
        "oh" | "zero"
            | "one"
            | "two"
            | "three"
            | "four"
            | "five"
            | "six"
            | "seven"
            | "eight"
            | "nine"
            | "ten"
            | "eleven"
            | "twelve"
            | "thirteen"
            | "fourteen"
            | "fifteen"
            | "sixteen"
            | "seventeen"
            | "eighteen"
            | "nineteen"
            | "twenty"
            | "thirty"
            | "forty"
            | "fifty"
            | "sixty"
            | "seventy"
            | "eighty"
            | "ninety"
            | "hundred"
            | "thousand"
            | "double"
            | "triple"
    )
}

/// Training examples: the features of each labelled token, flattened.
#[derive(Debug, Default)]
struct Examples {
    feats: Vec<u32>,
    /// `(end offset into feats, class, loss weight)` per example.
    rows: Vec<(usize, u8, f32)>,
}

/// Per-class token counts of a training run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenCounts {
    /// Tokens labelled none, NAME, PLACE.
    pub by_class: [usize; N_CLASSES],
    /// Tokens skipped (other PHI types, excluded spans, numbers).
    pub skipped: usize,
}

fn label_tokens(doc: &GoldDoc, weights: (f32, f32), ex: &mut Examples, counts: &mut TokenCounts) {
    let (doc_weight, positive_weight) = weights;
    // Code-point offsets of the gold to bytes.
    let mut byte_at: Vec<usize> = doc.text.char_indices().map(|(b, _)| b).collect();
    byte_at.push(doc.text.len());
    let to_bytes = |s: usize, e: usize| {
        (
            byte_at.get(s).copied().unwrap_or(doc.text.len()),
            byte_at.get(e).copied().unwrap_or(doc.text.len()),
        )
    };
    let gold: Vec<(usize, usize, PhiType)> = doc
        .spans
        .iter()
        .map(|g| {
            let (s, e) = to_bytes(g.start, g.end);
            (s, e, g.kind)
        })
        .collect();
    let excluded: Vec<(usize, usize)> =
        doc.excluded.iter().map(|x| to_bytes(x.start, x.end)).collect();
    let t = Tokens::new(&doc.text);
    let facts = token_facts(&t);
    let mut feats = Vec::with_capacity(32);
    for (i, tok) in t.toks.iter().enumerate() {
        if tok.shape == Shape::Number {
            continue;
        }
        let overlaps = |s: usize, e: usize| tok.start < e && s < tok.end;
        if excluded.iter().any(|&(s, e)| overlaps(s, e)) {
            counts.skipped += 1;
            continue;
        }
        let kinds: Vec<PhiType> =
            gold.iter().filter(|&&(s, e, _)| overlaps(s, e)).map(|g| g.2).collect();
        let class = if kinds.is_empty() {
            0
        } else if kinds.contains(&PhiType::Name) {
            CLASS_NAME
        } else if kinds.iter().all(|k| *k == PhiType::Address) && !is_number_word(t.low(i)) {
            CLASS_PLACE
        } else {
            counts.skipped += 1;
            continue;
        };
        token_features(&t, &facts, i, &mut feats);
        ex.feats.extend_from_slice(&feats);
        let w = if class == 0 { doc_weight } else { doc_weight * positive_weight };
        ex.rows.push((ex.feats.len(), class as u8, w));
        if let Some(c) = counts.by_class.get_mut(class) {
            *c += 1;
        }
    }
}

/// Our own SplitMix64 for the shuffle (no dependency update may change a trained model).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Fit a model on `docs` (thresholds set later). Returns the model and token counts.
pub fn fit(
    docs: &[&GoldDoc],
    cfg: &TaggerTrainConfig,
    thresholds: [f32; 2],
) -> Result<(Model, TokenCounts), Error> {
    let mut ex = Examples::default();
    let mut counts = TokenCounts::default();
    for d in docs {
        let is_note = d.template.is_none() && d.id.starts_with('p');
        let doc_weight = if is_note { cfg.note_weight } else { 1.0 };
        label_tokens(d, (doc_weight, cfg.positive_weight), &mut ex, &mut counts);
    }
    let mut w = vec![0f32; DIM * N_CLASSES];
    let mut g2 = vec![1e-6f32; DIM * N_CLASSES];
    let mut bias = [0f32; N_CLASSES];
    let mut bias_g2 = [1e-6f32; N_CLASSES];
    let mut order: Vec<usize> = (0..ex.rows.len()).collect();
    let mut rng = Mix(cfg.seed ^ 0x7461_6767_6572);
    for _ in 0..cfg.epochs {
        // Fisher-Yates with our generator.
        for k in (1..order.len()).rev() {
            let j = (rng.next() % (k as u64 + 1)) as usize;
            order.swap(k, j);
        }
        for &r in &order {
            let start = if r == 0 { 0 } else { ex.rows.get(r - 1).map_or(0, |x| x.0) };
            let Some(&(end, class, weight)) = ex.rows.get(r) else { continue };
            let feats = ex.feats.get(start..end).unwrap_or(&[]);
            let mut z = bias;
            for &f in feats {
                let at = f as usize * N_CLASSES;
                for (c, zc) in z.iter_mut().enumerate() {
                    *zc += w.get(at + c).copied().unwrap_or(0.0);
                }
            }
            let m = z.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
            let e = z.map(|v| (v - m).exp());
            let s: f32 = e.iter().sum();
            for c in 0..N_CLASSES {
                let grad = weight * (e[c] / s - if c == class as usize { 1.0 } else { 0.0 });
                bias_g2[c] += grad * grad;
                bias[c] -= cfg.learning_rate * grad / bias_g2[c].sqrt();
                for &f in feats {
                    let at = f as usize * N_CLASSES + c;
                    if let (Some(wi), Some(gi)) = (w.get_mut(at), g2.get_mut(at)) {
                        let gr = grad + cfg.l2 * *wi;
                        *gi += gr * gr;
                        *wi -= cfg.learning_rate * gr / gi.sqrt();
                    }
                }
            }
        }
    }
    let model = Model::from_float(&w, bias, thresholds).map_err(|e| Error::Config {
        key: "tagger",
        expected: "a finite model",
        found: e.to_string(),
    })?;
    Ok((model, counts))
}

/// Precision and recall of one type and of all types on some documents.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TypeScores {
    /// NAME recall, precision.
    pub name: (f64, f64),
    /// ADDRESS recall, precision.
    pub address: (f64, f64),
    /// All types: recall, precision.
    pub overall: (f64, f64),
}

/// Score the full scanner with `tagger` on `docs`.
pub fn score(docs: &[GoldDoc], tagger: TaggerChoice) -> Result<TypeScores, Error> {
    let scanner =
        Scanner::new(ScannerConfig { tagger, ..ScannerConfig::default() }).map_err(|e| {
            Error::Config { key: "tagger", expected: "a valid scanner", found: e.to_string() }
        })?;
    let preds: Vec<_> = docs.iter().map(|d| scanner.scan(&d.text)).collect();
    Ok(type_scores(docs, &preds))
}

fn f2(recall: f64, precision: f64) -> f64 {
    if recall + precision == 0.0 {
        0.0
    } else {
        5.0 * precision * recall / (4.0 * precision + recall)
    }
}

/// One row of the threshold search.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdRow {
    /// The NAME or PLACE threshold.
    pub threshold: f32,
    /// Held-out scores (both folds pooled) of the type it governs: recall, precision.
    pub scores: (f64, f64),
}

/// What training reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaggerReport {
    /// Token counts of the final fit.
    pub counts: TokenCounts,
    /// Rules-only held-out scores (NAME, ADDRESS): recall, precision.
    pub rules_only: ((f64, f64), (f64, f64)),
    /// NAME threshold search.
    pub name_rows: Vec<ThresholdRow>,
    /// PLACE threshold search.
    pub place_rows: Vec<ThresholdRow>,
    /// Chosen thresholds (NAME, PLACE).
    pub thresholds: [f32; 2],
    /// Held-out overall (recall, precision): rules only, and with the tagger at the chosen
    /// thresholds.
    pub overall: ((f64, f64), (f64, f64)),
}

/// Held-out scores of both folds together: fold A's model scans fold B's documents and fold
/// B's model fold A's, and the union of those predictions is evaluated at once (exact pooled
/// counts, not an average of two ratios).
fn pooled(
    a_docs: &[GoldDoc],
    b_docs: &[GoldDoc],
    model_a: &Model,
    model_b: &Model,
    thresholds: [f32; 2],
) -> Result<TypeScores, Error> {
    let on_b = Arc::new(model_a.clone().with_thresholds(thresholds).map_err(to_err)?);
    let on_a = Arc::new(model_b.clone().with_thresholds(thresholds).map_err(to_err)?);
    let sa =
        Scanner::new(ScannerConfig { tagger: TaggerChoice::Model(on_a), ..Default::default() })
            .map_err(to_err)?;
    let sb =
        Scanner::new(ScannerConfig { tagger: TaggerChoice::Model(on_b), ..Default::default() })
            .map_err(to_err)?;
    let docs: Vec<GoldDoc> = a_docs.iter().chain(b_docs).cloned().collect();
    let preds: Vec<_> = a_docs
        .iter()
        .map(|d| sa.scan(&d.text))
        .chain(b_docs.iter().map(|d| sb.scan(&d.text)))
        .collect();
    Ok(type_scores(&docs, &preds))
}

/// NAME, ADDRESS and overall (recall, precision) of `preds` on `docs`, overlap matching.
fn type_scores(docs: &[GoldDoc], preds: &[Vec<phiwall_scan::Finding>]) -> TypeScores {
    let opts = EvalOptions {
        mode: MatchMode::Overlap,
        max_listed: 0,
        is_text_shown: false,
        group_by: None,
    };
    let r = evaluate(docs, preds, &opts);
    let rp = |s: Option<&crate::metrics::Scores>| {
        s.map_or((0.0, 1.0), |s| (s.recall.unwrap_or(0.0), s.precision.unwrap_or(1.0)))
    };
    TypeScores {
        name: rp(r.per_type.get(&PhiType::Name)),
        address: rp(r.per_type.get(&PhiType::Address)),
        overall: rp(Some(&r.overall)),
    }
}

fn to_err(e: phiwall_scan::Error) -> Error {
    Error::Config { key: "tagger", expected: "a valid model", found: e.to_string() }
}

/// Train: fold fits, threshold search, final fit on all dev documents.
pub fn train(sources: &[Source], cfg: &TaggerTrainConfig) -> Result<(Model, TaggerReport), Error> {
    let mut report = TaggerReport { ..TaggerReport::default() };
    let all: Vec<&GoldDoc> = sources.iter().flat_map(|s| &s.docs).collect();
    let (fold_a, fold_b): (Vec<&GoldDoc>, Vec<&GoldDoc>) =
        all.iter().partition(|d| fold_of(d) == Fold::A);
    let (model_a, _) = fit(&fold_a, cfg, [0.5, 0.5])?;
    let (model_b, _) = fit(&fold_b, cfg, [0.5, 0.5])?;
    let a_docs: Vec<GoldDoc> = fold_a.iter().map(|d| (*d).clone()).collect();
    let b_docs: Vec<GoldDoc> = fold_b.iter().map(|d| (*d).clone()).collect();
    let mut pooled_docs = a_docs.clone();
    pooled_docs.extend(b_docs.iter().cloned());
    let rules = score(&pooled_docs, TaggerChoice::Off)?;
    report.rules_only = (rules.name, rules.address);
    // NAME threshold with PLACE off (threshold just under 1), then PLACE with NAME chosen.
    let off = 0.999_999;
    let mut best_name = (off, f64::MIN);
    for &t in &GRID {
        let s = pooled(&a_docs, &b_docs, &model_a, &model_b, [t, off])?;
        report.name_rows.push(ThresholdRow { threshold: t, scores: s.name });
        let allowed = s.name.1 >= rules.name.1 - cfg.max_precision_loss;
        let gain = f2(s.name.0, s.name.1);
        if allowed && gain > best_name.1 {
            best_name = (t, gain);
        }
    }
    let mut best_place = (off, f64::MIN);
    for &t in &GRID {
        let s = pooled(&a_docs, &b_docs, &model_a, &model_b, [best_name.0, t])?;
        report.place_rows.push(ThresholdRow { threshold: t, scores: s.address });
        let allowed = s.address.1 >= rules.address.1 - cfg.max_precision_loss;
        let gain = f2(s.address.0, s.address.1);
        if allowed && gain > best_place.1 {
            best_place = (t, gain);
        }
    }
    report.thresholds = [best_name.0, best_place.0];
    let chosen = pooled(&a_docs, &b_docs, &model_a, &model_b, report.thresholds)?;
    report.overall = (rules.overall, chosen.overall);
    let (model, counts) = fit(&all, cfg, report.thresholds)?;
    report.counts = counts;
    Ok((model, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::GoldSpan;

    fn doc(id: &str, text: &str, spans: &[(usize, usize, PhiType)]) -> GoldDoc {
        GoldDoc {
            id: id.into(),
            text: text.into(),
            spans: spans
                .iter()
                .map(|&(start, end, kind)| GoldSpan { kind, start, end, label: String::new() })
                .collect(),
            excluded: Vec::new(),
            split: Split::Dev,
            template: Some(id.into()),
            origin: None,
        }
    }

    #[test]
    fn labels_follow_gold_spans_in_code_points() {
        // "Zoë" has a two-byte char: the span after it must still land on "Quist".
        let d = doc(
            "t1",
            "Zoë met Quist at Elm Hall.",
            &[(8, 13, PhiType::Name), (17, 25, PhiType::Address)],
        );
        let mut ex = Examples::default();
        let mut counts = TokenCounts::default();
        label_tokens(&d, (1.0, 1.0), &mut ex, &mut counts);
        let classes: Vec<u8> = ex.rows.iter().map(|r| r.1).collect();
        assert_eq!(classes, vec![0, 0, 1, 0, 2, 2]);
        assert_eq!(counts.by_class, [3, 1, 2]);
    }

    #[test]
    fn other_types_and_number_words_are_not_trained_on() {
        let d = doc(
            "t2",
            "mail maria at x dot com or visit fourteen Elm",
            &[(5, 23, PhiType::Email), (33, 45, PhiType::Address)],
        );
        let mut ex = Examples::default();
        let mut counts = TokenCounts::default();
        label_tokens(&d, (1.0, 1.0), &mut ex, &mut counts);
        // mail, or, visit are none; Elm is a place; the e-mail's 5 tokens and "fourteen" skipped.
        assert_eq!(counts.by_class, [3, 0, 1]);
        assert_eq!(counts.skipped, 6);
    }

    #[test]
    fn fitting_learns_a_context_and_is_deterministic() {
        let mut docs = Vec::new();
        let names = ["Quist", "Varga", "Okonkwo", "Lindqvist", "Tran", "Mbeki", "Haddad", "Ruiz"];
        for (i, n) in names.iter().enumerate() {
            let text = format!("Seen by Dr. {n} today. Lasix given at noon.");
            let s = 12;
            docs.push(doc(&format!("d{i}"), &text, &[(s, s + n.chars().count(), PhiType::Name)]));
        }
        let refs: Vec<&GoldDoc> = docs.iter().collect();
        let cfg = TaggerTrainConfig { epochs: 4, ..TaggerTrainConfig::default() };
        let (m1, _) = fit(&refs, &cfg, [0.5, 0.5]).unwrap();
        let (m2, _) = fit(&refs, &cfg, [0.5, 0.5]).unwrap();
        assert_eq!(m1.to_bytes(), m2.to_bytes());
        let t = Tokens::new("Seen by Dr. Baptiste today. Lasix given at noon.");
        let p = m1.token_probabilities(&t);
        assert!(p[3][CLASS_NAME] > 0.5, "{:?}", p[3]);
        assert!(p[5][CLASS_NAME] < 0.5, "Lasix: {:?}", p[5]);
        assert!(p[5][CLASS_PLACE] < 0.5);
    }
}

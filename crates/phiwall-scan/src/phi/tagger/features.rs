//! Features of one word token for the learned tagger: hashed indicator features built from the
//! token's shape, lexicon facts, suffix and neighbours.
//!
//! What generalizes is kept and what memorizes is left out: a token's own spelling is a feature
//! only when the lexicon knows it as a common English word, a clinical stop term or a context
//! word ("dr", "wife", "per", "called"). A capitalised word the lexicon does not know is
//! described by its shape and name classes, never by its letters (beyond a three-letter suffix),
//! so the model cannot learn the surrogate names of its training notes, only the contexts that
//! name people and places.
//!
//! Changing anything here changes the meaning of every weight: bump [`FEATURE_VERSION`] and
//! retrain (`phiwall train tagger`, docs/eval-phi.md).

use crate::phi::names::tokens::{CaseMode, Gap, Shape, Tokens};

/// Version of the feature extraction a model file was trained with.
pub const FEATURE_VERSION: u32 = 2;
/// log2 of the number of hashed feature buckets.
pub const DIM_LOG2: u32 = 17;
/// Number of hashed feature buckets.
pub const DIM: usize = 1 << DIM_LOG2;

/// Mix one value into a running feature hash.
#[inline]
fn mix(h: u64, x: u64) -> u64 {
    let h = (h ^ x).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

/// FNV-1a 64 of some bytes (a token's spelling or suffix, hashed once per token).
fn fnv(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h = (h ^ u64::from(x)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A feature from a template tag and its parts, folded into [`DIM`] buckets.
#[inline]
fn bucket(tag: u64, parts: &[u64]) -> u32 {
    let mut h = mix(0x5851_f42d_4c95_7f2d, tag);
    for &p in parts {
        h = mix(h, p);
    }
    ((h ^ (h >> 31)) as u32) & (DIM as u32 - 1)
}

/// True when the token's own spelling may be a feature (see the module comment).
fn is_vocabulary(t: &Tokens, i: usize) -> bool {
    let Some(tok) = t.get(i) else { return false };
    if tok.shape == Shape::Number {
        return false;
    }
    let e = tok.entry.unwrap_or_default();
    e.is_word
        || e.is_stop
        || t.title(i).is_some()
        || t.is_relative(i)
        || t.is_trigger_word(i)
        || t.is_closed(i)
        || t.is_modal(i)
        || t.credential(i).is_some()
        || t.is_company_suffix(i)
}

/// A short code for a token's shape.
fn shape_code(s: Shape) -> u8 {
    match s {
        Shape::Initial => b'i',
        Shape::Cap => b'C',
        Shape::Upper => b'U',
        Shape::Lower => b'l',
        Shape::Other => b'o',
        Shape::Number => b'#',
    }
}

/// A short code for the punctuation in a gap between tokens.
fn gap_code(g: &Gap) -> u8 {
    if g.has_newline {
        b'n'
    } else if g.has_colon {
        b':'
    } else if g.has_period {
        b'.'
    } else if g.has_comma {
        b','
    } else if g.has_stop {
        b'!'
    } else if g.has_paren {
        b'('
    } else if g.has_dash {
        b'-'
    } else if g.has_other {
        b'/'
    } else if g.len == 0 {
        b'0'
    } else {
        b' '
    }
}

fn mode_code(m: CaseMode) -> u8 {
    match m {
        CaseMode::Mixed => b'm',
        CaseMode::Upper => b'u',
        CaseMode::Lower => b'l',
    }
}

/// What the features need of one token, computed once per token (each token is a neighbour of
/// four others).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenFacts {
    /// Hash of the token's class as a neighbour: its spelling when vocabulary, else its shape
    /// with its name classes (or digit count).
    class: u64,
    /// Vocabulary spelling hash, when the spelling may be a feature.
    vocab: Option<u64>,
    shape: u8,
    gap_before: u8,
    /// Given name, surname and word bits from the lexicon.
    name_bits: u8,
    given: u8,
    surname: u8,
    is_word: bool,
    is_stop: bool,
    is_possessive: bool,
    sentence_start: bool,
    len: u8,
    /// Hashes of the last three and two letters (tokens of four letters or more).
    suffixes: Option<(u64, u64)>,
}

/// The facts of every token of `t`.
pub fn token_facts(t: &Tokens) -> Vec<TokenFacts> {
    (0..t.len())
        .map(|i| {
            let Some(tok) = t.get(i) else { return TokenFacts::default() };
            let low = t.low(i).as_bytes();
            let e = tok.entry.unwrap_or_default();
            let shape = shape_code(tok.shape);
            let vocab = is_vocabulary(t, i).then(|| fnv(low));
            let class = match vocab {
                Some(h) => h,
                None if tok.shape == Shape::Number => {
                    mix(u64::from(shape), (tok.end - tok.start).min(9) as u64)
                }
                None => mix(
                    mix(u64::from(shape), u64::from(e.given.min(9))),
                    u64::from(e.surname.min(9)) + 100,
                ),
            };
            let suffixes = (low.len() >= 4).then(|| {
                let s3 = low.get(low.len() - 3..).unwrap_or(low);
                let s2 = low.get(low.len() - 2..).unwrap_or(low);
                (fnv(s3), fnv(s2))
            });
            TokenFacts {
                class,
                vocab,
                shape,
                gap_before: gap_code(&tok.gap),
                name_bits: tok.entry.map_or(0, |x| {
                    u8::from(x.given > 0)
                        | (u8::from(x.surname > 0) << 1)
                        | (u8::from(x.is_word) << 2)
                }),
                given: e.given.min(9),
                surname: e.surname.min(9),
                is_word: e.is_word,
                is_stop: e.is_stop,
                is_possessive: tok.is_possessive,
                sentence_start: t.is_sentence_start(i),
                len: low.len().min(12) as u8,
                suffixes,
            }
        })
        .collect()
}

/// Class hash of a neighbour, or a fixed marker outside the text.
fn class_at(facts: &[TokenFacts], i: Option<usize>) -> u64 {
    i.and_then(|i| facts.get(i)).map_or(0x00ed_6e00, |f| f.class)
}

/// Push the feature buckets of token `i` onto `out` (cleared first). `facts` is
/// [`token_facts`] of the same tokens.
pub fn token_features(t: &Tokens, facts: &[TokenFacts], i: usize, out: &mut Vec<u32>) {
    out.clear();
    let Some(f) = facts.get(i) else { return };
    let mode = u64::from(mode_code(t.mode()));
    let shape = u64::from(f.shape);
    let prev = i.checked_sub(1);
    let next = (i + 1 < facts.len()).then_some(i + 1);
    let p2 = i.checked_sub(2);
    let n2 = (i + 2 < facts.len()).then_some(i + 2);
    let gap_before = u64::from(f.gap_before);
    let gap_after =
        next.and_then(|n| facts.get(n)).map_or(u64::from(b'$'), |n| u64::from(n.gap_before));
    let (w0, p1c, p2c, n1c, n2c) = (
        f.class,
        class_at(facts, prev),
        class_at(facts, p2),
        class_at(facts, next),
        class_at(facts, n2),
    );

    out.push(bucket(0, &[])); // always on: a second bias shared by every token
    out.push(bucket(1, &[w0]));
    out.push(bucket(2, &[shape, mode, u64::from(f.sentence_start)]));
    out.push(bucket(
        3,
        &[
            u64::from(f.given),
            u64::from(f.surname),
            u64::from(f.is_word),
            u64::from(f.is_stop),
            shape,
            mode,
        ],
    ));
    if let Some((s3, s2)) = f.suffixes {
        out.push(bucket(4, &[s3, shape]));
        out.push(bucket(5, &[s2]));
    }
    out.push(bucket(6, &[u64::from(f.len), shape]));
    out.push(bucket(7, &[gap_before, gap_after, shape]));
    out.push(bucket(8, &[u64::from(f.is_possessive), shape]));

    // Neighbours: two each side, alone and as pairs with the token's own class.
    out.push(bucket(10, &[p1c, gap_before]));
    out.push(bucket(11, &[p2c]));
    out.push(bucket(12, &[n1c, gap_after]));
    out.push(bucket(13, &[n2c]));
    out.push(bucket(14, &[p2c, p1c]));
    out.push(bucket(15, &[n1c, n2c]));
    out.push(bucket(16, &[p1c, w0]));
    out.push(bucket(17, &[w0, n1c]));
    out.push(bucket(18, &[p1c, shape, mode]));
    out.push(bucket(19, &[n1c, shape, mode]));
    // Shapes of the window, with the gaps, as one pattern ("Dr. C C ,").
    let shape_of = |k: Option<usize>| {
        k.and_then(|k| facts.get(k)).map_or(u64::from(b'^'), |x| u64::from(x.shape))
    };
    out.push(bucket(20, &[shape_of(prev), gap_before, shape, gap_after, shape_of(next), mode]));
    // The lexicon name classes of the neighbours with this token's ("Given Surname").
    let bits =
        |k: Option<usize>| k.and_then(|k| facts.get(k)).map_or(0, |x| u64::from(x.name_bits));
    out.push(bucket(21, &[bits(prev), u64::from(f.name_bits), bits(next), shape]));
    // The nearest vocabulary word within four tokens before: "Dr ... J. Smith", "wife <x> <y>".
    for back in 1..=4usize {
        let Some(k) = i.checked_sub(back) else { break };
        if let Some(v) = facts.get(k).and_then(|x| x.vocab) {
            out.push(bucket(22, &[v]));
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feats(text: &str, i: usize) -> Vec<u32> {
        let t = Tokens::new(text);
        let mut out = Vec::new();
        token_features(&t, &token_facts(&t), i, &mut out);
        out
    }

    #[test]
    fn buckets_are_in_range_and_deterministic() {
        let a = feats("Seen by Dr. Quentin Marrow today.", 3);
        assert!(!a.is_empty());
        assert!(a.iter().all(|&b| (b as usize) < DIM));
        assert_eq!(a, feats("Seen by Dr. Quentin Marrow today.", 3));
    }

    #[test]
    fn unknown_names_are_described_by_shape_not_spelling() {
        // Two unknown surnames in the same context give the same features except the suffix.
        let a = feats("Seen by Dr. Zqxwarrow today.", 3);
        let b = feats("Seen by Dr. Vblkarrow today.", 3);
        assert_eq!(a, b, "same suffix, same context: same features");
        let c = feats("Seen by Dr. Vblkastle today.", 3);
        assert_ne!(a, c, "only the suffix differs");
        assert_eq!(a.len(), c.len());
    }

    #[test]
    fn out_of_range_token_has_no_features() {
        assert!(feats("one two", 5).is_empty());
        assert!(feats("", 0).is_empty());
    }
}

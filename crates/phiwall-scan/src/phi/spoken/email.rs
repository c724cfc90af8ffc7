//! Spoken e-mail addresses and web addresses, found on the original transcript:
//! "maria dot lopez at gmail dot com", "j smith underscore one two at yahoo dot com" (EMAIL),
//! "w w w dot riverside clinic dot org", "riversideclinic dot com slash portal" (URL).
//!
//! Both need at least one *spoken* connector ("at", "dot", "slash", "underscore"); fully written
//! forms are the structured recognizers' job. A domain is one to three words per label (so
//! "riverside clinic" is a label), labels joined by "dot" (or a written "."), and ends in a known
//! top-level domain after "dot": "home dot dot dot" and "at the clinic" are not addresses. The
//! local part of an e-mail is walked back from "at" over connector-joined words, over
//! space-joined words when one side is a single letter or a digit ("j smith", "smith one two"),
//! and over at most one more plain word ("maria lopez"), stopping at cue words ("email me at",
//! "address is").

use super::tokens::{features, is_tld, lower_word, tokenize, Class, Tok, HAS_CONNECTOR};
use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;
use std::sync::LazyLock;

/// Words that never belong to a local part or a domain label (lowercase, at most 7 letters;
/// longer ones are in [`is_stopword`]). Contractions ("it's", "that's") are excluded by their
/// apostrophe.
const STOPWORDS: &[&str] = &[
    "at", "me", "is", "my", "email", "e", "mail", "address", "to", "it", "its", "the", "was",
    "and", "or", "please", "send", "reach", "contact", "you", "your", "can", "just", "thats", "um",
    "uh", "so", "yes", "yeah", "ok", "okay", "sure", "of", "be", "i", "im", "on", "in", "from",
    "with", "by", "for", "our", "their", "his", "her", "this", "there", "here", "a", "an", "visit",
    "go", "website", "site", "web", "online", "page", "dot", "dash", "hyphen", "slash", "colon",
    "period", "are", "we", "they", "he", "she", "try", "use", "using", "write", "type", "enter",
    "then", "also", "out", "look", "check", "called", "named",
];

/// [`STOPWORDS`] packed into sorted integers: one binary search per token instead of a long
/// chain of string compares.
static STOPWORD_KEYS: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut v: Vec<u64> = STOPWORDS.iter().filter_map(|w| word_key(w.as_bytes())).collect();
    v.sort_unstable();
    v
});

/// A word of at most 7 bytes as an integer: its bytes and its length.
fn word_key(w: &[u8]) -> Option<u64> {
    if w.len() > 7 {
        return None;
    }
    let mut buf = [0u8; 8];
    buf.get_mut(..w.len())?.copy_from_slice(w);
    buf[7] = w.len() as u8;
    Some(u64::from_le_bytes(buf))
}

fn is_stopword(lower: &[u8]) -> bool {
    match word_key(lower) {
        Some(k) => STOPWORD_KEYS.binary_search(&k).is_ok(),
        None => matches!(lower, b"underscore"),
    }
}

/// A connector between two parts of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    Dot,
    Underscore,
    Dash,
    At,
    Slash,
}

/// What the address grammar needs to know about one token, computed once.
#[derive(Debug, Clone, Copy, Default)]
struct Lex {
    is_stop: bool,
    is_tld: bool,
    /// ASCII letters/digits only (addresses here are ASCII).
    is_ascii: bool,
    /// The connector this word names, before checking it stands alone between spaces.
    conn: Option<Conn>,
}

fn lex(w: &str) -> Lex {
    let mut buf = [0u8; 12];
    let is_ascii = w.bytes().all(|b| b.is_ascii_alphanumeric());
    let Some(lower) = lower_word(w, &mut buf) else {
        // Digits, long words and contractions: only contractions are stopwords.
        return Lex {
            is_stop: !is_ascii && w.contains(['\'', '\u{2019}']),
            is_ascii,
            ..Lex::default()
        };
    };
    let conn = match lower {
        b"dot" | b"period" => Some(Conn::Dot),
        b"underscore" => Some(Conn::Underscore),
        b"dash" | b"hyphen" => Some(Conn::Dash),
        b"at" => Some(Conn::At),
        b"slash" => Some(Conn::Slash),
        _ => None,
    };
    Lex { is_stop: is_stopword(lower), is_tld: is_tld(lower), is_ascii, conn }
}

/// Tokens of one document with their address facts.
struct Toks<'a> {
    text: &'a str,
    toks: &'a [Tok],
    lex: Vec<Lex>,
}

impl<'a> Toks<'a> {
    /// Lex only the tokens near an *anchor* (a TLD right after a dot: "dot com", ".org"):
    /// every address ends at one, the longest local part plus domain spans fewer than
    /// `BEFORE` tokens and a path fewer than `AFTER`. Elsewhere tokens keep `Lex::default()`,
    /// which no rule accepts. `None` without an anchor.
    fn new(text: &'a str, toks: &'a [Tok]) -> Option<Self> {
        const BEFORE: usize = 96;
        const AFTER: usize = 64;
        let word = |k: usize| toks.get(k).and_then(|t| text.get(t.start..t.end)).unwrap_or("");
        let gap = |k: usize| match (toks.get(k), toks.get(k + 1)) {
            (Some(a), Some(b)) => text.get(a.end..b.start).unwrap_or(""),
            _ => "",
        };
        let is_space = |g: &str| !g.is_empty() && g.bytes().all(|b| b == b' ' || b == b'\t');
        let mut lexed: Vec<Lex> = Vec::new();
        let mut covered = 0usize;
        for a in 1..toks.len() {
            let w = word(a);
            let mut buf = [0u8; 12];
            if w.len() > 6 || !lower_word(w, &mut buf).is_some_and(is_tld) {
                continue;
            }
            let p = a - 1;
            let after_dot = gap(p) == "."
                || (p > 0
                    && ["dot", "period"].iter().any(|d| d.eq_ignore_ascii_case(word(p)))
                    && is_space(gap(p))
                    && is_space(gap(p - 1)));
            if !after_dot {
                continue;
            }
            if lexed.is_empty() {
                lexed = vec![Lex::default(); toks.len()];
            }
            let lo = a.saturating_sub(BEFORE).max(covered);
            let hi = (a + AFTER).min(toks.len());
            for k in lo..hi {
                if let Some(l) = lexed.get_mut(k) {
                    *l = lex(word(k));
                }
            }
            covered = covered.max(hi);
        }
        (!lexed.is_empty()).then_some(Toks { text, toks, lex: lexed })
    }

    fn word(&self, k: usize) -> &'a str {
        self.toks.get(k).and_then(|t| self.text.get(t.start..t.end)).unwrap_or("")
    }

    fn lex(&self, k: usize) -> Lex {
        self.lex.get(k).copied().unwrap_or_default()
    }

    fn is(&self, k: usize, words: &[&str]) -> bool {
        let w = self.word(k);
        !w.is_empty() && words.iter().any(|x| x.eq_ignore_ascii_case(w))
    }

    /// Raw text between token `k` and `k + 1`.
    fn gap(&self, k: usize) -> &'a str {
        match (self.toks.get(k), self.toks.get(k + 1)) {
            (Some(a), Some(b)) => self.text.get(a.end..b.start).unwrap_or(""),
            _ => "",
        }
    }

    fn gap_is_space(&self, k: usize) -> bool {
        let g = self.gap(k);
        !g.is_empty() && g.bytes().all(|b| b == b' ' || b == b'\t')
    }

    /// A comma pause between two letters spelled one by one ("k, e, l, l, y"): the caller
    /// still spells one word.
    fn is_spelled_comma(&self, k: usize) -> bool {
        let g = self.gap(k);
        let rest = g.strip_prefix(',').unwrap_or("");
        !rest.is_empty() && rest.bytes().all(|b| b == b' ' || b == b'\t')
    }

    /// Tokens `q..=p` are a letter spelled with an example word ("d as in david").
    fn is_phonetic_at(&self, q: usize, p: usize) -> bool {
        let class = |i: usize| self.toks.get(i).map(|t| t.class);
        p == q + 3
            && matches!(class(q), Some(Class::Letter(_)))
            && class(q + 1) == Some(Class::As)
            && class(q + 2) == Some(Class::In)
            && (q..p).all(|i| self.gap_is_space(i))
    }

    /// A connector word at token `k` (with spaces on both sides).
    fn conn_word(&self, k: usize) -> Option<Conn> {
        let c = self.lex(k).conn?;
        let spaced = k > 0 && self.gap_is_space(k - 1) && self.gap_is_space(k);
        spaced.then_some(c)
    }

    /// A written connector in the gap after token `k` ("maria.lopez", "j_smith", "x@y").
    fn conn_gap(&self, k: usize) -> Option<Conn> {
        match self.gap(k) {
            "." => Some(Conn::Dot),
            "_" => Some(Conn::Underscore),
            "-" => Some(Conn::Dash),
            "@" => Some(Conn::At),
            "/" => Some(Conn::Slash),
            _ => None,
        }
    }

    /// A word that can be part of an address.
    fn is_label(&self, k: usize) -> bool {
        let l = self.lex(k);
        // "a", "e", "i" are words alone but letters among spelled letters ("m a r i a").
        let pause = |g: usize| self.gap_is_space(g) || self.is_spelled_comma(g);
        let spelled = self.is_single(k)
            && ((k > 0 && self.is_single(k - 1) && pause(k - 1))
                || (self.is_single(k + 1) && pause(k)));
        k < self.toks.len() && l.is_ascii && (!l.is_stop || spelled)
    }

    /// Spoken or written single characters join with their neighbours by a plain space.
    fn is_joinable(&self, k: usize) -> bool {
        matches!(
            self.toks.get(k).map(|t| t.class),
            Some(
                Class::Letter(_)
                    | Class::DigitChar(_)
                    | Class::Digits
                    | Class::Digit(_)
                    | Class::Oh
                    | Class::Teen(_)
                    | Class::Tens(_)
                    | Class::Repeat(_)
            )
        )
    }

    /// A single letter or digit token.
    fn is_single(&self, k: usize) -> bool {
        matches!(self.toks.get(k).map(|t| t.class), Some(Class::Letter(_) | Class::DigitChar(_)))
    }

    /// After token `k`, a connector (word or written). Returns the connector, the index of the
    /// token after it, and whether it was spoken.
    fn conn_after(&self, k: usize) -> Option<(Conn, usize, bool)> {
        if let Some(c) = self.conn_gap(k) {
            return Some((c, k + 1, false));
        }
        if self.gap_is_space(k) {
            // "forward slash" is said for "/" as often as "slash".
            if self.is(k + 1, &["forward"])
                && self.gap_is_space(k + 1)
                && self.conn_word(k + 2) == Some(Conn::Slash)
            {
                return Some((Conn::Slash, k + 3, true));
            }
            if let Some(c) = self.conn_word(k + 1) {
                return Some((c, k + 2, true));
            }
        }
        None
    }

    /// Before token `k`, a connector (word or written). Returns it, the index of the token
    /// before it, and whether it was spoken.
    fn conn_before(&self, k: usize) -> Option<(Conn, usize, bool)> {
        let p = k.checked_sub(1)?;
        if let Some(c) = self.conn_gap(p) {
            return Some((c, p, false));
        }
        let pp = p.checked_sub(1)?;
        if self.gap_is_space(p) {
            if let Some(c) = self.conn_word(p) {
                return Some((c, pp, true));
            }
        }
        // "n, n, a, dot, k, e": a spoken "dot" between comma-spelled letters.
        if self.is_spelled_comma(p)
            && self.is_spelled_comma(pp)
            && self.is_single(pp)
            && self.is_single(k)
            && self.lex(p).conn == Some(Conn::Dot)
        {
            return Some((Conn::Dot, pp, true));
        }
        None
    }

    /// A domain label of one to three words starting at `k`. Returns its last token.
    fn label_fwd(&self, k: usize) -> Option<usize> {
        if !self.is_label(k) || self.conn_word(k).is_some() {
            return None;
        }
        let mut last = k;
        for _ in 0..2 {
            let n = last + 1;
            let joined = self.gap_is_space(last) || self.conn_gap(last) == Some(Conn::Dash);
            if joined && self.is_label(n) && self.conn_word(n).is_none() {
                last = n;
            } else {
                break;
            }
        }
        Some(last)
    }

    /// A domain from token `k`: labels joined by dots, ending in a known TLD. Returns the TLD
    /// token and whether a spoken "dot" was used.
    fn domain_fwd(&self, k: usize) -> Option<(usize, bool)> {
        let mut end = self.label_fwd(k)?;
        let mut best: Option<(usize, bool)> = None;
        let mut spoken = false;
        for _ in 0..8 {
            let Some((Conn::Dot, n, is_spoken)) = self.conn_after(end) else { break };
            let Some(last) = self.label_fwd(n) else { break };
            spoken |= is_spoken;
            // A TLD ends its label even when words follow ("dot com thanks").
            if self.lex(n).is_tld {
                best = Some((n, spoken));
                end = n;
            } else {
                end = last;
            }
        }
        best
    }
}

/// EMAIL for a spoken address: "maria dot lopez at gmail dot com".
#[derive(Debug, Default)]
pub struct SpokenEmailDetector;

/// Score of a spoken e-mail with a known TLD.
const EMAIL_SCORE: f32 = 0.9;

impl Detector for SpokenEmailDetector {
    fn name(&self) -> &'static str {
        "spoken_email"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        if features(doc.text, HAS_CONNECTOR) != 0 {
            let toks = tokenize(doc.text);
            if let Some(t) = Toks::new(doc.text, &toks) {
                detect_emails(&t, out);
            }
        }
    }
}

/// The spoken e-mail detector over tokens of `doc.text`.
pub(crate) fn detect_addresses(doc: &Doc<'_>, toks: &[Tok], out: &mut Vec<Span>) {
    if let Some(t) = Toks::new(doc.text, toks) {
        detect_emails(&t, out);
        detect_urls(&t, out);
    }
}

fn detect_emails(t: &Toks<'_>, out: &mut Vec<Span>) {
    let mut k = 0;
    while k < t.toks.len() {
        // An "at" word or a written "@" after token k.
        let (local_end, dom_start, at_spoken) = if t.conn_word(k) == Some(Conn::At) {
            match k.checked_sub(1) {
                Some(p) => (p, k + 1, true),
                None => {
                    k += 1;
                    continue;
                }
            }
        } else if t.conn_gap(k) == Some(Conn::At) {
            (k, k + 1, false)
        } else {
            k += 1;
            continue;
        };
        let Some((tld, dot_spoken)) = t.domain_fwd(dom_start) else {
            k += 1;
            continue;
        };
        let Some((local_start, local_spoken)) = local_part(t, local_end) else {
            k += 1;
            continue;
        };
        // "the form at lakeside clinic dot org slash forms": a path after the domain, or one
        // plain word after a determiner before "at", make "at" a preposition before a web
        // address (the URL detector reports it), not an e-mail's "@".
        let has_path = matches!(t.conn_after(tld), Some((Conn::Slash, n, _)) if t.is_label(n));
        let after_determiner = at_spoken
            && local_start == local_end
            && !t.is_single(local_start)
            && local_start.checked_sub(1).is_some_and(|p| {
                t.is(p, &["the", "a", "an", "this", "that", "our", "your", "their"])
            });
        if has_path || after_determiner {
            k += 1;
            continue;
        }
        if at_spoken || dot_spoken || local_spoken {
            if let (Some(a), Some(b)) = (t.toks.get(local_start), t.toks.get(tld)) {
                out.push(Span::new(a.start, b.end, PhiType::Email, EMAIL_SCORE, "spoken_email"));
            }
        }
        k = tld + 1;
    }
}

/// Walk the local part back from its last token `k`. Returns its first token and whether a
/// spoken connector was used.
fn local_part(t: &Toks<'_>, k: usize) -> Option<(usize, bool)> {
    if !t.is_label(k) {
        return None;
    }
    let mut start = k;
    let mut spoken = false;
    let mut spaced = 0;
    let mut has_plain_join = false;
    for _ in 0..32 {
        if let Some((c, p, is_spoken)) = t.conn_before(start) {
            if matches!(c, Conn::Dot | Conn::Underscore | Conn::Dash) && t.is_label(p) {
                start = p;
                spoken |= is_spoken;
                continue;
            }
            break;
        }
        let Some(p) = start.checked_sub(1) else { break };
        // "d as in david, o, n, n, a": a letter spelled with an example word starts the run.
        if (t.gap_is_space(p) || t.is_spelled_comma(p)) && t.is_single(start) {
            if let Some(q) = p.checked_sub(3).filter(|&q| t.is_phonetic_at(q, p)) {
                start = q;
                continue;
            }
        }
        let spelled_pause = t.is_spelled_comma(p) && t.is_single(p) && t.is_single(start);
        if spaced < 4
            && (t.gap_is_space(p) || spelled_pause)
            && t.is_label(p)
            && (t.is_joinable(p) || t.is_joinable(start))
        {
            // Spelled letters ("m l o p e z") do not use up the budget for joined words.
            if !(t.is_single(p) && t.is_single(start)) {
                spaced += 1;
            }
            start = p;
            continue;
        }
        // One plain word more: a name said in two words ("maria lopez at gmail dot com").
        if !has_plain_join && t.gap_is_space(p) && t.is_label(p) {
            has_plain_join = true;
            start = p;
            continue;
        }
        break;
    }
    Some((start, spoken))
}

/// URL for a spoken web address: "w w w dot riverside clinic dot org", "riversideclinic dot
/// com slash portal", "h t t p s colon slash slash ...".
#[derive(Debug, Default)]
pub struct SpokenUrlDetector;

/// With "www" or "http(s)".
const URL_SCORE_PREFIXED: f32 = 0.9;
/// A bare domain with a path ("... dot com slash portal").
const URL_SCORE_PATH: f32 = 0.85;
/// A bare domain ("riverside clinic dot org").
const URL_SCORE_BARE: f32 = 0.7;

impl Detector for SpokenUrlDetector {
    fn name(&self) -> &'static str {
        "spoken_url"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        if features(doc.text, HAS_CONNECTOR) != 0 {
            let toks = tokenize(doc.text);
            if let Some(t) = Toks::new(doc.text, &toks) {
                detect_urls(&t, out);
            }
        }
    }
}

/// The spoken URL detector over tokens of `doc.text`.
fn detect_urls(t: &Toks<'_>, out: &mut Vec<Span>) {
    let mut k = 0;
    while k < t.toks.len() {
        // Domains start at a label not joined to a previous label ("at" and "slash slash"
        // may precede one). The leftmost start that parses wins.
        let starts = t.is_label(k)
            && !matches!(t.conn_before(k), Some((Conn::Dot | Conn::Dash | Conn::Underscore, _, _)));
        let found = if starts { t.domain_fwd(k) } else { None };
        let Some((tld, mut spoken)) = found else {
            k += 1;
            continue;
        };
        let mut start = k;
        let mut has_prefix = is_www(t, k);
        if let Some(s) = scheme_before(t, k) {
            start = s;
            has_prefix = true;
            spoken = true;
        } else if let Some(s) = k
            .checked_sub(1)
            .filter(|&p| t.gap_is_space(p) && t.lex(p).is_ascii)
            .and_then(|p| scheme_before(t, p))
        {
            // Right after "colon slash slash" every word is the host's, even a stopword
            // ("... slash slash my chart dot example dot com").
            start = s;
            has_prefix = true;
            spoken = true;
        }
        // Path: "slash word [dot|dash|underscore word]..." repeated.
        let mut end = tld;
        let mut has_path = false;
        for _ in 0..8 {
            let Some((Conn::Slash, n, is_spoken)) = t.conn_after(end) else { break };
            if !t.is_label(n) {
                break;
            }
            let mut last = n;
            while let Some((c, m, s)) = t.conn_after(last) {
                if matches!(c, Conn::Dot | Conn::Dash | Conn::Underscore) && t.is_label(m) {
                    last = m;
                    spoken |= s;
                } else {
                    break;
                }
            }
            spoken |= is_spoken;
            has_path = true;
            end = last;
        }
        if spoken {
            let score = if has_prefix {
                URL_SCORE_PREFIXED
            } else if has_path {
                URL_SCORE_PATH
            } else {
                URL_SCORE_BARE
            };
            if let (Some(a), Some(b)) = (t.toks.get(start), t.toks.get(end)) {
                out.push(Span::new(a.start, b.end, PhiType::Url, score, "spoken_url"));
            }
        }
        k = end + 1;
    }
}

/// The first label is "www" or "w w w".
fn is_www(t: &Toks<'_>, k: usize) -> bool {
    t.is(k, &["www"])
        || ((k..k + 3).all(|i| t.is(i, &["w"])) && t.gap_is_space(k) && t.gap_is_space(k + 1))
}

/// "http(s) colon slash slash" (spoken or spelled) ending right before token `k`. Returns the
/// first token of the scheme.
fn scheme_before(t: &Toks<'_>, k: usize) -> Option<usize> {
    let s2 = k.checked_sub(1)?;
    let s1 = k.checked_sub(2)?;
    let colon = k.checked_sub(3)?;
    if !(t.is(s2, &["slash"]) && t.is(s1, &["slash"]) && t.is(colon, &["colon"])) {
        return None;
    }
    let p = colon.checked_sub(1)?;
    if t.is(p, &["http", "https"]) {
        return Some(p);
    }
    // Spelled: "h t t p [s]".
    let last = if t.is(p, &["s"]) { p.checked_sub(1)? } else { p };
    let first = (last + 1).checked_sub(4)?;
    let ok = ["h", "t", "t", "p"].iter().enumerate().all(|(i, w)| t.is(first + i, &[w]));
    ok.then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(d: &dyn Detector, s: &str) -> Vec<(String, f32)> {
        let mut v = Vec::new();
        d.detect(&Doc::new(s), &mut v);
        v.iter().map(|sp| (s[sp.start..sp.end].to_string(), sp.score)).collect()
    }

    fn emails(s: &str) -> Vec<String> {
        found(&SpokenEmailDetector, s).into_iter().map(|x| x.0).collect()
    }

    fn urls(s: &str) -> Vec<(String, f32)> {
        found(&SpokenUrlDetector, s)
    }

    #[test]
    fn letters_spelled_with_commas() {
        // Session 15: comma pauses between spelled letters, a spoken "dot" among them, and a
        // first letter given with an example word.
        assert_eq!(
            emails("my email is d as in david, o, n, n, a, dot, k, e, l, l, y at hotmail dot com"),
            ["d as in david, o, n, n, a, dot, k, e, l, l, y at hotmail dot com"]
        );
        assert_eq!(
            emails("it's k, e, l, l, y at gmail dot com"),
            ["k, e, l, l, y at gmail dot com"]
        );
        // Words between commas are not spelled letters.
        assert_eq!(emails("yes, maria, lopez at gmail dot com"), ["lopez at gmail dot com"]);
    }

    #[test]
    fn stopwords() {
        for w in STOPWORDS {
            assert!(is_stopword(w.as_bytes()), "{w}");
        }
        assert!(is_stopword(b"underscore"));
        assert!(!is_stopword(b"gmail") && !is_stopword(b"maria") && !is_stopword(b"riverside"));
        assert!(!is_stopword(b"") && !is_stopword(b"a\0\0\0\0\0\0"));
    }

    #[test]
    fn spoken_emails() {
        assert_eq!(
            emails("you can email me at maria dot lopez at gmail dot com thanks"),
            vec!["maria dot lopez at gmail dot com"]
        );
        assert_eq!(
            emails("it's j smith underscore 12 at yahoo dot com"),
            vec!["j smith underscore 12 at yahoo dot com"]
        );
        assert_eq!(
            emails("address is jsmith one two at yahoo dot com."),
            vec!["jsmith one two at yahoo dot com"]
        );
        assert_eq!(emails("maria.lopez at gmail.com"), vec!["maria.lopez at gmail.com"]);
        assert_eq!(
            emails("yes it is m l o p e z eighty four at aol dot com"),
            vec!["m l o p e z eighty four at aol dot com"]
        );
        assert_eq!(emails("so it's m a r i a at aol dot com"), vec!["m a r i a at aol dot com"]);
        assert_eq!(
            emails("email is maria lopez at gmail dot com"),
            vec!["maria lopez at gmail dot com"]
        );
        assert_eq!(
            emails("send it to dr maria lopez at gmail dot com"),
            vec!["maria lopez at gmail dot com"],
            "only one plain word joins"
        );
        assert_eq!(
            emails("mlopez@kaiser permanente dot org"),
            vec!["mlopez@kaiser permanente dot org"]
        );
        assert_eq!(
            emails("Maria Dot Lopez At Gmail Dot Com"),
            vec!["Maria Dot Lopez At Gmail Dot Com"]
        );
    }

    #[test]
    fn not_emails() {
        assert!(emails("I'll be at home dot dot dot").is_empty());
        assert!(emails("see you at the clinic").is_empty());
        assert!(emails("meet me at gmail dot com").is_empty());
        assert!(emails("she was at work, dot your i's").is_empty());
        assert!(emails("at dot com").is_empty());
        assert!(emails("maria at gmail dot whatever").is_empty());
        assert!(emails("maria@gmail.com").is_empty(), "written forms belong to structured");
    }

    #[test]
    fn spoken_urls() {
        let u = urls("go to w w w dot riverside clinic dot org for forms");
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].0, "w w w dot riverside clinic dot org");
        assert!(u[0].1 >= 0.85);
        let u = urls("log in at riversideclinic dot com slash portal today");
        assert_eq!(u[0].0, "riversideclinic dot com slash portal");
        assert!(u[0].1 >= 0.8);
        let u = urls("h t t p s colon slash slash mychart dot example dot org");
        assert_eq!(u[0].0, "h t t p s colon slash slash mychart dot example dot org");
        let u = urls("https colon slash slash www dot example dot com slash new dash patient");
        assert_eq!(
            u[0].0,
            "https colon slash slash www dot example dot com slash new dash patient"
        );
        let u =
            urls("the website is h t t p s colon slash slash my chart dot example health dot com");
        assert_eq!(u[0].0, "h t t p s colon slash slash my chart dot example health dot com");
        let u = urls("visit example-clinic dot org forward slash portal to sign up");
        assert_eq!(u[0].0, "example-clinic dot org forward slash portal");
        let u = urls("you can find the form at lakeside clinic dot org slash forms");
        assert_eq!(u[0].0, "lakeside clinic dot org slash forms");
        assert!(emails("you can find the form at lakeside clinic dot org slash forms").is_empty());
        assert!(emails("pick up the packet at riverside clinic dot org").is_empty());
        assert_eq!(emails("send it to jlopez at clinic dot org"), vec!["jlopez at clinic dot org"]);
        let u = urls("www.example.com slash billing");
        assert_eq!(u[0].0, "www.example.com slash billing");
    }

    #[test]
    fn not_urls() {
        assert!(urls("I'll be at home dot dot dot").is_empty());
        assert!(urls("the dot com bubble").is_empty());
        assert!(urls("one dot five milligrams").is_empty());
        assert!(urls("see www.example.com").is_empty(), "written forms belong to structured");
        assert!(urls("dot com").is_empty());
    }
}

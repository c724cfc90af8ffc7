//! Word tokens for the name and employer recognizers, with the facts they reason about: byte
//! span, letter case shape, the punctuation gap before the token, the lexicon entry, and a
//! lowercase form for matching context words.
//!
//! Invariants: token offsets are byte offsets on char boundaries of the text, strictly increasing
//! and non-overlapping; `end` excludes a trailing possessive `'s`. A token is a run of letters
//! with single inner apostrophes or hyphens ("O'Brien", "Garcia-Lopez"), or a run of digits.

use super::context::{self, classes};
use super::lexicon::{self, Entry};

/// Letter case shape of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A single letter ("J", "j").
    Initial,
    /// First letter upper case, some lower case after it ("Smith", "McDonald", "O'Brien").
    Cap,
    /// Every letter upper case, two or more letters ("SMITH").
    Upper,
    /// Every letter lower case ("smith").
    Lower,
    /// Anything else ("iPhone", "sMITH").
    Other,
    /// Digits.
    Number,
}

/// How a document uses letter case, which decides whether capitals are evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMode {
    /// Ordinary prose: a capital mid-sentence is evidence of a proper noun.
    Mixed,
    /// Mostly upper case (many nursing notes): capitals say nothing.
    Upper,
    /// Mostly lower case (speech-to-text): capitals say nothing, their absence neither.
    Lower,
}

/// Facts about the punctuation and space between two tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gap {
    /// Contains a line break.
    pub has_newline: bool,
    /// Contains `.`.
    pub has_period: bool,
    /// Contains `,`.
    pub has_comma: bool,
    /// Contains `:`.
    pub has_colon: bool,
    /// Contains `!`, `?` or `;`.
    pub has_stop: bool,
    /// Contains `(` or `)` or `[` `]`.
    pub has_paren: bool,
    /// Contains `-` (standing alone, e.g. " - ").
    pub has_dash: bool,
    /// Contains any other non-space character (`/`, `&`, quotes...).
    pub has_other: bool,
    /// Byte length of the gap.
    pub len: usize,
}

impl Gap {
    fn of(s: &str) -> Gap {
        let mut g = Gap { len: s.len(), ..Gap::default() };
        for c in s.chars() {
            match c {
                ' ' | '\t' | '\u{a0}' => {}
                '\n' | '\r' => g.has_newline = true,
                '.' => g.has_period = true,
                ',' => g.has_comma = true,
                ':' => g.has_colon = true,
                '!' | '?' | ';' => g.has_stop = true,
                '(' | ')' | '[' | ']' => g.has_paren = true,
                '-' | '–' | '—' => g.has_dash = true,
                _ => g.has_other = true,
            }
        }
        g
    }

    /// Only spaces (tabs) between the tokens, at most a few.
    pub fn is_space(&self) -> bool {
        !(self.has_newline
            || self.has_period
            || self.has_comma
            || self.has_colon
            || self.has_stop
            || self.has_paren
            || self.has_dash
            || self.has_other)
            && self.len <= 3
    }

    /// Ends a sentence or a line: what follows may be capitalised for that reason alone.
    pub fn is_sentence_break(&self) -> bool {
        self.has_newline || self.has_period || self.has_stop || self.has_colon
    }
}

/// One token.
#[derive(Debug, Clone)]
pub struct Tok {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte (a possessive `'s` excluded).
    pub end: usize,
    /// Letter case shape.
    pub shape: Shape,
    /// The gap between the previous token (or the start of text) and this one.
    pub gap: Gap,
    /// The lexicon entry of the folded token, if any.
    pub entry: Option<Entry>,
    /// The token ended in a possessive `'s`.
    pub is_possessive: bool,
    /// The first letter is upper case.
    pub is_capitalized: bool,
    /// Range of this token's lowercase form in [`Tokens::lower`].
    low: (usize, usize),
    /// Range of this token's folded lexicon key in [`Tokens::folded`].
    key: (usize, usize),
    /// The word lists ([`context::classes`]) holding the lowercase form, looked up once here
    /// because the recognizers ask several times per token.
    cls: u16,
    /// The word lists holding the token as written (differs from `cls` only for tokens with
    /// capitals or curly apostrophes; credentials are matched case-sensitively).
    raw_cls: u16,
    /// The folded key is a name particle ([`context::is_particle`]).
    is_particle_key: bool,
}

/// The tokens of one text and shared scratch storage.
#[derive(Debug, Default)]
pub struct Tokens {
    /// Tokens in text order.
    pub toks: Vec<Tok>,
    /// Lowercase forms of all tokens, concatenated (apostrophes normalized to `'`).
    lower: String,
    /// Folded lexicon keys of all tokens, concatenated.
    folded: String,
    /// How the document uses case.
    pub mode: Option<CaseMode>,
}

/// True when a hyphen after `left` separates a context word from a name ("daughter-Rosa").
fn splits_at_hyphen(left: &str) -> bool {
    if left.len() > 16 {
        return false;
    }
    let low = left.to_lowercase();
    super::context::is_relative(&low)
        || super::context::title(&low).is_some()
        || matches!(
            low.as_str(),
            "per" | "by" | "with" | "to" | "contact" | "name" | "social" | "family"
        )
}

/// True when `raw` (at most 8 bytes), lowercased with `’` read as `'`, is a contraction that
/// keeps its "'s". Compares in a stack buffer: a non-ASCII char other than `’` cannot lowercase
/// into any of these words, so it settles the answer without allocating.
fn is_contraction(raw: &str) -> bool {
    let mut buf = [0u8; 8];
    let mut n = 0;
    for c in raw.chars() {
        let b = match c {
            '’' => b'\'',
            c if c.is_ascii() => (c as u8).to_ascii_lowercase(),
            _ => return false,
        };
        let Some(slot) = buf.get_mut(n) else { return false };
        *slot = b;
        n += 1;
    }
    matches!(
        buf.get(..n).unwrap_or(&[]),
        b"it's"
            | b"that's"
            | b"he's"
            | b"she's"
            | b"what's"
            | b"there's"
            | b"here's"
            | b"who's"
            | b"let's"
            | b"name's"
            | b"where's"
            | b"how's"
    )
}

/// The char starting at byte `i` (a char boundary) and its length, if any.
#[inline]
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    match text.as_bytes().get(i) {
        Some(&b) if b.is_ascii() => Some((char::from(b), 1)),
        Some(_) => text.get(i..).and_then(|r| r.chars().next()).map(|c| (c, c.len_utf8())),
        None => None,
    }
}

/// Longest token we keep; longer letter runs are not names (and are skipped cheaply).
const MAX_TOKEN_BYTES: usize = 64;

impl Tokens {
    /// Tokenize `text`.
    pub fn new(text: &str) -> Tokens {
        let mut t = Tokens {
            toks: Vec::with_capacity(text.len() / 5),
            lower: String::with_capacity(text.len()),
            folded: String::with_capacity(text.len()),
            mode: None,
        };
        let mut buf = String::new();
        let mut prev_end = 0;
        let (mut upper_letters, mut lower_letters) = (0usize, 0usize);
        // A byte cursor (always on a char boundary) with an ASCII fast path; `char_at` decodes
        // only non-ASCII chars.
        let mut i = 0usize;
        while let Some((c, c_len)) = char_at(text, i) {
            let is_digit = c.is_ascii_digit();
            if !(c.is_alphabetic() || is_digit) {
                i += c_len;
                continue;
            }
            let start = i;
            let mut end = i + c_len;
            if is_digit {
                while text.as_bytes().get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                }
            } else {
                // `next` is where the next char to look at starts: `end`, or just past an inner
                // apostrophe or hyphen that was kept.
                let mut next = end;
                while let Some((d, d_len)) = char_at(text, next) {
                    if d.is_alphabetic() {
                        next += d_len;
                        end = next;
                    } else if matches!(d, '\'' | '’' | '-') {
                        // Keep an inner apostrophe or hyphen only when a letter follows, and
                        // split "DAUGHTER-ROSA", "Dr-Smith" after a context word.
                        let after = char_at(text, end + d_len).map(|(n, _)| n);
                        let right = text.get(end + d_len..).unwrap_or("");
                        let right_word =
                            right.split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
                        let splits = d == '-'
                            && (splits_at_hyphen(text.get(start..end).unwrap_or(""))
                                || (right_word.len() <= 16
                                    && super::context::is_relative(&right_word.to_lowercase())));
                        if after.is_some_and(|n| n.is_alphabetic()) && !splits {
                            next += d_len;
                        } else {
                            break;
                        }
                    } else {
                        break;
                    }
                }
            }
            i = end;
            let raw = text.get(start..end).unwrap_or("");
            let (mut upper, mut lower, mut first_upper) = (0usize, 0usize, false);
            if raw.is_ascii() {
                // Same counts as the char loop below, without decoding.
                for (k, b) in raw.bytes().enumerate() {
                    if b.is_ascii_uppercase() {
                        upper += 1;
                        first_upper |= k == 0;
                    } else if b.is_ascii_lowercase() {
                        lower += 1;
                    }
                }
            } else {
                for (k, ch) in raw.chars().enumerate() {
                    if ch.is_uppercase() {
                        upper += 1;
                        first_upper |= k == 0;
                    } else if ch.is_lowercase() {
                        lower += 1;
                    }
                }
            }
            upper_letters += upper;
            lower_letters += lower;
            let shape = if is_digit {
                Shape::Number
            } else if upper + lower == 1 {
                Shape::Initial
            } else if lower == 0 {
                Shape::Upper
            } else if upper == 0 {
                Shape::Lower
            } else if first_upper {
                Shape::Cap
            } else {
                Shape::Other
            };
            // Possessive: "Smith's", "Smith’s" (not "O's").
            let mut word = raw;
            let mut is_possessive = false;
            // Contractions keep their "'s": "it's", "that's", "name's" (= "name is").
            let ends_in_s = matches!(raw.as_bytes().last(), Some(b's' | b'S'));
            let contraction = ends_in_s
                && raw.len() <= 8
                && (raw.ends_with("'s") || raw.ends_with("’s") || raw.ends_with("'S"))
                && is_contraction(raw);
            for suffix in ["'s", "’s", "'S", "’S"] {
                if contraction || !ends_in_s {
                    break;
                }
                if let Some(w) = raw.strip_suffix(suffix).filter(|w| w.len() >= 2) {
                    word = w;
                    is_possessive = true;
                    break;
                }
            }
            let tok_end = start + word.len();
            let lo = t.lower.len();
            let is_ascii = word.is_ascii();
            if is_ascii {
                t.lower.push_str(word);
                if let Some(l) = t.lower.get_mut(lo..) {
                    l.make_ascii_lowercase();
                }
            } else {
                for ch in word.chars() {
                    if ch == '’' {
                        t.lower.push('\'');
                    } else if ch.is_ascii() {
                        t.lower.push(ch.to_ascii_lowercase());
                    } else {
                        t.lower.extend(ch.to_lowercase());
                    }
                }
            }
            let fo = t.folded.len();
            let cls = t.lower.get(lo..).map_or(0, classes);
            let is_closed = cls & context::CLOSED_BIT != 0;
            let entry = if is_digit || word.len() > MAX_TOKEN_BYTES {
                None
            } else if is_closed {
                // Function words are never names: skip the table (a cache miss per token).
                Some(Entry { is_word: true, ..Entry::default() })
            } else if word.contains('-') {
                lexicon::fold_into(word, &mut buf);
                t.folded.push_str(&buf);
                lexicon::lookup(word, &mut buf)
            } else {
                if is_ascii {
                    // `fold_char` of ASCII: letters lowercased, everything else dropped.
                    t.folded.extend(
                        word.bytes()
                            .filter(u8::is_ascii_alphabetic)
                            .map(|b| char::from(b.to_ascii_lowercase())),
                    );
                } else {
                    for ch in word.chars() {
                        lexicon::fold_char(ch, &mut t.folded);
                    }
                }
                t.folded.get(fo..).and_then(lexicon::get)
            };
            let gap = Gap::of(text.get(prev_end..start).unwrap_or(""));
            // Most tokens are lowercase ASCII letters: their raw form and folded key equal the
            // lowercase form, whose classes are known already.
            let low_form = t.lower.get(lo..).unwrap_or("");
            let raw_cls = if word == low_form { cls } else { classes(word) };
            let key_form = t.folded.get(fo..).unwrap_or("");
            let key_cls = if key_form == low_form { cls } else { classes(key_form) };
            let is_particle_key = key_cls & context::PARTICLE_BIT != 0;
            t.toks.push(Tok {
                start,
                end: tok_end,
                shape,
                gap,
                entry,
                is_possessive,
                is_capitalized: first_upper,
                low: (lo, t.lower.len()),
                key: (fo, t.folded.len()),
                cls,
                raw_cls,
                is_particle_key,
            });
            prev_end = end;
        }
        let letters = upper_letters + lower_letters;
        let mode = if letters > 0 && upper_letters * 10 >= letters * 6 {
            CaseMode::Upper
        } else {
            // Lower mode: hardly any capital letter outside sentence starts, and sentence
            // starts mostly lower case too. A writer who capitalises sentences ("Nora is very
            // reliable. You can depend on her.") writes names with capitals as well: a short
            // message without a capital mid-sentence is still mixed case.
            let (mut caps_mid, mut starts, mut cap_starts) = (0usize, 0usize, 0usize);
            for (k, x) in t.toks.iter().enumerate() {
                // Speech-to-text capitalises the pronoun "I", and a turn opens with a speaker
                // label ("Caller: i do landscaping for green acres"): neither says how the
                // writer uses case (session 19).
                let is_pronoun_i = matches!(t.low(k), "i" | "i'm" | "i'll" | "i've" | "i'd");
                let is_label = (k == 0 || x.gap.has_newline)
                    && t.toks.get(k + 1).is_some_and(|n| n.gap.has_colon && !n.gap.has_newline);
                if is_pronoun_i || is_label {
                    continue;
                }
                if k == 0 || x.gap.is_sentence_break() {
                    if x.shape != Shape::Number {
                        starts += 1;
                        cap_starts += usize::from(x.is_capitalized);
                    }
                } else if x.is_capitalized {
                    caps_mid += 1;
                }
            }
            // A short utterance with no capital letter at all ("i teach at lincoln
            // elementary") is speech-to-text too: one turn of a call is often this short.
            let uncased_utterance = upper_letters == 0 && t.toks.len() >= 3;
            if uncased_utterance
                || (t.toks.len() >= 8 && caps_mid * 40 < t.toks.len() && cap_starts * 2 <= starts)
            {
                CaseMode::Lower
            } else {
                CaseMode::Mixed
            }
        };
        t.mode = Some(mode);
        t
    }

    /// The document's case mode.
    pub fn mode(&self) -> CaseMode {
        self.mode.unwrap_or(CaseMode::Mixed)
    }

    /// Lowercase form of token `i` ("" when out of range).
    pub fn low(&self, i: usize) -> &str {
        self.toks.get(i).and_then(|t| self.lower.get(t.low.0..t.low.1)).unwrap_or("")
    }

    /// Folded lexicon key of token `i` ("" when out of range).
    pub fn key(&self, i: usize) -> &str {
        self.toks.get(i).and_then(|t| self.folded.get(t.key.0..t.key.1)).unwrap_or("")
    }

    /// The word lists holding token `i`'s lowercase form (0 when out of range).
    fn cls(&self, i: usize) -> u16 {
        self.toks.get(i).map_or(0, |t| t.cls)
    }

    /// [`context::is_closed`] of token `i`'s lowercase form.
    pub fn is_closed(&self, i: usize) -> bool {
        self.cls(i) & context::CLOSED_BIT != 0
    }

    /// [`context::is_modal`] of token `i`'s lowercase form.
    pub fn is_modal(&self, i: usize) -> bool {
        self.cls(i) & context::MODAL_BIT != 0
    }

    /// [`context::is_relative`] of token `i`'s lowercase form.
    pub fn is_relative(&self, i: usize) -> bool {
        self.cls(i) & context::RELATIVE_BIT != 0
    }

    /// [`context::title`] of token `i`'s lowercase form.
    pub fn title(&self, i: usize) -> Option<bool> {
        let c = self.cls(i);
        if c & context::TITLE_ABBR_BIT != 0 {
            Some(true)
        } else if c & context::TITLE_WORD_BIT != 0 {
            Some(false)
        } else {
            None
        }
    }

    /// Token `i`'s lowercase form is a word a name context can end on ([`context::TRIGGER_BIT`]).
    pub fn is_trigger_word(&self, i: usize) -> bool {
        self.cls(i) & context::TRIGGER_BIT != 0
    }

    /// [`context::is_company_suffix`] of token `i`'s lowercase form.
    pub fn is_company_suffix(&self, i: usize) -> bool {
        self.cls(i) & context::COMPANY_SUFFIX_BIT != 0
    }

    /// [`context::credential`] of token `i` as written.
    pub fn credential(&self, i: usize) -> Option<bool> {
        let c = self.toks.get(i).map_or(0, |t| t.raw_cls);
        if c & context::CREDENTIAL_ANY_BIT != 0 {
            Some(true)
        } else if c & context::CREDENTIAL_COMMA_BIT != 0 {
            Some(false)
        } else {
            None
        }
    }

    /// [`context::is_particle`] of token `i`'s folded key.
    pub fn is_particle_key(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_particle_key)
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// True when there is no token.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Token `i`, if any.
    pub fn get(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }

    /// True when token `i` starts a sentence or line (or the text).
    pub fn is_sentence_start(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else { return false };
        if i == 0 {
            return true;
        }
        let g = t.gap;
        if !g.is_sentence_break() {
            return false;
        }
        // The period after an initial or a title abbreviation does not end a sentence.
        let only_period =
            g.has_period && !(g.has_newline || g.has_stop || g.has_colon) && g.len <= 2;
        let prev_abbrev = self.toks.get(i - 1).is_some_and(|p| p.shape == Shape::Initial)
            || matches!(
                self.low(i - 1),
                "dr" | "mr" | "mrs" | "ms" | "st" | "jr" | "sr" | "prof" | "drs"
            );
        !(only_period && prev_abbrev)
    }

    /// True when tokens `i-n+1..=i` read as `words` (lowercase), joined by name-internal gaps
    /// (spaces, or an apostrophe form like "name's").
    #[inline]
    pub fn ends_with_words(&self, i: usize, words: &[&str]) -> bool {
        let n = words.len();
        if n == 0 || i + 1 < n {
            return false;
        }
        // Most calls fail on the last word: test it before setting up the loop.
        if words.last().is_some_and(|w| self.low(i) != *w) {
            return false;
        }
        // Compare from the last word back: most calls fail on the first comparison.
        (0..n).all(|back| {
            let idx = i - back;
            let w = words.get(n - 1 - back).copied().unwrap_or("");
            self.low(idx) == w
                && (back + 1 == n || self.toks.get(idx).is_some_and(|t| t.gap.is_space()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_inner_apostrophes_and_hyphens() {
        let t = Tokens::new("Mr. O'Brien and Garcia-Lopez's son - ok");
        let words: Vec<&str> = (0..t.len()).map(|i| t.low(i)).collect();
        assert_eq!(words, ["mr", "o'brien", "and", "garcia-lopez", "son", "ok"]);
        assert!(t.toks[3].is_possessive);
        assert_eq!(
            &"Mr. O'Brien and Garcia-Lopez's son"[t.toks[3].start..t.toks[3].end],
            "Garcia-Lopez"
        );
        assert!(t.toks[1].gap.has_period);
        assert!(t.toks[5].gap.has_dash);
    }

    #[test]
    fn shapes_and_modes() {
        let t = Tokens::new("Seen by Dr SMITH j 42");
        let shapes: Vec<Shape> = t.toks.iter().map(|x| x.shape).collect();
        assert_eq!(
            shapes,
            [Shape::Cap, Shape::Lower, Shape::Cap, Shape::Upper, Shape::Initial, Shape::Number]
        );
        assert_eq!(
            Tokens::new("PT RESTING COMFORTABLY, DAUGHTER IN TO VISIT").mode(),
            CaseMode::Upper
        );
        assert_eq!(
            Tokens::new("yeah so my name is maria and i was calling about my appointment").mode(),
            CaseMode::Lower
        );
        assert_eq!(
            Tokens::new("Pt seen by Dr. Smith today, plan discussed with family.").mode(),
            CaseMode::Mixed
        );
        // Capitalised sentence starts: mixed case even with no capital mid-sentence.
        assert_eq!(
            Tokens::new("Nora is very reliable. You can always depend on her.").mode(),
            CaseMode::Mixed
        );
        assert_eq!(
            Tokens::new("yeah so my name is maria. and i was calling about my appointment").mode(),
            CaseMode::Lower
        );
        // Session 19: a speaker label and the pronoun "I" carry no case evidence.
        assert_eq!(
            Tokens::new("Caller: I do landscaping for green acres lawn care").mode(),
            CaseMode::Lower
        );
        assert_eq!(
            Tokens::new("Caller: I need a refill for my mom, Maria Lopez, please").mode(),
            CaseMode::Mixed
        );
    }

    #[test]
    fn accented_and_non_latin_letters_are_word_chars() {
        let t = Tokens::new("José Núñez Nguyễn");
        assert_eq!(t.len(), 3);
        assert!(t.toks.iter().all(|x| x.entry.is_some()));
    }

    #[test]
    fn contraction_test_matches_the_lowercase_string_form() {
        let slow = |raw: &str| {
            matches!(
                raw.to_lowercase().replace('’', "'").as_str(),
                "it's"
                    | "that's"
                    | "he's"
                    | "she's"
                    | "what's"
                    | "there's"
                    | "here's"
                    | "who's"
                    | "let's"
                    | "name's"
                    | "where's"
                    | "how's"
            )
        };
        for raw in [
            "it's",
            "IT'S",
            "It’s",
            "that's",
            "THAT’S",
            "name's",
            "Name’S",
            "how's",
            "he's",
            "she’s",
            "Smith's",
            "o's",
            "\u{212a}it's",
            "ıt's",
            "İt's",
            "whó's",
            "let's",
            "lets",
            "there's",
            "where’s",
            "who's",
            "here's",
            "what's",
            "",
        ] {
            assert_eq!(is_contraction(raw), slow(raw), "{raw}");
        }
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_a_token() {
        let t = Tokens::new("smith- 'jones' x");
        assert_eq!(t.low(0), "smith");
        assert_eq!(t.low(1), "jones");
        assert!(!t.ends_with_words(2, &["jones", "x"]));
        assert!(Tokens::new("my name is").ends_with_words(2, &["name", "is"]));
        assert!(!t.ends_with_words(0, &["a", "smith"]));
    }
}

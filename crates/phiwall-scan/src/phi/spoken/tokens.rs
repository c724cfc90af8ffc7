//! Word tokens of a transcript with a class for each (number word, single letter, ...) and the
//! kind of gap that follows it.
//!
//! A token is a maximal run of word characters: ASCII letters and digits, non-ASCII alphanumerics
//! (so "José" is one token and its "é" never leaves a stray single letter), and an apostrophe
//! between letters ("that's", "o’clock"). Token boundaries therefore always fall on char
//! boundaries, and every gap between two tokens is non-empty.

/// What separates a token from the next one. The last token is followed by [`Gap::Break`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gap {
    /// Only spaces and tabs.
    Space,
    /// A single hyphen with no spaces ("twenty-three", "N-G-U").
    Hyphen,
    /// A comma or a dash, with optional spaces ("555, 212", "555 - 212").
    Sep,
    /// A single period with optional spaces ("N. G. U.").
    Period,
    /// Anything else: a newline, other punctuation, several marks, the end of the text.
    Break,
}

impl Gap {
    /// Spaces or a joining hyphen: the two tokens belong to one spoken number.
    pub(crate) fn is_soft(self) -> bool {
        matches!(self, Gap::Space | Gap::Hyphen)
    }
}

/// The class of one token. Number words are recognized case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// "zero" .. "nine".
    Digit(u8),
    /// "oh": zero inside a number run only. (A lone "o" is a [`Class::Letter`].)
    Oh,
    /// "ten" .. "nineteen".
    Teen(u8),
    /// "twenty" .. "ninety".
    Tens(u8),
    /// "hundred", "thousand", "million".
    Mult(u32),
    /// "first" .. "ninth", "tenth" .. "nineteenth", "twentieth" .. "ninetieth", "hundredth",
    /// "thousandth": the ordinal's value.
    Ord(u32),
    /// "double" (2) and "triple" (3) before a digit.
    Repeat(u8),
    /// "and", which may join "two hundred and five".
    And,
    /// "dash" or "slash" between digit groups.
    Dash,
    /// "point" or "dot" between digits: a decimal point or an IP address dot.
    Point,
    /// A single ASCII letter (including "a", "I" and "o", which context disambiguates).
    Letter(u8),
    /// A single ASCII digit.
    DigitChar(u8),
    /// Two or more ASCII digits.
    Digits,
    /// "as" and "in", for letters spelled phonetically ("L as in Larry").
    As,
    In,
    /// Any other word.
    Word,
}

/// One token: its byte range in the original text, class and following gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) class: Class,
    pub(crate) gap: Gap,
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// The char starting at byte `i` (a char boundary).
#[inline]
fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|r| r.chars().next())
}

/// Iterate over token byte ranges without allocating. ASCII bytes take a fast path; other
/// chars are decoded one at a time.
pub(crate) fn token_ranges(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0usize;
    std::iter::from_fn(move || {
        // Skip to the first word char.
        loop {
            let &b = bytes.get(i)?;
            if b < 0x80 {
                if b.is_ascii_alphanumeric() {
                    break;
                }
                i += 1;
            } else {
                let c = char_at(text, i)?;
                if c.is_alphanumeric() {
                    break;
                }
                i += c.len_utf8();
            }
        }
        let start = i;
        let mut prev_alpha = false;
        // Keep an apostrophe only between letters ("that's", not "Jones'").
        let apostrophe_joins = |prev_alpha: bool, next: usize| {
            prev_alpha && char_at(text, next).is_some_and(char::is_alphabetic)
        };
        while let Some(&b) = bytes.get(i) {
            if b < 0x80 {
                if b.is_ascii_alphanumeric() {
                    prev_alpha = b.is_ascii_alphabetic();
                    i += 1;
                } else if b == b'\'' && apostrophe_joins(prev_alpha, i + 1) {
                    i += 1;
                } else {
                    break;
                }
            } else {
                let Some(c) = char_at(text, i) else { break };
                let next = i + c.len_utf8();
                if c.is_alphanumeric() {
                    prev_alpha = c.is_alphabetic();
                    i = next;
                } else if is_apostrophe(c) && apostrophe_joins(prev_alpha, next) {
                    i = next;
                } else {
                    break;
                }
            }
        }
        Some((start, i))
    })
}

/// Prefilter flag: a number word ("five", "twenty", "third", "double").
pub(crate) const HAS_NUMBER_WORD: u8 = 1;
/// Prefilter flag: three single characters in a row ("N-G-U", "W 4 8").
pub(crate) const HAS_SPELLED_3: u8 = 2;
/// Prefilter flag: two single characters in a row ("N-G").
pub(crate) const HAS_SPELLED_2: u8 = 4;
/// Prefilter flag: an address connector word ("dot", "slash", "underscore") or a written
/// ".com"-style ending.
pub(crate) const HAS_CONNECTOR: u8 = 8;

/// One pass over the tokens without allocating: which of the `want` features `text` has. Stops
/// as soon as any wanted feature is found, so the result holds at least one wanted flag or none.
pub(crate) fn features(text: &str, want: u8) -> u8 {
    features_until(text, want, |found| found & want != 0)
}

/// Like [`features`], but stops only when every wanted feature is found: each wanted flag is set
/// exactly when the text has that feature (one pass instead of one per question).
pub(crate) fn features_all(text: &str, want: u8) -> u8 {
    features_until(text, want, |found| found & want == want)
}

/// The [`features`] pass, stopping as soon as `done(found)` holds.
fn features_until(text: &str, want: u8, done: impl Fn(u8) -> bool) -> u8 {
    let mut found = 0u8;
    let mut singles = 0usize;
    // 1 after a single character, 2 after "as", 3 after "in", 4 after the example word.
    let mut phonetic = 0u8;
    let mut prev_end: Option<usize> = None;
    for (start, end) in token_ranges(text) {
        let gap = prev_end.and_then(|p| text.get(p..start)).unwrap_or("");
        let w = text.get(start..end).unwrap_or("");
        if end - start == 1 {
            singles = if singles > 0 && classify_gap(gap) != Gap::Break { singles + 1 } else { 1 };
            phonetic = 1;
            if singles >= 2 {
                found |= HAS_SPELLED_2;
            }
            if singles >= 3 {
                found |= HAS_SPELLED_3;
            }
        } else {
            // Cheap reject: every word this pass looks for starts with one of these letters,
            // except a TLD after a written "." and the words of "L as in Larry".
            let first = w.as_bytes().first().map(|b| b | 0x20);
            let is_candidate = phonetic != 0
                || gap == "."
                || matches!(
                    first,
                    Some(
                        b'd' | b'e' | b'f' | b'h' | b'm' | b'n' | b'o' | b's' | b't' | b'u' | b'z'
                    )
                );
            let mut buf = [0u8; 12];
            let lower = if is_candidate { lower_word(w, &mut buf) } else { None };
            // "L as in Larry, O as in Oscar": the phonetic words keep a spelled run going.
            phonetic = match (phonetic, lower) {
                (1, Some(b"as")) => 2,
                (2, Some(b"in")) => 3,
                (3, _) => 4,
                _ => 0,
            };
            if phonetic == 0 {
                singles = 0;
            }
            if let Some(lower) = lower {
                if want & HAS_NUMBER_WORD != 0
                    && matches!(
                        number_class(lower),
                        Some(c) if !matches!(c, Class::And | Class::Dash | Class::Oh)
                    )
                {
                    found |= HAS_NUMBER_WORD;
                }
                if want & HAS_CONNECTOR != 0
                    && (matches!(lower, b"dot" | b"slash" | b"underscore")
                        || (gap == "." && is_tld(lower)))
                {
                    found |= HAS_CONNECTOR;
                }
            }
        }
        if done(found) {
            return found;
        }
        prev_end = Some(end);
    }
    found
}

/// `w` in ASCII lowercase, if it is at most 12 ASCII letters.
pub(crate) fn lower_word<'b>(w: &str, buf: &'b mut [u8; 12]) -> Option<&'b [u8]> {
    let b = w.as_bytes();
    if b.len() > buf.len() || !b.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let dst = buf.get_mut(..b.len())?;
    dst.copy_from_slice(b);
    dst.make_ascii_lowercase();
    Some(dst)
}

/// Top-level domains accepted after a spoken "dot". Kept short: each is also an English-word
/// risk ("us", "co").
pub(crate) fn is_tld(lower: &[u8]) -> bool {
    matches!(
        lower,
        b"com"
            | b"org"
            | b"net"
            | b"edu"
            | b"gov"
            | b"us"
            | b"io"
            | b"co"
            | b"info"
            | b"biz"
            | b"health"
            | b"mil"
            | b"uk"
            | b"ca"
    )
}

/// Tokenize `text` into `out` (cleared first).
pub(crate) fn tokenize_into(text: &str, out: &mut Vec<Tok>) {
    out.clear();
    for (start, end) in token_ranges(text) {
        if let Some(prev) = out.last_mut() {
            prev.gap = classify_gap(text.get(prev.end..start).unwrap_or(""));
        }
        let class = classify_word(text.get(start..end).unwrap_or(""));
        out.push(Tok { start, end, class, gap: Gap::Break });
    }
}

/// Tokenize `text`.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let mut v = Vec::with_capacity(text.len() / 5 + 1);
    tokenize_into(text, &mut v);
    v
}

/// Classify the text between two tokens.
pub(crate) fn classify_gap(g: &str) -> Gap {
    if g.is_empty() {
        return Gap::Break;
    }
    if g.bytes().all(|b| b == b' ' || b == b'\t') {
        return Gap::Space;
    }
    if g == "-" {
        return Gap::Hyphen;
    }
    match g.trim_matches(|c| c == ' ' || c == '\t') {
        // A trailing-off pause between digit groups ("five-one-three... five-five-five") is a
        // separator too (session 19).
        "," | "-" | "\u{2013}" | "\u{2014}" | "--" | "..." | "\u{2026}" => Gap::Sep,
        "." => Gap::Period,
        _ => Gap::Break,
    }
}

/// Classify one token's text.
pub(crate) fn classify_word(w: &str) -> Class {
    let b = w.as_bytes();
    match b {
        [c] if c.is_ascii_digit() => return Class::DigitChar(c - b'0'),
        [c] if c.is_ascii_alphabetic() => return Class::Letter(*c),
        _ => {}
    }
    if b.iter().all(u8::is_ascii_digit) {
        return Class::Digits;
    }
    let mut buf = [0u8; 12];
    let Some(lower) = lower_word(w, &mut buf) else { return Class::Word };
    match lower {
        b"as" => Class::As,
        b"in" => Class::In,
        b"point" | b"dot" => Class::Point,
        _ => number_class(lower).unwrap_or(Class::Word),
    }
}

/// The class of a lowercase ASCII number word, if it is one.
fn number_class(w: &[u8]) -> Option<Class> {
    Some(match w {
        b"zero" => Class::Digit(0),
        b"one" => Class::Digit(1),
        b"two" => Class::Digit(2),
        b"three" => Class::Digit(3),
        b"four" => Class::Digit(4),
        b"five" => Class::Digit(5),
        b"six" => Class::Digit(6),
        b"seven" => Class::Digit(7),
        b"eight" => Class::Digit(8),
        b"nine" => Class::Digit(9),
        b"oh" => Class::Oh,
        b"ten" => Class::Teen(10),
        b"eleven" => Class::Teen(11),
        b"twelve" => Class::Teen(12),
        b"thirteen" => Class::Teen(13),
        b"fourteen" => Class::Teen(14),
        b"fifteen" => Class::Teen(15),
        b"sixteen" => Class::Teen(16),
        b"seventeen" => Class::Teen(17),
        b"eighteen" => Class::Teen(18),
        b"nineteen" => Class::Teen(19),
        b"twenty" => Class::Tens(20),
        b"thirty" => Class::Tens(30),
        b"forty" | b"fourty" => Class::Tens(40),
        b"fifty" => Class::Tens(50),
        b"sixty" => Class::Tens(60),
        b"seventy" => Class::Tens(70),
        b"eighty" => Class::Tens(80),
        b"ninety" => Class::Tens(90),
        b"hundred" => Class::Mult(100),
        b"thousand" => Class::Mult(1000),
        b"million" => Class::Mult(1_000_000),
        b"first" => Class::Ord(1),
        b"second" => Class::Ord(2),
        b"third" => Class::Ord(3),
        b"fourth" => Class::Ord(4),
        b"fifth" => Class::Ord(5),
        b"sixth" => Class::Ord(6),
        b"seventh" => Class::Ord(7),
        b"eighth" => Class::Ord(8),
        b"ninth" => Class::Ord(9),
        b"tenth" => Class::Ord(10),
        b"eleventh" => Class::Ord(11),
        b"twelfth" => Class::Ord(12),
        b"thirteenth" => Class::Ord(13),
        b"fourteenth" => Class::Ord(14),
        b"fifteenth" => Class::Ord(15),
        b"sixteenth" => Class::Ord(16),
        b"seventeenth" => Class::Ord(17),
        b"eighteenth" => Class::Ord(18),
        b"nineteenth" => Class::Ord(19),
        b"twentieth" => Class::Ord(20),
        b"thirtieth" => Class::Ord(30),
        b"fortieth" => Class::Ord(40),
        b"fiftieth" => Class::Ord(50),
        b"sixtieth" => Class::Ord(60),
        b"seventieth" => Class::Ord(70),
        b"eightieth" => Class::Ord(80),
        b"ninetieth" => Class::Ord(90),
        b"hundredth" => Class::Ord(100),
        b"thousandth" => Class::Ord(1000),
        b"double" => Class::Repeat(2),
        b"triple" => Class::Repeat(3),
        b"and" => Class::And,
        b"dash" | b"slash" => Class::Dash,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<&str> {
        token_ranges(t).map(|(a, b)| &t[a..b]).collect()
    }

    #[test]
    fn splits_words() {
        assert_eq!(words("that's N-G-U, 555."), vec!["that's", "N", "G", "U", "555"]);
        assert_eq!(words("José's  o’clock Jones'"), vec!["José's", "o’clock", "Jones"]);
        assert_eq!(words(""), Vec::<&str>::new());
        assert_eq!(words(" ,. "), Vec::<&str>::new());
    }

    #[test]
    fn classes_and_gaps() {
        let t = tokenize("Twenty-three, oh 5 W 555 dash hundred. x");
        let c: Vec<Class> = t.iter().map(|t| t.class).collect();
        assert_eq!(
            c,
            vec![
                Class::Tens(20),
                Class::Digit(3),
                Class::Oh,
                Class::DigitChar(5),
                Class::Letter(b'W'),
                Class::Digits,
                Class::Dash,
                Class::Mult(100),
                Class::Letter(b'x'),
            ]
        );
        let g: Vec<Gap> = t.iter().map(|t| t.gap).collect();
        assert_eq!(g[0], Gap::Hyphen);
        assert_eq!(g[1], Gap::Sep);
        assert_eq!(g[2], Gap::Space);
        assert_eq!(g[7], Gap::Period);
        assert_eq!(g[8], Gap::Break);
        assert_eq!(classify_gap(" \n "), Gap::Break);
        assert_eq!(classify_gap(" - "), Gap::Sep);
        assert_eq!(classify_gap("... "), Gap::Sep);
        assert_eq!(classify_gap("\u{2026} "), Gap::Sep);
        assert_eq!(classify_word("someone"), Class::Word);
        assert_eq!(classify_word("ÉTÉ"), Class::Word);
    }

    #[test]
    fn prefilter_features() {
        let all = HAS_NUMBER_WORD | HAS_SPELLED_2 | HAS_SPELLED_3 | HAS_CONNECTOR;
        assert_eq!(features("someone phoned, it's done", all), 0);
        assert_eq!(features("Oh and dash", all), 0);
        assert_eq!(features("call me at Twenty", all), HAS_NUMBER_WORD);
        assert_eq!(features("N-G", all), HAS_SPELLED_2);
        assert_eq!(features("N-G-U", HAS_SPELLED_3), HAS_SPELLED_2 | HAS_SPELLED_3);
        assert_eq!(features("N; x", all), 0);
        assert_eq!(features("L as in Larry, O as in Oscar", all), HAS_SPELLED_2);
        assert_eq!(
            features("L as in Larry, O as in Oscar, P", HAS_SPELLED_3) & HAS_SPELLED_3,
            HAS_SPELLED_3
        );
        assert_eq!(features("L as well as O", all), 0);
        assert_eq!(features("N\nG", all), 0);
        assert_eq!(features("maria dot lopez", all), HAS_CONNECTOR);
        assert_eq!(features("maria at gmail.com", all), HAS_CONNECTOR);
        assert_eq!(features("gmail .commander", all), 0);
        // Stops at the first wanted feature.
        assert_eq!(features("five N-G dot", HAS_NUMBER_WORD), HAS_NUMBER_WORD);
    }
}

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
    /// "dash" between digit groups.
    Dash,
    /// A single ASCII letter (including "a", "I" and "o", which context disambiguates).
    Letter(u8),
    /// A single ASCII digit.
    DigitChar(u8),
    /// Two or more ASCII digits.
    Digits,
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

/// Iterate over token byte ranges without allocating.
pub(crate) fn token_ranges(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        // Skip to the first word char.
        let (start, first) = loop {
            let (i, c) = chars.next()?;
            if c.is_alphanumeric() {
                break (i, c);
            }
        };
        let mut end = text.len();
        let mut prev_alpha = first.is_alphabetic();
        while let Some(&(i, c)) = chars.peek() {
            if c.is_alphanumeric() {
                prev_alpha = c.is_alphabetic();
                chars.next();
                continue;
            }
            if is_apostrophe(c) && prev_alpha {
                // Keep the apostrophe only when a letter follows it ("that's", not "Jones'").
                let after = text.get(i + c.len_utf8()..).and_then(|r| r.chars().next());
                if after.is_some_and(char::is_alphabetic) {
                    chars.next();
                    continue;
                }
            }
            end = i;
            break;
        }
        Some((start, end))
    })
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
        "," | "-" | "\u{2013}" | "\u{2014}" | "--" => Gap::Sep,
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
    if b.len() > 12 || !b.iter().all(u8::is_ascii_alphabetic) {
        return Class::Word;
    }
    let mut buf = [0u8; 12];
    let lower = match buf.get_mut(..b.len()) {
        Some(dst) => {
            dst.copy_from_slice(b);
            dst.make_ascii_lowercase();
            &*dst
        }
        None => return Class::Word,
    };
    number_class(lower).unwrap_or(Class::Word)
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
        b"dash" => Class::Dash,
        _ => return None,
    })
}

/// Every number word the normalizer turns into digits (the prefilter's patterns). "oh", "and",
/// "dash" and "a" only matter next to one of these, so they are left out.
pub(crate) const NUMBER_WORDS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fourty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
    "hundredth",
    "thousandth",
    "double",
    "triple",
];

/// True when `text[start..end]` is a whole word (no ASCII alphanumeric on either side).
pub(crate) fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let left = start == 0 || b.get(start - 1).is_some_and(|c| !c.is_ascii_alphanumeric());
    let right = b.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
    left && right
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
        assert_eq!(classify_word("someone"), Class::Word);
        assert_eq!(classify_word("ÉTÉ"), Class::Word);
    }

    #[test]
    fn whole_words() {
        assert!(is_whole_word("one two", 0, 3));
        assert!(!is_whole_word("someone", 4, 7));
        assert!(!is_whole_word("ones", 0, 3));
    }
}

//! Keyed, consistent, realistic surrogates per PHI type (the `pseudonymize` action).
//!
//! Consistency: the surrogate depends only on the key, the type and the (case-folded) value, so
//! the same name in two places of a conversation gets the same stand-in. Shape: digits stay
//! digits, letters stay letters of the same case, separators stay; every letter and digit of a
//! shape-preserving surrogate differs from the original at its position. A surrogate never equals
//! its original: where one would, the type tag is used instead.

use super::dates;
use super::key::{KeyStream, RedactionKey};
use super::mask_tag;
use crate::types::PhiType;

/// The surrogate for one span of `kind`.
pub(crate) fn surrogate(
    key: &RedactionKey,
    kind: PhiType,
    original: &str,
    scope: Option<&str>,
) -> String {
    let s = match kind {
        PhiType::Name => names(key, original, NAME_POOL),
        PhiType::Employer => names(key, original, EMPLOYER_POOL),
        PhiType::Date => match dates::shift(key, original, scope) {
            Some(s) => s,
            None => mask_tag(kind).to_string(),
        },
        PhiType::Age => age(original),
        PhiType::Email => email(key, original),
        PhiType::Url => url(key, original),
        PhiType::IpAddress => ip(key, original),
        PhiType::Address => address(key, original),
        _ => shape(key, kind, original),
    };
    if s.eq_ignore_ascii_case(original) {
        mask_tag(kind).to_string()
    } else {
        s
    }
}

/// Given names and surnames of many origins; each token of a name maps to one of these.
const NAME_POOL: &[&str] = &[
    "Avery",
    "Bennett",
    "Carmen",
    "Dalia",
    "Elena",
    "Farah",
    "Gideon",
    "Hana",
    "Imani",
    "Jonah",
    "Keiko",
    "Leona",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Samir",
    "Tamsin",
    "Umar",
    "Vivian",
    "Wendell",
    "Ximena",
    "Yusuf",
    "Zora",
    "Abebe",
    "Bao",
    "Chen",
    "Dmitri",
    "Esperanza",
    "Femi",
    "Giulia",
    "Hiroshi",
    "Ines",
    "Jae",
    "Kofi",
    "Lakshmi",
    "Minh",
    "Noor",
    "Oksana",
    "Paolo",
    "Ramon",
    "Sione",
    "Thanh",
    "Uzma",
    "Valeria",
    "Wiremu",
    "Yara",
    "Zeynep",
    "Alvarez",
    "Bakker",
    "Castillo",
    "Dang",
    "Eriksen",
    "Fofana",
    "Gupta",
    "Haddad",
    "Ivanova",
    "Jansen",
    "Kaur",
    "Lindqvist",
    "Mensah",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rahman",
    "Sandoval",
    "Tanaka",
    "Ueda",
    "Varga",
    "Whitfield",
    "Xiong",
    "Yilmaz",
    "Zamora",
    "Abernathy",
    "Barros",
    "Cruz",
    "Delgado",
    "Escobar",
    "Farouk",
    "Gallagher",
    "Huang",
    "Iyer",
    "Jovanovic",
    "Kowalski",
    "Lambert",
    "Moreau",
    "Ndiaye",
    "Oyelaran",
    "Pham",
    "Rossi",
    "Sato",
    "Toure",
];

const EMPLOYER_POOL: &[&str] = &[
    "Harbor",
    "Summit",
    "Cedar",
    "Lakeside",
    "Northgate",
    "Pioneer",
    "Riverbend",
    "Granite",
    "Meadow",
    "Beacon",
    "Crescent",
    "Redwood",
    "Logistics",
    "Foods",
    "Builders",
    "Services",
    "Supply",
    "Partners",
    "Systems",
    "Works",
    "Group",
    "Holdings",
    "Industries",
    "Labs",
];

/// Title and particle tokens kept as they are inside names.
const KEEP_TOKENS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "de", "del", "la", "las", "los", "da", "van",
    "von", "der", "den", "bin", "bint", "al", "el", "di", "du", "le", "st", "jr", "sr", "ii",
    "iii", "md", "rn", "np", "pa", "do", "inc", "llc", "corp", "co", "company", "the", "and", "of",
];

fn names(key: &RedactionKey, original: &str, pool: &[&str]) -> String {
    map_words(original, |word| {
        let lower = word.to_lowercase();
        if KEEP_TOKENS.contains(&lower.trim_end_matches('.')) {
            return word.to_string();
        }
        if word.chars().count() == 1 {
            return shape(key, PhiType::Name, word);
        }
        let mut ks = KeyStream::new(key, "name", &[lower.as_bytes()]);
        let mut pick = pool[ks.below(pool.len())];
        if pick.eq_ignore_ascii_case(word) {
            pick = pool[(ks.below(pool.len() - 1)
                + 1
                + pool.iter().position(|p| *p == pick).unwrap_or(0))
                % pool.len()];
        }
        apply_case(word, pick)
    })
}

/// Apply `f` to each alphabetic run (letters, apostrophes inside) and keep everything else.
fn map_words(text: &str, mut f: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let in_word = c.is_alphabetic() || (c == '\'' && start.is_some());
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push_str(&f(&text[s..i]));
                out.push(c);
                start = None;
            }
            (false, None) => out.push(c),
            (true, Some(_)) => {}
        }
    }
    if let Some(s) = start {
        out.push_str(&f(&text[s..]));
    }
    out
}

/// Copy the case style of `like` (UPPER, lower, Title) onto `word`.
fn apply_case(like: &str, word: &str) -> String {
    let letters: Vec<char> = like.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        word.to_uppercase()
    } else if letters.first().is_some_and(|c| c.is_lowercase()) {
        word.to_lowercase()
    } else {
        word.to_string()
    }
}

const DIGIT_WORDS: &[&str] =
    &["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/// Shape-preserving: each ASCII digit and letter becomes a different one of the same class and
/// case; spoken digit words become other digit words; everything else stays.
fn shape(key: &RedactionKey, kind: PhiType, original: &str) -> String {
    let mut ks = KeyStream::new(
        key,
        "shape",
        &[kind.as_str().as_bytes(), original.to_lowercase().as_bytes()],
    );
    let mut out = String::with_capacity(original.len());
    let mut word_start: Option<usize> = None;
    let flush_word = |w: &str, ks: &mut KeyStream<'_>, out: &mut String| {
        let lower = w.to_ascii_lowercase();
        if let Some(d) = DIGIT_WORDS.iter().position(|x| *x == lower) {
            let nd = (d + 1 + ks.below(9)) % 10;
            out.push_str(&apply_case(w, DIGIT_WORDS[nd]));
        } else if lower == "oh" {
            out.push_str(&apply_case(w, DIGIT_WORDS[1 + ks.below(9)]));
        } else if w.chars().count() > 1 && w.chars().all(|c| c.is_ascii_alphabetic()) && w.len() > 3
        {
            // Longer words inside ids (e.g. "dash") are glue; keep them readable.
            out.push_str(w);
        } else {
            for c in w.chars() {
                out.push(shift_char(c, ks));
            }
        }
    };
    for (i, c) in original.char_indices() {
        if c.is_ascii_alphabetic() {
            if word_start.is_none() {
                word_start = Some(i);
            }
            continue;
        }
        if let Some(s) = word_start.take() {
            flush_word(&original[s..i], &mut ks, &mut out);
        }
        out.push(shift_char(c, &mut ks));
    }
    if let Some(s) = word_start {
        flush_word(&original[s..], &mut ks, &mut out);
    }
    out
}

fn shift_char(c: char, ks: &mut KeyStream<'_>) -> char {
    let shift = |base: u8, n: u8, c: char, ks: &mut KeyStream<'_>| {
        let off = c as u8 - base;
        char::from(base + (off + 1 + (ks.below(n as usize - 1) as u8)) % n)
    };
    match c {
        '0'..='9' => shift(b'0', 10, c, ks),
        'a'..='z' => shift(b'a', 26, c, ks),
        'A'..='Z' => shift(b'A', 26, c, ks),
        _ => c,
    }
}

fn age(original: &str) -> String {
    // Safe Harbor: ages over 89 are aggregated into one category, "90 or older".
    match original.find(|c: char| c.is_ascii_digit()) {
        Some(s) => {
            let e =
                original[s..].find(|c: char| !c.is_ascii_digit()).map_or(original.len(), |x| s + x);
            let tail = &original[e..];
            let aggregate = if tail.starts_with('+') { "90" } else { "90+" };
            format!("{}{aggregate}{tail}", &original[..s])
        }
        None => "over 89".to_string(),
    }
}

fn email(key: &RedactionKey, original: &str) -> String {
    let lower = original.to_lowercase();
    let mut ks = KeyStream::new(key, "email", &[lower.as_bytes()]);
    let user = NAME_POOL[ks.below(NAME_POOL.len())].to_lowercase();
    let n = ks.below(90) + 10;
    if lower.contains('@') {
        format!("{user}{n}@example.org")
    } else {
        // Spoken form ("maria dot lopez at gmail dot com") stays spoken.
        format!("{user} {n} at example dot org")
    }
}

fn url(key: &RedactionKey, original: &str) -> String {
    let lower = original.to_lowercase();
    let mut ks = KeyStream::new(key, "url", &[lower.as_bytes()]);
    let id = ks.next_u32() % 100_000;
    let scheme = if lower.starts_with("http://") {
        "http://"
    } else if lower.starts_with("https://") {
        "https://"
    } else {
        ""
    };
    if !lower.contains('.') && lower.contains(" dot ") {
        return format!("example dot org slash p {id}");
    }
    format!("{scheme}example.org/p/{id}")
}

fn ip(key: &RedactionKey, original: &str) -> String {
    let mut ks = KeyStream::new(key, "ip", &[original.as_bytes()]);
    if original.contains(':') {
        format!("2001:db8::{:x}:{:x}", ks.next_u32() & 0xffff, ks.next_u32() & 0xffff)
    } else {
        // RFC 5737 documentation ranges: never a real host.
        const NETS: [&str; 3] = ["192.0.2", "198.51.100", "203.0.113"];
        format!("{}.{}", NETS[ks.below(3)], 1 + ks.below(254))
    }
}

const STREET_POOL: &[&str] = &[
    "Maple", "Oak", "Willow", "Juniper", "Aspen", "Birch", "Magnolia", "Sycamore", "Laurel",
    "Hawthorn", "Chestnut", "Linden", "Cypress", "Alder", "Poplar", "Spruce",
];

/// Words kept in addresses: USPS suffixes, directions, unit designators, state codes.
const ADDRESS_KEEP: &[&str] = &[
    "st",
    "street",
    "ave",
    "avenue",
    "rd",
    "road",
    "blvd",
    "boulevard",
    "dr",
    "drive",
    "ln",
    "lane",
    "ct",
    "court",
    "way",
    "pl",
    "place",
    "ter",
    "terrace",
    "pkwy",
    "parkway",
    "hwy",
    "highway",
    "cir",
    "circle",
    "apt",
    "apartment",
    "unit",
    "suite",
    "ste",
    "po",
    "box",
    "p",
    "o",
    "n",
    "s",
    "e",
    "w",
    "ne",
    "nw",
    "se",
    "sw",
    "north",
    "south",
    "east",
    "west",
    "floor",
];

fn address(key: &RedactionKey, original: &str) -> String {
    let digits_done = shape_digits_only(key, original);
    map_words(&digits_done, |w| {
        let lower = w.to_lowercase();
        if ADDRESS_KEEP.contains(&lower.as_str())
            || (w.len() == 2 && w.chars().all(|c| c.is_ascii_uppercase()))
        {
            return w.to_string();
        }
        let mut ks = KeyStream::new(key, "street", &[lower.as_bytes()]);
        let mut pick = STREET_POOL[ks.below(STREET_POOL.len())];
        if pick.eq_ignore_ascii_case(w) {
            pick = "Elmwood";
        }
        apply_case(w, pick)
    })
}

fn shape_digits_only(key: &RedactionKey, original: &str) -> String {
    let mut ks = KeyStream::new(key, "addr-digits", &[original.to_lowercase().as_bytes()]);
    original.chars().map(|c| if c.is_ascii_digit() { shift_char(c, &mut ks) } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RedactionKey {
        RedactionKey::new(vec![9u8; 32]).unwrap()
    }

    #[test]
    fn shape_changes_every_alnum() {
        let o = "123-45-6789";
        let s = surrogate(&key(), PhiType::Ssn, o, None);
        assert_eq!(s.len(), o.len());
        for (a, b) in o.chars().zip(s.chars()) {
            if a.is_ascii_digit() {
                assert!(b.is_ascii_digit() && a != b);
            } else {
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn spoken_digits_stay_spoken() {
        let s = surrogate(&key(), PhiType::Phone, "five five five, two one two", None);
        let words: Vec<&str> =
            s.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).collect();
        assert_eq!(words.len(), 6);
        assert!(words.iter().all(|w| DIGIT_WORDS.contains(w)));
        assert_ne!(words[0], "five");
    }

    #[test]
    fn names_keep_case_and_titles() {
        let s = surrogate(&key(), PhiType::Name, "Dr. MARIA LOPEZ", None);
        assert!(s.starts_with("Dr. "));
        assert_eq!(s, s.to_uppercase().replacen("DR. ", "Dr. ", 1));
        let lower = surrogate(&key(), PhiType::Name, "maria lopez", None);
        assert_eq!(lower, lower.to_lowercase());
        let title = surrogate(&key(), PhiType::Name, "Lopez", None);
        let upper = surrogate(&key(), PhiType::Name, "LOPEZ", None);
        assert_eq!(title.to_uppercase(), upper, "same value in another case maps consistently");
    }

    #[test]
    fn emails_urls_ips_are_fictional() {
        assert!(surrogate(&key(), PhiType::Email, "maria.lopez@gmail.com", None)
            .ends_with("@example.org"));
        assert!(surrogate(&key(), PhiType::Email, "maria dot lopez at gmail dot com", None)
            .ends_with(" at example dot org"));
        assert!(surrogate(&key(), PhiType::Url, "https://portal.clinic.com/x", None)
            .starts_with("https://example.org/"));
        let ip4 = surrogate(&key(), PhiType::IpAddress, "10.1.2.3", None);
        assert!(ip4.parse::<std::net::Ipv4Addr>().is_ok());
        assert!(surrogate(&key(), PhiType::IpAddress, "fe80::1", None).starts_with("2001:db8::"));
    }

    #[test]
    fn ages_aggregate() {
        assert_eq!(surrogate(&key(), PhiType::Age, "93 year old", None), "90+ year old");
        assert_eq!(surrogate(&key(), PhiType::Age, "90+", None), "[AGE]");
    }

    #[test]
    fn address_keeps_suffix_changes_number_and_street() {
        let s = surrogate(&key(), PhiType::Address, "1234 Elm Street, Apt 4B", None);
        assert!(s.contains(" Street, Apt ") && !s.contains("1234") && !s.contains("Elm "));
    }
}

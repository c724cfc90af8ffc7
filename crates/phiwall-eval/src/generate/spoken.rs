//! Numbers, dates and identifiers the way speech-to-text writes them: digits as words with or
//! without commas, "oh" for zero, years in pairs ("nineteen eighty four"), ordinals ("third"),
//! spelled letters ("N-G-U-Y-E-N"), "dot" and "at" in e-mail addresses.

use super::rng::Rng;

const ONES: [&str; 20] = [
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
];
const TENS: [&str; 10] =
    ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const ORD_ONES: [&str; 20] = [
    "zeroth",
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
];
/// Month names, January first.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A digit's word; zero is "oh" when `is_oh`.
pub fn digit(d: u32, is_oh: bool) -> &'static str {
    if d == 0 && is_oh {
        "oh"
    } else {
        ONES.get(d as usize).copied().unwrap_or("zero")
    }
}

/// Every digit of `s` as a word, separated by spaces ("five five five").
pub fn digits(s: &str, is_oh: bool) -> String {
    s.chars().filter_map(|c| c.to_digit(10)).map(|d| digit(d, is_oh)).collect::<Vec<_>>().join(" ")
}

/// Words for `0..10000` ("four hundred twelve", "two thousand three").
pub fn number(n: u32) -> String {
    match n {
        0..=19 => ONES.get(n as usize).copied().unwrap_or("").to_string(),
        20..=99 => {
            let t = TENS.get((n / 10) as usize).copied().unwrap_or("");
            if n.is_multiple_of(10) {
                t.to_string()
            } else {
                format!("{t} {}", ONES.get((n % 10) as usize).copied().unwrap_or(""))
            }
        }
        100..=999 => {
            let rest = n % 100;
            let h = format!("{} hundred", number(n / 100));
            if rest == 0 {
                h
            } else {
                format!("{h} {}", number(rest))
            }
        }
        _ => {
            let rest = n % 1000;
            let th = format!("{} thousand", number(n / 1000));
            if rest == 0 {
                th
            } else {
                format!("{th} {}", number(rest))
            }
        }
    }
}

/// A four-digit number read in pairs: 1423 "fourteen twenty three", 1405 "fourteen oh five",
/// 1400 "fourteen hundred". Other lengths fall back to [`number`].
pub fn pairs(n: u32) -> String {
    if !(1000..=9999).contains(&n) || n.is_multiple_of(1000) {
        return number(n);
    }
    let (hi, lo) = (n / 100, n % 100);
    match lo {
        0 => format!("{} hundred", number(hi)),
        1..=9 => format!("{} oh {}", number(hi), number(lo)),
        _ => format!("{} {}", number(hi), number(lo)),
    }
}

/// A year as people say it: 1984 "nineteen eighty four"; 2003 "two thousand three" or
/// "two thousand and three"; 2012 "twenty twelve" or "two thousand twelve".
pub fn year(y: u32, rng: &mut Rng) -> String {
    if (2000..2010).contains(&y) {
        let and = if rng.chance(0.3) { "and " } else { "" };
        return if y == 2000 {
            "two thousand".to_string()
        } else {
            format!("two thousand {and}{}", number(y % 100))
        };
    }
    if y >= 2010 && rng.chance(0.4) {
        return number(y);
    }
    pairs(y)
}

/// Ordinal words for `1..=31` ("third", "twenty first").
pub fn ordinal(n: u32) -> String {
    match n {
        0..=19 => ORD_ONES.get(n as usize).copied().unwrap_or("").to_string(),
        _ if n.is_multiple_of(10) => {
            let t = TENS.get((n / 10) as usize).copied().unwrap_or("");
            format!("{}ieth", t.trim_end_matches('y'))
        }
        _ => format!(
            "{} {}",
            TENS.get((n / 10) as usize).copied().unwrap_or(""),
            ORD_ONES.get((n % 10) as usize).copied().unwrap_or("")
        ),
    }
}

/// English ordinal suffix for a number ("3rd", "21st").
pub fn ordinal_suffix(n: u32) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// Spell a word letter by letter: "N-G-U-Y-E-N" or "N G U Y E N" (letters only).
pub fn spell(word: &str, rng: &mut Rng) -> String {
    let sep = if rng.chance(0.5) { "-" } else { " " };
    let letters: Vec<String> =
        word.chars().filter(|c| c.is_alphabetic()).map(|c| c.to_uppercase().collect()).collect();
    letters.join(sep)
}

/// Digit groups read one digit at a time, groups separated by ", " or " ".
pub fn digit_groups(groups: &[&str], rng: &mut Rng) -> String {
    let sep = if rng.chance(0.5) { ", " } else { " " };
    let is_oh = rng.chance(0.6);
    groups.iter().map(|g| digits(g, is_oh)).collect::<Vec<_>>().join(sep)
}

/// A short code read character by character: letters as capitals, digits as words
/// ("W four eight two one").
pub fn alnum(code: &str, rng: &mut Rng) -> String {
    let is_oh = rng.chance(0.5);
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_digit(10) {
            Some(d) => digit(d, is_oh).to_string(),
            None => c.to_ascii_uppercase().to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An e-mail address read aloud: "maria dot lopez at gmail dot com".
pub fn email(addr: &str) -> String {
    let mut out = String::with_capacity(addr.len() + 16);
    for c in addr.chars() {
        match c {
            '.' => out.push_str(" dot "),
            '@' => out.push_str(" at "),
            '_' => out.push_str(" underscore "),
            '-' => out.push_str(" dash "),
            c if c.is_ascii_digit() => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(digit(c.to_digit(10).unwrap_or(0), false));
                out.push(' ');
            }
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_pairs() {
        assert_eq!(number(0), "zero");
        assert_eq!(number(42), "forty two");
        assert_eq!(number(412), "four hundred twelve");
        assert_eq!(number(2003), "two thousand three");
        assert_eq!(pairs(1423), "fourteen twenty three");
        assert_eq!(pairs(1405), "fourteen oh five");
        assert_eq!(pairs(1400), "fourteen hundred");
        assert_eq!(pairs(1984), "nineteen eighty four");
        assert_eq!(pairs(2000), "two thousand");
    }

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(3), "third");
        assert_eq!(ordinal(20), "twentieth");
        assert_eq!(ordinal(21), "twenty first");
        assert_eq!(ordinal(30), "thirtieth");
        assert_eq!(ordinal_suffix(11), "th");
        assert_eq!(ordinal_suffix(22), "nd");
    }

    #[test]
    fn spoken_forms() {
        let mut r = Rng::new(1);
        assert_eq!(digits("5055", true), "five oh five five");
        assert_eq!(email("maria.lopez@gmail.com"), "maria dot lopez at gmail dot com");
        assert_eq!(email("tran84@aol.com"), "tran eight four at aol dot com");
        let s = spell("Nguyen", &mut r);
        assert!(s == "N-G-U-Y-E-N" || s == "N G U Y E N", "{s}");
        let y = year(1984, &mut r);
        assert_eq!(y, "nineteen eighty four");
        let y = year(2003, &mut r);
        assert!(y == "two thousand three" || y == "two thousand and three", "{y}");
        let a = alnum("w48", &mut r);
        assert!(a == "W four eight", "{a}");
    }
}

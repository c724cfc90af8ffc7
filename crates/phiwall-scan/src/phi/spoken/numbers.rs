//! Spoken numbers to digits: parse a run of number words into *units*, group the units into
//! digit groups and write them into a [`View`].
//!
//! Units:
//! - **single**: a spoken digit ("five", "oh", "zero"), a written single digit, or "double/triple
//!   X" ("double five" -> "55").
//! - **composite**: a teen or tens word with an optional unit ("eighty four" -> "84"), chained
//!   with following two-digit pieces as in years and times ("nineteen eighty four" -> "1984",
//!   "twelve thirty four" -> "1234", "twenty oh five" -> "2005"); a "nineteen"/"twenty" piece
//!   that is followed by another piece starts a year and a new unit ("seven fourteen nineteen
//!   sixty two" -> "7 14 1962"). A digit word that starts a number, followed by one teen/tens
//!   piece and no further number, is read as one number ("four twenty two Maple" -> "422", "one
//!   thirty over eighty" -> "130 over 80"). Or a cardinal with "hundred"/"thousand"/"million"
//!   ("two thousand and five" -> "2005", "a hundred" -> "100").
//! - **ordinal**: "third" -> "3rd", "twenty first" -> "21st", "two hundred and first" -> "201st".
//!
//! Grouping rule (documented convention): consecutive singles joined by spaces or a bare hyphen
//! concatenate into one group ("one two three four" -> "1234"); every composite or ordinal is a
//! group of its own; a comma, a spaced dash or the word "dash" always starts a new group. Groups
//! are written separated by one space ("five five five, two one two" -> "555 212"). A singles
//! group made only of "oh X" pairs ("oh three oh three", at least two pairs) is split into its
//! pairs, the way dates and times are read: "oh three oh three eighty four" -> "03 03 84".
//!
//! "point"/"dot" between numbers is a decimal or IP dot ("ninety eight point six" -> "98.6");
//! "dash"/"slash" separate groups like a comma.
//!
//! A run stays as words when converting it would only damage prose: a lone "one" or "oh" ("I have
//! one question", "no one", "oh, one more thing"), and "first"/"second" unless a month precedes
//! or "of" follows ("first visit", "wait a second", "first of all" vs "March second", "the second
//! of May"), and ordinals after a number word, which are fractions ("one third").
//! Parsing is one forward pass: each token is looked at a bounded number of times.

// `u64::is_multiple_of` is newer than the workspace's rust-version (1.85).
#![allow(clippy::manual_is_multiple_of)]

use super::tokens::{Class, Tok};
use super::view::View;
use std::fmt::Write as _;

/// What a unit is; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitKind {
    Single,
    Composite,
    Ordinal,
}

/// One parsed unit of a number run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unit {
    /// First and last token index (inclusive).
    first: usize,
    last: usize,
    kind: UnitKind,
    /// The unit's digits: a range in [`NumberRun::digits`].
    text: (usize, usize),
    /// A single spoken as "oh"/"o"/"zero" (for the "oh X" pair rule).
    is_zero_word: bool,
    /// Repeat count of a single ("double five" = 2); 1 otherwise.
    repeat: u8,
    /// A number *word* that is not a lone-able weak word: anything but "one", "oh", "o" and
    /// written digits.
    is_strong: bool,
    /// The word "one".
    is_one: bool,
    /// How this unit attaches to the previous one.
    join: Join,
}

/// How a unit attaches to the previous unit of its run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// Spaces or a bare hyphen: singles concatenate.
    Soft,
    /// A comma, a spaced dash, "dash" or "slash": always a new group.
    Hard,
    /// "point"/"dot": joined with a "." in the same group ("ninety eight point six" -> "98.6",
    /// "one nine two dot one six eight dot one dot one" -> "192.168.1.1").
    Point,
}

/// A parsed run of number words. Reused across runs to avoid allocation.
#[derive(Debug, Default)]
pub(crate) struct NumberRun {
    units: Vec<Unit>,
    digits: String,
}

fn next_soft(toks: &[Tok], k: usize) -> Option<Class> {
    let t = toks.get(k)?;
    if t.gap.is_soft() {
        toks.get(k + 1).map(|n| n.class)
    } else {
        None
    }
}

fn is_zero_like(c: Class) -> bool {
    matches!(c, Class::Oh | Class::Letter(b'o' | b'O'))
}

fn digit_of(c: Class) -> Option<u8> {
    match c {
        Class::Digit(d) | Class::DigitChar(d) => Some(d),
        _ => None,
    }
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// True when token `j` comes right after a month name ("March one", "may one").
pub(crate) fn follows_month(text: &str, toks: &[Tok], j: usize) -> bool {
    j.checked_sub(1)
        .and_then(|k| toks.get(k).filter(|t| t.gap.is_soft()))
        .and_then(|t| text.get(t.start..t.end))
        .is_some_and(|w| MONTHS.iter().any(|m| m.eq_ignore_ascii_case(w)))
}

/// "first"/"second" are dates only next to a month or before "of".
fn is_ordinal_context(text: &str, toks: &[Tok], j: usize) -> bool {
    let word = |k: usize| toks.get(k).and_then(|t| text.get(t.start..t.end));
    let after_month = j
        .checked_sub(1)
        .and_then(word)
        .is_some_and(|w| MONTHS.iter().any(|m| m.eq_ignore_ascii_case(w)));
    // "the second of May", but not "first of all".
    let before_of = toks.get(j).is_some_and(|t| t.gap.is_soft())
        && word(j + 1).is_some_and(|w| w.eq_ignore_ascii_case("of"))
        && !word(j + 2).is_some_and(|w| w.eq_ignore_ascii_case("all"));
    after_month || before_of
}

fn ordinal_suffix(v: u64) -> &'static str {
    match (v % 10, v % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// The units slot of `cur` is free: "twenty" or "three hundred" may take a digit, "twelve" not.
fn unit_slot_free(cur: u64) -> bool {
    cur % 10 == 0 && !(10..=19).contains(&(cur % 100))
}

impl NumberRun {
    /// Parse the longest number run starting at token `i`. Returns the token index after the
    /// run, or `None` when no number starts at `i`.
    pub(crate) fn parse(&mut self, text: &str, toks: &[Tok], i: usize) -> Option<usize> {
        self.units.clear();
        self.digits.clear();
        let mut j = i;
        let mut join = Join::Soft;
        let mut prev_single = false;
        while let Some((mut unit, next)) = self.parse_unit(text, toks, j, prev_single) {
            unit.join = join;
            prev_single = unit.kind == UnitKind::Single;
            self.units.push(unit);
            j = next;
            let Some(last) = toks.get(j.wrapping_sub(1)) else { break };
            join = match last.gap {
                g if g.is_soft() => Join::Soft,
                super::tokens::Gap::Sep => Join::Hard,
                _ => break,
            };
            if join == Join::Hard {
                prev_single = false;
            }
            // A hesitation between groups ("four two seven, uh, eight one") is dropped and
            // starts a new group, as a pause would (session 19).
            if let Some(f) = toks.get(j) {
                let after_is_unit =
                    matches!(toks.get(j + 1).map(|n| n.class), Some(c) if starts_unit(c));
                let gap_ok = f.gap.is_soft() || f.gap == super::tokens::Gap::Sep;
                if f.class == Class::Word && gap_ok && after_is_unit && is_filler(text, f) {
                    j += 1;
                    join = Join::Hard;
                    prev_single = false;
                }
            }
            // "dash"/"slash" separate groups; "point"/"dot" is a decimal or IP dot.
            let Some(t) = toks.get(j) else { break };
            let after_is_unit = matches!(next_soft(toks, j), Some(c) if starts_unit(c));
            if t.class == Class::Dash && after_is_unit {
                j += 1;
                join = Join::Hard;
                prev_single = false;
            } else if t.class == Class::Point && join == Join::Soft && after_is_unit {
                j += 1;
                join = Join::Point;
                // "two point oh": a zero may follow the point.
                prev_single = true;
            }
        }
        let last = self.units.last()?;
        Some(last.last + 1)
    }

    /// True when the parsed run should be written as digits (see the module docs).
    pub(crate) fn is_worth_converting(&self) -> bool {
        let ones = self.units.iter().filter(|u| u.is_one).count();
        let has_point = self.units.iter().any(|u| u.join == Join::Point);
        self.units.iter().any(|u| u.is_strong) || (ones >= 2 && !has_point)
    }

    fn push_digits(&mut self, v: u64) -> (usize, usize) {
        let a = self.digits.len();
        let _ = write!(self.digits, "{v}");
        (a, self.digits.len())
    }

    #[allow(clippy::too_many_arguments)]
    fn single(
        &mut self,
        first: usize,
        last: usize,
        d: u8,
        repeat: u8,
        is_zero_word: bool,
        is_strong: bool,
        is_one: bool,
    ) -> (Unit, usize) {
        let a = self.digits.len();
        for _ in 0..repeat {
            self.digits.push(char::from(b'0' + d.min(9)));
        }
        let u = Unit {
            first,
            last,
            kind: UnitKind::Single,
            text: (a, self.digits.len()),
            is_zero_word,
            repeat,
            is_strong,
            is_one,
            join: Join::Soft,
        };
        (u, last + 1)
    }

    fn composite(
        &mut self,
        first: usize,
        last: usize,
        kind: UnitKind,
        text: (usize, usize),
    ) -> (Unit, usize) {
        let u = Unit {
            first,
            last,
            kind,
            text,
            is_zero_word: false,
            repeat: 1,
            is_strong: true,
            is_one: false,
            join: Join::Soft,
        };
        (u, last + 1)
    }

    fn ordinal(&mut self, first: usize, last: usize, v: u64) -> (Unit, usize) {
        let (a, _) = self.push_digits(v);
        self.digits.push_str(ordinal_suffix(v));
        let b = self.digits.len();
        self.composite(first, last, UnitKind::Ordinal, (a, b))
    }

    fn parse_unit(
        &mut self,
        text: &str,
        toks: &[Tok],
        j: usize,
        prev_single: bool,
    ) -> Option<(Unit, usize)> {
        let t = toks.get(j)?;
        let next = next_soft(toks, j);
        match t.class {
            Class::Digit(d) => {
                if matches!(next, Some(Class::Mult(_) | Class::Ord(100 | 1000))) {
                    if let Some(r) = self.cardinal(toks, j) {
                        return Some(r);
                    }
                }
                if let Some(r) = self.digit_and_piece(toks, j, d, prev_single) {
                    return Some(r);
                }
                Some(self.single(j, j, d, 1, d == 0, d != 1, d == 1))
            }
            Class::DigitChar(d) => Some(self.single(j, j, d, 1, false, false, false)),
            c if is_zero_like(c) => {
                // "oh nine", "oh oh nine", "oh oh oh nine": zeros before a digit word.
                let mut k = j;
                let mut n = next;
                while n.is_some_and(is_zero_like) && k < j + 6 {
                    k += 1;
                    n = next_soft(toks, k);
                }
                let before_digit =
                    n.is_some_and(|n| digit_of(n).is_some() || matches!(n, Class::Repeat(_)));
                (prev_single || before_digit).then(|| self.single(j, j, 0, 1, true, false, false))
            }
            Class::Repeat(n) => {
                let c = next?;
                if let Some(d) = digit_of(c) {
                    Some(self.single(j, j + 1, d, n, false, true, false))
                } else if is_zero_like(c) {
                    Some(self.single(j, j + 1, 0, n, false, true, false))
                } else {
                    None
                }
            }
            Class::Teen(v) | Class::Tens(v) => {
                if let Some(r) = self.cardinal(toks, j) {
                    return Some(r);
                }
                let is_tens = matches!(t.class, Class::Tens(_));
                let mut val = u64::from(v);
                let mut k = j;
                match next {
                    Some(Class::Digit(d)) if is_tens && d > 0 => {
                        val += u64::from(d);
                        k = j + 1;
                    }
                    Some(Class::Ord(o)) if is_tens && (1..=9).contains(&o) => {
                        return Some(self.ordinal(j, j + 1, val + u64::from(o)));
                    }
                    _ => {}
                }
                let (a, _) = self.push_digits(val);
                k = self.chain_pairs(toks, k);
                let b = self.digits.len();
                Some(self.composite(j, k, UnitKind::Composite, (a, b)))
            }
            Class::Ord(v) => {
                if v <= 2 && !is_ordinal_context(text, toks, j) {
                    return None;
                }
                // "one third", "one-fifth": a fraction, not a date.
                let prev = j.checked_sub(1).and_then(|p| toks.get(p));
                if prev.is_some_and(|p| {
                    p.gap.is_soft()
                        && matches!(p.class, Class::Digit(_) | Class::Teen(_) | Class::Tens(_))
                }) {
                    return None;
                }
                Some(self.ordinal(j, j, u64::from(v)))
            }
            Class::Letter(b'a' | b'A')
                if matches!(next, Some(Class::Mult(_) | Class::Ord(100 | 1000))) =>
            {
                self.cardinal(toks, j)
            }
            _ => None,
        }
    }

    /// After a teen/tens piece ending at token `k`, append following two-digit pieces ("nineteen
    /// eighty four", "twenty oh five"). A piece "nineteen"/"twenty" that is itself followed by a
    /// piece starts a year and ends the chain ("seven fourteen nineteen sixty two" -> "7 14
    /// 1962"). Returns the last token consumed.
    fn chain_pairs(&mut self, toks: &[Tok], mut k: usize) -> usize {
        loop {
            if !toks.get(k).is_some_and(|t| t.gap.is_soft()) {
                return k;
            }
            let Some((v, last)) = piece_at(toks, k + 1) else { return k };
            if (v == 19 || v == 20) && last == k + 1 && follows_piece(toks, last) {
                return k;
            }
            self.push_pair(v);
            k = last;
        }
    }

    /// Two digits, zero-padded ("oh five" -> "05").
    fn push_pair(&mut self, v: u8) {
        self.digits.push(char::from(b'0' + (v / 10).min(9)));
        self.digits.push(char::from(b'0' + (v % 10)));
    }

    /// "four twenty two" -> "422", "one thirty" -> "130": a digit word that starts a number and
    /// one teen/tens piece after it, when no other number follows (else it is a date: "seven
    /// fourteen nineteen sixty two").
    fn digit_and_piece(
        &mut self,
        toks: &[Tok],
        j: usize,
        d: u8,
        prev_single: bool,
    ) -> Option<(Unit, usize)> {
        // Right after "dot"/"point" the flag only lets a zero in ("two point oh"); a new
        // number may start there ("dot one sixty eight").
        let after_point =
            j.checked_sub(1).and_then(|p| toks.get(p)).is_some_and(|p| p.class == Class::Point);
        if (prev_single && !after_point) || d == 0 || !toks.get(j)?.gap.is_soft() {
            return None;
        }
        let before_is_number = j
            .checked_sub(1)
            .and_then(|p| toks.get(p))
            .is_some_and(|p| p.gap.is_soft() && is_numberish(p.class));
        if before_is_number || !matches!(toks.get(j + 1)?.class, Class::Teen(_) | Class::Tens(_)) {
            return None;
        }
        let (v, last) = piece_at(toks, j + 1)?;
        let after = toks.get(last).filter(|t| t.gap != super::tokens::Gap::Break);
        // A point may follow: "one ninety two dot one sixty eight" is an IP address, "one oh
        // one point five" a temperature (session 19). After a pause, only a year-like piece
        // makes it a date ("seven fourteen, nineteen sixty two"); a digit starts the next group
        // of a phone number ("five thirteen, five five five, ...").
        if after.is_some_and(|a| {
            toks.get(last + 1).is_some_and(|n| {
                is_numberish(n.class)
                    && (a.gap.is_soft() || matches!(n.class, Class::Teen(_) | Class::Tens(_)))
            })
        }) {
            return None;
        }
        let a = self.digits.len();
        self.digits.push(char::from(b'0' + d.min(9)));
        self.push_pair(v);
        let b = self.digits.len();
        Some(self.composite(j, last, UnitKind::Composite, (a, b)))
    }

    /// A cardinal with at least one multiplier, starting at token `j` ("two thousand and five",
    /// "nineteen hundred", "a hundred", "three hundred and first"). `None` without a multiplier.
    fn cardinal(&mut self, toks: &[Tok], j: usize) -> Option<(Unit, usize)> {
        let mut total: u64 = 0;
        let mut cur: u64 = 0;
        let mut last_big: u64 = u64::MAX;
        let mut has_mult = false;
        let mut prev_mult = false;
        let mut is_ordinal = false;
        let mut last = j;
        let mut k = j;
        while let Some(t) = toks.get(k) {
            let mut is_mult = false;
            let ok = match t.class {
                Class::Letter(b'a' | b'A') if k == j => {
                    cur = 1;
                    true
                }
                Class::Digit(d) if d > 0 && unit_slot_free(cur) => {
                    cur += u64::from(d);
                    true
                }
                Class::Teen(v) | Class::Tens(v) if cur % 100 == 0 => {
                    cur += u64::from(v);
                    true
                }
                Class::Mult(100) if (1..=99).contains(&cur) => {
                    cur *= 100;
                    is_mult = true;
                    true
                }
                Class::Mult(m)
                    if m > 100 && (1..=999).contains(&cur) && u64::from(m) < last_big =>
                {
                    total += cur * u64::from(m);
                    cur = 0;
                    last_big = u64::from(m);
                    is_mult = true;
                    true
                }
                Class::And if prev_mult => matches!(
                    next_soft(toks, k),
                    Some(Class::Digit(1..=9) | Class::Teen(_) | Class::Tens(_) | Class::Ord(_))
                ),
                Class::Ord(v) if (1..=9).contains(&v) && unit_slot_free(cur) && k > j => {
                    cur += u64::from(v);
                    is_ordinal = true;
                    true
                }
                Class::Ord(v) if (10..=90).contains(&v) && cur % 100 == 0 && k > j => {
                    cur += u64::from(v);
                    is_ordinal = true;
                    true
                }
                Class::Ord(100) if (1..=99).contains(&cur) => {
                    cur *= 100;
                    has_mult = true;
                    is_ordinal = true;
                    true
                }
                Class::Ord(1000) if (1..=999).contains(&cur) && 1000 < last_big => {
                    total += cur * 1000;
                    cur = 0;
                    has_mult = true;
                    is_ordinal = true;
                    true
                }
                _ => false,
            };
            if !ok {
                break;
            }
            if t.class != Class::And {
                last = k;
            }
            has_mult |= is_mult;
            prev_mult = is_mult;
            if is_ordinal || !t.gap.is_soft() {
                break;
            }
            k += 1;
        }
        if !has_mult {
            return None;
        }
        let v = total + cur;
        if is_ordinal {
            Some(self.ordinal(j, last, v))
        } else {
            let r = self.push_digits(v);
            Some(self.composite(j, last, UnitKind::Composite, r))
        }
    }

    /// Write the run into `view`, grouped per the module docs.
    pub(crate) fn emit(&self, view: &mut View, toks: &[Tok]) {
        let units = &self.units;
        let mut g = 0;
        while g < units.len() {
            // A group: units joined by points, or singles joined softly.
            let mut h = g + 1;
            while let (Some(prev), Some(u)) = (units.get(h - 1), units.get(h)) {
                let soft_singles = u.join == Join::Soft
                    && prev.kind == UnitKind::Single
                    && u.kind == UnitKind::Single;
                if u.join == Join::Point || soft_singles {
                    h += 1;
                } else {
                    break;
                }
            }
            let group = units.get(g..h).unwrap_or(&[]);
            if let (Some(prev), Some(first)) =
                (g.checked_sub(1).and_then(|p| units.get(p)), group.first())
            {
                self.push_sep(view, toks, prev, first, " ");
            }
            let is_pairs = is_oh_pairs(group);
            let mut prev: Option<&Unit> = None;
            for (p, u) in group.iter().enumerate() {
                if let Some(pr) = prev {
                    if u.join == Join::Point {
                        self.push_sep(view, toks, pr, u, ".");
                    } else if is_pairs && p % 2 == 0 {
                        self.push_sep(view, toks, pr, u, " ");
                    }
                }
                self.push_unit(view, toks, u);
                prev = Some(u);
            }
            g = h;
        }
    }

    fn push_unit(&self, view: &mut View, toks: &[Tok], u: &Unit) {
        let (Some(a), Some(b)) = (toks.get(u.first), toks.get(u.last)) else { return };
        let s = self.digits.get(u.text.0..u.text.1).unwrap_or("");
        view.push_str(s, a.start, b.end);
    }

    /// A separator standing for the original text between two units.
    fn push_sep(&self, view: &mut View, toks: &[Tok], prev: &Unit, next: &Unit, sep: &str) {
        let a = toks.get(prev.last).map(|t| t.end);
        let b = toks.get(next.first).map(|t| t.start);
        if let (Some(a), Some(b)) = (a, b) {
            if a < b {
                view.push_str(sep, a, b);
            }
        }
    }

    /// The digits of the whole run with groups joined by spaces (for tests).
    #[cfg(test)]
    fn render(&self, toks: &[Tok]) -> String {
        let mut v = View::default();
        self.emit(&mut v, toks);
        v.text
    }
}

/// A hesitation word of speech-to-text output ("um", "uh", "erm"; not "er", the ER).
pub(crate) fn is_filler(text: &str, t: &Tok) -> bool {
    let Some(w) = text.get(t.start..t.end) else { return false };
    w.len() <= 4
        && matches!(
            w.to_ascii_lowercase().as_str(),
            "um" | "umm" | "uh" | "uhh" | "uhm" | "erm" | "hmm"
        )
}

/// A two-digit piece at token `k`: a teen, a tens word with an optional unit, or "oh" and a
/// digit. Returns its value and last token. A tens word before an ordinal or a multiplier is not
/// a piece ("twenty first", "twenty thousand").
fn piece_at(toks: &[Tok], k: usize) -> Option<(u8, usize)> {
    match toks.get(k)?.class {
        Class::Teen(p) => Some((p, k)),
        Class::Tens(p) => match next_soft(toks, k) {
            Some(Class::Digit(d)) if d > 0 => Some((p + d.min(9), k + 1)),
            Some(Class::Ord(_) | Class::Mult(_)) => None,
            _ => Some((p, k)),
        },
        c if is_zero_like(c) => next_soft(toks, k).and_then(digit_of).map(|d| (d.min(9), k + 1)),
        _ => None,
    }
}

/// A piece starts right after token `k`.
fn follows_piece(toks: &[Tok], k: usize) -> bool {
    toks.get(k).is_some_and(|t| t.gap.is_soft()) && piece_at(toks, k + 1).is_some()
}

/// Any number token: used to keep "four twenty two" (an address, a time) apart from "seven
/// fourteen nineteen sixty two" (a date).
fn is_numberish(c: Class) -> bool {
    matches!(
        c,
        Class::Digit(_)
            | Class::DigitChar(_)
            | Class::Digits
            | Class::Oh
            | Class::Teen(_)
            | Class::Tens(_)
            | Class::Mult(_)
            | Class::Ord(_)
            | Class::Repeat(_)
    )
}

fn starts_unit(c: Class) -> bool {
    matches!(
        c,
        Class::Digit(_)
            | Class::DigitChar(_)
            | Class::Oh
            | Class::Teen(_)
            | Class::Tens(_)
            | Class::Repeat(_)
            | Class::Letter(b'o' | b'O')
    )
}

/// A singles group made of at least two "oh X" pairs.
fn is_oh_pairs(group: &[Unit]) -> bool {
    group.len() >= 4
        && group.iter().all(|u| u.join != Join::Point)
        && group.len() % 2 == 0
        && group.iter().all(|u| u.kind == UnitKind::Single && u.repeat == 1)
        && group.iter().step_by(2).all(|u| u.is_zero_word)
        // "oh oh oh nine" is one number, not the pairs "00 09".
        && group.iter().skip(1).step_by(2).all(|u| !u.is_zero_word)
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    /// Parse the run at the first token and render it, or "" when none / not worth converting.
    fn conv(s: &str) -> String {
        let toks = tokenize(s);
        let mut r = NumberRun::default();
        match r.parse(s, &toks, 0) {
            Some(_) if r.is_worth_converting() => r.render(&toks),
            _ => String::new(),
        }
    }

    /// Token index after the run at 0.
    fn extent(s: &str) -> usize {
        let toks = tokenize(s);
        NumberRun::default().parse(s, &toks, 0).unwrap_or(0)
    }

    #[test]
    fn digit_strings() {
        assert_eq!(conv("one two three four"), "1234");
        assert_eq!(conv("five five five, two one two, nine eight seven six"), "555 212 9876");
        assert_eq!(conv("five five five dash two one two - nine eight seven six"), "555 212 9876");
        assert_eq!(conv("five-five-five"), "555");
        assert_eq!(conv("double five triple seven"), "55777");
        assert_eq!(conv("double oh seven"), "007");
        assert_eq!(conv("nine oh two one oh"), "90210");
        assert_eq!(conv("oh two one three nine"), "02139");
        assert_eq!(conv("Zero ONE two"), "012");
        // A group may open with several zeros ("... nine five seven, oh oh oh nine").
        assert_eq!(conv("oh oh oh nine"), "0009");
        assert_eq!(conv("five seven six, nine five seven, oh oh oh nine"), "576 957 0009");
        assert_eq!(conv("oh oh seven"), "007");
        assert_eq!(conv("oh oh"), "");
        // Session 19: hesitations between groups part them and drop out.
        assert_eq!(conv("four two seven, uh, eight one, five five three nine"), "427 81 5539");
        assert_eq!(conv("nine three seven um five five five"), "937 555");
        assert_eq!(conv("seven, umbrella"), "7");
    }

    #[test]
    fn compounds_and_pairs() {
        assert_eq!(conv("eighty four"), "84");
        assert_eq!(conv("twenty-three"), "23");
        assert_eq!(conv("nineteen eighty four"), "1984");
        assert_eq!(conv("twelve thirty four"), "1234");
        assert_eq!(conv("twenty twenty three"), "2023");
        assert_eq!(conv("nineteen oh five"), "1905");
        assert_eq!(conv("ninety eight seventy six"), "9876");
        assert_eq!(conv("nine eight seven, sixty five forty three"), "987 6543");
        assert_eq!(conv("oh three oh three eighty four"), "03 03 84");
        assert_eq!(conv("one two three forty five"), "123 45");
        assert_eq!(conv("ten"), "10");
        // A digit and one piece, with nothing after: addresses, rooms, times.
        assert_eq!(conv("four twenty two Maple"), "422");
        assert_eq!(conv("one thirty over eighty five"), "130");
        assert_eq!(conv("room three twelve"), "");
        assert_eq!(conv("three twelve"), "312");
        // ... but a date when more numbers follow.
        assert_eq!(conv("seven fourteen nineteen sixty two"), "7 14 1962");
        assert_eq!(conv("seven fourteen, nineteen sixty two"), "7 14 1962");
        assert_eq!(conv("twelve twenty twenty three"), "12 2023");
        assert_eq!(conv("twenty nineteen"), "2019");
        assert_eq!(conv("nineteen nineteen"), "1919");
    }

    #[test]
    fn cardinals() {
        assert_eq!(conv("two thousand five"), "2005");
        assert_eq!(conv("two thousand and five"), "2005");
        assert_eq!(conv("four hundred twelve"), "412");
        assert_eq!(conv("one hundred and twelve"), "112");
        assert_eq!(conv("a hundred"), "100");
        assert_eq!(conv("nineteen hundred eighty four"), "1984");
        assert_eq!(conv("twenty five hundred"), "2500");
        assert_eq!(conv("two thousand twenty three"), "2023");
        assert_eq!(conv("five hundred thousand"), "500000");
        assert_eq!(conv("three million two hundred thousand one"), "3200001");
        // A second multiplier of the same size starts a new number.
        assert_eq!(conv("two thousand thousand"), "2000");
        // "and" not followed by a number is left alone.
        assert_eq!(extent("two hundred and then"), 2);
    }

    #[test]
    fn ordinals() {
        assert_eq!(conv("third"), "3rd");
        assert_eq!(conv("twenty first"), "21st");
        assert_eq!(conv("thirty-first"), "31st");
        assert_eq!(conv("eleventh"), "11th");
        assert_eq!(conv("twenty second"), "22nd");
        assert_eq!(conv("one hundredth"), "100th");
        assert_eq!(conv("two hundred and first"), "201st");
        assert_eq!(conv("hundredth"), "100th");
        // "first"/"second" need a month or "of".
        assert_eq!(conv("first visit"), "");
        assert_eq!(conv("second opinion"), "");
        assert_eq!(conv("second of May"), "2nd");
        assert_eq!(conv("first of all"), "");
        // Fractions stay words.
        assert_eq!(conv("one third"), "");
        assert_eq!(conv("one-fifth"), "");
        assert_eq!(extent("two third"), 1);
        let s = "March second";
        let toks = tokenize(s);
        let mut r = NumberRun::default();
        assert_eq!(r.parse(s, &toks, 1), Some(2));
        assert_eq!(r.render(&toks), "2nd");
    }

    #[test]
    fn weak_words_stay() {
        assert_eq!(conv("one question"), "");
        assert_eq!(conv("one of them"), "");
        assert_eq!(conv("oh, one more thing"), "");
        assert_eq!(conv("oh one"), "");
        assert_eq!(conv("oh well"), "");
        assert_eq!(conv("one one"), "11");
        assert_eq!(conv("one oh one"), "101");
        assert_eq!(conv("a couple"), "");
        assert_eq!(conv("double check"), "");
        assert_eq!(conv("hundreds"), "");
        assert_eq!(conv("hundred"), "");
    }

    #[test]
    fn points_and_slashes() {
        assert_eq!(conv("ninety eight point six"), "98.6");
        assert_eq!(conv("one point five"), "1.5");
        assert_eq!(conv("two point oh"), "2.0");
        assert_eq!(conv("one nine two dot one six eight dot one dot one"), "192.168.1.1");
        assert_eq!(
            conv("one ninety two dot one sixty eight dot one dot forty four"),
            "192.168.1.44"
        );
        assert_eq!(conv("five thirteen, five five five"), "513 555");
        assert_eq!(conv("seven fourteen, nineteen sixty two"), "7 14 1962");
        assert_eq!(conv("oh three slash oh five slash twenty three"), "03 05 23");
        assert_eq!(conv("one point one"), "", "weak words around a point stay");
        assert_eq!(extent("five point"), 1);
        assert_eq!(extent("five point, six"), 1);
    }

    #[test]
    fn mixed_with_digits() {
        assert_eq!(conv("5 five 5"), "555");
        assert_eq!(conv("two 1 two"), "212");
        // Written digits alone are not a spoken run.
        assert_eq!(conv("5"), "");
        assert_eq!(conv("5 oh"), "");
    }

    #[test]
    fn runs_stop_at_sentence_ends() {
        assert_eq!(extent("one two. three"), 2);
        assert_eq!(extent("one two\nthree"), 2);
        assert_eq!(extent("one two, three"), 3);
    }

    #[test]
    fn huge_runs_are_linear() {
        let s = "one ".repeat(250_000);
        let t = std::time::Instant::now();
        let out = conv(&s);
        assert_eq!(out.len(), 250_000);
        assert!(out.bytes().all(|b| b == b'1'));
        // "twenty twenty twenty ...": each "twenty" would start a year, so pairs stay apart.
        let s = "twenty ".repeat(100_000);
        let out = conv(&s);
        assert!(out.starts_with("20 20 ") && out.ends_with(" 2020"));
        assert!(out.bytes().all(|b| b == b'2' || b == b'0' || b == b' '));
        assert!(t.elapsed().as_secs() < 10, "number parsing is not linear");
    }
}

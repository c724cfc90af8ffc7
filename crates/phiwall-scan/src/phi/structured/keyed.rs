//! Identifiers recognised by the phrase that introduces them: "MRN: 12345678", "member ID is
//! W48213", "VIN 1HGCM82633A004352", "pager #54321", "claim number 88-1234".
//!
//! One Aho-Corasick automaton (leftmost-longest, ASCII case-insensitive) holds the phrases of
//! every keyed family (`ids`, `vehicle`, `device`, `biometric`, `other_id`, plus pagers). For each
//! whole-word phrase hit, [`read_value`] skips a short connector (`:`, `#`, `=`, "number", "is",
//! "no." ...) and reads one identifier token; the family's [`Rule`] then validates and scores it.
//! Longest match means "license plate" beats "license" and "member ID" beats "ID".
//!
//! A token is letters and digits with single inner `-` (or `.`/`/` between digits is NOT taken:
//! that is a date or a dose). Following digit groups separated by one space are joined ("MRN 123
//! 456 789"; on spoken views groups of 2+ digits, elsewhere 3+, or 2+ once a group has joined:
//! "W4418 2201 93"). A token followed by a unit
//! ("mg", "%") is a measurement and is dropped.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::{answer_after_question, digit_words, is_alnum, unit_follows};
use crate::detector::{floor_boundary, Detector, Doc, Span};
use crate::phi::validators;
use crate::types::PhiType;

/// How the token after a phrase is validated and typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Medical record / chart / patient id number.
    Mrn,
    /// Health plan member, subscriber, policy, group, Medicare/Medicaid ids.
    PlanId,
    /// Bank or billing account, IBAN.
    Account,
    /// ABA routing number (checked), else an account number.
    Routing,
    /// Driver's licence and other licence or certificate numbers.
    License,
    /// DEA registration (checked).
    Dea,
    /// National Provider Identifier (checked).
    Npi,
    /// Vehicle identification number (check digit when North American).
    Vin,
    /// Licence plate.
    Plate,
    /// Device serial number, device id.
    Serial,
    /// IMEI (Luhn).
    Imei,
    /// Unique device identifier.
    Udi,
    /// Fingerprint, voiceprint, retina or other biometric template id.
    Biometric,
    /// Any other identifying number: claim, case, reference, ID number.
    Other,
    /// A user name or login: one digit is enough ("username jwierzbicki58"). A name of letters
    /// only is not found: this detector reads only values near a digit.
    Login,
    /// Pager / beeper numbers, which are telephone numbers.
    Pager,
    /// Social Security numbers after "SSN"/"social", including the last four digits when
    /// "last" is said ("last four of my social is 6789").
    Ssn,
}

/// One introducing phrase.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    /// The phrase, matched ASCII case-insensitively on whole words.
    pub phrase: &'static str,
    /// What follows it.
    pub rule: Rule,
    /// Match only with exactly this case ("DL" but not "dL" as in "mg/dL"; "PG" but not "pg").
    pub is_case_sensitive: bool,
}

/// Shorthand for a case-insensitive key.
pub(crate) const fn k(phrase: &'static str, rule: Rule) -> Key {
    Key { phrase, rule, is_case_sensitive: false }
}

/// Shorthand for a case-sensitive key.
pub(crate) const fn kc(phrase: &'static str, rule: Rule) -> Key {
    Key { phrase, rule, is_case_sensitive: true }
}

/// Pager and beeper numbers (phone numbers by Safe Harbor).
const PAGER_KEYS: &[Key] = &[
    k("pager", Rule::Pager),
    k("pager number", Rule::Pager),
    k("beeper", Rule::Pager),
    k("beeper number", Rule::Pager),
    k("pgr", Rule::Pager),
    kc("PG", Rule::Pager),
    // "please page me at 4-1234", "paged Dr. X at 41234" are the verb; "page 2 of 3" (a
    // document page) is not taken: the verb needs "me at" / "at" / "to".
    k("page me at", Rule::Pager),
    k("page me", Rule::Pager),
    k("paged at", Rule::Pager),
    k("page at", Rule::Pager),
    k("page him at", Rule::Pager),
    k("page her at", Rule::Pager),
    k("page them at", Rule::Pager),
];

/// Social Security phrases (full numbers are also found by shape in `ssn`; these add the
/// spoken "last four" form).
const SSN_KEYS: &[Key] = &[
    k("ssn", Rule::Ssn),
    k("social", Rule::Ssn),
    k("social security", Rule::Ssn),
    k("social security number", Rule::Ssn),
    k("soc sec", Rule::Ssn),
];

/// Words skipped between the phrase and the value.
const FILLERS: &[&str] = &[
    "number",
    "num",
    "nbr",
    "no",
    "nos",
    "is",
    "was",
    "are",
    "id",
    "of",
    "the",
    "code",
    "on",
    "file",
    "my",
    "his",
    "her",
    "their",
    "patient's",
    "pt's",
    "a",
    "to",
    "be",
    "it's",
    "its",
    "reads",
    "listed",
    "as",
    "ending",
    "ends",
    "in",
    "with",
    "last",
    "four",
    "digits",
];

/// A token found after a phrase: its byte range and facts used by the rules.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    /// Count of letters and digits (separators excluded).
    alnum: usize,
    digits: usize,
}

/// The keyed detector: one automaton over every family's phrases.
pub struct KeyedDetector {
    ac: Option<AhoCorasick>,
    keys: Vec<Key>,
}

impl std::fmt::Debug for KeyedDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedDetector").field("keys", &self.keys.len()).finish()
    }
}

impl Default for KeyedDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyedDetector {
    /// Build the automaton from every keyed family's phrase table.
    pub fn new() -> Self {
        let keys: Vec<Key> = [
            super::ids::KEYS,
            super::vehicle::KEYS,
            super::device::KEYS,
            super::biometric::KEYS,
            super::other_id::KEYS,
            PAGER_KEYS,
            SSN_KEYS,
        ]
        .concat();
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            // A DFA: a few hundred KB once, and about one step per byte of text.
            .kind(Some(AhoCorasickKind::DFA))
            .build(keys.iter().map(|k| k.phrase))
            .ok();
        KeyedDetector { ac, keys }
    }
}

/// Skip the connector after a phrase; returns where the value starts.
fn skip_connector(text: &str, mut i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let limit = (i + 40).min(bytes.len());
    let mut fillers = 0;
    while i < limit {
        let b = *bytes.get(i)?;
        if matches!(
            b,
            b' ' | b'\t' | b'\n' | b'\r' | b':' | b'#' | b'=' | b'(' | b'.' | b',' | b'-'
        ) {
            // "-" only as a connector when spaced or after ":" ("MRN - 123"), not "MRN-123"
            // which is read as part of the value below anyway.
            i += 1;
            continue;
        }
        if b.is_ascii_alphabetic() {
            let mut e = i;
            while bytes.get(e).is_some_and(|&c| c.is_ascii_alphabetic() || c == b'\'') {
                e += 1;
            }
            let word = text.get(i..e)?;
            // "last 4 digits": the count is not the value.
            if word.eq_ignore_ascii_case("last")
                && bytes.get(e) == Some(&b' ')
                && bytes.get(e + 1).is_some_and(|b| b"456".contains(b))
                && bytes.get(e + 2).is_some_and(|&b| !is_alnum(b))
            {
                fillers += 1;
                i = e + 2;
                continue;
            }
            if fillers < 4
                && FILLERS.iter().any(|f| f.eq_ignore_ascii_case(word))
                && !bytes.get(e).is_some_and(u8::is_ascii_digit)
            {
                fillers += 1;
                i = e;
                continue;
            }
        }
        return Some(i);
    }
    None
}

/// Where the value starts after a qualifying phrase closed by a colon: "License plate of the
/// vehicle that dropped pt off: Ohio JKB 2291" (session 19). At most eight plain words, all in
/// one clause, before the colon.
fn value_after_colon(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let colon = rest.get(..rest.len().min(96))?.find(':')?;
    let qualifier = rest.get(..colon)?;
    let words = qualifier.split_whitespace().count();
    let plain = qualifier.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ' || b == b'\'');
    if words == 0 || words > 8 || !plain {
        return None;
    }
    let after = rest.get(colon + 1..)?;
    let v = from + colon + 1 + (after.len() - after.trim_start_matches([' ', '\t']).len());
    (v < text.len()).then_some(v)
}

/// Where a plate's letters start when a state qualifies them ("Ohio JKB 2291", "OH JKB 2291").
fn after_plate_state(text: &str, vs: usize) -> usize {
    let word_end = text
        .get(vs..)
        .and_then(|r| r.find(|c: char| !c.is_ascii_alphabetic()))
        .map_or(text.len(), |p| vs + p);
    let word = text.get(vs..word_end).unwrap_or("");
    let is_state = crate::phi::address::is_state_code(word)
        || (word.len() > 3 && crate::phi::address::is_state_name(&word.to_ascii_lowercase()));
    let next = word_end + 1;
    let value_follows = text.as_bytes().get(next).is_some_and(|b| b.is_ascii_alphanumeric());
    if is_state && text.as_bytes().get(word_end) == Some(&b' ') && value_follows {
        next
    } else {
        vs
    }
}

/// Where the value starts after a qualifying phrase and a copula: "at the hospital billing
/// office is 0003...", "for Blue Cross was W1234...". At most six words of at most 16 letters
/// each, all in one clause (no sentence or clause punctuation, no digit) before " is " or
/// " was ".
fn value_after_copula(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let mut words = 0;
    let mut at = 0usize;
    for word in rest.split(' ') {
        let start = at;
        at += word.len() + 1;
        if word.is_empty() {
            if start == 0 {
                continue;
            }
            return None;
        }
        if word.eq_ignore_ascii_case("is") || word.eq_ignore_ascii_case("was") {
            if words == 0 {
                return None;
            }
            let v = from + at;
            return (v < text.len()).then_some(v);
        }
        let plain = word.bytes().all(|b| b.is_ascii_alphabetic() || b == b'\'');
        words += 1;
        if !plain || word.len() > 16 || words > 6 {
            return None;
        }
    }
    None
}

/// Read the value token at `i` (see module docs).
fn read_value(doc: &Doc<'_>, i: usize) -> Option<Token> {
    let bytes = doc.text.as_bytes();
    if !bytes.get(i).is_some_and(|&b| is_alnum(b)) {
        return None;
    }
    let mut e = i;
    let mut alnum = 0;
    let mut digits = 0;
    let mut joined = 0;
    loop {
        while let Some(&b) = bytes.get(e) {
            if is_alnum(b) {
                alnum += 1;
                digits += usize::from(b.is_ascii_digit());
                e += 1;
            } else if b == b'-' && bytes.get(e + 1).is_some_and(|&c| is_alnum(c)) && e > i {
                e += 1;
            } else {
                break;
            }
        }
        // Join a following all-digit group after one space ("123 456 789").
        if bytes.get(e) == Some(&b' ') && alnum < 24 {
            let g = e + 1;
            let mut ge = g;
            while bytes.get(ge).is_some_and(u8::is_ascii_digit) {
                ge += 1;
            }
            // Written groups need 3+ digits, except the last group of a value already read as
            // several groups ("member ID W4418 2201 93", as printed on a card).
            let min = if doc.is_spoken_view || joined > 0 { 2 } else { 3 };
            let after_digit = bytes.get(ge + 1).is_some_and(u8::is_ascii_digit);
            let glued = bytes.get(ge).is_some_and(|&b| {
                is_alnum(b) || b == b'%' || (matches!(b, b'.' | b'/' | b':' | b',') && after_digit)
            });
            let prev_digit = e > 0 && bytes.get(e - 1).is_some_and(u8::is_ascii_digit);
            if ge - g >= min && !glued && prev_digit && !unit_follows(doc.text, ge) {
                e = g;
                joined += 1;
                continue;
            }
        }
        break;
    }
    // Values glued to '/', '.', ':' + digit are dates, doses, times or decimals.
    let next = bytes.get(e).copied();
    let next2 = bytes.get(e + 1).copied();
    if matches!(next, Some(b'/' | b'.' | b':' | b',')) && next2.is_some_and(|b| b.is_ascii_digit())
    {
        return None;
    }
    if next == Some(b'%') {
        return None;
    }
    Some(Token { start: i, end: e, alnum, digits })
}

/// A plate read as letters then digits ("GHT 4421", spoken "ght four four two one"): a token of
/// two to four letters joins the digit group of two to five digits after one space.
fn join_plate_digits(text: &str, tok: Token) -> Token {
    let bytes = text.as_bytes();
    if tok.digits > 0 || !(2..=4).contains(&tok.alnum) || bytes.get(tok.end) != Some(&b' ') {
        return tok;
    }
    // "plate and 12 screws": an English word is not the letters of a plate.
    let letters = text.get(tok.start..tok.end).unwrap_or("");
    let mut buf = String::new();
    if crate::phi::names::lexicon::lookup(letters, &mut buf).is_some_and(|e| e.is_word) {
        return tok;
    }
    let g = tok.end + 1;
    let n = bytes.get(g..).map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count());
    // A period that ends the sentence is no glue ("... JKB 2291."), one inside a number is.
    let glued = bytes.get(g + n).is_some_and(|&b| {
        is_alnum(b)
            || b == b'/'
            || (b == b'.' && bytes.get(g + n + 1).is_some_and(|&c| is_alnum(c)))
    });
    if (2..=5).contains(&n) && !glued {
        Token { start: tok.start, end: g + n, alnum: tok.alnum + n, digits: n }
    } else {
        tok
    }
}

/// Credentials printed before a licence number ("nursing license RN 4412087").
const CREDENTIALS: &[&str] = &[
    "RN", "LPN", "LVN", "APRN", "CNP", "NP", "PA", "MD", "DO", "DDS", "DMD", "RPH", "CNA", "EMT",
    "LCSW", "LPC", "PT", "OT", "CRNA", "CNM",
];

/// Where a licence number starts when a state code or a credential qualifies it ("DL# OH
/// RX445120", "license RN 4412087"): the qualifier is skipped, so the number is the value.
/// Anything else leaves `vs` as it is.
fn after_licence_qualifier(text: &str, vs: usize) -> usize {
    let bytes = text.as_bytes();
    let mut e = vs;
    while bytes.get(e).is_some_and(u8::is_ascii_uppercase) {
        e += 1;
    }
    let qualifier = text.get(vs..e).unwrap_or("");
    let known = crate::phi::address::is_state_code(qualifier) || CREDENTIALS.contains(&qualifier);
    let sep = bytes.get(e).is_some_and(|&b| matches!(b, b' ' | b'-' | b'#' | b'.'));
    let next = e + 1;
    if known && sep && bytes.get(next).is_some_and(|&b| is_alnum(b)) {
        // The number must hold a digit within its first word ("OH RX445120", not "OH and").
        let word_end = bytes
            .get(next..)
            .and_then(|r| r.iter().position(|&b| !is_alnum(b)))
            .map_or(bytes.len(), |p| next + p);
        if bytes.get(next..word_end).is_some_and(|w| w.iter().any(u8::is_ascii_digit)) {
            return next;
        }
    }
    vs
}

/// The token's bytes with separators removed, on the stack (at most 40).
fn compact(text: &str, t: &Token) -> ([u8; 40], usize) {
    let mut buf = [0u8; 40];
    let mut n = 0;
    for b in text
        .as_bytes()
        .get(t.start..t.end)
        .unwrap_or(&[])
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
    {
        if let Some(slot) = buf.get_mut(n) {
            *slot = *b;
            n += 1;
        }
    }
    (buf, n)
}

/// Validate and score a token under a rule: `(type, score)` or `None`. `lead` is the text from
/// a little before the phrase up to the value (for "last four").
fn judge(rule: Rule, text: &str, t: &Token, lead: &str) -> Option<(PhiType, f32)> {
    let (buf, n) = compact(text, t);
    let c = buf.get(..n)?;
    let all_digits = t.digits == t.alnum;
    let letters = t.alnum - t.digits;
    let has = |min_len: usize, min_digits: usize| t.alnum >= min_len && t.digits >= min_digits;
    // "135-145", "50-60": a reference range or span of values, not an identifier.
    let raw = text.get(t.start..t.end).unwrap_or("");
    let mut parts = raw.split('-');
    let is_range = all_digits
        && matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None)
            if (1..=3).contains(&a.len()) && (1..=3).contains(&b.len()));
    if is_range {
        return None;
    }
    // Dates ("2023-12-05", "12-05-2023") and years ("in 2019") are not identifiers; groups
    // that cannot be a month and a day ("00-44-1902", a chart number) are.
    let nums: Vec<(usize, u32)> =
        raw.split('-').map(|p| (p.len(), p.parse::<u32>().unwrap_or(0))).collect();
    let month_day = |a: u32, b: u32| {
        (1..=12).contains(&a) && (1..=31).contains(&b)
            || (1..=12).contains(&b) && (1..=31).contains(&a)
    };
    let is_date = all_digits
        && match nums.as_slice() {
            [(4, _), (1 | 2, m), (1 | 2, d)] => month_day(*m, *d),
            [(1 | 2, a), (1 | 2, b), (2 | 4, _)] => month_day(*a, *b),
            _ => false,
        };
    let is_year = n == 4
        && all_digits
        && matches!(c.first().zip(c.get(1)), Some((b'1', b'9')) | Some((b'2', b'0')));
    if is_date || (is_year && !matches!(rule, Rule::Ssn | Rule::Pager)) {
        return None;
    }
    Some(match rule {
        Rule::Mrn if has(5, 4) && t.alnum <= 20 && letters <= 4 => (PhiType::Mrn, 0.85),
        Rule::PlanId if validators::mbi_shape(c) => (PhiType::HealthPlanId, 0.95),
        Rule::PlanId if has(5, 3) && t.alnum <= 24 => (PhiType::HealthPlanId, 0.85),
        Rule::Routing if n == 9 && all_digits && validators::aba_valid(c) => {
            (PhiType::AccountNumber, 0.95)
        }
        Rule::Routing | Rule::Account if validators::iban_valid(c) => {
            (PhiType::AccountNumber, 0.95)
        }
        Rule::Routing | Rule::Account if has(4, 4) && t.alnum <= 34 => {
            (PhiType::AccountNumber, 0.85)
        }
        Rule::Dea if validators::dea_valid(c) => (PhiType::LicenseNumber, 0.95),
        Rule::Dea if n == 9 && t.digits == 7 => (PhiType::LicenseNumber, 0.6),
        Rule::Npi if n == 10 && validators::npi_valid(c) => (PhiType::LicenseNumber, 0.95),
        Rule::Npi if n == 10 && all_digits => (PhiType::LicenseNumber, 0.6),
        Rule::License if has(4, 3) && t.alnum <= 20 => (PhiType::LicenseNumber, 0.85),
        Rule::Vin if validators::vin_valid(c) => (PhiType::VehicleId, 0.95),
        Rule::Vin if validators::vin_shape(c) => (PhiType::VehicleId, 0.85),
        Rule::Vin if has(8, 2) && t.alnum <= 17 => (PhiType::VehicleId, 0.7),
        Rule::Plate
            if (has(2, 1) && t.alnum <= 8 && letters >= 1) || (has(4, 4) && t.alnum <= 8) =>
        {
            (PhiType::VehicleId, 0.85)
        }
        Rule::Imei if n == 15 && validators::imei_valid(c) => (PhiType::DeviceId, 0.95),
        Rule::Imei if (14..=17).contains(&n) && all_digits => (PhiType::DeviceId, 0.7),
        Rule::Serial | Rule::Udi if has(4, 2) && t.alnum <= 40 => (PhiType::DeviceId, 0.85),
        Rule::Biometric if has(4, 2) && t.alnum <= 40 => (PhiType::BiometricId, 0.85),
        Rule::Other if has(4, 3) && t.alnum <= 24 => (PhiType::OtherId, 0.75),
        Rule::Login if has(4, 1) && t.alnum <= 32 => (PhiType::OtherId, 0.75),
        Rule::Pager if all_digits && (4..=11).contains(&t.digits) => (PhiType::Phone, 0.75),
        Rule::Ssn if n == 9 && all_digits && validators::ssn_valid(c) => (PhiType::Ssn, 0.9),
        Rule::Ssn
            if n == 4
                && all_digits
                && c != b"0000"
                && super::has_word(lead, &["last", "ends", "ending"]) =>
        {
            (PhiType::Ssn, 0.75)
        }
        _ => return None,
    })
}

impl Detector for KeyedDetector {
    fn name(&self) -> &'static str {
        "keyed_id"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let text = doc.text;
        let bytes = text.as_bytes();
        // Every rule needs a digit in the value, and a value starts at most LOOKBACK bytes after
        // the start of its phrase, so the automaton only runs over the stretches before words
        // that hold a digit (merged when they overlap). Narrative without numbers costs one
        // digit scan.
        let mut next_free = 0;
        let mut searched_to = 0;
        // Parts of "118/76", "4.2", "10:30", "1,250" can never start a value (see read_value).
        let glued = |w: &super::Word| {
            let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
            let is_glue = |b: Option<&u8>| matches!(b, Some(b'/' | b'.' | b':' | b','));
            (is_glue(bytes.get(w.end)) && digit_at(w.end + 1))
                || (w.start >= 2 && is_glue(bytes.get(w.start - 1)) && digit_at(w.start - 2))
        };
        let mut words = digit_words(text).filter(|w| !glued(w)).peekable();
        while let Some(w) = words.next() {
            let mut hi = w.start;
            while let Some(nw) = words.peek() {
                if nw.start.saturating_sub(LOOKBACK) <= hi {
                    hi = nw.start;
                    words.next();
                } else {
                    break;
                }
            }
            // Start on a word boundary so "member id" is not cut to "id".
            let mut lo = w.start.saturating_sub(LOOKBACK);
            while lo > 0 && bytes.get(lo - 1).is_some_and(|&b| is_alnum(b)) {
                lo -= 1;
            }
            let lo = floor_boundary(text, lo.max(searched_to));
            if lo < hi {
                self.scan_range(doc, lo, hi, &mut next_free, out);
            }
            searched_to = hi;
        }
    }
}

/// How far before a value its phrase may start: the rest of a question holding the phrase and
/// the start of its answer (see [`answer_after_question`]), plus the longest phrase.
const LOOKBACK: usize = 176;

impl KeyedDetector {
    /// Find phrases in `text[lo..hi]` and read the value after each.
    fn scan_range(
        &self,
        doc: &Doc<'_>,
        lo: usize,
        hi: usize,
        next_free: &mut usize,
        out: &mut Vec<Span>,
    ) {
        let Some(ac) = self.ac.as_ref() else { return };
        let text = doc.text;
        let bytes = text.as_bytes();
        let Some(hay) = text.get(lo..hi) else { return };
        for m in ac.find_iter(hay) {
            let (ks, ke) = (lo + m.start(), lo + m.end());
            if ks < *next_free {
                continue;
            }
            let Some(key) = self.keys.get(m.pattern().as_usize()) else { continue };
            let left_ok = ks == 0 || !bytes.get(ks - 1).is_some_and(|&b| is_alnum(b));
            let ends_alnum = key.phrase.as_bytes().last().is_some_and(|&b| is_alnum(b));
            let right_ok = !ends_alnum || !bytes.get(ke).is_some_and(|&b| b.is_ascii_alphabetic());
            if !left_ok || !right_ok {
                continue;
            }
            if key.is_case_sensitive && text.get(ks..ke) != Some(key.phrase) {
                continue;
            }
            // "mg/dL", "5/DL": a unit, not a driver's licence.
            if ks > 0 && bytes.get(ks - 1) == Some(&b'/') {
                continue;
            }
            let lead_from = floor_boundary(text, ks.saturating_sub(24));
            let try_at = |vs: usize| {
                let vs = match key.rule {
                    Rule::License => after_licence_qualifier(text, vs),
                    Rule::Plate => after_plate_state(text, vs),
                    _ => vs,
                };
                let tok = read_value(doc, vs)?;
                let tok = if key.rule == Rule::Plate { join_plate_digits(text, tok) } else { tok };
                if unit_follows(text, tok.end) {
                    return None;
                }
                let lead = text.get(lead_from..vs).unwrap_or("");
                judge(key.rule, text, &tok, lead).map(|(kind, score)| (tok, kind, score))
            };
            // The value right after the phrase, else the answer to a question holding the
            // phrase ("Do you have your MRN handy?\nCaller: Yeah it's 26273663").
            // In a question the phrase nearest the question mark names the answer ("the
            // subscriber's social security number?"): skip this one if another follows it.
            let hit = skip_connector(text, ke).and_then(try_at).or_else(|| {
                let v = answer_after_question(text, ke)?;
                let q = text.get(ke..v)?.find('?').map(|i| ke + i)?;
                let later = ac.find_iter(text.get(ke..q)?).any(|m2| {
                    let (s2, e2) = (ke + m2.start(), ke + m2.end());
                    let left = !bytes.get(s2.wrapping_sub(1)).is_some_and(|&b| is_alnum(b));
                    let right = !bytes.get(e2).is_some_and(|&b| is_alnum(b));
                    s2 > ke && left && right
                });
                if later {
                    return None;
                }
                try_at(v)
            });
            // A phrase qualified before its value ("my account number at the hospital billing
            // office is 000349921877"): the value after the clause's "is"/"was", when no other
            // phrase comes first and the value holds at least five digits.
            let hit = hit.or_else(|| {
                let v = value_after_copula(text, ke)?;
                let between = text.get(ke..v)?;
                if ac.find_iter(between).next().is_some() {
                    return None;
                }
                try_at(v).filter(|(tok, _, _)| tok.digits >= 5)
            });
            // A phrase qualified before a colon ("License plate of the vehicle ...: JKB 2291").
            let hit = hit.or_else(|| {
                let v = value_after_colon(text, ke)?;
                if ac.find_iter(text.get(ke..v)?).next().is_some() {
                    return None;
                }
                try_at(v).filter(|(tok, _, _)| tok.digits >= 2)
            });
            let Some((tok, kind, score)) = hit else { continue };
            out.push(Span::new(tok.start, tok.end, kind, score, self.name()));
            *next_free = tok.end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_none, found, found_spoken};
    use super::*;

    fn keyed(text: &str) -> Vec<(PhiType, String)> {
        found(&KeyedDetector::new(), text)
    }

    fn f(kind: PhiType, s: &str) -> (PhiType, String) {
        (kind, s.to_string())
    }

    #[test]
    fn a_qualified_phrase_reaches_its_value_after_a_colon() {
        assert_eq!(
            keyed("License plate of the vehicle that dropped pt off: Ohio JKB 2291."),
            vec![f(PhiType::VehicleId, "JKB 2291")]
        );
        assert_eq!(keyed("plate number: OH JKB2291"), vec![f(PhiType::VehicleId, "JKB2291")]);
        // A clause break or digits before the colon: nothing.
        assert_none(&keyed_det(), "license plate. Time: 10 45");
        assert_none(&keyed_det(), "plate 2 of 3: 10 mg");
    }

    #[test]
    fn a_qualified_phrase_reaches_its_value_after_is() {
        assert_eq!(
            keyed("My account number at the hospital billing office is 000349921877, thanks"),
            vec![f(PhiType::AccountNumber, "000349921877")]
        );
        assert_eq!(
            keyed("my member ID for Blue Cross is W219948876."),
            vec![f(PhiType::HealthPlanId, "W219948876")]
        );
        // Too far, a clause break, or too few digits: nothing.
        assert_none(
            &keyed_det(),
            "the account at the bank on the corner of the main street is 12345678",
        );
        assert_none(&keyed_det(), "my account, which I opened, is 12345678");
        assert_none(&keyed_det(), "the account for my visit is 2024");
        assert_none(&keyed_det(), "account balance due in full is 150");
    }

    fn keyed_det() -> KeyedDetector {
        KeyedDetector::new()
    }

    #[test]
    fn connectors_and_fillers() {
        assert_eq!(keyed("MRN: 12345678"), vec![f(PhiType::Mrn, "12345678")]);
        assert_eq!(keyed("MRN#12345678"), vec![f(PhiType::Mrn, "12345678")]);
        assert_eq!(keyed("medical record number is 00123456."), vec![f(PhiType::Mrn, "00123456")]);
        assert_eq!(keyed("MRN 123 456 789 seen"), vec![f(PhiType::Mrn, "123 456 789")]);
        assert_eq!(keyed("MRN 123 456."), vec![f(PhiType::Mrn, "123 456")]);
        // A two-digit group joins only after another joined group.
        assert_eq!(
            keyed("member ID W4418 2201 93 on the card"),
            vec![f(PhiType::HealthPlanId, "W4418 2201 93")]
        );
        assert_eq!(keyed("MRN 1234567 45 years old"), vec![f(PhiType::Mrn, "1234567")]);
        assert_eq!(keyed("MRN 1234567 at 10:30"), vec![f(PhiType::Mrn, "1234567")]);
        assert_eq!(keyed("MRN 1234567 120/80"), vec![f(PhiType::Mrn, "1234567")]);
        assert_eq!(keyed("mrn - A1234567"), vec![f(PhiType::Mrn, "A1234567")]);
        // Dashed groups that cannot be a date are an identifier; a date is not.
        assert_eq!(keyed("my chart number is 00-44-1902."), vec![f(PhiType::Mrn, "00-44-1902")]);
        assert!(keyed("chart 12-05-2023 reviewed").is_empty());
    }

    #[test]
    fn spoken_view_groups() {
        let d = KeyedDetector::new();
        assert_eq!(
            found_spoken(&d, "my member id is W4821 99 ok"),
            vec![f(PhiType::HealthPlanId, "W4821 99")]
        );
    }

    #[test]
    fn value_in_the_answer_to_a_question() {
        assert_eq!(
            keyed("agent: Can you read me the account number on the statement?\ncaller: 48766883."),
            vec![f(PhiType::AccountNumber, "48766883")]
        );
        assert_eq!(
            keyed("[agent] do you have your mrn handy?\n[caller] yeah it's j4648587."),
            vec![f(PhiType::Mrn, "j4648587")]
        );
        assert_eq!(
            keyed("Sure, what's the member ID on the card? It's 3DQ8VR6KC02. Thanks"),
            vec![f(PhiType::HealthPlanId, "3DQ8VR6KC02")]
        );
        let d = KeyedDetector::new();
        // A sentence end, or too many words, between the question and the number.
        assert_none(&d, "Do you have your MRN handy?\nCaller: No, sorry. 2 minutes 12345678");
        assert_none(
            &d,
            "Is that on your account? I paid it when I was there last week for the 12345678",
        );
        // The phrase is not in the question.
        assert_none(&d, "Check the account. Is it due? Yes 12345678");
        // The phrase nearest the question mark names the answer.
        assert_eq!(
            found_spoken(&d, "And the subscriber's social security number? 560 58 0106. ok"),
            vec![f(PhiType::Ssn, "560 58 0106")]
        );
    }

    #[test]
    fn pager() {
        assert_eq!(keyed("Pager #54321 Time"), vec![f(PhiType::Phone, "54321")]);
        assert_eq!(keyed("beeper number 55037 for"), vec![f(PhiType::Phone, "55037")]);
        assert_eq!(keyed("PG 33445"), vec![f(PhiType::Phone, "33445")]);
        assert!(keyed("5 pg 33445").is_empty());
        assert_eq!(
            keyed("Please page me at 4-1234 with results"),
            vec![f(PhiType::Phone, "4-1234")]
        );
        assert_eq!(keyed("or page her at 41234."), vec![f(PhiType::Phone, "41234")]);
        assert!(keyed("see page 2 of 3").is_empty());
        assert!(keyed("page me at 3 pm").is_empty());
        assert!(keyed("page me if HR above 120").is_empty());
    }

    #[test]
    fn partial_ssn_and_account() {
        assert_eq!(keyed("last four of my social is 6789"), vec![f(PhiType::Ssn, "6789")]);
        assert_eq!(keyed("SSN last 4 digits 6789"), vec![f(PhiType::Ssn, "6789")]);
        assert_eq!(keyed("My SSN ends in 4417 if"), vec![f(PhiType::Ssn, "4417")]);
        assert_eq!(keyed("social ending with 4417."), vec![f(PhiType::Ssn, "4417")]);
        assert!(keyed("my social is 4417").is_empty());
        assert!(keyed("social history 1984").is_empty());
        assert!(keyed("social worker 5555").is_empty());
        assert_eq!(keyed("account ending in 4471"), vec![f(PhiType::AccountNumber, "4471")]);
    }

    #[test]
    fn values_that_are_not_ids() {
        let d = KeyedDetector::new();
        for t in [
            "MRN reviewed",
            "per chart, BP 120/80",
            "chart 12/05/2023",
            "account for 3 days",
            "glucose 105 mg/dL 12345",
            "policy 2.5 mg",
            "member ID pending",
            "MRN 12%",
            "chart 10:30",
            "claim 1.5",
            "ID consult today",
            "serial 500 mg",
            "acct 1,250.00",
            "Na 140 (ref 135-145)",
            "DL 50-60",
            "chart 2023-12-05",
            "claim 12-05-2023",
            "claim 2019",
        ] {
            assert_none(&d, t);
        }
    }

    #[test]
    fn phrase_far_before_value_and_many_windows() {
        let filler = "x ".repeat(60);
        let t =
            format!("{filler}member id {filler} 7 then member id XJH123456789 and MRN 00123456");
        assert_eq!(
            keyed(&t),
            vec![f(PhiType::HealthPlanId, "XJH123456789"), f(PhiType::Mrn, "00123456")]
        );
        let long = "medical record number is ".to_string() + "00123456";
        assert_eq!(keyed(&long), vec![f(PhiType::Mrn, "00123456")]);
    }

    #[test]
    fn word_boundaries() {
        let d = KeyedDetector::new();
        assert_none(&d, "ADLs 12345");
        assert_none(&d, "transvin 1HGCM82633A004352");
        assert_none(&d, "grouping 123456");
    }
}

//! Telephone and fax numbers.
//!
//! - North American numbers: `(212) 555-0147`, `212-555-0147`, `212.555.0147`, `+1 212 555 0147`,
//!   `1-800-555-0199`, `2125550147`. Area code and exchange follow NANP (`NXX`, no `N11`).
//!   Consistent dash/dot/parenthesis layouts score high alone; space-separated groups and bare
//!   10-digit runs need a phone word nearby ("call me at", "cell", "phone" ...). An extension
//!   ("ext 123", "x123") is never part of the span.
//! - Seven-digit local numbers (`555-0147`) only with a phone word.
//! - International numbers with `+` or `00` and 8–15 digits (`+44 7700 900123`,
//!   `+46 (0)8 928 571 38`).
//!
//! A number whose nearest preceding phone word is "fax" (or that is followed by "(fax)") becomes
//! FAX. Pager and beeper numbers are found by the keyed detector.

use regex::Regex;
use std::sync::LazyLock;

use super::{
    answered_question, digit_clusters, has_word, is_alnum, left_free, negative_before, right_free,
    unit_follows, Cluster, Window,
};
use crate::detector::{Detector, Doc, Span};
use crate::phi::validators::{self, Digits};
use crate::types::PhiType;

/// One pass finds every layout; the alternatives are told apart by which groups matched.
static PHONE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?x-u)
        (?P<cc>\+1[\ .-]?|\b1[\ .-])?
        (?:
            \((?P<pa>[0-9]{3})\)\ ?(?P<pe>[0-9]{3})[\ .-]?(?P<pl>[0-9]{4})
          | (?P<a>[0-9]{3})(?P<s1>[\ ./-]?)(?P<e>[0-9]{3})(?P<s2>[\ .-]?)(?P<l>[0-9]{4})
        )
        |
        (?P<intl>(?:\+|\b00)[1-9][0-9]{0,2}(?:[\ .-]?\(0\))?(?:[\ .-]?[0-9]{1,5}){2,6})
        |
        (?P<le>[0-9]{3})[.-](?P<ll>[0-9]{4})
        ",
    )
    .ok()
});

/// Words that make a digit group a phone number.
pub(crate) const PHONE_CONTEXT: &[&str] = &[
    "phone",
    "ph",
    "tel",
    "telephone",
    "call",
    "called",
    "calling",
    "call me",
    "cell",
    "cellphone",
    "mobile",
    "home",
    "work",
    "office",
    "contact",
    "reach",
    "reached",
    "number",
    "text",
    "texted",
    "voicemail",
    "vm",
    "landline",
    "line",
    "ahold",
    "callback",
    "ring",
    "daytime",
    "evening",
    "pager",
    "beeper",
    "dial",
    "hotline",
    "whatsapp",
    "fax",
    "facsimile",
    "h",
    "w",
    "c",
    "m",
];

/// How far before a number phone words are looked for, in bytes.
const BEFORE: usize = 40;

/// Phone words that license a number of any layout right before it (no one-letter labels, no
/// "number", "home" or "work": too common before other figures).
const GENERIC_BEFORE: &[&str] = &[
    "phone",
    "telephone",
    "tel",
    "ph",
    "call",
    "call me on",
    "call me at",
    "calling",
    "cell",
    "cellphone",
    "mobile",
    "fax",
    "reach",
    "reached",
    "contact",
    "whatsapp",
    "landline",
    "dial",
    "pager",
    "beeper",
];

/// Phone words that label the number before them ("655 437 108 office", "3660170548-Fax").
const GENERIC_AFTER: &[&str] =
    &["office", "fax", "mobile", "cell", "home", "work", "phone", "tel", "landline", "pager"];

/// Words that make a nearby number a fax number.
const FAX_CONTEXT: &[&str] = &["fax", "faxed", "facsimile", "telefax", "fx"];

/// Words that make a number something other than a phone number.
const PHONE_NEGATIVE: &[&str] = &[
    "mrn", "account", "acct", "order", "ndc", "lot", "icd", "cpt", "claim", "member", "policy",
    "routing", "invoice", "serial", "npi", "dea", "ssn", "social", "isbn", "pmid", "doi",
];

/// Finds phone and fax numbers.
#[derive(Debug, Default)]
pub struct PhoneDetector;

impl PhoneDetector {
    /// Look for this family's shapes inside one digit cluster.
    pub(super) fn scan_cluster(&self, doc: &Doc<'_>, c: Cluster, out: &mut Vec<Span>) {
        if c.digits < 7 {
            return;
        }

        let Some(re) = PHONE_RE.as_ref() else { return };
        let text = doc.text;
        let bytes = text.as_bytes();

        let Some(slice) = text.get(c.start..c.end) else { return };
        let mut found_any = false;
        for caps in re.captures_iter(slice) {
            let Some(m) = caps.get(0) else { continue };
            let (start, end) = (c.start + m.start(), c.start + m.end());
            let layout = if caps.name("intl").is_some() {
                let n = Digits::of(m.as_str()).map_or(0, |d| d.len());
                // "00" dialling prefix: demand a full number after it so NDC codes
                // ("0069-0105-01") do not pass.
                let min = if m.as_str().starts_with("00") { 12 } else { 8 };
                if !(min..=15).contains(&n) {
                    continue;
                }
                Layout::International
            } else if let (Some(a), Some(e)) = (caps.name("pa"), caps.name("pe")) {
                if !validators::nanp_valid(a.as_str().as_bytes(), e.as_str().as_bytes()) {
                    Layout::OffPlan
                } else {
                    Layout::Strong
                }
            } else if let (Some(a), Some(e), Some(s1), Some(s2)) =
                (caps.name("a"), caps.name("e"), caps.name("s1"), caps.name("s2"))
            {
                let is_nanp = validators::nanp_valid(a.as_str().as_bytes(), e.as_str().as_bytes());
                let has_cc = caps.name("cc").is_some();
                match (s1.as_str(), s2.as_str()) {
                    ("-", "-") | (".", ".") if !is_nanp => Layout::OffPlan,
                    ("-", "-") | (".", ".") | (" ", " ") | ("", "")
                        if !is_nanp
                            && caps.name("cc").is_some_and(|c| c.as_str().starts_with('+')) =>
                    {
                        Layout::OffPlan
                    }
                    _ if !is_nanp => continue,
                    ("-", "-") | (".", ".") => Layout::Strong,
                    (" ", " ") if has_cc => Layout::Strong,
                    ("", "") if caps.name("cc").is_some_and(|c| c.as_str().starts_with('+')) => {
                        Layout::Strong
                    }
                    (" ", " ") => Layout::Spaced,
                    (" ", "-") | (" ", ".") | ("-", " ") | ("/", "-") => Layout::Mixed,
                    ("", "") | ("", "-") => Layout::Bare,
                    _ => continue,
                }
            } else if let Some(e) = caps.name("le") {
                if !validators::nanp_valid(b"212", e.as_str().as_bytes()) {
                    continue;
                }
                Layout::Local
            } else {
                continue;
            };
            if !left_free(bytes, start)
                || !(right_free(bytes, end) || extension_follows(bytes, end))
            {
                continue;
            }
            if unit_follows(text, end) || negative_before(text, start) {
                continue;
            }
            let bw = Window::new(doc.before(start, BEFORE));
            let mut score = score(doc, &bw, start, end, layout);
            // "my old number was 937 555 0110 but the new one is 937 555 0199": a second number
            // in the clause that gave one is a phone number too.
            if follows_phone_in_clause(text, out, start) {
                score = score.max(0.8);
            }
            let kind = if is_fax(doc, &bw, end) { PhiType::Fax } else { PhiType::Phone };
            out.push(Span::new(start, end, kind, score, self.name()));
            found_any = true;
        }
        if !found_any {
            self.scan_generic(doc, c, out);
        }
    }

    /// Numbers in other national layouts ("07700 063 966", "(64) 3591-3246", "28-64-66-98")
    /// have no shape to check: take the whole cluster when a phone word comes right before it
    /// ("call me on") or right after it ("… office", "…-Fax").
    fn scan_generic(&self, doc: &Doc<'_>, c: Cluster, out: &mut Vec<Span>) {
        let text = doc.text;
        let bytes = text.as_bytes();
        let (start, end) = (c.start, c.end);
        let Some(run) = bytes.get(start..end) else { return };
        // Spoken views keep the pauses a speaker makes between digit groups as commas
        // ("555, 212, 9876").
        let seps_ok = run.iter().all(|&b| {
            b.is_ascii_digit()
                || matches!(b, b' ' | b'-' | b'.' | b'(' | b')' | b'+')
                || (b == b',' && doc.is_spoken_view)
        });
        if !(7..=15).contains(&c.digits)
            || !seps_ok
            || !left_free(bytes, start)
            || !right_free(bytes, end)
        {
            return;
        }
        // Decimal numbers ("1234.5678") are not phone numbers.
        let groups = run.split(|b| !b.is_ascii_digit()).filter(|g| !g.is_empty()).count();
        if groups == 2 && run.contains(&b'.') {
            return;
        }
        if unit_follows(text, end) || negative_before(text, start) {
            return;
        }
        let after = doc.after(end, 12);
        let after_word = after.trim_start_matches([' ', '-', '(', ',', '\\']);
        let word_end =
            after_word.find(|ch: char| !ch.is_ascii_alphabetic()).unwrap_or(after_word.len());
        let next = after_word.get(..word_end).unwrap_or("");
        let is_after = GENERIC_AFTER.iter().any(|w| w.eq_ignore_ascii_case(next));
        let bw = Window::new(doc.before(start, BEFORE));
        let has_ctx = is_after
            || bw.has_from(GENERIC_BEFORE, bw.len().saturating_sub(24))
            || asked_for_phone(doc, start);
        // Spoken "415, 223, 8890" with no phone word: the 3-3-4 rhythm and the numbering plan
        // say phone, as for the spaced layout in `score`.
        let is_spoken_nanp = doc.is_spoken_view
            && spoken_nanp_groups(run)
            && !bw.has_from(PHONE_NEGATIVE, bw.len().saturating_sub(24))
            && !is_counted(next);
        if !has_ctx && !is_spoken_nanp {
            return;
        }
        let kind = if next.eq_ignore_ascii_case("fax") || is_fax(doc, &bw, end) {
            PhiType::Fax
        } else {
            PhiType::Phone
        };
        let score = if has_ctx { 0.7 } else { 0.55 };
        out.push(Span::new(start, end, kind, score, self.name()));
    }
}

/// Layout classes, from most to least phone-like.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    /// `(212) 555-0147`, `212-555-0147`, `212.555.0147`, `+1 212 555 0147`.
    Strong,
    /// `212 555-0147` (mixed space and dash).
    Mixed,
    /// `212 555 0147`.
    Spaced,
    /// `2125550147`, `212555-0147`.
    Bare,
    /// `555-0147`.
    Local,
    /// A strong layout outside the numbering plan (`410-164-4517`, exchange starting with 1):
    /// surrogate and mistyped numbers; taken only with a phone word.
    OffPlan,
    /// `+44 7700 900123`.
    International,
}

impl Detector for PhoneDetector {
    fn name(&self) -> &'static str {
        "phone"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        for c in digit_clusters(doc.text) {
            self.scan_cluster(doc, c, out);
        }
        self.scan_area_code_then(doc, out);
    }
}

/// An area code, a connective and the rest of the number, as callers say it (session 18): "area
/// code 937, then 555-0142", "nine three seven, then five five five, zero one four two" (in the
/// spoken view "937, then 555, 0142").
static AREA_THEN_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i-u)\b(?P<a>[0-9]{3}),?[\ ]+(?:and[\ ]+then|then|and|followed[\ ]+by)[\ ]+(?P<e>[0-9]{3})(?:,?[\ ]|[.-])?(?P<l>[0-9]{4})\b",
    )
    .ok()
});

impl PhoneDetector {
    /// [`AREA_THEN_RE`] with a phone word or "area code" before it, inside the numbering plan.
    pub(super) fn scan_area_code_then(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let text = doc.text;
        if !text.contains("then") && !text.contains("and") && !text.contains("followed") {
            return;
        }
        let Some(re) = AREA_THEN_RE.as_ref() else { return };
        for caps in re.captures_iter(text) {
            let (Some(m), Some(a), Some(e)) = (caps.get(0), caps.name("a"), caps.name("e")) else {
                continue;
            };
            if !validators::nanp_valid(a.as_str().as_bytes(), e.as_str().as_bytes()) {
                continue;
            }
            let bw = Window::new(doc.before(m.start(), BEFORE));
            let area_code = bw.has(&["area code"]);
            if !(area_code || bw.has(PHONE_CONTEXT) || asked_for_phone(doc, m.start())) {
                continue;
            }
            let kind = if is_fax(doc, &bw, m.end()) { PhiType::Fax } else { PhiType::Phone };
            out.push(Span::new(m.start(), m.end(), kind, 0.8, self.name()));
        }
    }
}

/// True when the last finding is a phone or fax number ending at most 48 bytes before `start`,
/// with no sentence end between (session 19).
fn follows_phone_in_clause(text: &str, out: &[Span], start: usize) -> bool {
    let Some(prev) = out.last() else { return false };
    if !matches!(prev.kind, PhiType::Phone | PhiType::Fax) || prev.score < 0.5 {
        return false;
    }
    prev.end <= start
        && start - prev.end <= 48
        && text.get(prev.end..start).is_some_and(|gap| !gap.contains(['.', '?', '!', '\n', ';']))
}

/// True when a glued extension follows ("…-9740x11144"): the number ends here and the
/// extension stays out of the span.
fn extension_follows(bytes: &[u8], end: usize) -> bool {
    matches!(bytes.get(end), Some(b'x' | b'X'))
        && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
}

/// Where the text after a number resumes: past a glued extension ("…-9740x11144 mobile"), which
/// stays out of the span but must not hide the label after it.
fn past_extension(bytes: &[u8], end: usize) -> usize {
    if !extension_follows(bytes, end) {
        return end;
    }
    let digits =
        bytes.get(end + 1..).map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count());
    end + 1 + digits
}

/// The word labelling a number from the right ("… office", "…-Fax", "… (mobile)", also after
/// a glued extension), or "".
fn label_after<'a>(doc: &Doc<'a>, end: usize) -> &'a str {
    let after = doc.after(past_extension(doc.text.as_bytes(), end), 14);
    let w = after.trim_start_matches([' ', '-', '(', ',', '\\']);
    let word_end = w.find(|ch: char| !ch.is_ascii_alphabetic()).unwrap_or(w.len());
    w.get(..word_end).unwrap_or("")
}

/// Whether the label word after a number introduces the next number ("Fax: 212-555-0147, phone
/// 212-555-0148") rather than labelling this one ("212-555-0147 phone").
fn label_introduces_a_number(doc: &Doc<'_>, end: usize, label: &str) -> bool {
    let after = doc.after(past_extension(doc.text.as_bytes(), end), 32);
    let w = after.trim_start_matches([' ', '-', '(', ',', '\\']);
    let rest = w.get(label.len()..).unwrap_or("").trim_start_matches([' ', ':', '#', ')', '.']);
    rest.starts_with(|c: char| c.is_ascii_digit() || c == '(' || c == '+')
}

/// Score from layout and context.
fn score(doc: &Doc<'_>, bw: &Window<'_>, start: usize, end: usize, layout: Layout) -> f32 {
    let after = doc.after(past_extension(doc.text.as_bytes(), end), 16);
    let label = label_after(doc, end);
    let has_ctx = bw.has(PHONE_CONTEXT)
        || asked_for_phone(doc, start)
        || has_word(after, FAX_CONTEXT)
        || GENERIC_AFTER.iter().any(|w| w.eq_ignore_ascii_case(label))
        || in_contact_block(doc, start, end);
    let has_neg = bw.has_from(PHONE_NEGATIVE, bw.len().saturating_sub(24));
    let (base, with_ctx): (f32, f32) = match layout {
        Layout::Strong => (0.85, 0.95),
        Layout::Mixed => (0.7, 0.9),
        Layout::International => (0.75, 0.9),
        // A caller reading ten digits out in the 3-3-4 rhythm of a phone number, or in one
        // breath, with no other kind of number named nearby: the numbering-plan check (area
        // code and exchange NXX, no N11) already passed, and whatever identifier it is must be
        // hidden, so it is reported as PHONE at a modest score ("the best way to get ahold of me
        // is four one five, two two three, ...").
        Layout::Spaced if doc.is_spoken_view => (0.55, 0.85),
        Layout::Spaced => (0.45, 0.85),
        Layout::Bare if doc.is_spoken_view => (0.55, 0.8),
        Layout::Bare => (0.3, 0.75),
        Layout::Local => (0.3, 0.7),
        Layout::OffPlan => (0.35, 0.7),
    };
    if has_ctx {
        with_ctx
    } else if has_neg || (doc.is_spoken_view && is_counted(label)) {
        base.min(0.3)
    } else {
        base
    }
}

/// A signature or contact line: the number sits between separators ("Ana Ruiz | 404 555 0171 |
/// ana@example.com", "• 404 555 0171") or next to an e-mail address on the same line. Such a
/// line lists ways to reach a person, so a spaced number there is a phone number.
fn in_contact_block(doc: &Doc<'_>, start: usize, end: usize) -> bool {
    const SEPARATORS: [char; 3] = ['|', '•', '·'];
    let line_before = doc.before(start, 60).rsplit('\n').next().unwrap_or("");
    let line_after = doc.after(end, 60).split('\n').next().unwrap_or("");
    line_before.trim_end().ends_with(SEPARATORS)
        || line_after.trim_start().starts_with(SEPARATORS)
        || has_email(line_before)
        || has_email(line_after)
}

/// An e-mail-like token: a letter or digit, '@', then a dot later in the same word.
fn has_email(s: &str) -> bool {
    s.match_indices('@').any(|(i, _)| {
        let before_ok =
            s.get(..i).and_then(|h| h.chars().last()).is_some_and(char::is_alphanumeric);
        let word = s.get(i + 1..).unwrap_or("").split(char::is_whitespace).next().unwrap_or("");
        before_ok && word.trim_end_matches(['.', ',', ';', ')', '|']).contains('.')
    })
}

/// Digit groups of 3, 3 and 4 forming a number in the North American numbering plan.
fn spoken_nanp_groups(run: &[u8]) -> bool {
    let groups: Vec<&[u8]> = run.split(|b| !b.is_ascii_digit()).filter(|g| !g.is_empty()).collect();
    match groups.as_slice() {
        [a, e, l] if a.len() == 3 && e.len() == 3 && l.len() == 4 => validators::nanp_valid(a, e),
        // The last four read as two pairs: "..., zero one, eighty eight" (session 19).
        [a, e, l1, l2] if a.len() == 3 && e.len() == 3 && l1.len() == 2 && l2.len() == 2 => {
            validators::nanp_valid(a, e)
        }
        _ => false,
    }
}

/// A noun after the number says it counts something ("555 212 9876 steps"), which only matters
/// for numbers taken without a phone word.
fn is_counted(next_word: &str) -> bool {
    const COUNTED: &[&str] = &[
        "steps", "times", "people", "dollars", "bucks", "cents", "miles", "pills", "tablets",
        "units", "calories", "days", "years", "hours", "minutes", "seconds", "feet", "pounds",
        "copies", "points", "visits", "claims", "patients", "members", "cases", "items",
    ];
    COUNTED.iter().any(|w| w.eq_ignore_ascii_case(next_word))
}

/// Words in a question that ask for a phone number ("What's the best number to reach you?",
/// "And an emergency contact?").
const QUESTION_PHONE: &[&str] = &[
    "phone",
    "telephone",
    "cell",
    "cellphone",
    "mobile",
    "number",
    "call",
    "callback",
    "reach",
    "contact",
    "landline",
    "fax",
    "pager",
];

/// Words in a question that ask for some other number.
const QUESTION_NOT_PHONE: &[&str] = &[
    "mrn",
    "record",
    "chart",
    "account",
    "acct",
    "member",
    "policy",
    "group",
    "claim",
    "social",
    "ssn",
    "zip",
    "birth",
    "dob",
    "confirmation",
    "reference",
    "order",
    "tracking",
    "license",
    "id",
    "card",
    "routing",
    "serial",
    "insurance",
    "plan",
];

/// True when the number answers a question asking for a phone number.
fn asked_for_phone(doc: &Doc<'_>, start: usize) -> bool {
    answered_question(doc.text, start).is_some_and(|q| {
        let w = Window::new(q);
        w.has(QUESTION_PHONE) && !w.has(QUESTION_NOT_PHONE)
    })
}

/// True when the nearest phone word before the number is a fax word, or "fax" follows closely
/// ("555-212-9876 (fax)").
fn is_fax(doc: &Doc<'_>, bw: &Window<'_>, end: usize) -> bool {
    // A phone label right after the number is its own ("... fax\n(978) 645-9740 mobile"): the
    // fax word before it labelled the previous number.
    let label = label_after(doc, end);
    if ["mobile", "cell", "office", "home", "work", "phone", "tel", "landline", "pager"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(label))
        && !label_introduces_a_number(doc, end, label)
    {
        return false;
    }
    let from = bw.len().saturating_sub(32);
    let last = |words: &[&str]| bw.last(words, from);
    let fax_at = last(FAX_CONTEXT);
    let phone_at = last(&["phone", "ph", "tel", "telephone", "cell", "mobile", "call", "pager"]);
    match (fax_at, phone_at) {
        (Some(f), Some(p)) => f > p,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => {
            // Only "(fax)", " fax" or ", fax" right after the number and not introducing the
            // next number ("..., fax 212-555-0148").
            let after = doc.after(past_extension(doc.text.as_bytes(), end), 16);
            let w = after.trim_start_matches([' ', '(', ',', '-']);
            let is_fax_word = w.get(..3).is_some_and(|f| f.eq_ignore_ascii_case("fax"))
                && !w.as_bytes().get(3).is_some_and(|&b| is_alnum(b));
            let rest = w.get(3..).unwrap_or("").trim_start_matches([' ', ':', '#', ')']);
            is_fax_word
                && !rest.as_bytes().first().is_some_and(|b| b.is_ascii_digit() || *b == b'(')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_none, found, found_spoken};
    use super::*;

    #[test]
    fn regex_compiles() {
        assert!(PHONE_RE.is_some());
    }

    fn phones(text: &str) -> Vec<(PhiType, String)> {
        found(&PhoneDetector, text)
    }

    fn p(s: &str) -> (PhiType, String) {
        (PhiType::Phone, s.to_string())
    }

    #[test]
    fn a_label_after_a_glued_extension_is_the_numbers_own() {
        // Session 20, from the presidio-research generated_large dev split: the extension hid
        // the label, so the fax word labelled the next number.
        assert_eq!(
            found(&PhoneDetector, "877-547-3967x793 fax\n(044)688-7538x8775 mobile"),
            vec![(PhiType::Fax, "877-547-3967".to_string()), p("(044)688-7538")]
        );
        assert_eq!(
            found(&PhoneDetector, "Fax: 212-555-0147x12, phone 212-555-0148"),
            vec![(PhiType::Fax, "212-555-0147".to_string()), p("212-555-0148")]
        );
        // The same without the extension: "phone" introduces the next number.
        assert_eq!(
            found(&PhoneDetector, "Fax: 212-555-0147, phone 212-555-0148"),
            vec![(PhiType::Fax, "212-555-0147".to_string()), p("212-555-0148")]
        );
    }

    #[test]
    fn label_after_overrides_an_earlier_fax_word() {
        assert_eq!(
            found(&PhoneDetector, "166-684-7899 fax\n(978) 645-9740 mobile"),
            vec![(PhiType::Fax, "166-684-7899".to_string()), p("(978) 645-9740")]
        );
        assert_eq!(
            found(&PhoneDetector, "fax: 212-555-0147"),
            vec![(PhiType::Fax, "212-555-0147".to_string())]
        );
    }

    #[test]
    fn a_second_number_in_the_clause_that_gave_one() {
        assert_eq!(
            phones("my old number was 937 555 0110 but the new one is 937 555 0199"),
            vec![p("937 555 0110"), p("937 555 0199")]
        );
        // A sentence end between: the second figure needs its own evidence.
        assert_eq!(
            phones("please call 937 555 0110. We shipped all of them: 937 555 0199"),
            vec![p("937 555 0110")]
        );
    }

    #[test]
    fn spaced_numbers_in_a_contact_line() {
        assert_eq!(
            phones("Sent from my iPhone. Ana Ruiz | 404 555 0171 | ana.ruiz@example.com"),
            vec![p("404 555 0171")]
        );
        assert_eq!(phones("Ana Ruiz  404 555 0171  ana.ruiz@example.com"), vec![p("404 555 0171")]);
        assert_eq!(phones("• 404 555 0171"), vec![p("404 555 0171")]);
        // Without a separator or an address on the line, a spaced number needs a phone word.
        assert_none(&PhoneDetector, "Ana Ruiz 404 555 0171");
        assert_none(&PhoneDetector, "Reply to ana.ruiz@example.com\nTotal 404 555 0171");
        assert_none(&PhoneDetector, "@ 404 555 0171 units");
        assert!(!has_email("me@home"));
        assert!(has_email("write to me@home.org."));
    }

    #[test]
    fn answer_to_a_phone_question() {
        let t = "agent: And a phone number in case we get disconnected?\ncaller: Sure, it's ";
        assert_eq!(phones(&format!("{t}382 294 2240.")), vec![p("382 294 2240")]);
        assert_eq!(
            phones(
                "[agent] And an emergency contact?\n[caller] That's Guadalupe Ramirez, 7727438895."
            ),
            vec![p("7727438895")]
        );
        assert_eq!(phones(&format!("{t}612 629 05 52.")), vec![p("612 629 05 52")]);
        // Other questions, or a sentence between question and number.
        assert_none(
            &PhoneDetector,
            "What number should we use for your zip code these days?\nPatient: 382 294 2240.",
        );
        assert_none(&PhoneDetector, "Any phone? No. We gave 382 294 2240 units");
        assert_none(
            &PhoneDetector,
            "Your phone? Yes. But I use the other one mostly now 382 294 2240",
        );
    }

    #[test]
    fn us_layouts() {
        assert_eq!(phones("reach (212) 555-0147 today"), vec![p("(212) 555-0147")]);
        assert_eq!(phones("son 410-322-1419, daughter"), vec![p("410-322-1419")]);
        assert_eq!(phones("930.267.3943"), vec![p("930.267.3943")]);
        assert!(phones("930.167.3943").is_empty(), "exchange starts with 1");
        assert_eq!(phones("+1-984-282-0190"), vec![p("+1-984-282-0190")]);
        assert_eq!(phones("call 1-800-555-0199"), vec![p("1-800-555-0199")]);
        assert_eq!(phones("(579)888-3058"), vec![p("(579)888-3058")]);
        assert_eq!(phones("DAUGHTER---301 944-5032 &"), vec![p("301 944-5032")]);
        assert_eq!(phones("+1 212 555 0147"), vec![p("+1 212 555 0147")]);
        assert_eq!(phones("tel 212/555-0147"), vec![p("212/555-0147")]);
        assert!(phones("ratio 212/555/0147").is_empty());
    }

    #[test]
    fn extension_excluded() {
        assert_eq!(phones("office 212-555-0147 ext 123"), vec![p("212-555-0147")]);
        assert_eq!(phones("office 212-555-0147 x4471"), vec![p("212-555-0147")]);
        assert_eq!(phones("(978)645-9740x11144"), vec![p("(978)645-9740")]);
        assert!(phones("212-555-0147xyz").is_empty());
    }

    #[test]
    fn weak_layouts_need_context() {
        assert!(phones("2125550147").is_empty());
        assert_eq!(phones("cell 2125550147"), vec![p("2125550147")]);
        assert!(phones("counted 555 212 9876").is_empty());
        assert_eq!(phones("call me at 555 212 9876"), vec![p("555 212 9876")]);
        assert!(phones("about 555-0147").is_empty());
        assert_eq!(phones("phone: 555-0147"), vec![p("555-0147")]);
    }

    #[test]
    fn spoken_view_groups() {
        let d = PhoneDetector;
        assert_eq!(found_spoken(&d, "call me at 555 212 9876 please"), vec![p("555 212 9876")]);
        // Session 19: the last four read as two pairs.
        assert_eq!(found_spoken(&d, "her number is 513, 555, 01, 88"), vec![p("513, 555, 01, 88")]);
        assert_eq!(found_spoken(&d, "my cell is 5552129876"), vec![p("5552129876")]);
        assert_eq!(
            found_spoken(&d, "the fax number is 555 212 9876"),
            vec![(PhiType::Fax, "555 212 9876".to_string())]
        );
        assert!(found_spoken(&d, "i walked 555 212 9876 steps").is_empty());
        assert_eq!(found_spoken(&d, "call me at 555, 212, 9876."), vec![p("555, 212, 9876")]);
        // Ten digits read out with no phone word: still a phone number, unless another kind
        // of number is named.
        assert_eq!(
            found_spoken(&d, "the best way is 415, 223, 8890 ok"),
            vec![p("415, 223, 8890")]
        );
        assert_eq!(found_spoken(&d, "it's 4152238890"), vec![p("4152238890")]);
        assert!(found_spoken(&d, "my member id is 4152238890").is_empty());
        assert!(found_spoken(&d, "account 415 223 8890").is_empty());
        assert!(found_spoken(&d, "it's 415 123 8890").is_empty(), "exchange 1XX is off plan");
        assert!(phones("call me at 555, 212, 9876.").is_empty(), "commas only on spoken views");
        // Session 18: an area code, "then", and the rest.
        assert_eq!(
            found_spoken(&d, "my number is area code 937, then 555, 0142"),
            vec![p("937, then 555, 0142")]
        );
        // (The local number is found too; the scanner keeps the longer span.)
        assert!(phones("call me at 937 and then 555-0142").contains(&p("937 and then 555-0142")));
        assert!(phones("I take 250 and then 500 1000 mg").is_empty());
        assert!(phones("room 412, then 555-0142 steps").is_empty());
    }

    #[test]
    fn international() {
        assert_eq!(phones("+44 7700 900123"), vec![p("+44 7700 900123")]);
        assert_eq!(phones("+46 (0)8 928 571 38"), vec![p("+46 (0)8 928 571 38")]);
        assert_eq!(phones("001-518-640-0854"), vec![p("001-518-640-0854")]);
        assert!(phones("+1 2").is_empty());
    }

    #[test]
    fn other_layouts_with_phone_words() {
        assert_eq!(phones("Can someone call me on 9472 7916? I"), vec![p("9472 7916")]);
        assert_eq!(phones("call me on (64) 3591-3246?"), vec![p("(64) 3591-3246")]);
        assert_eq!(phones("655 437 108 office"), vec![p("655 437 108")]);
        assert_eq!(
            phones("085 175 7641-Office\\,3660170548-Fax"),
            vec![p("085 175 7641"), (PhiType::Fax, "3660170548".into())]
        );
        assert!(phones("655 437 108 cells").is_empty());
        assert!(phones("weight 1234.5678 phone").is_empty());
    }

    #[test]
    fn off_plan_numbers_need_a_phone_word() {
        assert!(phones("ref 410-164-4517").is_empty());
        assert_eq!(phones("Office 410-164-4517"), vec![p("410-164-4517")]);
        assert_eq!(phones("work# 888-130-8121 ask"), vec![p("888-130-8121")]);
        assert_eq!(phones("+1-984-182-0190 mobile"), vec![p("+1-984-182-0190")]);
    }

    #[test]
    fn fax() {
        let f = phones("Phone 212-555-0147, Fax 212-555-0148");
        assert_eq!(f, vec![p("212-555-0147"), (PhiType::Fax, "212-555-0148".into())]);
        assert_eq!(phones("212-555-0148 (fax)"), vec![(PhiType::Fax, "212-555-0148".into())]);
        assert_eq!(phones("fax to 2125550148"), vec![(PhiType::Fax, "2125550148".into())]);
    }

    #[test]
    fn nanp_rules() {
        let d = PhoneDetector;
        assert_none(&d, "012-555-0147");
        assert_none(&d, "212-155-0147");
        assert_none(&d, "411-555-0147");
        assert_none(&d, "(112) 555-0147");
    }

    #[test]
    fn not_phi() {
        let d = PhoneDetector;
        for t in [
            "500 mg daily",
            "0.5 mL",
            "BP 120/80, HR 72, SpO2 98%",
            "K 4.2 Hgb 13.5",
            "at 10:30 and 8 30 pm",
            "E11.9 I10",
            "CPT 99213",
            "NDC 0002-3227-30",
            "$1,250.00",
            "room 412 ext. 4471",
            "version 1.2.3",
            "on 12/05/2023 and 2023-12-05",
            "MRN 555-212-9876",
            "3.555-212-9876",
            "555-212-98765",
            "counted 300 cells",
        ] {
            assert_none(&d, t);
        }
    }
}

//! EMPLOYER recognizer: the organisation a person works for, when the text says so.
//!
//! Evidence:
//! 1. Work context: "I work at/for X", "works at X", "employed by X", "Employer: X", "retired from
//!    X", "calling from X". The name after it is taken as written: capitalised tokens in mixed-case
//!    text, and in lowercase or ALL CAPS text a short run of tokens that holds at least one
//!    non-dictionary token ("walmart", "kroger"), a company suffix, or a known employer whose name
//!    is made of words ("target", "home depot"). Generic places ("at home", "for a bank", "at the
//!    post office") are not employers.
//! 2. A company suffix alone: "Acme Widgets Inc.", "Foo Bar LLC" (capitalised tokens before Inc,
//!    LLC, Corp, Co., Company, Ltd, PLC, LLP, GmbH) scores just above the threshold.
//!
//! Hospitals and clinics are the patient's place of care far more often than an employer, so a
//! "Hospital" or "Medical Center" name counts only after a work context ("she works at Mercy
//! Hospital"); alone it is left to the address/location family.

use super::context::{is_closed, is_company_suffix};
use super::tokens::{CaseMode, Shape, Tokens};
use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

/// Most tokens in one employer name.
const MAX_ORG_TOKENS: usize = 6;

/// The EMPLOYER recognizer.
#[derive(Debug, Default, Clone, Copy)]
pub struct EmployerDetector;

impl Detector for EmployerDetector {
    fn name(&self) -> &'static str {
        "employer"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = Tokens::new(doc.text);
        detect_tokens(doc.text, &t, out);
    }
}

/// Push EMPLOYER spans for `text`, already tokenized as `t`.
pub(crate) fn detect_tokens(text: &str, t: &Tokens, out: &mut Vec<Span>) {
    for i in 0..t.len() {
        if let Some(start) = work_trigger(t, i) {
            // Asked just before, or stated as "my job is at": plain words can name it.
            let explicit = employer_asked(t, i)
                || t.ends_with_words(i, &["job", "is", t.low(i)])
                || matches!(t.low(i), "employer" | "employment" | "be")
                || t.get(i + 1).is_some_and(|x| x.gap.has_comma)
                || (t.low(i) == "is"
                    && !is_state_word(t.low(i + 1))
                    && !t.ends_with_words(i, &["my", "work", "is"]));
            if let Some((a, b, score)) = org_after(t, start, explicit, true) {
                // "been with X" is a relationship and "been at X" a visit, unless a duration
                // follows ("for ten years").
                // "I was with GE Aviation for thirty years": the same tenure test (session 19).
                let been = matches!(t.low(i.saturating_sub(1)), "been" | "was" | "were");
                // A tenure in years or months ("for ten years", "since 2019").
                let long_stay = (t.low(b + 1) == "for"
                    && (b + 2..=b + 4)
                        .any(|k| matches!(t.low(k), "years" | "year" | "months" | "month")))
                    || (t.low(b + 1) == "since"
                        && t.get(b + 2).is_some_and(|x| x.shape == Shape::Number));
                let was = matches!(t.low(i.saturating_sub(1)), "was" | "were");
                let tenure = match t.low(i) {
                    // "I was with Maria for an hour" is company, not a job: years or months.
                    "with" if was => long_stay,
                    "with" if been => matches!(t.low(b + 1), "for" | "since"),
                    // "been at Mercy Hospital for three days" is a stay: years or months only.
                    "at" if been => long_stay,
                    _ => true,
                };
                // "my sister called from Seattle": a caller's city, not an employer.
                let from_city = t.low(i) == "from"
                    && matches!(t.low(i.saturating_sub(1)), "calling" | "called")
                    && t.get(a).zip(t.get(b)).is_some_and(|(x, y)| {
                        text.get(x.start..y.end).is_some_and(crate::phi::address::is_known_city)
                    });
                if from_city {
                    if let (Some(x), Some(y)) = (t.get(a), t.get(b)) {
                        out.push(Span::new(
                            x.start,
                            y.end,
                            PhiType::Address,
                            score,
                            "city_after_calling",
                        ));
                    }
                } else if tenure {
                    push(text, t, a, b, score, out);
                }
            }
        }
        if let Some(start) = answer_start(t, i) {
            if let Some((a, b, score)) = org_after(t, start, true, true) {
                if is_named_answer(t, a, b) {
                    push(text, t, a, b, score, out);
                }
            }
        }
        if let Some(a) = employer_before(t, i) {
            if let Some((a, b, score)) = org_after(t, a, true, true) {
                if b + 1 == i {
                    push(text, t, a, b, score, out);
                }
            }
        }
        if let Some((a, score)) = suffix_org(text, t, i) {
            push(text, t, a, i, score, out);
        }
    }
}

fn push(text: &str, t: &Tokens, a: usize, b: usize, score: f32, out: &mut Vec<Span>) {
    let (Some(x), Some(y)) = (t.get(a), t.get(b)) else { return };
    let mut end = y.end;
    // Keep a possessive that is part of the name ("McDonald's").
    if y.is_possessive {
        let rest = text.get(end..).unwrap_or("");
        for suffix in ["'s", "’s", "'S", "’S"] {
            if rest.starts_with(suffix) {
                end += suffix.len();
                break;
            }
        }
    }
    // And the period of an abbreviated suffix ("Inc.", "Co.").
    let low = t.low(b);
    if matches!(low, "inc" | "corp" | "co" | "ltd")
        && text.get(end..).is_some_and(|r| r.starts_with('.'))
    {
        end += 1;
    }
    if x.start < end {
        out.push(Span::new(x.start, end, PhiType::Employer, score, "employer_context"));
    }
}

/// "Lotte Vandermeer from Keystone Capital", "Maria from Blue Cross": a capitalised organisation
/// right after a person's name and "from" (mixed-case text only; hospitals and clinics excluded,
/// as they are places of care).
pub(crate) fn affiliations(text: &str, t: &Tokens, name_ends: &[usize], out: &mut Vec<Span>) {
    if t.mode() != CaseMode::Mixed {
        return;
    }
    for &e in name_ends {
        if t.low(e + 1) != "from"
            || !t.get(e + 1).is_some_and(|x| x.gap.is_space() || x.gap.has_comma)
        {
            continue;
        }
        let start = e + 2;
        if !t.get(start).is_some_and(|x| x.gap.is_space() && x.is_capitalized) {
            continue;
        }
        if let Some((a, b, _)) = org_after(t, start, false, false) {
            let care_place = (a..=b).any(|k| {
                matches!(
                    t.low(k),
                    "hospital"
                        | "clinic"
                        | "medical"
                        | "health"
                        | "healthcare"
                        | "center"
                        | "centre"
                        | "pharmacy"
                        | "rehab"
                        | "hospice"
                        | "icu"
                        | "er"
                        | "lab"
                        | "laboratory"
                )
            });
            if !care_place {
                push(text, t, a, b, 0.6, out);
            }
        }
    }
}

/// "golden corral is my employer", "kroger is where i work", "it's blue ridge landscaping,
/// that's who i work for": if a statement about working there starts at token `i`, the first
/// token of the name before it (the name opens the clause, or follows "it's").
fn employer_before(t: &Tokens, i: usize) -> Option<usize> {
    let after_is = t.low(i) == "is"
        && t.get(i).is_some_and(|x| x.gap.is_space())
        && (t.ends_with_words(i + 2, &["is", "my", "employer"])
            || (t.ends_with_words(i + 3, &["is", "where", "i", "work"]) && t.low(i + 4) != "out")
            || t.ends_with_words(i + 4, &["is", "who", "i", "work", "for"]));
    let after_comma = t.get(i).is_some_and(|x| x.gap.has_comma && !x.gap.has_newline)
        && (t.ends_with_words(i + 4, &["that's", "who", "i", "work", "for"])
            || t.ends_with_words(i + 3, &["that's", "where", "i", "work"]));
    if !(after_is || after_comma) || i == 0 {
        return None;
    }
    // Walk back over the name to the start of its clause.
    let mut a = i - 1;
    while a > 0
        && i - a < MAX_ORG_TOKENS
        && t.get(a).is_some_and(|x| x.gap.is_space())
        && !matches!(t.low(a - 1), "it's" | "its" | "yeah" | "so" | "well" | "um" | "uh" | "oh")
        && !t.is_closed(a - 1)
    {
        a -= 1;
    }
    let opens = a == 0
        || !t.get(a).is_some_and(|x| x.gap.is_space())
        || matches!(t.low(a - 1), "it's" | "its" | "yeah" | "so" | "well" | "um" | "uh" | "oh")
        // "the note should go to Greenline Transit, that's where I work": in mixed case a
        // capitalised run after a preposition.
        || (t.mode() == CaseMode::Mixed
            && matches!(t.low(a - 1), "to" | "at" | "for" | "from" | "with" | "call")
            && (a..i).all(|k| t.get(k).is_some_and(|x| matches!(x.shape, Shape::Cap | Shape::Upper))));
    (opens && !t.is_closed(a)).then_some(a)
}

/// If a work context ends at token `i`, the index of the first token after it.
fn work_trigger(t: &Tokens, i: usize) -> Option<usize> {
    let low = t.low(i);
    let next = t.get(i + 1)?;
    if next.gap.has_newline && !next.gap.has_colon {
        return None;
    }
    if next.gap.has_colon {
        let field = matches!(low, "employer" | "company" | "workplace")
            || t.ends_with_words(i, &["place", "of", "employment"])
            || t.ends_with_words(i, &["works", "at"]);
        return field.then_some(i + 1);
    }
    // Spoken form fields without a colon: "employer golden corral", "place of employment X"
    // (at the start of a clause, so "my employer wants" is not one).
    if next.gap.is_space()
        && (t.ends_with_words(i, &["place", "of", "employment"])
            || (low == "employer"
                && t.get(i).is_some_and(|x| !x.is_possessive)
                && (i == 0 || !t.get(i).is_some_and(|x| x.gap.is_space()))))
    {
        return Some(i + 1);
    }
    // "a claim with my employer Ortiz Landscaping": in mixed case the capitals after it are
    // the name ("my employer wants" stops at the lowercase verb).
    if next.gap.is_space()
        && low == "employer"
        && t.mode() == CaseMode::Mixed
        && i >= 1
        && matches!(t.low(i - 1), "my" | "his" | "her" | "our" | "their")
        && matches!(next.shape, Shape::Cap | Shape::Upper)
    {
        return Some(i + 1);
    }
    // "the place i work, golden corral, ..."
    if next.gap.has_comma
        && !next.gap.has_newline
        && next.gap.len <= 2
        && (t.ends_with_words(i, &["place", "i", "work"])
            || t.ends_with_words(i, &["company", "i", "work", "for"])
            || t.ends_with_words(i, &["where", "i", "work"]))
    {
        return Some(i + 1);
    }
    // "my employer, Sunrise Senior Living, needs the form"
    if next.gap.has_comma && !next.gap.has_newline && next.gap.len <= 2 {
        let apposition = t.ends_with_words(i, &["my", "employer"])
            || t.ends_with_words(i, &["his", "employer"])
            || t.ends_with_words(i, &["her", "employer"])
            // "through my work, Hartwell Financial": capitals say a name follows.
            || (t.mode() == CaseMode::Mixed
                && (t.ends_with_words(i, &["my", "work"])
                    || t.ends_with_words(i, &["my", "job"])
                    || t.ends_with_words(i, &["my", "company"]))
                // A name, not an address to someone ("it was my job, Doctor"): two capitals
                // or a non-dictionary word.
                && (t.get(i + 2).is_some_and(|x| x.gap.is_space() && x.shape == Shape::Cap)
                    || !next.entry.is_some_and(|e| e.is_word || e.is_stop)));
        return apposition.then_some(i + 1);
    }
    if !next.gap.is_space() {
        return None;
    }
    // Fillers between a work word and "at"/"for": "works nights at", "a nurse over at",
    // "cleans part-time for".
    let mut p = i;
    while p > 0 && p + 3 > i && is_work_filler(t.low(p - 1)) {
        p -= 1;
    }
    let prev = if p > 0 { t.low(p - 1) } else { "" };
    // "i work in the kitchen at X", "she works the front desk at X": a work verb up to four
    // words back in the same clause ("work out at the gym" is exercise).
    let work_verb_back = || {
        (2..=5usize).any(|back| {
            let Some(k) = i.checked_sub(back) else { return false };
            matches!(
                t.low(k),
                "work" | "works" | "worked" | "working" | "drive" | "drives" | "drove" | "driving"
            ) && (k + 1..=i).all(|m| t.get(m).is_some_and(|x| x.gap.is_space()))
                && (k + 1..i).all(|m| {
                    !matches!(t.low(m), "out" | "up" | "off" | "for" | "at" | "with" | "from")
                })
        })
    };
    // Asked only after "at"/"for" (most tokens are neither).
    // "i do construction for X", "she does cleaning for X": one word of trade after do/does.
    let trade_for = || {
        low == "for"
            && p >= 3
            && matches!(t.low(p - 2), "do" | "does" | "did")
            && matches!(t.low(p - 3), "i" | "he" | "she" | "we")
            && !t.is_closed(p - 1)
            && t.get(p - 1).is_some_and(|x| x.shape != Shape::Number)
    };
    let work_verb = || {
        is_work_word(prev)
            || role_before(t, p)
            || trade_for()
            || (matches!(low, "at" | "for") && work_verb_back())
    };
    let hit = match low {
        // The work word must be in the same sentence ("...the shift. at one point"), and
        // "social work" is a service, not a job.
        // "I got hurt at work, at Ironwood Steel": the workplace named after "at work".
        "at" if i >= 2
            && t.get(i)
                .is_some_and(|x| x.gap.has_comma && !x.gap.has_period && !x.gap.has_newline)
            && t.ends_with_words(i - 1, &["at", "work"]) =>
        {
            true
        }
        "at" | "for" if !t.get(i).is_some_and(|x| x.gap.is_space()) => false,
        "at" | "for" if prev == "work" && p >= 2 && t.low(p - 2) == "social" => false,
        "at" | "for" => {
            (work_verb() && prev != "retired")
                // "I'm part-time at Barnes & Noble"
                || (p < i
                    && is_i_am(t, p)
                    && matches!(t.low(p), "part-time" | "full-time"))
                // "i just started at X", "she started at X in may"
                || (low == "at"
                    && prev == "started"
                    && p >= 2
                    && matches!(t.low(p - 2), "i" | "he" | "she" | "just" | "recently"))
                // "my job is at X", "my job's at X"
                || t.ends_with_words(i, &["job", "is", low])
                // "human resources at X", "my HR at X" ("HR at rest" is a heart rate)
                || t.ends_with_words(i, &["human", "resources", low])
                || (prev == "hr" && p >= 2 && matches!(t.low(p - 2), "the" | "my" | "our" | "his" | "her"))
                // "my HR department at X", "the human resources office at X"
                || (matches!(prev, "department" | "office" | "dept")
                    && p >= 2
                    && matches!(t.low(p - 2), "hr" | "resources" | "payroll" | "benefits"))
                // "i've been at tyson foods for ten years" (a duration must follow: checked in
                // `detect_tokens`)
                || (low == "at" && prev == "been" && p >= 2 && matches!(t.low(p - 2), "i've" | "i’ve" | "ive" | "she's" | "he's" | "have" | "has"))
                // "who's your employer?" "I'm at X" / "I'm with X"
                || (is_i_am(t, i) && employer_asked(t, i))
                // "my plan is through his work, he's at Procter & Gamble": a person "at" a
                // place right after the sentence named a job (session 19)
                || (low == "at" && is_person_at(t, i) && work_named_before(t, i))
                // "I'm in IT at X", "I'm in the warehouse at X", "I'm on staff at X"
                || (low == "at" && in_department_at(t, i))
                // "I clean offices for X", "he drives trucks for X"
                || (low == "for" && trade_object_for(t, i))
                // "I wait tables at X", "she stocks shelves at X": mixed case only, where the
                // name's capital tells it from "at night"
                || (low == "at" && t.mode() == CaseMode::Mixed && trade_object_at(t, i))
        }
        // "I own Rosa's Bakery", "we run Delgado Landscaping": a capitalised name right after.
        "own" | "owns" | "run" | "runs" | "manage" | "manages" => {
            t.mode() == CaseMode::Mixed
                && i >= 1
                && matches!(t.low(i - 1), "i" | "we" | "he" | "she")
                && matches!(next.shape, Shape::Cap | Shape::Upper)
                && !next.entry.is_some_and(|e| e.is_stop)
        }
        "by" => matches!(prev, "employed" | "hired"),
        // "I'm an employee of Northstar Credit Union"
        "of" => matches!(prev, "employee" | "employees"),
        // "can you send the work note to Ridgeway Construction"
        "to" => t.ends_with_words(i, &["work", "note", "to"]),
        "with" => {
            matches!(prev, "employed" | "job" | "position")
                // "i've been with kroger for ten years": checked against the duration after
                // the name in `detect_tokens`.
                || (prev == "been" && p >= 2 && matches!(t.low(p - 2), "i've" | "i’ve" | "ive" | "she's" | "he's" | "have" | "has"))
                // "I was with GE Aviation for thirty years" (tenure checked in `detect_tokens`)
                || (matches!(prev, "was" | "were")
                    && p >= 2
                    && matches!(t.low(p - 2), "i" | "he" | "she" | "we" | "they"))
                || role_before(t, p)
                || (is_i_am(t, i) && employer_asked(t, i))
        }
        "from" => {
            matches!(prev, "retired" | "calling" | "called" | "fired" | "resigned")
                // "calling on my lunch break from X", "I'm on break from X"
                || (prev == "break"
                    && p >= 2
                    && matches!(t.low(p - 2), "lunch" | "on" | "my" | "a" | "coffee"))
                || t.ends_with_words(i, &["laid", "off", "from"])
                || t.ends_with_words(i, &["let", "go", "from"])
                // "out on disability from X", "on medical leave from X"
                || (matches!(prev, "disability" | "leave" | "furlough")
                    && (p >= 2 && matches!(t.low(p - 2), "on" | "medical" | "short-term" | "long-term" | "maternity" | "paternity" | "family")))
                // "this is Ray from ABC Medical Supply"
                || (i >= 3 && t.ends_with_words(i - 2, &["this", "is"]))
        }
        // "my employer is X", "my company is X", "my workplace is X", "the company i work
        // for is X"
        "is" => {
            t.ends_with_words(i, &["employer", "is"])
                || t.ends_with_words(i, &["my", "company", "is"])
                || t.ends_with_words(i, &["my", "workplace", "is"])
                || t.ends_with_words(i, &["work", "for", "is"])
                || t.ends_with_words(i, &["work", "at", "is"])
                || t.ends_with_words(i, &["employer's", "name", "is"])
                || t.ends_with_words(i, &["employer", "name", "is"])
                || t.ends_with_words(i, &["company's", "name", "is"])
                // "my work is lowe's" (a plain word after it is how the work is: "stressful")
                || t.ends_with_words(i, &["my", "work", "is"])
        }
        // "a teacher in the dallas school district"
        "in" => work_verb() && district_end(t, i + 1).is_some(),
        // "my employer would be X", "my employer's name is X"
        "be" => t.ends_with_words(i, &["employer", "would", "be"]),
        // "fax it to my job, it's costco"
        "it's" | "its" => i >= 2 && t.low(i - 1) == "job" && t.low(i - 2) == "my",
        _ => false,
    };
    hit.then_some(i + 1)
}

/// A word after "my company is" that describes the company (guests) rather than naming it:
/// "coming", "here", "over", "late".
fn is_state_word(low: &str) -> bool {
    low.ends_with("ing")
        || matches!(
            low,
            "here"
                | "there"
                | "over"
                | "gone"
                | "back"
                | "home"
                | "away"
                | "late"
                | "small"
                | "big"
                | "new"
                | "great"
                | "good"
                | "fine"
                | "closed"
                | "open"
                | "hiring"
                | "not"
                | "a"
                | "an"
                | "the"
                | "very"
                | "so"
                | "really"
                | "pretty"
        )
}

/// Words that say the next "at"/"for" names a workplace ("works at", "a cashier at", "my boss
/// at", "drives for").
fn is_work_word(low: &str) -> bool {
    matches!(
        low,
        "work"
            | "works"
            | "worked"
            | "working"
            | "employed"
            | "hired"
            | "payroll"
            | "job"
            | "shift"
            | "shifts"
            | "intern"
            | "interning"
            | "volunteer"
            | "volunteers"
            | "position"
            | "career"
            | "retired"
            | "manager"
            | "cashier"
            | "nurse"
            | "driver"
            | "clerk"
            | "boss"
            | "supervisor"
            | "coworkers"
            | "co-workers"
            | "coworker"
            | "co-worker"
            | "drive"
            | "drives"
            | "driving"
            | "teach"
            | "teaches"
            | "taught"
            | "cook"
            | "cooks"
            | "bartend"
            | "bartends"
            | "waitress"
            | "waitressing"
            | "waiter"
            | "crew"
    )
}

/// Words that may stand between a work word and its "at"/"for" ("works nights at", "a nurse
/// over at", "works part-time for").
fn is_work_filler(low: &str) -> bool {
    matches!(
        low,
        "nights"
            | "days"
            | "weekends"
            | "mornings"
            | "evenings"
            | "overnights"
            | "overtime"
            | "part-time"
            | "full-time"
            | "there"
            | "over"
            | "now"
            | "still"
    )
}

/// "I'm a cashier", "she's an accountant", "he is a line cook" right before token `p`: a job
/// title, so the "at"/"with"/"for" after it names the employer. Roles that are not jobs
/// ("a patient at", "a member with", "a student at") do not count.
fn role_before(t: &Tokens, p: usize) -> bool {
    // The role is one or two words after "a"/"an".
    for len in 1..=2usize {
        let Some(article) = p.checked_sub(len + 1) else { return false };
        // "I'm a cashier at", and "I'm the receptionist at" (one job at the place).
        if !matches!(t.low(article), "a" | "an" | "the") {
            continue;
        }
        let role_ok = (article + 1..p).all(|k| {
            let low = t.low(k);
            t.get(k).is_some_and(|x| x.gap.is_space() && x.shape != Shape::Number)
                && !t.is_closed(k)
                && !matches!(
                    low,
                    "patient"
                        | "member"
                        | "customer"
                        | "client"
                        | "guest"
                        | "resident"
                        | "visitor"
                        | "regular"
                        | "student"
                        | "new"
                        | "little"
                        | "bit"
                        | "lot"
                        | "while"
                        | "few"
                        | "couple"
                        | "week"
                        | "month"
                        | "year"
                        | "day"
                        | "appointment"
                        | "referral"
                        | "prescription"
                        | "refill"
                        | "call"
                        | "copy"
                        | "one"
                        | "only"
                        | "first"
                        | "last"
                        | "same"
                        | "other"
                        | "person"
                )
        });
        if !role_ok {
            return false;
        }
        let Some(subject_end) = article.checked_sub(1) else { return false };
        let subject = t.low(subject_end);
        return matches!(subject, "i'm" | "i’m" | "im" | "he's" | "she's" | "he’s" | "she’s")
            || (subject_end >= 1
                && matches!(subject, "am" | "is" | "was")
                && matches!(t.low(subject_end - 1), "i" | "he" | "she"))
            || (subject == "as" && subject_end >= 1 && is_work_word(t.low(subject_end - 1)));
    }
    false
}

/// "I'm" / "I am" / "im" right before token `i`.
fn is_i_am(t: &Tokens, i: usize) -> bool {
    i >= 1
        && (matches!(t.low(i - 1), "i'm" | "i’m" | "im") || t.ends_with_words(i - 1, &["i", "am"]))
}

/// "I'm at", "he's at", "she's at" ending at token `i` ("at").
fn is_person_at(t: &Tokens, i: usize) -> bool {
    is_i_am(t, i) || (i >= 1 && matches!(t.low(i - 1), "he's" | "she's" | "he’s" | "she’s"))
}

/// A job named earlier in the same sentence, at most ten tokens back ("through my job,",
/// "through his work,", "my employer's plan").
fn work_named_before(t: &Tokens, i: usize) -> bool {
    let mut k = i;
    while k > 0 && i - k < 10 {
        if t.get(k).is_some_and(|x| x.gap.has_period || x.gap.has_stop || x.gap.has_newline) {
            return false;
        }
        k -= 1;
        if matches!(t.low(k), "job" | "work" | "employer" | "employer's") {
            return k >= 1 && matches!(t.low(k - 1), "my" | "his" | "her" | "their" | "our");
        }
    }
    false
}

/// Departments a caller works in: "I'm in IT at X", "I'm in the warehouse at X". Places a
/// customer or patient stands in ("the pharmacy", "the office") are left out: "I'm in the
/// pharmacy at Walgreens" is where the caller is, not where they work.
fn is_department(low: &str) -> bool {
    matches!(
        low,
        "it" | "accounting"
            | "billing"
            | "sales"
            | "marketing"
            | "hr"
            | "payroll"
            | "shipping"
            | "receiving"
            | "maintenance"
            | "housekeeping"
            | "security"
            | "purchasing"
            | "finance"
            | "engineering"
            | "admin"
            | "administration"
            | "operations"
            | "logistics"
            | "production"
            | "management"
            | "retail"
            | "warehouse"
            | "kitchen"
            | "mailroom"
    )
}

/// "I'm in IT at", "I'm in the warehouse at", "I'm staff at", "I'm on staff at" before `at`
/// (token `i`).
fn in_department_at(t: &Tokens, i: usize) -> bool {
    let dept = i >= 1 && is_department(t.low(i - 1));
    (dept && i >= 3 && t.low(i - 2) == "in" && is_i_am(t, i - 2))
        || (dept && i >= 4 && t.low(i - 2) == "the" && t.low(i - 3) == "in" && is_i_am(t, i - 3))
        || (i >= 2 && t.low(i - 1) == "staff" && (is_i_am(t, i - 1) || t.low(i - 2) == "on"))
}

/// "I clean offices for X", "she drives trucks for X": a trade verb and its object before `for`
/// (token `i`), said by a person.
fn trade_object_for(t: &Tokens, i: usize) -> bool {
    i >= 3
        && matches!(
            t.low(i - 2),
            "clean"
                | "cleans"
                | "drive"
                | "drives"
                | "deliver"
                | "delivers"
                | "stock"
                | "stocks"
                | "build"
                | "builds"
                | "fix"
                | "fixes"
                | "paint"
                | "paints"
                | "install"
                | "installs"
                | "repair"
                | "repairs"
                | "sell"
                | "sells"
                | "cook"
                | "cooks"
        )
        && matches!(t.low(i - 3), "i" | "he" | "she" | "we" | "they")
        && !t.is_closed(i - 1)
        && t.get(i - 1).is_some_and(|x| x.shape != Shape::Number)
}

/// "I wait tables at X", "he tends bar at X", "she cuts hair at X": a trade verb and its object
/// before `at` (token `i`), said by a person.
fn trade_object_at(t: &Tokens, i: usize) -> bool {
    i >= 3
        && matches!(
            (t.low(i - 2), t.low(i - 1)),
            ("wait" | "waits", "tables")
                | ("tend" | "tends", "bar")
                | ("stock" | "stocks", "shelves")
                | ("bag" | "bags", "groceries")
                | ("cut" | "cuts", "hair")
                | ("clean" | "cleans", "rooms" | "offices" | "floors")
                | ("cook" | "cooks", "breakfast" | "lunch" | "dinner")
                | ("work" | "works", "nights" | "days" | "weekends" | "doubles" | "overnights")
                | ("answer" | "answers", "phones")
                | ("teach" | "teaches", "kindergarten" | "preschool" | "math" | "english")
                | ("load" | "loads" | "unload" | "unloads", "trucks")
                | ("pack" | "packs" | "ship" | "ships", "boxes" | "orders")
                | ("watch" | "watches", "kids")
                | ("do" | "does", "hair" | "nails" | "taxes" | "payroll" | "billing")
        )
        && matches!(t.low(i - 3), "i" | "he" | "she" | "we" | "they")
}

/// Tokens looked back over for an employer question.
const ASKED_WINDOW: usize = 24;

/// Whether the employer was just asked about ("who's your employer?", "where do you work?"):
/// then the answer names one even in plain words ("i'm with sunrise bakery").
fn employer_asked(t: &Tokens, i: usize) -> bool {
    (i.saturating_sub(ASKED_WINDOW)..i).any(|k| {
        matches!(t.low(k), "employer" | "employment" | "workplace")
            || (t.low(k) == "work" && k >= 1 && t.low(k - 1) == "you")
    })
}

/// Speaker labels of a transcript turn ("Caller: ...").
fn is_speaker_label(low: &str) -> bool {
    matches!(low, "caller" | "patient" | "pt" | "member" | "customer" | "user" | "speaker")
}

/// "Agent: And who is your employer? Caller: Delgado Trucking.": if token `i` opens a turn that
/// answers an employer question (asked in the turn just before, with a question mark), the
/// first token of the answer after fillers ("it's", "that would be", "oh, at").
fn answer_start(t: &Tokens, i: usize) -> Option<usize> {
    if i == 0 || !is_speaker_label(t.low(i - 1)) || !t.get(i)?.gap.has_colon {
        return None;
    }
    let asked = (i.saturating_sub(ASKED_WINDOW)..i - 1).rev().find(|&k| {
        matches!(t.low(k), "employer" | "employment" | "workplace")
            || (matches!(t.low(k), "work" | "company") && k >= 1 && t.low(k - 1) == "you")
            || (t.low(k) == "company" && k >= 1 && t.low(k - 1) == "your")
    })?;
    // The question ends before the answer's turn, not in an earlier one.
    let questioned = (asked + 1..i).any(|k| t.get(k).is_some_and(|x| x.gap.has_stop));
    let label_between =
        (asked + 1..i - 1).any(|k| is_speaker_label(t.low(k)) || t.low(k) == "agent");
    if !questioned || label_between {
        return None;
    }
    let mut k = i;
    while k < i + 4
        && matches!(
            t.low(k),
            "it's"
                | "its"
                | "it"
                | "is"
                | "that's"
                | "that"
                | "would"
                | "be"
                | "at"
                | "oh"
                | "um"
                | "uh"
                | "yeah"
                | "yes"
                | "sure"
                | "so"
        )
    {
        k += 1;
    }
    Some(k)
}

/// A capitalised answer names an organisation, not a reply word: two or more tokens, a
/// token that is not a dictionary word ("Kroger"), or a known employer ("Target"). "Sorry.",
/// "Unemployed.", "Retired." are not names.
fn is_named_answer(t: &Tokens, a: usize, b: usize) -> bool {
    if t.mode() != CaseMode::Mixed {
        return true;
    }
    let not_employed = |k: usize| {
        matches!(
            t.low(k),
            "self-employed" | "unemployed" | "retired" | "disabled" | "none" | "nobody" | "n/a"
        )
    };
    if (a..=b).any(not_employed) {
        return false;
    }
    b > a
        || word_employer_at(t, a).is_some()
        || t.get(a).is_some_and(|x| !x.entry.is_some_and(|e| e.is_word || e.is_stop))
}

/// Generic heads that make "work at/for X" not an employer name.
fn is_generic(low: &str) -> bool {
    matches!(
        low,
        "home"
            | "least"
            | "night"
            | "nights"
            | "myself"
            | "yourself"
            | "himself"
            | "herself"
            | "free"
            | "hours"
            | "years"
            | "months"
            | "weeks"
            | "days"
            | "once"
            | "first"
            | "last"
            | "living"
            | "school"
            | "church"
            | "work"
            | "times"
            | "time"
            | "length"
            | "noon"
            | "midnight"
            | "lunch"
            | "dinner"
            | "moment"
            | "minimum"
            | "most"
            | "best"
            | "while"
            | "awhile"
            | "money"
            | "cash"
            | "pay"
            | "nothing"
            | "everything"
            | "something"
            | "anything"
            | "anyone"
            | "someone"
            | "everyone"
            | "people"
            | "family"
            | "city"
            | "state"
            | "county"
            | "government"
            | "hospital"
            | "clinic"
            | "office"
            | "store"
            | "company"
            | "bank"
            | "factory"
            | "plant"
            | "restaurant"
            | "farm"
            | "warehouse"
            | "shop"
            | "mill"
            | "site"
            | "job"
            | "place"
            | "desk"
            | "computer"
            | "phone"
            | "front"
            | "back"
            | "side"
            | "top"
            | "bottom"
            | "end"
            | "start"
            | "beginning"
            | "full"
            | "part"
            | "nurse"
            | "doctor"
            | "patient"
            | "patients"
            | "kids"
            | "children"
    )
}

/// Known employers whose names are ordinary words (lowercase token sequences).
const WORD_EMPLOYERS: &[&[&str]] = &[
    &["target"],
    &["home", "depot"],
    &["best", "buy"],
    &["subway"],
    &["apple"],
    &["chase"],
    &["dollar", "general"],
    &["family", "dollar"],
    &["dollar", "tree"],
    &["whole", "foods"],
    &["general", "motors"],
    &["general", "electric"],
    &["taco", "bell"],
    &["burger", "king"],
    &["bank", "of", "america"],
    &["united", "airlines"],
    &["american", "airlines"],
    &["delta"],
    &["amazon"],
    &["ups"],
    &["the", "post", "office"],
    &["ford"],
    &["state", "farm"],
    &["olive", "garden"],
    &["trader", "joe"],
    &["waste", "management"],
    &["home", "instead"],
    &["wells", "fargo"],
    &["dollar", "general"],
    &["southwest", "airlines"],
    &["sears"],
    &["jiffy", "lube"],
    &["goodwill"],
    &["safeway"],
];

fn word_employer_at(t: &Tokens, a: usize) -> Option<usize> {
    WORD_EMPLOYERS.iter().find_map(|words| {
        let last = a + words.len() - 1;
        let ok = words.iter().enumerate().all(|(k, w)| t.low(a + k) == *w)
            && (a + 1..=last).all(|k| t.get(k).is_some_and(|x| x.gap.is_space()));
        ok.then_some(last)
    })
}

/// The organisation name starting at token `a` after a work context: (first, last, score).
/// Without capitals to go by (lowercase or ALL CAPS text) a name of dictionary words only
/// ("sunrise bakery") is accepted when `asked` (the employer was just asked about, so the answer
/// is one), or, when `worded`, if it is two or more words and the first is not a descriptor
/// ("golden corral", "blue ridge landscaping"; not "the front desk", "very little money").
fn org_after(t: &Tokens, mut a: usize, asked: bool, worded: bool) -> Option<(usize, usize, f32)> {
    if t.low(a) == "the" && t.get(a + 1).is_some_and(|x| x.gap.is_space()) {
        if let Some(last) = word_employer_at(t, a) {
            return Some((a, last, 0.85));
        }
        a += 1;
    }
    if let Some(last) = word_employer_at(t, a) {
        return Some((a, last, 0.85));
    }
    let first = t.get(a)?;
    let low = t.low(a);
    if first.shape == Shape::Number && t.get(a + 1).is_none_or(|x| x.gap.is_space()) {
        return None; // "worked for 20 years"
    }
    if t.is_closed(a) || is_generic(low) {
        return None;
    }
    let mixed = t.mode() == CaseMode::Mixed;
    let mut last = None;
    let mut has_distinct = false; // a non-word token, a suffix, or capitals in mixed case
    let mut k = a;
    let mut count = 0;
    while k < t.len() && count < MAX_ORG_TOKENS {
        let tok = t.get(k)?;
        if k > a {
            let g = tok.gap;
            let dotted_suffix =
                g.has_period && !g.has_newline && g.len <= 2 && t.is_company_suffix(k);
            let amp = g.has_other && !g.has_newline && g.len <= 3 && !g.has_period && !g.has_comma;
            let comma_suffix = g.has_comma && g.len <= 2 && t.is_company_suffix(k);
            let after_initial = dotted_initial(t, k - 1) || dotted_place_prefix(t, k - 1);
            if !(g.is_space() || dotted_suffix || amp || comma_suffix || after_initial) {
                break;
            }
        }
        let low = t.low(k);
        let is_connector = matches!(low, "of" | "and" | "&" | "de" | "the") && k > a;
        if is_connector {
            // Keep a connector only if a name token follows it.
            let nxt = t.get(k + 1);
            let follows = nxt.is_some_and(|n| {
                n.gap.is_space()
                    && !t.is_closed(k + 1)
                    && (!mixed || matches!(n.shape, Shape::Cap | Shape::Upper))
            });
            if !follows {
                break;
            }
            k += 1;
            continue;
        }
        if is_company_suffix(low) {
            last = Some(k);
            has_distinct = true;
            break;
        }
        // "dallas school district", "fairfax county public schools": the district ends the name.
        if k > a {
            if let Some(end) = district_head(t, k) {
                last = Some(end);
                has_distinct = true;
                break;
            }
        }
        // Generic words end a guessed name in uncased text ("walmart store hours"), but are
        // part of a name given as the answer ("river city library").
        // A capitalised "Family" or "Brothers" inside a mixed-case name, with the name going
        // on after it, is part of it ("Oakmont Family Dental", "Reyes Brothers Roofing").
        let name_relative = mixed
            && k > a
            && matches!(
                low,
                "family" | "brothers" | "sons" | "kids" | "children" | "team" | "care"
            )
            && matches!(tok.shape, Shape::Cap | Shape::Upper)
            && t.get(k + 1)
                .is_some_and(|n| n.gap.is_space() && matches!(n.shape, Shape::Cap | Shape::Upper));
        // "U.S. Steel": the "S" of a dotted initialism is not the closed-class "s".
        let initial = dotted_initial(t, k) && t.get(k + 1).is_some_and(|n| n.is_capitalized);
        if (t.is_closed(k) && !name_relative && !initial)
            || (k > a && is_generic(low) && !mixed && !asked)
            || stop_after_org(low)
        {
            break;
        }
        let is_word = tok.entry.is_some_and(|e| e.is_word || e.is_stop);
        let capital = matches!(tok.shape, Shape::Cap | Shape::Upper | Shape::Number | Shape::Other)
            || initial;
        // In mixed case an employer is capitalised, or at least not a dictionary word ("walmart").
        if mixed && !capital && (is_word || k > a) {
            break;
        }
        has_distinct |= (mixed && capital) || !is_word;
        last = Some(k);
        count += 1;
        k += 1;
    }
    let last = last?;
    let words_name =
        worded && t.mode() == CaseMode::Lower && count >= 2 && !is_descriptor(t.low(a));
    if !has_distinct && !asked && !words_name && !business_apposition(t, last + 1) {
        return None;
    }
    let score = match (mixed, has_distinct, asked) {
        (true, _, _) => 0.85,
        (false, true, _) => 0.75,
        (false, false, true) => 0.7,
        (false, false, false) => 0.6,
    };
    Some((a, last, score))
}

/// ", the gas station" starting at token `k`: a kind of business in apposition says the words
/// before it name one ("I just started at speedway, the gas station"; session 19).
fn business_apposition(t: &Tokens, k: usize) -> bool {
    let Some(the) = t.get(k) else { return false };
    if !the.gap.has_comma || the.gap.has_newline || the.gap.len > 2 || t.low(k) != "the" {
        return false;
    }
    (k + 1..=k + 2).any(|m| {
        t.get(m).is_some_and(|x| x.gap.is_space())
            && (k + 1..m).all(|j| t.get(j).is_some_and(|x| x.gap.is_space()))
            && matches!(
                t.low(m),
                "station"
                    | "store"
                    | "restaurant"
                    | "diner"
                    | "factory"
                    | "plant"
                    | "warehouse"
                    | "bank"
                    | "salon"
                    | "shop"
                    | "supermarket"
                    | "grocery"
                    | "market"
                    | "hotel"
                    | "motel"
                    | "gym"
                    | "bakery"
                    | "cafe"
                    | "dealership"
                    | "garage"
                    | "company"
                    | "firm"
            )
    })
}

/// Token `k` is "St.", "Mt." or "Ft." before a capitalised name: "St. Albert the Great", "Mt.
/// Carmel" (session 19: the period ended the name at "St").
fn dotted_place_prefix(t: &Tokens, k: usize) -> bool {
    matches!(t.low(k), "st" | "mt" | "ft")
        && t.get(k).is_some_and(|p| p.is_capitalized)
        && t.get(k + 1).is_some_and(|n| {
            let g = n.gap;
            n.is_capitalized && g.has_period && !g.has_newline && !g.has_comma && g.len <= 2
        })
}

/// Token `k` is a capital initial with its period, inside a name: "U.S. Steel", "J. Crew".
fn dotted_initial(t: &Tokens, k: usize) -> bool {
    t.get(k).is_some_and(|p| p.shape == Shape::Initial && p.is_capitalized)
        && t.get(k + 1).is_some_and(|n| {
            let g = n.gap;
            g.has_period && !g.has_newline && !g.has_comma && g.len <= 2
        })
}

/// Words that open a description of a workplace rather than its name ("a local diner", "the
/// same company", "very little money", "two jobs"): a run of plain words starting with one is
/// not taken as a name.
fn is_descriptor(low: &str) -> bool {
    is_state_word(low)
        || is_generic(low)
        || matches!(
            low,
            "little"
                | "much"
                | "more"
                | "less"
                | "about"
                | "around"
                | "almost"
                | "nearly"
                | "only"
                | "just"
                | "like"
                | "same"
                | "different"
                | "other"
                | "another"
                | "local"
                | "main"
                | "nearby"
                | "various"
                | "several"
                | "many"
                | "long"
                | "short"
                | "odd"
                | "temp"
                | "two"
                | "three"
                | "four"
                | "five"
                | "both"
                | "either"
                | "any"
                | "some"
                | "grocery"
                | "gas"
                | "car"
                | "nursing"
                | "daycare"
                | "public"
                | "private"
                | "elementary"
                | "middle"
                | "high"
                | "community"
                | "senior"
                | "retail"
                | "fast"
                | "food"
                | "construction"
                | "cleaning"
                | "delivery"
                | "hair"
                | "nail"
                | "auto"
                | "dental"
                | "doctor's"
                | "vet"
                | "animal"
                | "call"
                | "distribution"
                | "processing"
                | "packing"
                | "meat"
                | "chicken"
                | "home"
                | "minimum"
                | "least"
                | "night"
                | "day"
                | "weekend"
                | "late"
                | "early"
                | "overnight"
                | "second"
                | "third"
                | "graveyard"
                | "swing"
                | "disability"
                | "social"
                | "pharmacy"
                | "human"
                | "child"
                | "customer"
                | "health"
                | "medical"
                | "mental"
                | "security"
                | "support"
                | "billing"
                | "shipping"
                | "receiving"
                | "loading"
                | "cafeteria"
                | "kitchen"
                | "laundry"
                | "maintenance"
                | "parts"
                | "service"
                | "services"
                | "emotional"
                | "financial"
                | "spiritual"
        )
}

/// If a school district's head starts at token `k` ("school district", "public schools",
/// "county schools", "isd", "unified school district"), its last token.
fn district_head(t: &Tokens, k: usize) -> Option<usize> {
    let joined = |m: usize| t.get(m).is_some_and(|x| x.gap.is_space());
    let mut m = k;
    if matches!(t.low(m), "county" | "city" | "area") && joined(m + 1) {
        m += 1;
    }
    if matches!(t.low(m), "unified" | "independent" | "public" | "consolidated") && joined(m + 1) {
        m += 1;
    }
    match t.low(m) {
        "isd" | "usd" if m == k => Some(m),
        "school" if t.low(m + 1) == "district" && joined(m + 1) => Some(m + 1),
        "schools" if m > k => Some(m),
        _ => None,
    }
}

/// The last token of a school district named within a few tokens after `a` ("the dallas school
/// district"), if there is one.
fn district_end(t: &Tokens, a: usize) -> Option<usize> {
    (a + 1..a + 5).find_map(|k| {
        let joined = (a + 1..=k).all(|m| t.get(m).is_some_and(|x| x.gap.is_space()));
        joined.then(|| district_head(t, k)).flatten()
    })
}

/// Words that end an employer name in unpunctuated speech ("at walmart since may").
fn stop_after_org(low: &str) -> bool {
    matches!(
        low,
        "since"
            | "now"
            | "because"
            | "until"
            | "when"
            | "where"
            | "while"
            | "as"
            | "part"
            | "full"
            | "downtown"
            | "nights"
            | "weekends"
            | "days"
            | "mornings"
            | "evenings"
            | "anymore"
            | "currently"
            | "right"
            | "though"
            | "too"
            | "also"
            | "still"
            | "but"
            | "so"
            | "for"
            | "in"
            | "on"
            | "at"
            | "and"
            | "years"
            | "year"
            | "ago"
            | "due"
            | "to"
            | "is"
            | "was"
            | "has"
            | "have"
            | "had"
            | "will"
            | "would"
            | "doesn't"
            | "don't"
            | "didn't"
            | "won't"
            | "can't"
            | "isn't"
            | "wasn't"
            | "said"
            | "says"
            | "wants"
            | "needs"
            | "pays"
            | "offers"
            | "gave"
            | "gives"
    )
}

/// If token `i` is a company suffix after capitalised tokens, the first token and a score.
fn suffix_org(text: &str, t: &Tokens, i: usize) -> Option<(usize, f32)> {
    let low = t.low(i);
    if i == 0 || !t.is_company_suffix(i) {
        return None;
    }
    let tok = t.get(i)?;
    let raw = text.get(tok.start..tok.end).unwrap_or("");
    // "Co" and "Company" are too common as words: only "Co." / "& Co" and capitalised "Company".
    if low == "co" && !(raw == "Co" && text.get(tok.end..).is_some_and(|r| r.starts_with('.'))) {
        return None;
    }
    if matches!(low, "company" | "corporation" | "limited" | "incorporated")
        && !raw.starts_with(|c: char| c.is_uppercase())
    {
        return None;
    }
    if !(tok.gap.is_space() || (tok.gap.has_comma && tok.gap.len <= 2 && !tok.gap.has_newline)) {
        return None;
    }
    // Clinical shorthand: "INC"/"inc" is "increased" ("HR INC TO 110", "sedation inc."). A bare
    // suffix counts only written as a company writes it, and never "Inc" in an ALL CAPS note.
    let mode = t.mode();
    let proper_form = raw.starts_with(|c: char| c.is_uppercase());
    if !proper_form || (low == "inc" && mode != CaseMode::Mixed) {
        return None;
    }
    let mut first = None;
    let mut k = i - 1;
    let mut count = 0;
    loop {
        let x = t.get(k)?;
        let lowk = t.low(k);
        let is_conn = matches!(lowk, "and" | "&" | "of") && first.is_some();
        // In mixed case, short all-caps tokens are abbreviations ("HR", "PEEP"), not names.
        let capital = match x.shape {
            Shape::Cap | Shape::Other => true,
            Shape::Upper => mode != CaseMode::Mixed || lowk.len() >= 3,
            Shape::Number => first.is_some(),
            _ => false,
        };
        let is_stop = x.entry.is_some_and(|e| e.is_stop);
        let is_name_part = is_conn || capital && !is_closed(lowk) && !is_stop;
        if !is_name_part || title_like(lowk) {
            break;
        }
        if !is_conn {
            first = Some(k);
            count += 1;
        }
        let boundary =
            !(x.gap.is_space() || x.gap.has_other && x.gap.len <= 3 && !x.gap.has_newline);
        if k == 0 || boundary || count >= MAX_ORG_TOKENS - 1 {
            break;
        }
        k -= 1;
    }
    // A connector cannot start the name.
    let mut f = first?;
    while f < i && matches!(t.low(f), "and" | "&" | "of") {
        f += 1;
    }
    (f < i).then_some((f, 0.6))
}

fn title_like(low: &str) -> bool {
    matches!(low, "at" | "from" | "for" | "with" | "by" | "dr" | "mr" | "mrs" | "ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn employers(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        EmployerDetector.detect(&Doc::new(text), &mut out);
        let spans =
            crate::scanner::resolve_overlaps(out.into_iter().filter(|s| s.score >= 0.5).collect());
        spans.iter().map(|s| text[s.start..s.end].to_string()).collect()
    }

    #[test]
    fn work_contexts() {
        assert_eq!(employers("I work at Acme Widgets as a welder."), ["Acme Widgets"]);
        assert_eq!(
            employers("She is employed by Granite Ridge Logistics since 2019."),
            ["Granite Ridge Logistics"]
        );
        assert_eq!(employers("Employer: Kroger"), ["Kroger"]);
        assert_eq!(employers("yeah i work at walmart on the night shift"), ["walmart"]);
        assert_eq!(employers("i work for the home depot in the garden center"), ["home depot"]);
        assert_eq!(employers("he retired from General Motors in 2015"), ["General Motors"]);
        assert_eq!(employers("she works at Mercy Hospital on nights"), ["Mercy Hospital"]);
        assert_eq!(employers("i've worked at mcdonald's for two years"), ["mcdonald's"]);
    }

    #[test]
    fn dotted_initials_stay_in_the_name() {
        assert_eq!(employers("he retired from U.S. Steel in 2019"), ["U.S. Steel"]);
        assert_eq!(employers("she works for J. Crew at the mall"), ["J. Crew"]);
        // A sentence break after a name is not an initial's period.
        assert_eq!(employers("I work at Acme. I like it there."), ["Acme"]);
        // Session 19: a job named before "he's at", "was with X for N years", "driving for",
        // "do hair at".
        assert_eq!(
            employers("My husband's plan is through his work, he's at Procter & Gamble."),
            ["Procter & Gamble"]
        );
        assert_eq!(
            employers("I'm retired now, I was with GE Aviation for thirty years."),
            ["GE Aviation"]
        );
        assert!(employers("I was with Maria for an hour.").is_empty());
        assert_eq!(
            employers("Yeah, I've been driving for Coastal Freight for six years."),
            ["Coastal Freight"]
        );
        assert_eq!(employers("I do hair at Great Clips."), ["Great Clips"]);
        assert!(employers("My work is stressful, I'm at home most days.").is_empty());
        // Session 19: a kind of business in apposition, a trade before "at".
        assert_eq!(employers("I just started at speedway, the gas station"), ["speedway"]);
        assert_eq!(employers("I answer phones at CareSource during the day"), ["CareSource"]);
        assert!(employers("I just started at home, the doctor said rest").is_empty());
        // Session 19: "St." opens a parish or school name.
        assert_eq!(
            employers("I work at St. Albert the Great, the parish"),
            ["St. Albert the Great"]
        );
        assert_eq!(employers("she teaches at Mt. Carmel Academy"), ["Mt. Carmel Academy"]);
    }

    #[test]
    fn answers_to_an_employer_question() {
        assert_eq!(
            employers(
                "agent: and where do you work? caller: i'm with harbor view plumbing, since june"
            ),
            ["harbor view plumbing"]
        );
        assert_eq!(
            employers("Who is your employer for the claim? I'm at Cedar Street Bakery, yes."),
            ["Cedar Street Bakery"]
        );
        assert_eq!(
            employers("my job is at the river city library, part time"),
            ["river city library"]
        );
        // Without the question, "I'm with" is company, not an employer.
        assert!(employers("i'm with my daughter, she drove me here").is_empty());
        assert!(employers("i'm with pine valley movers now").is_empty());
        // Asked, but the answer is a person or a generic place.
        assert!(employers("who's your employer? i'm with my husband's plan actually").is_empty());
        assert!(employers("what's your employer? oh i'm at home these days").is_empty());
    }

    #[test]
    fn leave_hr_and_school_districts() {
        assert_eq!(
            employers("she's on maternity leave from Kaiser Permanente"),
            ["Kaiser Permanente"]
        );
        assert_eq!(employers("i'm out on disability from general motors"), ["general motors"]);
        assert_eq!(employers("i was let go from sears last month"), ["sears"]);
        assert_eq!(employers("my HR at Boeing needs the form"), ["Boeing"]);
        assert_eq!(employers("my work is lowe's"), ["lowe's"]);
        assert_eq!(
            employers("i'm a teacher in the dallas school district"),
            ["dallas school district"]
        );
        assert_eq!(
            employers("i'm a bus driver for fairfax county public schools"),
            ["fairfax county public schools"]
        );
        assert_eq!(employers("she drives a forklift for sysco"), ["sysco"]);
        // A heart rate, a state of work, leave from work, a pupil's district.
        assert!(employers("heart rate 88, HR at rest 72").is_empty());
        assert!(employers("my work is really stressful lately").is_empty());
        assert!(employers("i'm on leave from work right now").is_empty());
        assert!(employers("my daughter is in the dallas school district").is_empty());
        assert!(employers("i drive my mom for her appointments").is_empty());
    }

    #[test]
    fn callers_cities_are_places() {
        let mut out = Vec::new();
        let text = "my sister called from Seattle last night";
        EmployerDetector.detect(&Doc::new(text), &mut out);
        let found: Vec<_> = out.iter().map(|s| (s.kind, &text[s.start..s.end])).collect();
        assert_eq!(found, [(PhiType::Address, "Seattle")]);
        assert_eq!(employers("hi this is Rosa calling from Acme Plumbing"), ["Acme Plumbing"]);
    }

    #[test]
    fn statements_naming_the_employer() {
        assert_eq!(employers("golden corral is my employer"), ["golden corral"]);
        assert_eq!(employers("yeah kroger is where i work"), ["kroger"]);
        assert_eq!(
            employers("it's blue ridge landscaping, that's who i work for"),
            ["blue ridge landscaping"]
        );
        assert_eq!(employers("i've been with golden corral for two years"), ["golden corral"]);
        assert_eq!(employers("my job at golden corral doesn't have insurance"), ["golden corral"]);
        assert_eq!(employers("the place i work, golden corral, is closed"), ["golden corral"]);
        assert_eq!(employers("employer golden corral"), ["golden corral"]);
        assert_eq!(employers("my employer's name is golden corral"), ["golden corral"]);
        assert_eq!(employers("place of employment golden corral"), ["golden corral"]);
        assert_eq!(
            employers("my employer would be blue ridge landscaping"),
            ["blue ridge landscaping"]
        );
        assert_eq!(employers("i just started at golden corral"), ["golden corral"]);
        for text in [
            "i've been with my husband for ten years",
            "i've been with golden corral",
            "the pain is where i work out",
            "yeah the gym is where i work out",
            "it started at 5 mg",
            "she started at the hospital",
            "my employer wants a note",
        ] {
            assert!(employers(text).is_empty(), "{text}: {:?}", employers(text));
        }
    }

    #[test]
    fn plain_word_names_in_speech_to_text() {
        assert_eq!(employers("i work at golden corral on weekends"), ["golden corral"]);
        assert_eq!(employers("she works for blue ridge landscaping"), ["blue ridge landscaping"]);
        for text in [
            "i work at a nursing home on nights",
            "i work at the grocery store down the street",
            "i work for very little money honestly",
            "i work at the front desk",
            "i work for social services",
            "she has been meeting w/ social work for emotional support",
            "suctioning t/o the shift. at one point last evening",
            "I WORK AT THE CAR WASH",
        ] {
            assert!(employers(text).is_empty(), "{text}: {:?}", employers(text));
        }
    }

    #[test]
    fn generic_places_are_not_employers() {
        assert!(employers("I work from home and work at least 50 hours").is_empty());
        assert!(employers("i work for a bank downtown").is_empty());
        assert!(employers("he works at the hospital as a nurse").is_empty());
        assert!(employers("worked for 20 years as a machinist").is_empty());
        assert!(employers("Patient admitted to Mercy Hospital with chest pain").is_empty());
        assert!(employers("i work at night and sleep days").is_empty());
    }

    #[test]
    fn company_suffixes() {
        assert_eq!(employers("Claims go to Delgado Inc. by Friday"), ["Delgado Inc."]);
        assert_eq!(employers("a letter from Harrow Holdings PLC arrived"), ["Harrow Holdings PLC"]);
        assert_eq!(employers("Procter & Gamble Co. makes soap"), ["Procter & Gamble Co."]);
        assert!(employers("the company called; co-pay is due, CO 5.2").is_empty());
    }

    #[test]
    fn more_work_contexts() {
        assert_eq!(
            employers("Hi, this is Dana calling from Blue Harbor Insurance about a claim"),
            ["Blue Harbor Insurance"]
        );
        assert_eq!(employers("My employer is Lockheed Martin."), ["Lockheed Martin"]);
        assert_eq!(employers("PT WORKS AT RAYTHEON AS AN ENGINEER"), ["RAYTHEON"]);
        assert_eq!(
            employers("he was laid off from Ford Motor Company last year"),
            ["Ford Motor Company"]
        );
        assert_eq!(employers("she has a job with Acme & Sons Ltd."), ["Acme & Sons Ltd."]);
        assert_eq!(employers("i'm a cashier at costco"), ["costco"]);
        assert_eq!(
            employers("yes ma'am, this is ray from abc medical supply, calling about an order"),
            ["abc medical supply"]
        );
    }

    #[test]
    fn job_titles_and_fillers_name_the_workplace() {
        assert_eq!(employers("i'm a cashier at trader joe's"), ["trader joe's"]);
        assert_eq!(employers("i drive for ups"), ["ups"]);
        assert_eq!(employers("i work nights at the amazon warehouse"), ["amazon"]);
        assert_eq!(employers("my boss at state farm said i need a note"), ["state farm"]);
        assert_eq!(employers("i teach at lincoln elementary"), ["lincoln elementary"]);
        assert_eq!(employers("he works at the ford plant"), ["ford"]);
        assert_eq!(employers("she's a manager at olive garden"), ["olive garden"]);
        assert_eq!(employers("I'm an accountant with Deloitte."), ["Deloitte"]);
        assert_eq!(employers("I'm a teacher at Jefferson High School."), ["Jefferson High School"]);
        assert_eq!(employers("i'm a nurse over at st joseph's"), ["st joseph's"]);
        assert_eq!(
            employers("i do construction for turner construction company"),
            ["turner construction company"]
        );
        assert_eq!(employers("she does cleaning for marriott hotels"), ["marriott hotels"]);
        assert_eq!(
            employers("can you fax the work note to my job, it's costco in san marcos"),
            ["costco"]
        );
        assert_eq!(employers("the company i work for is northrop grumman"), ["northrop grumman"]);
        assert_eq!(employers("my company is acme roofing"), ["acme roofing"]);
        assert_eq!(employers("i work in the kitchen at applebee's"), ["applebee's"]);
        assert_eq!(employers("i'm on the night crew at fedex"), ["fedex"]);
        assert_eq!(
            employers("my employer, sunrise senior living, needs the form"),
            ["sunrise senior living"]
        );
        assert_eq!(employers("My workplace is Brightline Logistics."), ["Brightline Logistics"]);
        // Not jobs, not employers.
        for t in [
            "i work out at the ymca on weekends",
            "my company is coming over tonight so i can't",
            "the work for is done",
            "i'm a patient at your clinic",
            "i'm a member with blue shield",
            "i'm a new patient at the clinic",
            "she's a student at lincoln elementary",
            "i'm a little worried about the rash",
            "i work out at the gym",
            "had neuro work up at OH after the seizure",
            "i do it for my kids",
            "i do dialysis for three hours",
            "my boss at work said to call",
            "he works nights at home",
        ] {
            assert!(employers(t).is_empty(), "{t}: {:?}", employers(t));
        }
    }

    #[test]
    fn clinical_shorthand_is_not_a_company() {
        for t in [
            "HR INC TO 110S, SEDATION INC OVERNIGHT",
            "Tube feed rate inc. to 40cc/hr; PEEP inc. to 8",
            "HR 50-58, INC ECTOPY NOTED",
            "Co-pay due; CO 5.2, CI 2.4",
        ] {
            assert!(employers(t).is_empty(), "{t}: {:?}", employers(t));
        }
    }

    #[test]
    fn affiliation_after_a_name() {
        let text = "Lotte B. Vandermeer from Keystone Capital is on the panel";
        let mut out = Vec::new();
        crate::phi::names::NamesDetector::default().detect(&Doc::new(text), &mut out);
        let emp: Vec<&str> = out
            .iter()
            .filter(|s| s.kind == PhiType::Employer && s.score >= 0.5)
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(emp, ["Keystone Capital"]);
        let text = "Dr. Smith from Mercy Hospital called back";
        let mut out = Vec::new();
        crate::phi::names::NamesDetector::default().detect(&Doc::new(text), &mut out);
        assert!(out.iter().all(|s| s.kind != PhiType::Employer));
    }

    #[test]
    fn odd_input() {
        for s in ["", "Inc", "work at", "employed by ", "Employer:", "LLC LLC", "at & t Inc"] {
            let _ = employers(s);
        }
    }
    #[test]
    fn a_caller_turn_answering_the_employer_question() {
        assert_eq!(
            employers("Agent: And who is your employer? Caller: Delgado Trucking."),
            ["Delgado Trucking"]
        );
        assert_eq!(
            employers(
                "Agent: Who's your employer, for the claim? Caller: It's Whitfield Manufacturing."
            ),
            ["Whitfield Manufacturing"]
        );
        assert_eq!(
            employers("Agent: Where do you work? Caller: At Maple Grove Veterinary Clinic."),
            ["Maple Grove Veterinary Clinic"]
        );
        assert_eq!(employers("Agent: What company do you work for? Caller: Kroger."), ["Kroger"]);
        // Reply words, not names; and a question from an earlier exchange.
        for text in [
            "Agent: Where do you work? Caller: Sorry, what?",
            "Agent: Who is your employer? Caller: Unemployed right now.",
            "Agent: Who is your employer? Caller: Self-employed.",
            "Agent: Who is your employer? Caller: Why do you need that?",
            "Agent: Is your employer still the same? Caller: Yes. Agent: Great. Caller: Thanks Again.",
            "Agent: I will send it to your employer. Caller: Great Thanks.",
        ] {
            assert!(employers(text).is_empty(), "{text}: {:?}", employers(text));
        }
    }

    #[test]
    fn employer_named_beside_my_employer_my_work_and_hr() {
        assert_eq!(
            employers("It's a workers' comp claim with my employer Ortiz Landscaping."),
            ["Ortiz Landscaping"]
        );
        assert_eq!(
            employers("My insurance comes through my work, Hartwell Financial."),
            ["Hartwell Financial"]
        );
        assert_eq!(
            employers("Can you fax it to my HR department at Bluewater Marine?"),
            ["Bluewater Marine"]
        );
        assert_eq!(employers("I got hurt at work, at Ironwood Steel."), ["Ironwood Steel"]);
        assert_eq!(
            employers("The note should go to Greenline Transit, that's where I work."),
            ["Greenline Transit"]
        );
        assert_eq!(employers("I've been at Tyson Foods for ten years."), ["Tyson Foods"]);
        for text in [
            "My employer wants a note.",
            "It was my job, Doctor.",
            "My work, honestly, is too much.",
            "I got hurt at work, at about 3 pm.",
            "I've been at Mercy Hospital since Tuesday.",
            "I've been at Sunrise Rehab for two weeks.",
        ] {
            assert!(employers(text).is_empty(), "{text}: {:?}", employers(text));
        }
    }
    #[test]
    fn hiring_payroll_employee_of_and_roles_after_the() {
        assert_eq!(
            employers("I'm the receptionist at Oakmont Family Dental."),
            ["Oakmont Family Dental"]
        );
        assert_eq!(employers("I just got hired at Riverbend Logistics."), ["Riverbend Logistics"]);
        assert_eq!(
            employers("I was hired by Clearwater Utilities last spring."),
            ["Clearwater Utilities"]
        );
        assert_eq!(
            employers("I'm an employee of Northstar Credit Union."),
            ["Northstar Credit Union"]
        );
        assert_eq!(
            employers("Can you send the work note to Ridgeway Construction?"),
            ["Ridgeway Construction"]
        );
        assert_eq!(
            employers("I'm on the payroll at Greenway Landscaping."),
            ["Greenway Landscaping"]
        );
        assert_eq!(employers("I'm part-time at Barnes & Noble."), ["Barnes & Noble"]);
        for text in [
            "I'm the one at the front desk.",
            "I'm the patient at Mercy Hospital.",
            "I'm part-time at home.",
            "Please send the work note to me.",
            "i'm an employee of the month",
            "I'm the first at Dr. Lee's office today.",
        ] {
            assert!(employers(text).is_empty(), "{text}: {:?}", employers(text));
        }
    }

    #[test]
    fn departments_breaks_trades_and_owned_businesses() {
        for (text, org) in [
            ("Caller: I'm in IT at Vertex Systems, so after five works.", "Vertex Systems"),
            ("Caller: I'm in the warehouse at Pacific Freight most days.", "Pacific Freight"),
            ("Caller: I'm staff at Lakeview Elementary.", "Lakeview Elementary"),
            ("Caller: I'm calling on my lunch break from Harmon Logistics.", "Harmon Logistics"),
            ("Caller: I'm on break from Westfield Mall right now.", "Westfield Mall"),
            ("Caller: I clean offices for Sparkle Janitorial at night.", "Sparkle Janitorial"),
            ("Caller: I wait tables at the Blue Heron Diner on weekends.", "Blue Heron Diner"),
            ("Caller: I work nights at Ridgeline Packaging.", "Ridgeline Packaging"),
            ("Caller: I run Delgado Landscaping with my brother.", "Delgado Landscaping"),
        ] {
            assert_eq!(employers(text), [org], "{text}");
        }
        for text in [
            "Caller: I own a car, so I can drive myself.",
            "Caller: I'm in pain at night, mostly.",
            "Caller: I'm calling on my lunch break from work.",
            "Caller: I'm in IT, so I sit a lot.",
            "Caller: I run every morning before breakfast.",
            "Caller: I'm staff at the front desk, how can I help?",
            "Caller: I cook dinner for my kids.",
            "Caller: I'm in the pharmacy at Walgreens right now.",
            "Caller: I'm in the office at Dr. Lee's.",
            "Caller: I work nights at the moment, so call after noon.",
            "Caller: I wait tables at night and sleep all day.",
        ] {
            assert!(employers(text).is_empty(), "{text}: {:?}", employers(text));
        }
    }
}

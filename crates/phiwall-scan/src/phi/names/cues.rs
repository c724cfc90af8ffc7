//! Names in speech-to-text that no capital letter and no introduction marks: the grammar around
//! them says "person".
//!
//! Speech-to-text writes everything in lower case, so names the lexicon does not know ("jia
//! hao", "petrenko", "quoc bao") have only their surroundings to go by. Cues that only a person
//! fills, for a run of one to three tokens that could be a name (not a closed-class word, a
//! relative word, a plain dictionary word, a drug, a payer or pharmacy brand, a day):
//! - the subject of a speech verb at the start of a clause: "jia hao said the doctor would call";
//! - coordination with "me": "me and quoc bao both need flu shots";
//! - an apposition naming the relation or a role: "it's for ha neul, my wife", "the nurse,
//!   grace, said";
//! - the person addressed: "can i talk to petrenko", "is petrenko there", "tell jia hao to call".
//!
//! These run on [`CaseMode::Lower`] text only, except the relation apposition, which also runs
//! on capitalised tokens in mixed case; elsewhere in mixed case the capital-letter rules of
//! [`super::person`] cover these places, and in upper case nothing here runs. [`extend_names`]
//! then grows half-found names in mixed and lower case.

use super::context::is_relative;
use super::person::{has_word_morphology, is_drug_like, is_speech_verb};
use super::tokens::{CaseMode, Shape, Tokens};
use crate::detector::Span;
use crate::types::PhiType;

/// Most tokens in one cued name.
const MAX_RUN: usize = 3;

/// Push NAME spans for the cues above (lower case only) and by the appositive cue in any case.
pub(crate) fn detect_tokens(t: &Tokens, out: &mut Vec<Span>) {
    if t.mode() == CaseMode::Upper {
        return;
    }
    if t.mode() == CaseMode::Mixed {
        mixed_appositions(t, out);
        return;
    }
    let mut i = 0;
    while i < t.len() {
        let hit = speech_subject(t, i)
            .map(|last| (last, 0.55))
            .or_else(|| with_me(t, i).map(|last| (last, 0.55)))
            .or_else(|| apposition(t, i).map(|last| (last, 0.6)))
            .or_else(|| addressee(t, i).map(|last| (last, 0.55)))
            .or_else(|| role_apposition(t, i).map(|last| (last, 0.6)));
        match hit {
            Some((last, score)) => {
                if let (Some(a), Some(b)) = (t.get(i), t.get(last)) {
                    out.push(Span::new(a.start, b.end, PhiType::Name, score, "name_cue"));
                }
                i = last + 1;
            }
            None => i += 1,
        }
    }
}

/// Grow NAME spans in `out[from..]` by one adjacent token that is a name part no rule took
/// ("Quoc [Bao]", "Abdulrahman [Al-Harbi]"): a capitalised token no word list knows, or a lexicon
/// name that is not a word, in mixed case; an unknown token in lower case. A half-found name
/// leaks the other half, so an unknown neighbour is taken with the part that was found.
pub(crate) fn extend_names(t: &Tokens, out: &mut Vec<Span>, from: usize) {
    if t.mode() == CaseMode::Upper {
        return;
    }
    let names: Vec<Span> = out
        .get(from..)
        .unwrap_or(&[])
        .iter()
        .filter(|s| s.kind == PhiType::Name && s.score >= 0.5)
        .copied()
        .collect();
    if names.is_empty() {
        return;
    }
    let mut starts: Vec<(usize, f32)> = names.iter().map(|s| (s.start, s.score)).collect();
    let mut ends: Vec<(usize, f32)> = names.iter().map(|s| (s.end, s.score)).collect();
    starts.sort_by_key(|x| x.0);
    ends.sort_by_key(|x| x.0);
    let find = |v: &[(usize, f32)], at: usize| {
        v.binary_search_by_key(&at, |x| x.0).ok().and_then(|i| v.get(i)).map(|x| x.1)
    };
    for k in 0..t.len() {
        let Some(x) = t.get(k) else { continue };
        // The name ends at token k and token k+1 is a loose part.
        if let Some(score) = find(&ends, x.end) {
            if super::continues_name(t, k + 1) && loose_part(t, k + 1) {
                if let Some(y) = t.get(k + 1) {
                    out.push(Span::new(x.start, y.end, PhiType::Name, score, "name_cue"));
                }
            } else if inverted_given(t, k + 1) {
                if let Some(y) = t.get(k + 1) {
                    out.push(Span::new(y.start, y.end, PhiType::Name, score, "name_cue"));
                }
            }
        }
        // The name starts at token k and token k-1 is a loose part.
        if let Some(score) = find(&starts, x.start) {
            if k > 0 && super::continues_name(t, k) && loose_part(t, k - 1) {
                if let Some(w) = t.get(k - 1) {
                    out.push(Span::new(w.start, x.end, PhiType::Name, score, "name_cue"));
                }
            } else if k > 0 && inverted_surname(t, k - 1) {
                if let Some(w) = t.get(k - 1) {
                    out.push(Span::new(w.start, w.end, PhiType::Name, score, "name_cue"));
                }
            }
        }
    }
}

/// "Nwachukwu, Obiageli - DOB 3/9/1958", "Zhao, Xinyi (MRN ...)": in mixed case, after a found
/// name and a comma, a loose part followed by a record field is the given name of an EHR "Last,
/// First" (the name chain stops at a comma, so a given name no list knows had no evidence).
fn inverted_given(t: &Tokens, k: usize) -> bool {
    let after_comma =
        t.get(k).is_some_and(|x| x.gap.has_comma && !x.gap.has_newline && x.gap.len <= 2);
    let field_next = t.get(k + 1).is_some_and(|n| !n.gap.has_newline && n.gap.len <= 4)
        && (super::person::is_record_label(t.low(k + 1)) || sex_and_age_at(t, k + 1));
    t.mode() == CaseMode::Mixed && after_comma && field_next && loose_part(t, k)
}

/// Sex and age as a record line writes them after a name: "F 67", "M, 45", "67 F", "45 yo"
/// (session 19: "Pt Ogunleye, Folasade F 67").
fn sex_and_age_at(t: &Tokens, k: usize) -> bool {
    let is_sex = |j: usize| matches!(t.low(j), "m" | "f" | "male" | "female");
    let is_age = |j: usize| {
        t.get(j).is_some_and(|x| x.shape == Shape::Number && !x.gap.has_newline)
            && t.low(j).parse::<u32>().is_ok_and(|a| a <= 120)
    };
    let age_unit = |j: usize| matches!(t.low(j), "yo" | "y/o" | "yrs" | "years" | "year");
    (is_sex(k) && is_age(k + 1)) || (is_age(k) && (is_sex(k + 1) || age_unit(k + 1)))
}

/// "EHR request: Nguyen, Bao Chau, MRN ...": in mixed case, a surname of the lexicon (not an
/// English word) right before a comma and a found given name, at the start of a line, after a
/// label's colon or after "for"/"pt"/"patient", is the family name of an EHR "Last, First".
fn inverted_surname(t: &Tokens, k: usize) -> bool {
    let Some(x) = t.get(k) else { return false };
    let comma_next = t.get(k + 1).is_some_and(|n| {
        n.gap.has_comma && !n.gap.has_newline && !n.gap.has_stop && n.gap.len <= 2
    });
    let opens = k == 0
        || x.gap.has_newline
        || x.gap.has_colon
        || (k > 0 && matches!(t.low(k - 1), "for" | "pt" | "patient" | "re"));
    let surname = x.entry.is_some_and(|e| e.surname > 0 && !e.is_word && !e.is_stop);
    t.mode() == CaseMode::Mixed
        && x.shape == Shape::Cap
        && comma_next
        && opens
        && surname
        && t.title(k).is_none()
        && !crate::phi::tagger::is_organization(t.low(k))
}

/// A token beside a found name that is a part of it: see [`extend_names`].
fn loose_part(t: &Tokens, k: usize) -> bool {
    let Some(x) = t.get(k) else { return false };
    let low = t.low(k);
    let shape_ok = match t.mode() {
        CaseMode::Mixed => x.shape == Shape::Cap,
        _ => x.shape == Shape::Lower,
    };
    let unknown_or_name = match x.entry {
        None => true,
        Some(e) => t.mode() == CaseMode::Mixed && e.is_name() && !e.is_word && !e.is_stop,
    };
    shape_ok
        && unknown_or_name
        && low.chars().count() >= 2
        && t.title(k).is_none()
        && !t.is_closed(k)
        && !is_relative(low)
        && !has_word_morphology(low)
        && !is_drug_like(low)
        && !crate::phi::tagger::is_organization(low)
        && !crate::phi::tagger::is_weekday(low)
}

/// Token `k` could be part of a name: a lexicon name that is not a stop term, or a token no
/// word list knows that does not look like an English or clinical word.
fn could_be_name(t: &Tokens, k: usize) -> bool {
    let Some(x) = t.get(k) else { return false };
    let low = t.low(k);
    if matches!(x.shape, Shape::Number | Shape::Initial)
        || low.chars().count() < 2
        || !low.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        || t.is_closed(k)
        || is_relative(low)
        || is_drug_like(low)
        || crate::phi::tagger::is_organization(low)
        || crate::phi::tagger::is_weekday(low)
    {
        return false;
    }
    match x.entry {
        Some(e) => e.is_name() && !e.is_stop && !(e.is_word && e.name_class() < 2),
        None => !has_word_morphology(low),
    }
}

/// The last token of the longest name run starting at `a` (one to [`MAX_RUN`] tokens joined by
/// spaces or one hyphen).
fn run_from(t: &Tokens, a: usize) -> Option<usize> {
    if !could_be_name(t, a) {
        return None;
    }
    let mut last = a;
    while last + 1 < a + MAX_RUN && super::continues_name(t, last + 1) && could_be_name(t, last + 1)
    {
        last += 1;
    }
    Some(last)
}

/// Token `i` opens a clause: the text's start, punctuation before it, or a discourse word.
fn clause_start(t: &Tokens, i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let Some(x) = t.get(i) else { return false };
    !x.gap.is_space()
        || matches!(
            t.low(i - 1),
            "and"
                | "but"
                | "so"
                | "yeah"
                | "yes"
                | "oh"
                | "well"
                | "then"
                | "um"
                | "uh"
                | "okay"
                | "hi"
                | "hello"
                | "hey"
                | "ok"
                | "because"
                | "cause"
        )
}

/// "jia hao said ...": a name run opening a clause, then a speech verb.
fn speech_subject(t: &Tokens, i: usize) -> Option<usize> {
    if !clause_start(t, i) {
        return None;
    }
    let last = run_from(t, i)?;
    let verb = last + 1;
    let ok = t.get(verb).is_some_and(|x| x.gap.is_space()) && is_speech_verb(t.low(verb));
    // One short token alone is too little ("ma said", "ok said").
    let enough = last > i || t.low(i).chars().count() >= 4;
    (ok && enough).then_some(last)
}

/// "me and quoc bao both ...": a name run coordinated with "me".
fn with_me(t: &Tokens, i: usize) -> Option<usize> {
    let joined = |k: usize| t.get(k).is_some_and(|x| x.gap.is_space());
    if i < 2 || t.low(i - 1) != "and" || t.low(i - 2) != "me" || !joined(i) || !joined(i - 1) {
        return None;
    }
    run_from(t, i)
}

/// "it's for ha neul, my wife": a name run, a comma, then "my/his/her/our" and a relative word.
fn apposition(t: &Tokens, i: usize) -> Option<usize> {
    if !opens_apposition(t, i) {
        return None;
    }
    let last = run_from(t, i)?;
    relation_follows(t, last).then_some(last)
}

/// Token `i` may open a name in apposition: a clause start or a preposition or verb before it.
fn opens_apposition(t: &Tokens, i: usize) -> bool {
    clause_start(t, i)
        || (i >= 1
            && matches!(
                t.low(i - 1),
                "for" | "is" | "it's" | "its" | "to" | "with" | "about" | "call" | "tell" | "ask"
            ))
}

/// A comma after token `last`, then "my/his/her/our/their" and a relative word.
fn relation_follows(t: &Tokens, last: usize) -> bool {
    t.get(last + 1).is_some_and(|x| x.gap.has_comma && !x.gap.has_newline)
        && matches!(t.low(last + 1), "my" | "his" | "her" | "our" | "their")
        && t.get(last + 2).is_some_and(|x| x.gap.is_space())
        && is_relative(t.low(last + 2))
}

/// "It's for Ha Neul, my wife": in mixed case, one to three capitalised tokens (one of them no
/// dictionary word) before a comma and a relation, as [`apposition`] reads lower case.
fn mixed_appositions(t: &Tokens, out: &mut Vec<Span>) {
    let part = |k: usize| {
        let low = t.low(k);
        t.get(k).is_some_and(|x| x.shape == Shape::Cap)
            && !t.is_closed(k)
            && t.title(k).is_none()
            && !is_relative(low)
            && !crate::phi::tagger::is_organization(low)
            && !crate::phi::tagger::is_weekday(low)
    };
    for i in 1..t.len() {
        if !(opens_apposition(t, i) && part(i)) {
            continue;
        }
        let mut last = i;
        while last + 1 < i + MAX_RUN && super::continues_name(t, last + 1) && part(last + 1) {
            last += 1;
        }
        let distinct =
            (i..=last).any(|k| t.get(k).is_some_and(|x| x.entry.is_none_or(|e| !e.is_word)));
        if let (true, true, Some(a), Some(b)) =
            (distinct, relation_follows(t, last), t.get(i), t.get(last))
        {
            out.push(Span::new(a.start, b.end, PhiType::Name, 0.6, "name_cue"));
        }
    }
}

/// "the nurse, grace, said": a name run between commas right after a role noun that follows a
/// determiner ("the charge nurse, amara, ...", "my case manager, quoc bao, ...").
fn role_apposition(t: &Tokens, i: usize) -> Option<usize> {
    let gap_comma = |k: usize| t.get(k).is_some_and(|x| x.gap.has_comma && !x.gap.has_newline);
    if i < 2 || !gap_comma(i) {
        return None;
    }
    let role = t.low(i - 1);
    let is_role = super::context::ROLE_WORDS.contains(&role)
        || matches!(role, "nurse" | "doctor" | "receptionist" | "scheduler" | "navigator");
    let determiner = |k: usize| matches!(t.low(k), "the" | "my" | "your" | "our" | "his" | "her");
    if !is_role || !(determiner(i - 2) || (i >= 3 && determiner(i - 3))) {
        return None;
    }
    let last = run_from(t, i)?;
    gap_comma(last + 1).then_some(last)
}

/// "talk to petrenko", "speak with jia hao", "is petrenko there", "tell jia hao to call".
fn addressee(t: &Tokens, i: usize) -> Option<usize> {
    if i < 1 || !t.get(i).is_some_and(|x| x.gap.is_space()) {
        return None;
    }
    let prev = t.low(i - 1);
    let before = if i >= 2 { t.low(i - 2) } else { "" };
    let prev_joined = t.get(i - 1).is_some_and(|x| x.gap.is_space());
    let after_verb = prev_joined
        && match prev {
            "to" | "with" => matches!(before, "talk" | "speak" | "talking" | "speaking" | "spoke"),
            "for" => matches!(before, "ask" | "asking" | "asked"),
            _ => false,
        };
    let is_there = prev == "is" && clause_start(t, i - 1);
    let tell = prev == "tell";
    if !(after_verb || is_there || tell) {
        return None;
    }
    let last = run_from(t, i)?;
    let next = t.low(last + 1);
    let next_gap = t.get(last + 1).map(|x| x.gap);
    let ends = next_gap.is_none_or(|g| !g.is_space());
    let fits = if is_there {
        next == "there" && next_gap.is_some_and(|g| g.is_space())
    } else if tell {
        next == "to" && next_gap.is_some_and(|g| g.is_space())
    } else {
        ends || matches!(next, "please" | "about" | "today" | "now" | "real" | "again")
    };
    fits.then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let t = Tokens::new(text);
        let mut out = Vec::new();
        detect_tokens(&t, &mut out);
        out.iter().map(|s| text[s.start..s.end].to_string()).collect()
    }

    #[test]
    fn speech_verb_subjects() {
        assert_eq!(names("ok so jia hao said the doctor would call"), ["jia hao"]);
        assert_eq!(names("yeah and petrenko told me to come in"), ["petrenko"]);
        // People named by role or relation, pronouns, brands and drugs are not names.
        assert!(names("ok so the doctor said to wait").is_empty());
        assert!(names("yeah my mom said it was fine").is_empty());
        assert!(names("ok and walgreens said it was not ready").is_empty());
        assert!(names("ok so she said the refill was sent").is_empty());
    }

    #[test]
    fn coordinated_with_me() {
        assert_eq!(names("me and quoc bao both need flu shots"), ["quoc bao"]);
        assert!(names("me and my wife both need flu shots").is_empty());
        assert!(names("me and the kids are sick").is_empty());
    }

    #[test]
    fn appositions_with_a_relation() {
        assert_eq!(names("it's for ha neul, my wife, she has a fever"), ["ha neul"]);
        assert!(names("it's for the refill, my doctor sent it").is_empty());
    }

    #[test]
    fn role_appositions() {
        assert_eq!(names("yeah the nurse, grace, said to call back"), ["grace"]);
        assert_eq!(names("my case manager, quoc bao, set it up"), ["quoc bao"]);
        assert!(names("the nurse, however, said to call back").is_empty());
        assert!(names("the nurse, the doctor, and me").is_empty());
    }

    #[test]
    fn people_addressed() {
        assert_eq!(
            names("hi is petrenko there? i need to talk to petrenko"),
            ["petrenko", "petrenko"]
        );
        assert_eq!(names("can you tell jia hao to call me back"), ["jia hao"]);
        assert!(names("can i talk to someone about my bill").is_empty());
        assert!(names("i need to speak to pharmacy please").is_empty());
        assert!(names("is tomorrow there a slot").is_empty());
    }

    #[test]
    fn mixed_case_is_left_to_the_capital_rules() {
        assert!(names("Me and Quoc Bao both need flu shots. Jia Hao said so.").is_empty());
        assert_eq!(names("It's for Ha Neul, my wife."), ["Ha Neul"]);
        assert!(names("It's for Thursday, my wife said.").is_empty());
    }

    fn extended(text: &str, found: &str) -> Vec<String> {
        let t = Tokens::new(text);
        let at = text.find(found).unwrap_or(0);
        let mut out = vec![Span::new(at, at + found.len(), PhiType::Name, 0.7, "test")];
        extend_names(&t, &mut out, 0);
        out.iter().skip(1).map(|s| text[s.start..s.end].to_string()).collect()
    }

    #[test]
    fn half_found_names_grow() {
        assert_eq!(extended("Me and Quoc Bao both need flu shots.", "Bao"), ["Quoc Bao"]);
        assert_eq!(extended("Under Subramanian, Venkatesh Iyer.", "Iyer"), ["Venkatesh Iyer"]);
        assert_eq!(extended("me and quoc bao both", "bao"), ["quoc bao"]);
        // Words, titles, days, drugs and relatives are not name parts.
        assert!(extended("Saw Maria Monday.", "Maria").is_empty());
        assert!(extended("Called Dr Patel today.", "Patel").is_empty());
        assert!(extended("Maria Cardiology follow-up.", "Maria").is_empty());
        assert!(extended("Gave Lisinopril Maria.", "Maria").is_empty());
        assert!(extended("WITH MARIA LOPEZ", "MARIA").is_empty());
    }

    #[test]
    fn inverted_given_names_before_a_record_field() {
        assert_eq!(
            extended("pt Nwachukwu, Obiageli - DOB 3/9/1958 - refill", "Nwachukwu"),
            ["Obiageli"]
        );
        assert_eq!(extended("allergies for Zhao, Xinyi (MRN 00455120).", "Zhao"), ["Xinyi"]);
        // Session 19: sex and age after the given name, as a record line writes them.
        assert_eq!(
            extended("EHR request: Pt Ogunleye, Folasade F 67 - pull her MAR", "Ogunleye"),
            ["Folasade"]
        );
        assert!(extended("called Nwachukwu, Obiageli 2 times", "Nwachukwu").is_empty());
        // No record field after it, or a word: not a given name.
        assert!(extended("called Nwachukwu, Obiageli said fine", "Nwachukwu").is_empty());
        assert!(extended("saw Maria, Cardiology MRN 4411", "Maria").is_empty());
        assert!(extended("Zhao, Monday DOB 3/9/1958", "Zhao").is_empty());
    }

    #[test]
    fn inverted_surnames_before_a_found_given_name() {
        // Session 17: the family name of an EHR "Last, First" after a label or at a line start.
        assert_eq!(extended("EHR request: Nguyen, Bao Chau, MRN 4471203", "Bao Chau"), ["Nguyen"]);
        assert_eq!(extended("Garcia, Maria needs a refill", "Maria"), ["Garcia"]);
        assert_eq!(extended("labs for Okafor, Chidi today", "Chidi"), ["Okafor"]);
        // Words, greetings and mid-sentence commas are not surnames.
        assert!(extended("Thanks, Maria", "Maria").is_empty());
        assert!(extended("Yes, Maria called back", "Maria").is_empty());
        assert!(extended("I saw Garcia, Maria and the kids", "Maria").is_empty());
    }
}

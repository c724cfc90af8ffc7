//! Facilities named only by a movement cue: "transferred to GH", "admitted from Quartermain 2",
//! "medflight to UMMC", "sent to Harbor". Clinical notes name the other hospital by a short
//! name or abbreviation without a head noun like "Hospital" (those are the facility detector's
//! job in `address.rs`).
//!
//! The name is one word (or two Title Case words: "Franklin Square") right after a movement verb
//! and "to", "from", "into" or "at", and must look like a proper name: an abbreviation or a
//! capitalised word in mixed-case text, or a short abbreviation in lower-case text. Units,
//! services and places inside the hospital ("MICU", "the floor", "cath lab", "rehab", "home")
//! are never names; that list is the precision of this rule.

use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;
use regex::Regex;
use std::sync::LazyLock;

/// A movement verb and its preposition, ending where the name would start. "Sent" and "came"
/// take only "to" ("cultures sent from the line", "came in at midnight" name no place), and
/// "returned to" / "taken to" are left out (a rhythm, a ventilator mode or a scan follows them
/// more often than a hospital).
static CUE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?:transferred|transfered|transferring|transfer|trans|tx|txed|admitted|readmitted|admit|adm|medflighted|medflight|flown|brought|referred|discharged)(?:[ \t]+(?:back|over|directly|in))?[ \t]+(?:to|from|into)|(?:sent|came)(?:[ \t]+(?:back|in|over))?[ \t]+to|(?:arrived|presented|presenting)(?:[ \t]+(?:back|in|directly))?[ \t]+(?:to|at|from))[ \t]+(?:the[ \t]+)?",
    )
    .ok()
});

/// Places, units and services that follow a movement cue and are not a facility's name
/// (lowercase).
const NOT_A_FACILITY: &[&str] = &[
    "a",
    "an",
    "another",
    "any",
    "bed",
    "cardiology",
    "care",
    "cath",
    "ccu",
    "csru",
    "ct",
    "cticu",
    "cvicu",
    "dialysis",
    "dr",
    "echo",
    "ed",
    "endo",
    "endoscopy",
    "er",
    "ew",
    "ficu",
    "floor",
    "floors",
    "gi",
    "hd",
    "her",
    "his",
    "holding",
    "home",
    "hosp",
    "hospice",
    "hospital",
    "icu",
    "imaging",
    "ir",
    "lab",
    "labs",
    "ltac",
    "ltach",
    "md",
    "medicine",
    "micu",
    "mri",
    "my",
    "neuro",
    "nh",
    "nicu",
    "nsicu",
    "nursing",
    "ob",
    "or",
    "osh",
    "other",
    "our",
    "outside",
    "pacu",
    "pharmacy",
    "picu",
    "post",
    "pre",
    "radiology",
    "recovery",
    "rehab",
    "rm",
    "room",
    "same",
    "sdu",
    "service",
    "sicu",
    "snf",
    "step",
    "stepdown",
    "surgery",
    "team",
    "tele",
    "telemetry",
    "their",
    "this",
    "ticu",
    "tsicu",
    "unit",
    "units",
    "us",
    "vicu",
    "ward",
    "x",
    "xray",
    "your",
    "him",
    "them",
    "me",
    "you",
    "it",
    "be",
    "pt",
    "patient",
    "family",
    "husband",
    "wife",
    "son",
    "daughter",
    "mother",
    "father",
    "bathroom",
    "chair",
    "bedside",
    "commode",
    "cardiac",
    "vascular",
    "ortho",
    "orthopedics",
    "oncology",
    "ent",
    "psych",
    "psychiatry",
    "burn",
    "trauma",
    "transplant",
    "renal",
    "nephrology",
    "pulmonary",
    "pulm",
    "heme",
    "onc",
    "derm",
    "urology",
    "neurology",
    "neurosurgery",
    "nsgy",
    "cvs",
    "cts",
    "anesthesia",
    "er's",
    "ed's",
    "emergency",
    "intensive",
    "acute",
    "long",
    "short",
    "skilled",
    "assisted",
    "inpatient",
    "outpatient",
    "clinic",
    "office",
    "nursing home",
    "lunch",
    "dinner",
    "breakfast",
    "work",
    "school",
    "nsg",
    "day",
    "night",
    "pcu",
    "imcu",
    "med",
    "surg",
    "va",
    "bb",
    "blood",
    "bank",
    "sc",
    "sq",
    "iv",
    "po",
    "im",
    "oh",
    "that",
    // Departments and services a patient is referred to (session 18: "Referred to Behavioral
    // Health").
    "behavioral",
    "mental",
    "social",
    "physical",
    "occupational",
    "speech",
    "palliative",
    "pain",
    "sleep",
    "wound",
    "infectious",
    "endocrinology",
    "gastroenterology",
    "hematology",
    "dermatology",
    "rheumatology",
    "ophthalmology",
    "podiatry",
    "pediatrics",
    "gynecology",
    "nutrition",
    "case",
    "primary",
    "urgent",
    "allergy",
    "audiology",
    "genetics",
    "interventional",
    "spine",
    "sports",
    "geriatrics",
    "integrative",
    "dental",
    "optometry",
    "lactation",
    "diabetes",
    "memory",
    "these",
    "those",
    "there",
    "here",
    "vent",
    "ventilator",
    "cpap",
    "bipap",
    "simv",
    "imv",
    "ps",
    "nsr",
    "trach",
    "line",
    "lines",
    "tlc",
    "picc",
    "visit",
    "new",
    "previous",
    "prior",
    "baseline",
];

fn is_excluded(word: &str) -> bool {
    let w = word.trim_end_matches(['.', ',', ';', ':']).to_ascii_lowercase();
    NOT_A_FACILITY.contains(&w.as_str())
}

/// A word's letters: ASCII letters with inner `'` or `-` ("kessler-adventist").
fn word_at(t: &str, start: usize) -> Option<&str> {
    let rest = t.get(start..)?;
    let len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && (c == '-' || c == '\''))))
        .map_or(rest.len(), |(i, _)| i);
    let w = rest.get(..len)?.trim_end_matches(['-', '\'']);
    (!w.is_empty()).then_some(w)
}

fn is_upper(w: &str) -> bool {
    w.chars().all(|c| !c.is_ascii_lowercase())
}

fn is_title(w: &str) -> bool {
    let mut cs = w.chars();
    cs.next().is_some_and(|c| c.is_ascii_uppercase()) && cs.any(|c| c.is_ascii_lowercase())
}

/// ADDRESS spans for facilities after movement cues.
#[derive(Debug, Default, Clone, Copy)]
pub struct TransferDestinations;

/// This family's detector, with its pattern compiled now rather than on the first scan.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    LazyLock::force(&CUE_RE);
    LazyLock::force(&OUTSIDE_HOSPITAL_RE);
    vec![Box::new(TransferDestinations)]
}

impl Detector for TransferDestinations {
    fn name(&self) -> &'static str {
        "address_transfer"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = CUE_RE.as_ref() else { return };
        let t = doc.text;
        let letters = t.chars().filter(char::is_ascii_alphabetic).count().max(1);
        let lowers = t.chars().filter(char::is_ascii_lowercase).count();
        // Text written mostly in capitals (common in nursing notes) or mostly in lower case.
        let is_caps_text = lowers * 10 < letters;
        let is_lower_text = t.chars().filter(char::is_ascii_uppercase).count() * 20 < letters;
        for m in re.find_iter(t) {
            let Some(w) = word_at(t, m.end()) else { continue };
            if is_excluded(w) || w.len() < 2 {
                continue;
            }
            let (ok, score) = if is_upper(w) && w.len() <= 5 && !is_caps_text {
                // An abbreviation in mixed-case text: "transferred to GH", "sent to UMMC".
                (true, 0.7)
            } else if is_upper(w) && is_caps_text && w.len() <= 12 {
                // Capitals everywhere: only the unit list tells a name from a word.
                (true, 0.55)
            } else if is_title(w) && !is_caps_text && !is_lower_text {
                (true, 0.6)
            } else if is_lower_text && w.len() <= 4 && !w.contains(['-', '\'']) {
                // "sent to gh": a short lower-case abbreviation.
                (true, 0.5)
            } else {
                (false, 0.0)
            };
            if !ok {
                continue;
            }
            let start = m.end();
            let mut end = start + w.len();
            // A second Title Case word belongs to the name ("Franklin Square", "U Maryland").
            let after = t.get(end..).unwrap_or("");
            let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
            if gap > 0 {
                if let Some(w2) = word_at(t, end + gap) {
                    let joins = (is_title(w) || is_upper(w)) && is_title(w2) && !is_excluded(w2);
                    if joins && !is_caps_text {
                        end += gap + w2.len();
                    }
                }
            }
            out.push(Span::new(start, end, PhiType::Address, score, self.name()));
        }
        outside_hospital_names(t, out);
    }
}

/// An outside hospital named in parentheses after the note's word for it (session 18): "from
/// OSH (Atrium) on heparin", "seen at an outside hospital (Sycamore Medical)". The parentheses
/// right after "OSH" hold the hospital's name, in Title Case or capitals.
static OUTSIDE_HOSPITAL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?-u:\b)(?:OSH|osh)|(?i:(?-u:\b)(?:outside|referring|other|another|previous|prior)[ \t]+(?:hospital|facility|hosp|institution|ed|er)))[ \t]*\(([A-Z][A-Za-z'.&-]+(?:[ \t]+[A-Z][A-Za-z'.&-]+){0,3})\)",
    )
    .ok()
});

fn outside_hospital_names(t: &str, out: &mut Vec<Span>) {
    if !t.contains('(') {
        return;
    }
    let Some(re) = OUTSIDE_HOSPITAL_RE.as_ref() else { return };
    for c in re.captures_iter(t) {
        let Some(name) = c.get(1) else { continue };
        // "OSH (ED)", "outside hospital (CT)": a unit or test, not a name.
        if is_excluded(name.as_str()) {
            continue;
        }
        out.push(Span::new(name.start(), name.end(), PhiType::Address, 0.7, "address_transfer"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(s: &str) -> Vec<&str> {
        let mut v = Vec::new();
        TransferDestinations.detect(&Doc::new(s), &mut v);
        v.iter().map(|sp| &s[sp.start..sp.end]).collect()
    }

    #[test]
    fn outside_hospitals_in_parentheses() {
        assert_eq!(found("Received from OSH (Atrium) on heparin gtt."), ["Atrium"]);
        assert_eq!(
            found("seen at an outside hospital (Sycamore Medical) in May"),
            ["Sycamore Medical"]
        );
        assert!(found("CT at OSH (CT head neg)").is_empty());
        assert!(found("labs from OSH (see scanned media)").is_empty());
    }

    #[test]
    fn facilities_after_movement_cues() {
        assert_eq!(found("Pt was transferred to GH for cath."), ["GH"]);
        assert_eq!(found("Plan: transfer to Quartermain 2 in am."), ["Quartermain"]);
        assert_eq!(found("presenting to Franklin Square w/ acute sob"), ["Franklin Square"]);
        assert_eq!(found("she was sent to gh for further eval. pmh: dm"), ["gh"]);
        assert_eq!(
            found("PT ADMITTED IN TRANSFER FROM CALVERT. BP STABLE. TRANSFER TO QUARTERMAIN 2."),
            ["CALVERT", "QUARTERMAIN"]
        );
    }

    #[test]
    fn units_services_and_ordinary_words_stay() {
        for s in [
            "Pt transferred to MICU overnight.",
            "sent to CT then back to the floor",
            "TRANSFERRED TO CCU. ADMITTED FROM HOME.",
            "will be discharged to rehab tomorrow",
            "taken to the OR at 0800, returned to PACU",
            "pt came to ED with chest pain",
            "transferred to another hospital",
            "referred to cardiology and sent to me",
            "brought to the bathroom with assist",
            "we talked about what to do and it came to nothing",
            "blood cultures sent from that line, then changed",
            "HR returned to NSR, 70s-80s. Pt returned to CPAP/PS 10/5",
            "tolerating transfer to sc heparin, hct stable",
            "New clot sent to BB for type and cross",
            "Referred to Behavioral Health.",
            "referred to Physical Therapy for gait training",
        ] {
            assert!(found(s).is_empty(), "{s}: {:?}", found(s));
        }
    }
}

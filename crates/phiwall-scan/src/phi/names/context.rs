//! Closed word classes the name and employer recognizers reason with: function words, titles,
//! credentials, relatives, name particles. All matching is on the lowercase token form.
//!
//! The word lists are data; one static hash table maps each listed word to the lists holding it,
//! so every class test is one lookup instead of a chain of string comparisons (these tests run
//! several times per token).

use super::lexicon::KeyHasher;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::LazyLock;

pub(crate) const CLOSED_BIT: u16 = 1 << 0;
pub(crate) const MODAL_BIT: u16 = 1 << 1;
pub(crate) const TITLE_ABBR_BIT: u16 = 1 << 2;
pub(crate) const TITLE_WORD_BIT: u16 = 1 << 3;
pub(crate) const CREDENTIAL_ANY_BIT: u16 = 1 << 4;
pub(crate) const CREDENTIAL_COMMA_BIT: u16 = 1 << 5;
pub(crate) const RELATIVE_BIT: u16 = 1 << 6;
pub(crate) const PARTICLE_BIT: u16 = 1 << 7;
pub(crate) const COMPANY_SUFFIX_BIT: u16 = 1 << 8;
/// Every lowercase token `person::trigger` can fire on: the field, role, verbal and cue lists,
/// relatives, titles and (lowercased) credentials.
pub(crate) const TRIGGER_BIT: u16 = 1 << 9;

/// Words of [`is_closed`].
const CLOSED: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "nor",
    "if",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "from",
    "with",
    "without",
    "by",
    "as",
    "into",
    "onto",
    "about",
    "over",
    "under",
    "after",
    "before",
    "since",
    "until",
    "than",
    "then",
    "so",
    "too",
    "is",
    "am",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "do",
    "does",
    "did",
    "done",
    "not",
    "no",
    "yes",
    "that",
    "this",
    "these",
    "those",
    "it",
    "its",
    "it's",
    "he",
    "she",
    "they",
    "we",
    "you",
    "i",
    "me",
    "him",
    "her",
    "them",
    "us",
    "his",
    "hers",
    "their",
    "our",
    "your",
    "my",
    "mine",
    "who",
    "whom",
    "whose",
    "which",
    "what",
    "when",
    "where",
    "why",
    "how",
    "there",
    "here",
    "very",
    "also",
    "just",
    "only",
    "really",
    "yeah",
    "ok",
    "okay",
    "um",
    "uh",
    "all",
    "any",
    "some",
    "each",
    "both",
    "either",
    "neither",
    "every",
    "other",
    "another",
    "such",
    "same",
    "now",
    "still",
    "again",
    "ever",
    "never",
    "always",
    "today",
    "tonight",
    "tomorrow",
    "yesterday",
    "please",
    "thanks",
    "thank",
    "hi",
    "hello",
    "hey",
    "via",
    "per",
    "w",
    "s",
    "i'm",
    "i've",
    "i'll",
    "i'd",
    "he's",
    "she's",
    "that's",
    "there's",
    "what's",
    "let's",
    "well",
    "like",
    "said",
    "says",
    "aware",
    "notified",
    "called",
    "paged",
    "updated",
    "informed",
    "team",
    "family",
    "pt",
    "pts",
    "patient",
    "patients",
    "md",
    "rn",
    "np",
    "nurse",
    "doctor",
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "sir",
    "madam",
    "ma'am",
];

/// Words of [`is_modal`].
const MODAL: &[&str] =
    &["will", "may", "can", "might", "must", "shall", "would", "could", "should"];

/// Abbreviated titles: [`title`] is `Some(true)`.
pub(crate) const TITLE_ABBR: &[&str] = &[
    "mr", "mrs", "ms", "mx", "dr", "drs", "dra", "prof", "sra", "srta", "mme", "mlle", "herr",
    "frau",
];

/// Spelled-out titles: [`title`] is `Some(false)`.
pub(crate) const TITLE_WORD: &[&str] = &[
    "miss",
    "mister",
    "missus",
    "doctor",
    "doctors",
    "professor",
    "nurse",
    "rev",
    "reverend",
    "pastor",
    "father",
    "sister",
    "brother",
    "señor",
    "señora",
    "senor",
    "senora",
    "coach",
    "officer",
    "judge",
    "attorney",
    "counselor",
];

/// Credentials anywhere: [`credential`] is `Some(true)` (case-sensitive).
pub(crate) const CREDENTIAL_ANY: &[&str] = &[
    "RN", "MD", "NP", "PA-C", "RRT", "CRT", "CNA", "LPN", "LVN", "PhD", "PHD", "DDS", "DMD", "RPh",
    "RPH", "PharmD", "PHARMD", "LCSW", "LICSW", "MSW", "CRNA", "DNP", "APRN", "FNP", "ANP", "ACNP",
    "NP-C", "BSN", "MSN", "CNM", "OTR", "DPT", "FACS", "FACP", "FACC", "MBBS", "PsyD", "LMFT",
    "SLP", "CPhT", "rrt", "crt", "lpn", "crna", "aprn", "lcsw", "licsw", "msw", "rph", "pharmd",
];

/// Credentials only after a comma: [`credential`] is `Some(false)`.
const CREDENTIAL_COMMA: &[&str] = &["PA", "DO", "OD", "RD", "CNS", "CCC", "MPH", "EMT", "LPC"];

/// Words of [`is_relative`].
pub(crate) const RELATIVE: &[&str] = &[
    "daughter",
    "daughters",
    "son",
    "sons",
    "wife",
    "husband",
    "spouse",
    "mother",
    "father",
    "mom",
    "mum",
    "mommy",
    "dad",
    "daddy",
    "sister",
    "sisters",
    "brother",
    "brothers",
    "sis",
    "bro",
    "aunt",
    "auntie",
    "uncle",
    "niece",
    "nieces",
    "nephew",
    "nephews",
    "cousin",
    "cousins",
    "grandson",
    "grandsons",
    "granddaughter",
    "granddaughters",
    "grandmother",
    "grandfather",
    "grandma",
    "grandpa",
    "granny",
    "grandchild",
    "grandchildren",
    "child",
    "children",
    "kids",
    "kid",
    "friend",
    "friends",
    "partner",
    "boyfriend",
    "girlfriend",
    "fiance",
    "fiancee",
    "fiancé",
    "fiancée",
    "neighbor",
    "neighbour",
    "dtr",
    "dau",
    "hcp",
    "proxy",
    "caregiver",
    "guardian",
    "stepdaughter",
    "stepson",
    "stepmother",
    "stepfather",
    "daughter-in-law",
    "son-in-law",
    "mother-in-law",
    "father-in-law",
    "sister-in-law",
    "brother-in-law",
    "godmother",
    "godfather",
    "roommate",
    "companion",
    "widow",
    "widower",
    "nok",
    "twin",
    "grandaughter",
    "neice",
    "stepsister",
    "stepbrother",
    "ex-wife",
    "ex-husband",
    "in-law",
    "in-laws",
];

/// Words of [`is_particle`].
const PARTICLE: &[&str] = &[
    "de", "del", "della", "de'", "la", "las", "los", "le", "van", "von", "der", "den", "ter",
    "ten", "bin", "ibn", "bint", "al", "el", "da", "das", "dos", "do", "di", "du", "st", "ste",
    "y", "abu", "ben", "mac", "ap",
];

/// Words of [`is_company_suffix`].
const COMPANY_SUFFIX: &[&str] = &[
    "inc",
    "llc",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "plc",
    "llp",
    "lp",
    "gmbh",
    "incorporated",
    "limited",
    "pllc",
];

/// Field labels before a colon ("Name:", "Patient:", "Signed by:").
pub(crate) const FIELD_WORDS: &[&str] = &[
    "name",
    "patient",
    "pt",
    "contact",
    "caller",
    "spouse",
    "guardian",
    "nok",
    "hcp",
    "proxy",
    "attending",
    "resident",
    "fellow",
    "physician",
    "provider",
    "pcp",
    "surgeon",
    "referring",
    "nurse",
    "rn",
    "md",
    "np",
    "by",
    "parent",
    "witness",
    "interpreter",
    "author",
    "signature",
    "recipient",
    "member",
    "subscriber",
    "insured",
    "beneficiary",
    "employee",
    "client",
    "customer",
    "applicant",
    "policyholder",
    "cardholder",
    "holder",
    "mother",
    "father",
    "daughter",
    "son",
    "wife",
    "husband",
    "cc",
    "signed",
    "dictated",
    "cosigner",
    "clinician",
    "therapist",
    "pharmacist",
    "intern",
    "scribe",
    "consultant",
    "midwife",
    "dietitian",
    "chaplain",
    "counselor",
    "sw",
    "cm",
];

/// Roles before a name ("caseworker Odette", "NP Lorna").
pub(crate) const ROLE_WORDS: &[&str] = &[
    "caseworker",
    "chaplain",
    "pharmacist",
    "therapist",
    "interpreter",
    "sw",
    "md",
    "np",
    "rn",
    "pcp",
    "attending",
    "intern",
    "surgeon",
    "physician",
    "practitioner",
    "midwife",
    "coordinator",
    "liaison",
    "counselor",
    "dietitian",
    "nutritionist",
    "aide",
    "cna",
    "paramedic",
    "technician",
    "tech",
    "rrt",
    "pastor",
    "priest",
    "rabbi",
    "imam",
    "reverend",
    "officer",
    "agent",
    "representative",
    "rep",
    "manager",
    "worker",
    "provider",
    "supervisor",
    "boss",
    "coworker",
    "co-worker",
    "foreman",
    "teacher",
    "coach",
    "landlord",
    "neighbor",
    "neighbour",
    "roommate",
    "caregiver",
    "guardian",
    "sponsor",
];

/// Verbs and greetings before a name ("per Smith", "hi Maria").
pub(crate) const VERBAL_WORDS: &[&str] = &[
    "per", "dear", "hi", "hello", "hey", "thanks", "ask", "page", "contact", "patient", "i'm",
    "im", "attn",
];

/// The last words of the multi-word and single-word cues `person::trigger` tests besides the lists
/// above, relatives, titles and credentials ("name is", "call me", "go by", "ask for", "thank
/// you", "i am", "it's", "known as", "spoke with", "talked to"...). Keep in sync with `person::trigger`.
pub(crate) const TRIGGER_CUE_WORDS: &[&str] = &[
    "name", "is", "surname", "name's", "named", "names", "me", "by", "with", "to", "for", "you",
    "am", "it's", "as",
];

/// Every listed word and the lists holding it.
static CLASSES: LazyLock<HashMap<Cow<'static, str>, u16, BuildHasherDefault<KeyHasher>>> =
    LazyLock::new(|| {
        let lists: [(&[&'static str], u16); 9] = [
            (CLOSED, CLOSED_BIT),
            (MODAL, MODAL_BIT),
            (TITLE_ABBR, TITLE_ABBR_BIT),
            (TITLE_WORD, TITLE_WORD_BIT),
            (CREDENTIAL_ANY, CREDENTIAL_ANY_BIT),
            (CREDENTIAL_COMMA, CREDENTIAL_COMMA_BIT),
            (RELATIVE, RELATIVE_BIT),
            (PARTICLE, PARTICLE_BIT),
            (COMPANY_SUFFIX, COMPANY_SUFFIX_BIT),
        ];
        let mut m = HashMap::with_capacity_and_hasher(512, BuildHasherDefault::default());
        for (words, bit) in lists {
            for w in words {
                *m.entry(Cow::Borrowed(*w)).or_insert(0) |= bit;
            }
        }
        let cues = [
            FIELD_WORDS,
            ROLE_WORDS,
            VERBAL_WORDS,
            TRIGGER_CUE_WORDS,
            RELATIVE,
            TITLE_ABBR,
            TITLE_WORD,
            CREDENTIAL_ANY,
        ];
        // Credentials are listed as written; the trigger tests the token's lowercase form.
        for w in cues.iter().flat_map(|l| l.iter()) {
            *m.entry(Cow::Owned(w.to_lowercase())).or_insert(0) |= TRIGGER_BIT;
        }
        m
    });

/// The lists holding `word` (exact match), as bits.
pub(crate) fn classes(word: &str) -> u16 {
    CLASSES.get(word).copied().unwrap_or(0)
}

/// Force the table to be built (so the first scan does not pay for it).
pub fn warm() {
    LazyLock::force(&CLASSES);
}

/// Function words, pronouns and other closed-class words that are never a name token here, even
/// when the lexicon lists them ("Will" is handled by [`is_modal`], not here).
pub fn is_closed(low: &str) -> bool {
    classes(low) & CLOSED_BIT != 0
}

/// Modal and auxiliary verbs that are also given names ("Will", "May", "Can"): a name only in the
/// strongest contexts or when followed by a surname in mixed-case text.
pub fn is_modal(low: &str) -> bool {
    classes(low) & MODAL_BIT != 0
}

/// Personal titles that precede a name. Returns `true` for the abbreviated forms that are strong
/// evidence ("Dr.", "Mr."), `false` for spelled-out words that also occur generically ("doctor").
pub fn title(low: &str) -> Option<bool> {
    let c = classes(low);
    if c & TITLE_ABBR_BIT != 0 {
        Some(true)
    } else if c & TITLE_WORD_BIT != 0 {
        Some(false)
    } else {
        None
    }
}

/// Professional credentials written after a name ("Jane Doe, RN"). `raw` is the token as written.
/// `Some(true)`: a credential wherever it stands; `Some(false)`: only after a comma, because the
/// bare form is common clinical shorthand ("PA line", "DC'd", "DO"). Upper case (or the usual
/// mixed forms "PhD") only, except a few lowercase forms that are never words ("rrt").
pub fn credential(raw: &str) -> Option<bool> {
    let c = classes(raw);
    if c & CREDENTIAL_ANY_BIT != 0 {
        Some(true)
    } else if c & CREDENTIAL_COMMA_BIT != 0 {
        Some(false)
    } else {
        None
    }
}

/// Kinship and care relations that introduce a name ("daughter Jane", "her husband Tom").
pub fn is_relative(low: &str) -> bool {
    classes(low) & RELATIVE_BIT != 0
}

/// Name particles that join parts of one name ("de la Cruz", "van der Berg", "bin Laden").
pub fn is_particle(low: &str) -> bool {
    classes(low) & PARTICLE_BIT != 0
}

/// Lowercase suffixes that mark a company ("Acme Inc", "Foo LLC").
pub fn is_company_suffix(low: &str) -> bool {
    classes(low) & COMPANY_SUFFIX_BIT != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_closed("the") && !is_closed("smith"));
        assert!(is_modal("will") && !is_modal("bill"));
        assert_eq!(title("dr"), Some(true));
        assert_eq!(title("doctor"), Some(false));
        assert_eq!(title("smith"), None);
        assert_eq!(credential("RN"), Some(true));
        assert_eq!(credential("PA"), Some(false));
        assert_eq!(credential("rn"), None);
        assert_eq!(credential("Do"), None);
        assert!(is_relative("daughter") && !is_relative("date"));
        assert!(is_particle("van") && !is_particle("smith"));
        assert!(is_company_suffix("llc") && !is_company_suffix("hospital"));
    }
}

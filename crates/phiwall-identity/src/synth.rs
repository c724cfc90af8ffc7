//! Synthetic data: FHIR bundles of fictional patients and representatives, and claimed-identity
//! utterances from true callers and impostors, for tests, the demo and the matching-quality
//! evaluation ([`evaluate`]). Deterministic for a seed (own SplitMix64, no global RNG).
//!
//! Names come from several origins (English, Hispanic, Vietnamese, Chinese, Korean, South Asian,
//! Arabic, West African, Slavic, Irish) with accents kept as written in the source language.
//! Identifiers are synthetic by construction: SSNs use the 9xx area (never issued as SSNs),
//! phones use real-looking area codes with 555 exchanges only in the fictional 01xx line range.

use crate::fhir::{self, FhirInput, PatientResource};
use crate::normalize::{Date, NICKNAMES};
use crate::verify::{ClaimedFacts, Verifier};
use serde_json::{json, Value};

/// SplitMix64: small, fast, reproducible.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    /// Next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// Pick one.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        xs.get(self.below(xs.len()))
    }
}

struct Origin {
    male: &'static [&'static str],
    female: &'static [&'static str],
    family: &'static [&'static str],
}

const ORIGINS: &[Origin] = &[
    Origin {
        male: &[
            "William", "Robert", "James", "Michael", "Richard", "Thomas", "Charles", "Edward",
            "Andrew", "Timothy", "Gregory", "Kenneth",
        ],
        female: &[
            "Margaret",
            "Elizabeth",
            "Katherine",
            "Jennifer",
            "Patricia",
            "Susan",
            "Deborah",
            "Rebecca",
            "Dorothy",
            "Victoria",
            "Abigail",
            "Judith",
        ],
        family: &[
            "Smith", "Johnson", "Williams", "Brown", "Miller", "Thompson", "Anderson", "Taylor",
            "Wright", "Campbell", "Mitchell", "Reynolds",
        ],
    },
    Origin {
        male: &[
            "Jesús",
            "José",
            "Francisco",
            "Ignacio",
            "Eduardo",
            "Guillermo",
            "Alberto",
            "Enrique",
            "Antonio",
            "Alejandro",
        ],
        female: &[
            "Guadalupe",
            "María",
            "Concepción",
            "Pilar",
            "Gabriela",
            "Lucía",
            "Ximena",
            "Rocío",
        ],
        family: &[
            "García",
            "Hernández",
            "López",
            "Martínez",
            "González",
            "Rodríguez",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Núñez",
            "Gutiérrez",
        ],
    },
    Origin {
        male: &["Minh", "Tuan", "Hieu", "Quang", "Duc"],
        female: &["Thi Anh", "Lan", "Huong", "Ngoc", "Thuy"],
        family: &["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ"],
    },
    Origin {
        male: &["Wei", "Jun", "Hao", "Zhiwei", "Jian"],
        female: &["Mei", "Xiaoling", "Yan", "Jing", "Li Na"],
        family: &["Wang", "Zhang", "Chen", "Liu", "Huang", "Zhou"],
    },
    Origin {
        male: &["Min-jun", "Seo-jun", "Ji-hoon", "Hyun-woo"],
        female: &["Ji-woo", "Seo-yeon", "Min-seo", "Ha-eun"],
        family: &["Kim", "Park", "Choi", "Jung", "Kang"],
    },
    Origin {
        male: &["Arjun", "Rohan", "Vikram", "Sanjay", "Rahul"],
        female: &["Priya", "Ananya", "Lakshmi", "Deepika", "Kavya"],
        family: &["Patel", "Sharma", "Reddy", "Iyer", "Chatterjee", "Krishnamurthy"],
    },
    Origin {
        male: &["Mohammed", "Ahmed", "Omar", "Youssef", "Khalid"],
        female: &["Fatima", "Aisha", "Layla", "Noor", "Mariam"],
        family: &["Al-Sayed", "Haddad", "Khoury", "Mansour", "Abdullah"],
    },
    Origin {
        male: &["Chinedu", "Oluwaseun", "Kwame", "Emeka", "Tunde"],
        female: &["Ngozi", "Adaeze", "Abena", "Folake", "Chiamaka"],
        family: &["Okafor", "Adeyemi", "Mensah", "Okonkwo", "Balogun"],
    },
    Origin {
        male: &["Dmitri", "Mikhail", "Tomasz", "Łukasz", "Nikolai"],
        female: &["Katarzyna", "Małgorzata", "Anastasia", "Olga", "Zofia"],
        family: &["Kowalski", "Wójcik", "Nowak", "Ivanov", "Petrov", "Lewandowski"],
    },
    Origin {
        male: &["Patrick", "Sean", "Liam", "Declan"],
        female: &["Siobhan", "Niamh", "Bridget", "Aoife"],
        family: &["O'Brien", "O'Connor", "Murphy", "Kelly", "McCarthy", "Gallagher"],
    },
];

const AREA: &[&str] = &["617", "312", "213", "718", "404", "206", "512", "305", "602", "919"];
const ZIP_PREFIX: &[&str] = &["021", "606", "900", "112", "303", "981", "787", "331", "850", "275"];

fn phone(rng: &mut Rng) -> String {
    let area = rng.pick(AREA).copied().unwrap_or("617");
    format!("{area}-555-01{:02}", rng.below(100))
}

/// Plaintext of one generated patient (kept by the generator for building utterances).
#[derive(Debug, Clone)]
pub struct SynthPerson {
    /// Given name.
    pub given: String,
    /// Family name.
    pub family: String,
    /// Birth date.
    pub birth: Date,
    /// Phone.
    pub phone: String,
    /// Zip.
    pub zip: String,
    /// MRN.
    pub mrn: String,
    /// Member id.
    pub member_id: String,
    /// SSN (9xx area: never a real SSN).
    pub ssn: String,
}

fn person(rng: &mut Rng, origin: &Origin, family: Option<&str>, adult: bool) -> SynthPerson {
    let female = rng.chance(0.5);
    let given = rng
        .pick(if female { origin.female } else { origin.male })
        .copied()
        .unwrap_or("Alex")
        .to_string();
    let family = family
        .map(str::to_string)
        .unwrap_or_else(|| rng.pick(origin.family).copied().unwrap_or("Doe").to_string());
    let year = if adult { 1930 + rng.below(75) } else { 1930 + rng.below(95) } as u32;
    let month = 1 + rng.below(12) as u32;
    let day = 1 + rng.below(28) as u32;
    let birth = Date::new(year, month, day).unwrap_or(Date { year: 1970, month: 1, day: 1 });
    let zip = format!("{}{:02}", rng.pick(ZIP_PREFIX).copied().unwrap_or("021"), rng.below(40));
    let letters: String = (0..3).map(|_| char::from(b'A' + rng.below(26) as u8)).collect();
    SynthPerson {
        given,
        family,
        birth,
        phone: phone(rng),
        zip,
        mrn: format!("MRN{:07}", rng.below(10_000_000)),
        member_id: format!("{letters}{:09}", rng.below(1_000_000_000)),
        ssn: format!("9{:02}-{:02}-{:04}", rng.below(100), 1 + rng.below(99), rng.below(10_000)),
    }
}

/// A generated population: the FHIR bundle plus the plaintext truth (patients only).
#[derive(Debug, Clone)]
pub struct Population {
    /// The FHIR R4 Bundle.
    pub bundle: Value,
    /// Patients in bundle order (`pat-00000`, ...).
    pub patients: Vec<SynthPerson>,
}

const RELATIONSHIPS: &[&str] = &["SPS", "MTH", "FTH", "GUARD", "POWATT", "CHILD", "NBOR", "FRND"];

/// Generate `n` patients; about 40% get a related person (most with an authorized relationship,
/// some with a neighbour/friend relationship that must not count).
pub fn population(n: usize, seed: u64) -> Population {
    let mut rng = Rng::new(seed);
    let mut entries = Vec::new();
    let mut patients = Vec::with_capacity(n);
    for i in 0..n {
        let origin = rng.pick(ORIGINS).unwrap_or(&ORIGINS[0]);
        let p = person(&mut rng, origin, None, false);
        let id = format!("pat-{i:05}");
        entries.push(json!({"fullUrl": format!("urn:uuid:{id}"), "resource": {
            "resourceType": "Patient", "id": id,
            "identifier": [
                {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}, "value": p.mrn},
                {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB"}]}, "value": p.member_id},
                {"system": "http://hl7.org/fhir/sid/us-ssn", "value": p.ssn}],
            "name": [{"use": "official", "family": p.family, "given": p.given.split(' ').collect::<Vec<_>>()}],
            "telecom": [{"system": "phone", "value": p.phone, "use": "mobile"}],
            "generalPractitioner": [{"reference": format!("Practitioner/prac-{}", i % 7)}],
            "gender": "unknown",
            "birthDate": p.birth.iso(),
            "address": [{"line": [format!("{} Main St", 1 + rng.below(999))], "postalCode": p.zip}]}}));
        if rng.chance(0.4) {
            let rel = rng.pick(RELATIONSHIPS).copied().unwrap_or("SPS");
            let same_family = matches!(rel, "SPS" | "MTH" | "FTH" | "CHILD") && rng.chance(0.7);
            let r = person(&mut rng, origin, same_family.then_some(p.family.as_str()), true);
            entries.push(json!({"resource": {
                "resourceType": "RelatedPerson", "id": format!("rel-{i:05}"), "active": true,
                "patient": {"reference": format!("Patient/{id}")},
                "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": rel}]}],
                "name": [{"family": r.family, "given": r.given.split(' ').collect::<Vec<_>>()}],
                "telecom": [{"system": "phone", "value": r.phone}]}}));
        }
        patients.push(p);
    }
    Population {
        bundle: json!({"resourceType": "Bundle", "type": "collection", "entry": entries}),
        patients,
    }
}

/// Read a generated population back as FHIR input.
pub fn to_input(p: &Population) -> FhirInput {
    fhir::read(&p.bundle.to_string()).unwrap_or_default()
}

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerKind {
    /// The patient, with speech-to-text noise, nicknames and varied date formats.
    True,
    /// Knows the name and one fact other than the birth date; guesses a birth date.
    ImpostorNameOneFact,
    /// Knows the name and birth date; guesses the third factor.
    ImpostorNameDob,
}

const MONTH_NAMES: &[&str] = &[
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

fn ordinal(d: u8) -> String {
    let suf = match (d % 10, d % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{d}{suf}")
}

/// A date as a caller (or speech-to-text) renders it.
pub fn say_date(rng: &mut Rng, d: Date) -> String {
    let month =
        MONTH_NAMES.get(usize::from(d.month).saturating_sub(1)).copied().unwrap_or("January");
    match rng.below(7) {
        0 => d.iso(),
        1 => format!("{:02}/{:02}/{}", d.month, d.day, d.year),
        2 => format!("{}-{}-{:02}", d.month, d.day, d.year % 100),
        3 => format!("{month} {}, {}", ordinal(d.day), d.year),
        4 => format!("{} {month} {}", d.day, d.year),
        5 => format!("{:02}{:02}{}", d.month, d.day, d.year),
        _ => format!("{} {} {}", d.month, d.day, d.year),
    }
}

fn typo(rng: &mut Rng, s: &str) -> String {
    // Speech-to-text style slips: a doubled or dropped letter, a sound-alike vowel swap.
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() < 4 {
        return s.to_string();
    }
    let i = 1 + rng.below(chars.len() - 2);
    match rng.below(3) {
        0 => {
            let c = chars.get(i).copied().unwrap_or('e');
            chars.insert(i, c);
        }
        1 => {
            if chars.get(i).is_some_and(|c| "aeiouy".contains(*c)) {
                chars.remove(i);
            } else if let Some(c) = chars.get_mut(i) {
                // Substitute a sound-alike where one exists.
                *c = match *c {
                    's' => 'z',
                    'z' => 's',
                    'c' => 'k',
                    'k' => 'c',
                    'f' => 'v',
                    'v' => 'f',
                    'd' => 't',
                    't' => 'd',
                    other => other,
                };
            }
        }
        _ => {
            if let Some(c) = chars.get_mut(i) {
                if "aeiou".contains(*c) {
                    *c = match *c {
                        'a' => 'e',
                        'e' => 'a',
                        'i' => 'y',
                        'o' => 'u',
                        _ => 'o',
                    };
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn say_name(rng: &mut Rng, p: &SynthPerson, noisy: bool) -> String {
    let mut given = p.given.split(' ').next().unwrap_or_default().to_string();
    let mut family = p.family.clone();
    if noisy {
        let canon = crate::normalize::fold(&given);
        let nicks: Vec<&str> =
            NICKNAMES.iter().filter(|(_, c)| *c == canon).map(|(n, _)| *n).collect();
        if !nicks.is_empty() && rng.chance(0.4) {
            given = rng.pick(&nicks).copied().unwrap_or_default().to_string();
        }
        // Speech-to-text drops accents and case.
        if rng.chance(0.5) {
            family = crate::normalize::fold(&family);
            given = crate::normalize::fold(&given);
        }
        match rng.below(10) {
            0 | 1 => family = typo(rng, &crate::normalize::fold(&family)),
            2 => {
                family = family
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join("-")
            }
            3 => return format!("{family}, {given}"),
            _ => {}
        }
    }
    format!("{given} {family}")
}

fn say_third(rng: &mut Rng, p: &SynthPerson, claims: &mut ClaimedFacts) {
    match rng.below(4) {
        0 => claims.zip = Some(p.zip.clone()),
        1 => {
            let d: String = p.phone.chars().filter(char::is_ascii_digit).collect();
            claims.phone = Some(match rng.below(3) {
                0 => p.phone.clone(),
                1 => format!(
                    "({}) {}-{}",
                    d.get(0..3).unwrap_or_default(),
                    d.get(3..6).unwrap_or_default(),
                    d.get(6..).unwrap_or_default()
                ),
                _ => d,
            });
        }
        2 => {
            claims.member_id = Some(if rng.chance(0.5) {
                p.member_id.to_lowercase()
            } else {
                p.member_id.chars().map(|c| format!("{c} ")).collect::<String>()
            });
        }
        _ => claims.mrn = Some(p.mrn.clone()),
    }
}

/// One claimed identity with its ground truth.
#[derive(Debug, Clone)]
pub struct Utterance {
    /// Who is calling.
    pub kind: CallerKind,
    /// Index of the patient the caller claims to be.
    pub target: usize,
    /// The claims.
    pub claims: ClaimedFacts,
}

/// Generate `per_kind` utterances of each kind against a population.
pub fn utterances(pop: &Population, per_kind: usize, seed: u64) -> Vec<Utterance> {
    let mut rng = Rng::new(seed.wrapping_add(0x5eed));
    let mut out = Vec::new();
    let n = pop.patients.len();
    if n == 0 {
        return out;
    }
    for kind in [CallerKind::True, CallerKind::ImpostorNameOneFact, CallerKind::ImpostorNameDob] {
        for _ in 0..per_kind {
            let target = rng.below(n);
            let Some(p) = pop.patients.get(target) else { continue };
            let mut claims = ClaimedFacts::default();
            match kind {
                CallerKind::True => {
                    claims.name = Some(say_name(&mut rng, p, true));
                    claims.birth_date = Some(say_date(&mut rng, p.birth));
                    say_third(&mut rng, p, &mut claims);
                }
                CallerKind::ImpostorNameOneFact => {
                    claims.name = Some(p.given.clone() + " " + &p.family);
                    say_third(&mut rng, p, &mut claims);
                    // Guess a birth date within five years of the real one (age is often known).
                    let y = (i64::from(p.birth.year) - 5 + rng.below(11) as i64) as u32;
                    let guess = Date::new(y, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
                        .unwrap_or(p.birth);
                    claims.birth_date = Some(say_date(&mut rng, guess));
                }
                CallerKind::ImpostorNameDob => {
                    claims.name = Some(p.given.clone() + " " + &p.family);
                    claims.birth_date = Some(p.birth.iso());
                    // Guess the third factor: another patient's value (a plausible local zip, a
                    // real-looking phone, a well-formed member id).
                    let other = pop.patients.get(rng.below(n)).unwrap_or(p);
                    say_third(&mut rng, other, &mut claims);
                    if other.given == p.given && other.family == p.family && other.birth == p.birth
                    {
                        continue;
                    }
                }
            }
            out.push(Utterance { kind, target, claims });
        }
    }
    out
}

/// Counts from [`evaluate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EvalCounts {
    /// True callers tried.
    pub true_callers: usize,
    /// True callers verified as their own patient.
    pub true_accepted: usize,
    /// True callers verified as someone else (should be 0).
    pub true_misattributed: usize,
    /// Name + one fact impostors tried.
    pub name_one_fact: usize,
    /// ... accepted.
    pub name_one_fact_accepted: usize,
    /// Name + DOB impostors tried.
    pub name_dob: usize,
    /// ... accepted.
    pub name_dob_accepted: usize,
}

impl EvalCounts {
    /// False-reject rate for true callers.
    pub fn false_reject_rate(&self) -> f64 {
        rate(self.true_callers - self.true_accepted, self.true_callers)
    }
    /// False-accept rate for name + one fact impostors (one attempt each).
    pub fn far_name_one_fact(&self) -> f64 {
        rate(self.name_one_fact_accepted, self.name_one_fact)
    }
    /// False-accept rate for name + DOB impostors (one attempt each).
    pub fn far_name_dob(&self) -> f64 {
        rate(self.name_dob_accepted, self.name_dob)
    }
}

fn rate(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The claims as one caller turn, for the assist-mode evaluation (extraction then matching).
pub fn render_text(c: &ClaimedFacts) -> String {
    let mut parts = Vec::new();
    if let Some(n) = &c.name {
        parts.push(format!("Hi, my name is {n}."));
    }
    if let Some(d) = &c.birth_date {
        parts.push(format!("My date of birth is {d}."));
    }
    if let Some(z) = &c.zip {
        parts.push(format!("My zip code is {z}."));
    }
    if let Some(p) = &c.phone {
        parts.push(format!("My phone number is {p}."));
    }
    if let Some(m) = &c.member_id {
        parts.push(format!("My member ID is {m}."));
    }
    if let Some(m) = &c.mrn {
        parts.push(format!("My medical record number is {m}."));
    }
    parts.join(" ")
}

/// Run every utterance through pure matching (no limiter: each impostor gets one attempt, which
/// is the per-attempt rate; the limiter then bounds attempts per session, number and patient).
pub fn evaluate(
    verifier: &Verifier,
    pop_ids: &[PatientResource],
    utts: &[Utterance],
) -> EvalCounts {
    evaluate_with(verifier, pop_ids, utts, |u| u.claims.clone())
}

/// Like [`evaluate`], with the claims produced by `claims_of` (e.g. render then extract).
pub fn evaluate_with(
    verifier: &Verifier,
    pop_ids: &[PatientResource],
    utts: &[Utterance],
    claims_of: impl Fn(&Utterance) -> ClaimedFacts,
) -> EvalCounts {
    let dir = verifier.directory();
    let mut c = EvalCounts::default();
    for u in utts {
        let expected = pop_ids.get(u.target).map(|p| dir.patient_ref(&p.id));
        let got = verifier.match_claims(&claims_of(u)).map(|v| v.patient);
        match u.kind {
            CallerKind::True => {
                c.true_callers += 1;
                if got.is_some() && got == expected {
                    c.true_accepted += 1;
                } else if got.is_some() {
                    c.true_misattributed += 1;
                }
            }
            CallerKind::ImpostorNameOneFact => {
                c.name_one_fact += 1;
                c.name_one_fact_accepted += usize::from(got.is_some());
            }
            CallerKind::ImpostorNameDob => {
                c.name_dob += 1;
                c.name_dob_accepted += usize::from(got.is_some());
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limiter::{LimiterConfig, ManualClock};
    use crate::verify::VerificationPolicy;
    use crate::{Directory, DirectoryKey};
    use std::sync::Arc;

    #[test]
    fn deterministic_and_valid_fhir() {
        let a = population(50, 7);
        let b = population(50, 7);
        assert_eq!(a.bundle, b.bundle);
        assert_ne!(a.bundle, population(50, 8).bundle);
        let input = to_input(&a);
        assert_eq!(input.patients.len(), 50);
        assert!(!input.related.is_empty());
        assert!(input.related.iter().all(|r| r.patient_id.starts_with("pat-")));
        assert!(a.patients.iter().all(|p| p.ssn.starts_with('9')));
    }

    #[test]
    fn dates_said_many_ways_read_back() {
        let mut rng = Rng::new(1);
        for _ in 0..200 {
            let d = Date::new(
                1930 + rng.below(90) as u32,
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
            )
            .unwrap();
            let s = say_date(&mut rng, d);
            assert!(crate::normalize::date_readings(&s, 26).contains(&d), "{s}");
        }
    }

    #[test]
    fn matching_quality_on_a_small_population() {
        // Targets from issue 5: FAR 0 for name + one fact, FRR < 5% for true callers. Seeds here
        // differ from the ones in docs/identity.md.
        let pop = population(400, 11);
        let input = to_input(&pop);
        let dir = Arc::new(Directory::build(DirectoryKey::new(vec![5; 32]).unwrap(), &input));
        let v = Verifier::new(
            dir,
            VerificationPolicy::default(),
            LimiterConfig::default(),
            Box::new(ManualClock::new(1_795_000_000)),
        )
        .unwrap();
        let utts = utterances(&pop, 300, 11);
        let c = evaluate(&v, &input.patients, &utts);
        assert_eq!(c.true_misattributed, 0);
        assert!(c.false_reject_rate() < 0.05, "{c:?}");
        assert!(c.far_name_one_fact() < 0.01, "{c:?}");
    }
}

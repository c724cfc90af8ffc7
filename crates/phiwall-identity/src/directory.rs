//! The patient directory: keyed hashes and hashed phonetic keys of normalized identity facts,
//! never plaintext, so phiwall does not become a second copy of the EHR.
//!
//! Every stored value is `HMAC-SHA-256(directory key, field tag || 0 || normalized value)`
//! truncated to 128 bits. The field tag separates domains (a zip never collides with an MRN).
//! Phonetic keys are hashed the same way, and surname tolerance uses hashed deletion
//! neighbourhoods ([`crate::normalize::deletion_neighbourhood`]), so "edit distance about one"
//! is answerable without the plaintext. The key is not serialized; a fingerprint of it is, so a
//! directory loaded with the wrong key is refused rather than silently matching nothing.
//!
//! Invariant: the serialized form ([`Directory::to_json`]) contains digests, relationship codes,
//! flags and counts only (the canary test at the end of this file checks it).

use crate::error::Error;
use crate::fhir::{FhirInput, HumanName, PersonFacts};
use crate::normalize::{self, canonical_given, date_readings, deletion_neighbourhood, name_tokens};
use crate::phonetic;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::HashMap;
use std::fmt;

/// Format version of the serialized directory.
pub const FORMAT_VERSION: u32 = 1;

/// A 128-bit keyed digest, serialized as 32 hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 16]);

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl Digest {
    /// Lower-case hex.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn from_hex(s: &str) -> Option<Digest> {
        if s.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Digest(out))
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Digest::from_hex(&s).ok_or_else(|| serde::de::Error::custom("expected 32 hex characters"))
    }
}

/// A patient, identified by the keyed hash of its FHIR logical id. The gateway turns care-team
/// lists and JWT claims into these with [`Directory::patient_ref`].
pub type PatientRef = Digest;

/// Domain tags for hashed fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Canonical given-name token.
    Given,
    /// Phonetic key of a given-name token.
    GivenPhonetic,
    /// Deletion-neighbourhood member of a given-name token.
    GivenNear,
    /// Family-name token.
    Family,
    /// Phonetic key of a family-name token.
    FamilyPhonetic,
    /// Deletion-neighbourhood member of a family-name token.
    FamilyNear,
    /// Canonical first given name plus one family token ("william smith").
    FullName,
    /// ISO birth date.
    BirthDate,
    /// 10-digit phone.
    Phone,
    /// Lower-cased email.
    Email,
    /// Zip5.
    Zip,
    /// Normalized MRN.
    Mrn,
    /// Normalized member id.
    MemberId,
    /// Last four SSN digits.
    SsnLast4,
    /// FHIR Patient id.
    PatientId,
    /// FHIR RelatedPerson id.
    RelatedId,
    /// Session id (for the attempt limiter).
    Session,
    /// Caller number (for the attempt limiter).
    CallerNumber,
    /// A claimed name that matched no patient (for the attempt limiter).
    UnknownTarget,
    /// A `Practitioner/<id>` reference on a patient's care team.
    Practitioner,
}

impl Field {
    fn tag(self) -> &'static [u8] {
        match self {
            Field::Given => b"given",
            Field::GivenPhonetic => b"given-ph",
            Field::GivenNear => b"given-near",
            Field::Family => b"family",
            Field::FamilyPhonetic => b"family-ph",
            Field::FamilyNear => b"family-near",
            Field::FullName => b"fullname",
            Field::BirthDate => b"dob",
            Field::Phone => b"phone",
            Field::Email => b"email",
            Field::Zip => b"zip",
            Field::Mrn => b"mrn",
            Field::MemberId => b"member",
            Field::SsnLast4 => b"ssn4",
            Field::PatientId => b"patient-id",
            Field::RelatedId => b"related-id",
            Field::Session => b"session",
            Field::CallerNumber => b"caller",
            Field::UnknownTarget => b"unknown-target",
            Field::Practitioner => b"practitioner",
        }
    }
}

/// The directory key (at least 32 bytes). Not serialized, not printed.
#[derive(Clone)]
pub struct DirectoryKey(Vec<u8>);

impl fmt::Debug for DirectoryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DirectoryKey(<redacted>)")
    }
}

impl DirectoryKey {
    /// Wrap key bytes; fails under 32 bytes.
    pub fn new(bytes: Vec<u8>) -> Result<Self, Error> {
        if bytes.len() < 32 {
            return Err(Error::KeyTooShort(bytes.len()));
        }
        Ok(DirectoryKey(bytes))
    }

    /// Keyed digest of a normalized value in a field's domain.
    pub fn digest(&self, field: Field, value: &str) -> Digest {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(m) => m,
            // HMAC accepts keys of any length; this arm is unreachable but must not panic.
            Err(_) => return Digest([0; 16]),
        };
        mac.update(field.tag());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(full.get(..16).unwrap_or(&[0u8; 16]));
        Digest(out)
    }

    fn fingerprint(&self) -> Digest {
        self.digest(Field::Session, "phiwall-directory-key-fingerprint")
    }
}

/// One family-name token: exact digest, phonetic digest, neighbourhood digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// Digest of the folded token.
    pub exact: Digest,
    /// Digest of its phonetic key.
    pub phonetic: Digest,
    /// Digests of its deletion neighbourhood.
    pub near: Vec<Digest>,
}

/// One hashed name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameRecord {
    /// Given-name tokens (canonical forms).
    pub given: Vec<TokenRecord>,
    /// Family-name tokens.
    pub family: Vec<TokenRecord>,
    /// Full-name digests (first canonical given + each family token, and + the whole family).
    pub full: Vec<Digest>,
}

/// Hashed facts about one person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// Names.
    pub names: Vec<NameRecord>,
    /// Birth date.
    pub birth_date: Option<Digest>,
    /// Phones.
    pub phones: Vec<Digest>,
    /// Emails.
    pub emails: Vec<Digest>,
    /// Zips.
    pub zips: Vec<Digest>,
    /// MRNs.
    pub mrns: Vec<Digest>,
    /// Member ids.
    pub member_ids: Vec<Digest>,
    /// Last four SSN digits.
    pub ssn_last4: Vec<Digest>,
}

/// A patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientRecord {
    /// Hashed FHIR id.
    pub reference: PatientRef,
    /// Hashed facts.
    pub person: PersonRecord,
    /// Hashed `Practitioner/<id>` references of the care team (absent in older files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub care_team: Vec<Digest>,
}

/// A related person (possible representative) of a patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepresentativeRecord {
    /// Hashed RelatedPerson id.
    pub reference: Digest,
    /// The patient represented.
    pub patient: PatientRef,
    /// Relationship codes (not PHI: `SPS`, `MTH`, `GUARD`...).
    pub relationships: Vec<String>,
    /// Whether the FHIR resource is active.
    pub is_active: bool,
    /// Hashed facts.
    pub person: PersonRecord,
}

/// Who owns a stored value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// Patient at this index.
    Patient(usize),
    /// Representative at this index.
    Representative(usize),
}

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    key_fingerprint: Digest,
    patients: Vec<PatientRecord>,
    representatives: Vec<RepresentativeRecord>,
}

/// The loaded directory: records plus an in-memory index, and the key to hash claims with.
#[derive(Debug, Clone)]
pub struct Directory {
    key: DirectoryKey,
    patients: Vec<PatientRecord>,
    representatives: Vec<RepresentativeRecord>,
    index: HashMap<(Field, Digest), Vec<Owner>>,
    by_ref: HashMap<PatientRef, usize>,
}

fn token_record(
    key: &DirectoryKey,
    token: &str,
    exact: Field,
    ph: Field,
    near: Field,
) -> TokenRecord {
    TokenRecord {
        exact: key.digest(exact, token),
        phonetic: key.digest(ph, &phonetic::key(token)),
        near: deletion_neighbourhood(token).iter().map(|v| key.digest(near, v)).collect(),
    }
}

/// Hash a name. Given tokens go through the nickname table; the full-name digests pair the
/// first canonical given name with each family token and with the whole family name.
pub(crate) fn name_record(key: &DirectoryKey, given: &[String], family: &[String]) -> NameRecord {
    let given_canon: Vec<String> = given.iter().map(|g| canonical_given(g).to_string()).collect();
    let mut full = Vec::new();
    if let Some(first) = given_canon.first() {
        for f in family {
            full.push(key.digest(Field::FullName, &format!("{first} {f}")));
        }
        if family.len() > 1 {
            full.push(key.digest(Field::FullName, &format!("{first} {}", family.join(" "))));
        }
    }
    // "Al-Sayed" spelled out letter by letter arrives as one token "alsayed": keep the joined
    // family name as a token too (for matching, not for the full-name digests above).
    let mut family: Vec<String> = family.to_vec();
    if family.len() > 1 {
        family.push(family.concat());
    }
    NameRecord {
        given: given_canon
            .iter()
            .map(|g| token_record(key, g, Field::Given, Field::GivenPhonetic, Field::GivenNear))
            .collect(),
        family: family
            .iter()
            .map(|f| token_record(key, f, Field::Family, Field::FamilyPhonetic, Field::FamilyNear))
            .collect(),
        full,
    }
}

fn person_record(key: &DirectoryKey, f: &PersonFacts) -> PersonRecord {
    let mut r = PersonRecord::default();
    for HumanName { given, family } in &f.names {
        let g: Vec<String> = given.iter().flat_map(|x| name_tokens(x)).collect();
        let fam = name_tokens(family);
        if !g.is_empty() || !fam.is_empty() {
            r.names.push(name_record(key, &g, &fam));
        }
    }
    // Stored birth dates are ISO already; take the first reading only (no ambiguity on this side).
    r.birth_date = f
        .birth_date
        .as_deref()
        .and_then(|d| date_readings(d, 0).first().copied())
        .map(|d| key.digest(Field::BirthDate, &d.iso()));
    let add = |out: &mut Vec<Digest>, field, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            let d = key.digest(field, &v);
            if !out.contains(&d) {
                out.push(d);
            }
        }
    };
    for p in &f.phones {
        add(&mut r.phones, Field::Phone, normalize::phone(p));
    }
    for e in &f.emails {
        add(&mut r.emails, Field::Email, Some(e.trim().to_lowercase()));
    }
    for z in &f.postal_codes {
        add(&mut r.zips, Field::Zip, normalize::zip5(z));
    }
    for m in &f.mrns {
        add(&mut r.mrns, Field::Mrn, Some(normalize::identifier(m)));
    }
    for m in &f.member_ids {
        add(&mut r.member_ids, Field::MemberId, Some(normalize::identifier(m)));
    }
    for s in &f.ssns {
        add(&mut r.ssn_last4, Field::SsnLast4, normalize::ssn_last4(s));
    }
    r
}

impl Directory {
    /// Hash FHIR input into a directory. Representatives whose patient is not in the input are
    /// kept (their patient may arrive in another file) but can only match that patient's ref.
    pub fn build(key: DirectoryKey, input: &FhirInput) -> Directory {
        let mut teams: HashMap<&str, Vec<&String>> = HashMap::new();
        for (pid, members) in &input.care_teams {
            teams.entry(pid.as_str()).or_default().extend(members);
        }
        let patients = input
            .patients
            .iter()
            .map(|p| {
                let mut care_team: Vec<Digest> = p
                    .care_team
                    .iter()
                    .chain(teams.get(p.id.as_str()).into_iter().flatten().copied())
                    .map(|r| key.digest(Field::Practitioner, r))
                    .collect();
                care_team.sort_unstable();
                care_team.dedup();
                PatientRecord {
                    reference: key.digest(Field::PatientId, &p.id),
                    person: person_record(&key, &p.facts),
                    care_team,
                }
            })
            .collect();
        let representatives = input
            .related
            .iter()
            .map(|r| RepresentativeRecord {
                reference: key.digest(Field::RelatedId, &r.id),
                patient: key.digest(Field::PatientId, &r.patient_id),
                relationships: r.relationships.clone(),
                is_active: r.is_active,
                person: person_record(&key, &r.facts),
            })
            .collect();
        Directory::assemble(key, patients, representatives)
    }

    fn assemble(
        key: DirectoryKey,
        patients: Vec<PatientRecord>,
        representatives: Vec<RepresentativeRecord>,
    ) -> Directory {
        let mut index: HashMap<(Field, Digest), Vec<Owner>> = HashMap::new();
        let mut put = |field: Field, d: Digest, o: Owner| {
            let v = index.entry((field, d)).or_default();
            if !v.contains(&o) {
                v.push(o);
            }
        };
        let people =
            patients.iter().enumerate().map(|(i, p)| (Owner::Patient(i), &p.person)).chain(
                representatives
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (Owner::Representative(i), &r.person)),
            );
        for (o, p) in people {
            for n in &p.names {
                for t in &n.family {
                    put(Field::Family, t.exact, o);
                    put(Field::FamilyPhonetic, t.phonetic, o);
                }
                for d in &n.full {
                    put(Field::FullName, *d, o);
                }
            }
            if let Some(d) = p.birth_date {
                put(Field::BirthDate, d, o);
            }
            for (field, ds) in [
                (Field::Phone, &p.phones),
                (Field::Email, &p.emails),
                (Field::Zip, &p.zips),
                (Field::Mrn, &p.mrns),
                (Field::MemberId, &p.member_ids),
                (Field::SsnLast4, &p.ssn_last4),
            ] {
                for d in ds {
                    put(field, *d, o);
                }
            }
        }
        for (i, p) in patients.iter().enumerate() {
            for d in &p.care_team {
                put(Field::Practitioner, *d, Owner::Patient(i));
            }
        }
        let by_ref = patients.iter().enumerate().map(|(i, p)| (p.reference, i)).collect();
        Directory { key, patients, representatives, index, by_ref }
    }

    /// Serialize for storage (JSON bytes). Contains no plaintext identity values.
    pub fn to_json(&self) -> Vec<u8> {
        let stored = Stored {
            version: FORMAT_VERSION,
            key_fingerprint: self.key.fingerprint(),
            patients: self.patients.clone(),
            representatives: self.representatives.clone(),
        };
        serde_json::to_vec(&stored).unwrap_or_default()
    }

    /// Load a stored directory; the key must be the one it was built with.
    pub fn from_json(bytes: &[u8], key: DirectoryKey) -> Result<Directory, Error> {
        let stored: Stored = serde_json::from_slice(bytes)
            .map_err(|e| Error::Stored { line: e.line(), column: e.column() })?;
        if stored.version != FORMAT_VERSION {
            return Err(Error::Version { expected: FORMAT_VERSION, found: stored.version });
        }
        if stored.key_fingerprint != key.fingerprint() {
            return Err(Error::KeyMismatch);
        }
        Ok(Directory::assemble(key, stored.patients, stored.representatives))
    }

    /// The key (for hashing claims).
    pub fn key(&self) -> &DirectoryKey {
        &self.key
    }

    /// The reference of a FHIR Patient id (for care-team lists and JWT claims).
    pub fn patient_ref(&self, fhir_id: &str) -> PatientRef {
        self.key.digest(Field::PatientId, fhir_id)
    }

    /// The patients whose care team includes a practitioner (`Practitioner/<id>`, or any
    /// reference [`crate::fhir::practitioner_ref`] reads).
    pub fn patients_in_care_of(&self, practitioner: &str) -> Vec<PatientRef> {
        let Some(r) = crate::fhir::practitioner_ref(practitioner) else { return Vec::new() };
        self.owners(Field::Practitioner, &self.key.digest(Field::Practitioner, &r))
            .iter()
            .filter_map(|o| self.owner_patient(*o))
            .collect()
    }

    /// Patients.
    pub fn patients(&self) -> &[PatientRecord] {
        &self.patients
    }

    /// Representatives.
    pub fn representatives(&self) -> &[RepresentativeRecord] {
        &self.representatives
    }

    /// Index of a patient by reference.
    pub fn patient_index(&self, r: &PatientRef) -> Option<usize> {
        self.by_ref.get(r).copied()
    }

    /// Owners of a digest in a field.
    pub fn owners(&self, field: Field, d: &Digest) -> &[Owner] {
        self.index.get(&(field, *d)).map_or(&[], Vec::as_slice)
    }

    /// The patient an owner's value belongs to (a representative's values belong to the patient
    /// they represent, for disclosure purposes).
    pub fn owner_patient(&self, o: Owner) -> Option<PatientRef> {
        match o {
            Owner::Patient(i) => self.patients.get(i).map(|p| p.reference),
            Owner::Representative(i) => self.representatives.get(i).map(|r| r.patient),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir;

    pub(crate) fn test_key() -> DirectoryKey {
        DirectoryKey::new(vec![7u8; 32]).unwrap()
    }

    #[test]
    fn key_rules() {
        assert!(DirectoryKey::new(vec![1; 31]).is_err());
        assert_eq!(format!("{:?}", test_key()), "DirectoryKey(<redacted>)");
        let k = test_key();
        assert_ne!(k.digest(Field::Zip, "02139"), k.digest(Field::Mrn, "02139"));
        let other = DirectoryKey::new(vec![8u8; 32]).unwrap();
        assert_ne!(k.digest(Field::Zip, "02139"), other.digest(Field::Zip, "02139"));
    }

    #[test]
    fn care_teams_from_general_practitioner_and_care_team_resources() {
        let text = r#"{"resourceType":"Bundle","entry":[
          {"fullUrl":"urn:uuid:a","resource":{"resourceType":"Patient","id":"p1",
            "generalPractitioner":[{"reference":"Practitioner/doc-1"},{"reference":"Organization/o"}]}},
          {"resource":{"resourceType":"Patient","id":"p2"}},
          {"resource":{"resourceType":"CareTeam","id":"ct","subject":{"reference":"urn:uuid:a"},
            "participant":[{"member":{"reference":"https://ehr.example/fhir/Practitioner/nurse-9/_history/2"}}]}},
          {"resource":{"resourceType":"CareTeam","id":"ct2","subject":{"reference":"Patient/p2"},
            "participant":[{"member":{"reference":"Practitioner/doc-1"}},{"member":{"reference":"PractitionerRole/r"}}]}},
          {"resource":{"resourceType":"CareTeam","id":"ct3","subject":{"reference":"Group/g"}}}]}"#;
        let input = fhir::read(text).unwrap();
        assert_eq!(input.patients[0].care_team, vec!["Practitioner/doc-1".to_string()]);
        assert_eq!(input.care_teams.len(), 2);
        assert_eq!(input.skipped, 1);
        let d = Directory::from_json(&Directory::build(test_key(), &input).to_json(), test_key())
            .unwrap();
        let (p1, p2) = (d.patient_ref("p1"), d.patient_ref("p2"));
        let mut doc = d.patients_in_care_of("Practitioner/doc-1");
        doc.sort();
        let mut want = vec![p1, p2];
        want.sort();
        assert_eq!(doc, want);
        assert_eq!(
            d.patients_in_care_of("https://ehr.example/fhir/Practitioner/nurse-9"),
            vec![p1]
        );
        assert!(d.patients_in_care_of("Practitioner/other").is_empty());
        assert!(d.patients_in_care_of("Organization/o").is_empty());
        let stored = String::from_utf8(d.to_json()).unwrap();
        assert!(!stored.contains("doc-1") && !stored.contains("nurse-9"));
    }

    /// Planted canary values must not appear in the stored bytes, in any casing or in the
    /// normalized forms that get hashed.
    #[test]
    fn stored_directory_holds_no_canary() {
        let bundle = r#"{"resourceType":"Bundle","entry":[
          {"resource":{"resourceType":"Patient","id":"Zqxcanaryid",
            "identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"QQCANARYMRN77"},
                          {"type":{"coding":[{"code":"MB"}]},"value":"ZZCANARYMEMBER"},
                          {"system":"http://hl7.org/fhir/sid/us-ssn","value":"987-65-4329"}],
            "name":[{"family":"Zorblefrax","given":["Quimbleton"]}],
            "telecom":[{"system":"phone","value":"(312) 987-6543"},{"system":"email","value":"canarymail@example.org"}],
            "birthDate":"1911-11-13","address":[{"line":["77 Canarystreet"],"postalCode":"98765"}]}},
          {"resource":{"resourceType":"RelatedPerson","id":"Canaryrelid","patient":{"reference":"Patient/Zqxcanaryid"},
            "relationship":[{"coding":[{"code":"SPS"}]}],"name":[{"family":"Zorblefrax","given":["Wimbledorf"]}],
            "telecom":[{"value":"312-444-5555"}]}}]}"#;
        let input = fhir::read(bundle).unwrap();
        let dir = Directory::build(test_key(), &input);
        let bytes = dir.to_json();
        let text = String::from_utf8(bytes.clone()).unwrap().to_lowercase();
        for canary in [
            "zqxcanaryid",
            "qqcanarymrn77",
            "zzcanarymember",
            "987-65-4329",
            "4329",
            "zorblefrax",
            "quimbleton",
            "wimbledorf",
            "9876543",
            "3129876543",
            "canarymail",
            "1911",
            "11-13",
            "98765",
            "canaryrelid",
            "3124445555",
            "canarystreet",
            "zrblfr",
            "kmblt",
        ] {
            assert!(!text.contains(canary), "canary {canary} found in stored directory");
        }
        // Phonetic keys are stored hashed too.
        assert!(!text.contains(&phonetic::key("zorblefrax").to_lowercase()));
        // And it round-trips with the right key only.
        let back = Directory::from_json(&bytes, test_key()).unwrap();
        assert_eq!(back.patients(), dir.patients());
        assert!(matches!(
            Directory::from_json(&bytes, DirectoryKey::new(vec![9; 32]).unwrap()),
            Err(Error::KeyMismatch)
        ));
        assert!(matches!(Directory::from_json(b"{", test_key()), Err(Error::Stored { .. })));
        assert_eq!(
            dir.owner_patient(Owner::Representative(0)),
            Some(dir.patient_ref("Zqxcanaryid"))
        );
    }
}

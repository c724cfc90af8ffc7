//! The templates, and the renderers that write each PHI value (written or spoken) and each hard
//! negative into a [`Ctx`]. Templates alternate dev and test within each kind of text.

use super::spoken::{self, MONTHS};
use super::values::{self, CITIES, DOMAINS, EMPLOYERS, MEDS, PHARMACIES, PLANS, STREETS, SUFFIXES};
use super::{Ctx, Kind};
use crate::corpus::Split;
use phiwall_scan::PhiType;

/// A template: name, split, kind and the function that writes a record.
#[derive(Clone, Copy)]
pub struct TemplateInfo {
    /// Stable name written into each record.
    pub name: &'static str,
    /// Dev or test.
    pub split: Split,
    /// Kind of text.
    pub kind: Kind,
    pub(crate) build: fn(&mut Ctx),
}

impl std::fmt::Debug for TemplateInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateInfo")
            .field("name", &self.name)
            .field("split", &self.split)
            .finish()
    }
}

const fn t(name: &'static str, split: Split, kind: Kind, build: fn(&mut Ctx)) -> TemplateInfo {
    TemplateInfo { name, split, kind, build }
}

pub(crate) const FALLBACK: TemplateInfo =
    t("call_appointment", Split::Dev, Kind::Call, call_appointment);

/// Every template.
pub const TEMPLATES: [TemplateInfo; 24] = [
    FALLBACK,
    t("call_reschedule", Split::Test, Kind::Call, call_reschedule),
    t("call_refill", Split::Dev, Kind::Call, call_refill),
    t("call_pharmacy_change", Split::Test, Kind::Call, call_pharmacy_change),
    t("call_insurance_check", Split::Dev, Kind::Call, call_insurance_check),
    t("call_insurance_update", Split::Test, Kind::Call, call_insurance_update),
    t("call_triage", Split::Dev, Kind::Call, call_triage),
    t("call_caregiver_triage", Split::Test, Kind::Call, call_caregiver_triage),
    t("call_billing", Split::Dev, Kind::Call, call_billing),
    t("call_records_request", Split::Test, Kind::Call, call_records_request),
    t("call_new_patient", Split::Dev, Kind::Call, call_new_patient),
    t("call_lab_results", Split::Test, Kind::Call, call_lab_results),
    t("portal_refill", Split::Dev, Kind::Portal, portal_refill),
    t("portal_question", Split::Test, Kind::Portal, portal_question),
    t("portal_address_change", Split::Dev, Kind::Portal, portal_address_change),
    t("portal_form", Split::Test, Kind::Portal, portal_form),
    t("note_nursing", Split::Dev, Kind::Note, note_nursing),
    t("note_discharge", Split::Test, Kind::Note, note_discharge),
    t("note_referral", Split::Dev, Kind::Note, note_referral),
    t("note_device", Split::Test, Kind::Note, note_device),
    t("assistant_lookup", Split::Dev, Kind::Assistant, assistant_lookup),
    t("assistant_letter", Split::Test, Kind::Assistant, assistant_letter),
    t("assistant_summary", Split::Dev, Kind::Assistant, assistant_summary),
    t("assistant_order", Split::Test, Kind::Assistant, assistant_order),
];

// ---------------------------------------------------------------- PHI renderers

impl Ctx {
    fn full_name(&mut self, is_relative: bool) {
        let p = if is_relative { self.relative.clone() } else { self.patient.clone() };
        let v = format!("{} {}", p.given, p.surname);
        self.phi(PhiType::Name, &v);
    }

    fn given_name(&mut self) {
        let v = self.patient.given.clone();
        self.phi(PhiType::Name, &v);
    }

    fn doctor(&mut self) {
        let title = self.alt(&["Dr. ", "doctor ", "Dr ", "Doctor "]);
        self.lit(title);
        let v = self.doctor.surname.clone();
        self.phi(PhiType::Name, &v);
    }

    /// "that's N-G-U-Y-E-N": the surname spelled out (its own NAME span).
    fn spell_surname(&mut self) {
        let v = spoken::spell(&self.patient.surname.clone(), &mut self.rng);
        self.phi(PhiType::Name, &v);
    }

    fn dob(&mut self) {
        let (y, m, d) = self.dob;
        let month = MONTHS.get((m - 1) as usize).copied().unwrap_or("May");
        let v = if self.spoken() {
            match self.rng.below(5) {
                0 => format!("{} {} {}", month, spoken::ordinal(d), spoken::year(y, &mut self.rng)),
                1 => format!(
                    "the {} of {} {}",
                    spoken::ordinal(d),
                    month,
                    spoken::year(y, &mut self.rng)
                ),
                2 => format!(
                    "{} {} {}",
                    spoken::digits(&format!("{m:02}"), true),
                    spoken::digits(&format!("{d:02}"), true),
                    two_digit_year(y)
                ),
                3 => format!("{} {} {}", month, spoken::number(d), spoken::year(y, &mut self.rng)),
                _ => format!(
                    "{} {}, {}",
                    spoken::number(m),
                    spoken::number(d),
                    spoken::year(y, &mut self.rng)
                ),
            }
        } else {
            match self.rng.below(6) {
                0 => format!("{m:02}/{d:02}/{y}"),
                1 => format!("{m}/{d}/{:02}", y % 100),
                2 => format!("{month} {d}, {y}"),
                3 => format!("{m}-{d}-{y}"),
                4 => format!("{y}-{m:02}-{d:02}"),
                _ => format!(
                    "{} {d}{} {y}",
                    month.get(..3).unwrap_or(month),
                    spoken::ordinal_suffix(d)
                ),
            }
        };
        self.phi(PhiType::Date, &v);
    }

    fn appt_date(&mut self) {
        let (m, d) = (self.rng.range(1, 12), self.rng.range(1, 28));
        let month = MONTHS.get((m - 1) as usize).copied().unwrap_or("May");
        let v = if self.spoken() {
            match self.rng.below(3) {
                0 => format!("{month} {}", spoken::ordinal(d)),
                1 => format!("the {} of {month}", spoken::ordinal(d)),
                _ => format!("{month} {}", spoken::number(d)),
            }
        } else {
            match self.rng.below(3) {
                0 => format!("{m}/{d}"),
                1 => format!("{month} {d}"),
                _ => format!("{month} {d}{}", spoken::ordinal_suffix(d)),
            }
        };
        self.phi(PhiType::Date, &v);
    }

    fn phone(&mut self) {
        let (a, e, l) = values::phone(&mut self.rng);
        let v = if self.spoken() {
            if self.rng.chance(0.25) {
                let (hi, lo) = (l.get(..2).unwrap_or("10"), l.get(2..).unwrap_or("10"));
                let pair = |s: &str| match s.parse::<u32>() {
                    Ok(n) if n >= 10 => spoken::number(n),
                    _ => spoken::digits(s, true),
                };
                format!(
                    "{}, {}, {} {}",
                    spoken::digits(&a, true),
                    spoken::digits(&e, true),
                    pair(hi),
                    pair(lo)
                )
            } else {
                spoken::digit_groups(&[&a, &e, &l], &mut self.rng)
            }
        } else {
            match self.rng.below(5) {
                0 => format!("({a}) {e}-{l}"),
                1 => format!("{a}-{e}-{l}"),
                2 => format!("{a}.{e}.{l}"),
                3 => format!("{a} {e} {l}"),
                _ => format!("+1 {a} {e} {l}"),
            }
        };
        self.phi(PhiType::Phone, &v);
    }

    fn fax(&mut self) {
        let (a, e, l) = values::phone(&mut self.rng);
        let v = if self.spoken() {
            spoken::digit_groups(&[&a, &e, &l], &mut self.rng)
        } else if self.rng.chance(0.5) {
            format!("({a}) {e}-{l}")
        } else {
            format!("{a}-{e}-{l}")
        };
        self.phi(PhiType::Fax, &v);
    }

    /// A personal page (a care-update or fundraiser site named after the patient).
    fn url(&mut self) {
        let g = values::ascii_fold(&self.patient.given).to_lowercase();
        let s = values::ascii_fold(&self.patient.surname).to_lowercase();
        let v = if self.spoken() {
            format!("www dot caringbridge dot org slash visit slash {g}{s}")
        } else {
            match self.rng.below(3) {
                0 => format!("https://www.caringbridge.org/visit/{g}{s}"),
                1 => format!("gofundme.com/f/{g}-{s}-surgery-fund"),
                _ => format!("www.{g}{s}.net/updates"),
            }
        };
        self.phi(PhiType::Url, &v);
    }

    fn ip(&mut self) {
        let v = format!(
            "{}.{}.{}.{}",
            self.rng.range(23, 198),
            self.rng.range(0, 255),
            self.rng.range(0, 255),
            self.rng.range(1, 254)
        );
        self.phi(PhiType::IpAddress, &v);
    }

    /// A licence plate, e.g. "7ABC123", spoken character by character.
    fn plate(&mut self) {
        let code = format!("{}{}{}", self.rng.range(1, 9), self.rng.letters(3), self.rng.digits(3));
        let v = if self.spoken() { spoken::alnum(&code, &mut self.rng) } else { code };
        self.phi(PhiType::VehicleId, &v);
    }

    fn email(&mut self) {
        let g = values::ascii_fold(&self.patient.given).to_lowercase();
        let s = values::ascii_fold(&self.patient.surname).to_lowercase();
        let local = match self.rng.below(4) {
            0 => format!("{g}.{s}"),
            1 => format!("{g}_{s}"),
            2 => format!("{}{s}{}", g.get(..1).unwrap_or("x"), self.rng.range(10, 99)),
            _ => format!("{s}{g}{}", self.rng.range(1, 9)),
        };
        let addr = format!("{local}@{}", self.rng.pick(&DOMAINS));
        let v = if self.spoken() { spoken::email(&addr) } else { addr };
        self.phi(PhiType::Email, &v);
    }

    fn ssn(&mut self) {
        let (a, g, s) = values::ssn(&mut self.rng);
        let v = if self.spoken() {
            spoken::digit_groups(&[&a, &g, &s], &mut self.rng)
        } else {
            match self.rng.below(3) {
                0 => format!("{a}-{g}-{s}"),
                1 => format!("{a} {g} {s}"),
                _ => format!("{a}{g}{s}"),
            }
        };
        self.phi(PhiType::Ssn, &v);
    }

    fn mrn(&mut self) {
        let code = if self.rng.chance(0.3) {
            format!("{}{}", self.rng.letters(1), self.rng.digits(7))
        } else {
            format!("{}{}", self.rng.range(1, 9), self.rng.digits(7))
        };
        let v = if self.spoken() { spoken::alnum(&code, &mut self.rng) } else { code };
        self.phi(PhiType::Mrn, &v);
    }

    fn member_id(&mut self) {
        let code = match self.rng.below(3) {
            0 => format!("{}{}", self.rng.letters(3), self.rng.digits(9)),
            1 => values::mbi(&mut self.rng),
            _ => format!("{}{}", self.rng.letters(1), self.rng.digits(8)),
        };
        let v = if self.spoken() {
            spoken::alnum(&code, &mut self.rng)
        } else if code.len() == 11 && self.rng.chance(0.5) {
            format!(
                "{}-{}-{}",
                code.get(..4).unwrap_or(""),
                code.get(4..7).unwrap_or(""),
                code.get(7..).unwrap_or("")
            )
        } else {
            code
        };
        self.phi(PhiType::HealthPlanId, &v);
    }

    fn street(&mut self) {
        let n = match self.rng.below(3) {
            0 => self.rng.range(10, 99),
            1 => self.rng.range(100, 999),
            _ => self.rng.range(1000, 9899),
        };
        let name = format!("{} {}", self.rng.pick(&STREETS), self.rng.pick(&SUFFIXES));
        let num = if self.spoken() {
            if n >= 1000 {
                spoken::pairs(n)
            } else if n >= 100 && self.rng.chance(0.5) {
                format!("{} {}", spoken::number(n / 100), spoken::number(n % 100))
            } else {
                spoken::number(n)
            }
        } else {
            n.to_string()
        };
        let apt = if self.rng.chance(0.25) {
            if self.is_spoken {
                format!(" apartment {}", spoken::number(self.rng.range(1, 40)))
            } else {
                format!(" Apt {}{}", self.rng.range(1, 40), self.rng.letters(1))
            }
        } else {
            String::new()
        };
        self.phi(PhiType::Address, &format!("{num} {name}{apt}"));
    }

    /// City (ADDRESS), state (not PHI), zip (ADDRESS).
    fn city_zip(&mut self) {
        let (city, state) = self.rng.pick(&CITIES);
        self.phi(PhiType::Address, city);
        self.lit(", ");
        self.lit(state);
        self.lit(" ");
        let zip = format!("{}{}", self.rng.range(1, 9), self.rng.digits(4));
        let v = if self.spoken() { spoken::digits(&zip, self.rng.chance(0.5)) } else { zip };
        self.phi(PhiType::Address, &v);
    }

    fn zip(&mut self) {
        let zip = format!("{}{}", self.rng.range(1, 9), self.rng.digits(4));
        let v = if self.spoken() { spoken::digits(&zip, self.rng.chance(0.5)) } else { zip };
        self.phi(PhiType::Address, &v);
    }

    fn age90(&mut self) {
        let a = self.rng.range(90, 104);
        let v = if self.spoken() { spoken::number(a) } else { a.to_string() };
        self.phi(PhiType::Age, &v);
    }

    fn account(&mut self) {
        let n = self.rng.range(8, 10) as usize;
        let code = self.rng.digits(n);
        let v = if self.spoken() { spoken::digits(&code, self.rng.chance(0.5)) } else { code };
        self.phi(PhiType::AccountNumber, &v);
    }

    fn card(&mut self) {
        let c = values::card(&mut self.rng);
        let groups: Vec<&str> = (0..4).map(|i| c.get(i * 4..i * 4 + 4).unwrap_or("")).collect();
        let v = if self.spoken() {
            spoken::digit_groups(&groups, &mut self.rng)
        } else if self.rng.chance(0.5) {
            groups.join(" ")
        } else {
            groups.join("-")
        };
        self.phi(PhiType::CreditCard, &v);
    }

    fn license(&mut self) {
        let code = format!("{}{}", self.rng.letters(1), self.rng.digits(7));
        let v = if self.spoken() { spoken::alnum(&code, &mut self.rng) } else { code };
        self.phi(PhiType::LicenseNumber, &v);
    }

    fn dea(&mut self) {
        let v = values::dea(&mut self.rng);
        self.phi(PhiType::LicenseNumber, &v);
    }

    fn employer(&mut self) {
        let v = self.rng.pick(&EMPLOYERS);
        self.phi(PhiType::Employer, v);
    }

    fn device(&mut self) {
        let v = format!("{}{}", self.rng.letters(3), self.rng.digits(6));
        self.phi(PhiType::DeviceId, &v);
    }

    // ------------------------------------------------------------ hard negatives (no spans)

    fn neg_dose(&mut self) {
        let (med, mg) = self.rng.pick(&MEDS);
        let s = if self.is_spoken {
            let freq = self.alt(&["twice a day", "once daily", "every morning", "at bedtime"]);
            format!("{med} {} milligrams {freq}", spoken::number(mg))
        } else {
            let freq = self.alt(&["BID", "daily", "q AM", "QHS"]);
            format!("{med} {mg} mg {freq}")
        };
        self.lit(&s);
    }

    fn neg_vitals(&mut self) {
        let (sys, dia, hr) =
            (self.rng.range(100, 178), self.rng.range(60, 99), self.rng.range(55, 120));
        let (t_whole, t_dec, sat) =
            (self.rng.range(97, 103), self.rng.range(0, 9), self.rng.range(88, 100));
        let s = if self.is_spoken {
            format!(
                "blood pressure was {} over {}, heart rate {}, temperature {} point {}, oxygen {} percent",
                spoken::number(sys),
                spoken::number(dia),
                spoken::number(hr),
                spoken::number(t_whole),
                spoken::number(t_dec),
                spoken::number(sat)
            )
        } else {
            format!("BP {sys}/{dia}, HR {hr}, T {t_whole}.{t_dec}, SpO2 {sat}%")
        };
        self.lit(&s);
    }

    fn neg_time(&mut self) {
        let (h, m) = (self.rng.range(7, 11), self.rng.pick(&[0u32, 15, 30, 45]));
        let s = if self.is_spoken {
            let ampm = self.alt(&["in the morning", "a m", "am", "in the morning"]);
            if m == 0 {
                format!("{} o'clock {ampm}", spoken::number(h))
            } else {
                format!("{} {} {ampm}", spoken::number(h), spoken::number(m))
            }
        } else {
            format!("{h}:{m:02} AM")
        };
        self.lit(&s);
    }

    fn neg_lab(&mut self) {
        let (a_whole, a_dec, k_dec, glu) = (
            self.rng.range(5, 11),
            self.rng.range(0, 9),
            self.rng.range(2, 9),
            self.rng.range(80, 320),
        );
        let s = if self.is_spoken {
            format!(
                "a one c was {} point {}, potassium three point {}, glucose {}",
                spoken::number(a_whole),
                spoken::number(a_dec),
                spoken::number(k_dec),
                spoken::number(glu)
            )
        } else {
            format!("A1c {a_whole}.{a_dec}%, K 3.{k_dec}, glucose {glu} mg/dL")
        };
        self.lit(&s);
    }

    fn neg_code(&mut self) {
        let s = match self.rng.below(3) {
            0 => format!(
                "ICD-10 {}{}.{}",
                self.rng.pick(&['E', 'I', 'J', 'M']),
                self.rng.digits(2),
                self.rng.digits(1)
            ),
            1 => format!("CPT {}", self.rng.pick(&["99213", "99214", "93000", "80053", "36415"])),
            _ => {
                format!("NDC {}-{}-{}", self.rng.digits(4), self.rng.digits(4), self.rng.digits(2))
            }
        };
        self.lit(&s);
    }

    fn neg_price(&mut self) {
        let d = self.rng.range(5, 450);
        let s = if self.is_spoken {
            format!("{} dollars", spoken::number(d))
        } else {
            format!("${d}.00")
        };
        self.lit(&s);
    }

    fn neg_room_ext(&mut self) {
        let (room, ext) = (self.rng.range(100, 950), self.rng.range(2000, 7999));
        let s = if self.is_spoken {
            format!(
                "room {}, or call extension {}",
                spoken::number(room),
                spoken::digits(&ext.to_string(), false)
            )
        } else {
            format!("room {room}, ext. {ext}")
        };
        self.lit(&s);
    }

    fn neg_count(&mut self) {
        let (n, refills) = (self.rng.pick(&[30u32, 60, 90]), self.rng.range(1, 5));
        let s = if self.is_spoken {
            format!("{} tablets with {} refills", spoken::number(n), spoken::number(refills))
        } else {
            format!("#{n} tablets, {refills} refills")
        };
        self.lit(&s);
    }

    fn neg_year(&mut self) {
        let y = self.rng.range(2008, 2024);
        let s = if self.is_spoken { spoken::year(y, &mut self.rng) } else { y.to_string() };
        self.lit(&s);
    }

    fn neg_young_age(&mut self) {
        let a = self.rng.range(19, 88);
        let s = if self.is_spoken { spoken::number(a) } else { a.to_string() };
        self.lit(&s);
    }
}

fn two_digit_year(y: u32) -> String {
    let yy = y % 100;
    if yy < 10 {
        format!("oh {}", spoken::number(yy))
    } else {
        spoken::number(yy)
    }
}

// ---------------------------------------------------------------- shared call segments

/// Greeting and identity check: name, spelled surname, date of birth.
fn identify(c: &mut Ctx) {
    c.turn(true);
    let greet = c.alt(&[
        "Thank you for calling the clinic, this is the scheduling line. Can I get the patient's full name?",
        "Hi, you've reached the patient access center. Who am I speaking with today?",
        "Good morning, clinic front desk. What's the name on the chart?",
        "Hello, thanks for holding. May I have your first and last name please?",
    ]);
    c.lit(greet);
    c.turn(false);
    let lead = c.alt(&["Yes hi, it's ", "Hi, my name is ", "This is ", "Um yeah, it's "]);
    c.lit(lead);
    c.full_name(false);
    if c.rng.chance(0.5) {
        let spell = c.alt(&[", last name is spelled ", ". That's ", ", spelled ", ". Last name "]);
        c.lit(spell);
        c.spell_surname();
    }
    c.lit(".");
    c.turn(true);
    let ask = c.alt(&[
        "And can you verify your date of birth?",
        "Okay, and your birthday?",
        "Thanks. What's the date of birth on file?",
        "Got it, and the DOB?",
    ]);
    c.lit(ask);
    c.turn(false);
    let lead = c.alt(&["It's ", "Sure, ", "Born ", "Uh "]);
    c.lit(lead);
    c.dob();
    c.lit(".");
}

fn callback(c: &mut Ctx) {
    c.turn(true);
    let ask = c.alt(&[
        "What's the best number to reach you?",
        "Is there a good callback number?",
        "And a phone number in case we get disconnected?",
        "Can I confirm the cell phone on your account?",
    ]);
    c.lit(ask);
    c.turn(false);
    let lead = c.alt(&["You can call ", "It's ", "Sure, it's ", "That'd be "]);
    c.lit(lead);
    c.phone();
    c.lit(".");
}

fn closing(c: &mut Ctx) {
    c.turn(true);
    let bye = c.alt(&[
        "Alright, you're all set. Is there anything else I can help with?",
        "Okay, I've updated that for you. Anything else today?",
        "Perfect, you'll get a reminder text. Have a good day.",
        "Great, that's done. Take care.",
    ]);
    c.lit(bye);
}

// ---------------------------------------------------------------- call templates

fn call_appointment(c: &mut Ctx) {
    identify(c);
    c.turn(true);
    c.lit("What are we scheduling for you?");
    c.turn(false);
    c.lit("I need a follow up with ");
    c.doctor();
    c.lit(" about my blood sugar, my ");
    c.neg_lab();
    c.lit(" last time.");
    c.turn(true);
    c.lit("I have an opening on ");
    c.appt_date();
    c.lit(" at ");
    c.neg_time();
    c.lit(", check in at ");
    c.neg_room_ext();
    c.lit(".");
    c.turn(false);
    let ok = c.any(&[
        "That works. Do you validate parking? My plate is ",
        "Perfect. I'll park in the garage, the plate is ",
    ]);
    c.lit(ok);
    c.plate();
    c.lit(".");
    callback(c);
    closing(c);
}

fn call_reschedule(c: &mut Ctx) {
    identify(c);
    c.turn(false);
    c.lit("I have to move my visit with ");
    c.doctor();
    c.lit(" on ");
    c.appt_date();
    c.lit(", my daughter ");
    c.full_name(true);
    c.lit(" can't drive me.");
    c.turn(true);
    c.lit("No problem. The next slot is ");
    c.appt_date();
    c.lit(" at ");
    c.neg_time();
    c.lit(". The copay is still ");
    c.neg_price();
    c.lit(".");
    c.turn(false);
    c.lit("Okay. And the valet has my car on file, license plate ");
    c.plate();
    c.lit(".");
    callback(c);
    closing(c);
}

fn call_refill(c: &mut Ctx) {
    identify(c);
    c.turn(false);
    c.lit("I'm calling for a refill on my ");
    c.neg_dose();
    c.lit(", I'm almost out.");
    c.turn(true);
    c.lit("I see it here, ");
    c.neg_count();
    c.lit(". Which pharmacy?");
    c.turn(false);
    let ph = c.rng.pick(&PHARMACIES);
    c.lit(ph);
    c.lit(" on ");
    c.street();
    c.lit(".");
    c.turn(true);
    let ask = c.any(&[
        "And your medical record number if you have it?",
        "Do you have your MRN handy?",
        "What's the chart number on your card?",
    ]);
    c.lit(ask);
    c.turn(false);
    c.lit("Yeah it's ");
    c.mrn();
    c.lit(".");
    callback(c);
    closing(c);
}

fn call_pharmacy_change(c: &mut Ctx) {
    identify(c);
    c.turn(false);
    c.lit("I moved, so I need my prescriptions sent somewhere new. My new address is ");
    c.street();
    c.lit(" in ");
    c.city_zip();
    c.lit(".");
    c.turn(true);
    c.lit("Okay. Which medications?");
    c.turn(false);
    c.lit("The ");
    c.neg_dose();
    c.lit(", ");
    c.neg_count();
    c.lit(". I've been on it since ");
    c.neg_year();
    c.lit(".");
    c.turn(true);
    c.lit("Can I have the MRN on your card?");
    c.turn(false);
    c.mrn();
    c.lit(".");
    closing(c);
}

fn call_insurance_check(c: &mut Ctx) {
    identify(c);
    c.turn(false);
    let plan = c.rng.pick(&PLANS);
    c.lit("I want to make sure you take my insurance, it's ");
    c.lit(plan);
    c.lit(".");
    c.turn(true);
    c.lit("Sure, what's the member ID on the card?");
    c.turn(false);
    c.lit("It's ");
    c.member_id();
    c.lit(".");
    c.turn(true);
    c.lit("And the subscriber's social security number?");
    c.turn(false);
    c.ssn();
    c.lit(".");
    c.turn(true);
    c.lit("And the zip code on the policy?");
    c.turn(false);
    c.zip();
    c.lit(".");
    c.turn(true);
    c.lit("You're in network. The visit code is ");
    c.neg_code();
    c.lit(" and the estimate is ");
    c.neg_price();
    c.lit(".");
    callback(c);
    closing(c);
}

fn call_insurance_update(c: &mut Ctx) {
    identify(c);
    c.turn(false);
    c.lit("I got new insurance through my job, can you update it? The subscriber ID is ");
    c.member_id();
    c.lit(".");
    c.turn(true);
    c.lit("Got it. For the policy holder we also need the social.");
    c.turn(false);
    c.lit("Okay, it's ");
    c.ssn();
    c.lit(".");
    c.turn(true);
    c.lit("And an email for the statements?");
    c.turn(false);
    c.email();
    c.lit(".");
    closing(c);
}

fn call_triage(c: &mut Ctx) {
    identify(c);
    c.turn(false);
    c.lit("I've had chest tightness since this morning. I checked at home, my ");
    c.neg_vitals();
    c.lit(".");
    c.turn(true);
    c.lit("Are you taking anything for it?");
    c.turn(false);
    c.lit("Just my ");
    c.neg_dose();
    c.lit(".");
    c.turn(true);
    c.lit("I'm going to have the nurse call you back within the hour. ");
    callback(c);
    c.turn(true);
    c.lit("If it gets worse call nine one one.");
}

fn call_caregiver_triage(c: &mut Ctx) {
    c.turn(true);
    c.lit("Nurse line, how can I help?");
    c.turn(false);
    c.lit("Hi, I'm calling about my mother, ");
    c.full_name(false);
    c.lit(". She's ");
    c.age90();
    c.lit(" and she fell this morning. My name is ");
    c.full_name(true);
    c.lit(".");
    c.turn(true);
    c.lit("I'm sorry to hear that. What's her date of birth?");
    c.turn(false);
    c.dob();
    c.lit(". Her ");
    c.neg_vitals();
    c.lit(" when the paramedics checked.");
    c.turn(true);
    c.lit("And is she still at ");
    c.street();
    c.lit("?");
    c.turn(false);
    c.lit("Yes. My number is ");
    c.phone();
    c.lit(". Her neighbor is ");
    c.neg_young_age();
    c.lit(" and stays with her.");
    closing(c);
}

fn call_billing(c: &mut Ctx) {
    identify(c);
    c.turn(false);
    c.lit("I got a bill for ");
    c.neg_price();
    c.lit(" and I want to pay it.");
    c.turn(true);
    c.lit("Can you read me the account number on the statement?");
    c.turn(false);
    c.account();
    c.lit(".");
    c.turn(true);
    c.lit("Thanks. And the card number?");
    c.turn(false);
    c.card();
    c.lit(".");
    c.turn(true);
    c.lit("That's processed. The charge was for ");
    c.neg_code();
    c.lit(" on ");
    c.appt_date();
    c.lit(".");
    closing(c);
}

fn call_records_request(c: &mut Ctx) {
    identify(c);
    c.turn(false);
    c.lit("I need my records sent to a new doctor, ");
    c.doctor();
    c.lit(".");
    c.turn(true);
    c.lit("We can do that. What's your medical record number?");
    c.turn(false);
    c.mrn();
    c.lit(". And you can email me the form at ");
    c.email();
    c.lit(".");
    c.turn(true);
    c.lit("For identity we need the last address on file.");
    c.turn(false);
    c.street();
    c.lit(", ");
    c.city_zip();
    c.lit(". Also my driver's license is ");
    c.license();
    c.lit(" if you need it.");
    c.turn(true);
    c.lit("There's a records fee of ");
    c.neg_price();
    c.lit(". What card would you like to use?");
    c.turn(false);
    c.card();
    c.lit(".");
    c.turn(true);
    c.lit("Thanks, pick up at ");
    c.neg_room_ext();
    c.lit(".");
    closing(c);
}

fn call_new_patient(c: &mut Ctx) {
    c.turn(true);
    c.lit("New patient registration, I just need a few things. Full name?");
    c.turn(false);
    c.full_name(false);
    c.lit(". ");
    c.spell_surname();
    c.lit(".");
    c.turn(true);
    c.lit("Date of birth and home address?");
    c.turn(false);
    c.dob();
    c.lit(", and I live at ");
    c.street();
    c.lit(", ");
    c.city_zip();
    c.lit(".");
    c.turn(true);
    c.lit("Who's your employer, for the insurance?");
    c.turn(false);
    let lead = c.any(&["I work at ", "I'm with ", "My job is at "]);
    c.lit(lead);
    c.employer();
    c.lit(", the plan is ");
    let plan = c.rng.pick(&PLANS);
    c.lit(plan);
    c.lit(", member number ");
    c.member_id();
    c.lit(".");
    c.turn(true);
    c.lit("And an emergency contact?");
    c.turn(false);
    c.lit("That's ");
    c.full_name(true);
    c.lit(", ");
    c.phone();
    c.lit(".");
    c.turn(true);
    c.lit("Great. Your first visit is ");
    c.appt_date();
    c.lit(" at ");
    c.neg_time();
    c.lit(", please arrive fifteen minutes early.");
}

fn call_lab_results(c: &mut Ctx) {
    identify(c);
    c.turn(false);
    c.lit("I'm calling about my blood work from ");
    c.appt_date();
    c.lit(".");
    c.turn(true);
    c.lit("I have it here: ");
    c.neg_lab();
    c.lit(". ");
    c.doctor();
    c.lit(" wants to increase your ");
    c.neg_dose();
    c.lit(".");
    c.turn(false);
    c.lit("Okay. Can you send a note to my work, ");
    c.employer();
    c.lit("? Their fax is ");
    c.fax();
    c.lit(".");
    c.turn(true);
    c.lit("We can. It's ");
    c.neg_price();
    c.lit(" for the form, and I'll need your date of birth again to release it, plus the year you started there.");
    c.turn(false);
    c.dob();
    c.lit(", and I started in ");
    c.neg_year();
    c.lit(".");
    closing(c);
}

// ---------------------------------------------------------------- portal messages

fn portal_refill(c: &mut Ctx) {
    c.lit("Hello ");
    c.doctor();
    c.lit(",\nThis is ");
    c.full_name(false);
    c.lit(" (DOB ");
    c.dob();
    c.lit("). Could you send a refill of ");
    c.neg_dose();
    c.lit(", ");
    c.neg_count();
    c.lit(", to the pharmacy at ");
    c.street();
    c.lit("? My last ");
    c.neg_lab();
    c.lit(".\nThanks, ");
    c.given_name();
}

fn portal_question(c: &mut Ctx) {
    c.lit("Hi, my name is ");
    c.full_name(false);
    c.lit(" and I saw ");
    c.doctor();
    c.lit(" on ");
    c.appt_date();
    c.lit(". Since then my ");
    c.neg_vitals();
    c.lit(". Should I keep taking ");
    c.neg_dose();
    c.lit("? You can text me at ");
    c.phone();
    c.lit(" or write to ");
    c.email();
    c.lit(". My family posts updates at ");
    c.url();
    c.lit(".");
}

fn portal_address_change(c: &mut Ctx) {
    c.lit("Please update my contact information. Name: ");
    c.full_name(false);
    c.lit("\nNew address: ");
    c.street();
    c.lit(", ");
    c.city_zip();
    c.lit("\nPhone: ");
    c.phone();
    c.lit("\nEmail: ");
    c.email();
    c.lit("\nCare page: ");
    c.url();
    c.lit("\nI have lived in the area since ");
    c.neg_year();
    c.lit(".");
}

fn portal_form(c: &mut Ctx) {
    c.lit("Patient: ");
    c.full_name(false);
    c.lit(" | Date of birth: ");
    c.dob();
    c.lit(" | MRN: ");
    c.mrn();
    c.lit(" | Insurance ID: ");
    c.member_id();
    c.lit("\nEmergency contact: ");
    c.full_name(true);
    c.lit(", ");
    c.phone();
    c.lit("\nFax for records: ");
    c.fax();
    c.lit("\nReason for visit: follow-up, billed as ");
    c.neg_code();
    c.lit(", copay ");
    c.neg_price();
    c.lit(".");
}

// ---------------------------------------------------------------- clinical notes

fn note_nursing(c: &mut Ctx) {
    c.lit("Nursing note. Pt ");
    c.full_name(false);
    c.lit(", MRN ");
    c.mrn();
    c.lit(", seen ");
    c.appt_date();
    c.lit(" at ");
    c.neg_time();
    c.lit(". ");
    c.neg_vitals();
    c.lit(". Insulin pump SN ");
    c.device();
    c.lit(" checked. Given ");
    c.neg_dose();
    c.lit(". Labs: ");
    c.neg_lab();
    c.lit(". Family (");
    c.full_name(true);
    c.lit(") at bedside in ");
    c.neg_room_ext();
    c.lit(". Call back ");
    c.phone();
    c.lit(".");
}

fn note_discharge(c: &mut Ctx) {
    c.lit("Discharge summary for ");
    c.full_name(false);
    c.lit(", ");
    c.age90();
    c.lit(" y/o, admitted ");
    c.appt_date();
    c.lit(" under ");
    c.doctor();
    c.lit(". Dx ");
    c.neg_code();
    c.lit(". Discharged home to ");
    c.street();
    c.lit(", ");
    c.city_zip();
    c.lit(" on ");
    c.neg_dose();
    c.lit(", ");
    c.neg_count();
    c.lit(". Daughter ");
    c.full_name(true);
    c.lit(" (");
    c.phone();
    c.lit(") will assist.");
}

fn note_referral(c: &mut Ctx) {
    c.lit("Referral: ");
    c.full_name(false);
    c.lit(", DOB ");
    c.dob();
    c.lit(", plan ID ");
    c.member_id();
    c.lit(", to ");
    c.doctor();
    c.lit(" for evaluation. History since ");
    c.neg_year();
    c.lit("; ");
    c.neg_lab();
    c.lit(". Prescriber DEA ");
    c.dea();
    c.lit(". Fax results to ");
    c.fax();
    c.lit("; questions to ");
    c.neg_room_ext();
    c.lit(".");
}

fn note_device(c: &mut Ctx) {
    c.lit("Device check. ");
    c.full_name(false);
    c.lit(" (MRN ");
    c.mrn();
    c.lit(") pacemaker serial ");
    c.device();
    c.lit(" interrogated ");
    c.appt_date();
    c.lit(". ");
    c.neg_vitals();
    c.lit(". Continue ");
    c.neg_dose();
    c.lit(". Next check ");
    c.appt_date();
    c.lit(" with ");
    c.doctor();
    c.lit(".");
}

// ---------------------------------------------------------------- assistant requests

fn assistant_lookup(c: &mut Ctx) {
    let lead =
        c.alt(&["Pull up the chart for ", "Find the patient ", "Open the record of ", "Look up "]);
    c.lit(lead);
    c.full_name(false);
    c.lit(", date of birth ");
    c.dob();
    c.lit(", she's ");
    c.age90();
    c.lit(", and show me her last ");
    c.neg_lab();
    c.lit(" and whether she's still on ");
    c.neg_dose();
    c.lit(".");
}

fn assistant_letter(c: &mut Ctx) {
    c.lit("Draft a letter to ");
    c.full_name(false);
    c.lit(" at ");
    c.street();
    c.lit(", ");
    c.city_zip();
    c.lit(" saying her visit with ");
    c.doctor();
    c.lit(" moved to ");
    c.appt_date();
    c.lit(" at ");
    c.neg_time();
    c.lit(", and that the balance of ");
    c.neg_price();
    c.lit(" on account ");
    c.account();
    c.lit(" is paid.");
}

fn assistant_summary(c: &mut Ctx) {
    c.lit("Summarize today's visit for ");
    c.full_name(false);
    c.lit(", MRN ");
    c.mrn();
    c.lit(": ");
    c.neg_vitals();
    c.lit(", ");
    c.neg_lab();
    c.lit(", continue ");
    c.neg_dose();
    c.lit(", bill ");
    c.neg_code();
    c.lit(". Send it to ");
    c.email();
    c.lit(" and note her portal login came from ");
    c.ip();
    c.lit(".");
}

fn assistant_order(c: &mut Ctx) {
    c.lit("Order a refill of ");
    c.neg_dose();
    c.lit(", ");
    c.neg_count();
    c.lit(", for ");
    c.full_name(false);
    c.lit(", member ID ");
    c.member_id();
    c.lit(", callback ");
    c.phone();
    c.lit(". She is ");
    c.neg_young_age();
    c.lit(", last portal login from ");
    c.ip();
    c.lit(", and the order should go out by ");
    c.neg_time();
    c.lit(".");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn template_names_unique_and_both_splits_per_kind() {
        let names: HashSet<&str> = TEMPLATES.iter().map(|t| t.name).collect();
        assert_eq!(names.len(), TEMPLATES.len());
        for kind in [Kind::Call, Kind::Portal, Kind::Note, Kind::Assistant] {
            for split in [Split::Dev, Split::Test] {
                assert!(
                    TEMPLATES.iter().any(|t| t.kind == kind && t.split == split),
                    "{kind:?} {split:?}"
                );
            }
        }
    }

    #[test]
    fn two_digit_years() {
        assert_eq!(two_digit_year(1984), "eighty four");
        assert_eq!(two_digit_year(2005), "oh five");
    }
}

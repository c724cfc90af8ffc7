//! Synthetic identifier values with valid shapes (SSN areas, Luhn card numbers, DEA check
//! digits, Medicare MBI layout), and the word lists used around them. All values are random;
//! none comes from a data set.

use super::rng::Rng;

/// Street names.
pub const STREETS: [&str; 24] = [
    "Maple",
    "Oak",
    "Cedar",
    "Pine",
    "Elm",
    "Willow",
    "Lakeview",
    "Sunset",
    "Highland",
    "Park",
    "Washington",
    "Lincoln",
    "Jefferson",
    "Madison",
    "Franklin",
    "Chestnut",
    "Walnut",
    "Hillcrest",
    "Riverside",
    "Magnolia",
    "Dogwood",
    "Juniper",
    "Sycamore",
    "Birchwood",
];
/// Street suffixes, written and spoken the same way.
pub const SUFFIXES: [&str; 8] =
    ["Street", "Avenue", "Road", "Drive", "Lane", "Court", "Boulevard", "Way"];
/// Cities (common US city names; the state that may follow is not PHI).
pub const CITIES: [(&str, &str); 16] = [
    ("Springfield", "Illinois"),
    ("Riverside", "California"),
    ("Fairview", "Oregon"),
    ("Franklin", "Tennessee"),
    ("Greenville", "South Carolina"),
    ("Bristol", "Connecticut"),
    ("Clinton", "Iowa"),
    ("Salem", "Massachusetts"),
    ("Madison", "Wisconsin"),
    ("Georgetown", "Texas"),
    ("Arlington", "Virginia"),
    ("Dayton", "Ohio"),
    ("Lakewood", "Colorado"),
    ("Hialeah", "Florida"),
    ("Westminster", "Maryland"),
    ("Tacoma", "Washington"),
];
/// E-mail domains.
pub const DOMAINS: [&str; 7] = [
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "hotmail.com",
    "aol.com",
    "comcast.net",
];
/// Medications with a usual strength in mg.
pub const MEDS: [(&str, u32); 12] = [
    ("metformin", 500),
    ("lisinopril", 10),
    ("atorvastatin", 40),
    ("amlodipine", 5),
    ("levothyroxine", 75),
    ("sertraline", 50),
    ("gabapentin", 300),
    ("omeprazole", 20),
    ("losartan", 25),
    ("metoprolol", 25),
    ("furosemide", 40),
    ("hydrochlorothiazide", 25),
];
/// Health plans (organisation names, not PHI).
pub const PLANS: [&str; 7] =
    ["Aetna", "Blue Cross", "UnitedHealthcare", "Cigna", "Humana", "Medicaid", "Medicare"];
/// Employers (made-up local businesses; an employer is identifying, EMPLOYER).
pub const EMPLOYERS: [&str; 10] = [
    "Riverside Plumbing",
    "Sunrise Bakery",
    "Hillcrest Elementary",
    "Lakeview Logistics",
    "Maple Grove Dental",
    "Summit Roofing",
    "Pioneer Credit Union",
    "Golden Dragon Restaurant",
    "Bayside Auto Body",
    "Northgate Cleaners",
];
/// Pharmacies (businesses, not PHI).
pub const PHARMACIES: [&str; 4] = ["Walgreens", "CVS", "the Kroger pharmacy", "Rite Aid"];

/// A US phone number as (area, exchange, line) with plausible NANP digits.
pub fn phone(rng: &mut Rng) -> (String, String, String) {
    // NANP: NXX area and exchange codes, never N11 (service codes such as 911).
    let nxx = |rng: &mut Rng, max_second: u32| {
        let (a, b, mut c) = (rng.range(2, 9), rng.range(0, max_second), rng.range(0, 9));
        if b == 1 && c == 1 {
            c = 2;
        }
        format!("{a}{b}{c}")
    };
    let area = nxx(rng, 8);
    let exch = nxx(rng, 9);
    (area, exch, rng.digits(4))
}

/// An SSN as (area, group, serial): area 001-899 except 666, group 01-99, serial 0001-9999.
pub fn ssn(rng: &mut Rng) -> (String, String, String) {
    let mut area = rng.range(1, 899);
    if area == 666 {
        area = 667;
    }
    (format!("{area:03}"), format!("{:02}", rng.range(1, 99)), format!("{:04}", rng.range(1, 9999)))
}

/// A 16-digit card number passing the Luhn check, Visa (4) or Mastercard (51-55) prefix.
pub fn card(rng: &mut Rng) -> String {
    let mut d: Vec<u32> = if rng.chance(0.5) { vec![4] } else { vec![5, rng.range(1, 5)] };
    while d.len() < 15 {
        d.push(rng.range(0, 9));
    }
    d.push(luhn_check_digit(&d));
    d.iter().filter_map(|x| char::from_digit(*x, 10)).collect()
}

/// The Luhn check digit for `payload` (the digits before it).
pub fn luhn_check_digit(payload: &[u32]) -> u32 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// True when `digits` passes the Luhn check.
pub fn luhn_ok(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    match d.split_last() {
        Some((&last, payload)) => luhn_check_digit(payload) == last,
        None => false,
    }
}

/// A DEA registration number: two letters, six digits and a check digit
/// ((d1+d3+d5) + 2*(d2+d4+d6)) mod 10.
pub fn dea(rng: &mut Rng) -> String {
    let first = rng.pick(&['A', 'B', 'F', 'M']);
    let second = char::from(b'A' + rng.below(26) as u8);
    let d: Vec<u32> = (0..6).map(|_| rng.range(0, 9)).collect();
    let sum = d.iter().step_by(2).sum::<u32>() + 2 * d.iter().skip(1).step_by(2).sum::<u32>();
    let mut s: String = [first, second].iter().collect();
    s.extend(d.iter().filter_map(|x| char::from_digit(*x, 10)));
    s.extend(char::from_digit(sum % 10, 10));
    s
}

/// A Medicare Beneficiary Identifier, 11 characters (`1EG4TE5MK73` layout: digit, letter,
/// letter-or-digit, digit, letter, letter-or-digit, digit, letter, letter, digit, digit; no
/// S, L, O, I, B, Z).
pub fn mbi(rng: &mut Rng) -> String {
    const L: &[u8] = b"ACDEFGHJKMNPQRTUVWXY";
    let letter = |rng: &mut Rng| char::from(L.get(rng.below(L.len())).copied().unwrap_or(b'A'));
    let mut s = String::with_capacity(11);
    s.push(char::from(b'1' + rng.below(9) as u8));
    s.push(letter(rng));
    for pattern in ["a", "d", "l", "a", "d", "l", "l", "d", "d"] {
        match pattern {
            "d" => s.push(char::from(b'0' + rng.below(10) as u8)),
            "l" => s.push(letter(rng)),
            _ => {
                if rng.chance(0.5) {
                    s.push(char::from(b'0' + rng.below(10) as u8));
                } else {
                    s.push(letter(rng));
                }
            }
        }
    }
    s
}

/// Fold the accented letters our name lists use to ASCII (for e-mail local parts).
pub fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'á' | 'à' => Some('a'),
            'é' => Some('e'),
            'í' => Some('i'),
            'ó' => Some('o'),
            'ú' => Some('u'),
            'ñ' => Some('n'),
            'Á' => Some('A'),
            'Í' => Some('I'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_valid() {
        let mut r = Rng::new(3);
        for _ in 0..200 {
            let c = card(&mut r);
            assert_eq!(c.len(), 16);
            assert!(luhn_ok(&c), "{c}");
            let (a, g, s) = ssn(&mut r);
            assert!(a != "000" && a != "666" && !a.starts_with('9') && g != "00" && s != "0000");
            let d = dea(&mut r);
            assert_eq!(d.len(), 9);
            let m = mbi(&mut r);
            assert_eq!(m.len(), 11);
            assert!(!m.contains(['S', 'L', 'O', 'I', 'B', 'Z']));
        }
        assert!(luhn_ok("4111111111111111"));
        assert!(!luhn_ok("4111111111111112"));
        assert!(!luhn_ok(""));
        for _ in 0..500 {
            let (a, e, l) = phone(&mut r);
            assert!(!a.ends_with("11") && !e.ends_with("11") && l.len() == 4, "{a} {e}");
            assert!(!a.starts_with(['0', '1']) && !e.starts_with(['0', '1']));
        }
        assert_eq!(ascii_fold("Núñez-Peña"), "NunezPena");
    }
}

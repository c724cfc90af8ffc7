//! Check-digit and shape validators for identifiers (Luhn, SSN rules, ABA, DEA, NPI, VIN, MBI,
//! IBAN, GS1, NANP, IP addresses).
//!
//! Every function is pure, allocation-free and total: it takes bytes or a `&str` and answers
//! `true`/`false` (or `None`) for any input, never panics, and never looks outside its argument.
//! Functions named `*_valid` check a check digit or an official rule; `*_shape` functions check
//! only the layout. Digit inputs are ASCII (`b'0'..=b'9'`); anything else makes them `false`.

use std::net::{Ipv4Addr, Ipv6Addr};

/// The at most 32 ASCII digits of a candidate with its separators removed, on the stack.
///
/// Detectors strip spaces and dashes from "4111 1111 1111 1111" before validating; this keeps
/// that step free of heap allocation.
#[derive(Debug, Clone, Copy)]
pub struct Digits {
    buf: [u8; 32],
    len: usize,
}

impl Digits {
    /// The ASCII digits of `s` in order, ignoring every other byte; `None` when there are more
    /// than 32 digits.
    pub fn of(s: &str) -> Option<Digits> {
        let mut d = Digits { buf: [0; 32], len: 0 };
        for b in s.bytes().filter(u8::is_ascii_digit) {
            let slot = d.buf.get_mut(d.len)?;
            *slot = b;
            d.len += 1;
        }
        Some(d)
    }

    /// The digits as ASCII bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no digits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// True when every byte is an ASCII digit and there is at least one.
fn all_digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// Numeric value of an ASCII digit (callers check `is_ascii_digit` first).
fn dv(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'0'))
}

/// Luhn (mod 10) checksum over ASCII digits, the last digit being the check digit.
/// Used by payment cards, IMEI and (with a prefix) NPI.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.len() < 2 || !all_digits(digits) {
        return false;
    }
    let sum = digits.iter().rev().enumerate().fold(0, |acc, (i, &b)| {
        let mut v = dv(b);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        acc + v
    });
    sum % 10 == 0
}

/// SSN rules of the Social Security Administration for a 9-digit ASCII string: area (first
/// three) not 000, 666 or 900–999; group (next two) not 00; serial (last four) not 0000.
/// Also rejects the well-known invalid 078-05-1120 (the "Woolworth" card number).
pub fn ssn_valid(nine: &[u8]) -> bool {
    if nine.len() != 9 || !all_digits(nine) {
        return false;
    }
    let (area, rest) = nine.split_at(3);
    let (group, serial) = rest.split_at(2);
    let area_n = dv(area[0]) * 100 + dv(area[1]) * 10 + dv(area[2]);
    if area_n == 0 || area_n == 666 || area_n >= 900 {
        return false;
    }
    if group == b"00" || serial == b"0000" {
        return false;
    }
    nine != b"078051120"
}

/// ABA routing transit number: 9 digits with `3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) ≡ 0 mod 10`,
/// and a first two digits in the Federal Reserve ranges 00–12, 21–32, 61–72 or 80.
pub fn aba_valid(nine: &[u8]) -> bool {
    if nine.len() != 9 || !all_digits(nine) {
        return false;
    }
    let prefix = dv(nine[0]) * 10 + dv(nine[1]);
    let prefix_ok =
        prefix <= 12 || (21..=32).contains(&prefix) || (61..=72).contains(&prefix) || prefix == 80;
    if !prefix_ok {
        return false;
    }
    let w = [3u32, 7, 1];
    let sum: u32 = nine.iter().enumerate().map(|(i, &b)| dv(b) * w[i % 3]).sum();
    sum.is_multiple_of(10) && nine != b"000000000"
}

/// DEA registration number: two letters then seven digits, the first letter a registrant type
/// (A B C D E F G H J K L M P R S T U X), the second a letter or `9`, and the last digit equal to
/// `(d1+d3+d5 + 2(d2+d4+d6)) mod 10`. Case-insensitive.
pub fn dea_valid(s: &[u8]) -> bool {
    if s.len() != 9 {
        return false;
    }
    let t = s[0].to_ascii_uppercase();
    if !b"ABCDEFGHJKLMPRSTUX".contains(&t) {
        return false;
    }
    if !(s[1].is_ascii_alphabetic() || s[1] == b'9') {
        return false;
    }
    let d = &s[2..];
    if !all_digits(d) {
        return false;
    }
    let odd = dv(d[0]) + dv(d[2]) + dv(d[4]);
    let even = dv(d[1]) + dv(d[3]) + dv(d[5]);
    (odd + 2 * even) % 10 == dv(d[6])
}

/// National Provider Identifier: 10 digits starting with 1 or 2 whose Luhn check holds when the
/// ISO card-issuer prefix `80840` is prepended (CMS NPI check digit standard).
pub fn npi_valid(ten: &[u8]) -> bool {
    if ten.len() != 10 || !all_digits(ten) || !matches!(ten[0], b'1' | b'2') {
        return false;
    }
    // The check digit covers "80840" + the first nine digits (CMS); prepend and run plain Luhn.
    let mut buf = [0u8; 15];
    buf[..5].copy_from_slice(b"80840");
    buf[5..].copy_from_slice(ten);
    luhn_valid(&buf)
}

/// IMEI: 15 digits with a valid Luhn check digit.
pub fn imei_valid(fifteen: &[u8]) -> bool {
    fifteen.len() == 15 && luhn_valid(fifteen)
}

/// GS1 check digit (GTIN-8/12/13/14, used in the device identifier of a GS1 UDI): weights 3 and 1
/// alternating from the right, excluding the check digit.
pub fn gs1_valid(digits: &[u8]) -> bool {
    if !matches!(digits.len(), 8 | 12 | 13 | 14) || !all_digits(digits) {
        return false;
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    let sum: u32 =
        body.iter().rev().enumerate().map(|(i, &b)| dv(b) * if i % 2 == 0 { 3 } else { 1 }).sum();
    (10 - sum % 10) % 10 == dv(check[0])
}

/// VIN transliteration value of a character (ISO 3779 / 49 CFR 565); `None` for I, O, Q and
/// non-alphanumerics.
fn vin_value(b: u8) -> Option<u32> {
    let c = b.to_ascii_uppercase();
    Some(match c {
        b'0'..=b'9' => dv(c),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    })
}

/// True when `s` has the VIN shape: 17 characters from the VIN alphabet (digits and letters
/// except I, O, Q) with at least one letter and at least one digit.
pub fn vin_shape(s: &[u8]) -> bool {
    s.len() == 17
        && s.iter().all(|&b| vin_value(b).is_some())
        && s.iter().any(u8::is_ascii_digit)
        && s.iter().any(u8::is_ascii_alphabetic)
}

/// VIN with a valid North American check digit (position 9): weighted sum mod 11, 10 written `X`.
pub fn vin_valid(s: &[u8]) -> bool {
    if !vin_shape(s) {
        return false;
    }
    const W: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut sum = 0;
    for (i, &b) in s.iter().enumerate() {
        let Some(v) = vin_value(b) else { return false };
        sum += v * W[i];
    }
    let r = sum % 11;
    let check = s[8].to_ascii_uppercase();
    if r == 10 {
        check == b'X'
    } else {
        check.is_ascii_digit() && dv(check) == r
    }
}

/// True for the letters CMS allows in a Medicare Beneficiary Identifier (A–Z except S, L, O, I,
/// B, Z), either case.
fn mbi_alpha(b: u8) -> bool {
    let c = b.to_ascii_uppercase();
    c.is_ascii_uppercase() && !b"SLOIBZ".contains(&c)
}

/// Medicare Beneficiary Identifier shape (CMS): 11 characters `C A AN N A AN N A A N N`, where
/// C is 1–9, N is 0–9, A is an allowed letter and AN either. Dashes must already be removed.
pub fn mbi_shape(s: &[u8]) -> bool {
    if s.len() != 11 {
        return false;
    }
    let an = |b: u8| b.is_ascii_digit() || mbi_alpha(b);
    let n = |b: u8| b.is_ascii_digit();
    matches!(s[0], b'1'..=b'9')
        && mbi_alpha(s[1])
        && an(s[2])
        && n(s[3])
        && mbi_alpha(s[4])
        && an(s[5])
        && n(s[6])
        && mbi_alpha(s[7])
        && mbi_alpha(s[8])
        && n(s[9])
        && n(s[10])
}

/// IBAN (ISO 13616): two letters, two check digits, 11–30 alphanumerics, and the mod-97 check
/// (rearranged, letters as 10–35) equal to 1. Spaces must already be removed.
pub fn iban_valid(s: &[u8]) -> bool {
    if !(15..=34).contains(&s.len()) {
        return false;
    }
    if !(s[0].is_ascii_alphabetic() && s[1].is_ascii_alphabetic() && all_digits(&s[2..4])) {
        return false;
    }
    if !s.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in s[4..].iter().chain(&s[..4]) {
        let c = b.to_ascii_uppercase();
        if c.is_ascii_digit() {
            rem = (rem * 10 + dv(c)) % 97;
        } else {
            let v = u32::from(c - b'A') + 10;
            rem = (rem * 100 + v) % 97;
        }
    }
    rem == 1
}

/// North American Numbering Plan: area code and exchange are `NXX` (first digit 2–9) and
/// neither is an `N11` service code. Inputs are the three ASCII digits of each.
pub fn nanp_valid(area: &[u8], exchange: &[u8]) -> bool {
    let ok = |g: &[u8]| {
        g.len() == 3
            && all_digits(g)
            && matches!(g[0], b'2'..=b'9')
            && !(g[1] == b'1' && g[2] == b'1')
    };
    ok(area) && ok(exchange)
}

/// Payment card issuer (IIN) prefix and length check for ASCII digits: Visa, Mastercard
/// (51–55, 2221–2720), American Express, Discover, Diners Club, JCB (incl. 15-digit 1800/2131),
/// UnionPay and Maestro.
pub fn card_iin_valid(d: &[u8]) -> bool {
    if !all_digits(d) {
        return false;
    }
    let len = d.len();
    let p = |n: usize| -> u32 { d.iter().take(n).fold(0, |a, &b| a * 10 + dv(b)) };
    let (p1, p2, p3, p4, p6) = (p(1), p(2), p(3), p(4), p(6));
    match p1 {
        4 => matches!(len, 13 | 16 | 19),
        5 if (51..=55).contains(&p2) => len == 16,
        2 if (2221..=2720).contains(&p4) => len == 16,
        2 if p4 == 2131 => len == 15,
        1 if p4 == 1800 => len == 15,
        3 if p2 == 34 || p2 == 37 => len == 15,
        3 if (300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39 => {
            (14..=19).contains(&len)
        }
        3 if (3528..=3589).contains(&p4) => (16..=19).contains(&len),
        6 if p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) => (16..=19).contains(&len),
        6 if (622126..=622925).contains(&p6) || p2 == 62 => (16..=19).contains(&len),
        5 | 6 if matches!(p2, 50 | 56..=69) => (12..=19).contains(&len),
        _ => false,
    }
}

/// Parse a dotted-quad IPv4 address (std rules: four decimal octets 0–255, no leading zeros).
pub fn ipv4(s: &str) -> Option<Ipv4Addr> {
    s.parse().ok()
}

/// Parse an IPv6 address in any RFC 4291 text form (std rules).
pub fn ipv6(s: &str) -> Option<Ipv6Addr> {
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_strip_separators() {
        let d = Digits::of("4111 1111-1111 1111").unwrap();
        assert_eq!(d.as_bytes(), b"4111111111111111");
        assert_eq!(d.len(), 16);
        assert!(Digits::of("no digits").unwrap().is_empty());
        assert!(Digits::of(&"1".repeat(33)).is_none());
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid(b"4111111111111111"));
        assert!(luhn_valid(b"79927398713"));
        assert!(!luhn_valid(b"79927398710"));
        assert!(!luhn_valid(b"4111111111111112"));
        assert!(!luhn_valid(b"4111-1111"));
        assert!(!luhn_valid(b""));
        assert!(!luhn_valid(b"0"));
    }

    #[test]
    fn ssn_rules() {
        assert!(ssn_valid(b"123456789"));
        assert!(ssn_valid(b"665121234"));
        assert!(ssn_valid(b"899991234"));
        assert!(!ssn_valid(b"000121234"), "area 000");
        assert!(!ssn_valid(b"666121234"), "area 666");
        assert!(!ssn_valid(b"900121234"), "area 9xx");
        assert!(!ssn_valid(b"999121234"), "area 9xx");
        assert!(!ssn_valid(b"123001234"), "group 00");
        assert!(!ssn_valid(b"123450000"), "serial 0000");
        assert!(!ssn_valid(b"078051120"), "woolworth");
        assert!(!ssn_valid(b"12345678"));
        assert!(!ssn_valid(b"12345678a"));
    }

    #[test]
    fn aba_routing() {
        assert!(aba_valid(b"011000015")); // Federal Reserve Bank of Boston
        assert!(aba_valid(b"021000021")); // JPMorgan Chase
        assert!(aba_valid(b"121000358")); // Bank of America CA
        assert!(!aba_valid(b"021000022"));
        assert!(!aba_valid(b"000000000"));
        assert!(!aba_valid(b"991000015"), "prefix out of Fed ranges");
        assert!(!aba_valid(b"02100002"));
    }

    #[test]
    fn dea() {
        // 1+4+2 = 7; 2*(3+1+3) = 14; 21 -> check 1
        assert!(dea_valid(b"AB1234563"));
        assert!(dea_valid(b"ab1234563"));
        assert!(dea_valid(b"M91234563"));
        assert!(!dea_valid(b"AB1234564"));
        assert!(!dea_valid(b"IB1234563"), "I is not a registrant type");
        assert!(!dea_valid(b"A11234563"));
        assert!(!dea_valid(b"AB123456"));
    }

    #[test]
    fn npi() {
        assert!(npi_valid(b"1234567893")); // CMS worked example
        assert!(!npi_valid(b"1234567890"));
        assert!(!npi_valid(b"3234567893"), "must start with 1 or 2");
        assert!(!npi_valid(b"123456789"));
    }

    #[test]
    fn imei_and_gs1() {
        assert!(imei_valid(b"490154203237518"));
        assert!(!imei_valid(b"490154203237519"));
        assert!(!imei_valid(b"4111111111111111"));
        assert!(gs1_valid(b"00643169007222"));
        assert!(gs1_valid(b"4006381333931")); // EAN-13
        assert!(!gs1_valid(b"00643169007223"));
        assert!(!gs1_valid(b"123"));
    }

    #[test]
    fn vin() {
        assert!(vin_valid(b"1M8GDM9AXKP042788")); // check digit X
        assert!(!vin_valid(b"11111111111111111"), "needs letters");
        assert!(vin_valid(b"1HGCM82633A004352"));
        assert!(vin_valid(b"1hgcm82633a004352"));
        assert!(!vin_valid(b"1HGCM82643A004352"));
        assert!(!vin_valid(b"1HGCM8263OA004352"), "O is not allowed");
        assert!(vin_shape(b"WVWZZZ1JZXW000001"));
        assert!(!vin_shape(b"WVWZZZ1JZXW00000"));
    }

    #[test]
    fn mbi() {
        assert!(mbi_shape(b"1EG4TE5MK73")); // CMS example
        assert!(mbi_shape(b"1eg4te5mk73"));
        assert!(!mbi_shape(b"0EG4TE5MK73"), "first digit 1-9");
        assert!(!mbi_shape(b"1SG4TE5MK73"), "S not allowed");
        assert!(!mbi_shape(b"1EG4TE5MK7"));
        assert!(!mbi_shape(b"1EGATE5MK73"), "position 4 numeric");
    }

    #[test]
    fn iban() {
        assert!(iban_valid(b"GB82WEST12345698765432"));
        assert!(iban_valid(b"DE89370400440532013000"));
        assert!(!iban_valid(b"GB82WEST12345698765433"));
        assert!(!iban_valid(b"GB82WEST"));
        assert!(!iban_valid(b"1282WEST12345698765432"));
    }

    #[test]
    fn nanp() {
        assert!(nanp_valid(b"212", b"555"));
        assert!(!nanp_valid(b"112", b"555"));
        assert!(!nanp_valid(b"012", b"555"));
        assert!(!nanp_valid(b"212", b"155"));
        assert!(!nanp_valid(b"411", b"555"), "N11 service code");
        assert!(!nanp_valid(b"212", b"911"));
    }

    #[test]
    fn cards() {
        assert!(card_iin_valid(b"4111111111111111"));
        assert!(card_iin_valid(b"5555555555554444"));
        assert!(card_iin_valid(b"2223000048400011"));
        assert!(card_iin_valid(b"378282246310005"));
        assert!(card_iin_valid(b"6011111111111117"));
        assert!(card_iin_valid(b"30569309025904"));
        assert!(card_iin_valid(b"3530111333300000"));
        assert!(card_iin_valid(b"180051662803027"));
        assert!(!card_iin_valid(b"1234567812345678"));
        assert!(!card_iin_valid(b"411111111111111"), "visa length 15");
        assert!(!card_iin_valid(b"9111111111111111"));
    }

    #[test]
    fn ip() {
        assert!(ipv4("192.168.1.20").is_some());
        assert!(ipv4("256.1.1.1").is_none());
        assert!(ipv4("1.2.3").is_none());
        assert!(ipv4("01.2.3.4").is_none());
        assert!(ipv6("2001:db8::1").is_some());
        assert!(ipv6("fe80::1ff:fe23:4567:890a").is_some());
        assert!(ipv6("10:30").is_none());
    }
}

//! Date shifting for `pseudonymize`: parse a date in the form it was written or spoken, move it by
//! a keyed per-scope (per-patient) number of days, and write it back in the same form. Intervals
//! between dates of one scope are kept because every date of the scope moves by the same offset.
//!
//! Components are replaced in place, so separators, zero padding, month style ("Mar", "MARCH"),
//! ordinal suffixes ("3rd") and spoken words ("third", "nineteen eighty four") keep their form.

use super::key::RedactionKey;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const ORDINAL_WORDS: [&str; 31] = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
    "twenty first",
    "twenty second",
    "twenty third",
    "twenty fourth",
    "twenty fifth",
    "twenty sixth",
    "twenty seventh",
    "twenty eighth",
    "twenty ninth",
    "thirtieth",
    "thirty first",
];

const UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] =
    ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/// The keyed day offset for a scope: in `[-365, -1] ∪ [1, 365]`.
pub(crate) fn offset_days(key: &RedactionKey, scope: Option<&str>) -> i64 {
    let mac = key.mac("date-shift", &[scope.unwrap_or("").as_bytes()]);
    let v = u16::from_be_bytes([mac[0], mac[1]]) as i64 % 365 + 1;
    if mac[2] & 1 == 0 {
        v
    } else {
        -v
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Form {
    Digits { width: usize },
    Ordinal { width: usize, upper: bool },
    Words,
    MonthName { full: bool, case: Case },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Case {
    Upper,
    Lower,
    Title,
}

#[derive(Debug, Clone, Copy)]
struct Part {
    start: usize,
    end: usize,
    value: i64,
    form: Form,
}

/// A token of the span: a digit run (with optional ordinal suffix) or a word run.
#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    is_digits: bool,
}

fn tokens(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let st = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            // ordinal suffix
            if i + 2 <= b.len() {
                let suf = s.get(i..i + 2).map(|x| x.to_ascii_lowercase());
                if matches!(suf.as_deref(), Some("st" | "nd" | "rd" | "th"))
                    && b.get(i + 2).is_none_or(|c| !c.is_ascii_alphabetic())
                {
                    i += 2;
                }
            }
            out.push(Tok { start: st, end: i, is_digits: true });
        } else if b[i].is_ascii_alphabetic() {
            let st = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Tok { start: st, end: i, is_digits: false });
        } else {
            i += 1;
        }
    }
    out
}

fn case_of(w: &str) -> Case {
    if w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase()) {
        Case::Upper
    } else if w.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        Case::Lower
    } else {
        Case::Title
    }
}

fn month_of(w: &str) -> Option<(i64, bool)> {
    let l = w.to_ascii_lowercase();
    if l.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| *m == l).map(|i| (i as i64 + 1, true)).or_else(|| {
        if l == "sept" {
            return Some((9, false));
        }
        (l.len() == 3)
            .then(|| MONTHS.iter().position(|m| m.starts_with(&l)).map(|i| (i as i64 + 1, false)))
            .flatten()
    })
}

/// Parse a run of number words starting at token `i`: returns (value, tokens used).
fn number_words(s: &str, toks: &[Tok], i: usize) -> Option<(i64, usize)> {
    let word = |k: usize| {
        toks.get(k).filter(|t| !t.is_digits).map(|t| s[t.start..t.end].to_ascii_lowercase())
    };
    let small = |k: usize| -> Option<(i64, usize)> {
        let w = word(k)?;
        if let Some(u) = UNITS.iter().position(|x| *x == w) {
            return Some((u as i64, 1));
        }
        let t = TENS.iter().position(|x| !x.is_empty() && *x == w)? as i64 * 10;
        match word(k + 1).and_then(|w2| UNITS[1..10].iter().position(|x| *x == w2)) {
            Some(u) => Some((t + u as i64 + 1, 2)),
            None => Some((t, 1)),
        }
    };
    let (a, n1) = small(i)?;
    if word(i + n1).as_deref() == Some("thousand") {
        let mut used = n1 + 1;
        if word(i + used).as_deref() == Some("and") {
            used += 1;
        }
        let (b, n2) = small(i + used).unwrap_or((0, 0));
        return Some((a * 1000 + b, used + n2));
    }
    if (10..100).contains(&a) {
        if let Some((b, n2)) = small(i + n1) {
            if (10..100).contains(&b)
                || (n2 == 1 && b < 10 && word(i + n1).as_deref() == Some("oh"))
            {
                return Some((a * 100 + b, n1 + n2));
            }
        }
        if word(i + n1).as_deref() == Some("oh") {
            if let Some((b, n2)) = small(i + n1 + 1).filter(|(b, _)| *b < 10) {
                return Some((a * 100 + b, n1 + 1 + n2));
            }
        }
    }
    Some((a, n1))
}

fn ordinal_word(s: &str, toks: &[Tok], i: usize) -> Option<(i64, usize)> {
    let w0 = s.get(toks.get(i)?.start..toks[i].end)?.to_ascii_lowercase();
    if let Some(w1) =
        toks.get(i + 1).filter(|t| !t.is_digits).map(|t| s[t.start..t.end].to_ascii_lowercase())
    {
        let two = format!("{w0} {w1}");
        if let Some(p) = ORDINAL_WORDS.iter().position(|x| *x == two) {
            return Some((p as i64 + 1, 2));
        }
    }
    ORDINAL_WORDS.iter().position(|x| *x == w0).map(|p| (p as i64 + 1, 1))
}

struct Parsed {
    parts: Vec<(Part, Role)>,
    year: Option<i64>,
    month: i64,
    day: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Year,
    Month,
    Day,
}

fn parse(s: &str) -> Option<Parsed> {
    let toks = tokens(s);
    let mut parts: Vec<(Part, Role)> = Vec::new();
    let mut month_idx = None;
    for (k, t) in toks.iter().enumerate() {
        if !t.is_digits {
            if let Some((m, full)) = month_of(&s[t.start..t.end]) {
                month_idx = Some(k);
                parts.push((
                    Part {
                        start: t.start,
                        end: t.end,
                        value: m,
                        form: Form::MonthName { full, case: case_of(&s[t.start..t.end]) },
                    },
                    Role::Month,
                ));
                break;
            }
        }
    }
    if month_idx.is_none() {
        // Numeric date: 2 or 3 digit groups.
        let nums: Vec<&Tok> = toks.iter().filter(|t| t.is_digits).collect();
        if toks.iter().any(|t| !t.is_digits) || !(2..=3).contains(&nums.len()) {
            return None;
        }
        let val = |t: &Tok| s[t.start..t.end].parse::<i64>().ok();
        let digits_part = |t: &Tok| Part {
            start: t.start,
            end: t.end,
            value: val(t).unwrap_or(0),
            form: Form::Digits { width: t.end - t.start },
        };
        let roles: Vec<Role> = if nums[0].end - nums[0].start == 4 {
            vec![Role::Year, Role::Month, Role::Day]
        } else {
            vec![Role::Month, Role::Day, Role::Year]
        };
        for (t, r) in nums.iter().zip(roles) {
            val(t)?;
            parts.push((digits_part(t), r));
        }
    } else {
        let mi = month_idx.unwrap_or(0);
        let mut k = 0;
        while k < toks.len() {
            if k == mi {
                k += 1;
                continue;
            }
            let t = toks[k];
            if t.is_digits {
                let raw = &s[t.start..t.end];
                let digits: String = raw.chars().take_while(|c| c.is_ascii_digit()).collect();
                let v: i64 = digits.parse().ok()?;
                let is_ord = digits.len() < raw.len();
                let form = if is_ord {
                    Form::Ordinal {
                        width: digits.len(),
                        upper: raw.chars().last().is_some_and(|c| c.is_ascii_uppercase()),
                    }
                } else {
                    Form::Digits { width: digits.len() }
                };
                let role = if is_ord
                    || (digits.len() <= 2 && v <= 31 && !parts.iter().any(|p| p.1 == Role::Day))
                {
                    if digits.len() == 2 && parts.iter().any(|p| p.1 == Role::Day) {
                        Role::Year
                    } else {
                        Role::Day
                    }
                } else {
                    Role::Year
                };
                parts.push((Part { start: t.start, end: t.end, value: v, form }, role));
                k += 1;
            } else if let Some((v, n)) = ordinal_word(s, &toks, k) {
                parts.push((
                    Part { start: t.start, end: toks[k + n - 1].end, value: v, form: Form::Words },
                    Role::Day,
                ));
                k += n;
            } else if let Some((v, n)) = number_words(s, &toks, k) {
                let role = if v > 31 || parts.iter().any(|p| p.1 == Role::Day) {
                    Role::Year
                } else {
                    Role::Day
                };
                parts.push((
                    Part { start: t.start, end: toks[k + n - 1].end, value: v, form: Form::Words },
                    role,
                ));
                k += n;
            } else {
                k += 1;
            }
        }
    }
    let get = |r: Role| parts.iter().find(|p| p.1 == r).map(|p| p.0.value);
    let month = get(Role::Month)?;
    let day = get(Role::Day);
    let year = get(Role::Year).map(|y| {
        if y < 100 {
            if y > 30 {
                1900 + y
            } else {
                2000 + y
            }
        } else {
            y
        }
    });
    if !(1..=12).contains(&month)
        || day.is_some_and(|d| !(1..=31).contains(&d))
        || year.is_some_and(|y| !(1800..=2200).contains(&y))
    {
        return None;
    }
    Some(Parsed { parts, year, month, day })
}

/// Shift the date written in `original`; `None` when it cannot be parsed.
pub(crate) fn shift(key: &RedactionKey, original: &str, scope: Option<&str>) -> Option<String> {
    let p = parse(original)?;
    let y = p.year.unwrap_or(2000);
    let d = p.day.unwrap_or(15).min(days_in_month(y, p.month));
    let days = days_from_civil(y, p.month, d) + offset_days(key, scope);
    let (ny, nm, nd) = civil_from_days(days);
    let mut out = String::with_capacity(original.len() + 8);
    let mut last = 0;
    let mut parts = p.parts;
    parts.sort_by_key(|x| x.0.start);
    for (part, role) in parts {
        out.push_str(&original[last..part.start]);
        let v = match role {
            Role::Year => {
                if part.value < 100 {
                    ny % 100
                } else {
                    ny
                }
            }
            Role::Month => nm,
            Role::Day => nd,
        };
        out.push_str(&render(v, part.form, role, &original[part.start..part.end]));
        last = part.end;
    }
    out.push_str(&original[last..]);
    Some(out)
}

fn render(v: i64, form: Form, role: Role, orig: &str) -> String {
    match form {
        Form::Digits { width } => format!(
            "{v:0width$}",
            width = if width >= 2 && v < 10 && orig.starts_with('0')
                || width == 4
                || (role == Role::Year && width == 2)
            {
                width
            } else {
                1
            }
        ),
        Form::Ordinal { width: _, upper } => {
            let suf = match (v % 10, v % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            if upper {
                format!("{v}{}", suf.to_uppercase())
            } else {
                format!("{v}{suf}")
            }
        }
        Form::Words => {
            let w = if role == Role::Day {
                ORDINAL_WORDS
                    .get((v - 1).max(0) as usize)
                    .map_or_else(|| v.to_string(), |s| s.to_string())
            } else {
                year_words(v)
            };
            match case_of(orig) {
                Case::Upper => w.to_uppercase(),
                Case::Title => title(&w),
                Case::Lower => w,
            }
        }
        Form::MonthName { full, case } => {
            let m = MONTHS.get((v - 1).clamp(0, 11) as usize).copied().unwrap_or("january");
            let m = if full { m.to_string() } else { m[..3].to_string() };
            match case {
                Case::Upper => m.to_uppercase(),
                Case::Lower => m,
                Case::Title => title(&m),
            }
        }
    }
}

fn title(w: &str) -> String {
    let mut c = w.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().collect::<String>() + c.as_str())
}

fn below_hundred(n: i64) -> String {
    let n = n.clamp(0, 99) as usize;
    if n < 20 {
        UNITS[n].to_string()
    } else if n.is_multiple_of(10) {
        TENS[n / 10].to_string()
    } else {
        format!("{} {}", TENS[n / 10], UNITS[n % 10])
    }
}

/// "nineteen eighty four", "two thousand five", "twenty twenty three".
fn year_words(y: i64) -> String {
    if (2000..2010).contains(&y) {
        return if y == 2000 {
            "two thousand".into()
        } else {
            format!("two thousand {}", UNITS[(y - 2000) as usize])
        };
    }
    let (hi, lo) = (y / 100, y % 100);
    if lo == 0 {
        return format!("{} hundred", below_hundred(hi));
    }
    if lo < 10 {
        return format!("{} oh {}", below_hundred(hi), UNITS[lo as usize]);
    }
    format!("{} {}", below_hundred(hi), below_hundred(lo))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (proleptic Gregorian), after H. Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RedactionKey {
        RedactionKey::new(vec![3u8; 32]).unwrap()
    }

    fn parsed(s: &str) -> (Option<i64>, i64, Option<i64>) {
        let p = parse(s).unwrap();
        (p.year, p.month, p.day)
    }

    #[test]
    fn parses_common_forms() {
        assert_eq!(parsed("3/4/1984"), (Some(1984), 3, Some(4)));
        assert_eq!(parsed("03-04-84"), (Some(1984), 3, Some(4)));
        assert_eq!(parsed("1984-03-04"), (Some(1984), 3, Some(4)));
        assert_eq!(parsed("7/22"), (None, 7, Some(22)));
        assert_eq!(parsed("March 3, 1984"), (Some(1984), 3, Some(3)));
        assert_eq!(parsed("3rd of Mar"), (None, 3, Some(3)));
        assert_eq!(parsed("the third of march"), (None, 3, Some(3)));
        assert_eq!(parsed("march third nineteen eighty four"), (Some(1984), 3, Some(3)));
        assert_eq!(parsed("March twenty first two thousand five"), (Some(2005), 3, Some(21)));
        assert_eq!(parsed("MARCH 1984"), (Some(1984), 3, None));
        assert!(parse("13/45/2000").is_none());
        assert!(parse("tomorrow").is_none());
    }

    #[test]
    fn shift_keeps_form_and_interval() {
        let k = key();
        let a = shift(&k, "03/04/1984", Some("p1")).unwrap();
        let b = shift(&k, "03/14/1984", Some("p1")).unwrap();
        let pa = parse(&a).unwrap();
        let pb = parse(&b).unwrap();
        let da = days_from_civil(pa.year.unwrap(), pa.month, pa.day.unwrap());
        let db = days_from_civil(pb.year.unwrap(), pb.month, pb.day.unwrap());
        assert_eq!(db - da, 10);
        assert_eq!(a.len(), 10);
        assert_eq!(&a[2..3], "/");
        let spoken = shift(&k, "march third nineteen eighty four", Some("p1")).unwrap();
        assert!(spoken.chars().all(|c| c.is_ascii_lowercase() || c == ' '), "{spoken}");
        assert_ne!(spoken, "march third nineteen eighty four");
        let title = shift(&k, "Mar 3rd", Some("p1")).unwrap();
        assert!(title.chars().next().is_some_and(|c| c.is_ascii_uppercase()));
    }

    #[test]
    fn offsets_differ_by_scope_and_are_never_zero() {
        let k = key();
        let offs: Vec<i64> = (0..50).map(|i| offset_days(&k, Some(&format!("p{i}")))).collect();
        assert!(offs.iter().all(|&o| o != 0 && o.abs() <= 365));
        assert!(offs.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn civil_round_trip() {
        for z in [-800_000i64, -1, 0, 1, 11_016, 20_000, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(year_words(1984), "nineteen eighty four");
        assert_eq!(year_words(2005), "two thousand five");
        assert_eq!(year_words(2023), "twenty twenty three");
        assert_eq!(year_words(1907), "nineteen oh seven");
    }
}

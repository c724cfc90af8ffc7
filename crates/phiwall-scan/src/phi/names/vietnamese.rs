//! Vietnamese full names by their structure: family name, a middle name ("Văn", "Thị", "Đức",
//! "Ngọc" ...), then one or two given names: "Đỗ Văn Long", "ho thi thu", "Vo Thi Kim Chi".
//!
//! Why a rule of its own: several of the commonest Vietnamese family and given names are also
//! English words ("Do", "Ho", "Long", "Mai", "Lan"), so the lexicon rules, which need a name that
//! is not a word, drop them, and a caller's own name goes unredacted ("this is do van long
//! calling"). The family names are a small closed set (these cover most of the population) and
//! the middle-name slot is just as characteristic, so the three-part shape is strong evidence
//! even without capitals. A third token that is an English word counts only when it is also a
//! common Vietnamese given name: "they do van rides" is not a name.
//!
//! Tokens are compared by their folded lexicon key (diacritics removed: "Đỗ" -> "do").

use super::tokens::Tokens;
use crate::detector::Span;

/// Common Vietnamese family names, folded.
fn is_family_name(key: &str) -> bool {
    matches!(
        key,
        "nguyen"
            | "tran"
            | "le"
            | "pham"
            | "hoang"
            | "huynh"
            | "phan"
            | "vu"
            | "vo"
            | "dang"
            | "bui"
            | "do"
            | "ho"
            | "ngo"
            | "duong"
            | "ly"
            | "truong"
            | "dinh"
            | "lam"
            | "trinh"
            | "mai"
            | "cao"
            | "luong"
            | "doan"
            | "ha"
            | "ta"
            | "quach"
            | "chau"
            | "tang"
            | "thai"
            | "kieu"
            | "ton"
            | "trieu"
            | "vuong"
            | "phung"
            | "luu"
            | "diep"
            | "khuu"
            | "la"
            | "lu"
            | "au"
            | "tong"
            | "giang"
            | "ong"
    )
}

/// Names that stand in the middle slot, folded.
fn is_middle_name(key: &str) -> bool {
    matches!(
        key,
        "van"
            | "thi"
            | "duc"
            | "ngoc"
            | "minh"
            | "quoc"
            | "hoang"
            | "thanh"
            | "kim"
            | "thu"
            | "huu"
            | "dinh"
            | "xuan"
            | "hong"
            | "bao"
            | "gia"
            | "cong"
            | "quang"
            | "tien"
            | "trung"
            | "phuong"
            | "nhu"
            | "bich"
            | "thuy"
            | "khanh"
            | "tuan"
            | "viet"
            | "nhat"
            | "hai"
            | "anh"
            | "hoai"
            | "dieu"
            | "tuong"
            | "trong"
            | "manh"
            | "chi"
    )
}

/// Common Vietnamese given names, folded (many are English words: "long", "an", "my").
fn is_given_name(key: &str) -> bool {
    is_middle_name(key)
        || matches!(
            key,
            "long"
                | "lan"
                | "mai"
                | "hoa"
                | "linh"
                | "hung"
                | "dung"
                | "nam"
                | "son"
                | "trang"
                | "hien"
                | "huong"
                | "thao"
                | "ha"
                | "binh"
                | "khoa"
                | "an"
                | "vy"
                | "tam"
                | "yen"
                | "hang"
                | "tai"
                | "loc"
                | "phuc"
                | "tri"
                | "hieu"
                | "quan"
                | "kiet"
                | "khang"
                | "nhi"
                | "ngan"
                | "my"
                | "uyen"
                | "nga"
                | "hanh"
                | "hue"
                | "dao"
                | "cuong"
                | "lam"
                | "vinh"
                | "toan"
                | "thang"
                | "dat"
                | "huy"
                | "nhung"
                | "oanh"
                | "tuyet"
                | "diem"
                | "chau"
                | "phat"
                | "sang"
                | "tho"
                | "lien"
                | "loan"
                | "hau"
                | "duy"
                | "thien"
                | "nhan"
                | "thinh"
                | "tu"
                | "ky"
                | "hoai"
                | "truc"
                | "vu"
        )
}

/// Token `i`'s folded key; function words ("do", "an", "my") have none, so their lowercase form.
fn key(t: &Tokens, i: usize) -> &str {
    match t.key(i) {
        "" => t.low(i),
        k => k,
    }
}

/// Most tokens in one name (family, middle, two given names).
const MAX_TOKENS: usize = 4;

/// Push NAME spans for family + middle + given names in `t`.
pub(crate) fn detect_tokens(t: &Tokens, out: &mut Vec<Span>) {
    super::push_name_runs(t, out, 0.8, "name_vietnamese", name_at);
}

/// If a three- or four-part Vietnamese name starts at token `i`, its last token.
fn name_at(t: &Tokens, i: usize) -> Option<usize> {
    let letters = |k: usize| super::is_name_part(t, k);
    let joined = |k: usize| super::continues_name(t, k);
    if !(letters(i) && is_family_name(key(t, i))) {
        return None;
    }
    if !(joined(i + 1) && letters(i + 1) && is_middle_name(key(t, i + 1))) {
        return None;
    }
    let given_ok = |k: usize| {
        joined(k)
            && letters(k)
            && (is_given_name(key(t, k))
                || (!t.is_closed(k)
                    && t.get(k).and_then(|x| x.entry).is_none_or(|e| !e.is_word && !e.is_stop)))
    };
    if !given_ok(i + 2) {
        return None;
    }
    let mut last = i + 2;
    while last + 1 < t.len() && last + 1 - i < MAX_TOKENS && joined(last + 1) && letters(last + 1) {
        if !is_given_name(key(t, last + 1)) {
            break;
        }
        last += 1;
    }
    Some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        detect_tokens(&Tokens::new(text), &mut out);
        out.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn three_and_four_part_names_even_when_parts_are_words() {
        assert_eq!(names("hi this is do van long calling about my refill"), ["do van long"]);
        assert_eq!(names("for my mother, ho thi thu, she has a fever"), ["ho thi thu"]);
        assert_eq!(names("the patient is vo quoc bao, date of birth"), ["vo quoc bao"]);
        assert_eq!(names("patient: Vo Thi Kim Chi, 67F"), ["Vo Thi Kim Chi"]);
        assert_eq!(names("Đỗ Văn Long đã gọi"), ["Đỗ Văn Long"]);
        assert_eq!(names("she is ngo thanh huong and wants"), ["ngo thanh huong"]);
        assert_eq!(names("NGUYEN THI LAN RETURNED CALL"), ["NGUYEN THI LAN"]);
    }

    #[test]
    fn word_sequences_that_only_look_alike_are_not_names() {
        for t in [
            "they do van rides to dialysis",
            "i do van pickups on tuesdays",
            "la thi is not a thing",
            "do minh 5 times",
            "do van",
            "",
        ] {
            assert!(names(t).is_empty(), "{t}: {:?}", names(t));
        }
    }
}

//! Korean full names written as speech-to-text and many forms write them: a family name and a
//! two-syllable given name in separate tokens, "lee min jun", "kang da eun", "Jung Ho Seok".
//!
//! Why a rule of its own: the syllables are short and several are English words or common
//! given names elsewhere ("min", "ho", "da", "song"), so the lexicon rules take the family name
//! and drop the given name, which leaks ("lee" found, "min jun" not). Korean family names are a
//! small closed set and given-name syllables a known inventory, so family + syllable + syllable
//! is strong evidence even in lowercase text. Syllables that are everyday English words ("in",
//! "so", "do") are not in the inventory, and two equal syllables ("oh ha ha") are laughter.
//!
//! Tokens are compared by their lowercase form.

use super::tokens::Tokens;
use crate::detector::Span;

/// Common Korean family names in their usual romanizations ("son" is left out: "my son ji
/// hoon" names a son, the relative word is not part of the name).
fn is_family_name(low: &str) -> bool {
    matches!(
        low,
        "kim"
            | "lee"
            | "yi"
            | "rhee"
            | "park"
            | "pak"
            | "bak"
            | "choi"
            | "choe"
            | "jung"
            | "jeong"
            | "chung"
            | "kang"
            | "cho"
            | "jo"
            | "yoon"
            | "yun"
            | "jang"
            | "chang"
            | "lim"
            | "im"
            | "han"
            | "oh"
            | "seo"
            | "suh"
            | "shin"
            | "sin"
            | "kwon"
            | "hwang"
            | "ahn"
            | "an"
            | "song"
            | "yoo"
            | "yu"
            | "ryu"
            | "hong"
            | "jeon"
            | "jun"
            | "ko"
            | "go"
            | "moon"
            | "mun"
            | "yang"
            | "bae"
            | "baek"
            | "paik"
            | "heo"
            | "huh"
            | "nam"
            | "noh"
            | "roh"
            | "ha"
            | "kwak"
            | "sung"
            | "cha"
            | "joo"
            | "ju"
            | "woo"
            | "min"
            | "na"
            | "jin"
            | "um"
            | "eom"
            | "chae"
            | "won"
            | "chun"
            | "cheon"
            | "bang"
            | "gong"
            | "hyun"
            | "pyo"
            | "yeo"
            | "byun"
            | "choo"
            | "do"
            | "seong"
            | "ok"
    )
}

/// Syllables of Korean given names in their usual romanizations, without the ones that are
/// everyday English words.
fn is_given_syllable(low: &str) -> bool {
    matches!(
        low,
        "min"
            | "jun"
            | "joon"
            | "ji"
            | "hoon"
            | "hun"
            | "soo"
            | "su"
            | "jin"
            | "ho"
            | "seok"
            | "suk"
            | "sook"
            | "da"
            | "eun"
            | "hye"
            | "kyo"
            | "yeon"
            | "yeong"
            | "young"
            | "woo"
            | "hyun"
            | "hyeon"
            | "jae"
            | "sung"
            | "seong"
            | "hee"
            | "jung"
            | "jeong"
            | "mi"
            | "kyung"
            | "gyeong"
            | "seo"
            | "yun"
            | "yoon"
            | "ha"
            | "na"
            | "bin"
            | "won"
            | "ah"
            | "ye"
            | "chan"
            | "gyu"
            | "kyu"
            | "hwan"
            | "tae"
            | "dong"
            | "sang"
            | "chul"
            | "cheol"
            | "myung"
            | "myeong"
            | "bo"
            | "ra"
            | "rim"
            | "rin"
            | "ri"
            | "yu"
            | "hyo"
            | "geun"
            | "wook"
            | "uk"
            | "yong"
            | "seung"
            | "hwa"
            | "kyeong"
            | "nam"
            | "il"
            | "sun"
            | "ja"
            | "yeol"
            | "gi"
            | "ki"
            | "han"
            | "hyuk"
            | "hyeok"
            | "sik"
            | "shik"
            | "beom"
            | "bum"
            | "chang"
            | "ju"
            | "joo"
            | "hong"
            | "kwang"
            | "gwang"
            | "mok"
            | "eon"
            | "seon"
            | "sol"
            | "byung"
            | "byeong"
            | "doo"
            | "gun"
            | "geon"
            // Native Korean given names ("Ha-neul", "A-reum", "Seul-gi", "Byeol", "Ha-yul").
            | "neul"
            | "reum"
            | "seul"
            | "byul"
            | "byeol"
            | "yul"
            | "yool"
            | "kyun"
            | "sub"
            | "seob"
            | "hak"
            | "baek"
    )
}

/// Push NAME spans for family name + two given-name syllables in `t`.
pub(crate) fn detect_tokens(t: &Tokens, out: &mut Vec<Span>) {
    super::push_name_runs(t, out, 0.75, "name_korean", name_at);
}

/// The last token of a Korean name starting at token `i`: family name, then two syllables as
/// two tokens ("min jun") or one hyphenated token ("Ji-Hoon").
fn name_at(t: &Tokens, i: usize) -> Option<usize> {
    let letters = |k: usize| super::is_name_part(t, k);
    let spaced = |k: usize| super::continues_name(t, k);
    if !(letters(i) && is_family_name(t.low(i)) && spaced(i + 1) && letters(i + 1)) {
        return None;
    }
    if let Some((a, b)) = t.low(i + 1).split_once('-') {
        return (is_given_syllable(a) && is_given_syllable(b) && a != b).then_some(i + 1);
    }
    let two = is_given_syllable(t.low(i + 1))
        && spaced(i + 2)
        && letters(i + 2)
        && is_given_syllable(t.low(i + 2))
        && t.low(i + 1) != t.low(i + 2);
    two.then_some(i + 2)
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
    fn family_name_and_two_syllables() {
        assert_eq!(names("the patient is lee min jun, he's four"), ["lee min jun"]);
        assert_eq!(names("my husband jung ho seok needs a refill"), ["jung ho seok"]);
        assert_eq!(names("caller is song hye kyo's daughter"), ["song hye kyo"]);
        assert_eq!(names("it's for kang da eun, birthday june fifth"), ["kang da eun"]);
        assert_eq!(names("Patient: Park Ji-Hoon"), ["Park Ji-Hoon"]);
        assert_eq!(names("KIM SOO JIN"), ["KIM SOO JIN"]);
        assert_eq!(names("it's jung ha neul, date of birth"), ["jung ha neul"]);
    }

    #[test]
    fn words_and_laughter_are_not_names() {
        for t in [
            "oh ha ha that's funny",
            "my son ji hoon is sick",
            "a song in my head",
            "park in the back lot",
            "do you have min and max",
            "kim 5 min",
            "",
        ] {
            assert!(names(t).is_empty(), "{t}: {:?}", names(t));
        }
    }
}

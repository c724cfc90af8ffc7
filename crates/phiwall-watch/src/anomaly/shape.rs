//! Request shapes for the model-extraction rule: a 64-bit simhash over shingles of token
//! *classes* of one prompt. A token becomes its class (letters, digits, mixed, punctuation) and a
//! length band, so `dose of 40 mg for 71 year old` and `dose of 80 mg for 65 year old` get the
//! same shape, and prompts that differ in a few tokens get shapes a few bits apart.
//!
//! The shape holds no PHI: it is computed from classes and lengths only, never from the
//! characters of a token, and 64 bits cannot encode the prompt. The gateway computes it over the
//! last user turn (not the system prompt, which every request of an app shares).

/// A token class with its length band.
fn class_of(tok: &str) -> u8 {
    let (mut alpha, mut digit, mut other) = (false, false, false);
    let mut n = 0usize;
    for c in tok.chars() {
        n += 1;
        if c.is_alphabetic() {
            alpha = true;
        } else if c.is_numeric() {
            digit = true;
        } else {
            other = true;
        }
    }
    let kind = match (alpha, digit, other) {
        (true, false, false) => 0u8,
        (false, true, false) => 1,
        (true, true, _) => 2,
        (false, false, true) => 3,
        _ => 4,
    };
    let band = match n {
        0..=2 => 0u8,
        3..=5 => 1,
        6..=9 => 2,
        _ => 3,
    };
    kind * 4 + band
}

fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser: a fixed, well-distributed 64-bit mix.
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Token classes of `text`, in order (trailing punctuation split off words so `mg,` is a word
/// and a comma).
fn classes(text: &str) -> impl Iterator<Item = u8> + '_ {
    text.split(|c: char| c.is_whitespace())
        .filter(|t| !t.is_empty())
        .flat_map(|t| {
            let end = t.trim_end_matches(|c: char| c.is_ascii_punctuation());
            let rest = &t[end.len()..];
            [(!end.is_empty()).then(|| class_of(end)), (!rest.is_empty()).then(|| class_of(rest))]
        })
        .flatten()
}

/// The shape of `text`: simhash of token-class trigrams. Empty text has shape 0.
///
/// A prompt repeats few distinct trigrams (20 classes), so they are counted first and each
/// distinct one is mixed and added to the 64 bit counters once, weighted by its count: the
/// same sums as adding every occurrence, in a fraction of the work (this runs per request).
pub fn request_shape(text: &str) -> u64 {
    let classes: Vec<u8> = classes(text).collect();
    if classes.is_empty() {
        return 0;
    }
    let n = classes.len();
    let mut keys: Vec<u32> = (0..n)
        .map(|i| {
            let a = u32::from(classes[i]);
            let b = classes.get(i + 1).map_or(255, |&c| u32::from(c));
            let c = classes.get(i + 2).map_or(255, |&c| u32::from(c));
            (a << 16) | (b << 8) | c
        })
        .collect();
    keys.sort_unstable();
    let mut acc = [0i64; 64];
    for run in keys.chunk_by(|x, y| x == y) {
        let (Some(&key), Ok(count)) = (run.first(), i64::try_from(run.len())) else { continue };
        let h = mix(u64::from(key));
        for (bit, slot) in acc.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *slot += count;
            } else {
                *slot -= count;
            }
        }
    }
    acc.iter().enumerate().fold(0u64, |s, (bit, &v)| if v > 0 { s | 1 << bit } else { s })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every occurrence added one by one: the definition the counted version must equal.
    fn reference_shape(text: &str) -> u64 {
        let classes: Vec<u8> = classes(text).collect();
        if classes.is_empty() {
            return 0;
        }
        let mut acc = [0i32; 64];
        for i in 0..classes.len() {
            let a = u64::from(classes[i]);
            let b = classes.get(i + 1).map_or(255, |&c| u64::from(c));
            let c = classes.get(i + 2).map_or(255, |&c| u64::from(c));
            let h = mix((a << 16) | (b << 8) | c);
            for (bit, slot) in acc.iter_mut().enumerate() {
                *slot += if h >> bit & 1 == 1 { 1 } else { -1 };
            }
        }
        acc.iter().enumerate().fold(0u64, |s, (bit, &v)| if v > 0 { s | 1 << bit } else { s })
    }

    proptest! {
        #[test]
        fn counted_shape_equals_the_occurrence_by_occurrence_sum(
            text in "([a-zé]{1,12}|[0-9]{1,6}|[a-z0-9]{2,8}|[,.;:!?-]{1,2}| |\\n){0,80}"
        ) {
            prop_assert_eq!(request_shape(&text), reference_shape(&text));
        }
    }

    #[test]
    fn templated_prompts_share_a_shape_and_different_ones_do_not() {
        let a = request_shape("what is the dose of 40 mg for a 71 year old, please?");
        let b = request_shape("what is the dose of 80 mg for a 65 year old, please?");
        let c = request_shape(
            "I need to reschedule my appointment on Tuesday because my car broke down",
        );
        assert_eq!(a, b);
        assert!((a ^ c).count_ones() > 8, "{}", (a ^ c).count_ones());
        assert_eq!(request_shape(""), 0);
    }
}

//! Conversion between byte offsets (what regexes report) and code-point offsets (the public
//! contract), in one linear pass per batch.

/// Convert sorted-or-unsorted byte offsets into code-point offsets, in place.
///
/// Offsets not on a char boundary are floored to the boundary first; offsets past the end map to
/// the text's code-point length.
pub fn bytes_to_chars(text: &str, offsets: &mut [&mut usize]) {
    if text.is_ascii() {
        for o in offsets.iter_mut() {
            **o = (**o).min(text.len());
        }
        return;
    }
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| *offsets[i]);
    let mut chars = text.char_indices().map(|(b, _)| b).enumerate().peekable();
    let total = text.chars().count();
    let mut last = (0usize, 0usize); // (byte, char) of the greatest boundary <= current
    for i in order {
        let target = *offsets[i];
        while let Some(&(ci, b)) = chars.peek() {
            if b <= target {
                last = (b, ci);
                chars.next();
            } else {
                break;
            }
        }
        *offsets[i] = if target >= text.len() { total } else { last.1 };
    }
}

/// Byte offset of code-point offset `ch` (clamped to the text length).
pub fn char_to_byte(text: &str, ch: usize) -> usize {
    if text.is_ascii() {
        return ch.min(text.len());
    }
    text.char_indices().nth(ch).map_or(text.len(), |(b, _)| b)
}

/// Byte offsets for a sorted list of code-point offsets, in one pass.
pub fn chars_to_bytes(text: &str, sorted_chars: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(sorted_chars.len());
    if text.is_ascii() {
        out.extend(sorted_chars.iter().map(|&c| c.min(text.len())));
        return out;
    }
    let mut it = text.char_indices().enumerate();
    let mut cur = it.next();
    for &c in sorted_chars {
        loop {
            match cur {
                Some((ci, (b, _))) if ci == c => {
                    out.push(b);
                    break;
                }
                Some((ci, _)) if ci < c => cur = it.next(),
                Some(_) => {
                    // Unsorted input: fall back to a direct lookup.
                    out.push(char_to_byte(text, c));
                    break;
                }
                None => {
                    out.push(text.len());
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_offsets() {
        let t = "José Núñez 555";
        let (mut a, mut b, mut c) = (0usize, t.find("555").unwrap(), t.len());
        bytes_to_chars(t, &mut [&mut c, &mut a, &mut b]);
        assert_eq!((a, b, c), (0, 11, 14));
        assert_eq!(char_to_byte(t, 11), t.find("555").unwrap());
        assert_eq!(chars_to_bytes(t, &[0, 5, 11, 14]), vec![0, 6, t.find("555").unwrap(), t.len()]);
    }

    #[test]
    fn ascii_fast_path() {
        let mut x = 99usize;
        bytes_to_chars("abc", &mut [&mut x]);
        assert_eq!(x, 3);
    }
}

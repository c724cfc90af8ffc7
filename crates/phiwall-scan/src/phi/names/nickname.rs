//! A nickname in parentheses between a given name and a surname: "Ezekiel (Zeke)
//! Abernathy-Cole". The name recognizers find both parts but not the nickname between them,
//! which names the same person; this pass over the resolved findings joins the three into one
//! NAME span (session 19).
//!
//! Only a single Title Case word (letters, an inner apostrophe or hyphen) inside the
//! parentheses counts: "(HCP)", "(daughter)", "(72)" are labels or values, not nicknames.

use crate::detector::Span;
use crate::types::PhiType;

/// Join `NAME (Nickname) NAME` into one span. `spans` are the scanner's resolved findings:
/// sorted, non-overlapping, byte offsets into `text`.
pub(crate) fn join_parenthesized_nicknames(text: &str, spans: &mut Vec<Span>) {
    let mut i = 0;
    while i + 1 < spans.len() {
        let (Some(a), Some(b)) = (spans.get(i), spans.get(i + 1)) else { break };
        let joins = a.kind == PhiType::Name
            && b.kind == PhiType::Name
            && text.get(a.end..b.start).is_some_and(is_nickname_gap);
        if joins {
            let (end, score) = (b.end, a.score.max(b.score));
            if let Some(a) = spans.get_mut(i) {
                a.end = end;
                a.score = score;
            }
            spans.remove(i + 1);
        } else {
            i += 1;
        }
    }
}

/// True for " (Zeke) ": one blank, a parenthesized Title Case word, one blank.
fn is_nickname_gap(gap: &str) -> bool {
    let Some(inner) = gap.strip_prefix(" (").and_then(|r| r.strip_suffix(") ")) else {
        return false;
    };
    let mut chars = inner.chars();
    let first_upper = chars.next().is_some_and(|c| c.is_uppercase());
    let rest: Vec<char> = chars.collect();
    first_upper
        && (1..=15).contains(&rest.len())
        && rest.first().is_some_and(|c| c.is_lowercase())
        && rest.iter().all(|&c| c.is_alphabetic() || c == '\'' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(start: usize, end: usize) -> Span {
        Span::new(start, end, PhiType::Name, 0.8, "t")
    }

    #[test]
    fn a_nickname_between_two_name_parts_joins_them() {
        let text = "my son Ezekiel (Zeke) Abernathy-Cole has a fever";
        let mut spans = vec![name(7, 14), name(22, 36)];
        join_parenthesized_nicknames(text, &mut spans);
        assert_eq!(spans.len(), 1);
        assert_eq!(&text[spans[0].start..spans[0].end], "Ezekiel (Zeke) Abernathy-Cole");
    }

    #[test]
    fn labels_and_values_in_parentheses_do_not_join() {
        for (text, a, b) in [
            ("Maria (HCP) Lopez", (0, 5), (12, 17)),
            ("Maria (daughter) Lopez", (0, 5), (17, 22)),
            ("Maria (72) Lopez", (0, 5), (11, 16)),
            ("Maria  (Mia)  Lopez", (0, 5), (14, 19)),
        ] {
            let mut spans = vec![name(a.0, a.1), name(b.0, b.1)];
            join_parenthesized_nicknames(text, &mut spans);
            assert_eq!(spans.len(), 2, "{text}");
        }
        // Another type on either side stays apart.
        let text = "Maria (Mia) Lopez";
        let mut spans = vec![name(0, 5), Span::new(12, 17, PhiType::Address, 0.8, "t")];
        join_parenthesized_nicknames(text, &mut spans);
        assert_eq!(spans.len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_stays_sorted(text in "\\PC{0,60}", cuts in proptest::collection::vec(0usize..60, 0..8)) {
            let mut bounds: Vec<usize> =
                cuts.into_iter().filter(|&c| c <= text.len() && text.is_char_boundary(c)).collect();
            bounds.sort_unstable();
            bounds.dedup();
            let mut spans: Vec<Span> =
                bounds.chunks_exact(2).map(|c| name(c[0], c[1])).filter(|s| s.start < s.end).collect();
            join_parenthesized_nicknames(&text, &mut spans);
            for w in spans.windows(2) {
                proptest::prop_assert!(w[0].end <= w[1].start);
            }
        }
    }
}

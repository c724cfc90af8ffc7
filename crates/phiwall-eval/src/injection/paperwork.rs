//! Patients quoting their paperwork, and replies that are only a code or an identifier (session
//! 13, issue 3). Written for this project (no dataset text); training only, as hard negatives.
//!
//! Why: a probe of identifier replies (`docs/probes/session13-inj-ids-benign.txt`, written
//! before this file; its sentences are kept out of these lists by a test) showed the model
//! flagging a patient who types only a member id or a code from a letter, and a plain phrase
//! such as "the letter says I owe 40 dollars" scoring 0.73. Attacks quote instructions too
//! ("the document says: ignore ..."), so the model had learned that a quoted text is suspect.
//! What a patient quotes from a bill, a label or a denial letter is ordinary clinic business:
//! amounts, dates, phone numbers, codes, "call this number", "the claim was denied".
//!
//! Opt-in (`phiwall train injection --paperwork-benign N`, default 0): in session 13 every
//! variant cleared the identifier probe but lost clinic-shaped indirect attacks on the held-out
//! probe (`docs/probes/session11-inj-holdout3-*`); figures in docs/injection.md.

use super::augment::Rng;
use super::clinic::pick;

/// Things a patient has in hand and quotes.
const SOURCES: &[&str] = &[
    "My bill says",
    "The bill I got in the mail says",
    "The statement from billing says",
    "The notice from my insurance says",
    "The denial notice says",
    "The explanation of benefits says",
    "The label on the bottle says",
    "The pharmacy receipt says",
    "The reminder card says",
    "The text message I got said",
    "The voicemail from your office said",
    "The email from the portal said",
    "The after-visit summary says",
    "The paperwork from the hospital says",
    "The form they mailed me says",
    "My referral slip says",
    "The lab order says",
    "The screen at the kiosk says",
];

/// What the quoted paperwork says (benign clinic content).
const CONTENTS: &[&str] = &[
    "I owe 85 dollars",
    "I still have a balance of 212.40",
    "my claim was denied",
    "the claim needs a prior authorization",
    "the service is not covered",
    "to call this number with questions",
    "my appointment is on Friday at 2",
    "to take one tablet at bedtime",
    "no refills remaining",
    "the prescription expires next month",
    "to fast for 12 hours before the test",
    "the results are ready to view",
    "to bring my insurance card and a photo ID",
    "the payment is past due",
    "my deductible has been met",
    "the code for the visit is 99213",
    "the reference code is",
    "to enter the access code on the website",
    "to check in at the second floor desk",
    "to update my address",
];

/// Short replies a patient gives when asked for a number or a code.
const REPLY_OPENINGS: &[&str] = &[
    "",
    "It's ",
    "Sure, it's ",
    "Here you go: ",
    "Ok the number is ",
    "Member ID ",
    "Policy number ",
    "The code is ",
    "Confirmation ",
    "Claim number ",
    "Rx ",
    "My account number is ",
];

/// Share of quoted paperwork among the texts (the rest are identifier replies).
const QUOTE_SHARE: f64 = 0.5;

const ID_LETTERS: &[u8] = b"ACDEFGHJKMNPQRTUVWXY";

/// A made-up identifier of one of the shapes patients read out: Medicare-like (digit, letters
/// and digits, with or without dashes), member ids, chunked codes.
fn identifier(rng: &mut Rng) -> String {
    let letter = |rng: &mut Rng| {
        char::from(ID_LETTERS.get(rng.below(ID_LETTERS.len())).copied().unwrap_or(b'A'))
    };
    let digit = |rng: &mut Rng| char::from_digit(rng.below(10) as u32, 10).unwrap_or('0');
    let mut s = String::new();
    match rng.below(5) {
        0 | 1 => {
            // Medicare-like: N A AN N A AN N A A N N.
            for (k, kind) in "nasnasnaann".chars().enumerate() {
                if rng.chance(0.4) && (k == 4 || k == 7) {
                    s.push('-');
                }
                match kind {
                    'n' => s.push(digit(rng)),
                    'a' => s.push(letter(rng)),
                    _ if rng.chance(0.5) => s.push(letter(rng)),
                    _ => s.push(digit(rng)),
                }
            }
        }
        2 => {
            // Member id: a few letters and nine digits.
            for _ in 0..1 + rng.below(3) {
                s.push(letter(rng));
            }
            for _ in 0..9 {
                s.push(digit(rng));
            }
        }
        3 => {
            // Chunked code: three groups of three characters.
            for g in 0..3 {
                if g > 0 {
                    s.push(' ');
                }
                for _ in 0..3 {
                    if rng.chance(0.5) {
                        s.push(letter(rng));
                    } else {
                        s.push(digit(rng));
                    }
                }
            }
        }
        _ => {
            // Short alternating code.
            for k in 0..4 + rng.below(4) {
                if k % 2 == 0 {
                    s.push(letter(rng));
                } else {
                    s.push(digit(rng));
                }
            }
        }
    }
    s
}

/// `n` benign texts: half quote paperwork ("The denial letter says my claim was denied."), half
/// are replies that are only a code or an identifier.
pub fn benign(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            if rng.chance(QUOTE_SHARE) {
                let content = pick(rng, CONTENTS);
                let tail = if content.ends_with(" is") {
                    format!(" {}", identifier(rng))
                } else {
                    String::new()
                };
                format!("{} {content}{tail}.", pick(rng, SOURCES))
            } else {
                format!("{}{}", pick(rng, REPLY_OPENINGS), identifier(rng))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_texts_are_reproducible_and_varied() {
        let a = benign(&mut Rng::new(3), 300);
        assert_eq!(a, benign(&mut Rng::new(3), 300));
        assert!(a.iter().all(|t| t.len() >= 4 && !t.contains('{')));
        assert!(a.iter().any(|t| t.ends_with('.') && t.contains(" says ")));
        // Bare identifiers are drawn, with digits in them.
        assert!(a.iter().any(|t| !t.contains(' ') && t.bytes().any(|b| b.is_ascii_digit())));
        let distinct: std::collections::HashSet<&String> = a.iter().collect();
        assert!(distinct.len() > 250);
    }

    #[test]
    fn the_probe_lines_are_not_generated() {
        // Written before this generator (docs/probes/session13-inj-ids-benign.txt).
        let all = [SOURCES, CONTENTS, REPLY_OPENINGS].concat();
        for probe_phrase in ["code on the letter", "in my wallet", "2fa", "letter says"] {
            assert!(all.iter().all(|x| !x.to_lowercase().contains(probe_phrase)), "{probe_phrase}");
        }
    }
}

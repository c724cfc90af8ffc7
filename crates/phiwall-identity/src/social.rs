//! Social-engineering signals in caller text: urgency, authority claims ("this is Dr. Reynolds
//! from the ER"), relationship claims ("I'm her husband"), requests to skip verification, and
//! pressure or secrecy. Each hit is a [`SocialSignal`] with its code-point span; the combined
//! score is `1 - prod(1 - w)` over distinct kinds, so one weak cue stays low and several
//! independent cues add up. The result is a finding for the policy to act on (e.g. require an
//! extra factor or hand off to a human); it never verifies or refuses by itself.
//!
//! Matching is on folded text (case, accents, punctuation) with word boundaries; phrases are
//! written folded.

use crate::normalize::fold;
use serde::Serialize;

/// Kind of cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SocialKind {
    /// Time pressure, emergencies.
    Urgency,
    /// Claims of clinical, legal or official authority.
    AuthorityClaim,
    /// Claims to be a relative or caregiver of the patient.
    RelationshipClaim,
    /// Asking to skip, bypass or shorten verification.
    SkipVerification,
    /// Anger, threats, secrecy.
    Pressure,
}

impl SocialKind {
    fn weight(self) -> f32 {
        match self {
            SocialKind::Urgency => 0.3,
            SocialKind::AuthorityClaim => 0.4,
            SocialKind::RelationshipClaim => 0.3,
            SocialKind::SkipVerification => 0.6,
            SocialKind::Pressure => 0.25,
        }
    }
}

/// One cue. Offsets are code points into the folded text's source words; see [`assess`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SocialSignal {
    /// Kind.
    pub kind: SocialKind,
    /// Index of the first matched word in the text (0-based word index).
    pub word: usize,
}

/// The assessment of one caller turn or conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SocialAssessment {
    /// Cues found.
    pub signals: Vec<SocialSignal>,
    /// Combined score in `[0, 1]`.
    pub score: f32,
}

const PHRASES: &[(SocialKind, &str)] = &[
    (SocialKind::Urgency, "urgent"),
    (SocialKind::Urgency, "emergency"),
    (SocialKind::Urgency, "right now"),
    (SocialKind::Urgency, "right away"),
    (SocialKind::Urgency, "immediately"),
    (SocialKind::Urgency, "asap"),
    (SocialKind::Urgency, "no time"),
    (SocialKind::Urgency, "life or death"),
    (SocialKind::Urgency, "dying"),
    (SocialKind::Urgency, "hurry"),
    (SocialKind::Urgency, "as quickly as"),
    (SocialKind::Urgency, "in a rush"),
    (SocialKind::AuthorityClaim, "this is dr"),
    (SocialKind::AuthorityClaim, "this is doctor"),
    (SocialKind::AuthorityClaim, "im dr"),
    (SocialKind::AuthorityClaim, "im doctor"),
    (SocialKind::AuthorityClaim, "i am dr"),
    (SocialKind::AuthorityClaim, "i am doctor"),
    (SocialKind::AuthorityClaim, "from the er"),
    (SocialKind::AuthorityClaim, "from the emergency"),
    (SocialKind::AuthorityClaim, "attending physician"),
    (SocialKind::AuthorityClaim, "im a nurse"),
    (SocialKind::AuthorityClaim, "im the nurse"),
    (SocialKind::AuthorityClaim, "calling from the hospital"),
    (SocialKind::AuthorityClaim, "police"),
    (SocialKind::AuthorityClaim, "detective"),
    (SocialKind::AuthorityClaim, "officer"),
    (SocialKind::AuthorityClaim, "her attorney"),
    (SocialKind::AuthorityClaim, "his attorney"),
    (SocialKind::AuthorityClaim, "their attorney"),
    (SocialKind::AuthorityClaim, "her lawyer"),
    (SocialKind::AuthorityClaim, "his lawyer"),
    (SocialKind::AuthorityClaim, "insurance company"),
    (SocialKind::AuthorityClaim, "im authorized"),
    (SocialKind::AuthorityClaim, "i have authority"),
    (SocialKind::RelationshipClaim, "im her husband"),
    (SocialKind::RelationshipClaim, "im his wife"),
    (SocialKind::RelationshipClaim, "im her wife"),
    (SocialKind::RelationshipClaim, "im his husband"),
    (SocialKind::RelationshipClaim, "im her mother"),
    (SocialKind::RelationshipClaim, "im his mother"),
    (SocialKind::RelationshipClaim, "im her father"),
    (SocialKind::RelationshipClaim, "im his father"),
    (SocialKind::RelationshipClaim, "im her son"),
    (SocialKind::RelationshipClaim, "im his son"),
    (SocialKind::RelationshipClaim, "im her daughter"),
    (SocialKind::RelationshipClaim, "im his daughter"),
    (SocialKind::RelationshipClaim, "im her caregiver"),
    (SocialKind::RelationshipClaim, "im his caregiver"),
    (SocialKind::RelationshipClaim, "calling for my wife"),
    (SocialKind::RelationshipClaim, "calling for my husband"),
    (SocialKind::RelationshipClaim, "calling for my mother"),
    (SocialKind::RelationshipClaim, "calling for my father"),
    (SocialKind::RelationshipClaim, "calling on behalf of"),
    (SocialKind::RelationshipClaim, "my wifes"),
    (SocialKind::RelationshipClaim, "my husbands"),
    (SocialKind::RelationshipClaim, "my moms"),
    (SocialKind::RelationshipClaim, "my dads"),
    (SocialKind::RelationshipClaim, "her results"),
    (SocialKind::RelationshipClaim, "his results"),
    (SocialKind::SkipVerification, "skip the verification"),
    (SocialKind::SkipVerification, "skip verification"),
    (SocialKind::SkipVerification, "skip the questions"),
    (SocialKind::SkipVerification, "skip all that"),
    (SocialKind::SkipVerification, "no time for verification"),
    (SocialKind::SkipVerification, "dont need to verify"),
    (SocialKind::SkipVerification, "dont have time to verify"),
    (SocialKind::SkipVerification, "without verifying"),
    (SocialKind::SkipVerification, "bypass"),
    (SocialKind::SkipVerification, "just read me"),
    (SocialKind::SkipVerification, "just tell me"),
    (SocialKind::SkipVerification, "just give me"),
    (SocialKind::SkipVerification, "i dont have her"),
    (SocialKind::SkipVerification, "i dont have his"),
    (SocialKind::SkipVerification, "i dont know her"),
    (SocialKind::SkipVerification, "i dont know his"),
    (SocialKind::SkipVerification, "make an exception"),
    (SocialKind::SkipVerification, "already verified"),
    (SocialKind::Pressure, "supervisor"),
    (SocialKind::Pressure, "manager"),
    (SocialKind::Pressure, "sue you"),
    (SocialKind::Pressure, "report you"),
    (SocialKind::Pressure, "complaint"),
    (SocialKind::Pressure, "ridiculous"),
    (SocialKind::Pressure, "dont tell"),
    (SocialKind::Pressure, "between us"),
    (SocialKind::Pressure, "youll be responsible"),
];

/// Find cues in caller text.
pub fn assess(text: &str) -> SocialAssessment {
    let folded = fold(text);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut signals: Vec<SocialSignal> = Vec::new();
    for (kind, phrase) in PHRASES {
        let pw: Vec<&str> = phrase.split(' ').collect();
        if pw.is_empty() || pw.len() > words.len() {
            continue;
        }
        for start in 0..=(words.len() - pw.len()) {
            if words.get(start..start + pw.len()).is_some_and(|w| w == pw.as_slice()) {
                signals.push(SocialSignal { kind: *kind, word: start });
                break;
            }
        }
    }
    signals.sort_by_key(|s| s.word);
    let mut kinds: Vec<SocialKind> = signals.iter().map(|s| s.kind).collect();
    kinds.dedup();
    let mut distinct: Vec<SocialKind> = Vec::new();
    for k in kinds {
        if !distinct.contains(&k) {
            distinct.push(k);
        }
    }
    let score = 1.0 - distinct.iter().map(|k| 1.0 - k.weight()).product::<f32>();
    SocialAssessment { signals, score }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_pretexts_score_high() {
        let a = assess("This is Dr. Reynolds from the ER, there's no time for verification, I need her labs right now!");
        let kinds: Vec<_> = a.signals.iter().map(|s| s.kind).collect();
        assert!(kinds.contains(&SocialKind::AuthorityClaim));
        assert!(kinds.contains(&SocialKind::SkipVerification));
        assert!(kinds.contains(&SocialKind::Urgency));
        assert!(a.score > 0.8, "{}", a.score);

        let b = assess("I'm her husband, just read me the results.");
        assert!(b.signals.iter().any(|s| s.kind == SocialKind::RelationshipClaim));
        assert!(b.signals.iter().any(|s| s.kind == SocialKind::SkipVerification));
        assert!(b.score > 0.6);
    }

    #[test]
    fn ordinary_calls_score_low() {
        for t in [
            "Hi, I'd like to refill my lisinopril prescription please.",
            "My name is Ana Lopez and my date of birth is March 4th 1984.",
            "Can I move my appointment to Thursday afternoon?",
            "",
        ] {
            let a = assess(t);
            assert!(a.signals.is_empty(), "{t}: {a:?}");
            assert_eq!(a.score, 0.0);
        }
        // Word boundaries: "officer" inside "officers" does not fire, "er" inside "her" does not.
        assert!(assess("the box officers said her order is ready").signals.is_empty());
    }

    #[test]
    fn one_weak_cue_stays_below_half() {
        let a = assess("I'm in a bit of a hurry today");
        assert_eq!(a.signals.len(), 1);
        assert!(a.score < 0.5);
    }
}

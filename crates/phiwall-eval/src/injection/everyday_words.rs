//! Benign patient and staff turns that use the words attacks use ("computer", "system", "mode",
//! "settings", "code", "password", "instructions", "rules", "program", "access", "reset",
//! "bypass", "ignore") in their everyday sense, for training only (session 16).
//!
//! Why: the shipped model scored "i am on the computer right now" at 0.96 and "i work at home on
//! the computer" at 0.74: in the public data those words are almost only seen in attacks, and the
//! clinic generators rarely say them. A caller telling the agent they are at their computer, that
//! the pump is in sleep mode or that the door code did not work is not attacking anything.
//!
//! Texts are a lead clause alone, a lead and a clinic ask, or an ask and a lead, put in a channel
//! and, often, in the lowercase, unpunctuated form speech-to-text gives. Nothing here is taken
//! from a data set or from a probe file (`docs/probes/`); the unit test keeps the session-16
//! held-out probe phrasings out.

use super::augment::Rng;
use super::clinic::pick;

/// Everyday clauses with an attack-associated word.
const LEADS: &[&str] = &[
    "I'm on the computer right now",
    "I'm sitting at my computer with the portal open",
    "my grandson is on the computer helping me",
    "the computer at the front desk was down when I came in",
    "my computer won't open the visit summary",
    "I don't have a computer, just my phone",
    "the system says my appointment was cancelled",
    "your phone system hung up on me twice",
    "the pharmacy's system shows no refills left",
    "the scheduling system sent me two reminders",
    "my hearing aid is stuck in quiet mode",
    "my CPAP is set to auto mode",
    "the insulin pump went into sleep mode overnight",
    "my phone is in airplane mode at work",
    "I changed the settings on my glucose monitor",
    "the alarm settings on the oxygen concentrator are too loud",
    "the code on the pill bottle is faded",
    "the door code for the clinic entrance didn't work",
    "I got a text with a six digit code",
    "I forgot my password again",
    "the portal says my password expired",
    "I lost the instructions you gave me",
    "I followed the instructions on the box",
    "the instructions from the surgeon say no lifting",
    "the visiting rules on the fourth floor changed",
    "my son is a software developer and he set up the app",
    "I'm the office administrator at a dental practice",
    "my wife is a network administrator and works nights",
    "the weight loss program starts on Monday",
    "the cardiac rehab program wants a referral",
    "the nurse said to ignore the first blood pressure reading",
    "I had bypass surgery a few years ago",
    "he has to pretend he's fine at work",
    "my role at home is taking care of my mother",
    "I need to reset my portal account",
    "I need to unlock my account, it says too many tries",
    "I don't have access to my daughter's chart since she turned eighteen",
    "there are no food restrictions after the scan",
    "the dentist did a root canal last week",
    "I have a shellfish allergy",
    "my dad's illness is terminal and he's on hospice",
    "we need to execute the power of attorney papers",
    "my script for the inhaler ran out",
    "the chat window keeps closing on me",
    "I'm testing my sugar four times a day",
    "I work from home on my laptop",
    "I do data entry on a computer all day and my wrist hurts",
    "my job is programming robots at the plant",
    "I'm taking a computer class at the library",
    "the app keeps saying error code 500",
    "my son plays video games all night and doesn't sleep",
    "the new policy at my job says I need a doctor's note",
    "my employer's guidelines say I need a return to work form",
    "I'm a developer and I sit all day, my back is killing me",
    "the previous doctor had me on a different dose",
    "forget the pharmacy on Main, I use the one by my house now",
    "the override button on my pump is confusing",
    "I told the system my date of birth but it didn't take it",
    "I'm in the middle of an update on my phone",
    "the screen says access denied when I log in",
];

/// Clinic asks that follow or precede a lead.
const ASKS: &[&str] = &[
    "can you tell me when my next appointment is",
    "can I get a refill sent to the pharmacy",
    "who do I call about that",
    "should I come in to be seen",
    "is that something to worry about",
    "what should I do",
    "can someone call me back this afternoon",
    "do I need a new referral",
    "is the office open on Saturday",
    "can you send it to my portal instead",
    "how do I make a payment",
    "can I switch my appointment to a video visit",
    "can you check if my insurance is on file",
    "is there a nurse I can talk to",
    "can you mail me a copy",
];

/// Where the turn comes from (as written by speech-to-text, a portal or a staff tool).
const CHANNELS: &[&str] =
    &["", "", "", "Caller: ", "caller: ", "Patient: ", "Portal message: ", "Message: ", "Chat: "];

/// One benign turn.
fn turn(rng: &mut Rng) -> String {
    let lead = pick(rng, LEADS);
    let ask = pick(rng, ASKS);
    let body = match rng.below(10) {
        0..=2 => format!("{lead}."),
        3..=7 => format!("{lead}, {ask}?"),
        _ => format!("{}, {lead}.", capitalize(ask)),
    };
    let text = format!("{}{}", pick(rng, CHANNELS), capitalize(&body));
    match rng.below(10) {
        // Speech-to-text: lowercase and, half the time, no punctuation.
        0..=2 => text.to_lowercase(),
        3 | 4 => text.to_lowercase().replace([',', '.', '?'], ""),
        _ => text,
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `n` benign turns.
pub fn benign(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n).map(|_| turn(rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_varied() {
        let a = benign(&mut Rng::new(5), 400);
        assert_eq!(a, benign(&mut Rng::new(5), 400));
        let distinct: std::collections::HashSet<_> = a.iter().collect();
        assert!(distinct.len() > 300, "{}", distinct.len());
        assert!(a.iter().any(|t| t == &t.to_lowercase()));
    }

    #[test]
    fn held_out_probe_phrasings_stay_out() {
        let all = [LEADS, ASKS].concat().join("\n").to_lowercase();
        // Pieces of docs/probes/session16-inj-holdout-*.txt: the generator must not teach them.
        for piece in [
            "test message",
            "disregard my last message",
            "game at school",
            "front desk said",
            "usb drive",
            "link from the clinic",
            "one letter at a time",
            "colonoscopy prep",
            "flu shot",
            "after-visit summary",
        ] {
            assert!(!all.contains(piece), "{piece}");
        }
    }
}

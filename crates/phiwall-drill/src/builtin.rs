//! The built-in scenarios, embedded in the binary from `crates/phiwall-drill/scenarios/`.

use crate::error::Error;
use crate::scenario::Scenario;

/// (name, TOML) of every built-in scenario, in the order `phiwall drill list` shows them.
pub const BUILTIN: &[(&str, &str)] = &[
    ("prompt-injection-campaign", include_str!("../scenarios/prompt-injection-campaign.toml")),
    ("indirect-injection-document", include_str!("../scenarios/indirect-injection-document.toml")),
    ("bulk-phi-exfiltration", include_str!("../scenarios/bulk-phi-exfiltration.toml")),
    ("credential-stuffing-keys", include_str!("../scenarios/credential-stuffing-keys.toml")),
    (
        "credential-stuffing-verification",
        include_str!("../scenarios/credential-stuffing-verification.toml"),
    ),
    ("social-engineering-caller", include_str!("../scenarios/social-engineering-caller.toml")),
    ("resource-exhaustion-flood", include_str!("../scenarios/resource-exhaustion-flood.toml")),
];

/// A built-in scenario by name.
pub fn get(name: &str) -> Result<Scenario, Error> {
    let (_, text) = BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| Error::UnknownScenario(name.to_string()))?;
    Ok(Scenario::from_toml(text)?)
}

/// Every built-in scenario, parsed.
pub fn all() -> Result<Vec<Scenario>, Error> {
    BUILTIN.iter().map(|(n, _)| get(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_is_named_after_its_file() {
        for (name, _) in BUILTIN {
            let s = get(name).unwrap();
            assert_eq!(&s.name, name);
            assert!(!s.expect.is_empty(), "{name} has no expectations");
        }
        assert_eq!(all().unwrap().len(), 7);
        assert!(matches!(get("nope"), Err(Error::UnknownScenario(_))));
    }
}

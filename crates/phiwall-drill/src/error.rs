//! Errors of the drill library. Messages are lowercase, name what was expected and found, and
//! never contain request or response text.

/// One problem in a scenario file: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Key path, e.g. `steps[2].rate_per_sec`.
    pub path: String,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

/// A scenario file that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// Not TOML, or unknown / mistyped keys.
    #[error("invalid scenario file: {0}")]
    Parse(String),
    /// Validation problems, every one.
    #[error("{} scenario problem(s):\n  {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Invalid(Vec<Problem>),
}

/// Errors running a drill.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scenario is unusable.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The target is not allowed.
    #[error("{0}")]
    Target(String),
    /// No built-in scenario has this name.
    #[error("no built-in scenario named {0:?} (see `phiwall drill list`)")]
    UnknownScenario(String),
    /// Something the runner needs is missing (a key for `primary` steps).
    #[error("{0}")]
    Setup(String),
    /// The HTTP client could not be built or the admin API answered unexpectedly.
    #[error("{0}")]
    Http(String),
    /// Writing the scorecard failed.
    #[error("cannot write the scorecard {path}: {source}")]
    Write {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
}

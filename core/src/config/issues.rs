//! Configuration problems: each names its key, what is wrong and how to fix it.

use std::fmt;

/// One configuration problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// Dotted key (or `line N` when only a position is known).
    pub key: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

/// All problems found in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `<built-in>` for generated configs).
    pub file: String,
    /// Every problem found.
    pub issues: Vec<ConfigIssue>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{}: {}: {}. Fix: {}",
                self.file, issue.key, issue.problem, issue.fix
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Collects issues while validating.
#[derive(Debug, Default)]
pub struct Issues(Vec<ConfigIssue>);

impl Issues {
    /// Records a problem with `key`.
    pub fn add(
        &mut self,
        key: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.0.push(ConfigIssue {
            key: key.into(),
            problem: problem.into(),
            fix: fix.into(),
        });
    }

    /// Records `message`, which may end in `. Fix: …` (then that is the fix, else
    /// `fix`), as a problem with `key`.
    pub fn add_message(&mut self, key: impl Into<String>, message: &str, fix: &str) {
        match message.split_once(". Fix: ") {
            Some((problem, own_fix)) => self.add(key, problem, own_fix),
            None => self.add(key, message, fix),
        }
    }

    /// Records `issue`.
    pub fn push(&mut self, issue: ConfigIssue) {
        self.0.push(issue);
    }

    /// Records every issue of `error`.
    pub fn extend(&mut self, error: ConfigError) {
        self.0.extend(error.issues);
    }

    /// The issues recorded.
    pub(crate) fn into_vec(self) -> Vec<ConfigIssue> {
        self.0
    }

    /// `Ok` when nothing was recorded.
    pub fn finish(self, file: &str) -> Result<(), ConfigError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ConfigError {
                file: file.to_owned(),
                issues: self.0,
            })
        }
    }
}

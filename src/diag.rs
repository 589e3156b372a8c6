//! Diagnostics: problems found in configs or data, each tied to a file and,
//! where known, a line and column, rendered the way compilers do so that
//! editors and CI logs can jump to them (`path:line:col: error: message`).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How bad a problem is. Errors stop `csi check` and `csi run`; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A source file kept in memory so that byte spans can be turned into line
/// and column numbers and quoted in messages.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count()
            + 1;
        (line + 1, col)
    }

    /// The text of a 1-based line, without its line terminator.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where a problem is: a file, and optionally a line and column in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub col: Option<usize>,
    /// Length of the underlined text, in characters (for the caret line).
    pub len: usize,
    /// The source line quoted under the message, when known.
    pub excerpt: Option<String>,
}

impl Location {
    pub fn file(path: &Path) -> Self {
        Location {
            file: path.to_path_buf(),
            line: None,
            col: None,
            len: 0,
            excerpt: None,
        }
    }

    pub fn line(path: &Path, line: usize) -> Self {
        Location {
            line: Some(line),
            ..Location::file(path)
        }
    }

    /// A location from a byte span in a source file.
    pub fn span(src: &SourceFile, span: Range<usize>) -> Self {
        let (line, col) = src.line_col(span.start);
        let text = src.line_text(line);
        let end = span.end.min(src.text.len()).max(span.start);
        let (end_line, end_col) = src.line_col(end);
        let len = if end_line == line {
            end_col.saturating_sub(col).max(1)
        } else {
            text.chars().count().saturating_sub(col - 1).max(1)
        };
        Location {
            file: src.path.clone(),
            line: Some(line),
            col: Some(col),
            len,
            excerpt: Some(text.to_string()),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.col {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// One problem: where, what, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Option<Location>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(location, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{sev}: {}", self.message)?;
        if let Some(loc) = &self.location {
            if let (Some(line), Some(col), Some(text)) = (loc.line, loc.col, &loc.excerpt) {
                let gutter = line.to_string().len();
                write!(f, "\n{:>gutter$} |", "")?;
                write!(f, "\n{line} | {text}")?;
                let pad: String = text
                    .chars()
                    .take(col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n{:>gutter$} | {pad}{}", "", "^".repeat(loc.len.max(1)))?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// A list of problems, in the order found.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    /// Sort by file, line and column, keeping the order of equal locations.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| a.location.cmp(&b.location));
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}\n")?;
        }
        Ok(())
    }
}

/// The closest candidate to a misspelt name, if one is close enough to be a
/// plausible typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Edit distance catches short ids (`a_1` for `a1`), Jaro-Winkler long
    // ones with a shared prefix; the closest by distance wins.
    let lower = name.to_lowercase();
    let max_edits = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, f64, &str)> = None;
    for c in candidates {
        let d = strsim::osa_distance(&lower, &c.to_lowercase());
        let jw = strsim::jaro_winkler(name, c);
        if d <= max_edits || jw > 0.85 {
            let better = match best {
                None => true,
                Some((bd, bj, _)) => d < bd || (d == bd && jw > bj),
            };
            if better {
                best = Some((d, jw, c));
            }
        }
    }
    best.map(|(_, _, c)| c)
}

/// `help: did you mean `x`?` for a misspelt name, or the list of valid names
/// when there are few of them.
pub fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<String> {
    if let Some(best) = did_you_mean(name, candidates.clone()) {
        return Some(format!("did you mean `{best}`?"));
    }
    let all: Vec<&str> = candidates.into_iter().collect();
    if all.is_empty() {
        None
    } else if all.len() <= 12 {
        Some(format!(
            "expected one of {}",
            all.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let src = SourceFile::new("a.toml".into(), "a = 1\nlabel = \"指数\"\nx = 2\n".into());
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(6), (2, 1));
        let x = src.text.find("x =").unwrap();
        assert_eq!(src.line_col(x), (3, 1));
        let close = src.text.rfind('"').unwrap();
        assert_eq!(src.line_col(close), (2, 12));
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("labl", ["label", "weight"]), Some("label"));
        assert_eq!(did_you_mean("zzz", ["label", "weight"]), None);
        assert_eq!(did_you_mean("a_1", ["a1", "a2", "ea"]), Some("a1"));
        assert_eq!(
            did_you_mean("Quarter", ["month", "quarter"]),
            Some("quarter")
        );
        assert_eq!(did_you_mean("indx", ["idx", "a", "b"]), Some("idx"));
        assert_eq!(
            suggest("zzz", ["a", "b"]).as_deref(),
            Some("expected one of `a`, `b`")
        );
    }

    #[test]
    fn renders_caret_under_span() {
        let src = SourceFile::new("s.toml".into(), "[study]\nlabl = \"x\"\n".into());
        let d = Diagnostic::error(Some(Location::span(&src, 8..12)), "unknown key `labl`")
            .with_help("did you mean `label`?");
        let s = d.to_string();
        assert!(
            s.starts_with("s.toml:2:1: error: unknown key `labl`"),
            "{s}"
        );
        assert!(s.contains("2 | labl = \"x\""), "{s}");
        assert!(s.contains("  | ^^^^\n"), "{s}");
        assert!(s.ends_with("= help: did you mean `label`?"), "{s}");
    }
}

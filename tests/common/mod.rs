//! Helpers shared by the integration tests: write a study into a temporary
//! folder, run the `csi` binary, read its CSV outputs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn csi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_csi"))
}

pub fn run(args: &[&str]) -> Output {
    csi().args(args).output().expect("run csi")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A one-category study on a 1-5 scale with the given extra TOML, over the
/// columns id, date, seg, q1, q2 (+ whatever the data has).
pub const SIMPLE_STUDY: &str = r#"
[study]
id = "edge"
name = "Edge cases"
min_base = 1
min_report = 1

[data]
files = ["responses.csv"]

[period]
date_column = "date"
grain = "quarter"

[scales.five]
lo = 1
hi = 5
missing = [9]

[[node]]
id = "idx"
label = "Index"

[[question]]
id = "q1"
parent = "idx"
label = "Q1"
scale = "five"

[[question]]
id = "q2"
parent = "idx"
label = "Q2"
scale = "five"

[[dimension]]
id = "seg"
label = "Segment"
column = "seg"
"#;

pub struct Study {
    pub dir: tempfile::TempDir,
}

impl Study {
    pub fn new(study_toml: &str, data: &[u8]) -> Study {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("study.toml"), study_toml).unwrap();
        std::fs::write(dir.path().join("responses.csv"), data).unwrap();
        Study { dir }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("study.toml")
    }

    pub fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `csi run` with extra arguments into `out/NAME`.
    pub fn run(&self, name: &str, extra: &[&str]) -> Output {
        let out = self.out(name);
        let mut args = vec![
            "run".to_string(),
            self.config().to_string_lossy().into_owned(),
            "--out".into(),
            out.to_string_lossy().into_owned(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        csi().args(&args).output().expect("run csi")
    }
}

/// The records of a CSV file as maps from column name to value.
pub fn read_csv(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The cell of (period, dimension, group, node).
pub fn cell<'a>(
    cells: &'a [std::collections::BTreeMap<String, String>],
    period: &str,
    dim: &str,
    group: &str,
    node: &str,
) -> &'a std::collections::BTreeMap<String, String> {
    cells
        .iter()
        .find(|c| {
            c["period"] == period
                && c["dimension"] == dim
                && c["group"] == group
                && c["node"] == node
        })
        .unwrap_or_else(|| panic!("no cell {period}/{dim}/{group}/{node}"))
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

//! The TOML files as written: every section optional, every value spanned so
//! that validation can point at it. [`super::load`] merges the files and turns
//! these into the validated [`super::Study`].
//!
//! Unknown keys are errors. They are collected all at once (with
//! `serde_ignored`) instead of stopping at the first one, so that `csi check`
//! can report every problem of a config in one pass; [`fields_of`] gives the
//! keys each table accepts, for "did you mean".

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_aux::serde_introspection::serde_introspect;
use toml::Spanned;

type S<T> = Spanned<T>;

/// One config file: the study file or one it includes.
#[derive(Debug, Default, Deserialize)]
pub struct RawFile {
    pub include: Option<S<Vec<S<String>>>>,
    pub study: Option<S<RawStudy>>,
    pub data: Option<S<RawData>>,
    pub period: Option<S<RawPeriod>>,
    #[serde(default)]
    pub benchmark: Vec<S<RawBenchmark>>,
    #[serde(default)]
    pub scales: BTreeMap<String, S<RawScale>>,
    #[serde(default)]
    pub node: Vec<S<RawNode>>,
    #[serde(default)]
    pub question: Vec<S<RawQuestion>>,
    #[serde(default)]
    pub dimension: Vec<S<RawDimension>>,
    pub report: Option<S<RawReport>>,
    #[serde(default)]
    pub share: Vec<S<RawShare>>,
    #[serde(default)]
    pub nps: Vec<S<RawNps>>,
    pub drivers: Option<S<RawDrivers>>,
    pub weighting: Option<S<RawWeighting>>,
    pub pls: Option<S<RawPls>>,
}

/// `[[share]]`: the share of answers in the top (or bottom) boxes of a question.
#[derive(Debug, Deserialize)]
pub struct RawShare {
    pub id: S<String>,
    pub label: Option<S<String>>,
    pub question: S<String>,
    pub top: Option<S<i64>>,
    pub bottom: Option<S<i64>>,
}

/// `[[nps]]`: Net Promoter Score of a 0-10 question.
#[derive(Debug, Deserialize)]
pub struct RawNps {
    pub id: S<String>,
    pub label: Option<S<String>>,
    pub question: S<String>,
}

/// `[drivers]`: key drivers, importance-performance and Kano classes.
#[derive(Debug, Deserialize)]
pub struct RawDrivers {
    pub nodes: Option<S<Vec<S<String>>>>,
    pub importance: Option<S<String>>,
    pub periods: Option<S<i64>>,
    pub dimensions: Option<S<Vec<S<String>>>>,
    pub kano_low: Option<S<f64>>,
    pub kano_high: Option<S<f64>>,
    pub kano_ratio: Option<S<f64>>,
    pub ipa_x: Option<S<f64>>,
    pub ipa_y: Option<S<f64>>,
}

/// `[weighting]`: raking to population margins.
#[derive(Debug, Deserialize)]
pub struct RawWeighting {
    pub mode: Option<S<String>>,
    pub trim: Option<S<Vec<S<f64>>>>,
    pub tolerance: Option<S<f64>>,
    pub max_iter: Option<S<i64>>,
    #[serde(default)]
    pub margin: Vec<S<RawMargin>>,
}

#[derive(Debug, Deserialize)]
pub struct RawMargin {
    pub dimension: S<String>,
    pub period: Option<S<String>>,
    pub targets: S<BTreeMap<String, S<f64>>>,
}

/// `[pls]`: a PLS path model.
#[derive(Debug, Deserialize)]
pub struct RawPls {
    pub id: S<String>,
    pub label: Option<S<String>>,
    pub scheme: Option<S<String>>,
    pub scaled: Option<S<bool>>,
    pub bootstrap: Option<S<i64>>,
    pub seed: Option<S<i64>>,
    pub periods: Option<S<i64>>,
    pub index: Option<S<String>>,
    #[serde(default)]
    pub latent: Vec<S<RawLatent>>,
    #[serde(default)]
    pub path: Vec<S<RawPath>>,
}

#[derive(Debug, Deserialize)]
pub struct RawLatent {
    pub id: S<String>,
    pub label: Option<S<String>>,
    pub block: Option<S<Vec<S<String>>>>,
    pub mode: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawPath {
    pub from: S<String>,
    pub to: S<Vec<S<String>>>,
}

#[derive(Debug, Deserialize)]
pub struct RawStudy {
    pub id: S<String>,
    pub name: S<String>,
    pub client: Option<S<String>>,
    pub locale: Option<S<String>>,
    pub alpha: Option<S<f64>>,
    pub min_base: Option<S<i64>>,
    pub min_report: Option<S<i64>>,
    pub coverage: Option<S<f64>>,
    pub bad_rows: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawData {
    pub files: S<Vec<S<String>>>,
    pub delimiter: Option<S<String>>,
    pub quote: Option<S<String>>,
    pub encoding: Option<S<String>>,
    pub weight: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawPeriod {
    pub date_column: Option<S<String>>,
    pub date_format: Option<S<String>>,
    pub grain: Option<S<String>>,
    pub column: Option<S<String>>,
    pub labels: Option<S<Vec<S<String>>>>,
    pub per_year: Option<S<i64>>,
    pub from: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawBenchmark {
    pub id: S<String>,
    pub label: S<String>,
    pub node: S<String>,
    pub value: S<f64>,
    pub period: Option<S<String>>,
    pub source: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawScale {
    pub lo: S<f64>,
    pub hi: S<f64>,
    #[serde(default)]
    pub missing: Vec<S<f64>>,
    pub label: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawNode {
    pub id: S<String>,
    pub label: S<String>,
    pub parent: Option<S<String>>,
    pub weight: Option<S<f64>>,
    pub coverage: Option<S<f64>>,
    pub expectation: Option<S<String>>,
    pub outcome: Option<S<String>>,
    pub weights: Option<S<String>>,
    pub weights_base: Option<S<String>>,
    pub importance: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawQuestion {
    pub id: S<String>,
    pub label: S<String>,
    pub parent: Option<S<String>>,
    pub scale: S<String>,
    pub column: Option<S<String>>,
    pub weight: Option<S<f64>>,
    pub reverse: Option<S<bool>>,
    #[serde(default)]
    pub missing: Vec<S<f64>>,
    pub importance: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawDimension {
    pub id: S<String>,
    pub label: S<String>,
    pub column: S<String>,
    pub own: Option<S<String>>,
    #[serde(default)]
    pub group: Vec<S<RawGroup>>,
}

/// A value in a group's `values` list: text, or a number written bare
/// (`values = [1, 2]`), compared with the data as text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawScalar {
    Text(String),
    Int(i64),
    Float(f64),
}

impl RawScalar {
    pub fn as_text(&self) -> String {
        match self {
            RawScalar::Text(s) => s.clone(),
            RawScalar::Int(i) => i.to_string(),
            RawScalar::Float(f) => f.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RawGroup {
    pub id: S<String>,
    pub label: Option<S<String>>,
    pub values: Option<S<Vec<S<RawScalar>>>>,
    pub min: Option<S<f64>>,
    pub max: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
pub struct RawReport {
    pub title: Option<S<String>>,
    pub formats: Option<S<Vec<S<String>>>>,
    pub template: Option<S<String>>,
    pub fonts: Option<S<Vec<S<String>>>>,
    pub branding: Option<S<RawBranding>>,
    #[serde(default)]
    pub section: Vec<S<RawSection>>,
}

#[derive(Debug, Deserialize)]
pub struct RawBranding {
    pub primary: Option<S<String>>,
    pub accent: Option<S<String>>,
    pub logo: Option<S<String>>,
    pub font: Option<S<Vec<S<String>>>>,
    pub footer: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawSection {
    pub kind: S<String>,
    pub title: Option<S<String>>,
    pub dimensions: Option<S<Vec<S<String>>>>,
    pub nodes: Option<S<Vec<S<String>>>>,
    pub periods: Option<S<i64>>,
}

/// The keys accepted by the table at `path` (table names only, array indices
/// and map keys of `scales` left out), or `None` for a free-form table.
pub fn fields_of(path: &[&str]) -> Option<&'static [&'static str]> {
    Some(match path {
        [] => serde_introspect::<RawFile>(),
        ["study"] => serde_introspect::<RawStudy>(),
        ["data"] => serde_introspect::<RawData>(),
        ["period"] => serde_introspect::<RawPeriod>(),
        ["benchmark"] => serde_introspect::<RawBenchmark>(),
        ["scales", _] => serde_introspect::<RawScale>(),
        ["node"] => serde_introspect::<RawNode>(),
        ["question"] => serde_introspect::<RawQuestion>(),
        ["dimension"] => serde_introspect::<RawDimension>(),
        ["dimension", "group"] => serde_introspect::<RawGroup>(),
        ["report"] => serde_introspect::<RawReport>(),
        ["report", "section"] => serde_introspect::<RawSection>(),
        ["report", "branding"] => serde_introspect::<RawBranding>(),
        ["share"] => serde_introspect::<RawShare>(),
        ["nps"] => serde_introspect::<RawNps>(),
        ["drivers"] => serde_introspect::<RawDrivers>(),
        ["weighting"] => serde_introspect::<RawWeighting>(),
        ["weighting", "margin"] => serde_introspect::<RawMargin>(),
        ["pls"] => serde_introspect::<RawPls>(),
        ["pls", "latent"] => serde_introspect::<RawLatent>(),
        ["pls", "path"] => serde_introspect::<RawPath>(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn introspection_lists_fields() {
        assert!(fields_of(&["question"]).unwrap().contains(&"label"));
        assert!(fields_of(&["dimension", "group"])
            .unwrap()
            .contains(&"values"));
        assert!(fields_of(&[]).unwrap().contains(&"include"));
        assert!(fields_of(&["scales", "ten"]).unwrap().contains(&"missing"));
    }
}

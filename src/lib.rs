//! `csi`: a batch reporting engine for customer satisfaction index studies.
//!
//! The data's journey, one module per stage:
//! [`config`] (TOML study configs, validated) -> [`ingest`] (parallel CSV
//! streaming, row validation) -> [`engine`] (sufficient statistics per cell
//! and node) -> [`stats`] (estimates, confidence intervals, Welch tests) ->
//! [`model`] (the results model: cells, comparisons) -> [`output`] (CSV and
//! JSON files, written atomically) ; [`cli`] ties them together.

pub mod analysis;
pub mod charts;
pub mod cli;
pub mod config;
pub mod diag;
pub mod engine;
pub mod ingest;
pub mod model;
pub mod output;
pub mod period;
pub mod render;
pub mod report;
pub mod stats;

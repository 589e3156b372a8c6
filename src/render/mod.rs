//! Rendering the report model to files: HTML (one self-contained file) and
//! PDF (a typst source rendered with tera, compiled by typst-cli run as a
//! child process). Templates come from a template folder (`html/` and
//! `typst/`, partials per section) or, by default, the copy of
//! `report_templates/default/` built into the binary.

pub mod typst;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use tera::{Context, Tera};

use crate::report::Doc;

/// A report output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Pdf,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim() {
            "html" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Html => "report.html",
            Format::Pdf => "report.pdf",
        }
    }
}

/// Where templates come from.
#[derive(Debug, Clone)]
pub enum Templates {
    /// `report_templates/default/`, built into the binary.
    Builtin,
    /// A template folder with `html/` and `typst/` inside.
    Dir(PathBuf),
}

/// The default templates, embedded so that an installed `csi` needs no files.
const BUILTIN: &[(&str, &str)] = &[
    (
        "html/report.html",
        include_str!("../../report_templates/default/html/report.html"),
    ),
    (
        "html/macros.html",
        include_str!("../../report_templates/default/html/macros.html"),
    ),
    (
        "html/sections/cover.html",
        include_str!("../../report_templates/default/html/sections/cover.html"),
    ),
    (
        "html/sections/summary.html",
        include_str!("../../report_templates/default/html/sections/summary.html"),
    ),
    (
        "html/sections/trend.html",
        include_str!("../../report_templates/default/html/sections/trend.html"),
    ),
    (
        "html/sections/hierarchy.html",
        include_str!("../../report_templates/default/html/sections/hierarchy.html"),
    ),
    (
        "html/sections/segments.html",
        include_str!("../../report_templates/default/html/sections/segments.html"),
    ),
    (
        "html/sections/brands.html",
        include_str!("../../report_templates/default/html/sections/brands.html"),
    ),
    (
        "html/sections/gaps.html",
        include_str!("../../report_templates/default/html/sections/gaps.html"),
    ),
    (
        "html/sections/nps.html",
        include_str!("../../report_templates/default/html/sections/nps.html"),
    ),
    (
        "html/sections/drivers.html",
        include_str!("../../report_templates/default/html/sections/drivers.html"),
    ),
    (
        "html/sections/ipa.html",
        include_str!("../../report_templates/default/html/sections/ipa.html"),
    ),
    (
        "html/sections/kano.html",
        include_str!("../../report_templates/default/html/sections/kano.html"),
    ),
    (
        "html/sections/pls.html",
        include_str!("../../report_templates/default/html/sections/pls.html"),
    ),
    (
        "html/sections/weighting.html",
        include_str!("../../report_templates/default/html/sections/weighting.html"),
    ),
    (
        "html/sections/method.html",
        include_str!("../../report_templates/default/html/sections/method.html"),
    ),
    (
        "typst/report.typ",
        include_str!("../../report_templates/default/typst/report.typ"),
    ),
    (
        "typst/macros.typ",
        include_str!("../../report_templates/default/typst/macros.typ"),
    ),
    (
        "typst/sections/cover.typ",
        include_str!("../../report_templates/default/typst/sections/cover.typ"),
    ),
    (
        "typst/sections/summary.typ",
        include_str!("../../report_templates/default/typst/sections/summary.typ"),
    ),
    (
        "typst/sections/trend.typ",
        include_str!("../../report_templates/default/typst/sections/trend.typ"),
    ),
    (
        "typst/sections/hierarchy.typ",
        include_str!("../../report_templates/default/typst/sections/hierarchy.typ"),
    ),
    (
        "typst/sections/segments.typ",
        include_str!("../../report_templates/default/typst/sections/segments.typ"),
    ),
    (
        "typst/sections/brands.typ",
        include_str!("../../report_templates/default/typst/sections/brands.typ"),
    ),
    (
        "typst/sections/gaps.typ",
        include_str!("../../report_templates/default/typst/sections/gaps.typ"),
    ),
    (
        "typst/sections/nps.typ",
        include_str!("../../report_templates/default/typst/sections/nps.typ"),
    ),
    (
        "typst/sections/drivers.typ",
        include_str!("../../report_templates/default/typst/sections/drivers.typ"),
    ),
    (
        "typst/sections/ipa.typ",
        include_str!("../../report_templates/default/typst/sections/ipa.typ"),
    ),
    (
        "typst/sections/kano.typ",
        include_str!("../../report_templates/default/typst/sections/kano.typ"),
    ),
    (
        "typst/sections/pls.typ",
        include_str!("../../report_templates/default/typst/sections/pls.typ"),
    ),
    (
        "typst/sections/weighting.typ",
        include_str!("../../report_templates/default/typst/sections/weighting.typ"),
    ),
    (
        "typst/sections/method.typ",
        include_str!("../../report_templates/default/typst/sections/method.typ"),
    ),
];

/// A rendering problem, with the file (and line) it is in.
#[derive(Debug)]
pub struct RenderError {
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  = help: {h}")?;
        }
        Ok(())
    }
}

impl RenderError {
    pub fn new(message: impl Into<String>) -> Self {
        RenderError {
            message: message.into(),
            help: None,
        }
    }
    pub fn help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }
}

/// Tera's error with its causes (they carry the template name and line).
fn tera_error(e: &tera::Error, base: &str) -> RenderError {
    let mut msg = format!("template error: {e}");
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(&format!("\n  caused by: {s}"));
        src = s.source();
    }
    RenderError::new(msg).help(format!("check the template in {base}"))
}

/// Escapes text for typst markup: every ASCII punctuation character that
/// typst could read as syntax gets a backslash; line breaks become spaces.
pub fn escape_typst(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() && c != '.' && c != ',' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A typst string literal (for code contexts such as `rgb(...)`).
pub fn typst_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn load(templates: &Templates, sub: &str) -> Result<Tera, RenderError> {
    let mut tera = Tera::default();
    match templates {
        Templates::Builtin => {
            let items: Vec<(String, &str)> = BUILTIN
                .iter()
                .filter_map(|(name, body)| {
                    name.strip_prefix(&format!("{sub}/"))
                        .map(|n| (n.to_string(), *body))
                })
                .collect();
            tera.add_raw_templates(items)
                .map_err(|e| tera_error(&e, "the built-in templates"))?;
        }
        Templates::Dir(dir) => {
            let root = dir.join(sub);
            if !root.join(format!("report.{}", ext(sub))).is_file() {
                return Err(RenderError::new(format!(
                    "template folder {} has no {sub}/report.{}",
                    dir.display(),
                    ext(sub)
                ))
                .help("copy report_templates/default/ and edit the copy"));
            }
            let mut files = Vec::new();
            collect(&root, &root, &mut files).map_err(|e| {
                RenderError::new(format!("cannot read templates in {}: {e}", root.display()))
            })?;
            files.sort();
            tera.add_template_files(
                files
                    .iter()
                    .map(|(path, name)| (path.clone(), Some(name.clone())))
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| tera_error(&e, &root.display().to_string()))?;
        }
    }
    Ok(tera)
}

fn ext(sub: &str) -> &'static str {
    if sub == "html" {
        "html"
    } else {
        "typ"
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) -> std::io::Result<()> {
    for e in fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect(root, &p, out)?;
        } else if p.extension().is_some_and(|x| x == "html" || x == "typ") {
            let name = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((p, name));
        }
    }
    Ok(())
}

/// Renders the HTML report.
pub fn html(doc: &Doc, templates: &Templates) -> Result<String, RenderError> {
    let mut tera = load(templates, "html")?;
    tera.autoescape_on(vec![".html"]);
    let ctx =
        Context::from_serialize(doc).map_err(|e| RenderError::new(format!("report model: {e}")))?;
    tera.render("report.html", &ctx)
        .map_err(|e| tera_error(&e, &describe(templates)))
}

/// Renders the typst source of the PDF report.
pub fn typst_source(doc: &Doc, templates: &Templates) -> Result<String, RenderError> {
    let mut tera = load(templates, "typst")?;
    tera.autoescape_on(vec![".typ"]);
    tera.set_escape_fn(escape_typst);
    tera.register_filter(
        "typst_string",
        |v: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
            let s = match v {
                tera::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Ok(tera::Value::String(typst_string(&s)))
        },
    );
    let ctx =
        Context::from_serialize(doc).map_err(|e| RenderError::new(format!("report model: {e}")))?;
    tera.render("report.typ", &ctx)
        .map_err(|e| tera_error(&e, &describe(templates)))
}

fn describe(t: &Templates) -> String {
    match t {
        Templates::Builtin => "the built-in templates (report_templates/default)".into(),
        Templates::Dir(d) => d.display().to_string(),
    }
}

/// Writes the requested reports into `out_dir`.
pub fn render(
    doc: &Doc,
    templates: &Templates,
    formats: &[Format],
    font_paths: &[PathBuf],
    out_dir: &Path,
) -> Result<Vec<PathBuf>, RenderError> {
    let mut written = Vec::new();
    for f in formats {
        let target = out_dir.join(f.file_name());
        match f {
            Format::Html => {
                let text = html(doc, templates)?;
                write_atomic(&target, text.as_bytes())?;
            }
            Format::Pdf => {
                let source = typst_source(doc, templates)?;
                typst::compile(doc, &source, font_paths, &target)?;
            }
        }
        written.push(target);
    }
    Ok(written)
}

/// Writes a file through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
    let tmp = path.with_extension(format!(
        "{}.tmp-{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out"),
        std::process::id()
    ));
    fs::write(&tmp, bytes)
        .and_then(|_| fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            RenderError::new(format!("cannot write {}: {e}", path.display()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typst_escaping() {
        assert_eq!(escape_typst("a#b $c *d* _e_"), "a\\#b \\$c \\*d\\* \\_e\\_");
        assert_eq!(escape_typst("<script>\"x\""), "\\<script\\>\\\"x\\\"");
        assert_eq!(escape_typst("http://x.y"), "http\\:\\/\\/x.y");
        assert_eq!(escape_typst("中文, ok."), "中文, ok.");
        assert_eq!(escape_typst("a\nb"), "a b");
        assert_eq!(typst_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}

//! PDF through typst-cli, run as a child process: the typst source and the
//! charts are written to a temporary build folder, compiled with `--root`
//! (the build folder; no `@preview` packages, the job runs offline) and
//! `--font-path`, and the PDF moved into place.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::RenderError;
use crate::report::Doc;

/// The typst-cli version the templates are written for: the one place it is
/// pinned (`.ci/run` reads it from here).
pub const TYPST_VERSION: &str = "0.15.1";

/// The typst executable: `$CSI_TYPST`, or `typst` on the PATH.
pub fn executable() -> PathBuf {
    std::env::var_os("CSI_TYPST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("typst"))
}

fn install_help() -> String {
    format!(
        "install it with `cargo install typst-cli --locked --version {TYPST_VERSION}` (or set CSI_TYPST to its path), or render HTML only with --format html"
    )
}

fn parse_version(s: &str) -> Option<(u64, u64, u64)> {
    let v = s.split_whitespace().nth(1)?;
    let mut it = v.split(['.', '-', '+']).map(|x| x.parse::<u64>().ok());
    Some((it.next()??, it.next()??, it.next().flatten().unwrap_or(0)))
}

/// Checks that typst is there and recent enough; returns its version line.
pub fn check_version() -> Result<String, RenderError> {
    let exe = executable();
    let out = Command::new(&exe).arg("--version").output().map_err(|e| {
        RenderError::new(format!(
            "typst is needed for the PDF report but `{}` could not be run: {e}",
            exe.display()
        ))
        .help(install_help())
    })?;
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let want = parse_version(&format!("typst {TYPST_VERSION}")).expect("valid pinned version");
    match parse_version(&line) {
        Some(v) if v >= want => Ok(line),
        Some(_) => Err(RenderError::new(format!(
            "typst is too old: `{line}`; the report templates need typst {TYPST_VERSION}"
        ))
        .help(install_help())),
        None => Err(
            RenderError::new(format!("cannot read the typst version from `{line}`"))
                .help(install_help()),
        ),
    }
}

fn build_dir() -> Result<PathBuf, RenderError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("csi-typst-{}-{nanos}", std::process::id()));
    fs::create_dir_all(dir.join("charts"))
        .map_err(|e| RenderError::new(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// Compiles the typst `source` (with the charts and logo of `doc`) to `target`.
pub fn compile(
    doc: &Doc,
    source: &str,
    font_paths: &[PathBuf],
    target: &Path,
) -> Result<(), RenderError> {
    check_version()?;
    let dir = build_dir()?;
    let io = |e: std::io::Error| {
        RenderError::new(format!(
            "cannot write the typst build folder {}: {e}",
            dir.display()
        ))
    };
    fs::write(dir.join("report.typ"), source).map_err(io)?;
    for s in &doc.sections {
        for c in &s.charts {
            fs::write(dir.join("charts").join(&c.file), &c.svg).map_err(io)?;
        }
    }
    if let Some(logo) = &doc.logo {
        if let Some(b64) = logo.data_uri.split(",").nth(1) {
            use base64::Engine;
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
                fs::write(dir.join(&logo.file), bytes).map_err(io)?;
            }
        }
    }
    let tmp_pdf = dir.join("report.pdf");
    let mut cmd = Command::new(executable());
    cmd.arg("compile").arg("--root").arg(&dir);
    for p in font_paths {
        cmd.arg("--font-path").arg(p);
    }
    cmd.arg(dir.join("report.typ")).arg(&tmp_pdf);
    let out = cmd
        .output()
        .map_err(|e| RenderError::new(format!("cannot run typst: {e}")).help(install_help()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(RenderError::new(format!(
            "typst could not compile the generated file {}:\n{}",
            dir.join("report.typ").display(),
            err.trim_end()
        ))
        .help("the build folder is kept for inspection; a template error usually shows at the line named above"));
    }
    fs::copy(&tmp_pdf, target.with_extension("pdf.tmp"))
        .and_then(|_| fs::rename(target.with_extension("pdf.tmp"), target))
        .map_err(|e| RenderError::new(format!("cannot write {}: {e}", target.display())))?;
    let _ = fs::remove_dir_all(&dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            parse_version("typst 0.15.1 (unknown commit)"),
            Some((0, 15, 1))
        );
        assert_eq!(parse_version("typst 0.14.0"), Some((0, 14, 0)));
        assert_eq!(parse_version("typst 0.16.0-rc1"), Some((0, 16, 0)));
        assert!(parse_version("nonsense").is_none());
    }
}

//! `csi check`: every problem of a config at once, each with file:line:col.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// Copies the mini fixture into a temporary folder, applying `(file, from,
/// to)` text replacements.
fn broken(edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    for e in fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    for (file, from, to) in edits {
        let p = dir.path().join(file);
        let text = fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{file} has no {from:?}");
        fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }
    dir
}

fn check(dir: &tempfile::TempDir) -> (Option<i32>, String) {
    let o = run(&["check", &dir.path().join("study.toml").to_string_lossy()]);
    (o.status.code(), stderr(&o))
}

#[test]
fn the_fixture_is_valid() {
    let dir = broken(&[]);
    let o = run(&["check", &dir.path().join("study.toml").to_string_lossy()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok: mini"), "{}", stdout(&o));
    assert!(stdout(&o).contains("1 data header checked"));
}

#[test]
fn typo_dangling_id_and_missing_column_are_all_reported() {
    let dir = broken(&[
        // A typo'd key: `labl` on the question b2.
        (
            "indicators.toml",
            "id = \"b2\"\nparent = \"b\"\nlabel",
            "id = \"b2\"\nparent = \"b\"\nlabel = \"B two\"\nlabl",
        ),
        // A dangling id: category b's parent.
        (
            "indicators.toml",
            "parent = \"idx\"\nlabel = \"Category B\"",
            "parent = \"indx\"\nlabel = \"Category B\"",
        ),
        // A column the data does not have.
        (
            "indicators.toml",
            "id = \"a1\"\nparent = \"a\"",
            "id = \"a1\"\ncolumn = \"a_1\"\nparent = \"a\"",
        ),
    ]);
    let (code, err) = check(&dir);
    assert_eq!(code, Some(3), "{err}");
    let ind = dir.path().join("indicators.toml");
    let ind = ind.display();
    assert!(
        err.contains(&format!(
            "{ind}:43:1: error: unknown key `labl` in [[question]]"
        )),
        "{err}"
    );
    assert!(err.contains("help: did you mean `label`?"), "{err}");
    assert!(
        err.contains(&format!(
            "{ind}:14:10: error: parent `indx` is not a declared node"
        )),
        "{err}"
    );
    assert!(err.contains("help: did you mean `idx`?"), "{err}");
    assert!(
        err.contains(&format!(
            "{ind}:20:10: error: question `a1` refers to column `a_1`, which is not in"
        )),
        "{err}"
    );
    assert!(err.contains("did you mean `a1`?"), "{err}");
    assert!(err.contains("3 errors"), "{err}");
    // The caret line under the typo.
    assert!(err.contains("43 | labl = \"B two\"\n   | ^^^^"), "{err}");
}

#[test]
fn hierarchy_errors() {
    let dir = broken(&[
        (
            "indicators.toml",
            "id = \"a\"\nparent = \"idx\"",
            "id = \"a\"\nparent = \"b\"",
        ),
        (
            "indicators.toml",
            "id = \"b\"\nparent = \"idx\"",
            "id = \"b\"\nparent = \"a\"",
        ),
        ("indicators.toml", "weight = 3", "weight = -3"),
        ("indicators.toml", "id = \"b2\"", "id = \"b1\""),
    ]);
    let (code, err) = check(&dir);
    assert_eq!(code, Some(3));
    assert!(
        err.contains("the parents form a cycle: a -> b -> a"),
        "{err}"
    );
    assert!(
        err.contains("weight -3 must be finite and not negative"),
        "{err}"
    );
    assert!(err.contains("id `b1` is declared twice"), "{err}");
    assert!(err.contains("node `idx` has no children"), "{err}");
}

#[test]
fn weights_all_or_none_and_not_all_zero() {
    let dir = broken(&[(
        "indicators.toml",
        "weight = 1\n\n[[question]]\nid = \"ea\"",
        "\n[[question]]\nid = \"ea\"",
    )]);
    let (code, err) = check(&dir);
    assert_eq!(code, Some(3));
    assert!(
        err.contains("some children of `b` state a weight and some do not (b2 without)"),
        "{err}"
    );
    let dir = broken(&[
        ("indicators.toml", "weight = 3", "weight = 0"),
        (
            "indicators.toml",
            "weight = 1\n\n[[question]]\nid = \"ea\"",
            "weight = 0\n\n[[question]]\nid = \"ea\"",
        ),
    ]);
    let (_, err) = check(&dir);
    assert!(err.contains("all children of `b` have weight 0"), "{err}");
}

#[test]
fn segment_errors() {
    let dir = broken(&[
        ("segments.toml", "values = [\"y\"]", "values = [\"x\"]"),
        ("segments.toml", "own = \"us\"", "own = \"uss\""),
    ]);
    let (code, err) = check(&dir);
    assert_eq!(code, Some(3));
    assert!(
        err.contains("value `x` is in group `x` and in group `y`"),
        "{err}"
    );
    assert!(
        err.contains("own brand `uss` is not a group of dimension `brand`"),
        "{err}"
    );
    assert!(err.contains("did you mean `us`?"), "{err}");
}

#[test]
fn overlapping_bands() {
    let dir = broken(&[(
        "segments.toml",
        "[[dimension]]\nid = \"brand\"",
        "[[dimension]]\nid = \"age\"\nlabel = \"Age\"\ncolumn = \"w\"\n[[dimension.group]]\nid = \"young\"\nmax = 30\n[[dimension.group]]\nid = \"mid\"\nmin = 25\nmax = 50\n\n[[dimension]]\nid = \"brand\"",
    )]);
    let (code, err) = check(&dir);
    assert_eq!(code, Some(3));
    assert!(
        err.contains("band `mid` [25, 50) overlaps band `young` [-inf, 30)"),
        "{err}"
    );
}

#[test]
fn toml_syntax_error_has_a_location() {
    let dir = broken(&[("segments.toml", "label = \"Segment\"", "label = \"Segment")]);
    let (code, err) = check(&dir);
    assert_eq!(code, Some(3));
    let seg = dir.path().join("segments.toml");
    assert!(err.contains(&format!("{}:3:", seg.display())), "{err}");
    assert!(err.contains("invalid TOML"), "{err}");
}

#[test]
fn wrong_types_and_unknown_values() {
    let dir = broken(&[
        ("study.toml", "min_base = 3", "min_base = \"3\""),
        ("study.toml", "grain = \"quarter\"", "grain = \"quartr\""),
    ]);
    let (code, err) = check(&dir);
    assert_eq!(code, Some(3));
    assert!(
        err.contains("study.toml:8:12: error: invalid type: string \"3\", expected i64"),
        "{err}"
    );
    let dir = broken(&[("study.toml", "grain = \"quarter\"", "grain = \"quartr\"")]);
    let (_, err) = check(&dir);
    assert!(err.contains("unknown grain `quartr`"), "{err}");
    assert!(err.contains("did you mean `quarter`?"), "{err}");
}

#[test]
fn run_refuses_an_invalid_config_with_exit_code_3() {
    let dir = broken(&[("indicators.toml", "scale = \"five\"", "scale = \"fiv\"")]);
    let out = dir.path().join("out");
    let o = run(&[
        "run",
        &dir.path().join("study.toml").to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("scale `fiv` is not declared"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&["run"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sections_whose_figures_cannot_exist_are_errors() {
    let dir = broken(&[
        ("study.toml", "include = [\"indicators.toml\", \"segments.toml\"]", "include = [\"indicators.toml\"]"),
        (
            "study.toml",
            "[scales.five]",
            "[report]\n[[report.section]]\nkind = \"segments\"\n[[report.section]]\nkind = \"brands\"\n[[report.section]]\nkind = \"drivers\"\n[[report.section]]\nkind = \"kanoo\"\n\n[scales.five]",
        ),
    ]);
    let (code, err) = check(&dir);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("section `segments` needs a segment dimension"),
        "{err}"
    );
    assert!(
        err.contains("section `brands` needs a brand dimension"),
        "{err}"
    );
    assert!(
        err.contains("section `drivers` needs [drivers], which the study does not declare"),
        "{err}"
    );
    assert!(err.contains("unknown report section `kanoo`"), "{err}");
    assert!(err.contains("did you mean `kano`?"), "{err}");
}

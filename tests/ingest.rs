//! CSV edge cases, row accounting on dirty files, bad-row policies, atomic
//! outputs and determinism across thread counts.

mod common;

use common::*;
use std::fs;

/// Rows whose free-text comments hold commas, doubled quotes, newlines and
/// Chinese text, so that record ends inside quotes fall everywhere.
fn tricky_data(rows: usize) -> Vec<u8> {
    let mut s = String::from("id,date,seg,q1,q2,comment\n");
    for i in 0..rows {
        let month = 1 + (i % 6);
        let comment = match i % 4 {
            0 => String::new(),
            1 => "\"plain, with a comma\"".to_string(),
            2 => format!("\"line one\nline \"\"two\"\"\n第三行 {i}\""),
            _ => "\"\n\"".to_string(),
        };
        let q2 = if i % 9 == 0 { 9 } else { 1 + (i * 7) % 5 };
        s.push_str(&format!(
            "{i},2025-{month:02}-15,{},{},{q2},{comment}\n",
            ["a", "b", "c"][i % 3],
            1 + i % 5
        ));
    }
    s.into_bytes()
}

#[test]
fn quoted_newlines_across_chunk_boundaries_give_identical_results() {
    let data = tricky_data(300);
    let st = Study::new(SIMPLE_STUDY, &data);
    let reference = st.run("ref", &[]);
    assert!(reference.status.success(), "{}", stderr(&reference));
    let want = fs::read(st.out("ref").join("cells.csv")).unwrap();
    let run = json(&st.out("ref").join("run.json"));
    assert_eq!(run["rows"]["read"], 300);
    assert_eq!(run["rows"]["used"], 300);
    assert!(!st.out("ref").join("rejected.csv").exists());
    // Scores here are multiples of 25 and weights 1, so every sum is exact
    // whatever the chunking: the cells must match to the byte.
    for chunk in ["7", "16", "61", "113", "1000"] {
        let name = format!("c{chunk}");
        let o = st.run(&name, &["--chunk-size", chunk, "--threads", "2"]);
        assert!(o.status.success(), "chunk {chunk}: {}", stderr(&o));
        let got = fs::read(st.out(&name).join("cells.csv")).unwrap();
        assert!(got == want, "chunk size {chunk} changed cells.csv");
        let run = json(&st.out(&name).join("run.json"));
        assert_eq!(run["rows"]["read"], 300, "chunk {chunk}");
    }
}

#[test]
fn line_numbers_count_physical_lines_inside_quotes() {
    // Line 1 header; record 1 spans lines 2-4; record 2 (bad) is on line 5.
    let data = b"id,date,seg,q1,q2,comment\n1,2025-01-01,a,1,2,\"x\ny\nz\"\n2,2025-01-02,a,7,2,\n3,2025-01-03,a,1,2,\n";
    let st = Study::new(SIMPLE_STUDY, data);
    for chunk in ["5", "1000"] {
        let name = format!("c{chunk}");
        let o = st.run(&name, &["--chunk-size", chunk]);
        assert!(o.status.success(), "{}", stderr(&o));
        let rej = read_csv(&st.out(&name).join("rejected.csv"));
        assert_eq!(rej.len(), 1);
        assert_eq!(rej[0]["line"], "5", "chunk {chunk}");
        assert_eq!(rej[0]["reason"], "out_of_scale");
        assert_eq!(rej[0]["column"], "q1");
        assert_eq!(rej[0]["value"], "7");
        assert_eq!(rej[0]["record"], "2,2025-01-02,a,7,2,");
    }
}

#[test]
fn bom_crlf_and_chinese_values() {
    let mut data = b"\xEF\xBB\xBFid,date,seg,q1,q2,comment\r\n".to_vec();
    data.extend("1,2025-01-05,线上,5,5,\"好, 很好\"\r\n".as_bytes());
    data.extend("2,2025-02-05,线下,1,3,\r\n".as_bytes());
    data.extend("3,2025-03-05,线上,3,9,\"多行\r\n评论\"\r\n".as_bytes());
    let st = Study::new(SIMPLE_STUDY, &data);
    let o = st.run("out", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cells = read_csv(&st.out("out").join("cells.csv"));
    // q1 scores: 100, 0, 50. Online (线上): rows 1 and 3.
    let online = cell(&cells, "2025-Q1", "seg", "线上", "q1");
    assert_eq!(online["n"], "2");
    assert_eq!(online["mean"], "75");
    let offline = cell(&cells, "2025-Q1", "seg", "线下", "q2");
    assert_eq!(offline["mean"], "50");
    // 9 is a missing code: q2 online has one answer (100).
    assert_eq!(cell(&cells, "2025-Q1", "seg", "线上", "q2")["n"], "1");
    let run = json(&st.out("out").join("run.json"));
    assert_eq!(run["rows"]["read"], 3);
    assert_eq!(run["inputs"][0]["bom"], true);
    // Groups of a distinct dimension are sorted by value.
    let results = json(&st.out("out").join("results.json"));
    let groups: Vec<&str> = results["dimensions"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    let mut sorted = groups.clone();
    sorted.sort();
    assert_eq!(groups, sorted);
}

const WEIGHTED_STUDY_EXTRA: &str = "\n[data]\nfiles = [\"responses.csv\"]\nweight = \"w\"\n";

fn weighted_study() -> String {
    SIMPLE_STUDY.replace("[data]\nfiles = [\"responses.csv\"]\n", "") + WEIGHTED_STUDY_EXTRA
}

const DIRTY: &str = "id,date,seg,w,q1,q2
1,2025-01-10,a,1,5,4
2,2025-13-45,a,1,5,4
3,2025-01-11,a,1,11,4
4,2025-01-12,a,1,abc,4
5,2025-01-13,a,-1.5,5,4
6,2025-01-14,a,1,5
7,2025-01-15,a,1,5,4,extra
8,2025-01-16,a,,5,4
9,2025-02-10,b,2,1,2
10,,b,1,1,2
11,2025-04-02,b,1,3,3
12,2025-07-09,a,1,2,2
13,2025-05-09,a,inf,2,2
";

#[test]
fn dirty_file_every_row_accounted_for() {
    let st = Study::new(&weighted_study(), DIRTY.as_bytes());
    let o = st.run("out", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("9 rows rejected"), "{}", stderr(&o));
    let run = json(&st.out("out").join("run.json"));
    let rows = &run["rows"];
    assert_eq!(rows["read"], 13);
    assert_eq!(rows["used"], 4);
    assert_eq!(rows["rejected"], 9);
    assert_eq!(rows["outside_period"], 0);
    let by = &rows["rejected_by_reason"];
    assert_eq!(by["bad_date"], 2);
    assert_eq!(by["out_of_scale"], 1);
    assert_eq!(by["not_a_number"], 1);
    assert_eq!(by["bad_weight"], 3);
    assert_eq!(by["field_count"], 2);
    let rej = read_csv(&st.out("out").join("rejected.csv"));
    let lines: Vec<(&str, &str)> = rej
        .iter()
        .map(|r| (r["line"].as_str(), r["reason"].as_str()))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("3", "bad_date"),
            ("4", "out_of_scale"),
            ("5", "not_a_number"),
            ("6", "bad_weight"),
            ("7", "field_count"),
            ("8", "field_count"),
            ("9", "bad_weight"),
            ("11", "bad_date"),
            ("14", "bad_weight"),
        ]
    );
    assert_eq!(rej[3]["value"], "-1.5");
    assert_eq!(rej[3]["column"], "w");
    assert_eq!(rej[0]["record"], "2,2025-13-45,a,1,5,4");
    // The same through results.json.
    let res = json(&st.out("out").join("results.json"));
    assert_eq!(res["rows"]["read"], 13);
    assert_eq!(res["rows"]["rejected"], 9);
}

#[test]
fn rows_after_the_period_are_excluded_and_counted() {
    let st = Study::new(&weighted_study(), DIRTY.as_bytes());
    let o = st.run("out", &["--period", "2025-Q1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = json(&st.out("out").join("run.json"));
    let rows = &run["rows"];
    // Rows 11 (Q2) and 12 (Q3) are after 2025-Q1; row 13 (Q2, bad weight)
    // too: its period puts it outside before its weight is looked at.
    assert_eq!(rows["outside_period"], 3);
    assert_eq!(rows["outside_by_period"]["2025-Q2"], 2);
    assert_eq!(rows["outside_by_period"]["2025-Q3"], 1);
    assert_eq!(rows["used"], 2);
    assert_eq!(rows["rejected"], 8);
    assert_eq!(
        rows["read"].as_u64().unwrap(),
        rows["used"].as_u64().unwrap()
            + rows["rejected"].as_u64().unwrap()
            + rows["outside_period"].as_u64().unwrap()
    );
    let cells = read_csv(&st.out("out").join("cells.csv"));
    assert!(cells.iter().all(|c| c["period"] == "2025-Q1"));
}

#[test]
fn bad_period_argument_is_an_error() {
    let st = Study::new(&weighted_study(), DIRTY.as_bytes());
    let o = st.run("out", &["--period", "2025Q1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is not a quarter such as `2025-Q3`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fail_policy_stops_at_the_first_bad_row_and_keeps_previous_outputs() {
    let st = Study::new(
        &weighted_study(),
        b"id,date,seg,w,q1,q2\n1,2025-01-10,a,1,5,4\n",
    );
    assert!(st.run("out", &[]).status.success());
    let before = fs::read(st.out("out").join("cells.csv")).unwrap();
    let strict = weighted_study().replace("min_report = 1", "min_report = 1\nbad_rows = \"fail\"");
    fs::write(st.config(), strict).unwrap();
    fs::write(st.dir.path().join("responses.csv"), DIRTY).unwrap();
    let o = st.run("out", &["--chunk-size", "40"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("responses.csv:3: error: bad row (bad_date, column `date` (field 2))"),
        "{err}"
    );
    assert!(err.contains("`2025-13-45` is not a valid date"), "{err}");
    assert_eq!(fs::read(st.out("out").join("cells.csv")).unwrap(), before);
    // No staging folder is left behind.
    let leftovers: Vec<_> = fs::read_dir(st.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn missing_policy_blanks_bad_answers_and_counts_them() {
    let lenient =
        weighted_study().replace("min_report = 1", "min_report = 1\nbad_rows = \"missing\"");
    let st = Study::new(&lenient, DIRTY.as_bytes());
    let o = st.run("out", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = json(&st.out("out").join("run.json"));
    // Rows 3 (q1 = 11) and 4 (q1 = abc) are used with q1 missing.
    assert_eq!(run["rows"]["used"], 6);
    assert_eq!(run["rows"]["rejected"], 7);
    assert_eq!(run["invalid_values"]["q1"], 2);
}

#[test]
fn output_folder_is_replaced_whole_and_foreign_folders_are_refused() {
    let st = Study::new(SIMPLE_STUDY, &tricky_data(20));
    let out = st.out("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = st.run("out", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("refusing to replace"), "{}", stderr(&o));
    assert!(out.join("notes.txt").exists());
    fs::remove_dir_all(&out).unwrap();
    assert!(st.run("out", &[]).status.success());
    fs::write(out.join("stale.csv"), "old").unwrap();
    assert!(st.run("out", &[]).status.success());
    assert!(!out.join("stale.csv").exists());
    assert!(out.join("cells.csv").exists());
}

/// Non-integer weights and many rows: floating-point sums that would differ
/// if they were merged in thread order.
fn weighted_data(rows: usize) -> Vec<u8> {
    let mut s = String::from("id,date,seg,w,q1,q2\n");
    let mut x: u64 = 0x9E3779B97F4A7C15;
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let w = 0.3 + (x % 1000) as f64 / 573.0;
        s.push_str(&format!(
            "{i},202{}-{:02}-01,{},{w:.6},{},{}\n",
            4 + (x >> 20) % 2,
            1 + (x >> 8) % 12,
            ["a", "b", "c", "d"][(x >> 4) as usize % 4],
            1 + (x >> 30) % 5,
            1 + (x >> 40) % 5
        ));
    }
    s.into_bytes()
}

#[test]
fn outputs_are_byte_identical_for_one_and_two_threads() {
    let st = Study::new(&weighted_study(), &weighted_data(30_000));
    let a = st.run("t1", &["--threads", "1", "--chunk-size", "65536"]);
    let b = st.run("t2", &["--threads", "2", "--chunk-size", "65536"]);
    assert!(a.status.success() && b.status.success(), "{}", stderr(&b));
    for f in ["cells.csv", "comparisons.csv", "results.json"] {
        let x = fs::read(st.out("t1").join(f)).unwrap();
        let y = fs::read(st.out("t2").join(f)).unwrap();
        assert!(x == y, "{f} differs between --threads 1 and --threads 2");
    }
    let run = json(&st.out("t2").join("run.json"));
    assert_eq!(run["threads"], 2);
    assert_eq!(run["rows"]["used"], 30_000);
}

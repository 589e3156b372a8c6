//! No input makes csi panic: random and mangled data files and configs end
//! in a result or a clear error, never a crash (exit code 101).

mod common;

use common::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a [u8]]) -> &'a [u8] {
        xs[self.next() as usize % xs.len()]
    }
}

/// A CSV-ish file built from tokens that stress the parser and validator.
fn mangled(rng: &mut Rng) -> Vec<u8> {
    let tokens: &[&[u8]] = &[
        b"1",
        b"5",
        b"9",
        b"0",
        b"6",
        b"-1",
        b"1e308",
        b"nan",
        b"inf",
        b"",
        b" ",
        b"abc",
        b"2025-01-15",
        b"2025-02-30",
        b"2025-13-01",
        b"1999-12-31",
        b"x",
        b"y",
        b"\xff\xfe",
        "中文".as_bytes(),
        b"\"",
        b"\"\"",
        b"\"a,b\"",
        b"\"a\nb\"",
        b"\r",
        b"\n",
        b",",
        b",,",
        b"\xEF\xBB\xBF",
        b"0.5",
        b"1.5e-3",
        b"99999999999999999999",
    ];
    let mut out = Vec::new();
    if rng.next().is_multiple_of(2) {
        out.extend_from_slice(b"id,date,seg,q1,q2,comment\n");
    }
    let n = rng.next() % 60;
    for _ in 0..n {
        let fields = rng.next() % 8;
        for f in 0..fields {
            if f > 0 {
                out.push(b',');
            }
            out.extend_from_slice(rng.pick(tokens));
        }
        out.push(b'\n');
    }
    out
}

#[test]
fn random_data_never_panics() {
    let mut rng = Rng(0x2545F4914F6CDD1D);
    for case in 0..150 {
        let data = mangled(&mut rng);
        let st = Study::new(SIMPLE_STUDY, &data);
        for chunk in ["3", "4194304"] {
            let o = st.run("out", &["--chunk-size", chunk]);
            let code = o.status.code();
            assert!(
                matches!(code, Some(0) | Some(1) | Some(3)),
                "case {case} chunk {chunk}: exit {code:?}\n{}\ndata: {:?}",
                stderr(&o),
                String::from_utf8_lossy(&data)
            );
            if code == Some(0) {
                let run = json(&st.out("out").join("run.json"));
                let r = &run["rows"];
                assert_eq!(
                    r["read"].as_u64().unwrap(),
                    r["used"].as_u64().unwrap()
                        + r["rejected"].as_u64().unwrap()
                        + r["outside_period"].as_u64().unwrap(),
                    "case {case}"
                );
            }
        }
    }
}

#[test]
fn mangled_configs_never_panic() {
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let base = SIMPLE_STUDY.as_bytes();
    let data = b"id,date,seg,q1,q2\n1,2025-01-01,a,1,2\n";
    for case in 0..200 {
        let mut cfg = base.to_vec();
        // Delete, duplicate or replace a few random spans.
        for _ in 0..(1 + rng.next() % 3) {
            let len = cfg.len();
            let a = rng.next() as usize % len;
            let b = (a + (rng.next() as usize % 40)).min(len);
            match rng.next() % 3 {
                0 => {
                    cfg.drain(a..b);
                }
                1 => {
                    let piece = cfg[a..b].to_vec();
                    let at = rng.next() as usize % cfg.len();
                    cfg.splice(at..at, piece);
                }
                _ => {
                    let junk: &[&[u8]] = &[
                        b"=",
                        b"[",
                        b"]]",
                        b"\"",
                        b"\n[[node]]\n",
                        b"parent = \"idx\"\n",
                        b"-1",
                        b"\xff",
                    ];
                    let j = rng.pick(junk).to_vec();
                    cfg.splice(a..a, j);
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("study.toml"), &cfg).unwrap();
        std::fs::write(dir.path().join("responses.csv"), data).unwrap();
        let o = run(&["check", &dir.path().join("study.toml").to_string_lossy()]);
        assert!(
            matches!(o.status.code(), Some(0) | Some(3)),
            "case {case}: exit {:?}\n{}\nconfig:\n{}",
            o.status.code(),
            stderr(&o),
            String::from_utf8_lossy(&cfg)
        );
    }
}

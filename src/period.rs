//! Reporting periods: months, quarters or years taken from a date column, or
//! the labels of an explicit period column. A period is an ordinal (`i32`)
//! so that "previous" is `ord - 1` and "a year earlier" is `ord - per_year`.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    Month,
    Quarter,
    Year,
}

impl Grain {
    pub fn parse(s: &str) -> Option<Grain> {
        match s {
            "month" => Some(Grain::Month),
            "quarter" => Some(Grain::Quarter),
            "year" => Some(Grain::Year),
            _ => None,
        }
    }

    pub const NAMES: [&'static str; 3] = ["month", "quarter", "year"];

    pub fn name(self) -> &'static str {
        match self {
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }

    pub fn per_year(self) -> i32 {
        match self {
            Grain::Month => 12,
            Grain::Quarter => 4,
            Grain::Year => 1,
        }
    }

    /// The period a calendar date falls in.
    pub fn of_date(self, year: i32, month: u32) -> i32 {
        let m0 = month as i32 - 1;
        match self {
            Grain::Month => year * 12 + m0,
            Grain::Quarter => year * 4 + m0 / 3,
            Grain::Year => year,
        }
    }
}

/// How periods are named and ordered.
#[derive(Debug, Clone, PartialEq)]
pub enum Calendar {
    /// Calendar periods: labels `2025`, `2025-Q3`, `2025-07`.
    Grain(Grain),
    /// Labels listed in the config, in chronological order.
    Labels {
        labels: Vec<String>,
        per_year: Option<i32>,
    },
}

impl Calendar {
    pub fn label(&self, ord: i32) -> String {
        match self {
            Calendar::Grain(Grain::Year) => format!("{ord}"),
            Calendar::Grain(Grain::Quarter) => {
                format!("{}-Q{}", ord.div_euclid(4), ord.rem_euclid(4) + 1)
            }
            Calendar::Grain(Grain::Month) => {
                format!("{}-{:02}", ord.div_euclid(12), ord.rem_euclid(12) + 1)
            }
            Calendar::Labels { labels, .. } => labels
                .get(ord as usize)
                .cloned()
                .unwrap_or_else(|| format!("#{ord}")),
        }
    }

    /// The ordinal of a period label (`2025-Q3`, or one of the listed labels).
    pub fn parse_label(&self, s: &str) -> Option<i32> {
        let s = s.trim();
        match self {
            Calendar::Grain(g) => parse_grain_label(*g, s),
            Calendar::Labels { labels, .. } => labels.iter().position(|l| l == s).map(|i| i as i32),
        }
    }

    pub fn per_year(&self) -> Option<i32> {
        match self {
            Calendar::Grain(g) => Some(g.per_year()),
            Calendar::Labels { per_year, .. } => *per_year,
        }
    }

    /// A description of the accepted labels, for error messages.
    pub fn expected(&self) -> String {
        match self {
            Calendar::Grain(Grain::Year) => "a year such as `2025`".into(),
            Calendar::Grain(Grain::Quarter) => "a quarter such as `2025-Q3`".into(),
            Calendar::Grain(Grain::Month) => "a month such as `2025-07`".into(),
            Calendar::Labels { labels, .. } => format!(
                "one of the period labels {}",
                labels
                    .iter()
                    .map(|l| format!("`{l}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

fn parse_grain_label(g: Grain, s: &str) -> Option<i32> {
    let year_of = |y: &str| -> Option<i32> {
        if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
            y.parse().ok()
        } else {
            None
        }
    };
    match g {
        Grain::Year => year_of(s),
        Grain::Quarter => {
            let (y, q) = s.split_once("-Q").or_else(|| s.split_once("-q"))?;
            let q: i32 = match q {
                "1" => 1,
                "2" => 2,
                "3" => 3,
                "4" => 4,
                _ => return None,
            };
            Some(year_of(y)? * 4 + q - 1)
        }
        Grain::Month => {
            let (y, m) = s.split_once('-')?;
            if m.len() != 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let m: i32 = m.parse().ok()?;
            if !(1..=12).contains(&m) {
                return None;
            }
            Some(year_of(y)? * 12 + m - 1)
        }
    }
}

/// Parses dates from a data column, with a fast path for ISO `%Y-%m-%d`.
#[derive(Debug, Clone)]
pub struct DateParser {
    format: String,
    iso: bool,
}

impl DateParser {
    pub fn new(format: &str) -> Self {
        DateParser {
            format: format.to_string(),
            iso: format == "%Y-%m-%d",
        }
    }

    /// Year and month of a date, or `None` when it is not a valid date in
    /// the configured format.
    pub fn year_month(&self, s: &str) -> Option<(i32, u32)> {
        self.year_month_bytes(s.as_bytes())
    }

    /// [`Self::year_month`] of raw field bytes (not valid UTF-8: `None`);
    /// ISO dates are read without a UTF-8 check.
    pub fn year_month_bytes(&self, b: &[u8]) -> Option<(i32, u32)> {
        let b = b.trim_ascii();
        // ISO dates with a time part fall through to chrono.
        if self.iso && b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
            let digits = |r: std::ops::Range<usize>| -> Option<u32> {
                let mut v = 0u32;
                for &c in &b[r] {
                    if !c.is_ascii_digit() {
                        return None;
                    }
                    v = v * 10 + (c - b'0') as u32;
                }
                Some(v)
            };
            let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
            // The same validity as chrono's from_ymd_opt for 4-digit
            // years, without building the date.
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let days = match m {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                2 if leap => 29,
                2 => 28,
                _ => return None,
            };
            if d == 0 || d > days {
                return None;
            }
            return Some((y as i32, m));
        }
        let s = std::str::from_utf8(b).ok()?;
        let date = NaiveDate::parse_from_str(s, &self.format)
            .or_else(|_| {
                // Accept a trailing time (`2025-03-01T10:00:00`, `... 10:00`).
                let head = s.split(['T', ' ']).next().unwrap_or(s);
                NaiveDate::parse_from_str(head, &self.format)
            })
            .ok()?;
        Some((date.year(), date.month()))
    }

    /// Whether a chrono format string is valid and names a full date.
    pub fn validate_format(format: &str) -> Result<(), String> {
        use chrono::format::{Item, StrftimeItems};
        if StrftimeItems::new(format).any(|i| matches!(i, Item::Error)) {
            return Err(format!("`{format}` is not a valid date format"));
        }
        let probe = NaiveDate::from_ymd_opt(2024, 11, 23).expect("valid date");
        let text = probe.format(format).to_string();
        match NaiveDate::parse_from_str(&text, format) {
            Ok(d) if d == probe => Ok(()),
            _ => Err(format!(
                "the date format `{format}` does not identify a day (it needs year, month and day, e.g. `%Y-%m-%d` or `%d/%m/%Y`)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_labels_round_trip() {
        let c = Calendar::Grain(Grain::Quarter);
        let o = Grain::Quarter.of_date(2025, 7);
        assert_eq!(c.label(o), "2025-Q3");
        assert_eq!(c.parse_label("2025-Q3"), Some(o));
        assert_eq!(c.label(o - 1), "2025-Q2");
        assert_eq!(c.label(o - 4), "2024-Q3");
        assert_eq!(c.parse_label("2025-Q5"), None);
    }

    #[test]
    fn month_and_year_labels() {
        let m = Calendar::Grain(Grain::Month);
        let o = Grain::Month.of_date(2025, 1);
        assert_eq!(m.label(o), "2025-01");
        assert_eq!(m.label(o - 1), "2024-12");
        assert_eq!(m.parse_label("2024-12"), Some(o - 1));
        assert_eq!(m.parse_label("2024-13"), None);
        let y = Calendar::Grain(Grain::Year);
        assert_eq!(y.parse_label("2025"), Some(2025));
    }

    #[test]
    fn explicit_labels() {
        let c = Calendar::Labels {
            labels: vec!["2025春季".into(), "2025秋季".into()],
            per_year: Some(2),
        };
        assert_eq!(c.parse_label("2025秋季"), Some(1));
        assert_eq!(c.label(0), "2025春季");
        assert_eq!(c.per_year(), Some(2));
    }

    #[test]
    fn dates() {
        let p = DateParser::new("%Y-%m-%d");
        assert_eq!(p.year_month("2025-03-31"), Some((2025, 3)));
        assert_eq!(p.year_month("2025-13-45"), None);
        assert_eq!(p.year_month("2025-02-30"), None);
        // Leap years, against the Gregorian rules.
        assert_eq!(p.year_month("2024-02-29"), Some((2024, 2)));
        assert_eq!(p.year_month("2000-02-29"), Some((2000, 2)));
        assert_eq!(p.year_month("2023-02-29"), None);
        assert_eq!(p.year_month("1900-02-29"), None);
        assert_eq!(p.year_month("2025-04-31"), None);
        assert_eq!(p.year_month("2025-00-10"), None);
        assert_eq!(p.year_month("2025-01-00"), None);
        assert_eq!(p.year_month_bytes(b" 2025-12-31 "), Some((2025, 12)));
        assert_eq!(p.year_month("2025-03-01T10:00:00"), Some((2025, 3)));
        assert_eq!(p.year_month("abc"), None);
        let d = DateParser::new("%d/%m/%Y");
        assert_eq!(d.year_month("31/12/2024"), Some((2024, 12)));
        assert!(DateParser::validate_format("%d/%m/%Y").is_ok());
        assert!(DateParser::validate_format("%Y-%m").is_err());
        assert!(DateParser::validate_format("%Q").is_err());
    }
}

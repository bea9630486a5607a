//! Date strings as publishers write them ("14 Apr 1965", "circa 1958",
//! "1960 to 1962", "14.04.1965", "Apr 1965") turned into ISO 8601 dates that
//! keep their precision: a year stays `1965`, a month `1965-04`.

/// What a date string said besides the date itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDates {
    /// ISO dates, partial where the source is partial. A range gives every
    /// year it spans (at most 20), so a query year inside it matches.
    pub dates: Vec<String>,
    /// The source qualified the date ("circa", "approximately").
    pub approximate: bool,
    /// The source gave a range.
    pub range: bool,
}

const MONTHS: [(&str, u32); 24] = [
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    MONTHS.iter().find(|(n, _)| *n == w).map(|(_, m)| *m)
}

fn valid_year(y: i64) -> bool {
    (1000..=2100).contains(&y)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

fn ymd(year: i64, month: u32, day: u32) -> Option<String> {
    if !valid_year(year) || !(1..=12).contains(&month) {
        return None;
    }
    if day == 0 {
        // A zero day ("00/04/1965") means the day is unknown.
        return Some(format!("{year:04}-{month:02}"));
    }
    if day > days_in_month(year, month) {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Strips qualifiers like "circa", "c.", "approx.", "about"; returns the rest
/// and whether a qualifier was present.
fn strip_qualifier(s: &str) -> (&str, bool) {
    let lower = s.to_ascii_lowercase();
    for q in [
        "circa ",
        "circa",
        "ca. ",
        "ca ",
        "c. ",
        "c.",
        "approximately ",
        "approx. ",
        "approx ",
        "about ",
        "around ",
    ] {
        if lower.starts_with(q) {
            return (s[q.len()..].trim(), true);
        }
    }
    (s, false)
}

/// Parses one date (no ranges). Returns the ISO form, partial where the
/// source is partial. Unknown shapes give `None`.
pub fn parse_date(input: &str) -> Option<String> {
    let (s, _) = strip_qualifier(input.trim());
    let s = s.trim().trim_end_matches('.');
    if s.is_empty() {
        return None;
    }
    // ISO forms, possibly with a time part: 1965-04-14T00:00:00, 1965-04, 1965.
    let date_part = s.split(['T', ' ']).next().unwrap_or(s);
    let parts: Vec<&str> = date_part.split(['-', '/', '.']).collect();
    if let Some(first) = parts.first()
        && first.len() == 4
        && let Some(y) = num(first)
    {
        return match parts.len() {
            1 if s.len() == 4 => valid_year(y).then(|| format!("{y:04}")),
            2 => {
                let m = num(parts[1])? as u32;
                if m == 0 {
                    return valid_year(y).then(|| format!("{y:04}"));
                }
                ymd(y, m, 0)
            }
            3 => {
                let m = num(parts[1])? as u32;
                let d = num(parts[2])? as u32;
                if m == 0 {
                    return valid_year(y).then(|| format!("{y:04}"));
                }
                ymd(y, m, d)
            }
            _ => None,
        };
    }
    // Day-first numeric forms: 14.04.1965, 14/04/1965, 14-04-1965, 04/1965.
    if parts.len() >= 2
        && parts.iter().all(|p| num(p).is_some())
        && let Some(last) = parts.last()
        && last.len() == 4
    {
        let y = num(last)?;
        return match parts.len() {
            2 => {
                let m = num(parts[0])? as u32;
                if m == 0 {
                    valid_year(y).then(|| format!("{y:04}"))
                } else {
                    ymd(y, m, 0)
                }
            }
            3 => {
                let a = num(parts[0])? as u32;
                let b = num(parts[1])? as u32;
                if b == 0 && a == 0 {
                    return valid_year(y).then(|| format!("{y:04}"));
                }
                // Day first, unless that is impossible and month-first is not.
                ymd(y, b, a).or_else(|| ymd(y, a, b))
            }
            _ => None,
        };
    }
    // Word forms: "14 Apr 1965", "14 April, 1965", "April 14, 1965", "Apr 1965".
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [d, m, y] => {
            let y = num(y)?;
            if let (Some(d), Some(m)) = (num(d), month_number(m)) {
                return ymd(y, m, d as u32);
            }
            if let (Some(m), Some(d)) = (month_number(d), num(m)) {
                return ymd(y, m, d as u32);
            }
            None
        }
        [m, y] => {
            let y = num(y)?;
            ymd(y, month_number(m)?, 0)
        }
        _ => None,
    }
}

/// Parses a date field that may hold a qualifier or a range
/// ("circa 1958", "1960 to 1962", "between 1960 and 1962", "1960-1962").
pub fn parse_dates(input: &str) -> ParsedDates {
    let trimmed = input.trim();
    let (s, approximate) = strip_qualifier(trimmed);
    let lower = s.to_ascii_lowercase();
    let lower = lower.strip_prefix("between ").unwrap_or(&lower).to_string();
    let mut range_parts: Option<(String, String)> = None;
    for sep in [" to ", " and ", " - ", " – "] {
        if let Some((a, b)) = lower.split_once(sep) {
            range_parts = Some((a.trim().to_string(), b.trim().to_string()));
            break;
        }
    }
    if range_parts.is_none() {
        // "1960-1962": two bare years joined by a dash (not "1965-04").
        if let Some((a, b)) = lower.split_once('-')
            && a.len() == 4
            && b.len() == 4
            && num(a).is_some()
            && num(b).is_some()
        {
            range_parts = Some((a.to_string(), b.to_string()));
        }
    }
    if let Some((a, b)) = range_parts {
        let (pa, pb) = (parse_date(&a), parse_date(&b));
        if let (Some(pa), Some(pb)) = (pa, pb) {
            let ya: i64 = pa[..4].parse().unwrap_or(0);
            let yb: i64 = pb[..4].parse().unwrap_or(0);
            let mut dates = Vec::new();
            if ya <= yb && yb - ya <= 20 {
                if pa.len() > 4 {
                    dates.push(pa.clone());
                }
                for y in ya..=yb {
                    dates.push(format!("{y:04}"));
                }
                if pb.len() > 4 {
                    dates.push(pb.clone());
                }
            } else {
                dates.push(pa);
                dates.push(pb);
            }
            return ParsedDates {
                dates,
                approximate,
                range: true,
            };
        }
    }
    ParsedDates {
        dates: parse_date(s).into_iter().collect(),
        approximate,
        range: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_dates_keep_their_precision() {
        assert_eq!(parse_date("14 Apr 1965").as_deref(), Some("1965-04-14"));
        assert_eq!(parse_date("14 April, 1965").as_deref(), Some("1965-04-14"));
        assert_eq!(parse_date("April 14, 1965").as_deref(), Some("1965-04-14"));
        assert_eq!(parse_date("Apr 1965").as_deref(), Some("1965-04"));
        assert_eq!(parse_date("1965").as_deref(), Some("1965"));
        assert_eq!(parse_date("1965-04").as_deref(), Some("1965-04"));
        assert_eq!(
            parse_date("1965-04-14T00:00:00").as_deref(),
            Some("1965-04-14")
        );
        assert_eq!(parse_date("14.04.1965").as_deref(), Some("1965-04-14"));
        assert_eq!(parse_date("14/04/1965").as_deref(), Some("1965-04-14"));
        assert_eq!(parse_date("00/04/1965").as_deref(), Some("1965-04"));
        assert_eq!(parse_date("00/00/1965").as_deref(), Some("1965"));
        assert_eq!(parse_date("circa 1958").as_deref(), Some("1958"));
        assert_eq!(parse_date("31 Feb 1965"), None);
        assert_eq!(parse_date("unknown"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn ranges_and_qualifiers() {
        let r = parse_dates("1960 to 1962");
        assert!(r.range);
        assert_eq!(r.dates, ["1960", "1961", "1962"]);
        let r = parse_dates("Between 1955 and 1956");
        assert_eq!(r.dates, ["1955", "1956"]);
        let r = parse_dates("circa 1958");
        assert!(r.approximate && !r.range);
        assert_eq!(r.dates, ["1958"]);
        let r = parse_dates("1965-04");
        assert!(!r.range);
        assert_eq!(r.dates, ["1965-04"]);
        let r = parse_dates("1970-1972");
        assert_eq!(r.dates, ["1970", "1971", "1972"]);
    }
}

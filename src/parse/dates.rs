//! Date strings as publishers write them ("14 Apr 1965", "circa 1958",
//! "1960 to 1962", "1977/1978", "14.04.1965", "Apr 1965", "21. Jul 1997",
//! "dd/mm/1968") turned into ISO 8601 dates that keep their precision: a
//! year stays `1965`, a month `1965-04`. Numeric dates are read day first;
//! [`parse_us_date`] reads the US month-first form where a list uses it.
//!
//! A date a person typed into a query is read by [`date_readings`], the same
//! parser, which also says when the form itself is ambiguous: `07/10/1952`
//! is 7 October in most of the world and 10 July in the US, so it gives both
//! readings. ISO dates, dates with a month name, dates with dots (the
//! European day-first form: no country writes month first with dots) and
//! numeric dates with only one valid reading (`25/10/1952`) give one.
//!
//! Birth dates: a list that writes a date in the Hijri calendar without
//! saying so ("24/06/1402") would otherwise give a Gregorian year 1402. No
//! listed person was born before 1850, so [`parse_birth_date`] and
//! [`parse_birth_dates`] reject years before [`BIRTH_YEAR_FLOOR`]; the
//! parsers keep such text in `notes` ("birth date as given: …"), as they do
//! with any date they cannot read.

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

/// The earliest year a birth date may have (see the module documentation).
pub const BIRTH_YEAR_FLOOR: i64 = 1850;

fn valid_year(y: i64) -> bool {
    (1000..=2100).contains(&y)
}

/// The number of days of a month (1–12) of the Gregorian calendar.
pub fn days_in_month(year: i64, month: u32) -> u32 {
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

/// Evens out the spacing and dots of one date: "09/11/ 1954" →
/// "09/11/1954", "Apr - 1965" → "Apr-1965", "21. Jul 1997" → "21 Jul 1997",
/// "24 Jan.1973" → "24 Jan. 1973".
fn tidy(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let prev = out.chars().last();
        let next = chars.get(i + 1).copied();
        match c {
            '-' | '/' => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push(c);
                i += 1;
                while chars.get(i) == Some(&' ') {
                    i += 1;
                }
                continue;
            }
            '.' if prev.is_some_and(|p| p.is_ascii_digit()) && next == Some(' ') => {}
            '.' if prev.is_some_and(char::is_alphabetic)
                && next.is_some_and(|n| n.is_ascii_digit()) =>
            {
                out.push_str(". ");
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// "dd/mm/1968", "DD/09/1958", "/05/1960": a day or month written as a
/// placeholder (or left out) is unknown, as a zero day or month is.
fn fill_placeholders(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('/').collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    let unknown = |p: &str, placeholder: &str| p.is_empty() || p.eq_ignore_ascii_case(placeholder);
    if !unknown(d, "dd") && !unknown(m, "mm") {
        return None;
    }
    let d = if unknown(d, "dd") { "00" } else { d };
    let m = if unknown(m, "mm") { "00" } else { m };
    Some(format!("{d}/{m}/{y}"))
}

/// Parses one date (no ranges). Returns the ISO form, partial where the
/// source is partial. Unknown shapes give `None`.
pub fn parse_date(input: &str) -> Option<String> {
    read_date(input).0
}

/// Every reading of one date: the day-first one (as [`parse_date`] gives
/// it), then the month-first one when the form is a numeric day and month
/// separated by `/` or `-` that reads validly, and differently, both ways
/// (`07/10/1952` → `1952-10-07`, `1952-07-10`). Empty when it is not a date.
pub fn date_readings(input: &str) -> Vec<String> {
    let (first, other) = read_date(input);
    first.into_iter().chain(other).collect()
}

/// The day-first reading of a date, and the month-first one when the form
/// is ambiguous.
fn read_date(input: &str) -> (Option<String>, Option<String>) {
    let (s, _) = strip_qualifier(input.trim());
    let s = tidy(s.trim().trim_end_matches('.'));
    let s = fill_placeholders(&s).unwrap_or(s);
    let s = s.as_str();
    if s.is_empty() {
        return (None, None);
    }
    // ISO forms, possibly with a time part: 1965-04-14T00:00:00, 1965-04, 1965.
    let date_part = s.split(['T', ' ']).next().unwrap_or(s);
    let parts: Vec<&str> = date_part.split(['-', '/', '.']).collect();
    if let Some(first) = parts.first()
        && first.len() == 4
        && let Some(y) = num(first)
    {
        let year_first = || match parts.len() {
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
        return (year_first(), None);
    }
    // Day-first numeric forms: 14.04.1965, 14/04/1965, 14-04-1965, 04/1965.
    if parts.len() >= 2
        && parts.iter().all(|p| num(p).is_some())
        && let Some(last) = parts.last()
        && last.len() == 4
    {
        let Some(y) = num(last) else {
            return (None, None);
        };
        return match parts.as_slice() {
            [m, _] => {
                let m = num(m).unwrap_or(0) as u32;
                if m == 0 {
                    (valid_year(y).then(|| format!("{y:04}")), None)
                } else {
                    (ymd(y, m, 0), None)
                }
            }
            [a, b, _] => {
                let (a, b) = (num(a).unwrap_or(0) as u32, num(b).unwrap_or(0) as u32);
                if b == 0 && a == 0 {
                    return (valid_year(y).then(|| format!("{y:04}")), None);
                }
                let (day_first, month_first) = (ymd(y, b, a), ymd(y, a, b));
                // Dots are the European day-first form; with a slash or a
                // dash, both valid readings stand when they differ.
                let ambiguous = !date_part.contains('.')
                    && day_first.is_some()
                    && month_first.is_some()
                    && day_first != month_first;
                match (day_first, month_first) {
                    (Some(d), other) if ambiguous => (Some(d), other),
                    // Day first, unless that is impossible and month-first is not.
                    (Some(d), _) => (Some(d), None),
                    (None, m) => (m, None),
                }
            }
            _ => (None, None),
        };
    }
    // Word forms: "14 Apr 1965", "14 April, 1965", "April 14, 1965", "Apr 1965".
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    let word_date = || match words.as_slice() {
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
    };
    (word_date(), None)
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
        // "1960-1962", "1955- 1958", "1977/1978": two bare years joined by a
        // dash or a slash (not "1965-04").
        if let Some((a, b)) = lower.split_once(['-', '/'])
            && let (a, b) = (a.trim(), b.trim())
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

/// Parses a US month-first date, `MM/DD/YYYY` ("06/19/2003", "3/8/2025"),
/// as some US lists write them. Other shapes, impossible dates and a zero
/// month or day give `None`.
pub fn parse_us_date(input: &str) -> Option<String> {
    let mut parts = input.trim().split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let part = |p: &str, max_len: usize| -> Option<u32> {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (m, d, y) = (part(m, 2)?, part(d, 2)?, part(y, 4)?);
    if d == 0 {
        return None;
    }
    ymd(i64::from(y), m, d)
}

/// True when an ISO date's year is a plausible birth year:
/// [`BIRTH_YEAR_FLOOR`] to 2100.
pub fn plausible_birth_date(iso: &str) -> bool {
    iso.get(..4)
        .and_then(|y| y.parse::<i64>().ok())
        .is_some_and(|y| (BIRTH_YEAR_FLOOR..=2100).contains(&y))
}

/// [`parse_date`] for a birth date: a year before [`BIRTH_YEAR_FLOOR`]
/// (a Hijri date read as Gregorian) gives `None`.
pub fn parse_birth_date(input: &str) -> Option<String> {
    parse_date(input).filter(|d| plausible_birth_date(d))
}

/// [`parse_dates`] for a birth date field: dates before
/// [`BIRTH_YEAR_FLOOR`] are left out.
pub fn parse_birth_dates(input: &str) -> ParsedDates {
    let mut parsed = parse_dates(input);
    parsed.dates.retain(|d| plausible_birth_date(d));
    parsed
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

    #[test]
    fn spacing_and_dots_as_the_lists_write_them() {
        assert_eq!(parse_date("24 Jan.1973").as_deref(), Some("1973-01-24"));
        assert_eq!(parse_date("21. Jul 1997").as_deref(), Some("1997-07-21"));
        assert_eq!(parse_date("14 Apr. 1965").as_deref(), Some("1965-04-14"));
        assert_eq!(parse_date("09/11/ 1954").as_deref(), Some("1954-11-09"));
        assert_eq!(parse_date("09 /11/1954").as_deref(), Some("1954-11-09"));
        assert_eq!(parse_date("Sep. 1973").as_deref(), Some("1973-09"));
        let r = parse_dates("1955- 1958");
        assert!(r.range);
        assert_eq!(r.dates, ["1955", "1956", "1957", "1958"]);
        let r = parse_dates("Approximately 1955 -1958");
        assert!(r.range && r.approximate);
        assert_eq!(r.dates, ["1955", "1956", "1957", "1958"]);
        // Word ranges keep working.
        let r = parse_dates("14 Apr 1965 - 20 May 1966");
        assert_eq!(r.dates, ["1965-04-14", "1965", "1966", "1966-05-20"]);
    }

    #[test]
    fn year_pairs_with_a_slash_are_ranges() {
        let r = parse_dates("1977/1978");
        assert!(r.range && !r.approximate);
        assert_eq!(r.dates, ["1977", "1978"]);
        let r = parse_dates("approximately 1977/1978");
        assert!(r.range && r.approximate);
        assert_eq!(r.dates, ["1977", "1978"]);
        // A year and a month, and a month and a year, are not ranges.
        assert!(!parse_dates("04/1965").range);
        assert_eq!(parse_dates("04/1965").dates, ["1965-04"]);
        assert!(!parse_dates("1965/04").range);
    }

    #[test]
    fn placeholder_days_and_months_are_unknown() {
        // The UK FCDO list writes unknown parts as "dd" / "mm".
        assert_eq!(parse_date("dd/mm/1968").as_deref(), Some("1968"));
        assert_eq!(parse_date("dd/09/1958").as_deref(), Some("1958-09"));
        assert_eq!(parse_date("12/11/1967").as_deref(), Some("1967-11-12"));
        assert_eq!(parse_date("1985").as_deref(), Some("1985"));
        assert_eq!(parse_date("DD/MM/1970").as_deref(), Some("1970"));
        assert_eq!(parse_date("dd/mm/yyyy"), None);
        assert_eq!(parse_date("/05/1960").as_deref(), Some("1960-05"));
    }

    #[test]
    fn us_dates_are_month_first() {
        // BIS Denied Persons List dates.
        assert_eq!(parse_us_date("08/05/2019").as_deref(), Some("2019-08-05"));
        assert_eq!(parse_us_date("06/29/2056").as_deref(), Some("2056-06-29"));
        assert_eq!(parse_us_date("02/30/2019"), None);
        assert_eq!(parse_us_date("13/01/2019"), None);
        assert_eq!(parse_us_date("00/01/2019"), None);
        assert_eq!(parse_us_date("1/2/19"), None);
        assert_eq!(parse_us_date("2019-08-05"), None);
        // OFAC's sdnList Publish_Date.
        assert_eq!(parse_us_date("03/28/2025").as_deref(), Some("2025-03-28"));
        assert_eq!(parse_us_date("3/8/2025").as_deref(), Some("2025-03-08"));
        assert_eq!(parse_us_date("28/03/2025"), None);
        assert_eq!(parse_us_date("2025-03-28"), None);
        assert_eq!(parse_us_date("01/00/2025"), None);
    }

    #[test]
    fn birth_dates_before_1850_are_not_gregorian() {
        // A Hijri date written without its calendar.
        assert_eq!(parse_date("24/06/1402").as_deref(), Some("1402-06-24"));
        assert_eq!(parse_birth_date("24/06/1402"), None);
        assert_eq!(parse_birth_date("1849"), None);
        assert_eq!(parse_birth_date("1850").as_deref(), Some("1850"));
        assert_eq!(
            parse_birth_date("14 Apr 1965").as_deref(),
            Some("1965-04-14")
        );
        assert!(parse_birth_dates("1400 to 1402").dates.is_empty());
        assert_eq!(parse_birth_dates("circa 1958").dates, ["1958"]);
        assert!(plausible_birth_date("1973-11"));
        assert!(!plausible_birth_date("1385"));
        assert!(!plausible_birth_date(""));
    }

    #[test]
    fn only_unambiguous_forms_read_one_way() {
        // Day and month both 12 or less, written with a slash or a dash:
        // day first (most of the world) and month first (the US).
        assert_eq!(date_readings("07/10/1952"), ["1952-10-07", "1952-07-10"]);
        assert_eq!(date_readings("07-10-1952"), ["1952-10-07", "1952-07-10"]);
        assert_eq!(date_readings("1/2/1980"), ["1980-02-01", "1980-01-02"]);
        // One reading only.
        assert_eq!(date_readings("1952-10-07"), ["1952-10-07"]);
        assert_eq!(date_readings("7 Oct 1952"), ["1952-10-07"]);
        assert_eq!(date_readings("October 7, 1952"), ["1952-10-07"]);
        assert_eq!(date_readings("25/10/1952"), ["1952-10-25"]);
        assert_eq!(date_readings("10/25/1952"), ["1952-10-25"]);
        assert_eq!(date_readings("05/05/1952"), ["1952-05-05"]);
        assert_eq!(date_readings("07.10.1952"), ["1952-10-07"]);
        assert_eq!(date_readings("00/10/1952"), ["1952-10"]);
        assert_eq!(date_readings("10/1952"), ["1952-10"]);
        assert_eq!(date_readings("1952"), ["1952"]);
        // Not dates.
        for bad in [
            "1974-01-32",
            "1974-13-01",
            "0000-00-00",
            "32/13/1974",
            "soon",
            "",
        ] {
            assert!(date_readings(bad).is_empty(), "{bad}");
        }
        // The list parsers read the same forms day first, as before.
        assert_eq!(parse_date("07/10/1952").as_deref(), Some("1952-10-07"));
        assert_eq!(parse_date("10/25/1952").as_deref(), Some("1952-10-25"));
    }

    #[test]
    fn month_lengths() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1965, 4), 30);
    }
}

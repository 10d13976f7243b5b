//! Dates as uncertain as memory: "winter 1997", "before 2001", "between March and May 2002".
//!
//! A witness rarely knows the day. Every date is an interval of days with a precision tag, and
//! the comparison operators answer the questions analysts actually ask: could these two events
//! be the same one (`overlaps`), did this one certainly happen first (`definitely_before`).
//! Open bounds ("before 2001") are `None`, never a sentinel year, so they cannot leak into
//! arithmetic.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A calendar day, held as days since 1970-01-01 (proleptic Gregorian) and written in JSON as
/// `YYYY-MM-DD`, so stored records stay readable without this code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let text = String::deserialize(d)?;
        let mut parts = text.splitn(3, '-');
        let mut num = || parts.next().and_then(|p| p.parse::<i64>().ok());
        match (num(), num(), num()) {
            (Some(y), Some(m), Some(dd)) => Day::from_ymd(y as i32, m as u32, dd as u32).map_err(serde::de::Error::custom),
            _ => Err(serde::de::Error::custom(format!("{text:?} is not a YYYY-MM-DD date"))),
        }
    }
}

impl Day {
    /// Builds a day, refusing impossible dates such as 1997-02-30.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Day, DateError> {
        if !(1..=12).contains(&month) {
            return Err(DateError::Impossible(format!("month {month} does not exist")));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Impossible(format!(
                "{year:04}-{month:02}-{day:02} does not exist ({} has {} days)",
                MONTH_TITLES[(month - 1) as usize],
                days_in_month(year, month)
            )));
        }
        Ok(Day(days_from_civil(year, month, day)))
    }

    /// Year, month, day of this day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    fn first_of_year(year: i32) -> Day {
        Day(days_from_civil(year, 1, 1))
    }

    fn last_of_year(year: i32) -> Day {
        Day(days_from_civil(year, 12, 31))
    }

    fn first_of_month(year: i32, month: u32) -> Day {
        Day(days_from_civil(year, month, 1))
    }

    fn last_of_month(year: i32, month: u32) -> Day {
        Day(days_from_civil(year, month, days_in_month(year, month)))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// How precisely the witness or document fixed the date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Day,
    Month,
    Season,
    /// "early 1997", "late 1990s": a third of the period named.
    PartOf,
    Year,
    Decade,
    /// "circa 1998": the year named, plus or minus one year.
    Circa,
    /// "between X and Y", "1995-1997".
    Range,
    /// "before 2001": no lower bound.
    Before,
    /// "after 2003": no upper bound.
    After,
    Unknown,
}

/// An interval of days; either bound may be open.
///
/// Invariant: when both bounds are present, `earliest <= latest`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UncertainDate {
    pub earliest: Option<Day>,
    pub latest: Option<Day>,
    pub precision: Precision,
    /// What the documenter typed, kept verbatim so coding never loses the witness's words.
    pub text: String,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("impossible date: {0}")]
    Impossible(String),
    #[error("cannot read {0:?} as a date (try 1997-03-12, March 1997, winter 1997, before 2001, between March and May 2002, 1990s, circa 1998, 1997년 3월)")]
    Unreadable(String),
    #[error("date range {0:?} ends before it starts")]
    Reversed(String),
}

impl UncertainDate {
    pub fn unknown() -> UncertainDate {
        UncertainDate { earliest: None, latest: None, precision: Precision::Unknown, text: String::new() }
    }

    pub fn exact(day: Day) -> UncertainDate {
        UncertainDate { earliest: Some(day), latest: Some(day), precision: Precision::Day, text: day.to_string() }
    }

    /// A range known only by its bounds (a filter's window, or a date read back from an index);
    /// open ends are `None`.
    pub fn between(earliest: Option<Day>, latest: Option<Day>) -> UncertainDate {
        UncertainDate { earliest, latest, precision: Precision::Range, text: String::new() }
    }

    /// Parses the forms documenters type, in English or Korean.
    pub fn parse(input: &str) -> Result<UncertainDate, DateError> {
        let text = input.trim();
        let mut res = parse_inner(text)?;
        res.text = text.to_string();
        if let (Some(a), Some(b)) = (res.earliest, res.latest) {
            if a > b {
                return Err(DateError::Reversed(text.to_string()));
            }
        }
        Ok(res)
    }

    /// True when the two intervals share at least one day: the events could coincide.
    pub fn overlaps(&self, other: &UncertainDate) -> bool {
        let starts_before_other_ends = match (self.earliest, other.latest) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
        let other_starts_before_self_ends = match (other.earliest, self.latest) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_self_ends
    }

    /// True only when every day this date could be precedes every day `other` could be.
    pub fn definitely_before(&self, other: &UncertainDate) -> bool {
        match (self.latest, other.earliest) {
            (Some(a), Some(b)) => a < b,
            _ => false,
        }
    }

    /// True when some reading of the two dates puts this one first.
    pub fn possibly_before(&self, other: &UncertainDate) -> bool {
        match (self.earliest, other.latest) {
            (Some(a), Some(b)) => a < b,
            _ => true,
        }
    }

    /// True when this date certainly falls inside `[from, to]` (bounds inclusive, open when `None`).
    pub fn within(&self, from: Option<Day>, to: Option<Day>) -> bool {
        let lower_ok = match from {
            None => true,
            Some(f) => self.earliest.is_some_and(|e| e >= f),
        };
        let upper_ok = match to {
            None => true,
            Some(t) => self.latest.is_some_and(|l| l <= t),
        };
        lower_ok && upper_ok
    }

    /// Number of days the interval spans, or `None` when a bound is open.
    pub fn span_days(&self) -> Option<i32> {
        Some(self.latest?.0 - self.earliest?.0 + 1)
    }

    /// The canonical interval form, e.g. `1997-12-01/1998-02-28`, `../2000-12-31`.
    pub fn interval(&self) -> String {
        let a = self.earliest.map(|d| d.to_string()).unwrap_or_else(|| "..".into());
        let b = self.latest.map(|d| d.to_string()).unwrap_or_else(|| "..".into());
        if self.earliest.is_some() && self.earliest == self.latest {
            a
        } else {
            format!("{a}/{b}")
        }
    }
}

/// Orders by earliest possible day, then by latest; open starts sort first, open ends last.
/// This is a sort order for display, not a claim that one event preceded another.
impl Ord for UncertainDate {
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |d: &UncertainDate| (d.earliest.map_or(i64::MIN, |x| x.0 as i64), d.latest.map_or(i64::MAX, |x| x.0 as i64));
        key(self).cmp(&key(other)).then_with(|| self.text.cmp(&other.text))
    }
}

impl PartialOrd for UncertainDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for UncertainDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() {
            write!(f, "{}", self.interval())
        } else {
            write!(f, "{} ({})", self.text, self.interval())
        }
    }
}

const MONTH_TITLES: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const MONTHS: [&str; 12] = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days-from-civil algorithm (public domain description, written from the paper).
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn month_from_name(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| m.starts_with(&w)).map(|i| i as u32 + 1)
}

fn parse_year(word: &str) -> Option<i32> {
    let w = word.trim_end_matches(',');
    if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        w.parse().ok()
    } else {
        None
    }
}

fn span(earliest: Day, latest: Day, precision: Precision) -> UncertainDate {
    UncertainDate { earliest: Some(earliest), latest: Some(latest), precision, text: String::new() }
}

fn year_span(year: i32) -> UncertainDate {
    span(Day::first_of_year(year), Day::last_of_year(year), Precision::Year)
}

fn month_span(year: i32, month: u32) -> UncertainDate {
    span(Day::first_of_month(year, month), Day::last_of_month(year, month), Precision::Month)
}

/// Korean forms are rewritten into the English grammar below so there is one parser, not two.
fn normalise_korean(text: &str) -> String {
    let mut s = text.to_string();
    for (ko, en) in [
        ("년대", "s "),
        ("이전", " before"),
        ("이후", " after"),
        ("경", " circa"),
        ("무렵", " circa"),
        ("겨울", " winter"),
        ("봄", " spring"),
        ("여름", " summer"),
        ("가을", " autumn"),
        ("초", " early"),
        ("중반", " mid"),
        ("말", " late"),
        ("부터", " to "),
        ("에서", " to "),
        ("까지", " "),
        ("사이", " "),
        ("년", " "),
        ("월", "월 "),
        ("일", " "),
    ] {
        s = s.replace(ko, en);
    }
    // Postfix qualifiers ("2001 before") become prefix ones ("before 2001").
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut postfix: Vec<String> = Vec::new();
    for w in words {
        match w {
            "before" | "after" | "circa" | "winter" | "spring" | "summer" | "autumn" | "early" | "mid" | "late" => postfix.push(w.to_string()),
            _ => {
                if let Some(num) = w.strip_suffix('월') {
                    match num.parse::<usize>() {
                        Ok(m) if (1..=12).contains(&m) => out.push(MONTHS[m - 1].to_string()),
                        _ => out.push(w.to_string()),
                    }
                } else {
                    out.push(w.to_string())
                }
            }
        }
    }
    // Korean puts the year first ("1997 march 12"); reorder to "12 march 1997" when we see that shape.
    if out.len() >= 2 && parse_year(&out[0]).is_some() && month_from_name(&out[1]).is_some() {
        let year = out.remove(0);
        if out.len() >= 2 && out[1].bytes().all(|b| b.is_ascii_digit()) {
            let day = out.remove(1);
            out.insert(0, day);
        }
        out.insert(if out.len() >= 2 && out[0].bytes().all(|b| b.is_ascii_digit()) { 2 } else { 1 }, year);
    }
    let mut res = postfix.join(" ");
    if !res.is_empty() {
        res.push(' ');
    }
    res.push_str(&out.join(" "));
    res
}

fn parse_inner(text: &str) -> Result<UncertainDate, DateError> {
    let unreadable = || DateError::Unreadable(text.to_string());
    if text.is_empty() {
        return Err(unreadable());
    }
    let lower = if text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)) { normalise_korean(text).to_lowercase() } else { text.to_lowercase() };
    let lower = lower.trim();
    if matches!(lower, "unknown" | "n/a" | "?" | "모름" | "미상") {
        return Ok(UncertainDate::unknown());
    }
    // Ranges first: "between X and Y", "from X to Y", "X to Y", "1995-1997", "1995–97".
    for (prefix, sep) in [("between ", " and "), ("from ", " to "), ("from ", " until "), ("", " to "), ("", " until "), ("", "–"), ("", " - ")] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            if let Some((a, b)) = rest.split_once(sep) {
                return parse_range(a.trim(), b.trim(), text);
            }
        }
    }
    if let Some((a, b)) = lower.split_once('-') {
        if parse_year(a).is_some() && (parse_year(b).is_some()) {
            return parse_range(a, b, text);
        }
    }
    if let Some((a, b)) = lower.split_once('/') {
        // "winter 1996/97" is a season, "1996/1997" a range; "1997/03/12" is a day and is handled below.
        if !b.contains('/') && !a.starts_with("winter") {
            if let (Some(_), Some(_)) = (parse_year(a), parse_year(b)) {
                return parse_range(a, b, text);
            }
        }
    }
    if let Some(rest) = lower.strip_prefix("before ").or_else(|| lower.strip_prefix("until ")).or_else(|| lower.strip_prefix("by ")) {
        let inner = parse_simple(rest.trim()).ok_or_else(unreadable)??;
        let end = inner.earliest.ok_or_else(unreadable)?;
        return Ok(UncertainDate { earliest: None, latest: Some(Day(end.0 - 1)), precision: Precision::Before, text: String::new() });
    }
    if let Some(rest) = lower.strip_prefix("after ").or_else(|| lower.strip_prefix("since ")) {
        let inner = parse_simple(rest.trim()).ok_or_else(unreadable)??;
        let start = inner.latest.ok_or_else(unreadable)?;
        let start = if lower.starts_with("since") { inner.earliest.ok_or_else(unreadable)? } else { Day(start.0 + 1) };
        return Ok(UncertainDate { earliest: Some(start), latest: None, precision: Precision::After, text: String::new() });
    }
    for prefix in ["circa ", "c. ", "ca. ", "around ", "about ", "approximately ", "~"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let year = parse_year(rest.trim()).ok_or_else(unreadable)?;
            return Ok(span(Day::first_of_year(year - 1), Day::last_of_year(year + 1), Precision::Circa));
        }
    }
    parse_simple(lower).ok_or_else(unreadable)?
}

fn parse_range(a: &str, b: &str, text: &str) -> Result<UncertainDate, DateError> {
    let unreadable = || DateError::Unreadable(text.to_string());
    // "1995–97": a two-digit year borrows the century of the first.
    let expanded;
    let b = match parse_year(a) {
        Some(y) if b.len() == 2 && b.bytes().all(|c| c.is_ascii_digit()) => {
            expanded = format!("{}{b}", y / 100);
            expanded.as_str()
        }
        _ => b,
    };
    let end = parse_simple(b).ok_or_else(unreadable)??;
    // "between March and May 2002": the first part borrows the year of the second.
    let start = match parse_simple(a) {
        Some(r) => r?,
        None => {
            let year = end.latest.or(end.earliest).ok_or_else(unreadable)?.year();
            parse_simple(&format!("{a} {year}")).ok_or_else(unreadable)??
        }
    };
    let earliest = start.earliest.ok_or_else(unreadable)?;
    let latest = end.latest.ok_or_else(unreadable)?;
    if latest < earliest {
        return Err(DateError::Reversed(text.to_string()));
    }
    Ok(span(earliest, latest, Precision::Range))
}

/// Single-period forms. `None` means "not this grammar"; `Some(Err)` means "this grammar, impossible value".
fn parse_simple(s: &str) -> Option<Result<UncertainDate, DateError>> {
    let s = s.trim().trim_end_matches('.');
    if let Some(rest) = s.strip_prefix("mid-") {
        return parse_simple(&format!("mid {rest}"));
    }
    let words: Vec<&str> = s.split_whitespace().map(|w| w.trim_end_matches(',')).collect();
    // ISO-like numeric forms: 1997-03-12, 1997/03/12, 1997.03.12, 1997-03.
    if words.len() == 1 {
        let w = words[0];
        if let Some(year) = parse_year(w) {
            return Some(Ok(year_span(year)));
        }
        if let Some(dec) = w.strip_suffix("'s").or_else(|| w.strip_suffix('s')) {
            if let Some(year) = parse_year(dec) {
                if year % 10 == 0 {
                    return Some(Ok(span(Day::first_of_year(year), Day::last_of_year(year + 9), Precision::Decade)));
                }
            }
        }
        let parts: Vec<&str> = w.split(['-', '/', '.']).collect();
        if parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
            let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            if parts.len() == 3 && parts[0].len() == 4 {
                return Some(Day::from_ymd(nums[0] as i32, nums[1], nums[2]).map(UncertainDate::exact));
            }
            if parts.len() == 3 && parts[2].len() == 4 {
                // Day first (12/03/1997), the order used in Korea's English documents and most of the world.
                return Some(Day::from_ymd(nums[2] as i32, nums[1], nums[0]).map(UncertainDate::exact));
            }
            if parts.len() == 2 && parts[0].len() == 4 {
                if !(1..=12).contains(&nums[1]) {
                    return Some(Err(DateError::Impossible(format!("month {} does not exist", nums[1]))));
                }
                return Some(Ok(month_span(nums[0] as i32, nums[1])));
            }
        }
        return None;
    }
    // "winter 1997", "winter 1997/98", "early 1997", "late 1990s", "mid-1997".
    if words.len() == 2 {
        let (qual, rest) = (words[0].trim_end_matches('-'), words[1]);
        let season = match qual {
            "spring" => Some((3, 5, 0)),
            "summer" => Some((6, 8, 0)),
            "autumn" | "fall" => Some((9, 11, 0)),
            // Meteorological winter: December of the year named to the end of February after it.
            "winter" => Some((12, 2, 1)),
            _ => None,
        };
        if let Some((m1, m2, carry)) = season {
            let year_text = rest.split('/').next().unwrap_or(rest);
            let year = parse_year(year_text)?;
            let end_year = year + carry;
            return Some(Ok(span(Day::first_of_month(year, m1), Day::last_of_month(end_year, m2), Precision::Season)));
        }
        if matches!(qual, "early" | "mid" | "late") {
            let inner = parse_simple(rest)?.ok()?;
            let (a, b) = (inner.earliest?, inner.latest?);
            // Years split into months Jan–Apr, May–Aug, Sep–Dec; decades into years 0–3, 4–6, 7–9.
            let res = match (inner.precision, qual) {
                (Precision::Year, "early") => span(a, Day::last_of_month(a.year(), 4), Precision::PartOf),
                (Precision::Year, "mid") => span(Day::first_of_month(a.year(), 5), Day::last_of_month(a.year(), 8), Precision::PartOf),
                (Precision::Year, _) => span(Day::first_of_month(a.year(), 9), b, Precision::PartOf),
                (Precision::Decade, "early") => span(a, Day::last_of_year(a.year() + 3), Precision::PartOf),
                (Precision::Decade, "mid") => span(Day::first_of_year(a.year() + 4), Day::last_of_year(a.year() + 6), Precision::PartOf),
                (Precision::Decade, _) => span(Day::first_of_year(a.year() + 7), b, Precision::PartOf),
                (Precision::Month, "early") => span(a, Day(a.0 + 9), Precision::PartOf),
                (Precision::Month, "mid") => span(Day(a.0 + 10), Day(a.0 + 19), Precision::PartOf),
                (Precision::Month, _) => span(Day(a.0 + 20), b, Precision::PartOf),
                _ => return None,
            };
            return Some(Ok(res));
        }
        // "March 1997".
        if let (Some(m), Some(y)) = (month_from_name(words[0]), parse_year(words[1])) {
            return Some(Ok(month_span(y, m)));
        }
        return None;
    }
    // "12 March 1997", "March 12 1997", "March 12, 1997".
    if words.len() == 3 {
        let (d, m, y) = if let Some(m) = month_from_name(words[1]) {
            (words[0], m, words[2])
        } else if let Some(m) = month_from_name(words[0]) {
            (words[1], m, words[2])
        } else {
            return None;
        };
        let d = d.trim_end_matches(|c: char| c.is_alphabetic()).parse::<u32>().ok()?;
        let y = parse_year(y)?;
        return Some(Day::from_ymd(y, m, d).map(UncertainDate::exact));
    }
    None
}

#[cfg(test)]
mod tests;

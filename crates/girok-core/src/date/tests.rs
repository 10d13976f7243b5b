//! Uncertain-date parsing and comparison semantics.

use super::*;

#[track_caller]
fn check(input: &str, interval: &str, precision: Precision) {
    let date = UncertainDate::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    assert_eq!(date.interval(), interval, "interval of {input:?}");
    assert_eq!(date.precision, precision, "precision of {input:?}");
    assert_eq!(date.text, input.trim());
}

#[track_caller]
fn d(text: &str) -> UncertainDate {
    UncertainDate::parse(text).unwrap()
}

#[test]
fn exact_days_in_common_notations() {
    check("1997-03-12", "1997-03-12", Precision::Day);
    check("1997/03/12", "1997-03-12", Precision::Day);
    check("1997.03.12", "1997-03-12", Precision::Day);
    check("12/03/1997", "1997-03-12", Precision::Day);
    check("12 March 1997", "1997-03-12", Precision::Day);
    check("March 12, 1997", "1997-03-12", Precision::Day);
    check("3rd Feb 2000", "2000-02-03", Precision::Day);
    check("2000-02-29", "2000-02-29", Precision::Day);
}

#[test]
fn months_years_decades() {
    check("March 1997", "1997-03-01/1997-03-31", Precision::Month);
    check("1996-02", "1996-02-01/1996-02-29", Precision::Month);
    check("1997", "1997-01-01/1997-12-31", Precision::Year);
    check("1990s", "1990-01-01/1999-12-31", Precision::Decade);
}

#[test]
fn seasons_and_parts() {
    check("winter 1997", "1997-12-01/1998-02-28", Precision::Season);
    check("Winter 1999", "1999-12-01/2000-02-29", Precision::Season);
    check("summer 2005", "2005-06-01/2005-08-31", Precision::Season);
    check("autumn 2001", "2001-09-01/2001-11-30", Precision::Season);
    check("fall 2001", "2001-09-01/2001-11-30", Precision::Season);
    check("early 1990s", "1990-01-01/1993-12-31", Precision::PartOf);
    check("late 1997", "1997-09-01/1997-12-31", Precision::PartOf);
    check("early 1998", "1998-01-01/1998-04-30", Precision::PartOf);
    check("1998년 초", "1998-01-01/1998-04-30", Precision::PartOf);
    check("mid-1997", "1997-05-01/1997-08-31", Precision::PartOf);
}

#[test]
fn open_and_ranges() {
    check("before 2001", "../2000-12-31", Precision::Before);
    check("after 2003", "2004-01-01/..", Precision::After);
    check("since March 2003", "2003-03-01/..", Precision::After);
    check("between March and May 2002", "2002-03-01/2002-05-31", Precision::Range);
    check("between 1995 and 1997", "1995-01-01/1997-12-31", Precision::Range);
    check("1995-1997", "1995-01-01/1997-12-31", Precision::Range);
    check("1995–97", "1995-01-01/1997-12-31", Precision::Range);
    check("from June 1998 to 2000", "1998-06-01/2000-12-31", Precision::Range);
    check("circa 1998", "1997-01-01/1999-12-31", Precision::Circa);
    check("c. 1998", "1997-01-01/1999-12-31", Precision::Circa);
}

#[test]
fn korean_forms() {
    check("1997년", "1997-01-01/1997-12-31", Precision::Year);
    check("1997년 3월", "1997-03-01/1997-03-31", Precision::Month);
    check("1997년 3월 12일", "1997-03-12", Precision::Day);
    check("1997년 겨울", "1997-12-01/1998-02-28", Precision::Season);
    check("2001년 이전", "../2000-12-31", Precision::Before);
    check("2003년 이후", "2004-01-01/..", Precision::After);
    check("1990년대", "1990-01-01/1999-12-31", Precision::Decade);
}

#[test]
fn impossible_and_unreadable_dates_are_refused() {
    let err = UncertainDate::parse("1997-02-30").unwrap_err();
    assert!(matches!(err, DateError::Impossible(_)), "{err}");
    assert!(err.to_string().contains("February has 28 days"), "{err}");
    assert!(matches!(UncertainDate::parse("1997-13").unwrap_err(), DateError::Impossible(_)));
    assert!(matches!(UncertainDate::parse("31 April 2001").unwrap_err(), DateError::Impossible(_)));
    assert!(matches!(UncertainDate::parse("1900-02-29").unwrap_err(), DateError::Impossible(_)));
    assert!(matches!(UncertainDate::parse("sometime").unwrap_err(), DateError::Unreadable(_)));
    assert!(matches!(UncertainDate::parse("").unwrap_err(), DateError::Unreadable(_)));
    assert!(matches!(UncertainDate::parse("between 2002 and 1999").unwrap_err(), DateError::Reversed(_)));
}

#[test]
fn overlap_semantics() {
    // A witness's "winter 1997" and a document's "January 1998" may be the same detention.
    assert!(d("winter 1997").overlaps(&d("January 1998")));
    assert!(!d("winter 1997").overlaps(&d("March 1998")));
    assert!(d("before 2001").overlaps(&d("1990s")));
    assert!(!d("before 2001").overlaps(&d("after 2003")));
    assert!(d("1997").overlaps(&d("1997-06-01")));
    // Overlap is symmetric.
    for (a, b) in [("winter 1997", "1998"), ("before 2001", "2000-12-31"), ("circa 1998", "1996")] {
        assert_eq!(d(a).overlaps(&d(b)), d(b).overlaps(&d(a)), "{a} vs {b}");
    }
    assert!(UncertainDate::unknown().overlaps(&d("1997")));
}

#[test]
fn ordering_semantics() {
    assert!(d("1997").definitely_before(&d("1998")));
    assert!(!d("1997").definitely_before(&d("winter 1997")), "shares December 1997");
    assert!(d("1997").possibly_before(&d("winter 1997")));
    assert!(!d("2001").possibly_before(&d("before 2001")));
    assert!(!d("after 2003").definitely_before(&d("2010")), "open end is never certainly before");
    let mut dates = [d("1998"), d("before 2001"), d("winter 1997"), d("March 1997")];
    dates.sort();
    let order: Vec<&str> = dates.iter().map(|x| x.text.as_str()).collect();
    assert_eq!(order, ["before 2001", "March 1997", "winter 1997", "1998"]);
}

#[test]
fn within_filter_requires_certainty() {
    let from = Day::from_ymd(1997, 1, 1).ok();
    let to = Day::from_ymd(1997, 12, 31).ok();
    assert!(d("March 1997").within(from, to));
    assert!(!d("winter 1997").within(from, to), "spills into 1998");
    assert!(!d("before 2001").within(from, None));
}

#[test]
fn civil_day_round_trip() {
    for days in (-800_000..800_000).step_by(997) {
        let (y, m, dd) = Day(days).ymd();
        assert_eq!(Day::from_ymd(y, m, dd).unwrap(), Day(days));
    }
    assert_eq!(Day::from_ymd(1970, 1, 1).unwrap(), Day(0));
}

#[test]
fn json_form_uses_iso_days() {
    let json = serde_json::to_string(&d("winter 1997")).unwrap();
    assert_eq!(json, r#"{"earliest":"1997-12-01","latest":"1998-02-28","precision":"season","text":"winter 1997"}"#);
    assert_eq!(serde_json::from_str::<UncertainDate>(&json).unwrap(), d("winter 1997"));
    assert!(serde_json::from_str::<Day>("\"1997-02-30\"").is_err());
}

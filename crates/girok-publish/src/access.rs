//! What cannot be seen: the areas and places closed to outside agencies, drawn on the
//! briefing's map and said in one sentence, with the share of the land they cover where the
//! outlines allow it to be measured.

use crate::render::Outline;

/// The closed areas a briefing shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Closed {
    /// Outline ids of areas wholly closed, and their names.
    pub areas: Vec<(String, String)>,
    /// Closed places inside areas that are not (facilities, towns), with a position where known.
    pub places: Vec<(String, Option<(f64, f64)>)>,
    /// How many of `places` are detention facilities.
    pub facilities: usize,
    /// Where the access attributes come from, said under the sentence.
    pub credit: String,
}

/// The area of rings of (longitude, latitude), in square degrees shrunk by cos(latitude):
/// only ratios of it are used, over one country.
fn area(rings: &[Vec<(f64, f64)>]) -> f64 {
    let mut total = 0.0;
    for ring in rings {
        let mut a = 0.0;
        for (i, &(x0, y0)) in ring.iter().enumerate() {
            let (x1, y1) = ring[(i + 1) % ring.len()];
            a += (x0 * y1 - x1 * y0) * ((y0 + y1) / 2.0).to_radians().cos();
        }
        // Outer rings and holes wind opposite ways, so signed areas subtract the holes.
        total += a / 2.0;
    }
    total.abs()
}

/// The share of the mapped land the closed areas cover, when there is a map to measure.
pub fn closed_share(closed: &Closed, outlines: &[Outline]) -> Option<f64> {
    let all: f64 = outlines.iter().map(|o| area(&o.rings)).sum();
    if all <= 0.0 || closed.areas.is_empty() {
        return None;
    }
    let shut: f64 = outlines.iter().filter(|o| o.id.as_deref().is_some_and(|id| closed.areas.iter().any(|(a, _)| a == id))).map(|o| area(&o.rings)).sum();
    Some(shut / all)
}

/// The sentence: which areas, what share of the land, how many places besides.
pub fn sentence(closed: &Closed, outlines: &[Outline], lang: &str) -> Option<String> {
    if closed.areas.is_empty() && closed.places.is_empty() {
        return None;
    }
    let ko = lang == "ko";
    let names: Vec<&str> = closed.areas.iter().map(|(_, n)| n.as_str()).collect();
    let share = closed_share(closed, outlines).map(|s| (s * 100.0).round() as u64);
    let mut out = String::new();
    if ko {
        if !names.is_empty() {
            out.push_str(&format!("외부 기관의 접근이 막힌 지역: {}", names.join(", ")));
            if let Some(p) = share {
                out.push_str(&format!(" (지도에 나온 땅의 약 {p}%)"));
            }
            out.push_str(". ");
        }
        if !closed.places.is_empty() {
            let f = if closed.facilities > 0 { format!("(구금 시설 {}곳 포함)", closed.facilities) } else { String::new() };
            out.push_str(&format!("그 밖에 접근이 막힌 장소 {}곳{f}. ", closed.places.len()));
        }
        out.push_str("그곳에서 일어나는 일은 밖에서 확인할 수 없으며, 알려진 것은 그곳을 떠난 사람들의 증언뿐입니다.");
    } else {
        if !names.is_empty() {
            out.push_str(&format!("Closed to outside agencies: {}", names.join(", ")));
            if let Some(p) = share {
                out.push_str(&format!(" (about {p}% of the land mapped)"));
            }
            out.push_str(". ");
        }
        if !closed.places.is_empty() {
            let n = closed.places.len();
            let f = match closed.facilities {
                0 => String::new(),
                1 if n == 1 => ", a detention facility".to_string(),
                f if f == n => ", all of them detention facilities".to_string(),
                f => format!(", {f} of them detention facilities"),
            };
            out.push_str(&format!("Also closed: {n} {} elsewhere{f}. ", if n == 1 { "place" } else { "places" }));
        }
        out.push_str("No one from outside can see what happens there; what is known comes from people who left.");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(id: &str, x: f64, side: f64) -> Outline {
        Outline { id: Some(id.into()), rings: vec![vec![(x, 40.0), (x + side, 40.0), (x + side, 40.0 + side), (x, 40.0 + side)]] }
    }

    #[test]
    fn the_share_is_measured_from_the_outlines() {
        let outlines = vec![square("a", 125.0, 1.0), square("b", 126.0, 1.0), square("c", 127.0, 1.0), square("d", 128.0, 1.0), square("e", 129.0, 1.0)];
        let closed = Closed { areas: vec![("a".into(), "Area A".into())], ..Default::default() };
        let share = closed_share(&closed, &outlines).unwrap();
        assert!((share - 0.2).abs() < 0.01, "{share}");
        let s = sentence(&closed, &outlines, "en").unwrap();
        assert!(s.contains("Area A") && s.contains("about 20% of the land"), "{s}");
    }

    #[test]
    fn places_alone_are_counted_and_nothing_closed_says_nothing() {
        let closed = Closed { places: vec![("Camp".into(), None), ("Centre".into(), Some((129.0, 42.0)))], facilities: 1, ..Default::default() };
        let s = sentence(&closed, &[], "ko").unwrap();
        assert!(s.contains("2곳(구금 시설 1곳 포함)"), "{s}");
        let s = sentence(&closed, &[], "en").unwrap();
        assert!(s.contains("Also closed: 2 places elsewhere, 1 of them detention facilities"), "{s}");
        assert!(closed_share(&closed, &[]).is_none());
        assert!(sentence(&Closed::default(), &[], "en").is_none());
    }
}

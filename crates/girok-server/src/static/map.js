// Draws the map of acts: provinces shaded by number of acts, facilities as circles.
// The base layer is the province outlines shipped with Girok, so the map works offline and
// sends no request anywhere else (no tile server learns what an analyst looks at).
(function () {
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true }).setView([40.1, 127.2], 6.5);
  map.attributionControl.setPrefix("");
  map.attributionControl.addAttribution("Natural Earth");
  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  Promise.all([get("/static/dprk-provinces.geojson"), get("/api/map")]).then(function (res) {
    var outlines = res[0], data = res[1];
    var max = 1;
    Object.keys(data.provinces).forEach(function (k) { max = Math.max(max, data.provinces[k].n); });
    var layer = L.geoJSON(outlines, {
      style: function (f) {
        var p = data.provinces[f.properties.id];
        var share = p ? p.n / max : 0;
        return { color: "#1d2330", weight: 1, fillColor: "#a11", fillOpacity: 0.05 + 0.6 * share };
      },
      onEachFeature: function (f, l) {
        var p = data.provinces[f.properties.id];
        if (!p) return;
        var a = document.createElement("a");
        a.href = "/records?kind=act&place=" + encodeURIComponent(f.properties.id);
        a.textContent = p.name + ": " + p.n;
        l.bindPopup(a);
      }
    }).addTo(map);
    var focus = el.getAttribute("data-focus");
    if (!focus) map.fitBounds(layer.getBounds(), { animate: false });
    // On a place's own page: centre on it, and outline its province if it is one.
    var focusMarker = null;
    if (focus) {
      var lat = parseFloat(el.getAttribute("data-lat")), lon = parseFloat(el.getAttribute("data-lon"));
      var province = null;
      layer.eachLayer(function (l) { if (l.feature && l.feature.properties.id === focus) province = l; });
      if (province) {
        province.setStyle({ weight: 3, color: "#a11" });
        map.fitBounds(province.getBounds(), { animate: false });
      } else if (!isNaN(lat) && !isNaN(lon)) {
        map.setView([lat, lon], 8, { animate: false });
        focusMarker = L.circleMarker([lat, lon], { radius: 12, color: "#a11", weight: 3, fill: false, className: "focus" }).addTo(map);
      }
    }
    data.facilities.forEach(function (fac) {
      if (fac.lat === null || fac.lon === null) return;
      var m = L.circleMarker([fac.lat, fac.lon], {
        radius: 4 + Math.sqrt(fac.n) * 2, color: "#1d2330", weight: 1,
        fillColor: fac.n > 0 ? "#f2b134" : "#ffffff", fillOpacity: 0.9, className: "facility"
      }).addTo(map);
      // Built with DOM text nodes, never HTML strings: names come from the archive.
      var box = document.createElement("div");
      var a = document.createElement("a");
      a.href = "/records/" + encodeURIComponent(fac.id);
      a.textContent = fac.name;
      box.appendChild(a);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(fac.kind + " · " + fac.n + (fac.approximate ? " · ≈" : "")));
      m.bindPopup(box);
    });
    if (focusMarker) focusMarker.bringToFront();
    el.setAttribute("data-ready", "1");
  }).catch(function (e) {
    el.textContent = "The map could not be drawn: " + e.message;
  });
})();

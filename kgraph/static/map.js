/* The map's behaviour (kgraph/mapview.py documents the DOM ids and window.kgraphMap). Text from
 * the reports goes into popups and tooltips as elements built with textContent. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kgraph-data").textContent);
  var topo = JSON.parse(document.getElementById("kgraph-countries").textContent);
  var relations = data.styles.relations;
  var result = { map: null, markers: [], lines: [], home: null, ready: false };
  window.kgraphMap = result;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function words(code) { return String(code || "").replace(/_/g, " "); }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function popup(p) {
    var box = el("div", null, "kg-popup");
    box.appendChild(el("h3", p.label));
    if (p.label_en) { box.appendChild(el("p", p.label_en)); }
    if (p.aliases.length) { box.appendChild(el("p", "also: " + p.aliases.join("、"), "muted")); }
    box.appendChild(el("p", [p.country, words(p.kind)].filter(Boolean).join(" · "), "muted"));
    if (p.partnerships.length) {
      box.appendChild(el("p", "partnership: " + p.partnerships.map(words).join(", ")));
    }
    if (p.agreements) { box.appendChild(el("p", plural(p.agreements, "agreement") + " signed")); }
    if (p.visits) {
      box.appendChild(el("p", plural(p.visits, "visit") + " (" + p.visits_in + " to " +
        (data.home ? data.home.label : "the home city") + ", " + p.visits_out + " from it)"));
    }
    box.appendChild(el("p", p.first ? "first contact " + p.first + ", latest " + p.latest :
      "no dated contact", "muted"));
    return box;
  }

  /* The rings of a (Multi)Polygon. */
  function rings(geometry) {
    if (!geometry) { return []; }
    if (geometry.type === "Polygon") { return geometry.coordinates; }
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.reduce(function (all, polygon) { return all.concat(polygon); }, []);
    }
    return [];
  }

  /* A ring crossing the antimeridian (Russia, Fiji) jumps from 180° to -180°, which a flat map
     draws as a line across the world: keep each point within 180° of the one before. */
  function continuous(ring) {
    for (var i = 1; i < ring.length; i += 1) {
      var previous = ring[i - 1][0];
      while (ring[i][0] - previous > 180) { ring[i][0] -= 360; }
      while (ring[i][0] - previous < -180) { ring[i][0] += 360; }
    }
  }

  var map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, minZoom: 1 });
  result.map = map;
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Natural Earth");

  // The view first: Leaflet draws vector layers only on a map that has one.
  var centre = data.home ? data.home.lon : 0;
  var home = data.home ? [data.home.lat, data.home.lon] : null;
  var bounds = data.mapped.map(function (p) { return [p.lat, p.lon]; });
  if (home) { bounds.push(home); }
  if (bounds.length > 1) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 6 });
  } else {
    map.setView(bounds.length ? bounds[0] : [20, centre], bounds.length ? 5 : 2);
  }

  // The outlines, once where they are and once more per turn the unwrapped points need.
  var outlines = topojson.feature(topo, topo.objects.countries);
  outlines.features.forEach(function (f) { rings(f.geometry).forEach(continuous); });
  [-360, 0, 360].forEach(function (offset) {
    if (Math.abs(offset - centre) > 360) { return; }
    L.geoJSON(outlines, {
      interactive: false,
      style: { color: "#b8bec6", weight: 0.6, fillColor: "#f1f1ee", fillOpacity: 1 },
      coordsToLatLng: function (c) { return L.latLng(c[1], c[0] + offset); }
    }).addTo(map);
  });

  // Weakest first, so that partnership lines and markers end up on top.
  var order = data.mapped.map(function (p, i) { return i; }).reverse();
  order.forEach(function (i) {
    var p = data.mapped[i];
    var colour = relations[p.strongest].color;
    if (home) {
      result.lines.push(L.polyline([home, [p.lat, p.lon]], {
        color: colour,
        weight: p.strongest === "partnership" ? 2.5 : 1.2,
        opacity: 0.55,
        dashArray: p.strongest === "agreement" ? "5 4" : null,
        interactive: false
      }).addTo(map));
    }
  });
  order.forEach(function (i) {
    var p = data.mapped[i];
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: Math.min(16, 4 + 2 * Math.sqrt(p.contacts)),
      color: "#333",
      weight: 1,
      fillColor: relations[p.strongest].color,
      fillOpacity: 0.9
    }).addTo(map);
    marker.bindTooltip(el("span", p.label), { direction: "top", className: "kg-label" });
    marker.bindPopup(popup(p));
    result.markers[i] = marker;
  });
  if (home) {
    result.home = L.circleMarker(home, {
      radius: 9, color: "#fff", weight: 2, fillColor: "#1d2733", fillOpacity: 1
    }).addTo(map);
    result.home.bindTooltip(el("span", data.home.label + (data.home.label_en ?
      " " + data.home.label_en : "")), { permanent: true, direction: "right", className: "kg-label" });
  }


  Array.prototype.forEach.call(document.querySelectorAll("#partners button"), function (b) {
    b.addEventListener("click", function () {
      var marker = result.markers[Number(b.getAttribute("data-index"))];
      if (marker) { map.panTo(marker.getLatLng()); marker.openPopup(); }
    });
  });

  map.whenReady(function () {
    result.ready = true;
    document.body.setAttribute("data-ready", "true");
  });
}());

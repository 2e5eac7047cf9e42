/* newsdesk maps: the news map (/map/) and the small maps of articles and places.
 *
 * Everything is drawn from the site's own files: Leaflet, its marker clusters, and Natural
 * Earth's countries as TopoJSON for the basemap. No tile server, no request to another site.
 * The lists the maps are drawn from stay in the page, so without script they are still read.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var basemapUrl = script && script.getAttribute("data-basemap");
  var basemap = null;

  // Rings that cross the antimeridian (Russia's far east, Fiji) jump from 180 to -180; shifting
  // the rest of the ring by 360 degrees keeps Leaflet from drawing a line across the world.
  function unwrap(ring) {
    var shift = 0, out = [];
    for (var i = 0; i < ring.length; i++) {
      if (i > 0) {
        var step = ring[i][0] - ring[i - 1][0];
        if (step > 180) { shift -= 360; } else if (step < -180) { shift += 360; }
      }
      out.push([ring[i][0] + shift, ring[i][1]]);
    }
    return out;
  }

  function unwrapGeometry(geometry) {
    if (geometry.type === "Polygon") {
      geometry.coordinates = geometry.coordinates.map(unwrap);
    } else if (geometry.type === "MultiPolygon") {
      geometry.coordinates = geometry.coordinates.map(function (polygon) { return polygon.map(unwrap); });
    }
  }

  function loadBasemap() {
    if (!basemap) {
      basemap = fetch(basemapUrl, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (topology) {
          var countries = topojson.feature(topology, topology.objects.countries);
          // Antarctica's outline runs along the pole; no news needs it on a world map.
          countries.features = countries.features.filter(function (f) { return f.id !== "010"; });
          countries.features.forEach(function (f) { if (f.geometry) { unwrapGeometry(f.geometry); } });
          return countries;
        });
    }
    return basemap;
  }

  function newMap(element) {
    var map = L.map(element, {attributionControl: false, worldCopyJump: true, minZoom: 1, maxZoom: 12});
    map.setView([20, 0], 1);
    loadBasemap().then(function (countries) {
      L.geoJSON(countries, {
        interactive: false,
        style: {color: "#9a9285", weight: 0.6, fillColor: "#ece7dc", fillOpacity: 1}
      }).addTo(map).bringToBack();
    });
    return map;
  }

  function pin(count) {
    var size = Math.round(18 + 6 * Math.log(1 + count));
    return L.divIcon({className: "map-pin", html: "<span>" + count + "</span>", iconSize: [size, size]});
  }

  function popup(name, url, count) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = url;
    link.textContent = name;
    box.appendChild(link);
    if (count !== null) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(count + (count === 1 ? " article" : " articles")));
    }
    return box;
  }

  function fit(map, points, zoom) {
    if (points.length === 1) {
      map.setView(points[0], zoom);
    } else if (points.length > 1) {
      map.fitBounds(L.latLngBounds(points), {padding: [24, 24], maxZoom: zoom});
    }
  }

  function drawPlaces(element) {
    var items = element.querySelectorAll("li[data-lat]");
    if (!items.length) { return; }
    var canvas = document.createElement("div");
    canvas.className = "map-canvas";
    element.insertBefore(canvas, element.firstChild);
    var map = newMap(canvas);
    var points = [];
    Array.prototype.forEach.call(items, function (item) {
      var point = [parseFloat(item.getAttribute("data-lat")), parseFloat(item.getAttribute("data-lon"))];
      var link = item.querySelector("a");
      var marker = L.circleMarker(point, {radius: 6, color: "#7a1f1f", weight: 2, fillColor: "#c0392b", fillOpacity: 0.8});
      marker.bindPopup(popup(item.textContent.trim(), link ? link.getAttribute("href") : "#", null));
      marker.addTo(map);
      points.push(point);
    });
    fit(map, points, 6);
  }

  function drawNews(element) {
    var map = newMap(element);
    var clusters = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 50});
    map.addLayer(clusters);
    fetch(element.getAttribute("data-geojson"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (collection) {
        var points = [];
        collection.features.forEach(function (feature) {
          var c = feature.geometry.coordinates, p = feature.properties;
          var point = [c[1], c[0]];
          var marker = L.marker(point, {icon: pin(p.articles), title: p.name, articles: p.articles});
          marker.bindPopup(popup(p.name, p.url, p.articles));
          clusters.addLayer(marker);
          points.push(point);
        });
        element.setAttribute("data-places", String(points.length));
        fit(map, points, 5);
      });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), function (element) {
      if (element.getAttribute("data-map") === "news") { drawNews(element); } else { drawPlaces(element); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

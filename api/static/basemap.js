/* The base map under every Machi map (maps/basemap.py builds the config).
 *
 * Our own vector tiles (/tiles/base/{z}/{x}/{y}.pbf, drawn with Leaflet.VectorGrid) by default;
 * with MACHI_BASEMAP=gsi or an XYZ URL, that raster, falling back to our tiles as soon as a
 * raster tile fails or none has arrived after a few seconds (closed networks, a cut link).
 * window.machiBasemapStats counts tiles and drawn features per layer: the map's own "ready"
 * signal, read by the browser tests and the benchmark. Street and district names are drawn over
 * our tiles (not over a raster) by basemap_labels.js when the page loads it; stats.labels counts
 * them (pending: label tiles still waiting for their vector tile).
 */
(function () {
  "use strict";
  var RASTER_WAIT_MS = 4000;
  // readyAt: ms since navigation start when the first full set of visible tiles was drawn
  var stats = {mode: null, tilesLoaded: 0, tileErrors: 0, features: {}, ready: false, readyAt: null,
    labels: {roads: 0, districts: 0, tiles: 0, pending: 0, errors: 0}};
  window.machiBasemapStats = stats;

  function counted(layer, style) {
    return function (properties, zoom) {
      stats.features[layer] = (stats.features[layer] || 0) + 1;
      return style(properties, zoom);
    };
  }

  // Paper widths (pt) become CSS pixels at config.widthZoom, halving every two zoom levels out.
  function lineWidth(width, zoom, widthZoom) {
    return Math.max(0.6, width * Math.pow(2, (zoom - widthZoom) / 2));
  }

  function roadStyle(config) {
    return function (p, zoom) {
      var s = config.roads[p["class"]] || config.roads.service;
      var w = lineWidth(s.width, zoom, config.widthZoom);
      var line = {color: s.colour, weight: w, opacity: 1, lineCap: "round", lineJoin: "round"};
      if (!s.casing) { return line; }
      return [{color: s.casing, weight: w + 1.6, opacity: 1, lineCap: "round"}, line];
    };
  }

  function point(fill, radius) {
    return function () {
      return {radius: radius, fill: true, fillColor: fill, fillOpacity: 1, color: "#fff", weight: 1.2};
    };
  }

  function styles(config) {
    return {
      districts: counted("districts", function () {
        return {color: "#8c8c8c", weight: 0.8, dashArray: "3 3", fill: false};
      }),
      roads: counted("roads", roadStyle(config)),
      boundary: counted("boundary", function () {
        return {color: "#1f4e79", weight: 2.5, opacity: 0.85};
      }),
      // navy, not green: green means 完了 on the status maps
      evacuation: counted("evacuation", point("#1f4e79", 3.5)),
      facilities: counted("facilities", point("#222222", 6)),
    };
  }

  function markReady() {
    if (!stats.ready) { stats.readyAt = performance.now(); }
    stats.ready = true;
  }

  function vectorLayer(config) {
    var make = window.MachiLabels ? window.MachiLabels.protobuf : L.vectorGrid.protobuf;
    var layer = make(config.vector, {
      vectorTileLayerStyles: styles(config),
      interactive: false,
      // canvas, not VectorGrid's default SVG: a town-wide view draws thousands of road
      // paths, and SVG tiles took most of the staff map's 1.8 s to ready
      rendererFactory: L.canvas.tile,
      maxNativeZoom: config.maxNativeZoom,
      maxZoom: 20,
      // 512-px tiles of one zoom less ({tz} in the URL): 6 requests for a town, not 16
      tileSize: config.tileSize || 256,
      tz: function (data) { return Math.max(0, data.z - Math.log2((config.tileSize || 256) / 256)); },
      // the town's bbox when the page knows it: no requests for tiles with nothing in them
      bounds: config.bounds ? L.latLngBounds(config.bounds) : undefined,
      attribution: config.attribution,
      fetchOptions: {credentials: "same-origin"},
    });
    layer.on("tileload", function () { stats.tilesLoaded += 1; });
    layer.on("tileerror", function () { stats.tileErrors += 1; });
    layer.on("load", markReady);
    return layer;
  }

  function useOwn(map, config, mode) {
    stats.mode = mode;
    map.getContainer().style.background = "#f5f3ee";
    var vector = vectorLayer(config).addTo(map);
    if (window.MachiLabels) { window.MachiLabels.addTo(map, vector, config, stats); }
  }

  function rasterWithFallback(map, config) {
    var raster = L.tileLayer(config.raster, {
      attribution: config.rasterAttribution + " | " + config.attribution, maxZoom: 18,
    });
    var loaded = false, fellBack = false;
    function fallBack() {
      if (fellBack) { return; }
      fellBack = true;
      map.removeLayer(raster);
      useOwn(map, config, "own-fallback");
    }
    raster.on("tileload", function () { loaded = true; stats.tilesLoaded += 1; });
    raster.on("load", function () { if (!fellBack) { markReady(); } });
    raster.on("tileerror", function () { stats.tileErrors += 1; fallBack(); });
    setTimeout(function () { if (!loaded) { fallBack(); } }, RASTER_WAIT_MS);
    stats.mode = "raster";
    raster.addTo(map);
  }

  window.MachiBasemap = {
    addTo: function (map, config) {
      if (config.raster) { rasterWithFallback(map, config); } else { useOwn(map, config, "own"); }
      return map;
    },
    // For pages that carry the config in a data attribute (data-basemap='{"vector": ...}').
    addFromElement: function (map, element) {
      return this.addTo(map, JSON.parse(element.getAttribute("data-basemap")));
    },
  };
})();

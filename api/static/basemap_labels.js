/* Street names and district (町丁目) names over our vector base map.
 *
 * Load after Leaflet.VectorGrid and basemap_labels_geometry.js, before basemap.js.
 * Leaflet.VectorGrid draws no text. MachiLabels.protobuf() is a VectorGrid.Protobuf that also
 * keeps each decoded tile's features by tile key; MachiLabels.addTo() adds a GridLayer, in its
 * own pane above the base tiles and below the app's overlays, markers and popups, whose canvas
 * tiles draw the names from those same features: no second request for a tile. Names are drawn
 * with fillText only (never HTML), each label wholly inside its tile so none is cut at a tile
 * edge, and a label that would overlap one already placed in the tile is skipped.
 */
(function () {
  "use strict";
  var FONT = '"IPAexGothic", "Noto Sans CJK JP", "Hiragino Sans", "Noto Sans JP", sans-serif';
  var ROAD = {font: "12px " + FONT, colour: "#2b2b2b", height: 12};
  var DISTRICT = {font: "13px " + FONT, colour: "#7a7a7a", height: 13};
  var PANE = "machiLabels";
  var PANE_Z = 350; // tilePane is 200, overlayPane 400, markerPane 600, popupPane 700
  var ROAD_MIN_ZOOM = 15, MAIN_ROAD_MIN_ZOOM = 14, MAIN_ROAD_RANK = 2, DISTRICT_MIN_ZOOM = 14;
  var DISTRICT_REPEAT_PX = 512; // a 町丁目 spans several tiles: its name once in this distance
  var G = window.MachiLabelGeometry; // basemap_labels_geometry.js
  if (!G) { return; }
  var PAD = G.PAD;

  // One promise of decoded features per native tile key, filled by the vector layer.
  function FeatureStore() { this.entries = {}; }
  FeatureStore.prototype.entry = function (key) {
    var e = this.entries[key];
    if (!e) {
      e = {filled: false};
      e.promise = new Promise(function (resolve) { e.resolve = resolve; });
      this.entries[key] = e;
    }
    return e;
  };
  FeatureStore.prototype.put = function (key, promise) {
    if (this.entries[key] && this.entries[key].filled) { delete this.entries[key]; }
    var e = this.entry(key);
    e.filled = true;
    e.resolve(promise);
  };
  FeatureStore.prototype.drop = function (key) { delete this.entries[key]; };

  function tileKey(c) { return c.z + "/" + c.x + "/" + c.y; }

  var KeepingProtobuf = null;
  function keepingClass() {
    KeepingProtobuf = KeepingProtobuf || L.VectorGrid.Protobuf.extend({
      _getVectorTilePromise: function (coords) {
        var promise = L.VectorGrid.Protobuf.prototype._getVectorTilePromise.apply(this, arguments);
        var empty = function () { return {layers: {}}; };
        this.machiStore.put(tileKey(coords), promise.then(null, empty));
        return promise;
      },
    });
    return KeepingProtobuf;
  }

  function protobuf(url, options) {
    var layer = new (keepingClass())(url, options);
    layer.machiStore = new FeatureStore();
    layer.on("tileunload", function (e) { layer.machiStore.drop(tileKey(e.coords)); });
    return layer;
  }

  // Where a label tile's features come from: its own tile, or the native tile it lies in.
  function sourceView(coords, maxNativeZoom, size) {
    var up = Math.max(0, coords.z - maxNativeZoom), scale = Math.pow(2, up);
    var src = {z: coords.z - up, x: Math.floor(coords.x / scale), y: Math.floor(coords.y / scale)};
    return {
      key: tileKey(src), tile: tileKey(coords), z: coords.z, size: size, scale: scale,
      dx: (coords.x - src.x * scale) * size, dy: (coords.y - src.y * scale) * size,
      x0: coords.x * size, y0: coords.y * size,
    };
  }

  function project(geometry, extent, view) {
    var f = view.size * view.scale / extent;
    return geometry.map(function (ring) {
      return ring.map(function (p) { return {x: p.x * f - view.dx, y: p.y * f - view.dy}; });
    });
  }

  function layerFeatures(data, name) {
    var layer = data && data.layers && data.layers[name];
    if (!layer || !layer.features) { return null; }
    return {features: layer.features, extent: layer.extent || 4096};
  }

  function drawText(ctx, style, text, x, y, angle) {
    ctx.save();
    ctx.translate(x, y);
    if (angle) { ctx.rotate(angle); }
    ctx.font = style.font;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.92)";
    ctx.strokeText(text, 0, 0);
    ctx.fillStyle = style.colour;
    ctx.fillText(text, 0, 0);
    ctx.restore();
  }

  // ---- street names: the segments of one name joined, labelled along their straightest run ----

  function roadNames(roads, view, config) {
    var byName = {};
    roads.features.forEach(function (f) {
      var name = f.properties.name;
      var cls = config.roads[f.properties["class"]] || config.roads.service;
      var minZoom = cls.rank >= MAIN_ROAD_RANK ? MAIN_ROAD_MIN_ZOOM : ROAD_MIN_ZOOM;
      if (f.type !== 2 || !name || view.z < minZoom) { return; }
      var entry = byName[name] || (byName[name] = {name: String(name), rank: -1, lines: []});
      entry.rank = Math.max(entry.rank, cls.rank);
      Array.prototype.push.apply(entry.lines, project(f.geometry, roads.extent, view));
    });
    return Object.keys(byName).map(function (name) {
      var entry = byName[name];
      entry.runs = G.joinChains(entry.lines).map(G.straightest).filter(Boolean);
      entry.runs.sort(function (a, b) { return b.length - a.length; });
      entry.length = entry.runs.length ? entry.runs[0].length : 0;
      return entry;
    });
  }

  // A spot on the run for a label `width` long: the middle first, then further to either side.
  function placeAlong(run, width, placed, size) {
    if (run.length < width + 2 * PAD) { return null; }
    var angle = Math.atan2(run.b.y - run.a.y, run.b.x - run.a.x); // upright: (-90°, 90°]
    if (angle > Math.PI / 2) { angle -= Math.PI; }
    if (angle <= -Math.PI / 2) { angle += Math.PI; }
    var room = (run.length - width) / 2 - PAD, step = Math.max(8, width / 3);
    for (var off = 0; off <= room; off += step) {
      for (var side = 1; side >= -1; side -= 2) {
        var t = 0.5 + side * off / run.length;
        var x = run.a.x + (run.b.x - run.a.x) * t, y = run.a.y + (run.b.y - run.a.y) * t;
        var boxes = G.labelBoxes(x, y, angle, width, ROAD.height);
        if (G.fits(boxes, placed, size)) { return {x: x, y: y, angle: angle, boxes: boxes}; }
        if (off === 0) { break; }
      }
    }
    return null;
  }

  function placeRoads(ctx, entries, placed, size) {
    var drawn = 0;
    ctx.font = ROAD.font;
    entries.forEach(function (entry) {
      var width = ctx.measureText(entry.name).width;
      for (var i = 0; i < entry.runs.length && i < 3; i++) {
        var spot = placeAlong(entry.runs[i], width, placed, size);
        if (spot) {
          placed.push.apply(placed, spot.boxes);
          drawText(ctx, ROAD, entry.name, spot.x, spot.y, spot.angle);
          drawn += 1;
          return;
        }
      }
    });
    return drawn;
  }

  // ---- district names: inside the polygon, on a horizontal line through its centre ----

  // District names placed so far, per zoom and name, in map pixels, with their label tile.
  function Shown() { this.byName = {}; }
  Shown.prototype.near = function (view, name, x, y) {
    var list = this.byName[view.z + "/" + name] || [];
    return list.some(function (p) {
      return Math.abs(p.x - view.x0 - x) < DISTRICT_REPEAT_PX
        && Math.abs(p.y - view.y0 - y) < DISTRICT_REPEAT_PX;
    });
  };
  Shown.prototype.add = function (view, name, x, y) {
    var id = view.z + "/" + name;
    this.byName[id] = this.byName[id] || [];
    this.byName[id].push({tile: view.tile, x: view.x0 + x, y: view.y0 + y});
  };
  Shown.prototype.dropTile = function (tile) {
    for (var id in this.byName) {
      this.byName[id] = this.byName[id].filter(function (p) { return p.tile !== tile; });
    }
  };

  function districtSpot(feature, districts, view) {
    var rings = project(feature.geometry, districts.extent, view), big = null, area = 0;
    rings.forEach(function (r) {
      var a = Math.abs(G.ringArea(r));
      if (a > area) { big = r; area = a; }
    });
    if (!big) { return null; }
    var c = G.centroid(big), span = G.spanAt(rings, c.y, c.x);
    return span && {x: (span.x0 + span.x1) / 2, y: c.y, room: span.x1 - span.x0, area: area};
  }

  function placeDistricts(ctx, districts, placed, view, shown) {
    if (!districts || view.z < DISTRICT_MIN_ZOOM) { return 0; }
    var seen = {}, drawn = 0, h = DISTRICT.height / 2 + PAD;
    var spots = districts.features.map(function (f) {
      var name = f.properties.name || f.properties.town;
      var spot = f.type === 3 && name ? districtSpot(f, districts, view) : null;
      if (spot) { spot.name = String(name); }
      return spot;
    }).filter(Boolean);
    spots.sort(function (a, b) { return b.area - a.area; });
    ctx.font = DISTRICT.font;
    spots.forEach(function (s) {
      var w = ctx.measureText(s.name).width / 2 + PAD;
      var box = [s.x - w, s.y - h, s.x + w, s.y + h];
      if (seen[s.name] || s.room < 2 * w || !G.fits([box], placed, view.size)) { return; }
      if (shown.near(view, s.name, s.x, s.y)) { return; }
      seen[s.name] = true;
      shown.add(view, s.name, s.x, s.y);
      placed.push(box);
      drawText(ctx, DISTRICT, s.name, s.x, s.y, 0);
      drawn += 1;
    });
    return drawn;
  }

  // Main roads first, then districts, then the side streets in the room left.
  function drawLabels(canvas, data, view, config, ratio, shown) {
    var ctx = canvas.getContext("2d"), placed = [], roads = layerFeatures(data, "roads");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    var entries = roads ? roadNames(roads, view, config) : [];
    entries.sort(function (a, b) { return b.rank - a.rank || b.length - a.length; });
    var main = entries.filter(function (e) { return e.rank >= MAIN_ROAD_RANK; });
    var side = entries.filter(function (e) { return e.rank < MAIN_ROAD_RANK; });
    var count = {roads: placeRoads(ctx, main, placed, view.size)};
    var districts = layerFeatures(data, "districts");
    count.districts = placeDistricts(ctx, districts, placed, view, shown);
    count.roads += placeRoads(ctx, side, placed, view.size);
    return count;
  }

  function labelLayer(vector, config, labels) {
    var minZoom = Math.min(MAIN_ROAD_MIN_ZOOM, ROAD_MIN_ZOOM, DISTRICT_MIN_ZOOM);
    var shown = new Shown();
    var Layer = L.GridLayer.extend({
      createTile: function (coords, done) {
        var size = this.getTileSize().x, ratio = window.devicePixelRatio || 1;
        var canvas = L.DomUtil.create("canvas", "machi-labels");
        if (coords.z < minZoom) {  // no names at this zoom: an empty canvas, no bitmap
          setTimeout(function () { done(null, canvas); }, 0);
          return canvas;
        }
        canvas.width = canvas.height = size * ratio;
        canvas.style.width = canvas.style.height = size + "px";
        var view = sourceView(coords, config.maxNativeZoom, size);
        labels.pending += 1;
        vector.machiStore.entry(view.key).promise.then(function (data) {
          var count = drawLabels(canvas, data, view, config, ratio, shown);
          labels.roads += count.roads;
          labels.districts += count.districts;
          labels.tiles += 1;
        }).then(null, function (err) { labels.errors += 1; window.console.error(err); })
          .then(function () { labels.pending -= 1; done(null, canvas); });
        return canvas;
      },
    });
    // same bounds as the vector tiles: a label tile waits for its vector tile
    // (no minZoom option: a layer's minZoom becomes the whole map's minimum zoom)
    var layer = new Layer({pane: PANE, tileSize: vector.getTileSize(), maxZoom: 20,
      bounds: vector.options.bounds});
    layer.on("tileunload", function (e) { shown.dropTile(tileKey(e.coords)); });
    return layer;
  }

  window.MachiLabels = {
    protobuf: protobuf,
    // Adds the names layer for `vector` (made by protobuf()); counts go to stats.labels.
    addTo: function (map, vector, config, stats) {
      if (!map.getPane(PANE)) {
        var pane = map.createPane(PANE);
        pane.style.zIndex = PANE_Z;
        pane.style.pointerEvents = "none";
      }
      return labelLayer(vector, config, stats.labels).addTo(map);
    },
  };
})();

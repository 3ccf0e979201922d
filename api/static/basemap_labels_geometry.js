/* Plane geometry for the base-map names (basemap_labels.js; load before it): no Leaflet here.
 *
 * Points are {x, y} in CSS pixels of one label tile. A label is a row of small boxes along its
 * baseline, so a slanted street name blocks only the strip it covers; a box is [x0, y0, x1, y1].
 */
(function () {
  "use strict";
  var PAD = 2; // px kept clear around a label and from the tile edge
  var STRAIGHT = 1.01; // a run of a street is straight while its length <= chord * STRAIGHT
  var MAX_CHAINS = 60; // segments of one name joined in a tile; beyond this, left unjoined

  function labelBoxes(cx, cy, angle, width, height) {
    var n = Math.max(1, Math.ceil(width / height)), step = width / n;
    var cos = Math.cos(angle), sin = Math.sin(angle), half = Math.max(step, height) / 2 + PAD;
    var boxes = [];
    for (var i = 0; i < n; i++) {
      var along = -width / 2 + step * (i + 0.5);
      var x = cx + cos * along, y = cy + sin * along;
      boxes.push([x - half, y - half, x + half, y + half]);
    }
    return boxes;
  }

  function fits(boxes, placed, size) {
    for (var i = 0; i < boxes.length; i++) {
      var b = boxes[i];
      if (b[0] < 0 || b[1] < 0 || b[2] > size || b[3] > size) { return false; }
      for (var j = 0; j < placed.length; j++) {
        var p = placed[j];
        if (b[0] < p[2] && p[0] < b[2] && b[1] < p[3] && p[1] < b[3]) { return false; }
      }
    }
    return true;
  }

  function samePoint(a, b) { return Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01; }

  function join(a, b) {
    var a0 = a[0], a1 = a[a.length - 1], b0 = b[0], b1 = b[b.length - 1];
    if (samePoint(a1, b0)) { return a.concat(b.slice(1)); }
    if (samePoint(a1, b1)) { return a.concat(b.slice(0, -1).reverse()); }
    if (samePoint(a0, b1)) { return b.concat(a.slice(1)); }
    if (samePoint(a0, b0)) { return b.slice(1).reverse().concat(a); }
    return null;
  }

  function joinChains(lines) {
    if (lines.length > MAX_CHAINS) { return lines; }
    var chains = lines.slice(), i = 0;
    while (i < chains.length) {
      var joined = false;
      for (var j = i + 1; j < chains.length && !joined; j++) {
        var chain = join(chains[i], chains[j]);
        if (chain) { chains[i] = chain; chains.splice(j, 1); joined = true; }
      }
      i = joined ? 0 : i + 1;
    }
    return chains;
  }

  function dist(a, b) { return Math.sqrt((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)); }

  // The longest chord of a line whose stretch of line is (nearly) straight.
  function straightest(line) {
    var cum = [0], best = null;
    for (var k = 1; k < line.length; k++) { cum.push(cum[k - 1] + dist(line[k - 1], line[k])); }
    for (var i = 0; i < line.length - 1; i++) {
      for (var j = i + 1; j < line.length; j++) {
        var chord = dist(line[i], line[j]);
        if (cum[j] - cum[i] > chord * STRAIGHT + 0.5) { break; }
        if (!best || chord > best.length) { best = {a: line[i], b: line[j], length: chord}; }
      }
    }
    return best;
  }

  function ringArea(ring) {
    var a = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      a += ring[j].x * ring[i].y - ring[i].x * ring[j].y;
    }
    return a / 2;
  }

  function centroid(ring) {
    var a = ringArea(ring), cx = 0, cy = 0;
    if (!a) { return ring[0]; }
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var cross = ring[j].x * ring[i].y - ring[i].x * ring[j].y;
      cx += (ring[j].x + ring[i].x) * cross;
      cy += (ring[j].y + ring[i].y) * cross;
    }
    return {x: cx / (6 * a), y: cy / (6 * a)};
  }

  // The inside stretch of the polygon along the line at y: the one holding x, else the widest.
  function spanAt(rings, y, x) {
    var xs = [], best = null;
    rings.forEach(function (ring) {
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var a = ring[j], b = ring[i];
        if ((a.y > y) !== (b.y > y)) { xs.push(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)); }
      }
    });
    xs.sort(function (p, q) { return p - q; });
    for (var k = 0; k + 1 < xs.length; k += 2) {
      var span = {x0: xs[k], x1: xs[k + 1]};
      if (span.x0 <= x && x <= span.x1) { return span; }
      if (!best || span.x1 - span.x0 > best.x1 - best.x0) { best = span; }
    }
    return best;
  }

  window.MachiLabelGeometry = {
    PAD: PAD, labelBoxes: labelBoxes, fits: fits, joinChains: joinChains, straightest: straightest,
    ringArea: ringArea, centroid: centroid, spanAt: spanAt,
  };
})();

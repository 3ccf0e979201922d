/* Grid counts (the staff map's town-wide view) drawn as one SVG over the map.
 *
 * Each cell of /api/v1/reports?mode=grid is a round badge whose pie shows the share of each
 * status, with the count in a white pill; a click (or Enter) zooms to the cell. They were 65
 * Leaflet markers, each its own element tree, listeners and compositing layer: drawing them
 * took about 120 ms of the map's ready time at CPU x4 (A/B against drawing none). Here they
 * are groups in one <svg>: one element for the browser to place and paint.
 * Text goes in through textContent only.
 */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var ORDER = ["received", "in_progress", "done", "rejected"];

  function node(name, attrs, parent) {
    var n = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(n); }
    return n;
  }

  /* A wedge of a circle of radius r from share a0 to a1 (0 = top, clockwise, as conic-gradient). */
  function wedge(r, a0, a1) {
    function at(a) {
      var t = 2 * Math.PI * a;
      return (r * Math.sin(t)).toFixed(2) + " " + (-r * Math.cos(t)).toFixed(2);
    }
    return "M0 0L" + at(a0) + "A" + r + " " + r + " 0 " + (a1 - a0 > 0.5 ? 1 : 0) + " 1 " + at(a1) + "Z";
  }

  /* One badge at (0, 0): `cell` = {size, total, counts, label, title}. */
  function badge(cell, colours) {
    var g = node("g", {"class": "grid-bubble", tabindex: "0", role: "button", "aria-label": cell.title});
    node("title", {}, g).textContent = cell.title;
    var r = cell.size / 2 - 2;  // the badge, white ring included, is `size` across
    node("circle", {r: r + 2, cy: 1, fill: "rgba(0,0,0,.35)"}, g);  // shadow
    node("circle", {r: r + 2, fill: "#fff"}, g);  // ring
    var at = 0;
    ORDER.forEach(function (key) {
      var share = (cell.counts[key] || 0) / cell.total;
      if (share <= 0) { return; }
      if (share >= 0.9999) {
        node("circle", {r: r, fill: colours[key]}, g);
      } else {
        node("path", {d: wedge(r, at, Math.min(1, at + share)), fill: colours[key]}, g);
      }
      at += share;
    });
    var h = Math.round(cell.size * 0.66);
    var w = Math.max(h, cell.label.length * 7 + 6);
    node("rect", {x: -w / 2, y: -h / 2, width: w, height: h, rx: h / 2, fill: "rgba(255,255,255,.92)"}, g);
    node("text", {"text-anchor": "middle", dy: "0.35em"}, g).textContent = cell.label;
    return g;
  }

  /* A layer of badges: draw(cells) with cells [{latlng, size, total, counts, label, title,
   * bounds}], clear(). Kept at their places over zooms (drawn again from the same cells). */
  var GridBubbles = L.Layer.extend({
    options: {pane: "markerPane"},  // over the reports' and the town's lines, as markers were

    initialize: function (colours) { this._colours = colours; this._cells = []; },

    onAdd: function (map) {
      this._svg = node("svg", {"class": "grid-bubbles leaflet-zoom-hide"});
      this.getPane().appendChild(this._svg);
      L.DomEvent.on(this._svg, "click", this._activate, this);
      L.DomEvent.on(this._svg, "keydown", this._key, this);
      this._redraw();
    },

    onRemove: function () {
      L.DomEvent.off(this._svg, "click", this._activate, this);
      L.DomEvent.off(this._svg, "keydown", this._key, this);
      L.DomUtil.remove(this._svg);
      this._svg = null;
    },

    getEvents: function () { return {zoomend: this._redraw, viewreset: this._redraw}; },

    draw: function (cells) { this._cells = cells; this._redraw(); },

    clear: function () { this.draw([]); },

    _redraw: function () {
      if (!this._svg) { return; }
      var map = this._map, size = map.getSize(), origin = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(this._svg, origin);
      this._svg.setAttribute("width", size.x);
      this._svg.setAttribute("height", size.y);
      var frag = document.createDocumentFragment(), colours = this._colours;
      this._cells.forEach(function (cell, i) {
        var p = map.latLngToContainerPoint(cell.latlng);
        var g = badge(cell, colours);
        g.setAttribute("transform", "translate(" + p.x.toFixed(1) + " " + p.y.toFixed(1) + ")");
        g.setAttribute("data-cell", String(i));
        frag.appendChild(g);
      });
      this._svg.replaceChildren(frag);
    },

    _cellOf: function (e) {
      var g = e.target.closest ? e.target.closest(".grid-bubble") : null;
      return g ? this._cells[Number(g.getAttribute("data-cell"))] : null;
    },

    _activate: function (e) {
      var cell = this._cellOf(e);
      if (!cell || (this._map.dragging && this._map.dragging.moved())) { return; }
      L.DomEvent.stop(e);
      this._map.fitBounds(cell.bounds);
    },

    _key: function (e) {
      if (e.key === "Enter" || e.key === " ") { this._activate(e); }
    },
  });

  window.MachiGridBubbles = function (colours) { return new GridBubbles(colours); };
})();

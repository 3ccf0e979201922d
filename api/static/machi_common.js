/* Helpers shared by the staff maps (triage.js, disaster.js) and the resident form
 * (resident.js), loaded before them: text-only DOM building (textContent, never innerHTML),
 * the status colours and labels of maps/colours.py, template filling, and one reading of
 * server timestamps: a bare one (no "Z", no offset) is Asia/Tokyo time, +09:00. */
(function () {
  "use strict";

  var COLOURS = {received: "#d62728", in_progress: "#ff9f0e", done: "#2ca02c",
                 rejected: "#7f7f7f", duplicate: "#7f7f7f"};
  var LABELS = {received: "受付", in_progress: "作業中", done: "完了",
                rejected: "対応不可", duplicate: "重複"};
  var GREY = "#7f7f7f";
  var BARE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) { if (arguments[i]) { parent.appendChild(arguments[i]); } }
    return parent;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) {
      return values[key] !== undefined ? String(values[key]) : "";
    });
  }
  /* The moment a server timestamp names, or null; a bare one is read as +09:00. */
  function parseTime(iso) {
    if (!iso) { return null; }
    var text = String(iso);
    if (BARE.test(text)) { text = text.replace(" ", "T") + "+09:00"; }
    var d = new Date(text);
    return isNaN(d.getTime()) ? null : d;
  }
  function format(iso, options) {
    if (!iso) { return ""; }
    var d = parseTime(iso);
    if (!d) { return String(iso); }
    options.timeZone = "Asia/Tokyo";
    return d.toLocaleString("ja-JP", options);
  }
  /* 2026/12/22 09:30 in Tokyo time. */
  function when(iso) {
    return format(iso, {year: "numeric", month: "2-digit", day: "2-digit",
                        hour: "2-digit", minute: "2-digit"});
  }
  /* 12/22 09:30 in Tokyo time (lists where the year goes without saying). */
  function whenShort(iso) {
    return format(iso, {month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"});
  }
  function badge(status) {
    var b = el("span", "status-badge", LABELS[status] || status);
    b.style.background = COLOURS[status] || GREY;
    return b;
  }

  /* A script loaded once, on demand: a promise settled when it has run. */
  var scripts = {};
  function script(src) {
    if (!scripts[src]) {
      scripts[src] = new Promise(function (resolve, reject) {
        var node = document.createElement("script");
        node.src = src;
        node.onload = function () { resolve(); };
        node.onerror = function () { delete scripts[src]; reject(new Error(src)); };
        document.head.appendChild(node);
      });
    }
    return scripts[src];
  }
  /* Whole numbers the Japanese way (12,345), without Intl: building the first ICU formatter
   * cost more than the rest of this file (trace of the staff map under CPU x4). */
  function number(n) {
    var digits = String(Math.abs(Math.round(Number(n) || 0)));
    return (n <= -0.5 ? "-" : "") + digits.replace(/\B(?=(\d{3})+$)/g, ",");
  }
  /* The browser's clock as H:MM:SS, as toLocaleTimeString("ja-JP") writes it (no ICU). */
  function clock(d) {
    function two(v) { return (v < 10 ? "0" : "") + v; }
    return d.getHours() + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }

  window.Machi = Object.freeze({
    COLOURS: COLOURS, LABELS: LABELS, GREY: GREY,
    el: el, add: add, fill: fill, parseTime: parseTime, when: when, whenShort: whenShort,
    badge: badge, script: script, number: number, clock: clock
  });
})();

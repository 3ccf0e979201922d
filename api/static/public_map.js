/* The public map /map: open reports from /map/data.json (no personal data), filtered by
 * category and status in the page; a click shows the report's public status history. */
(function () {
  "use strict";
  var box = document.getElementById("pm-map");
  var colours = JSON.parse(box.dataset.colours);
  var select = document.getElementById("pm-category");
  var count = document.getElementById("pm-count");
  var detail = document.getElementById("pm-detail");
  var form = document.getElementById("pm-filters");
  var map = L.map("pm-map");
  var layer = L.layerGroup().addTo(map);
  var reports = [];
  map.setView([35.7, 139.41], 13);
  MachiBasemap.addFromElement(map, box);

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function day(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : ""; }
  function showDetail(report) {
    detail.replaceChildren();
    detail.appendChild(el("h2", report.service_name + "（受付番号 " + report.id + "）"));
    detail.appendChild(el("p", "状況：" + report.status_label + "　場所：" + (report.district || "") +
      "　担当：" + report.agency));
    var list = el("ol");
    list.className = "pm-history";
    report.history.forEach(function (step) {
      list.appendChild(el("li", day(step.at) + "　" + step.label + (step.note ? "：" + step.note : "")));
    });
    detail.appendChild(list);
  }
  function chosen() {
    var statuses = Array.prototype.filter.call(form.elements.status, function (box) { return box.checked; })
      .map(function (box) { return box.value; });
    return {category: select.value, statuses: statuses};
  }
  function draw() {
    var want = chosen();
    layer.clearLayers();
    var shown = reports.filter(function (r) {
      return (!want.category || r.service_code === want.category) && want.statuses.indexOf(r.status) >= 0;
    });
    shown.forEach(function (report) {
      var marker = L.circleMarker([report.lat, report.lon], {
        radius: 8, color: "#333", weight: 1, fillColor: colours[report.status], fillOpacity: 0.9,
        className: "pm-marker pm-" + report.status,
      });
      marker.bindTooltip(report.service_name + "（" + report.status_label + "）");
      marker.on("click", function () { showDetail(report); });
      marker.addTo(layer);
    });
    count.textContent = shown.length + "件を表示中";
    box.dataset.shown = String(shown.length);
  }
  fetch("/map/data.json", {credentials: "same-origin"}).then(function (r) { return r.json(); })
    .then(function (data) {
      reports = data.reports;
      data.categories.forEach(function (c) {
        var option = el("option", c.name);
        option.value = c.code;
        select.appendChild(option);
      });
      if (reports.length) {
        map.fitBounds(L.latLngBounds(reports.map(function (r) { return [r.lat, r.lon]; })).pad(0.1));
      }
      draw();
    }).catch(function () { count.textContent = "読み込めませんでした。"; });
  form.addEventListener("change", draw);
})();

/* Disaster HQ map: every disaster report from /api/v1/disaster/reports, urgent open ones
 * first in the list beside the map, polled like the triage map; evacuation sites from
 * /api/v1/evacuation-sites. Everything from the server goes into the DOM through
 * textContent, never innerHTML. */
(function () {
  "use strict";

  var M = window.Machi;  // machi_common.js
  var COLOURS = M.COLOURS, LABELS = M.LABELS;
  var el = M.el, add = M.add, badge = M.badge, when = M.whenShort;
  var OPEN = "received,in_progress";
  var POLL_MS = 15000;

  var root = document.querySelector(".hq");
  var map = window[root.getAttribute("data-map")];
  var list = document.getElementById("hq-list");
  var countEl = document.getElementById("hq-count");
  var updatedEl = document.getElementById("hq-updated");
  var errorEl = document.getElementById("hq-error");
  var modeEl = document.getElementById("hq-mode");
  var districtBody = document.querySelector("#hq-district-table tbody");
  var sinceEl = document.getElementById("hq-since");
  var closedEl = document.getElementById("hq-closed");

  var reports = L.markerClusterGroup({maxClusterRadius: 30, disableClusteringAtZoom: 16,
                                      showCoverageOnHover: false});
  // Shelters sit under the reports (own pane below the overlay pane), so no pin is hidden.
  map.createPane("shelters").style.zIndex = 390;
  var shelters = L.layerGroup();
  map.addLayer(shelters);
  map.addLayer(reports);
  L.control.layers(null, {"災害通報": reports, "避難所": shelters}, {collapsed: false}).addTo(map);

  var markers = {};     // report id -> circle marker
  var items = {};       // report id -> list item
  var order = [];       // report ids as listed
  var knownIds = null;  // ids at the previous load, to mark new ones
  var inflight = null;
  var modeOn = root.querySelector(".hq-bar.on") !== null;

  function showError(message) {
    errorEl.hidden = !message;
    errorEl.textContent = message || "";
  }

  // ---------- evacuation sites (once) ----------
  function loadShelters() {
    fetch("/api/v1/evacuation-sites", {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {features: []}; })
      .then(function (data) {
        data.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          var icon = L.divIcon({className: "shelter-marker", html: "避", iconSize: [16, 16]});
          var marker = L.marker([c[1], c[0]], {icon: icon, keyboard: false, pane: "shelters"});
          marker.bindTooltip(function () {
            var tip = el("div", "marker-tip");
            add(tip, el("strong", null, f.properties.name), el("div", null, f.properties.address),
                el("div", null, "対象：" + (f.properties.hazards || []).join("・")));
            return tip;
          }, {direction: "top"});
          shelters.addLayer(marker);
        });
        root.setAttribute("data-shelters", String(data.features.length));
      });
  }

  // ---------- reports ----------
  function params() {
    var p = new URLSearchParams();
    if (sinceEl.value) { p.set("since", sinceEl.value); }
    if (!closedEl.checked) { p.set("status", OPEN); }
    return p;
  }

  function load() {
    if (inflight) { inflight.abort(); }
    inflight = new AbortController();
    return fetch("/api/v1/disaster/reports?" + params().toString(),
                 {credentials: "same-origin", signal: inflight.signal})
      .then(function (response) {
        if (response.status === 401) { location.href = "/staff/login"; return null; }
        if (!response.ok) {
          return response.json().then(function (b) { throw new Error(b.message || b.detail || response.statusText); });
        }
        return response.json();
      })
      .then(function (data) { if (data) { draw(data); showError(null); } })
      .catch(function (err) {
        if (err.name !== "AbortError") { showError("災害通報を読み込めませんでした：" + err.message); }
      });
  }

  function draw(data) {
    var ids = {}, fresh = 0;
    reports.clearLayers();
    list.replaceChildren();
    markers = {};
    items = {};
    order = [];
    data.features.forEach(function (f) {
      var isNew = knownIds !== null && !knownIds[f.id];
      if (isNew) { fresh += 1; }
      ids[f.id] = true;
      order.push(f.id);
      markers[f.id] = marker(f);
      items[f.id] = listItem(f, isNew);
      list.appendChild(items[f.id]);
    });
    reports.addLayers(Object.keys(markers).map(function (id) { return markers[id]; }));
    knownIds = ids;
    drawDistricts(data.districts);
    drawMode(data.mode);
    var text = when(data.since) + " 以降の災害通報 " + M.number(data.total) + " 件";
    if (data.truncated) { text += "（緊急・新しい順に " + data.limit + " 件まで表示）"; }
    if (fresh > 0) { text += "　新着 " + fresh + " 件"; }
    countEl.textContent = text;
    updatedEl.textContent = "最終更新 " + M.clock(new Date()) + "（15秒ごとに更新）";
    root.setAttribute("data-loaded", String(Date.now()));
  }

  function marker(f) {
    var p = f.properties, c = f.geometry.coordinates;
    var m = L.circleMarker([c[1], c[0]], {
      radius: p.urgent ? 11 : 8, color: p.overdue ? "#000" : "#fff", weight: p.overdue ? 3 : 2,
      fillColor: COLOURS[p.status] || "#7f7f7f", fillOpacity: 0.9,
      className: "report-marker report-" + f.id
    });
    m.bindTooltip(function () {
      var tip = el("div", "marker-tip");
      add(tip, el("strong", null, p.receipt_no), el("div", null, p.category),
          el("div", null, (LABELS[p.status] || p.status) + (p.urgent ? "・緊急" : "")));
      return tip;
    }, {direction: "top"});
    m.on("click", function () { focusItem(f.id); });
    return m;
  }

  function listItem(f, isNew) {
    var p = f.properties;
    var li = el("li", "hq-item" + (p.urgent ? " urgent" : "") + (isNew ? " new" : ""));
    li.setAttribute("data-id", f.id);
    var head = el("div", "hq-item-head");
    add(head, badge(p.status), p.urgent ? el("span", "flag urgent", "緊急") : null,
        p.overdue ? el("span", "flag overdue", "期限超過") : null,
        el("span", "hq-when", when(p.created_at)));
    var title = el("div", "hq-item-title");
    add(title, el("strong", null, p.category), el("span", "hq-where", p.district || "町丁目不明"));
    add(li, head, title);
    if (p.description) { add(li, el("p", "description", p.description)); }
    var foot = el("div", "hq-item-foot");
    if (p.photo_id) {
      var img = el("img", "hq-thumb");
      img.src = "/staff/photos/" + encodeURIComponent(p.photo_id) + "/thumb";
      img.alt = "通報の写真";
      img.loading = "lazy";
      add(foot, img);
    }
    var link = el("a", "detail-link", p.receipt_no + " の詳細");
    link.href = "/staff/reports/" + encodeURIComponent(f.id);
    add(foot, link);
    add(li, foot);
    li.addEventListener("click", function (event) {
      if (event.target.tagName === "A") { return; }
      showOnMap(f.id);
    });
    return li;
  }

  function drawDistricts(rows) {
    districtBody.replaceChildren();
    rows.slice(0, 8).forEach(function (d) {
      var tr = el("tr");
      add(tr, el("td", null, d.name || "町丁目不明"), el("td", "num", d.open),
          el("td", "num" + (d.urgent ? " urgent" : ""), d.urgent), el("td", "num", d.total));
      districtBody.appendChild(tr);
    });
    if (!rows.length) {
      var empty = el("tr");
      var cell = el("td", null, "該当する通報はありません。");
      cell.colSpan = 4;
      districtBody.appendChild(add(empty, cell));
    }
  }

  function drawMode(mode) {
    if (!mode || mode.on === modeOn) { return; }
    // Someone else switched it: reload so the banner and the switch button agree.
    location.reload();
  }

  function showOnMap(id) {
    var m = markers[id];
    if (!m) { return; }
    reports.zoomToShowLayer(m, function () { m.openTooltip(); });
    focusItem(id);
  }

  function focusItem(id) {
    Object.keys(items).forEach(function (key) { items[key].classList.remove("focused"); });
    var li = items[id];
    if (!li) { return; }
    li.classList.add("focused");
    li.scrollIntoView({block: "nearest"});
  }

  sinceEl.addEventListener("change", load);
  closedEl.addEventListener("change", load);
  setInterval(function () { if (!document.hidden) { load(); } }, POLL_MS);

  window.machiHq = {
    load: load,
    order: function () { return order.slice(); },
    ids: function () { return Object.keys(markers).map(Number); },
    show: showOnMap
  };
  loadShelters();
  load();
})();

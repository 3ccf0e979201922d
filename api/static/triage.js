/* Staff triage map: loads reports for the visible area from /api/v1/reports, draws them
 * coloured by status (clustered when dense, grid counts for whole-city views), polls for new
 * reports, and shows one report in the side panel with one-click status changes.
 * Everything from the server goes into the DOM through textContent, never innerHTML. */
(function () {
  "use strict";

  var M = window.Machi;  // machi_common.js: DOM helpers (text only), colours, Tokyo time
  var COLOURS = M.COLOURS, LABELS = M.LABELS;
  var el = M.el, add = M.add, badge = M.badge, when = M.when;
  var KINDS = {road: "道路", disaster: "災害", bulky: "粗大ごみ", other: "その他"};
  var CHANNELS = {line: "LINE", web: "Webフォーム", phone: "電話", open311: "Open311"};
  var POLL_MS = 15000;
  var DEBOUNCE_MS = 300;

  var root = document.querySelector(".triage");
  var map = window[root.getAttribute("data-map")];
  var form = document.getElementById("triage-filter");
  var panel = document.getElementById("triage-panel");
  var countEl = document.getElementById("triage-count");
  var updatedEl = document.getElementById("triage-updated");
  var errorEl = document.getElementById("triage-error");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

  var CLUSTER_OPTIONS = {
    maxClusterRadius: 36, disableClusteringAtZoom: 17, chunkedLoading: true,
    showCoverageOnHover: false, spiderfyOnMaxZoom: true,
    iconCreateFunction: function (group) {
      var counts = {received: 0, in_progress: 0, done: 0, rejected: 0};
      group.getAllChildMarkers().forEach(function (m) {
        var key = m.reportStatus === "duplicate" ? "rejected" : m.reportStatus;
        counts[key] = (counts[key] || 0) + 1;
      });
      return pieIcon(group.getChildCount(), counts);
    }
  };
  // markercluster is loaded when the first markers are drawn: a town-wide view opens on
  // grid counts, and the page is ready sooner without 34 KB more script to evaluate first
  var cluster = null;
  var clusterLoad = null;
  var bubbles = window.MachiGridBubbles(COLOURS);  // grid_bubbles.js
  map.addLayer(bubbles);

  var markers = {};      // report id -> circle marker
  var openId = null;     // report shown in the panel
  var inflight = null;   // AbortController of the running load
  var loads = 0;         // loads started: only the latest one's answer is drawn
  var timer = null;
  var knownIds = null;   // ids seen at the previous load (to count new ones)

  // ---------- filters ----------
  function filterParams() {
    var params = new URLSearchParams();
    var statuses = [];
    form.querySelectorAll('input[name="status"]:checked').forEach(function (box) { statuses.push(box.value); });
    if (statuses.length) { params.set("status", statuses.join(",")); }
    ["kind", "category", "district", "channel", "from", "to"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) { params.set(name, field.value); }
    });
    ["urgent", "overdue"].forEach(function (name) {
      if (form.elements[name] && form.elements[name].checked) { params.set(name, "true"); }
    });
    return params;
  }
  function syncUrl(params) {
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
    var list = document.getElementById("list-link");
    if (list) { list.href = "/staff/reports" + (query ? "?" + query : ""); }
  }

  // ---------- loading ----------
  function bboxParam() {
    var b = map.getBounds();
    function c(v) { return Math.max(-180, Math.min(180, v)).toFixed(5); }
    return [c(b.getWest()), Math.max(-90, b.getSouth()).toFixed(5), c(b.getEast()),
            Math.min(90, b.getNorth()).toFixed(5)].join(",");
  }

  /* The answer the page's head asked for (the town's box), when it is for these filters. */
  function firstAnswer(params) {
    var first = window.machiFirstReports;
    window.machiFirstReports = null;
    if (!first) { return null; }
    var query = new URLSearchParams(params);
    query.set("bbox", first.bbox);
    return query.toString() === first.query ? first.answer : null;
  }

  function load(quiet) {
    var params = filterParams();
    syncUrl(params);
    var first = firstAnswer(params);
    params.set("bbox", bboxParam());
    if (inflight) { inflight.abort(); }
    inflight = new AbortController();
    var seq = ++loads;
    if (!quiet) { countEl.textContent = "読み込み中…"; }
    return (first || fetch("/api/v1/reports?" + params.toString(),
                 {credentials: "same-origin", signal: inflight.signal, headers: {Accept: "application/geo+json"}}))
      .then(function (response) {
        if (seq !== loads) { return null; }  // a later load is under way (the first cannot be aborted)
        if (response.status === 401) { location.href = "/staff/login"; return null; }
        if (!response.ok) {
          return response.json().then(function (body) { throw new Error(body.message || response.statusText); });
        }
        return response.json();
      })
      .then(function (data) { if (data && seq === loads) { draw(data); showError(null); } })
      .catch(function (err) {
        if (err.name !== "AbortError") { showError("通報を読み込めませんでした：" + err.message); }
      });
  }

  function showError(message) {
    errorEl.hidden = !message;
    errorEl.textContent = message || "";
  }

  function withCluster() {
    if (!clusterLoad) {
      var loaded = L.markerClusterGroup ? Promise.resolve() : M.script(root.getAttribute("data-cluster-js"));
      clusterLoad = loaded.then(function () {
        cluster = L.markerClusterGroup(CLUSTER_OPTIONS);
        map.addLayer(cluster);
      });
      clusterLoad.then(null, function () { clusterLoad = null; });  // try again next time
    }
    return clusterLoad;
  }

  var answers = 0;  // answers drawn or waiting, so an older one is never drawn over a newer
  function draw(data) {
    var seq = ++answers;
    if (data.mode === "grid") { drawAnswer(data); return; }
    withCluster().then(function () {
      if (seq === answers) { drawAnswer(data); }
    }, function () {
      showError("地図の部品を読み込めませんでした。ページを再読み込みしてください。");
    });
  }

  function drawAnswer(data) {
    var fresh = 0;
    var ids = {};
    if (cluster) { cluster.clearLayers(); }
    bubbles.clear();
    markers = {};
    if (data.mode === "grid") {
      var room = data.features.length ? cellRoom(data.features[0]) : 46;
      bubbles.draw(data.features.map(function (feature) { return gridCell(feature, room); }));
    } else {
      var layers = data.features.map(function (feature) {
        ids[feature.id] = true;
        if (knownIds && !knownIds[feature.id]) { fresh += 1; }
        return pointMarker(feature);
      });
      cluster.addLayers(layers);
      knownIds = ids;
    }
    root.setAttribute("data-mode", data.mode);
    root.setAttribute("data-loaded", String(Date.now()));
    var text = "表示中 " + M.number(data.total) + " 件";
    if (data.mode === "grid") { text += "（件数が多いため、近くの通報をまとめた件数で表示しています。拡大すると1件ずつ表示します）"; }
    if (data.truncated) { text += "（新しい " + data.limit + " 件のみ表示）"; }
    if (fresh > 0) { text += "　新着 " + fresh + " 件"; }
    countEl.textContent = text;
    updatedEl.textContent = "最終更新 " + M.clock(new Date());
  }

  function pointMarker(feature) {
    var p = feature.properties;
    var c = feature.geometry.coordinates;
    var marker = L.circleMarker([c[1], c[0]], {
      radius: p.urgent ? 10 : 8, color: p.overdue ? "#000" : "#fff", weight: p.overdue ? 3 : 2,
      fillColor: COLOURS[p.status] || "#7f7f7f", fillOpacity: 0.9,
      className: "report-marker report-" + feature.id
    });
    marker.reportId = feature.id;
    marker.reportStatus = p.status;
    marker.reportKind = p.kind;
    marker.bindTooltip(function () {
      var tip = el("div", "marker-tip");
      add(tip, el("strong", null, p.receipt_no), el("div", null, p.category),
          el("div", null, (LABELS[p.status] || p.status) + (p.urgent ? "・緊急" : "") + (p.overdue ? "・期限超過" : "")));
      return tip;
    }, {direction: "top"});
    marker.on("click", function () { openReport(feature.id); });
    markers[feature.id] = marker;
    return marker;
  }

  /* A count short enough to sit inside its bubble: 9,571 / 1.2万 / 120万 (the title has it all). */
  function shortCount(n) {
    if (n < 10000) { return M.number(n); }
    var man = n / 10000;
    return (man < 100 ? Math.round(man * 10) / 10 : Math.round(man)) + "万";
  }

  /* A round count badge whose ring shows the share of each status (same colours as pins);
   * never wider than `room` px, so neighbouring grid cells' bubbles do not cover each other. */
  function pieIcon(total, counts, room) {
    var stops = [], at = 0;
    ["received", "in_progress", "done", "rejected"].forEach(function (key) {
      var end = at + ((counts[key] || 0) / total) * 100;
      stops.push(COLOURS[key] + " " + at.toFixed(1) + "% " + end.toFixed(1) + "%");
      at = end;
    });
    var size = bubbleSize(total, room);
    var bubble = el("div", "cluster-bubble");
    bubble.style.background = "conic-gradient(" + stops.join(",") + ")";
    bubble.style.width = bubble.style.height = size + "px";
    bubble.appendChild(el("span", null, shortCount(total)));
    bubble.title = countTitle(total, counts);
    return L.divIcon({className: "cluster-cell", html: bubble, iconSize: [size, size]});
  }

  function bubbleSize(total, room) {
    return Math.round(Math.max(26, Math.min(46, 28 + Math.sqrt(total) * 0.8, room || 46)));
  }

  function countTitle(total, counts) {
    return "計 " + M.number(total) + " 件（受付 " + M.number(counts.received || 0) +
      "・作業中 " + M.number(counts.in_progress || 0) + "・完了 " + M.number(counts.done || 0) +
      "・対応不可/重複 " + M.number(counts.rejected || 0) + "）";
  }

  /* Pixels between neighbouring grid cells' centres at this zoom (the cells are all one size). */
  function cellRoom(feature) {
    var b = feature.properties.cell;
    var a = map.latLngToContainerPoint([b[1], b[0]]), c = map.latLngToContainerPoint([b[3], b[2]]);
    return Math.min(Math.abs(c.x - a.x), Math.abs(c.y - a.y)) - 2;
  }

  /* Where a cell's bubble goes: at its reports' centre, moved in just far enough that the
   * whole bubble stays inside the cell (so two cells' bubbles never cover each other). */
  function bubbleAt(feature, size) {
    var b = feature.properties.cell, c = feature.geometry.coordinates;
    var sw = map.latLngToContainerPoint([b[1], b[0]]), ne = map.latLngToContainerPoint([b[3], b[2]]);
    var at = map.latLngToContainerPoint([c[1], c[0]]), r = size / 2 + 1;
    function clamp(v, lo, hi) { return lo > hi ? (lo + hi) / 2 : Math.max(lo, Math.min(hi, v)); }
    return map.containerPointToLatLng(L.point(clamp(at.x, sw.x + r, ne.x - r), clamp(at.y, ne.y + r, sw.y - r)));
  }

  /* A cell of the grid answer as grid_bubbles.js draws it. */
  function gridCell(feature, room) {
    var p = feature.properties, b = p.cell;
    var counts = {received: p.received, in_progress: p.in_progress, done: p.done, rejected: p.closed};
    var size = bubbleSize(p.count, room);
    return {
      latlng: bubbleAt(feature, size), size: size, total: p.count, counts: counts,
      label: shortCount(p.count), title: countTitle(p.count, counts),
      bounds: [[b[1], b[0]], [b[3], b[2]]],
    };
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { load(false); }, DEBOUNCE_MS);
  }

  // ---------- side panel ----------
  function openReport(id) {
    openId = id;
    panel.replaceChildren(el("p", "hint", "読み込み中…"));
    return fetch("/api/v1/reports/" + encodeURIComponent(id), {credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      })
      .then(function (answer) {
        if (openId !== id) { return; }
        if (!answer.ok) { panel.replaceChildren(el("p", "error", answer.body.message || "表示できません。")); return; }
        renderPanel(answer.body);
      })
      .catch(function () { panel.replaceChildren(el("p", "error", "詳細を読み込めませんでした。")); });
  }

  function row(list, label, value) {
    if (value === null || value === undefined || value === "") { return; }
    add(list, el("dt", null, label), el("dd", null, value));
  }

  function renderPanel(r) {
    var box = el("div", "report-panel");
    var head = el("div", "panel-head");
    add(head, el("h2", null, r.receipt_no), badge(r.status));
    if (r.urgent) { add(head, el("span", "flag urgent", "緊急")); }
    if (r.overdue) { add(head, el("span", "flag overdue", "期限超過")); }
    var close = el("button", "panel-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "閉じる");
    close.addEventListener("click", function () {
      openId = null;
      panel.replaceChildren(el("p", "hint", "地図上の通報をクリックすると、ここに詳細が表示されます。"));
    });
    add(head, close);
    add(box, head);
    var facts = el("dl", "facts");
    row(facts, "分類", r.category + "（" + (KINDS[r.kind] || r.kind) + "）");
    row(facts, "場所", [r.district, r.address !== r.district ? r.address : null].filter(Boolean).join(" "));
    row(facts, "受付日時", when(r.created_at));
    row(facts, "受付経路", CHANNELS[r.channel] || r.channel);
    add(box, facts, el("h3", null, "内容"), el("p", "description", r.description || "（説明なし）"));
    add(box, photos(r), statusActions(r), contact(r), historyBox(r), thread(r));
    var link = el("a", "detail-link", "詳細ページを開く");
    link.href = "/staff/reports/" + encodeURIComponent(r.id);
    add(box, link);
    panel.replaceChildren(box);
  }

  function statusActions(r) {
    var wrap = el("div", "status-actions");
    if (!r.allowed.length) { return wrap; }
    add(wrap, el("h3", null, "状態を変更"));
    var note = el("textarea", "status-note");
    note.rows = 2;
    note.maxLength = 500;
    note.placeholder = "メモ（住民への通知にも載ります・任意）";
    note.setAttribute("aria-label", "メモ");
    var buttons = el("div", "status-buttons");
    var message = el("p", "status-message");
    message.setAttribute("role", "status");
    r.allowed.forEach(function (choice) {
      var button = el("button", "status-button", choice.label + "にする");
      button.type = "button";
      button.setAttribute("data-status", choice.value);
      button.style.borderColor = choice.colour;
      button.addEventListener("click", function () { changeStatus(r, choice.value, note.value, message, buttons); });
      add(buttons, button);
    });
    if (r.notifiable) { add(wrap, el("p", "hint", "変更すると通報者に LINE で通知されます。")); }
    add(wrap, note, buttons, message);
    return wrap;
  }

  function changeStatus(r, status, note, message, buttons) {
    buttons.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    message.textContent = "変更しています…";
    fetch("/api/v1/reports/" + encodeURIComponent(r.id), {
      method: "PATCH", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({status: status, note: note || null})
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      if (!answer.ok) {
        buttons.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        message.textContent = answer.body.message || "変更できませんでした。";
        return;
      }
      recolour(r.id, answer.body.status.value);
      openReport(r.id);
    }).catch(function () {
      buttons.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      message.textContent = "通信できませんでした。もう一度お試しください。";
    });
  }

  function recolour(id, status) {
    var marker = markers[id];
    if (!marker) { return; }
    marker.reportStatus = status;
    marker.setStyle({fillColor: COLOURS[status] || "#7f7f7f"});
    if (cluster) { cluster.refreshClusters(marker); }
  }

  function photos(r) {
    if (!r.photos.length) { return null; }
    var wrap = el("div", "photos");
    add(wrap, el("h3", null, "写真"));
    r.photos.forEach(function (p) {
      if (!p.thumbnail_url) { add(wrap, el("span", "photo-missing", p.status === "pending" ? "写真を取得中" : "写真を取得できませんでした")); return; }
      var a = el("a");
      a.href = p.url;
      a.target = "_blank";
      a.rel = "noopener";
      var img = el("img");
      img.src = p.thumbnail_url;
      img.alt = "通報の写真";
      img.loading = "lazy";
      add(wrap, add(a, img));
    });
    return wrap;
  }

  function contact(r) {
    if (!r.contact) { return null; }
    var wrap = el("div", "contact");
    var list = el("dl", "facts");
    row(list, "氏名", r.contact.name);
    row(list, "電話", r.contact.phone);
    row(list, "メール", r.contact.email);
    row(list, "住所", r.contact.address);
    row(list, "番地・建物名", r.contact.address_line);
    row(list, "出す場所", r.contact.put_out_text);
    return add(wrap, el("h3", null, "通報者の連絡先"), list);
  }

  function historyBox(r) {
    var wrap = el("div", "history");
    var list = el("ol");
    r.history.forEach(function (h) {
      var item = el("li");
      add(item, el("span", "when", when(h.changed_at)), badge(h.to), el("span", "actor", h.actor));
      if (h.note) { add(item, el("div", "note", h.note)); }
      add(list, item);
    });
    return add(wrap, el("h3", null, "対応履歴"), list);
  }

  function thread(r) {
    var wrap = el("div", "thread");
    add(wrap, el("h3", null, "通報者とのやりとり"));
    if (!r.messages.length) { add(wrap, el("p", "hint", "まだありません。")); }
    r.messages.forEach(function (m) {
      var item = el("div", "msg " + m.direction);
      add(item, el("div", "when", when(m.created_at) + (m.staff ? "　" + m.staff : "")), el("div", "body", m.body));
      add(wrap, item);
    });
    if (!r.notifiable) { add(wrap, el("p", "hint", "LINE で連絡できない通報者のため（LINE 以外の受付か、ブロック中）、メッセージは送れません。")); return wrap; }
    var text = el("textarea");
    text.rows = 2;
    text.maxLength = 1000;
    text.placeholder = "通報者へのメッセージ（LINE で送信）";
    text.setAttribute("aria-label", "通報者へのメッセージ");
    var send = el("button", null, "送信");
    send.type = "button";
    var note = el("p", "status-message");
    send.addEventListener("click", function () {
      if (!text.value.trim()) { return; }
      send.disabled = true;
      fetch("/api/v1/reports/" + encodeURIComponent(r.id) + "/messages", {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify({body: text.value})
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (answer) {
        send.disabled = false;
        if (answer.ok) { openReport(r.id); } else { note.textContent = answer.body.message || "送信できませんでした。"; }
      });
    });
    return add(wrap, text, send, note);
  }

  // ---------- wiring ----------
  map.on("moveend", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (event) { event.preventDefault(); schedule(); });
  form.addEventListener("reset", function () { setTimeout(schedule, 0); });
  setInterval(function () { if (!document.hidden) { load(true); } }, POLL_MS);

  window.machiTriage = {
    load: load,
    open: openReport,
    ids: function () { return Object.keys(markers).map(Number); },
    kinds: function () { return Object.keys(markers).map(function (id) { return markers[id].reportKind; }); },
    statuses: function () { return Object.keys(markers).map(function (id) { return markers[id].reportStatus; }); },
    /* Zoom until the report's own marker is visible (out of its cluster). */
    reveal: function (id) {
      return new Promise(function (resolve) {
        var marker = markers[id];
        if (!marker) { resolve(false); return; }
        cluster.zoomToShowLayer(marker, function () { resolve(true); });
      });
    }
  };
  load(false);
})();

/* Phone entry of a bulky-waste pickup (電話受付): item search, cart, place, free days, submit.
 * Talks to /api/v1/items, /api/v1/calendar and /api/v1/bookings with the session cookie and
 * the page's CSRF token. Server text goes into the DOM through textContent only. */
(function () {
  "use strict";

  var form = document.getElementById("phone-booking");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var errorEl = document.getElementById("pb-error");
  var cart = {};  // item id -> {name, fee, quantity}

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function yen(value) { return value === null ? "—" : value.toLocaleString("ja-JP") + "円"; }
  function showError(message, field) {
    errorEl.textContent = message;
    errorEl.hidden = !message;
    form.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
    });
    var input = field ? form.querySelector('[name="' + field + '"]') : null;
    if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
  }
  function getJSON(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) {
      return r.json().then(function (body) { return {ok: r.ok, body: body}; });
    });
  }
  function messageOf(body) {
    if (body && typeof body.message === "string") { return body.message; }
    return "入力内容を確認してください。";
  }
  function fieldOf(body) {  // ours: {field}; the schema's: {detail: [{loc: ["body", name]}]}
    if (body && typeof body.field === "string") { return body.field; }
    var first = body && Array.isArray(body.detail) ? body.detail[0] : null;
    return first && first.loc ? String(first.loc[first.loc.length - 1]) : null;
  }

  // ---------- items ----------
  function renderCart() {
    var tbody = document.getElementById("cart");
    var total = 0, count = 0;
    tbody.replaceChildren();
    Object.keys(cart).forEach(function (id) {
      var line = cart[id];
      var row = el("tr");
      row.appendChild(el("td", line.name));
      row.appendChild(el("td", yen(line.fee)));
      var qty = el("input");
      qty.type = "number"; qty.min = "1"; qty.max = "10"; qty.value = String(line.quantity);
      qty.addEventListener("change", function () {
        line.quantity = parseInt(qty.value, 10) || 0;
        renderCart();
      });
      var cell = el("td"); cell.appendChild(qty); row.appendChild(cell);
      var remove = el("button", "削除"); remove.type = "button";
      remove.addEventListener("click", function () { delete cart[id]; renderCart(); });
      cell = el("td"); cell.appendChild(remove); row.appendChild(cell);
      tbody.appendChild(row);
      total += (line.fee || 0) * line.quantity;
      count += line.quantity;
    });
    document.getElementById("cart-total").textContent = yen(total);
    document.getElementById("cart-count").textContent = count + "点" + (count > 10 ? "（10点まで）" : "");
  }

  function renderHits(items) {
    var list = document.getElementById("item-results");
    list.replaceChildren();
    if (!items.length) { list.appendChild(el("li", "該当する品目がありません。")); }
    items.forEach(function (item) {
      var li = el("li");
      li.appendChild(el("span", item.explanation));
      if (item.accepted) {
        var add = el("button", "追加"); add.type = "button";
        add.addEventListener("click", function () {
          var line = cart[item.id] || {name: item.name, fee: item.fee_yen, quantity: 0};
          line.quantity += 1;
          cart[item.id] = line;
          renderCart();
        });
        li.appendChild(add);
      } else {
        li.className = "refused";
      }
      list.appendChild(li);
    });
  }

  function searchItems() {
    var q = document.getElementById("item-query").value;
    getJSON("/api/v1/items?q=" + encodeURIComponent(q)).then(function (res) {
      if (!res.ok) { showError(messageOf(res.body)); return; }
      showError("");
      renderHits(res.body.items);
    });
  }
  document.getElementById("item-search").addEventListener("click", searchItems);
  document.getElementById("item-query").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); searchItems(); }
  });

  // ---------- place and free days ----------
  function loadDays() {
    var lon = document.getElementById("lon").value, lat = document.getElementById("lat").value;
    var select = document.getElementById("service-date");
    var zone = document.getElementById("zone-name");
    select.replaceChildren(el("option", "（読み込み中…）"));
    getJSON("/api/v1/calendar?lon=" + encodeURIComponent(lon) + "&lat=" + encodeURIComponent(lat))
      .then(function (res) {
        select.replaceChildren();
        if (!res.ok) { zone.textContent = ""; showError(messageOf(res.body)); return; }
        showError("");
        zone.textContent = res.body.zone + "（" + res.body.days.length + "日空きあり）";
        if (!res.body.days.length) { select.appendChild(el("option", "空きのある収集日がありません")); }
        res.body.days.forEach(function (day) {
          var parts = day.date.split("-");
          var option = el("option", parseInt(parts[1], 10) + "月" + parseInt(parts[2], 10) + "日（" +
                          day.weekday + "） 残り" + day.free + "枠");
          option.value = day.date;
          select.appendChild(option);
        });
      });
  }
  document.getElementById("load-days").addEventListener("click", loadDays);

  function setupMap() {
    var box = document.getElementById("pb-map");
    if (typeof L === "undefined") { return; }
    box.hidden = false;
    var map = L.map(box);
    MachiBasemap.addFromElement(map, form);
    var marker = null;
    getJSON("/api/v1/town").then(function (res) {
      var b = res.ok ? res.body.bbox : [139.36, 35.68, 139.45, 35.73];
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    });
    map.on("click", function (event) {
      document.getElementById("lon").value = event.latlng.lng.toFixed(6);
      document.getElementById("lat").value = event.latlng.lat.toFixed(6);
      if (marker) { marker.setLatLng(event.latlng); } else { marker = L.marker(event.latlng).addTo(map); }
      loadDays();
    });
  }

  // ---------- submit and receipt ----------
  function showReceipt(b) {
    document.getElementById("r-no").textContent = b.receipt_no;
    document.getElementById("r-date").textContent = b.service_date;
    document.getElementById("r-zone").textContent = b.zone;
    var place = b.whereabouts || {};
    document.getElementById("r-address-line").textContent = place.address_line || "";
    document.getElementById("r-put-out-place").textContent = place.put_out_text || "";
    document.getElementById("r-items").textContent = b.items.map(function (i) {
      return i.name + "×" + i.quantity;
    }).join("、");
    document.getElementById("r-fee").textContent = yen(b.fee_total_yen);
    document.getElementById("r-tickets").textContent = b.tickets.instructions;
    document.getElementById("r-deadline").textContent = new Date(b.change_deadline).toLocaleString("ja-JP");
    var list = document.getElementById("r-put-out");
    list.replaceChildren();
    b.put_out_instructions.forEach(function (line) { list.appendChild(el("li", line)); });
    form.hidden = true;
    document.getElementById("pb-receipt").hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError("");  // a stale refusal must not stay beside a corrected form
    var body = {
      lon: parseFloat(document.getElementById("lon").value),
      lat: parseFloat(document.getElementById("lat").value),
      service_date: document.getElementById("service-date").value,
      items: Object.keys(cart).map(function (id) {
        return {item_id: parseInt(id, 10), quantity: cart[id].quantity};
      }),
      name: document.getElementById("name").value,
      phone: document.getElementById("phone").value,
      address: document.getElementById("address").value || null,
      address_line: document.getElementById("address-line").value,
      put_out: document.getElementById("put-out").value || null,
      put_out_note: document.getElementById("put-out-note").value || null,
      note: document.getElementById("note").value || null
    };
    fetch("/api/v1/bookings", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (r.status === 201) { showError(""); showReceipt(data); } else { showError(messageOf(data), fieldOf(data)); }
      });
    }).catch(function () { showError("通信できませんでした。もう一度お試しください。"); });
  });

  document.getElementById("pb-again").addEventListener("click", function () { location.reload(); });
  setupMap();
})();

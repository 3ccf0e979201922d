/* The resident's web bulky-waste booking (/r/bulky): the LINE dialogue's questions, one a step.
 * Steps: map pin (tap or current position; its zone and free days from /api/v1/calendar) ->
 * address line and put-out place -> items (kana search with /api/v1/items, quantities, the
 * running fee) -> a free day -> name and phone -> confirm. The server checks everything again;
 * its refusals come back next to their fields and the page opens at the first step with one.
 * Text from the server goes into the page through textContent only (machi_common.js). */
(function () {
  "use strict";

  var form = document.getElementById("b-form");
  if (!form) { return; }
  var M = window.Machi;
  var el = M.el, fill = M.fill;
  var msg = JSON.parse(document.getElementById("r-messages").textContent);
  var cart = JSON.parse(document.getElementById("b-cart-data").textContent);
  var steps = Array.prototype.slice.call(form.querySelectorAll(".r-step"));
  var lonInput = document.getElementById("r-lon");
  var latInput = document.getElementById("r-lat");
  var placeText = document.getElementById("r-place");
  var maxItems = parseInt(form.dataset.maxItems, 10);
  var wantedDay = form.dataset.date || "";
  var place = {state: "none", key: "", zone: "", days: []};  // none | checking | inside | outside | failed

  function value(id) { return document.getElementById(id).value.trim(); }
  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }
  function setError(field, text) {
    var node = document.getElementById("err-" + field);
    if (!node) { return; }
    node.textContent = text || "";
    node.hidden = !text;
  }
  function need(field, ok, text) { setError(field, ok ? "" : text); return ok; }
  function yen(fee) { return fee === null || fee === undefined ? msg.fee_on_request : fill(msg.fee, {fee: fee.toLocaleString("ja-JP")}); }

  var checks = {
    place: function () {
      if (!lonInput.value || !latInput.value) { return need("location", false, msg.location); }
      return place.state === "inside";
    },
    where: function () {
      var ok = need("address_line", !!value("address_line"), msg.address_line);
      ok = need("put_out", !!checked("put_out"), msg.put_out) && ok;
      var noteNeeded = checked("put_out") === "other" && !value("put_out_note");
      return need("put_out_note", !noteNeeded, msg.put_out_note) && ok;
    },
    items: function () { return need("items", cart.length > 0, msg.items); },
    day: function () { return need("service_date", !!checked("service_date"), msg.day); },
    contact: function () {
      var ok = need("name", !!value("name"), msg.name);
      return need("phone", !!value("phone"), msg.phone) && ok;
    },
    confirm: function () { return true; },
  };

  // ---------- steps, map and zone (resident_pin.js) ----------
  var stepper = window.MachiResident.steps(form, msg, function (name) { return checks[name](); }, function (name) {
    if (name === "place") { pinMap.show(); }
    if (name === "confirm") { renderSummary(); }
  });
  var pinMap = window.MachiResident.pinMap(form, {msg: msg, setError: setError, zoom: 17, onPin: checkPlace});

  function checkPlace() {
    var key = lonInput.value + "|" + latInput.value;
    place = {state: "checking", key: key, zone: "", days: []};
    placeText.textContent = msg.checking;
    var query = "lon=" + encodeURIComponent(lonInput.value) + "&lat=" + encodeURIComponent(latInput.value);
    fetch("/api/v1/calendar?" + query, {credentials: "same-origin"}).then(function (response) {
      if (response.status === 422) {
        return response.json().then(function (body) { return {outside: body.message || msg.location}; });
      }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (answer) {
      if (place.key !== key) { return; }  // the pin moved meanwhile
      if (answer.outside) {
        place.state = "outside";
        placeText.textContent = "";
        setError("location", answer.outside);
      } else {
        place = {state: "inside", key: key, zone: answer.zone, days: answer.days};
        placeText.textContent = fill(msg.zone_found, {zone: answer.zone});
        setError("location", "");
      }
      renderDays();
    }).catch(function () {
      if (place.key !== key) { return; }
      place.state = "failed";
      placeText.textContent = "";
      setError("location", msg.check_failed);
    });
  }

  // ---------- items and the running fee ----------
  var hits = document.getElementById("b-hits");
  var searchState = document.getElementById("b-search-state");
  function count() { return cart.reduce(function (n, line) { return n + line.quantity; }, 0); }
  function search() {
    var query = value("b-query");
    hits.replaceChildren();
    if (!query) { searchState.textContent = msg.query; return; }
    searchState.textContent = msg.searching;
    fetch("/api/v1/items?q=" + encodeURIComponent(query), {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (answer) {
      searchState.textContent = answer.items.length ? "" : fill(msg.no_hits, {query: query});
      answer.items.forEach(function (item) { hits.appendChild(hitRow(item)); });
    }).catch(function () { searchState.textContent = msg.search_failed; });
  }
  function hitRow(item) {
    var li = el("li", "b-hit" + (item.accepted ? "" : " b-refused"));
    var text = el("span", "b-hit-name", item.accepted ? item.name + " " + yen(item.fee_yen) : item.explanation);
    li.appendChild(text);
    if (item.accepted) {
      var add = el("button", "r-button b-add", msg.add);
      add.type = "button";
      add.addEventListener("click", function () { addItem(item); });
      li.appendChild(add);
    }
    return li;
  }
  function addItem(item) {
    if (count() >= maxItems) { setError("items", fill(msg.max_items, {max: maxItems})); return; }
    var line = cart.filter(function (l) { return l.id === item.id; })[0];
    if (line) { line.quantity += 1; } else { cart.push({id: item.id, name: item.name, fee_yen: item.fee_yen, quantity: 1}); }
    setError("items", "");
    renderCart();
  }
  function quantitySelect(line) {
    var select = el("select", "b-qty");
    select.setAttribute("aria-label", line.name);
    var most = maxItems - count() + line.quantity;
    for (var n = 1; n <= Math.max(most, line.quantity); n += 1) {
      var option = el("option", null, n);
      option.value = String(n);
      option.selected = n === line.quantity;
      select.appendChild(option);
    }
    select.addEventListener("change", function () { line.quantity = parseInt(select.value, 10); renderCart(); });
    return select;
  }
  function renderCart() {
    var list = document.getElementById("b-cart");
    var inputs = document.getElementById("b-cart-inputs");
    list.replaceChildren();
    inputs.replaceChildren();
    var total = 0;
    cart.forEach(function (line, index) {
      total += (line.fee_yen || 0) * line.quantity;
      var li = el("li", "b-line");
      li.appendChild(el("span", "b-line-name", line.name + " " + yen(line.fee_yen)));
      li.appendChild(quantitySelect(line));
      var remove = el("button", "r-button b-remove", msg.remove);
      remove.type = "button";
      remove.addEventListener("click", function () { cart.splice(index, 1); renderCart(); });
      li.appendChild(remove);
      list.appendChild(li);
      [["item_id", line.id], ["quantity", line.quantity]].forEach(function (pair) {
        var input = el("input");
        input.type = "hidden"; input.name = pair[0]; input.value = String(pair[1]);
        inputs.appendChild(input);
      });
    });
    document.getElementById("b-total").textContent = cart.length ? fill(msg.total, {total: total.toLocaleString("ja-JP")}) : "";
  }
  document.getElementById("b-search").addEventListener("click", search);
  document.getElementById("b-query").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); }
  });

  // ---------- days ----------
  function dayLabel(day) {
    var parts = day.date.split("-");
    return parseInt(parts[1], 10) + "月" + parseInt(parts[2], 10) + "日（" + day.weekday + "）";
  }
  function renderDays() {
    var box = document.getElementById("b-days");
    var keep = checked("service_date") || wantedDay;
    box.replaceChildren();
    if (place.state === "inside" && !place.days.length) { box.appendChild(el("p", "r-notice", msg.no_days)); }
    place.days.forEach(function (day) {
      var label = el("label", "r-choice");
      var input = el("input");
      input.type = "radio"; input.name = "service_date"; input.value = day.date;
      input.checked = day.date === keep;
      label.appendChild(input);
      label.appendChild(el("span", null, dayLabel(day) + " " + fill(msg.free, {free: day.free})));
      box.appendChild(label);
    });
  }

  // ---------- confirm ----------
  function row(list, label, text) {
    list.appendChild(el("dt", null, label));
    list.appendChild(el("dd", null, text));
  }
  function renderSummary() {
    var list = document.getElementById("r-summary");
    var putOut = form.querySelector('input[name="put_out"]:checked');
    var day = place.days.filter(function (d) { return d.date === checked("service_date"); })[0];
    var total = cart.reduce(function (n, l) { return n + (l.fee_yen || 0) * l.quantity; }, 0);
    list.replaceChildren();
    row(list, msg.label_place, place.zone || msg.map_point);
    row(list, msg.label_address, value("address_line"));
    row(list, msg.label_put_out, (putOut ? putOut.parentNode.textContent.trim() : "") +
      (value("put_out_note") ? "（" + value("put_out_note") + "）" : ""));
    row(list, msg.label_items, cart.map(function (l) { return fill(msg.item_row, l); }).join("\n"));
    row(list, msg.label_total, fill(msg.total, {total: total.toLocaleString("ja-JP")}));
    row(list, msg.label_day, day ? dayLabel(day) : checked("service_date"));
    row(list, msg.label_name, value("name"));
    row(list, msg.label_phone, value("phone"));
  }

  form.addEventListener("submit", function (event) {
    for (var i = 0; i < steps.length; i += 1) {
      if (!checks[steps[i].dataset.step]()) { event.preventDefault(); stepper.show(i); return; }
    }
    document.getElementById("r-send").disabled = true;
    document.getElementById("r-sending").hidden = false;
  });

  // ---------- start: at the first step the server found a problem in ----------
  renderCart();
  if (stepper.start() !== "place" && lonInput.value && latInput.value) { checkPlace(); }
}());

/* The resident's web report form (/r/road, /r/disaster): one question at a time, like LINE.
 * Steps: category (+ 人命 for disasters) -> map pin (tap or current position; checked with
 * /r/place: outside the town is refused, open reports nearby can be joined) -> photos ->
 * description -> confirm. The server checks everything again; its errors come back next to
 * their fields and the form opens at the first step that has one. Text from the server goes
 * into the page through textContent only. */
(function () {
  "use strict";

  var form = document.getElementById("r-form");
  if (!form) { return; }
  var M = window.Machi;  // machi_common.js: text-only DOM helpers, template filling
  var el = M.el, fill = M.fill;
  var msg = JSON.parse(document.getElementById("r-messages").textContent);
  var steps = Array.prototype.slice.call(form.querySelectorAll(".r-step"));
  var lonInput = document.getElementById("r-lon");
  var latInput = document.getElementById("r-lat");
  var placeText = document.getElementById("r-place");
  var maxPhotos = parseInt(form.dataset.maxPhotos, 10);
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var place = {state: "none", checkedFor: "", district: ""};  // state: none | checking | inside | outside | failed

  function errorOf(field) { return document.getElementById("err-" + field); }
  function setError(field, text) {
    var node = errorOf(field);
    if (!node) { return; }
    node.textContent = text || "";
    node.hidden = !text;
  }
  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }
  function categoryName() {
    var input = form.querySelector('input[name="category"]:checked');
    return input ? input.parentNode.textContent.trim() : "";
  }

  // ---------- steps (resident_pin.js) ----------
  var stepper = window.MachiResident.steps(form, msg, stepOk, function (name) {
    if (name === "place") { pinMap.show(); }
    if (name === "confirm") { renderSummary(); }
  });

  function stepOk(name) {
    if (name === "category") {
      var ok = true;
      setError("category", checked("category") ? "" : msg.category);
      ok = !!checked("category");
      if (form.dataset.flow === "disaster") {
        setError("urgent", checked("urgent") ? "" : msg.urgent);
        ok = ok && !!checked("urgent");
      }
      return ok;
    }
    if (name === "place") {
      if (!lonInput.value || !latInput.value) { setError("location", msg.location); return false; }
      return place.state === "inside";
    }
    if (name === "photos") { return checkPhotos(); }
    return true;
  }

  // ---------- category / urgent ----------
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "category") {
      setError("category", "");
      if (lonInput.value) { checkPlace(); }  // nearby reports depend on the category
    }
    if (target.name === "urgent") {
      setError("urgent", "");
      document.getElementById("r-urgent-advice").hidden = target.value !== "y";
    }
  });

  // ---------- map (resident_pin.js) ----------
  var pinMap = window.MachiResident.pinMap(form, {
    msg: msg, setError: setError, zoom: 16, onPin: checkPlace,
    onMap: function (map) {
      // District outlines: orientation even where the tiles do not load (offline, slow network).
      fetch("/api/v1/districts", {credentials: "same-origin"}).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (districts) {
        if (districts) {
          L.geoJSON(districts, {interactive: false, style: {color: "#1f4e79", weight: 1, opacity: 0.5, fillOpacity: 0.03}}).addTo(map);
        }
      }).catch(function () { /* the map works without them */ });
    },
  });

  function checkPlace() {
    var category = checked("category");
    if (!category || !lonInput.value) { return; }
    var key = [category, lonInput.value, latInput.value].join("|");
    place = {state: "checking", checkedFor: key, district: ""};
    placeText.textContent = msg.checking;
    var query = "category=" + encodeURIComponent(category) + "&lon=" + lonInput.value +
      "&lat=" + latInput.value;
    fetch("/r/place?" + query, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (answer) {
      if (place.checkedFor !== key) { return; }  // the pin moved meanwhile
      place.state = answer.inside ? "inside" : "outside";
      place.district = answer.district || "";
      placeText.textContent = answer.inside ? answer.message : "";
      setError("location", answer.inside ? "" : answer.message);
      renderNearby(answer.inside ? answer : {nearby: []});
    }).catch(function () {
      if (place.checkedFor !== key) { return; }
      place.state = "failed";
      placeText.textContent = "";
      setError("location", msg.check_failed);
    });
  }

  function radio(value, label, isChecked) {
    var wrap = el("label", "r-choice");
    var input = el("input");
    input.type = "radio"; input.name = "attach"; input.value = value; input.checked = isChecked;
    wrap.appendChild(input);
    wrap.appendChild(el("span", null, label));
    return wrap;
  }
  function renderNearby(answer) {
    var box = document.getElementById("r-nearby");
    var list = document.getElementById("r-nearby-list");
    var wanted = checked("attach") || form.dataset.attach || "";
    list.replaceChildren();
    box.hidden = !answer.nearby.length;
    if (!answer.nearby.length) { return; }
    document.getElementById("r-nearby-title").textContent = answer.nearby_message;
    var known = false;
    answer.nearby.forEach(function (report) {
      known = known || report.receipt_no === wanted;
      list.appendChild(radio(report.receipt_no, fill(msg.attach, report), report.receipt_no === wanted));
    });
    list.appendChild(radio("", msg.separate, !known));
  }

  // ---------- photos ----------
  var photoInput = document.getElementById("r-photos");
  function checkPhotos() {
    var files = Array.prototype.slice.call(photoInput.files || []);
    var problem = "";
    if (files.length > maxPhotos) {
      problem = fill(msg.too_many_photos, {max_photos: maxPhotos});
    }
    files.forEach(function (file, i) {
      if (problem) { return; }
      if (file.type && file.type.indexOf("image/") !== 0) {
        problem = fill(msg.photo_not_image, {number: i + 1});
      } else if (file.size > maxBytes) {
        problem = fill(msg.photo_too_large, {number: i + 1, max_mb: msg.max_mb});
      }
    });
    setError("photos", problem);
    return !problem;
  }
  function renderPhotos() {
    var previews = document.getElementById("r-previews");
    var files = photoInput.files || [];
    previews.replaceChildren();
    Array.prototype.slice.call(files, 0, maxPhotos).forEach(function (file) {
      if (!file.type || file.type.indexOf("image/") !== 0) { return; }
      var img = el("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      previews.appendChild(img);
    });
    document.getElementById("r-photo-count").textContent =
      files.length ? fill(msg.photos_chosen, {count: files.length}) : "";
    document.getElementById("r-photos-clear").hidden = !files.length;
    checkPhotos();
  }
  photoInput.addEventListener("change", renderPhotos);
  document.getElementById("r-photos-clear").addEventListener("click", function () {
    photoInput.value = "";
    renderPhotos();
  });

  // ---------- confirm ----------
  function row(list, label, value) {
    list.appendChild(el("dt", null, label));
    list.appendChild(el("dd", null, value));
  }
  function renderSummary() {
    var list = document.getElementById("r-summary");
    list.replaceChildren();
    row(list, msg.label_category, categoryName());
    if (form.dataset.flow === "disaster") {
      row(list, msg.label_urgent, checked("urgent") === "y" ? msg.urgent_yes : msg.urgent_no);
    }
    row(list, msg.label_place, place.district || msg.map_point);
    var count = Math.min((photoInput.files || []).length, maxPhotos);
    row(list, msg.label_photos, fill(msg.photo_count, {count: count}));
    var description = document.getElementById("r-description").value.trim();
    row(list, msg.label_description, description || msg.none);
    if (checked("attach")) { row(list, msg.label_attach, checked("attach")); }
  }

  form.addEventListener("submit", function (event) {
    for (var i = 0; i < steps.length; i += 1) {
      if (!stepOk(steps[i].dataset.step)) { event.preventDefault(); stepper.show(i); return; }
    }
    document.getElementById("r-send").disabled = true;
    document.getElementById("r-sending").hidden = false;
  });

  // ---------- start: at the first step the server found a problem in ----------
  if (stepper.start() !== "place" && lonInput.value && latInput.value) { checkPlace(); }
}());

/* The resident forms' shared parts (/r/road, /r/disaster, /r/bulky): the steps shown one at a
 * time, and the map where the resident sets a pin (tap, or 「現在地」 from the phone's
 * position) into the hidden r-lon / r-lat inputs. Each form says what a pin means (a place
 * check, a collection zone) through its callbacks. */
(function () {
  "use strict";

  var fill = window.Machi.fill;

  /* Show one .r-step of ``form`` at a time with r-back / r-next / r-progress.
   * ``ok(name)`` says whether the current step may be left forward; ``onShow(name)`` runs
   * after a step is shown. Returns {show(index), start()}: start opens the form at the first
   * step holding an error from the server (else the first) and returns that step's name. */
  function steps(form, msg, ok, onShow) {
    var all = Array.prototype.slice.call(form.querySelectorAll(".r-step"));
    var back = document.getElementById("r-back");
    var next = document.getElementById("r-next");
    var progress = document.getElementById("r-progress");
    var current = 0;

    function show(index) {
      current = Math.max(0, Math.min(index, all.length - 1));
      all.forEach(function (step, i) { step.hidden = i !== current; });
      back.hidden = current === 0;
      next.hidden = current === all.length - 1;
      progress.textContent = fill(msg.progress, {n: current + 1, total: all.length});
      onShow(all[current].dataset.step);
      window.scrollTo(0, 0);
    }
    next.addEventListener("click", function () {
      if (ok(all[current].dataset.step)) { show(current + 1); }
    });
    back.addEventListener("click", function () { show(current - 1); });
    function start() {
      document.getElementById("r-nav").hidden = false;
      progress.hidden = false;
      var first = 0;
      for (var i = 0; i < all.length; i += 1) {
        if (all[i].querySelector('.r-error[data-field]:not([hidden])')) { first = i; break; }
      }
      show(first);
      return all[first].dataset.step;
    }
    return {show: show, start: start};
  }

  /* The pin map of ``form`` (data-bbox: the town's box; data-basemap: MachiBasemap).
   * opts: msg (locating, locate_failed), setError(field, text), zoom (when centring on a
   * pin), onPin() after the pin moved, onMap(map) once the map exists.
   * Returns {show: draw the map when its step opens}. */
  function pinMap(form, opts) {
    var lonInput = document.getElementById("r-lon");
    var latInput = document.getElementById("r-lat");
    var placeText = document.getElementById("r-place");
    var map = null, marker = null;

    function bounds() {
      var b = form.dataset.bbox.split(",").map(parseFloat);  // min lon, min lat, max lon, max lat
      return [[b[1], b[0]], [b[3], b[2]]];
    }
    function setPin(lat, lon, centre) {
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
      if (map) {
        if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
        if (centre) { map.setView([lat, lon], Math.max(map.getZoom(), opts.zoom)); }
      }
      opts.setError("location", "");
      opts.onPin();
    }
    function show() {
      if (map || typeof L === "undefined") { if (map) { map.invalidateSize(); } return; }
      map = L.map("r-map", {tap: true});
      MachiBasemap.addFromElement(map, form);
      map.fitBounds(bounds());
      if (opts.onMap) { opts.onMap(map); }
      map.on("click", function (event) { setPin(event.latlng.lat, event.latlng.lng, false); });
      if (lonInput.value && latInput.value) {
        setPin(parseFloat(latInput.value), parseFloat(lonInput.value), true);
      }
    }
    document.getElementById("r-locate").addEventListener("click", function () {
      if (!navigator.geolocation) { opts.setError("location", opts.msg.locate_failed); return; }
      placeText.textContent = opts.msg.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        setPin(position.coords.latitude, position.coords.longitude, true);
      }, function () {
        placeText.textContent = "";
        opts.setError("location", opts.msg.locate_failed);
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 10000});
    });
    return {show: show};
  }

  window.MachiResident = Object.freeze({steps: steps, pinMap: pinMap});
}());

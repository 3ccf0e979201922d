/* The LINE simulator's datetimepicker: LINE opens its own picker limited to min..max and sends
 * a postback carrying the action's data and, in postback.params, the value under the action's
 * mode (date 2026-12-22, time 09:30, datetime 2026-12-22T09:30). Loaded before simulator.js,
 * which calls window.machiSimPicker(onPick) and gets open(action) back. */
(function () {
  "use strict";

  var INPUT_TYPES = {date: "date", time: "time", datetime: "datetime-local"};

  window.machiSimPicker = function (onPick) {
    var texts = JSON.parse(document.getElementById("sim-texts").textContent);
    var dialog = document.getElementById("sim-picker");
    var input = document.getElementById("sim-picker-input");
    var send = document.getElementById("sim-picker-send");
    var current = null;

    function setLimit(name, value) {
      if (value) { input.setAttribute(name, value); } else { input.removeAttribute(name); }
    }
    function check() {
      send.disabled = !input.value || !input.checkValidity();  // empty, or outside min..max
    }
    function rangeText(action) {
      if (!action.min || !action.max) { return ""; }
      return texts.pick_range.replace("{min}", action.min).replace("{max}", action.max);
    }
    function open(action) {
      if (!INPUT_TYPES[action.mode]) { return false; }
      current = action;
      input.type = INPUT_TYPES[action.mode];
      setLimit("min", action.min);
      setLimit("max", action.max);
      input.value = action.initial || "";
      document.getElementById("sim-picker-title").textContent = action.label || texts.pick;
      document.getElementById("sim-picker-kind").textContent = texts.pick_kinds[action.mode];
      document.getElementById("sim-picker-range").textContent = rangeText(action);
      check();
      dialog.showModal();
      return true;
    }

    input.addEventListener("input", check);
    input.addEventListener("change", check);
    document.getElementById("sim-picker-cancel").addEventListener("click", function () {
      dialog.close();  // like closing LINE's picker: nothing is sent, the quick replies stay
    });
    send.addEventListener("click", function () {
      check();
      if (!current || send.disabled) { return; }
      dialog.close();
      onPick(current, input.value);
    });
    return open;
  };
}());

/* Segment push form: pick a whole 町 at once, count the chosen 丁目 and the characters left.
 * The form works without this script; it only saves clicks. */
(function () {
  "use strict";
  var form = document.getElementById("push-form");
  if (!form) { return; }
  var counter = document.getElementById("chosen-count");
  var body = document.getElementById("push-body");
  var max = Number(body.getAttribute("maxlength"));

  function boxes(fieldset) { return fieldset.querySelectorAll('input[name="district"]'); }

  function refresh() {
    form.querySelectorAll("fieldset").forEach(function (fieldset) {
      var all = fieldset.querySelector(".town-all");
      var chosen = Array.prototype.filter.call(boxes(fieldset), function (b) { return b.checked; });
      all.checked = chosen.length === boxes(fieldset).length;
      all.indeterminate = chosen.length > 0 && !all.checked;
    });
    var n = form.querySelectorAll('input[name="district"]:checked').length;
    var left = max - body.value.trim().length;
    counter.textContent = "選択中の町丁目 " + n + "・本文 あと " + left + " 文字";
  }

  form.addEventListener("change", function (event) {
    if (event.target.classList.contains("town-all")) {
      boxes(event.target.closest("fieldset")).forEach(function (b) { b.checked = event.target.checked; });
    }
    refresh();
  });
  body.addEventListener("input", refresh);
  refresh();
})();

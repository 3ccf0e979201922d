/* A crew stop's point on our own vector tiles (crew/map.html): the map works without the
 * internet, as long as the phone reaches the Machi server. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("crew-map");
    var here = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
    var map = L.map(box, {zoomControl: true}).setView(here, 18);
    window.MachiBasemap.addFromElement(map, box);
    L.circleMarker(here, {radius: 12, color: "#c2185b", weight: 4, fill: false}).addTo(map);
    L.circleMarker(here, {radius: 4, stroke: false, fillColor: "#c2185b", fillOpacity: 1})
      .bindTooltip(box.dataset.label, {permanent: true, direction: "top", offset: [0, -12]})
      .addTo(map);
    L.control.scale({imperial: false}).addTo(map);
  });
})();

/* gridgov — draws grid-cell polygons with Leaflet on a plain background (no tiles).
   The GeoJSON comes from a json_script element named by data-source. */
(function () {
  "use strict";

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text || "";
    return span;
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-source"));
    if (!source || typeof L === "undefined") return;
    var data = JSON.parse(source.textContent);
    var map = L.map(container, {
      attributionControl: false,
      zoomSnap: 0.25,
      scrollWheelZoom: false,
    });
    var layer = L.geoJSON(data, {
      style: function () {
        return { color: "#0b5cad", weight: 2, fillColor: "#5b9bd5", fillOpacity: 0.25 };
      },
      onEachFeature: function (feature, cell) {
        var props = feature.properties || {};
        cell.bindTooltip(label(props.name), { permanent: true, direction: "center", className: "cell-label" });
        if (props.url) {
          cell.on("click", function () { window.location.assign(props.url); });
        }
      },
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16] });
    } else {
      map.setView([31.0, 120.0], 12);
    }
  }

  document.querySelectorAll("[data-orgmap]").forEach(draw);
})();

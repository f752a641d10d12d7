/* gridgov — register maps: grid cells on a plain background (no tiles), a building's or
   place's point and, on the create forms, a tap that places the point and fills the
   latitude and longitude fields. The data comes from a json_script element named by
   data-source: {"cells": GeoJSON FeatureCollection, "point": [lat, lng] | null}. */
(function () {
  "use strict";

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text || "";
    return span;
  }

  function number(value) {
    var n = parseFloat(value);
    return isFinite(n) ? n : null;
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-source"));
    if (!source || typeof L === "undefined") return;
    var data = JSON.parse(source.textContent);
    var map = L.map(container, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    var cells = L.geoJSON(data.cells || { type: "FeatureCollection", features: [] }, {
      interactive: false,
      style: function () {
        return { color: "#0b5cad", weight: 2, fillColor: "#5b9bd5", fillOpacity: 0.2 };
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        layer.bindTooltip(label(props.label || props.name), {
          permanent: true, direction: "center", className: "cell-label",
        });
      },
    }).addTo(map);

    var marker = null;
    function place(lat, lng) {
      if (marker) {
        marker.setLatLng([lat, lng]);
      } else {
        marker = L.circleMarker([lat, lng], {
          radius: 8, color: "#b42318", weight: 3, fillColor: "#b42318", fillOpacity: 0.7,
        }).addTo(map);
      }
    }

    // The map needs a view before a marker can be added to it.
    var point = data.point || [];
    var lat = number(point[0]);
    var lng = number(point[1]);
    function fit() {
      var bounds = cells.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [16, 16] });
      } else if (lat !== null && lng !== null) {
        map.setView([lat, lng], 16);
      } else {
        map.setView([31.0, 120.0], 12);
      }
    }
    fit();
    if (lat !== null && lng !== null) place(lat, lng);

    // A map in a closed <details> has no size until it is opened.
    var details = container.closest("details");
    if (details) {
      details.addEventListener("toggle", function () {
        if (!details.open) return;
        map.invalidateSize();
        fit();
      });
    }

    if (!container.hasAttribute("data-pick")) return;
    var form = container.closest("form");
    var latInput = form && form.querySelector("[data-lat]");
    var lngInput = form && form.querySelector("[data-lng]");
    if (!latInput || !lngInput) return;
    map.on("click", function (event) {
      place(event.latlng.lat, event.latlng.lng);
      latInput.value = event.latlng.lat.toFixed(6);
      lngInput.value = event.latlng.lng.toFixed(6);
    });
    function typed() {
      var typedLat = number(latInput.value);
      var typedLng = number(lngInput.value);
      if (typedLat !== null && typedLng !== null) place(typedLat, typedLng);
    }
    latInput.addEventListener("change", typed);
    lngInput.addEventListener("change", typed);
  }

  document.querySelectorAll("[data-register-map]").forEach(draw);
})();

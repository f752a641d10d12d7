/* gridgov — event pages: the two-level category picker, the "fixed on the spot" box, an
   idempotency key per report, the phone's location with a tap-the-map fallback (Leaflet on
   grid polygons, no tiles), the map of an event's place and the map of open events.
   No inline scripts: the CSP forbids them. Map data comes from json_script elements. */
(function () {
  "use strict";

  var KEY_PREFIX = "gridgov-idempotency:";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function hasLeaflet() {
    return typeof L !== "undefined";
  }

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  // --- Idempotency keys ----------------------------------------------------------------
  // One key per report form, kept in sessionStorage until the report is confirmed, so that
  // sending again after a network failure (even after reloading the page) creates nothing new.

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function forgetKeys() {
    var store = storage();
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var name = store.key(i);
      if (name && name.indexOf(KEY_PREFIX) === 0) store.removeItem(name);
    }
  }

  if (new URLSearchParams(window.location.search).get("sent") === "1") forgetKeys();

  document.querySelectorAll("input[data-idempotency-key]").forEach(function (input) {
    var store = storage();
    var name = KEY_PREFIX + (input.form ? input.form.getAttribute("action") : "");
    var key = input.value || (store && store.getItem(name)) || newKey();
    input.value = key;
    if (store) store.setItem(name, key);
  });

  // A report is sent once per tap: the button waits for the answer.
  document.querySelectorAll("form[data-report-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button) return;
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = form.getAttribute("data-submitting") || button.textContent;
      }, 0);
    });
  });

  // --- Category picker: domain, then its categories ------------------------------------------

  document.querySelectorAll("select[data-category-select]").forEach(function (select) {
    var form = select.form;
    var domainSelect = form && form.querySelector("select[data-domain-select]");
    var fixBox = form && form.querySelector("[data-fixable-box]");
    var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (group) {
      var first = group.querySelector("option");
      return { node: group, domain: first ? first.getAttribute("data-domain") : "" };
    });

    function narrow() {
      if (!domainSelect) return;
      var domain = domainSelect.value;
      groups.forEach(function (group) {
        var show = !domain || group.domain === domain;
        if (show && !group.node.parentNode) select.appendChild(group.node);
        if (!show && group.node.parentNode) {
          if (group.node.contains(select.selectedOptions[0])) select.value = "";
          select.removeChild(group.node);
        }
      });
      // Keep the optgroups in their original order.
      groups.forEach(function (group) { if (group.node.parentNode) select.appendChild(group.node); });
    }

    function fixable() {
      if (!fixBox) return;
      var option = select.selectedOptions[0];
      var show = !!(option && option.getAttribute("data-fixable"));
      fixBox.hidden = !show;
      if (!show) {
        var box = fixBox.querySelector("input[type=checkbox]");
        if (box) box.checked = false;
      }
    }

    if (domainSelect) {
      var chosen = select.selectedOptions[0];
      if (chosen && chosen.value && !domainSelect.value) domainSelect.value = chosen.getAttribute("data-domain");
      domainSelect.addEventListener("change", function () { narrow(); fixable(); });
      narrow();
    }
    select.addEventListener("change", fixable);
    fixable();
  });

  // --- Maps ---------------------------------------------------------------------------------

  function baseMap(container) {
    return L.map(container, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
  }

  // Built first, added after the map has its view: Leaflet clips paths against a view.
  function cellsLayer(cells) {
    return L.geoJSON(cells || { type: "FeatureCollection", features: [] }, {
      style: function () {
        return { color: "#0b5cad", weight: 1.5, fillColor: "#5b9bd5", fillOpacity: 0.15 };
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        var span = document.createElement("span");
        span.textContent = props.name || "";
        layer.bindTooltip(span, { direction: "center", className: "cell-label" });
      },
    });
  }

  function fit(map, bounds, fallback) {
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    } else {
      map.setView(fallback || [31.0, 120.0], fallback ? 16 : 11);
    }
  }

  // Cells are drawn from this zoom on; further out, a street-level grid is unreadable anyway.
  var NEARBY_ZOOM = 14;
  var MAX_SPAN = 0.2;

  function loadNearbyCells(map, layer, url) {
    if (map.getZoom() < NEARBY_ZOOM - 1) return;
    var b = map.getBounds();
    var west = b.getWest(), south = b.getSouth(), east = b.getEast(), north = b.getNorth();
    if (east - west > MAX_SPAN || north - south > MAX_SPAN) {
      var c = b.getCenter();
      west = c.lng - MAX_SPAN / 2; east = c.lng + MAX_SPAN / 2;
      south = c.lat - MAX_SPAN / 2; north = c.lat + MAX_SPAN / 2;
    }
    var query = [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
    fetch(url + "?bbox=" + query, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (cells) {
        if (!cells) return;
        layer.clearLayers();
        layer.addData(cells);
      })
      .catch(function () { /* the map works without the cells: a tap still places the point */ });
  }

  // Where the report is: the phone's location, or a tap on the map.
  document.querySelectorAll("[data-location]").forEach(function (section) {
    var form = section.closest("form");
    if (!form) return;
    var lat = form.querySelector("input[data-lat]");
    var lng = form.querySelector("input[data-lng]");
    var status = section.querySelector("[data-location-status]");
    var container = section.querySelector("[data-pointpicker]");
    var map = null;
    var marker = null;

    function say(text) {
      if (status) status.textContent = text || "";
    }

    function show(latitude, longitude) {
      if (!map) return;
      var point = [latitude, longitude];
      if (marker) {
        marker.setLatLng(point);
      } else {
        marker = L.circleMarker(point, { radius: 9, className: "picked-point" }).addTo(map);
      }
      map.panTo(point);
    }

    function place(latitude, longitude, message) {
      lat.value = round(latitude);
      lng.value = round(longitude);
      show(latitude, longitude);
      say(message);
    }

    if (container && hasLeaflet()) {
      var data = readJson(container.getAttribute("data-source")) || {};
      map = baseMap(container);
      var layer = cellsLayer(data.cells);
      if (data.cells_url) {
        // The public page: only the cells around where the map looks, fetched as it moves.
        map.setView(data.centre || [31.0, 120.0], NEARBY_ZOOM);
        layer.addTo(map);
        loadNearbyCells(map, layer, data.cells_url);
        map.on("moveend", function () { loadNearbyCells(map, layer, data.cells_url); });
      } else {
        fit(map, layer.getBounds());
        layer.addTo(map);
      }
      map.on("click", function (e) {
        place(e.latlng.lat, e.latlng.lng, section.getAttribute("data-picked"));
      });
      if (lat.value && lng.value) show(parseFloat(lat.value), parseFloat(lng.value));
    }

    function locate() {
      if (!navigator.geolocation) {
        say(section.getAttribute("data-failed"));
        return;
      }
      say(section.getAttribute("data-locating"));
      navigator.geolocation.getCurrentPosition(function (position) {
        var accuracy = Math.round(position.coords.accuracy || 0);
        var text = section.getAttribute("data-located") + (accuracy ? " (±" + accuracy + " m)" : "");
        place(position.coords.latitude, position.coords.longitude, text);
      }, function () {
        say(section.getAttribute("data-failed"));
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }

    var button = section.querySelector("[data-locate]");
    if (button) button.addEventListener("click", locate);
    if (!section.hasAttribute("data-no-auto") && !(lat.value && lng.value)) locate();
  });

  // The event's place: its cell and its point (read only).
  document.querySelectorAll("[data-placemap]").forEach(function (container) {
    if (!hasLeaflet()) return;
    var data = readJson(container.getAttribute("data-source")) || {};
    var map = baseMap(container);
    var layer = cellsLayer(data.cells);
    var bounds = layer.getBounds();
    if (data.point) {
      var point = [data.point.lat, data.point.lng];
      fit(map, bounds.isValid() ? bounds.extend(point) : null, point);
      layer.addTo(map);
      L.circleMarker(point, { radius: 9, className: "event-dot status-dot-" + (data.status || "") }).addTo(map);
    } else {
      fit(map, bounds);
      layer.addTo(map);
    }
  });

  // Open events of the area, coloured by status (the colours live in app.css).
  document.querySelectorAll("[data-eventsmap]").forEach(function (container) {
    if (!hasLeaflet()) return;
    var data = readJson(container.getAttribute("data-source")) || {};
    var map = baseMap(container);
    var layer = cellsLayer(data.cells);
    var bounds = layer.getBounds();
    var events = data.events || [];
    events.forEach(function (item) {
      var point = [item.lat, item.lng];
      if (!bounds.isValid()) bounds = L.latLngBounds(point, point);
      else bounds.extend(point);
    });
    fit(map, bounds);
    layer.addTo(map);
    events.forEach(function (item) {
      var dot = L.circleMarker([item.lat, item.lng], { radius: 7, className: "event-dot status-dot-" + item.status })
        .addTo(map);
      var span = document.createElement("span");
      span.textContent = item.label || item.code || "";
      dot.bindTooltip(span);
      if (item.url) dot.on("click", function () { window.location.assign(item.url); });
    });
  });
})();

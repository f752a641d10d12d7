/* gridgov — the care pages: the daily map (grid polygons on a plain background, no tiles,
   each person's home as an icon coloured by today's status), the visit form's helpers and
   the enrollment form's program fields. No inline scripts: the CSP forbids them. Map data
   comes from a json_script element named by data-source. */
(function () {
  "use strict";

  function readJson(id) {
    var node = id && document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value || "";
    return span;
  }

  // People who need something today are drawn above the others.
  var RAISE = { due: 400, hospitalized: 300, away: 200, visited: 100, not_due: 0 };

  function marker(person) {
    var label = person.label + (person.program ? " · " + person.program : "");
    var link = document.createElement("a");
    link.href = person.url;
    link.className = "care-marker-link care-glyph care-status-" + person.status;
    link.setAttribute("aria-label", label);
    link.title = label;
    var icon = L.divIcon({
      className: "care-marker care-status-" + person.status,
      html: link,
      iconSize: [26, 26],
      iconAnchor: [13, 13],
    });
    var item = L.marker([person.lat, person.lng], {
      icon: icon,
      keyboard: false, // the link inside is what the keyboard reaches
      zIndexOffset: RAISE[person.status] || 0,
    });
    item.careStatus = person.status;
    item.on("add", function () {
      var element = item.getElement();
      element.setAttribute("data-enrollment", String(person.id));
      element.setAttribute("data-status", person.status);
    });
    item.on("click", function () { window.location.assign(person.url); });
    return item;
  }

  // A cluster says how many people it holds, and rings red when one of them is due.
  function clusterIcon(cluster) {
    var children = cluster.getAllChildMarkers();
    var due = children.filter(function (m) { return m.careStatus === "due"; }).length;
    var span = document.createElement("span");
    span.className = "care-cluster-count";
    span.textContent = String(children.length);
    var size = children.length < 10 ? 32 : children.length < 100 ? 38 : 46;
    return L.divIcon({
      className: "care-cluster" + (due ? " care-cluster-due" : ""),
      html: span,
      iconSize: [size, size],
    });
  }

  function peopleLayer() {
    if (typeof L.markerClusterGroup === "function") {
      return L.markerClusterGroup({
        iconCreateFunction: clusterIcon,
        showCoverageOnHover: false,
        maxClusterRadius: 24, // only signs that would overlap (they are 26 px wide)
        disableClusteringAtZoom: 18,
        chunkedLoading: true,
      });
    }
    return L.layerGroup();
  }

  function showPeople(layer, data, notice) {
    layer.clearLayers();
    var markers = (data.people || []).map(marker);
    if (layer.addLayers) layer.addLayers(markers);
    else markers.forEach(function (m) { layer.addLayer(m); });
    if (notice) {
      notice.textContent = data.too_many ? notice.getAttribute("data-too-many").replace("%(n)s", data.too_many) : "";
    }
  }

  function showCounts(counts) {
    (counts || []).forEach(function (count) {
      var cell = document.querySelector("[data-count='" + count.status + "']");
      if (cell) cell.textContent = String(count.n);
    });
  }

  function drawMap(container) {
    var data = readJson(container.getAttribute("data-source"));
    if (!data || typeof L === "undefined") return;
    // No tile layer gives the map its zoom range, and the clusters need one.
    var map = L.map(container, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false,
                                 minZoom: 3, maxZoom: 19 });
    var cells = L.geoJSON(data.cells, {
      style: function () {
        return { color: "#0b5cad", weight: 1.5, fillColor: "#5b9bd5", fillOpacity: 0.12 };
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        layer.bindTooltip(text(props.name), { direction: "center", className: "cell-label" });
      },
    }).addTo(map);
    var bounds = cells.getBounds();
    (data.people || []).forEach(function (person) {
      bounds.extend([person.lat, person.lng]);
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
    } else {
      map.setView([31.0, 120.0], 12);
    }
    var notice = container.parentNode.querySelector("[data-care-map-notice]");
    var people = peopleLayer().addTo(map);
    showPeople(people, data, notice);

    // The map refreshes itself: a visit recorded elsewhere turns its icon without a reload.
    if (!data.refresh_url) return;
    var every = Math.max(15, data.refresh_seconds || 60) * 1000;
    function refresh() {
      if (document.hidden) return;
      fetch(data.refresh_url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (fresh) {
          if (!fresh) return;
          showPeople(people, fresh, notice);
          showCounts(fresh.counts);
          container.setAttribute("data-refreshed", fresh.date || "");
        })
        .catch(function () { /* offline for a moment: the next round tries again */ });
    }
    window.setInterval(refresh, every);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  }

  document.querySelectorAll("[data-caremap]").forEach(drawMap);

  // The follow-up form: the risk level suggests the classification (DOMAIN.md), which the
  // doctor may still change (marked symptoms or serious side effects make it unstable).
  document.querySelectorAll("form[data-care-visit]").forEach(function (form) {
    function classify(level) {
      if (level >= 3) return "unstable";
      if (level >= 1) return "basically_stable";
      return "stable";
    }
    function suggest() {
      var level = form.querySelector("input[name='risk_level']:checked");
      var marked = form.querySelector("input[name='marked_symptoms']:checked, input[name='serious_side_effects']:checked");
      if (!level && !marked) return;
      var value = marked ? "unstable" : classify(Number(level.value));
      var choice = form.querySelector("input[name='classification'][value='" + value + "']");
      if (choice) choice.checked = true;
    }
    form.querySelectorAll("input[name='risk_level'], input[name='marked_symptoms'], input[name='serious_side_effects']")
      .forEach(function (input) { input.addEventListener("change", suggest); });
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit][data-submitting]");
      if (!button) return;
      // After this tick, so that the button's own value is still sent.
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = button.getAttribute("data-submitting");
      }, 0);
    });
  });

  // The enrollment form shows only the chosen program's fields.
  document.querySelectorAll("select[data-program-select]").forEach(function (select) {
    var form = select.form;
    function show() {
      form.querySelectorAll("fieldset[data-program]").forEach(function (fieldset) {
        fieldset.hidden = fieldset.getAttribute("data-program") !== select.value;
      });
    }
    select.addEventListener("change", show);
    show();
  });
})();

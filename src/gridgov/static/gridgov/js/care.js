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
    link.className = "care-marker-link";
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
    item.on("add", function () {
      var element = item.getElement();
      element.setAttribute("data-enrollment", String(person.id));
      element.setAttribute("data-status", person.status);
    });
    item.on("click", function () { window.location.assign(person.url); });
    return item;
  }

  function drawMap(container) {
    var data = readJson(container.getAttribute("data-source"));
    if (!data || typeof L === "undefined") return;
    var map = L.map(container, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
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
      marker(person).addTo(map);
      bounds.extend([person.lat, person.lng]);
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
    } else {
      map.setView([31.0, 120.0], 12);
    }
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

/* gridgov — pickers next to a plain text input (an org code, a username): shown only with
   JavaScript; the results come from core's picker views through HTMX. A choice fills the
   input and says in words what was chosen. No inline scripts (CSP). */
(function () {
  "use strict";

  function pickerOf(el) { return el.closest("[data-picker]"); }

  function reveal(root) {
    var pickers = [];
    if (root.matches && root.matches("[data-picker]")) pickers.push(root);
    if (root.querySelectorAll) pickers = pickers.concat(Array.prototype.slice.call(root.querySelectorAll("[data-picker]")));
    pickers.forEach(function (picker) {
      picker.hidden = false;
      nameTheValue(picker);
    });
  }

  // A value already in the input (a form sent back with errors, a filter) is said in words.
  function nameTheValue(picker) {
    var input = document.getElementById(picker.getAttribute("data-picker"));
    var chosen = picker.querySelector("[data-picker-chosen]");
    var url = picker.getAttribute("data-picker-url");
    if (!input || !chosen || !url || !input.value || !window.fetch || !window.DOMParser) return;
    var value = input.value;
    fetch(url + "?q=" + encodeURIComponent(value), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html || "", "text/html");
        var match = Array.prototype.filter.call(doc.querySelectorAll("[data-pick-value]"), function (el) {
          return el.getAttribute("data-pick-value") === value;
        })[0];
        if (match && input.value === value && !chosen.textContent) {
          chosen.textContent = match.getAttribute("data-pick-label") || "";
        }
      })
      .catch(function () {});
  }
  reveal(document);
  // Forms swapped in by HTMX (an event's action panel, a checklist row) bring their pickers.
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });

  document.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-pick-value]");
    if (!choice) return;
    var picker = pickerOf(choice);
    if (!picker) return;
    var input = document.getElementById(picker.getAttribute("data-picker"));
    if (!input) return;
    event.preventDefault();
    input.value = choice.getAttribute("data-pick-value");
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var chosen = picker.querySelector("[data-picker-chosen]");
    if (chosen) chosen.textContent = choice.getAttribute("data-pick-label") || "";
    var results = picker.querySelector(".picker-results");
    if (results) results.replaceChildren();
    var search = picker.querySelector(".picker-search");
    if (search) search.value = "";
    input.focus();
  });

  // Enter in the search box searches; it never sends the surrounding form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.classList.contains("picker-search")) return;
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(event.target, "search");
  });
})();

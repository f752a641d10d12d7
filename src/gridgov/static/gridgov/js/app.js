/* gridgov — small page behaviours (no inline scripts: the CSP forbids them). */
(function () {
  "use strict";

  // The language menu switches at once; the button stays for keyboards and no-JS.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) select.form.submit();
    });
  });

  // A request HTMX could not complete (network down, 5xx, 403...): say so instead of
  // doing nothing. Form errors (400/409) are swapped in by HTMX itself.
  document.body.addEventListener("htmx:responseError", showError);
  document.body.addEventListener("htmx:sendError", showError);
  document.body.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("htmx-error");
    if (box) box.hidden = true;
  });

  function showError(event) {
    var box = document.getElementById("htmx-error");
    if (!box) return;
    box.textContent = pageMessage(event) || document.body.getAttribute("data-error-message") || "Error";
    box.hidden = false;
  }

  // A refusal (403, 404, 429) answers with the app's error page: say what it says, in place,
  // instead of blaming the connection. Parsed inertly, never inserted as HTML.
  function pageMessage(event) {
    var xhr = event && event.detail && event.detail.xhr;
    if (!xhr || xhr.status < 400 || xhr.status >= 500 || !window.DOMParser) return "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var parts = doc.querySelectorAll(".error-page h1, .error-page p:not(:last-child)");
      return Array.prototype.map.call(parts, function (el) { return el.textContent.trim(); })
        .filter(Boolean).join(" ");
    } catch (e) {
      return "";
    }
  }
})();

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

  function showError() {
    var box = document.getElementById("htmx-error");
    if (!box) return;
    box.textContent = document.body.getAttribute("data-error-message") || "Error";
    box.hidden = false;
  }
})();

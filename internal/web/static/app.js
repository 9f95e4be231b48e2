// Vigil's own script: small and optional. Pages work without it; it adds the CSRF header to htmx
// requests, the mobile menu toggle and confirmation prompts.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { e.detail.headers["X-CSRF-Token"] = meta.content; }
  });
  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-toggle-nav]");
    if (t) {
      var open = document.body.classList.toggle("nav-open");
      t.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
  // A search box inside a larger form (the incident's device picker) must not submit that form on Enter.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.hasAttribute && e.target.hasAttribute("data-no-enter")) { e.preventDefault(); }
  });
  // Auto-submit filter forms marked data-autosubmit when a select changes.
  document.addEventListener("change", function (e) {
    var f = e.target.form;
    if (f && f.hasAttribute("data-autosubmit") && e.target.tagName === "SELECT") { f.requestSubmit(); }
  });
})();

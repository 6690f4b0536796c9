/* In-page (htmx) results are announced and take focus (WCAG 2.1: 4.1.3 status messages,
   2.4.3 focus order). The live regions #live-status (polite) and #live-alert (assertive) are
   in every page from its load (base.html), empty: a region must exist before its content
   changes for a screen reader to announce the change. After a swap, the swapped content
   says what to do through attributes (no inline script, CSP-ready):
     data-announce="status" | "alert"  its text is put in the matching live region;
     data-focus-after-swap             it takes focus (with tabindex="-1"). */
(function () {
  "use strict";

  function announce(el) {
    var urgent = el.getAttribute("data-announce") === "alert";
    var region = document.getElementById(urgent ? "live-alert" : "live-status");
    if (!region) return;
    region.textContent = "";
    region.textContent = el.textContent.replace(/\s+/g, " ").trim();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelector) return;
    var note = target.matches("[data-announce]") ? target : target.querySelector("[data-announce]");
    if (note) announce(note);
    var focus = target.querySelector("[data-focus-after-swap]");
    if (focus) focus.focus();
  });
})();

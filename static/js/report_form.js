/* The report form: show the ransom fields for the ransomware category, the CII reason when
   a CII operator unticks "involves CII", and stop background autosaves once the form is
   being submitted (the submit itself carries every field). No inline scripts: CSP-ready. */
(function () {
  "use strict";

  function hasError(el) {
    return el && el.querySelector(".field-invalid") !== null;
  }

  function hasValue(el) {
    if (!el) return false;
    return Array.prototype.some.call(el.querySelectorAll("input, select, textarea"), function (i) {
      return i.value !== "";
    });
  }

  function toggle(form) {
    var category = form.querySelector("[name=category]");
    var ransom = document.getElementById("ransom-fields");
    if (category && ransom) {
      var isRansomware = category.value === ransom.dataset.ransomwareCode;
      ransom.hidden = !(isRansomware || hasError(ransom) || hasValue(ransom));
    }
    var cii = form.querySelector("[name=involves_cii]");
    var reason = document.getElementById("cii-untick-reason");
    if (cii && reason) {
      reason.hidden = cii.checked && !hasError(reason) && !hasValue(reason);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("report-form");
    if (!form) return;
    toggle(form);
    form.addEventListener("change", function () {
      toggle(form);
    });
    var submitting = false;
    form.addEventListener("submit", function () {
      submitting = true;
    });

    // Nothing typed is lost: changes not yet saved mark the form dirty; a successful
    // autosave clears it (unless more was typed meanwhile); leaving the page warns, and the
    // last changes are sent as the page goes (navigator.sendBeacon to the autosave endpoint).
    var edits = 0;
    var savedEdits = 0;
    var inFlight = 0;
    function markDirty() {
      edits += 1;
    }
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    function dirty() {
      return !submitting && edits !== savedEdits;
    }
    var autosaveEl = document.getElementById("autosave");
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt === autosaveEl) inFlight = edits;
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== autosaveEl || !event.detail.successful) return;
      if (document.querySelector("#autosave-status .autosave-ok")) savedEdits = inFlight;
    });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty()) return;
      event.preventDefault();
      event.returnValue = "";
    });
    function flush() {
      if (!dirty() || !navigator.sendBeacon || !autosaveEl) return;
      if (navigator.sendBeacon(autosaveEl.getAttribute("hx-post"), new FormData(form))) {
        savedEdits = edits;
      }
    }
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flush();
    });
    var autosave = document.getElementById("autosave");
    // The blank form's first save created the draft: show its reference, and make a reload
    // open the draft (the form keeps posting to the new-draft endpoints, which find it).
    document.body.addEventListener("htmx:afterSwap", function () {
      var created = document.getElementById("draft-created");
      if (!created) return;
      var reference = document.getElementById("draft-reference");
      if (reference) reference.textContent = created.dataset.reference;
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", created.dataset.editUrl);
      }
    });
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (submitting && event.detail.elt === autosave) event.preventDefault();
    });
  });
})();

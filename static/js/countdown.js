/* Live countdowns to a clock's limit. Markup (no inline script, CSP-ready):
     <span class="countdown" data-due="2026-11-25T03:00:00+00:00"
           data-label-left="left" data-label-overdue="overdue by">…server text…</span>
   Every second each element shows the time left ("1 d 02:03:04") or, past the limit, the
   time overdue, and gets the class "countdown-overdue". Elements swapped in by htmx are
   picked up at the next tick. */
(function () {
  "use strict";

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function format(ms, dayLabel) {
    var total = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(total / 86400);
    var rest = total % 86400;
    var text = pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor((rest % 3600) / 60)) + ":" + pad(rest % 60);
    return days ? days + " " + (dayLabel || "d") + " " + text : text;
  }

  function tick() {
    var now = Date.now();
    var items = document.querySelectorAll(".countdown[data-due]");
    Array.prototype.forEach.call(items, function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      var left = due - now;
      var overdue = left < 0;
      var label = overdue ? el.dataset.labelOverdue : el.dataset.labelLeft;
      var text = format(left, el.dataset.labelDays);
      el.textContent = overdue ? label + " " + text : text + " " + (label || "");
      el.classList.toggle("countdown-overdue", overdue);
      el.classList.toggle("countdown-soon", !overdue && left < 10 * 60 * 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
})();

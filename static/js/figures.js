/* Large figures as Chinese readers expect them: 1.23万, 4.5亿 (exact below 10 000; English
   uses digit grouping). Exposed as window.PortalFigures for the dashboard. */
(function () {
  "use strict";

  function trim(value) {
    return String(Math.round(value * 100) / 100);
  }

  function big(n, lang) {
    n = Number(n) || 0;
    var chinese = (lang || document.documentElement.lang || "zh").indexOf("zh") === 0;
    if (!chinese) return n.toLocaleString("en");
    var sign = n < 0 ? "-" : "";
    var a = Math.abs(n);
    if (a >= 1e8) return sign + trim(a / 1e8) + "亿";
    if (a >= 1e4) return sign + trim(a / 1e4) + "万";
    return sign + String(a);
  }

  window.PortalFigures = { big: big };
})();

/* The dashboard (templates/dashboard/index.html): fetches the figures from /api/v1/stats/…
   with the page's filters and draws them with Apache ECharts (static/vendor/echarts.min.js).
   No inline script: URLs, filters, locale and labels come from data- attributes of
   #dashboard. Text is set with textContent only. The watch list refreshes every 15 s, the
   other figures every minute; countdowns tick through static/js/countdown.js. */
(function () {
  "use strict";

  var root, query, labels;
  var charts = {};
  var COLORS = ["#8b1a1a", "#d9822b", "#2f6fb0", "#3a9a5b", "#7b4fa0", "#999999"];
  var LEVEL_COLORS = {
    especially_major: "#8b1a1a",
    major: "#d9534f",
    significant: "#f0ad4e",
    general: "#5b9bd5",
  };

  function url(name) {
    var base = root.dataset[name + "Url"];
    return query ? base + "?" + query : base;
  }

  function getJSON(name) {
    return fetch(url(name), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error(name + ": HTTP " + response.status);
      return response.json();
    });
  }

  function chart(id) {
    if (!charts[id]) {
      var el = document.getElementById(id);
      if (!el) return null;
      charts[id] = window.echarts.init(el, null, { locale: root.dataset.locale, renderer: "canvas" });
    }
    return charts[id];
  }

  function draw(id, option) {
    var c = chart(id);
    if (!c) return;
    option.animation = false;
    c.setOption(option, true);
    c.getDom().dataset.rendered = "true";
  }

  function failed(id) {
    var el = document.getElementById(id);
    if (el) {
      el.dataset.rendered = "error";
      el.textContent = labels.error;
    }
  }

  function empty(id) {
    // nothing to count: say so, instead of a pie of equal slices of nothing
    draw(id, {
      title: {
        text: labels.noData,
        left: "center",
        top: "middle",
        textStyle: { color: "#6c757d", fontSize: 14, fontWeight: "normal" },
      },
      series: [],
    });
    var el = document.getElementById(id);
    if (el) el.dataset.empty = "true";
  }

  function pie(id, rows, colorFor) {
    var total = rows.reduce(function (sum, r) { return sum + (r.count || 0); }, 0);
    if (!total) {
      empty(id);
      return;
    }
    var el = document.getElementById(id);
    if (el) delete el.dataset.empty;
    draw(id, {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, left: "center", type: "plain" },
      series: [
        {
          type: "pie",
          radius: ["28%", "52%"],
          center: ["50%", "40%"],
          label: { formatter: "{c}" },
          data: rows.map(function (r, i) {
            var item = { name: r.label, value: r.count };
            var color = colorFor ? colorFor(r) : COLORS[i % COLORS.length];
            if (color) item.itemStyle = { color: color };
            return item;
          }),
        },
      ],
    });
  }

  function bars(id, rows, horizontal) {
    var names = rows.map(function (r) { return r.label; });
    var values = rows.map(function (r) { return r.count; });
    var category = { type: "category", data: names, axisLabel: { interval: 0 } };
    var value = {
      type: "value",
      minInterval: 1,
      axisLabel: { formatter: function (v) { return window.PortalFigures.big(v); } },
    };
    if (horizontal) {
      names.reverse();
      values.reverse();
    } else {
      category.axisLabel.rotate = 30;
    }
    draw(id, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ type: "bar", name: labels.reports, data: values, itemStyle: { color: COLORS[0] } }],
    });
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) td.className = className;
    if (text instanceof Node) td.appendChild(text);
    else td.textContent = text === null || text === undefined ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function fill(tableId, rows, render, columns) {
    var table = document.getElementById(tableId);
    if (!table) return;
    var body = table.tBodies[0];
    body.replaceChildren();
    if (!rows.length) {
      var tr = document.createElement("tr");
      cell(tr, labels.none, "text-muted").colSpan = columns;
      body.appendChild(tr);
      return;
    }
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      render(tr, r);
      body.appendChild(tr);
    });
  }

  // Beijing time in the portal's format (Y-m-d H:i, as on every other page), whatever the
  // browser's locale
  var BEIJING = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });

  function localTime(iso) {
    if (!iso) return "";
    var parts = {};
    BEIJING.formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  // The text alternative of a chart: its figures in the table under it
  function figures(name, rows, format) {
    var table = document.getElementById("table-" + name);
    if (!table) return;
    var body = table.tBodies[0];
    body.replaceChildren();
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.className = "fw-normal";
      th.textContent = r.label;
      tr.appendChild(th);
      cell(tr, format ? format(r.value) : r.value, "text-end");
      body.appendChild(tr);
    });
  }

  function counted(rows) {
    return rows.map(function (r) { return { label: r.label, value: r.count }; });
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    var s = Math.round(seconds);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var pad = function (n) { return n < 10 ? "0" + n : String(n); };
    return h + ":" + pad(m) + ":" + pad(s % 60);
  }

  function countdown(iso) {
    var span = document.createElement("span");
    span.className = "countdown";
    span.dataset.due = iso;
    span.dataset.labelLeft = labels.left;
    span.dataset.labelOverdue = labels.overdue;
    span.dataset.labelDays = labels.days;
    span.textContent = localTime(iso);
    return span;
  }

  function asOf(iso) {
    if (!iso) return;
    var el = document.getElementById("as-of");
    if (el) el.textContent = labels.asOf + " " + localTime(iso);
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  function loadSummary() {
    return getJSON("summary").then(function (data) {
      asOf(data.as_of);
      setText("total", window.PortalFigures.big(data.total));
      var total = document.getElementById("total");
      if (total) {
        total.dataset.count = data.total;
        total.title = String(data.total);
      }
      pie("chart-level", data.by_level, function (r) { return LEVEL_COLORS[r.key]; });
      bars("chart-status", data.by_status, false);
      pie("chart-channel", data.by_channel);
      pie("chart-route", data.by_route);
      bars("chart-category", data.by_category, true);
      bars("chart-province", data.by_province, true);
      figures("level", counted(data.by_level));
      figures("status", counted(data.by_status));
      figures("channel", counted(data.by_channel));
      figures("route", counted(data.by_route));
      figures("category", counted(data.by_category));
      figures("province", counted(data.by_province));
    }, function (error) {
      ["chart-level", "chart-status", "chart-channel", "chart-route", "chart-category",
        "chart-province"].forEach(failed);
      throw error;
    });
  }

  function loadTrend() {
    return getJSON("trend").then(function (data) {
      draw("chart-trend", {
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.days.map(function (d) { return d.date; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          {
            type: "line",
            name: labels.reports,
            data: data.days.map(function (d) { return d.count; }),
            areaStyle: { opacity: 0.15 },
            itemStyle: { color: COLORS[0] },
            showSymbol: data.days.length <= 62,
          },
        ],
      });
      figures("trend", data.days.map(function (d) { return { label: d.date, value: d.count }; }));
    }, function (error) {
      failed("chart-trend");
      throw error;
    });
  }

  function share(fraction) {
    return fraction === null ? null : Math.round(fraction * 1000) / 10;
  }

  function loadCompliance() {
    return getJSON("compliance").then(function (data) {
      var channels = data.channels;
      draw("chart-ontime", {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 48, top: 16, bottom: 8, containLabel: true },
        yAxis: {
          type: "category",
          inverse: true,
          data: channels.map(function (c) { return c.label; }),
          axisLabel: { interval: 0, width: 130, overflow: "break", lineHeight: 16 },
        },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: [
          {
            type: "bar",
            name: labels.onTime,
            barMaxWidth: 28,
            data: channels.map(function (c) { return share(c.on_time_share); }),
            label: { show: true, position: "right", formatter: "{c}%" },
            itemStyle: { color: COLORS[3] },
          },
        ],
      });
      figures("ontime", channels.map(function (c) {
        return { label: c.label, value: c.on_time_share === null ? "—" : share(c.on_time_share) + "%" };
      }));
      fill("authority-table", data.authorities, function (tr, a) {
        cell(tr, a.name, "dashboard-name");
        cell(tr, a.reports, "text-end");
        cell(tr, a.forwarded, "text-end");
        cell(tr, duration(a.median_seconds), "text-end");
        cell(tr, duration(a.p95_seconds), "text-end");
        cell(tr, a.automatic_forwards, "text-end");
        cell(tr, a.late_forwards, "text-end");
        cell(tr, a.late_summaries, "text-end");
      }, 8);
    }, function (error) {
      failed("chart-ontime");
      throw error;
    });
  }

  function loadLateOperators() {
    return getJSON("lateOperators").then(function (data) {
      fill("late-operators-table", data.operators, function (tr, o) {
        cell(tr, o.name);
        cell(tr, o.province);
        cell(tr, o.late, "text-end");
      }, 3);
    });
  }

  function loadWatchlist() {
    return getJSON("watchlist").then(function (data) {
      setText("awaiting-total", data.awaiting_total);
      setText("forwarded-total", data.forwarded_total);
      fill("awaiting-table", data.awaiting, function (tr, r) {
        cell(tr, link(r.url, r.reference));
        cell(tr, r.level_label);
        cell(tr, r.organization, "dashboard-name");
        cell(tr, r.receiving_authority, "dashboard-name");
        cell(tr, localTime(r.due_at));
        cell(tr, countdown(r.due_at));
        if (r.overdue) tr.className = "table-danger";
      }, 6);
      fill("forwarded-table", data.forwarded, function (tr, r) {
        cell(tr, link(r.url, r.reference));
        cell(tr, r.level_label);
        cell(tr, r.receiving_authority, "dashboard-name");
        cell(tr, localTime(r.forwarded_at));
        cell(tr, r.automatic ? labels.automatic : labels.manual);
      }, 5);
    });
  }

  function loadHealth() {
    return getJSON("health").then(function (data) {
      var warning = document.getElementById("sweep-warning");
      if (!warning) return;
      warning.classList.toggle("d-none", !data.stale);
      setText(
        "sweep-warning-text",
        data.last_sweep_at ? labels.stale + " " + localTime(data.last_sweep_at) : labels.never
      );
    });
  }

  function report(promise) {
    return promise.catch(function (error) {
      if (window.console) window.console.warn(String(error));
    });
  }

  function loadFigures() {
    return Promise.all([loadSummary(), loadTrend(), loadCompliance(), loadLateOperators()].map(report));
  }

  function loadLive() {
    return Promise.all([loadWatchlist(), loadHealth()].map(report));
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("dashboard");
    if (!root || !window.echarts || !document.getElementById("chart-trend")) return;
    query = root.dataset.query;
    labels = {
      reports: root.dataset.labelReports,
      onTime: root.dataset.labelOnTime,
      left: root.dataset.labelLeft,
      overdue: root.dataset.labelOverdue,
      days: root.dataset.labelDays,
      automatic: root.dataset.labelAutomatic,
      manual: root.dataset.labelManual,
      none: root.dataset.labelNone,
      error: root.dataset.labelError,
      asOf: root.dataset.labelAsOf,
      stale: root.dataset.labelStale,
      never: root.dataset.labelNever,
      noData: root.dataset.labelNoData,
    };
    Promise.all([loadFigures(), loadLive()]).then(function () {
      root.dataset.loaded = "true";
    });
    window.setInterval(loadLive, 15000);
    window.setInterval(loadFigures, 60000);
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (id) { charts[id].resize(); });
    });
  });
})();

"""Accessibility and layout checks for the browser tests (issue 13, points 7 and 12).

axe-core (npm, a devDependency: node_modules/axe-core/axe.min.js) is given to the TEST
browser only: the portal never serves it nor links it. Each page is checked at the widths of
a laptop (1 366 px) and a phone (390 px): axe with the WCAG 2.1 AA rules finds no violation,
nothing overflows the page horizontally, no table is clipped outside a scroll container. A
page with a problem is photographed into test-artifacts/ (git-ignored); every page is with
`A11Y_SCREENSHOTS=1` (a full-page photograph costs about a fifth of a page's check).

Problems are collected over a whole journey and reported together at its end (`Audit.
assert_clean`), so one run lists every page's violations."""

from __future__ import annotations

import os
import re
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"1366": LAPTOP, "390": PHONE}
EVERY_SCREENSHOT = os.environ.get("A11Y_SCREENSHOTS") == "1"

# axe's own result, reduced to what a reader needs: rule, impact, the nodes' selectors
RUN_AXE = """
async tags => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 8).map(n => ({
      target: n.target.join(" "),
      summary: (n.failureSummary || "").split("\\n").slice(0, 3).join(" "),
    })),
    more: Math.max(0, v.nodes.length - 8),
  }));
}
"""

# The layout at this width: no horizontal overflow of the page; no table wider than its box
# outside a scroll container (a table inside .table-responsive scrolls on its own); no table
# cell squeezed to a character or two per line (CJK text breaks anywhere).
LAYOUT = """
() => {
  const problems = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim()
       ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const visible = el => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden";
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    const wide = [...document.body.querySelectorAll("*")]
      .filter(el => visible(el) && el.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5).map(name);
    problems.push(
      `page ${doc.scrollWidth}px wide in a ${window.innerWidth}px window: ${wide.join(", ")}`);
  }
  const scrolls = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === "auto" || x === "scroll") return true;
    }
    return false;
  };
  for (const table of document.querySelectorAll("table")) {
    if (!visible(table)) continue;
    const box = table.parentElement.getBoundingClientRect();
    if (table.getBoundingClientRect().width > box.width + 1 && !scrolls(table)) {
      problems.push(`${name(table)} is clipped: wider than its box, no scroll container`);
    }
    for (const cell of table.querySelectorAll("th, td")) {
      const text = cell.innerText.trim();
      if (text.length < 3 || !visible(cell)) continue;
      const em = parseFloat(getComputedStyle(cell).fontSize);
      const range = document.createRange();
      range.selectNodeContents(cell);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
      if (lines > 1 && cell.clientWidth < 3.5 * em) {
        problems.push(`${name(table)}: a cell "${text.slice(0, 20)}" squeezed to `
          + `${cell.clientWidth}px (${lines} lines)`);
        break;
      }
    }
  }
  return problems;
}
"""

# aria-describedby / aria-labelledby / aria-controls naming ids that are not on the page
# (axe only marks these "needs review").
IDREFS = """
() => {
  const problems = [];
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) {
          problems.push(`${attr}="${id}" on ${el.tagName.toLowerCase()}`
            + `${el.id ? "#" + el.id : ""}: no element has that id`);
        }
      }
    }
  }
  return problems;
}
"""

# Focus indicators (WCAG 2.1, 1.4.11): every visible focusable element, focused as by the
# keyboard, is outlined at 2px or more in a colour at 3:1 or more against what surrounds it.
FOCUS = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const behind = el => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const c = rgb(getComputedStyle(a).backgroundColor);
      if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const ratio = (a, b) => {
    const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const problems = [];
  const seen = new Set();
  const all = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]");
  for (const el of all) {
    if (el.disabled || el.tabIndex < 0 || !el.getClientRects().length) continue;
    if (getComputedStyle(el).visibility === "hidden" || el.closest("[inert], .hp-field")) continue;
    el.focus({ preventScroll: true });
    if (document.activeElement !== el) continue;
    const style = getComputedStyle(el);
    const width = parseFloat(style.outlineWidth);
    const color = rgb(style.outlineColor);
    const key = `${el.tagName}.${el.className}`;
    let problem = null;
    if (style.outlineStyle === "none" || width < 2) {
      problem = `no outline (${style.outlineStyle} ${style.outlineWidth})`;
    } else {
      const r = ratio(color.slice(0, 3), behind(el));
      if (r < 3) problem = `outline at ${r.toFixed(2)}:1`;
    }
    if (problem && !seen.has(key)) {
      seen.add(key);
      problems.push(`focus indicator of ${el.tagName.toLowerCase()}`
        + `${el.id ? "#" + el.id : ""}.${el.className}: ${problem}`);
    }
  }
  document.activeElement && document.activeElement.blur();
  return problems;
}
"""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def inject_axe(page) -> None:
    """axe-core into the test browser's page, from node_modules (never from the portal).
    Evaluated through the DevTools protocol: `page.add_script_tag` inserts an inline
    <script>, which the portal's CSP (script-src 'self') rightly blocks."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        # an expression (not a function) for page.evaluate: the UMD bundle sets window.axe
        _AXE_SOURCE.append(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return _AXE_SOURCE[0]


def axe_violations(page) -> list[str]:
    inject_axe(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(f"{n['target']} [{n['summary']}]" for n in v["nodes"])
        + (f" (+{v['more']} more)" if v["more"] else "")
        for v in page.evaluate(RUN_AXE, WCAG_AA)
    ]


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT)


def idref_problems(page) -> list[str]:
    return page.evaluate(IDREFS)


def focus_problems(page) -> list[str]:
    """Focus is moved by script after one Tab key press: Chromium then shows the focus as
    for the keyboard (:focus-visible) on every element focused next."""
    page.keyboard.press("Tab")
    return page.evaluate(FOCUS)


class Audit:
    """Checks the pages of one journey and gathers what it finds."""

    def __init__(self, page, artifacts: Path, role: str):
        self.page = page
        self.artifacts = artifacts
        self.role = role
        self.problems: list[str] = []
        self.checked: list[str] = []
        # no smooth scrolling (Bootstrap's default): where focus scrolls to is where it ends
        page.emulate_media(reduced_motion="reduce")

    def check(self, name: str, *, widths=("1366", "390"), ready=None) -> None:
        """Check the page as it is now at each width in turn (the journey goes on at the
        last). `ready(page)` waits for what the page draws after a resize (charts)."""
        page = self.page
        for width in widths:
            page.set_viewport_size(WIDTHS[width])
            if ready:
                ready(page)
            where = f"{self.role} · {name} · {width}px"
            problems = axe_violations(page) + layout_problems(page)
            if width == widths[0]:  # the same markup at both widths: once is enough
                problems += idref_problems(page) + focus_problems(page)
            for problem in problems:
                self.problems.append(f"{where}: {problem}")
            if problems or EVERY_SCREENSHOT:
                page.screenshot(  # JPEG: a third of the time a full-page PNG takes to encode
                    path=str(self.artifacts / f"a11y-{slug(self.role)}-{slug(name)}-{width}.jpeg"),
                    full_page=True,
                    type="jpeg",
                    quality=70,
                )
            self.checked.append(where)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)

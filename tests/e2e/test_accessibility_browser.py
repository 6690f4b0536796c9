"""Two of the accessibility findings (issue 13, point 12): the navbar's links were at 3.75:1
contrast on the portal red (AA needs 4.5:1), and there was no skip link."""

import pytest

from tests.conftest import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONTRAST = """
el => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let bg = el; let back = null;
  while (bg) {
    const c = rgb(getComputedStyle(bg).backgroundColor);
    if (c.length < 4 || c[3] > 0) { back = c; break; }
    bg = bg.parentElement;
  }
  const fore = rgb(getComputedStyle(el).color);
  const alpha = fore.length > 3 ? fore[3] : 1;
  const mixed = [0, 1, 2].map(i => fore[i] * alpha + back[i] * (1 - alpha));
  const [l1, l2] = [lum(mixed), lum(back)].sort((a, b) => b - a);
  return (l1 + 0.05) / (l2 + 0.05);
}
"""


def test_navbar_links_meet_aa_contrast_and_a_skip_link_leads_to_the_content(
    demo, live_server, page
):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "reviewer-gd", DEMO_PASSWORD, next_url="/queue/")
    page.goto(f"{live_server.url}/queue/")
    links = page.locator(".portal-navbar .nav-link")
    assert links.count() >= 3
    for index in range(links.count()):
        ratio = links.nth(index).evaluate(CONTRAST)
        assert ratio >= 4.5, (links.nth(index).inner_text(), ratio)
    # the first Tab reaches the skip link, which moves focus to the main content
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.inner_text() == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

"""Every error page in the portal's own layout and language, with its reason in words
(issue 13, point 3): 400, 403 (the PermissionDenied message), 404, 500 and the CSRF failure;
under /api/ the same errors are JSON."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers import login

pytestmark = pytest.mark.django_db

BRAND = "网络安全事件报告平台"  # the layout's navbar brand, in Chinese


def assert_portal_page(response, status: int, *phrases: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert BRAND in html and 'class="navbar' in html  # the portal's layout
    assert "portal.css" in html
    for phrase in phrases:
        assert phrase in html, phrase
    for english in ("Forbidden", "Not Found", "Server Error", "Bad Request", "CSRF verification"):
        assert english not in html, english
    return html


def test_404_is_the_portals_page_with_the_reason(web_for):
    client = web_for("operator-general")
    response = client.get("/no-such-page/")
    html = assert_portal_page(response, 404, "页面不存在", "无权查看", "返回首页")
    # the logged-in layout (the menu), not Django's URL listing
    assert reverse("reports:list") in html
    assert "URLconf" not in html


def test_404_of_a_report_not_visible_is_the_same_page(demo, web_for):
    client = web_for("operator-general")
    response = client.get(reverse("reports:edit", args=[987654]))
    assert_portal_page(response, 404, "页面不存在")


def test_404_for_an_anonymous_visitor_offers_the_login(client):
    response = client.get("/no-such-page/")
    html = assert_portal_page(response, 404, "页面不存在")
    assert reverse("login") in html


def test_403_shows_the_permission_denied_message_in_chinese(web_for):
    # a reviewer (authority staff) cannot file reports: the view says why
    client = web_for("reviewer-gd")
    response = client.get(reverse("reports:new"))
    assert_portal_page(response, 403, "只有运营者的报告人可以报告。", "您无权执行此操作")


def test_403_in_english_when_the_user_chose_english(web_for):
    client = web_for("reviewer-gd")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("reports:new"))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Only an operator&#x27;s reporters can file reports." in html


def test_400_for_a_host_the_portal_does_not_serve(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert_portal_page(response, 400, "请求无效", "平台无法处理此请求")


def test_500_is_the_portals_page(demo, monkeypatch):
    from reports import views

    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.ReportListView, "get", broken)
    client = login(Client(raise_request_exception=False), demo["operator-general"])
    response = client.get(reverse("reports:list"))
    html = assert_portal_page(response, 500, "服务器错误", "错误已记录")
    assert "boom" not in html and "Traceback" not in html


def test_csrf_failure_is_the_portals_page_with_the_reason(demo):
    client = login(Client(enforce_csrf_checks=True), demo["operator-general"])
    response = client.post(reverse("reports:new"), {"involves_state_secrets": "no"})
    assert_portal_page(response, 403, "此页面已过期", "会话结束", "技术细节")


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/v1/no-such-endpoint/", 404)],
)
def test_api_errors_stay_json(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"]


def test_an_api_server_error_is_json(demo, api_for, monkeypatch):
    from reports.api import views as api_views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_views.ReportViewSet, "list", broken)
    client = api_for("operator-general")
    client.raise_request_exception = False
    response = client.get("/api/v1/reports/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "boom" not in response.content.decode()

"""What users of a government portal expect (issue 13, point 10): a landing page by role after
login, and a favicon."""

import pytest
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [
        ("operator-general", "reports:list"),
        ("reviewer-gd", "review:queue"),
        ("national", "dashboard:index"),
        ("police-liaison", "home"),
    ],
)
def test_each_role_lands_on_its_own_page(web_for, username, lands_on):
    response = web_for(username).get(reverse("landing"))
    assert response.status_code == 302
    assert response["Location"] == reverse(lands_on)


def test_logging_in_goes_to_the_landing_page(demo, client):
    response = client.post(
        reverse("login"), {"username": "operator-general", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("landing")
    assert client.get(response["Location"])["Location"] == reverse("reports:list")


def test_a_next_address_still_wins(demo, client):
    response = client.post(
        reverse("login") + "?next=/notifications/",
        {"username": "operator-general", "password": DEMO_PASSWORD, "next": "/notifications/"},
    )
    assert response["Location"] == "/notifications/"


def test_the_portal_has_a_favicon(client):
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)

"""The police liaison's dashboard counts the copies its authority holds (issue 13, point 6):
it had shown 0 reports, since it counted only reports routed to the authority."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import Authority
from dashboard.summary import summary_refresh
from demo.bulk import seed_reports
from reports.models import Report

pytestmark = pytest.mark.django_db

YEAR = {"date_from": (date.today() - timedelta(days=400)).isoformat()}


def stats(client, name):
    response = client.get(reverse(f"dashboard-api:{name}"), YEAR)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_liaison_counts_the_reports_copied_to_its_authority(demo, api_for):
    seed_reports(300)
    summary_refresh(full=True)
    police = Authority.objects.get(memberships__user=demo["police-liaison"])
    copies = Report.objects.filter(submitted_at__isnull=False, copied_to=police)
    expected = copies.filter(submitted_at__date__gte=YEAR["date_from"]).count()
    assert expected > 0, "the demo data copies some reports to public security"
    data = stats(api_for("police-liaison"), "summary")
    assert data["total"] == expected
    trend = stats(api_for("police-liaison"), "trend")
    assert sum(d["count"] for d in trend["days"]) == expected
    watch = stats(api_for("police-liaison"), "watchlist")
    ids = [r["id"] for r in watch["awaiting"] + watch["forwarded"]]
    assert not Report.objects.filter(pk__in=ids).exclude(copied_to=police).exists()


def test_the_liaisons_dashboard_page_names_its_authority(demo, web_for):
    police = Authority.objects.get(memberships__user=demo["police-liaison"])
    page = web_for("police-liaison").get(reverse("dashboard:index"))
    assert page.status_code == 200
    assert police.display_name in page.content.decode()

"""Saving only what changed (core.changes): the UPDATE names the changed columns (and the
`auto_now` and JSON ones), the row then holds every change, and what a draft's autosave and a
submission write is what a later read shows."""

import pytest
from django.db import DatabaseError, connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from core.changes import changed_fields, save_changed
from reports.models import Report
from reports.services.drafting import report_create, report_update
from tests.helpers import serious_report_data


@pytest.fixture
def draft(demo):
    report = report_create(user=demo["operator-general"], data=serious_report_data())
    return Report.objects.get(pk=report.pk)


def updated_columns(queries) -> str:
    (update,) = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "reports_report"')]
    return update.split(" SET ", 1)[1].split(" WHERE ", 1)[0]


def test_only_the_changed_columns_are_written(draft):
    draft.title = "官网被篡改"
    draft.version += 1
    assert changed_fields(draft) == ["version", "title", "indicators", "criteria_met", "updated_at"]
    with CaptureQueriesContext(connection) as queries:
        save_changed(draft)
    columns = updated_columns(queries.captured_queries)
    assert '"title"' in columns and '"version"' in columns and '"updated_at"' in columns
    assert '"location"' not in columns and '"status"' not in columns
    again = Report.objects.get(pk=draft.pk)
    assert (again.title, again.version, again.location) == ("官网被篡改", draft.version, "广州")


def test_a_json_field_changed_in_place_is_written(draft):
    draft.indicators["affected_users"] = 123
    save_changed(draft)
    assert Report.objects.get(pk=draft.pk).indicators["affected_users"] == 123


def test_a_second_save_writes_only_what_changed_since_the_first(draft):
    draft.title = "第一次"
    save_changed(draft)
    draft.location = "深圳"
    assert "title" not in changed_fields(draft)
    assert "location" in changed_fields(draft)
    save_changed(draft)
    again = Report.objects.get(pk=draft.pk)
    assert (again.title, again.location) == ("第一次", "深圳")


def test_an_instance_not_read_from_the_database_saves_every_field(draft):
    fresh = Report(pk=draft.pk)
    assert changed_fields(fresh) is None


def test_an_autosave_writes_every_change_and_one_history_row(demo, draft):
    history = draft.history.count()
    report = report_update(
        user=demo["operator-general"],
        pk=draft.pk,
        data={"title": "门户网站被篡改", "measures_taken": "已恢复页面"},
        version=draft.version,
    )
    again = Report.objects.get(pk=draft.pk)
    assert (again.title, again.measures_taken, again.version) == (
        "门户网站被篡改",
        "已恢复页面",
        report.version,
    )
    assert draft.history.count() == history + 1
    row = draft.history.first()
    assert (row.history_type, row.title, row.history_user) == (
        "~",
        "门户网站被篡改",
        None,  # a service called outside a request
    )


def test_the_update_of_a_row_that_is_gone_fails_as_save_does(draft):
    Report.objects.filter(pk=draft.pk).delete()
    draft.title = "已删除"
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        save_changed(draft)


def test_the_time_of_the_change_is_written_with_it(draft):
    before = draft.updated_at
    draft.title = "再次修改"
    save_changed(draft)
    again = Report.objects.get(pk=draft.pk)
    assert again.updated_at == draft.updated_at > before


def test_an_expression_is_left_to_save_and_written(draft):
    version = draft.version
    draft.version = F("version") + 1
    draft.skip_history_when_saving = True  # as the services save (they write history apart)
    save_changed(draft)
    assert Report.objects.get(pk=draft.pk).version == version + 1

"""The Art. 7 field groups (reports/contents.py) are the one list every writer and reader
builds on: the model, the draft form, the API's draft input, the follow-up and the admin."""

from django.contrib import admin

from reports import contents
from reports.api.inputs import RansomwareInputSerializer, ReportDraftInputSerializer
from reports.forms import ReportForm
from reports.models import FollowUp, Report, SummaryReport

REPORT_FIELDS = {f.name for f in Report._meta.get_fields()}


def test_every_group_names_fields_of_the_report():
    groups = (
        contents.ITEM_1,
        contents.ITEM_2,
        contents.GRADING,
        contents.RANSOM,
        contents.ITEMS_3_TO_8,
        contents.CRIME,
        contents.ART_11,
    )
    for group in groups:
        assert set(group) <= REPORT_FIELDS, set(group) - REPORT_FIELDS


def test_a_draft_is_exactly_the_groups_a_reporter_writes():
    written = (
        *contents.ITEM_1,
        *contents.ITEM_2,
        *contents.GRADING,
        *contents.RANSOM,
        *contents.ITEMS_3_TO_8,
        *contents.CRIME,
        *contents.ART_11,
    )
    assert sorted(contents.DRAFT_FIELDS) == sorted(written)
    assert len(set(contents.DRAFT_FIELDS)) == len(contents.DRAFT_FIELDS)


def test_items_1_and_2_are_what_submission_requires():
    assert set(contents.REQUIRED_TO_SUBMIT) <= set(contents.DRAFT_FIELDS)
    assert "title" in contents.REQUIRED_TO_SUBMIT
    assert not set(contents.REQUIRED_TO_SUBMIT) & set(contents.ITEMS_3_TO_8)


def test_the_web_form_offers_every_draft_field(db):  # its choices are read from the database
    form = ReportForm()
    offered = set(form.fields) - {"version"}
    expected = set(contents.DRAFT_FIELDS) - {"indicators"}
    assert expected <= offered
    # the indicators come as one field per grading-guide row, not as one field
    assert "indicators" not in offered


def test_the_api_draft_input_offers_every_draft_field():
    fields = set(ReportDraftInputSerializer().fields)
    api_names = {name for name in contents.DRAFT_FIELDS if name not in contents.RANSOM} | {
        "ransomware"
    }
    assert fields == api_names
    assert set(RansomwareInputSerializer.COLUMNS.values()) == set(contents.RANSOM)


def test_a_follow_up_carries_items_3_to_8_as_the_report_does():
    followup_fields = {f.name for f in FollowUp._meta.get_fields()}
    assert set(contents.FOLLOWUP_ITEMS) <= followup_fields
    for name in contents.FOLLOWUP_ITEMS:
        on_report = Report._meta.get_field(name)
        on_followup = FollowUp._meta.get_field(name)
        assert on_report.verbose_name == on_followup.verbose_name
        assert on_report.max_length == on_followup.max_length


def test_the_summary_report_has_the_art_8_sections():
    summary_fields = {f.name for f in SummaryReport._meta.get_fields()}
    assert set(contents.SUMMARY_FIELDS) <= summary_fields


def test_the_admin_edits_only_free_text_wording():
    report_admin = admin.site._registry[Report]
    readonly = set(report_admin.get_readonly_fields(request=None))
    shown = set(admin.utils.flatten_fieldsets(report_admin.fieldsets))
    assert shown - readonly == set(contents.ADMIN_EDITABLE)
    for name in contents.ADMIN_EDITABLE:
        assert Report._meta.get_field(name).get_internal_type() in ("CharField", "TextField")

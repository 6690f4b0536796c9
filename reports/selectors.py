"""Reads. Every selector starts from `Report.objects.visible_to(user)`; not visible = 404."""

from django.db.models import Prefetch
from django.http import Http404

from .grading import Criterion
from .models import Category, GradingCriterion, Report, ReportEvent


def report_list(*, user):
    return (
        Report.objects.visible_to(user)
        .select_related("organization", "receiving_authority", "category")
        .prefetch_related("copied_to")
    )


def report_get(*, user, pk, lock: bool = False) -> Report:
    qs = Report.objects.visible_to(user)
    if lock:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_related(
            "organization",
            "organization__province",
            "receiving_authority",
            "category",
            "category__parent",
            "created_by",
            "submitted_by",
        ).prefetch_related(
            "copied_to",
            "deadlines",
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
        )
    try:
        return qs.get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def grading_criteria() -> list[Criterion]:
    return [
        Criterion(c.indicator, c.level, c.threshold, c.unit, c.scope)
        for c in GradingCriterion.objects.all()
    ]


def leaf_categories():
    return Category.objects.filter(children__isnull=True).select_related("parent")

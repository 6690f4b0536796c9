from .models import ReportEvent


def report_event_create(*, report, kind, at, actor=None, automatic=False, note="") -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, kind=kind, at=at, actor=actor, automatic=automatic, note=note
    )

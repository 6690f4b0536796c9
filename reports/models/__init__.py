"""The report's models (a package: reference data, the report, what follows it, evidence)."""

from .evidence import Attachment, EvidenceStorage, evidence_path, evidence_storage
from .records import Finding, FollowUp, Forwarding, InfoRequest, SummaryReport
from .reference import Category, GradingCriterion
from .report import (
    INLINE_IDS,
    IdempotencyKey,
    Report,
    ReportEvent,
    ReportQuerySet,
    SupplementItems,
    pk_in_short_list,
    visibility,
)

__all__ = [
    "INLINE_IDS",
    "Attachment",
    "Category",
    "EvidenceStorage",
    "Finding",
    "FollowUp",
    "Forwarding",
    "GradingCriterion",
    "IdempotencyKey",
    "InfoRequest",
    "Report",
    "ReportEvent",
    "ReportQuerySet",
    "SummaryReport",
    "SupplementItems",
    "evidence_path",
    "evidence_storage",
    "pk_in_short_list",
    "visibility",
]

"""Writes of the intake side (docs/ARCHITECTURE.md, "Services"): drafting, submitting,
follow-ups and summary, evidence, and the report's clocks. Services are the only writers:
views, serializers, admin actions, tasks and commands call them. Each takes `now` (default:
the current time) and raises `django.core.exceptions.ValidationError` with field-level
messages for bad input."""

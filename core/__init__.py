"""Shared building blocks of every app: domain exceptions, a bounded text field, form, admin,
API and page helpers, and the one way to enqueue a task after commit. Depends on nothing
else in the project (docs/ARCHITECTURE.md, "Dependencies")."""

"""Incident categories (GB/T 20986-2023) and the grading guide's criteria, loaded idempotently
from the project's own CSV copies (data migration and `seed_demo`)."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read_csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_reference_data(apps) -> None:
    Category = apps.get_model("reports", "Category")
    GradingCriterion = apps.get_model("reports", "GradingCriterion")
    for row in read_csv("categories.csv"):  # parents come before their children
        Category.objects.update_or_create(
            code=row["code"],
            defaults={
                "parent_id": row["parent"] or None,
                "name": row["name_zh"],
                "name_en": row["name_en"],
            },
        )
    for row in read_csv("grading_criteria.csv"):
        GradingCriterion.objects.get_or_create(
            indicator=row["indicator"],
            level=row["level"],
            defaults={
                "threshold": row["threshold"],
                "unit": row["unit"],
                "scope": row["scope"],
                "note": row["note"],
            },
        )

"""The content of a report (Art. 7 of the measures; docs/RULES.md §3), as field groups:
the one place that says which field belongs to which item. Services, forms, the admin and
the API serializers build their field lists from these groups."""

# Item 1: the unit involved and the basic facts of the system or facility.
ITEM_1 = ("title", "affected_systems", "involves_cii", "cii_sector", "cii_untick_reason")
# Item 2: time, place, category, level, impact, measures taken (with the grading indicators
# and, for ransomware, the ransom demanded).
ITEM_2 = (
    "discovered_at",
    "occurred_at",
    "location",
    "category",
    "impact_description",
    "measures_taken",
)
GRADING = ("indicators", "severity_declared")
RANSOM = ("ransom_amount", "ransom_currency", "ransom_payment_method", "ransom_demanded_at")
# Items 3–8: may follow in a supplementary report (补报). `suspected_crime` (item 8's
# "suspected of a crime") is a flag, not text.
ITEMS_3_TO_8 = (
    "trend",
    "cause",
    "attack_clues",
    "planned_measures",
    "support_requested",
    "scene_preservation",
    "other",
)
CRIME = ("suspected_crime",)
# Art. 11: mitigating circumstances, and the reason for a late submission.
ART_11 = ("emergency_plan", "protective_measures", "harm_reduced", "late_reason")
# Art. 11 items a follow-up may add after submission.
ART_11_FOLLOWUP = ("emergency_plan", "protective_measures", "harm_reduced")

# What a reporter may write on a draft. Everything else is derived or set by the server.
DRAFT_FIELDS = (
    "title",
    "involves_cii",
    "cii_sector",
    "cii_untick_reason",
    "affected_systems",
    "discovered_at",
    "occurred_at",
    "location",
    "category",
    *GRADING,
    "impact_description",
    "measures_taken",
    *RANSOM,
    *ITEMS_3_TO_8,
    *CRIME,
    "emergency_plan",
    "protective_measures",
    "harm_reduced",
    "late_reason",
)
# Items 1–2: required at first submission (items 3–8 may follow).
REQUIRED_TO_SUBMIT = (
    "title",
    "affected_systems",
    "discovered_at",
    "location",
    "category",
    "severity_declared",
    "impact_description",
    "measures_taken",
)
# Draft fields that are times or numbers: None stays None (text and flags become "" / False).
NULLABLE = ("discovered_at", "occurred_at", "ransom_amount", "ransom_demanded_at", "cii_sector")
FLAGS = ("involves_cii", *CRIME)

# A follow-up (补报 / 续报) carries new content for items 3–8 and new grading information.
FOLLOWUP_ITEMS = (*ITEMS_3_TO_8, *ART_11_FOLLOWUP)

# Free-text wording an admin may correct. Everything else is workflow or derived.
ADMIN_EDITABLE = (
    "title",
    "affected_systems",
    "location",
    "impact_description",
    "measures_taken",
    *ITEMS_3_TO_8,
    "emergency_plan",
    "protective_measures",
    "harm_reduced",
)

# The summary report (总结报告, Art. 8).
SUMMARY_FIELDS = (
    "cause",
    "emergency_measures",
    "harm",
    "accountability",
    "rectification",
    "lessons",
)

"""Reference data (provinces, sectors, departments, authorities), loaded idempotently from the
project's own CSV copies. Used by a data migration and by `seed_demo`; takes an `apps`
registry so that it works inside migrations."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read_csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _cac_name(p: dict) -> str:
    party = "党委" if p["kind"] in ("autonomous_region", "corps") else "委"
    return f"{p['name_zh']}{party}网信办"


def _police_name(p: dict) -> str:
    return f"{p['name_zh']}公安{'局' if p['kind'] in ('municipality', 'corps') else '厅'}"


REPORTING_SERVICE = "svc-12387"


def load_reporting_service(apps) -> None:
    """The 12387 incident-reporting service, run for the national CAC (MEASURES.md §7): its
    intake officers record reports received by telephone, e-mail, fax and WeChat."""
    Authority = apps.get_model("accounts", "Authority")
    Authority.objects.update_or_create(
        code=REPORTING_SERVICE,
        defaults={
            "kind": "reporting_service",
            "name": "12387网络安全事件报告服务",
            "name_en": "12387 incident reporting service",
            "is_national": True,
        },
    )


def load_same_level_departments(apps) -> None:
    """Art. 4: the provincial CAC notifies the relevant same-level departments when it reports
    a serious incident to the national CAC. Each province starts with its public-security
    department (linked to its portal authority, so its liaisons are told and can read the
    report); admins add the others (communications administration, the industry's
    regulator…). Creates only what is missing: an admin's edits stay."""
    Authority = apps.get_model("accounts", "Authority")
    try:
        SameLevelDepartment = apps.get_model("accounts", "SameLevelDepartment")
    except LookupError:  # an earlier migration's state: its own migration loads them
        return
    police = Authority.objects.filter(
        kind="public_security", is_national=False, province__isnull=False
    )
    for authority in police:
        SameLevelDepartment.objects.get_or_create(
            code=f"sl-{authority.code}",
            defaults={
                "province_id": authority.province_id,
                "name": authority.name,
                "name_en": authority.name_en,
                "authority": authority,
            },
        )


def load_reference_data(apps) -> None:
    Province = apps.get_model("accounts", "Province")
    Sector = apps.get_model("accounts", "Sector")
    Department = apps.get_model("accounts", "Department")
    Authority = apps.get_model("accounts", "Authority")

    def authority(code, **fields):
        Authority.objects.update_or_create(code=code, defaults=fields)

    authority(
        "national-cac",
        kind="national_cac",
        name="国家互联网信息办公室",
        name_en="Cyberspace Administration of China",
        is_national=True,
    )
    authority(
        "mps",
        kind="public_security",
        name="公安部",
        name_en="Ministry of Public Security",
        is_national=True,
    )
    for p in read_csv("provinces.csv"):
        province, _ = Province.objects.update_or_create(
            code=p["code"],
            defaults={"name": p["name_zh"], "name_en": p["name_en"], "kind": p["kind"]},
        )
        authority(
            f"cac-{p['code']}",
            kind="provincial_cac",
            name=_cac_name(p),
            name_en=f"Cyberspace Administration of {p['name_en']}",
            province=province,
        )
        authority(
            f"ps-{p['code']}",
            kind="public_security",
            name=_police_name(p),
            name_en=f"{p['name_en']} Public Security",
            province=province,
        )
    for s in read_csv("cii_sectors.csv"):
        sector, _ = Sector.objects.update_or_create(
            code=s["code"], defaults={"name": s["name_zh"], "name_en": s["name_en"]}
        )
        authority(
            f"pd-{s['code']}",
            kind="protection_department",
            name=f"{s['name_zh']}行业关键信息基础设施保护工作部门",
            name_en=f"CII protection department: {s['name_en']}",
            sector=sector,
        )
    for d in read_csv("departments.csv"):
        department, _ = Department.objects.update_or_create(
            code=d["code"], defaults={"name": d["name_zh"], "name_en": d["name_en"]}
        )
        authority(
            f"dco-{d['code']}",
            kind="department_cyber_office",
            name=f"{d['name_zh']}网络安全和信息化领导小组办公室",
            name_en=f"Cyber office of the {d['name_en']}",
            department=department,
        )
    load_reporting_service(apps)
    load_same_level_departments(apps)

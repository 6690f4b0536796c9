"""Who may do what: one `Roles` object per user and request, built once from the user's
memberships (read in one query and kept on the user object, where the layout's menu finds
them too). Visibility (`Report.objects.visible_to`), services, views, API permissions and
templates all ask it; none of them reads memberships itself."""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.functional import cached_property

from .constants import ACTING_STAFF_ROLES, AUTHORITY_ROLES, Role
from .models import Authority, Membership


def memberships_of(user) -> list[Membership]:
    """The user's memberships with their organisation and authority, read once per user
    object (a request's user lives for that request)."""
    if "memberships" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects(
            [user],
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organization", "authority").order_by(
                    "pk"
                ),
            ),
        )
    return list(user.memberships.all())


class Roles:
    """The roles a user holds, as sets of organisation and authority ids."""

    def __init__(self, user, memberships=()):
        self.user = user
        self.user_id = getattr(user, "pk", None)
        self.is_superuser = bool(getattr(user, "is_superuser", False))
        self.memberships = list(memberships)
        by_role: dict[str, list[Membership]] = {role: [] for role in Role.values}
        for m in self.memberships:
            by_role.setdefault(m.role, []).append(m)
        self._by_role = by_role
        self.reporter_of = frozenset(m.organization_id for m in by_role[Role.REPORTER])
        self.drafter_of = frozenset(m.organization_id for m in by_role[Role.PROVIDER_DRAFTER])
        self.reviewer_at = frozenset(m.authority_id for m in by_role[Role.REVIEWER])
        self.police_at = frozenset(m.authority_id for m in by_role[Role.POLICE_LIAISON])
        self.national_at = frozenset(m.authority_id for m in by_role[Role.NATIONAL_OFFICIAL])
        self.intake_at = frozenset(m.authority_id for m in by_role[Role.INTAKE_OFFICER])

    # --- what the user is --------------------------------------------------------------
    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    def has(self, *roles) -> bool:
        return bool(self.names & set(roles))

    @property
    def is_reporter(self) -> bool:
        return bool(self.reporter_of)

    @property
    def is_national(self) -> bool:
        return bool(self.national_at)

    @property
    def is_intake_officer(self) -> bool:
        """Staff of the 12387 reporting service: they triage the inbox and record reports
        received by telephone, e-mail, fax or WeChat for any organisation."""
        return bool(self.intake_at)

    @cached_property
    def intake_membership(self) -> Membership | None:
        return next((m for m in self.memberships if m.role == Role.INTAKE_OFFICER), None)

    @property
    def is_receiving_staff(self) -> bool:
        """Staff of a receiving authority or public security (the receiving queue)."""
        return bool(self.reviewer_at or self.police_at)

    @property
    def is_authority_staff(self) -> bool:
        return self.has(*AUTHORITY_ROLES)

    @property
    def can_act_as_staff(self) -> bool:
        """Receiving reviewers and national officials (not a read-only liaison)."""
        return self.has(*ACTING_STAFF_ROLES)

    @property
    def can_require(self) -> bool:
        """May require an operator to report an incident learned of elsewhere."""
        return self.can_act_as_staff

    @cached_property
    def staff_membership(self) -> Membership | None:
        """The reviewer or national-official membership acting on the user's behalf."""
        return next((m for m in self.memberships if m.role in ACTING_STAFF_ROLES), None)

    @cached_property
    def tipoff_provinces(self) -> frozenset[str]:
        """Provinces whose provincial CAC the user reviews for (their tip-offs)."""
        return frozenset(
            m.authority.province_id
            for m in self._by_role[Role.REVIEWER]
            if m.authority is not None and m.authority.kind == Authority.Kind.PROVINCIAL_CAC
        )

    @property
    def can_triage_tipoffs(self) -> bool:
        """National officials, and reviewers of a provincial CAC."""
        return self.is_national or bool(self.tipoff_provinces)

    # --- drafting ------------------------------------------------------------------------
    @property
    def can_draft(self) -> bool:
        return bool(self.reporter_of or self.drafter_of)

    def drafting_organizations(self) -> list:
        """The organisations the user drafts for: as its reporter, or as a contracted
        service provider it granted the right to draft (Art. 5)."""
        seen, organizations = set(), []
        for m in self.memberships:
            if m.role in (Role.REPORTER, Role.PROVIDER_DRAFTER) and m.organization_id not in seen:
                seen.add(m.organization_id)
                organizations.append(m.organization)
        return organizations

    def reporter_organizations(self) -> list:
        return [m.organization for m in self._by_role[Role.REPORTER]]

    def reports_for(self, organization_id) -> bool:
        return organization_id in self.reporter_of

    def can_edit_draft(self, report) -> bool:
        """Reporters edit their organisation's drafts; a provider only the drafts it wrote."""
        if report.organization_id in self.reporter_of:
            return True
        return report.organization_id in self.drafter_of and report.created_by_id == self.user_id

    # --- towards one report -------------------------------------------------------------
    def towards(self, report) -> frozenset[str]:
        """The roles the user holds towards this report: its operator's reporter, a
        reviewer of the authority it is routed to, a national official, or a liaison of
        an authority it is copied to."""
        roles = set()
        if report.organization_id in self.reporter_of:
            roles.add(Role.REPORTER)
        if report.receiving_authority_id in self.reviewer_at:
            roles.add(Role.REVIEWER)
        if self.national_at:
            roles.add(Role.NATIONAL_OFFICIAL)
        if self.police_at and any(a.pk in self.police_at for a in report.copied_to.all()):
            roles.add(Role.POLICE_LIAISON)
        return frozenset(roles)


def roles_of(user) -> Roles:
    """The user's roles (an anonymous or inactive user has none)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Roles(user)
    cached = getattr(user, "_portal_roles", None)
    memberships = memberships_of(user)
    if cached is not None and cached.memberships == memberships:
        return cached
    roles = Roles(user, memberships)
    user._portal_roles = roles
    return roles

"""What every page's layout needs about the user: memberships (for the menu) and the number
of unread notifications (the bell). Both are lazy: a page that does not show them does
not query."""

from django.utils.functional import cached_property


class PortalNav:
    def __init__(self, user):
        self.user = user

    @cached_property
    def memberships(self) -> list:
        if "memberships" in getattr(self.user, "_prefetched_objects_cache", {}):
            return list(self.user.memberships.all())  # read once by the view
        return list(self.user.memberships.select_related("organization", "authority"))

    @cached_property
    def roles(self) -> set:
        return {m.role for m in self.memberships}

    @property
    def is_receiving_staff(self) -> bool:
        return bool(self.roles & {"reviewer", "police_liaison"})

    @property
    def is_national(self) -> bool:
        return "national_official" in self.roles

    @property
    def can_require(self) -> bool:
        return bool(self.roles & {"reviewer", "national_official"})

    @property
    def is_reporter(self) -> bool:
        return "reporter" in self.roles

    @property
    def can_triage_tipoffs(self) -> bool:
        return any(
            m.role == "national_official"
            or (
                m.role == "reviewer"
                and m.authority is not None
                and m.authority.kind == "provincial_cac"
            )
            for m in self.memberships
        )

    @cached_property
    def unread(self) -> int:
        # the partial index `notification_unread` (user, created_at) WHERE read_at IS NULL
        return self.user.notifications.filter(read_at__isnull=True).count()


def portal(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"portal": PortalNav(user)}

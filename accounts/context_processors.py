"""What every page's layout needs about the user: the roles (for the menu) and the number of
unread notifications (the bell). Both are lazy: a page that does not show them does not
query."""

from django.utils.functional import cached_property

from .roles import roles_of


class PortalNav:
    def __init__(self, user):
        self.user = user

    @cached_property
    def roles(self):
        return roles_of(self.user)

    @property
    def memberships(self) -> list:
        return self.roles.memberships

    @property
    def is_receiving_staff(self) -> bool:
        return self.roles.is_receiving_staff

    @property
    def is_national(self) -> bool:
        return self.roles.is_national

    @property
    def can_require(self) -> bool:
        return self.roles.can_require

    @property
    def is_intake_officer(self) -> bool:
        return self.roles.is_intake_officer

    @property
    def is_reporter(self) -> bool:
        return self.roles.is_reporter

    @property
    def can_triage_tipoffs(self) -> bool:
        return self.roles.can_triage_tipoffs

    @cached_property
    def unread(self) -> int:
        # the partial index `notification_unread` (user, created_at) WHERE read_at IS NULL
        return self.user.notifications.filter(read_at__isnull=True).count()


def portal(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"portal": PortalNav(user)}

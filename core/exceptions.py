from django.utils.translation import gettext_lazy as _


class InvalidTransition(Exception):
    """The report's state (or a stale version) does not allow the action: HTTP 409."""

    default_message = _("This action is not allowed in the report's current state.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class StaleVersion(InvalidTransition):
    default_message = _(
        "Someone else changed this report since you opened it. Reload it and try again."
    )


class ActionForbidden(Exception):
    """The caller's role does not allow the action on a report it can see: HTTP 403."""

    def __init__(self, message=None):
        self.message = message or _("Your role does not allow this action.")
        super().__init__(str(self.message))


class RequestMismatch(Exception):
    """A retried request does not match the first one made with the same key: HTTP 422."""

    def __init__(self, message=None):
        self.message = message or _("This request does not match the earlier one.")
        super().__init__(str(self.message))

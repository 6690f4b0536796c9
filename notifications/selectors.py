def notification_list(*, user):
    """The user's own notifications, newest first."""
    return user.notifications.select_related("report").order_by("-created_at", "-pk")

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.pages import LitePage, safe_next_url

from .selectors import notification_list
from .services import notifications_mark_read


class NotificationListView(LoginRequiredMixin, View):
    template_name = "notifications/list.html"

    def get(self, request):
        page = LitePage(notification_list(user=request.user), request.GET.get("page"))
        return render(request, self.template_name, {"page_obj": page})


class NotificationsMarkReadView(LoginRequiredMixin, View):
    def post(self, request):
        count = notifications_mark_read(user=request.user)
        messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
        target = safe_next_url(request, request.POST.get("next", ""), reverse("notifications:list"))
        return redirect(target)

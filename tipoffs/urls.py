from django.urls import path

from . import views

app_name = "tipoffs"

urlpatterns = [
    # public: no login (Art. 6)
    path("tipoff/", views.TipOffView.as_view(), name="form"),
    path("tipoff/thanks/", views.TipOffThanksView.as_view(), name="thanks"),
    # triage
    path("tipoffs/", views.TipOffQueueView.as_view(), name="queue"),
    path("tipoffs/<int:pk>/", views.TipOffDetailView.as_view(), name="detail"),
]

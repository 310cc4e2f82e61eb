from django.urls import path

from coachprog.outbox import views

app_name = "outbox"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification, name="notification"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    # Public: the signed token is the only key (see the view).
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("outbox/", views.outbox_status, name="status"),
    path("outbox/<int:pk>/resend/", views.outbox_resend, name="resend"),
]

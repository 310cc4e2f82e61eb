from django.urls import path

from coaching import views

app_name = "coaching"

urlpatterns = [
    path("welcome/", views.welcome, name="welcome"),
    path("programme/", views.programme_overview, name="programme_overview"),
    path("coaching/", views.coach_home, name="coach_home"),
    path("coaching/supervisees/", views.qi_lead_home, name="qi_lead_home"),
    path("coaching/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("coaching/supervision/<int:pk>/", views.supervision_detail, name="supervision"),
    path("coaching/updates/<int:pk>/", views.monthly_update_detail, name="monthly_update"),
    path("sponsor/", views.sponsor_home, name="sponsor_home"),
]

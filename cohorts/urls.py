from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("", views.cohort_list, name="list"),
    path("<int:pk>/", views.cohort_detail, name="detail"),
    path("<int:cohort_pk>/sessions/<int:pk>/", views.session_detail, name="session"),
    path("<int:pk>/calendar.ics", views.cohort_calendar, name="cohort_calendar"),
    path("calendar/", views.calendar_link, name="calendar_link"),
    path("calendar/new/", views.calendar_link_issue, name="calendar_link_issue"),
    path("calendar/revoke/", views.calendar_link_revoke, name="calendar_link_revoke"),
    path("calendar/<str:token>.ics", views.personal_calendar, name="personal_calendar"),
]

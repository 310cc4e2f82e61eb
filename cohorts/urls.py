from django.urls import path

from cohorts.views import calendars, pages

app_name = "cohorts"

urlpatterns = [
    path("", pages.cohort_list, name="list"),
    path("<int:pk>/", pages.cohort_detail, name="detail"),
    path("<int:cohort_pk>/sessions/<int:pk>/", pages.session_detail, name="session"),
    # Calendars
    path("<int:pk>/calendar.ics", calendars.cohort_calendar, name="cohort_calendar"),
    path("calendar/", calendars.calendar_link, name="calendar_link"),
    path("calendar/new/", calendars.calendar_link_issue, name="calendar_link_issue"),
    path("calendar/revoke/", calendars.calendar_link_revoke, name="calendar_link_revoke"),
    path("calendar/<str:token>.ics", calendars.personal_calendar, name="personal_calendar"),
    # Planner (add new planner URLs below this line)
    # Applications (add new application URLs below this line)
    # Attendance (add new attendance URLs below this line)
]

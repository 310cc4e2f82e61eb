from django.urls import path

from cohorts.views import applications, attendance, calendars, pages, planner, programmes

app_name = "cohorts"

urlpatterns = [
    path("", pages.cohort_list, name="list"),
    path("<int:pk>/", pages.cohort_detail, name="detail"),
    # Programmes
    path("programmes/", programmes.programme_list, name="programme_list"),
    path("programmes/new/", programmes.programme_create_view, name="programme_create"),
    path("programmes/<int:pk>/edit/", programmes.programme_update_view, name="programme_update"),
    path("<int:cohort_pk>/sessions/<int:pk>/", pages.session_detail, name="session"),
    path(
        "<int:cohort_pk>/sessions/<int:session_pk>/materials/<int:pk>/",
        pages.material_open,
        name="material",
    ),
    # Calendars
    path("<int:pk>/calendar.ics", calendars.cohort_calendar, name="cohort_calendar"),
    path("sessions/", calendars.upcoming_sessions, name="sessions"),
    path("calendar/", calendars.calendar_link, name="calendar_link"),
    path("calendar/new/", calendars.calendar_link_issue, name="calendar_link_issue"),
    path("calendar/revoke/", calendars.calendar_link_revoke, name="calendar_link_revoke"),
    path("calendar/<str:token>.ics", calendars.personal_calendar, name="personal_calendar"),
    path("<int:pk>/calendar/link/", calendars.cohort_calendar_link_issue, name="cohort_calendar_link_issue"),
    path(
        "<int:pk>/calendar/link/revoke/",
        calendars.cohort_calendar_link_revoke,
        name="cohort_calendar_link_revoke",
    ),
    # Public: calendar apps subscribe without an account; the secret token in the path is the only key.
    path("calendar/cohort/<str:token>.ics", calendars.cohort_calendar_feed, name="cohort_calendar_feed"),
    # Planner
    path("planner/new/", planner.planner_create, name="planner_create"),
    path("planner/people/", planner.planner_people, name="planner_people"),
    path("<int:pk>/planner/", planner.planner, name="planner"),
    path("<int:pk>/planner/details/", planner.planner_details, name="planner_details"),
    path("<int:pk>/planner/sessions/new/", planner.planner_session_add, name="planner_session_add"),
    path(
        "<int:pk>/planner/sessions/<int:session_pk>/materials/new/",
        planner.planner_material_add,
        name="planner_material_add",
    ),
    path(
        "<int:pk>/planner/materials/<int:material_pk>/remove/",
        planner.planner_material_remove,
        name="planner_material_remove",
    ),
    path(
        "<int:pk>/planner/sessions/<int:session_pk>/edit/",
        planner.planner_session_edit,
        name="planner_session_edit",
    ),
    path(
        "<int:pk>/planner/sessions/<int:session_pk>/cancel/",
        planner.planner_session_cancel,
        name="planner_session_cancel",
    ),
    path("<int:pk>/copy/", planner.planner_copy, name="copy"),
    # Applications
    path("<int:pk>/apply/", applications.application_create, name="apply"),
    path("<int:pk>/applications/", applications.application_list, name="applications"),
    path("<int:pk>/applications.<str:fmt>", applications.applications_export, name="applications_export"),
    path(
        "<int:pk>/applications/<int:application_pk>/",
        applications.application_detail,
        name="application",
    ),
    path(
        "<int:pk>/applications/<int:application_pk>/decide/",
        applications.application_decide_view,
        name="application_decide",
    ),
    path(
        "<int:pk>/applications/<int:application_pk>/manager/resend/",
        applications.application_manager_resend_view,
        name="application_manager_resend",
    ),
    path(
        "<int:pk>/applications/<int:application_pk>/manager/reassign/",
        applications.application_manager_reassign_view,
        name="application_manager_reassign",
    ),
    path("applications/mine/", applications.my_applications, name="my_applications"),
    path("<int:pk>/participants/", applications.participant_list, name="participants"),
    path("<int:pk>/participants.<str:fmt>", applications.participants_export, name="participants_export"),
    path(
        "<int:pk>/participants/<int:enrolment_pk>/withdraw/",
        applications.participant_withdraw,
        name="participant_withdraw",
    ),
    # Public: the line manager has no account; the signed token in the path is the only key.
    path(
        "applications/manager/<str:token>/",
        applications.application_manager_respond_view,
        name="application_manager_respond",
    ),
    # Attendance
    path("<int:cohort_pk>/sessions/<int:pk>/register/", attendance.register, name="register"),
    path(
        "<int:cohort_pk>/sessions/<int:pk>/register/<int:enrolment_pk>/",
        attendance.register_record,
        name="register_record",
    ),
    path(
        "<int:cohort_pk>/sessions/<int:pk>/register/all-present/",
        attendance.register_all_present,
        name="register_all_present",
    ),
    path("<int:pk>/attendance/", attendance.matrix, name="attendance_matrix"),
    path("<int:pk>/attendance.<str:fmt>", attendance.matrix_export, name="attendance_export"),
    path("<int:pk>/my-attendance/", attendance.my_attendance, name="my_attendance"),
    path("<int:pk>/sessions/<int:session_pk>/apologies/", attendance.apologies, name="apologies"),
]

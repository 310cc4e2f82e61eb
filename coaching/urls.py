from django.urls import path

from coaching import views

app_name = "coaching"

urlpatterns = [
    path("welcome/", views.welcome, name="welcome"),
    path("programme/", views.programme_overview, name="programme_overview"),
    path("programme/health/", views.health, name="health"),
    path("programme/health/coaches.<str:fmt>", views.health_export, name="health_export"),
    path("coaching/", views.coach_home, name="coach_home"),
    path("coaching/supervisees/", views.qi_lead_home, name="qi_lead_home"),
    path("coaching/overview/", views.overview, name="overview"),
    path("coaching/overview/export.<str:fmt>", views.overview_export, name="overview_export"),
    path("coaching/coaches/", views.coach_load_page, name="coach_load"),
    path("coaching/coaches/<int:pk>/capacity/", views.coach_capacity, name="coach_capacity"),
    path("coaching/coaches/<int:pk>/edit/", views.coach_update, name="coach_update"),
    # People: /people/ is shared with coachprog.accounts (invitations, directorates, programme leads).
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/make-coach/", views.coach_create, name="coach_create"),
    path("coaching/teams/<int:project_pk>/coaches/", views.project_coaches, name="project_coaches"),
    path("coaching/teams/<int:project_pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("coaching/assignments/<int:pk>/end/", views.assignment_finish, name="assignment_end"),
    path("coaching/meetings/export.<str:fmt>", views.meeting_log_export, name="meeting_export"),
    path(
        "coaching/teams/<int:project_pk>/meetings/export.<str:fmt>",
        views.project_meeting_log_export,
        name="project_meeting_export",
    ),
    path("coaching/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("coaching/meetings/<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("coaching/supervision/", views.supervision_list, name="supervision_list"),
    path("coaching/supervision/export.<str:fmt>", views.supervision_export, name="supervision_export"),
    path("coaching/supervision/new/", views.supervision_create, name="supervision_create"),
    path("coaching/supervision/<int:pk>/", views.supervision_detail, name="supervision"),
    path("coaching/supervision/<int:pk>/edit/", views.supervision_update, name="supervision_update"),
    path("coaching/supervision/<int:pk>/note/", views.supervision_note, name="supervision_note"),
    path(
        "coaching/teams/<int:project_pk>/updates/new/",
        views.monthly_update_write,
        name="monthly_update_write",
    ),
    path("coaching/updates/export.<str:fmt>", views.monthly_update_export, name="monthly_update_export"),
    path("coaching/updates/<int:pk>/", views.monthly_update_detail, name="monthly_update"),
    path("coaching/updates/<int:pk>/edit/", views.monthly_update_edit_page, name="monthly_update_edit"),
    path(
        "coaching/updates/<int:pk>/acknowledge/",
        views.monthly_update_acknowledge_view,
        name="monthly_update_acknowledge",
    ),
    path("coaching/updates/<int:pk>/comments/", views.monthly_update_comment, name="monthly_update_comment"),
    path("sponsor/", views.sponsor_home, name="sponsor_home"),
]

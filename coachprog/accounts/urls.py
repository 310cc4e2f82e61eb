from django.urls import path

from coachprog.accounts import views

app_name = "accounts"

urlpatterns = [
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("access/", views.access_policy, name="access_policy"),
    path("directorates/", views.directorate_list, name="directorate_list"),
    path("directorates/new/", views.directorate_create_view, name="directorate_create"),
    path("directorates/<int:pk>/", views.directorate_detail, name="directorate"),
    path("directorates/<int:pk>/rename/", views.directorate_rename_view, name="directorate_rename"),
    path(
        "directorates/<int:pk>/qi-leads/add/",
        views.directorate_qi_lead_add_view,
        name="directorate_qi_lead_add",
    ),
    path(
        "directorates/<int:pk>/qi-leads/<int:person_pk>/remove/",
        views.directorate_qi_lead_remove_view,
        name="directorate_qi_lead_remove",
    ),
    path("programme-leads/", views.programme_lead_list, name="programme_leads"),
    path("programme-leads/add/", views.programme_lead_add_view, name="programme_lead_add"),
    path("programme-leads/<int:pk>/remove/", views.programme_lead_remove_view, name="programme_lead_remove"),
]

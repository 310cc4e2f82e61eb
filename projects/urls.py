from django.urls import path

from projects.views import data, drivers, measures, pdsa, project

app_name = "projects"

urlpatterns = [
    path("", project.project_list, name="list"),
    path("export/<str:fmt>/", project.project_list_export, name="export"),
    path("<int:pk>/", project.project_detail, name="detail"),
    path("<int:pk>/progress-score/", project.progress_score_update, name="progress_score"),
    path("new/", project.project_create, name="create"),
    path("<int:pk>/edit/", project.project_edit, name="update"),
    path("<int:pk>/close/", project.project_close_view, name="close"),
    path("<int:pk>/reopen/", project.project_reopen_view, name="reopen"),
    path("<int:pk>/team/", project.project_team, name="team"),
    path("<int:pk>/team/<int:membership_pk>/remove/", project.team_member_remove_view, name="team_remove"),
    path("<int:project_pk>/measures/new/", measures.measure_create, name="measure_create"),
    path("<int:project_pk>/measures/<int:pk>/", measures.measure_detail, name="measure"),
    path("<int:project_pk>/measures/<int:pk>/edit/", measures.measure_update, name="measure_update"),
    path("<int:project_pk>/driver-diagram/", drivers.driver_diagram, name="driver_diagram"),
    path("<int:project_pk>/driver-diagram/nodes/", drivers.driver_node_create, name="driver_node_create"),
    path(
        "<int:project_pk>/driver-diagram/nodes/<int:pk>/", drivers.driver_node_edit, name="driver_node_edit"
    ),
    path("<int:project_pk>/pdsa/", pdsa.pdsa_list, name="pdsa_list"),
    path("<int:project_pk>/pdsa/new/", pdsa.pdsa_create, name="pdsa_create"),
    path("<int:project_pk>/pdsa/export/<str:fmt>/", pdsa.pdsa_export, name="pdsa_export"),
    path("<int:project_pk>/pdsa/<int:pk>/", pdsa.pdsa_detail, name="pdsa"),
    path("<int:project_pk>/pdsa/<int:pk>/edit/", pdsa.pdsa_update, name="pdsa_update"),
    path("<int:project_pk>/measures/<int:pk>/data/add/", data.data_point_add, name="data_add"),
    path("<int:project_pk>/measures/<int:pk>/data/import/", data.data_import, name="data_import"),
    path(
        "<int:project_pk>/measures/<int:pk>/data/<int:point_pk>/remove/", data.data_remove, name="data_remove"
    ),
    path("<int:project_pk>/measures/<int:pk>/data/export/<str:fmt>/", data.data_export, name="data_export"),
    path("<int:project_pk>/measures/<int:pk>/baseline/", measures.baseline_freeze, name="baseline_freeze"),
    path(
        "<int:project_pk>/measures/<int:pk>/baseline/clear/", measures.baseline_clear, name="baseline_clear"
    ),
    path("<int:project_pk>/measures/<int:pk>/phases/", measures.phase_add, name="phase_add"),
    path(
        "<int:project_pk>/measures/<int:pk>/phases/<int:phase_pk>/remove/",
        measures.phase_remove,
        name="phase_remove",
    ),
    path("<int:project_pk>/measures/<int:pk>/notes/", measures.note_add, name="note_add"),
]

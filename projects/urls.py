from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("export/<str:fmt>/", views.project_list_export, name="export"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/progress-score/", views.progress_score_update, name="progress_score"),
    path("<int:project_pk>/measures/new/", views.measure_create, name="measure_create"),
    path("<int:project_pk>/measures/<int:pk>/", views.measure_detail, name="measure"),
    path("<int:project_pk>/measures/<int:pk>/edit/", views.measure_update, name="measure_update"),
    path("<int:project_pk>/driver-diagram/", views.driver_diagram, name="driver_diagram"),
    path("<int:project_pk>/driver-diagram/nodes/", views.driver_node_create, name="driver_node_create"),
    path("<int:project_pk>/driver-diagram/nodes/<int:pk>/", views.driver_node_edit, name="driver_node_edit"),
    path("<int:project_pk>/pdsa/", views.pdsa_list, name="pdsa_list"),
    path("<int:project_pk>/pdsa/new/", views.pdsa_create, name="pdsa_create"),
    path("<int:project_pk>/pdsa/<int:pk>/", views.pdsa_detail, name="pdsa"),
    path("<int:project_pk>/pdsa/<int:pk>/edit/", views.pdsa_update, name="pdsa_update"),
    path("<int:project_pk>/measures/<int:pk>/data/add/", views.data_point_add, name="data_add"),
    path("<int:project_pk>/measures/<int:pk>/data/import/", views.data_import, name="data_import"),
    path("<int:project_pk>/measures/<int:pk>/data/export/<str:fmt>/", views.data_export, name="data_export"),
    path("<int:project_pk>/measures/<int:pk>/baseline/", views.baseline_freeze, name="baseline_freeze"),
    path("<int:project_pk>/measures/<int:pk>/baseline/clear/", views.baseline_clear, name="baseline_clear"),
    path("<int:project_pk>/measures/<int:pk>/phases/", views.phase_add, name="phase_add"),
    path(
        "<int:project_pk>/measures/<int:pk>/phases/<int:phase_pk>/remove/",
        views.phase_remove,
        name="phase_remove",
    ),
    path("<int:project_pk>/measures/<int:pk>/notes/", views.note_add, name="note_add"),
]

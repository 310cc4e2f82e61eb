from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:project_pk>/measures/<int:pk>/", views.measure_detail, name="measure"),
    path("<int:project_pk>/pdsa/<int:pk>/", views.pdsa_detail, name="pdsa"),
    path("<int:project_pk>/measures/<int:pk>/data/add/", views.data_point_add, name="data_add"),
    path("<int:project_pk>/measures/<int:pk>/data/import/", views.data_import, name="data_import"),
    path("<int:project_pk>/measures/<int:pk>/data/export/<str:fmt>/", views.data_export, name="data_export"),
]

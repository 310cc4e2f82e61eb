from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("", views.cohort_list, name="list"),
    path("<int:pk>/", views.cohort_detail, name="detail"),
    path("<int:cohort_pk>/sessions/<int:pk>/", views.session_detail, name="session"),
]

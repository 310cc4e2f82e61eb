from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from coaching import views as coaching_views
from coachprog import views

# The admin's own login form would skip allauth's rate limits and two-factor step: send
# people to allauth's sign-in page instead, and back to the admin afterwards.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("history/<str:label>/<int:pk>/", views.object_history, name="object_history"),
    path("privacy/people/", views.person_list, name="person_list"),
    path("privacy/people/<int:pk>/export/", views.person_export, name="person_export"),
    path("privacy/people/<int:pk>/erase/", views.person_erase_view, name="person_erase"),
    path("privacy/my-data/", views.my_data, name="my_data"),
    path("privacy/my-data/export/", views.my_data_export, name="my_data_export"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("coachprog.accounts.urls")),
    path("admin/", admin.site.urls),
    path("cohorts/", include("cohorts.urls")),
    path("projects/", include("projects.urls")),
    path("", include("coachprog.outbox.urls")),
    path("", coaching_views.home, name="home"),
    path("", include("coaching.urls")),
]

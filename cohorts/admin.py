from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from simple_history.admin import SimpleHistoryAdmin

from cohorts.models import (
    Application,
    Attendance,
    CalendarToken,
    Cohort,
    CurriculumTopic,
    Enrolment,
    Programme,
    Session,
    SessionMaterial,
)

# Links typed without a scheme mean https (Django 6's default, chosen now).
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "cohort_count"]
    search_fields = ["name", "description"]
    filter_horizontal = ["leads"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_cohorts=Count("cohorts"))

    @admin.display(description="cohorts", ordering="_cohorts")
    def cohort_count(self, obj: Programme) -> int:
        return obj._cohorts


@admin.register(CurriculumTopic)
class CurriculumTopicAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["name"]


class SessionInline(admin.TabularInline):
    model = Session
    formfield_overrides = HTTPS_LINKS
    fields = ["kind", "title", "starts_at", "ends_at", "venue_name", "online_url", "status"]
    extra = 0
    show_change_link = True


@admin.register(Cohort)
class CohortAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "programme", "starts_on", "ends_on", "status", "capacity", "enrolled"]
    list_filter = ["status", "programme"]
    search_fields = ["name", "number", "programme__name"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["leads", "topics"]
    list_select_related = ["programme"]
    inlines = [SessionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)))
        )

    @admin.display(description="enrolled", ordering="_enrolled")
    def enrolled(self, obj: Cohort) -> int:
        return obj._enrolled


class SessionMaterialInline(admin.TabularInline):
    model = SessionMaterial
    formfield_overrides = HTTPS_LINKS
    fields = ["title", "file", "url", "added_by"]
    autocomplete_fields = ["added_by"]
    extra = 0


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["title", "cohort", "kind", "starts_at", "ends_at", "venue_name", "status"]
    list_filter = ["kind", "status", "cohort"]
    search_fields = ["title", "venue_name", "cohort__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["cohort"]
    filter_horizontal = ["facilitators", "topics"]
    readonly_fields = ["uid", "sequence"]
    inlines = [SessionMaterialInline]


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["applicant", "cohort", "status", "directorate", "role_title", "submitted_at"]
    list_filter = ["status", "cohort", "directorate", "is_service_user_or_carer"]
    search_fields = ["applicant__email", "applicant__display_name", "line_manager_name", "line_manager_email"]
    list_select_related = ["applicant", "cohort", "directorate"]
    autocomplete_fields = ["applicant", "decided_by"]
    # The request's counts and the links' number move only through the services, which send the e-mails.
    readonly_fields = [
        "created_at",
        "manager_asked_at",
        "manager_last_asked_at",
        "manager_times_asked",
        "manager_reassignments",
        "manager_approved",
    ]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["session", "status", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_at"]
    autocomplete_fields = ["recorded_by"]
    extra = 0


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    list_display = ["participant", "cohort", "status", "enrolled_on"]
    list_filter = ["status", "cohort"]
    search_fields = ["participant__email", "participant__display_name"]
    list_select_related = ["participant", "cohort"]
    autocomplete_fields = ["participant"]
    raw_id_fields = ["application"]
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["enrolment", "session", "status", "recorded_by", "recorded_at"]
    list_filter = ["status", "session__cohort", "session__kind"]
    search_fields = [
        "enrolment__participant__email",
        "enrolment__participant__display_name",
        "session__title",
    ]  # noqa: E501
    list_select_related = ["enrolment__participant", "enrolment__cohort", "session__cohort", "recorded_by"]
    autocomplete_fields = ["recorded_by"]
    raw_id_fields = ["session", "enrolment"]


@admin.register(SessionMaterial)
class SessionMaterialAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["title", "session", "added_by", "added_at"]
    search_fields = ["title", "session__title"]
    list_select_related = ["session__cohort", "added_by"]
    autocomplete_fields = ["added_by"]
    raw_id_fields = ["session"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Admins can see who has a calendar link and delete it (revoke); the secret itself is never shown."""

    list_display = ["person", "created_at"]
    search_fields = ["person__email", "person__display_name"]
    list_select_related = ["person"]
    fields = ["person", "created_at"]
    readonly_fields = ["person", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # people create their own link on the "My calendar link" page

    def has_change_permission(self, request, obj=None) -> bool:
        return False

"""Cohorts in the admin: read-only, since every write is a service behind a page in the app.

The planner, the applications pages and the register do each task with its rules (capacity,
the line manager's approval, the wait-list, session-change e-mails, history). Calendar links
can still be revoked here in an emergency, through the same services as the app.
"""

from django.contrib import admin
from django.db.models import Count, Q

from coachprog.admin import (
    FollowsPagesAdmin,
    ReadOnlyAdmin,
    ReadOnlyHistoryAdmin,
    ReadOnlyInline,
    typed_filter,
)
from cohorts.models import (
    Application,
    Attendance,
    CalendarToken,
    Cohort,
    CohortCalendarToken,
    CurriculumTopic,
    Enrolment,
    Programme,
    Session,
    SessionMaterial,
)
from cohorts.services import calendar_token_revoke, cohort_calendar_token_revoke

PLANNER = "Read-only here: programme leads plan cohorts and their sessions on the cohort's Planner page."
# Cohorts and directorates grow with the programme: their filters are typed, never a list of every one.
BY_COHORT = typed_filter(
    "cohort", "cohort", "cohort__name", "cohort__programme__name", number_field="cohort__number"
)
BY_DIRECTORATE = typed_filter("directorate", "directorate", "directorate__name")


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyHistoryAdmin):
    app_note = "Read-only here: programme leads add and change programmes in the app."
    list_display = ["name", "cohort_count"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_cohorts=Count("cohorts"))

    @admin.display(description="cohorts", ordering="_cohorts")
    def cohort_count(self, obj: Programme) -> int:
        return obj._cohorts


@admin.register(CurriculumTopic)
class CurriculumTopicAdmin(FollowsPagesAdmin):
    """The programme's five curriculum topics: a fixed list with no page and no rule of its own."""

    list_display = ["number", "name"]
    search_fields = ["name"]


class SessionInline(ReadOnlyInline):
    model = Session
    fields = ["kind", "title", "starts_at", "ends_at", "venue_name", "online_url", "status"]
    show_change_link = True


@admin.register(Cohort)
class CohortAdmin(ReadOnlyHistoryAdmin):
    app_note = PLANNER
    list_display = ["__str__", "programme", "starts_on", "ends_on", "status", "capacity", "enrolled"]
    list_filter = ["status", "programme"]
    search_fields = ["name", "number", "programme__name"]
    date_hierarchy = "starts_on"
    list_select_related = ["programme"]
    raw_id_fields = ["leads"]
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


class SessionMaterialInline(ReadOnlyInline):
    model = SessionMaterial
    fields = ["title", "file", "url", "added_by"]
    list_select_related = ("session__cohort",)


@admin.register(Session)
class SessionAdmin(ReadOnlyHistoryAdmin):
    app_note = PLANNER
    list_display = ["title", "cohort", "kind", "starts_at", "ends_at", "venue_name", "status"]
    list_filter = ["kind", "status", BY_COHORT]
    search_fields = ["cohort__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["cohort"]
    raw_id_fields = ["cohort", "facilitators"]
    inlines = [SessionMaterialInline]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyHistoryAdmin):
    app_note = (
        "Read-only here: applications are decided, and line managers asked again, on the cohort's pages."
    )
    list_display = ["applicant", "cohort", "status", "directorate", "role_title", "submitted_at"]
    list_filter = ["status", BY_COHORT, BY_DIRECTORATE, "is_service_user_or_carer"]
    search_fields = ["applicant__email", "applicant__display_name"]
    list_select_related = ["applicant", "cohort", "directorate"]
    raw_id_fields = ["cohort", "applicant", "directorate", "decided_by"]


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["session", "status", "note", "recorded_by", "recorded_at"]
    # Each row names its session and participant, and the register's rule reads the session's cohort.
    list_select_related = ("session__cohort", "enrolment__participant")


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyHistoryAdmin):
    app_note = (
        "Read-only here: participants are enrolled by accepting their application, and withdrawn in the app."
    )
    list_display = ["participant", "cohort", "status", "enrolled_on"]
    list_filter = ["status", BY_COHORT]
    search_fields = ["participant__email", "participant__display_name"]
    list_select_related = ["participant", "cohort"]
    raw_id_fields = ["cohort", "participant", "application"]
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyHistoryAdmin):
    app_note = "Read-only here: attendance is taken on each session's register."
    list_display = ["enrolment", "session", "status", "recorded_by", "recorded_at"]
    list_filter = [
        "status",
        typed_filter(
            "cohort",
            "cohort",
            "session__cohort__name",
            "session__cohort__programme__name",
            number_field="session__cohort__number",
        ),
        "session__kind",
    ]
    search_fields = [
        "enrolment__participant__email",
        "enrolment__participant__display_name",
        "session__title",
    ]
    list_select_related = ["enrolment__participant", "enrolment__cohort", "session__cohort", "recorded_by"]
    raw_id_fields = ["session", "enrolment", "recorded_by"]


@admin.register(SessionMaterial)
class SessionMaterialAdmin(ReadOnlyAdmin):
    app_note = "Read-only here: teaching materials are added and removed on the cohort's Planner page."
    list_display = ["title", "session", "added_by", "added_at"]
    search_fields = ["session__title"]
    list_select_related = ["session__cohort", "added_by"]
    raw_id_fields = ["session", "added_by"]


class CalendarLinkAdmin(ReadOnlyAdmin):
    """Who has a calendar link, and when it was made; the secret itself is never shown.

    Deleting one revokes the link, through the same service as the app (an emergency: a link
    that leaked)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        # Past ReadOnlyAdmin's refusal: deleting is allowed wherever the admin's own permissions allow it.
        return super(ReadOnlyAdmin, self).has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset:
            self.delete_model(request, token)


@admin.register(CalendarToken)
class CalendarTokenAdmin(CalendarLinkAdmin):
    app_note = "People make and revoke their own link on the “My calendar link” page."
    list_display = ["person", "created_at"]
    search_fields = ["person__email", "person__display_name"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    fields = ["person", "created_at"]

    def delete_model(self, request, obj: CalendarToken) -> None:
        calendar_token_revoke(person=obj.person)


@admin.register(CohortCalendarToken)
class CohortCalendarTokenAdmin(CalendarLinkAdmin):
    app_note = "A cohort's leads make and revoke its calendar link on the cohort's page."
    list_display = ["cohort", "created_by", "created_at"]
    search_fields = ["cohort__name"]
    list_select_related = ["cohort", "created_by"]
    raw_id_fields = ["cohort", "created_by"]
    fields = ["cohort", "created_by", "created_at"]

    def delete_model(self, request, obj: CohortCalendarToken) -> None:
        cohort_calendar_token_revoke(cohort=obj.cohort)

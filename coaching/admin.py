"""Coaching in the admin: read-only, since every write is a service behind a page in the app.

Nothing here shows what the coaching pages would not show the person looking (coachprog.admin):
a supervision log's private reflection never, meeting notes and drafts only to those who read them.
"""

from django.contrib import admin

from coaching.models import (
    Assignment,
    CoachProfile,
    MeetingFocus,
    MeetingLog,
    MonthlyUpdate,
    NextStep,
    SupervisionLog,
    UpdateComment,
)
from coachprog.admin import (
    FollowsPagesAdmin,
    ReadOnlyAdmin,
    ReadOnlyHistoryAdmin,
    ReadOnlyInline,
    typed_filter,
)

# Directorates grow with the organisation: the filter is typed, never a list of every one.
BY_DIRECTORATE = typed_filter("directorate", "directorate", "project__directorate__name")


@admin.register(CoachProfile)
class CoachProfileAdmin(ReadOnlyHistoryAdmin):
    app_note = (
        "Read-only here: leads make someone a coach and change their capacity and supervisor in the app."
    )
    list_display = ["coach", "hours_per_week", "supervisor", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["coach__email", "coach__display_name", "supervisor__display_name"]
    list_select_related = ["coach", "supervisor"]
    raw_id_fields = ["coach", "supervisor"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyHistoryAdmin):
    app_note = "Read-only here: coaches are assigned, and assignments ended, on each project's Coaches page."
    list_display = ["coach", "project", "role", "starts_on", "ends_on", "end_reason"]
    list_filter = ["role", BY_DIRECTORATE]
    search_fields = ["coach__email", "coach__display_name", "project__title"]
    list_select_related = ["coach", "project"]
    raw_id_fields = ["coach", "project", "assigned_by"]
    date_hierarchy = "starts_on"


@admin.register(MeetingFocus)
class MeetingFocusAdmin(FollowsPagesAdmin):
    """The fixed list a meeting's "worked on" ticks come from; no page edits it, and no rule guards it."""

    list_display = ["name", "slug", "position"]


class NextStepInline(ReadOnlyInline):
    model = NextStep
    fields = ["description", "owner", "due_on", "done_on"]
    list_select_related = ("meeting__project",)  # the rule for a next step reads its meeting's team


@admin.register(MeetingLog)
class MeetingLogAdmin(ReadOnlyHistoryAdmin):
    app_note = "Read-only here: a coach logs and corrects their meetings in the app."
    list_display = ["project", "coach", "met_on", "duration_minutes", "mode", "progress_score"]
    list_filter = ["mode", "progress_score", BY_DIRECTORATE]
    search_fields = ["project__title", "coach__display_name", "coach__email"]
    list_select_related = ["project", "coach"]
    raw_id_fields = ["coach", "project", "attendees"]
    date_hierarchy = "met_on"
    inlines = [NextStepInline]


@admin.register(SupervisionLog)
class SupervisionLogAdmin(ReadOnlyHistoryAdmin):
    app_note = (
        "Read-only here: a coach records their supervision in the app, and their supervisor adds a note."
    )
    list_display = ["coach", "supervisor", "held_on", "kind", "reflection_shared"]
    list_filter = ["kind", "reflection_shared"]
    search_fields = ["coach__display_name", "coach__email", "supervisor__display_name"]
    list_select_related = ["coach", "supervisor"]
    raw_id_fields = ["coach", "supervisor"]
    date_hierarchy = "held_on"
    # The private reflection belongs to the coach: the admin never shows it, not even to them.
    exclude = ["reflection"]


@admin.register(MonthlyUpdate)
class MonthlyUpdateAdmin(ReadOnlyHistoryAdmin):
    app_note = (
        "Read-only here: coaches write monthly updates in the app; a ready one is changed by a new version."
    )
    list_display = ["project", "month", "version", "status", "rag", "author", "ready_at"]
    list_filter = ["status", "rag"]
    search_fields = ["project__title", "author__display_name"]
    list_select_related = ["project", "author"]
    raw_id_fields = ["project", "author", "acknowledged_by"]
    date_hierarchy = "month"


@admin.register(UpdateComment)
class UpdateCommentAdmin(ReadOnlyAdmin):
    app_note = "Read-only here: comments are written on the monthly update's page, which e-mails the coaches."
    list_display = ["update", "author", "created_at"]
    search_fields = ["update__project__title", "author__display_name"]
    list_select_related = ["update__project", "author"]
    raw_id_fields = ["update", "author"]


@admin.register(NextStep)
class NextStepAdmin(ReadOnlyHistoryAdmin):
    app_note = "Read-only here: next steps are agreed, and ticked off, in the coach's meeting log."
    list_display = ["description", "owner", "due_on", "done_on", "meeting"]
    list_filter = ["done_on"]
    search_fields = ["meeting__project__title"]
    list_select_related = ["meeting__project"]
    raw_id_fields = ["meeting"]

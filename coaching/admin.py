from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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


@admin.register(CoachProfile)
class CoachProfileAdmin(admin.ModelAdmin):
    list_display = ["coach", "hours_per_week", "supervisor", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["coach__email", "coach__display_name", "supervisor__display_name"]
    list_select_related = ["coach", "supervisor"]
    autocomplete_fields = ["coach", "supervisor"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["coach", "project", "role", "starts_on", "ends_on", "end_reason"]
    list_filter = ["role", "project__directorate"]
    search_fields = ["coach__email", "coach__display_name", "project__title"]
    list_select_related = ["coach", "project"]
    autocomplete_fields = ["coach", "project", "assigned_by"]
    date_hierarchy = "starts_on"


@admin.register(MeetingFocus)
class MeetingFocusAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]


class NextStepInline(admin.TabularInline):
    model = NextStep
    fields = ["description", "owner", "due_on", "done_on"]
    extra = 0


@admin.register(MeetingLog)
class MeetingLogAdmin(SimpleHistoryAdmin):
    list_display = ["project", "coach", "met_on", "duration_minutes", "mode", "progress_score"]
    list_filter = ["mode", "progress_score", "project__directorate"]
    search_fields = ["project__title", "coach__display_name", "coach__email"]
    list_select_related = ["project", "coach"]
    autocomplete_fields = ["coach", "project", "attendees"]
    filter_horizontal = ["focuses"]
    date_hierarchy = "met_on"
    inlines = [NextStepInline]


@admin.register(SupervisionLog)
class SupervisionLogAdmin(SimpleHistoryAdmin):
    list_display = ["coach", "supervisor", "held_on", "kind", "reflection_shared"]
    list_filter = ["kind", "reflection_shared"]
    search_fields = ["coach__display_name", "coach__email", "supervisor__display_name", "themes"]
    list_select_related = ["coach", "supervisor"]
    autocomplete_fields = ["coach", "supervisor"]
    date_hierarchy = "held_on"
    # The private reflection belongs to the coach: the admin never shows it.
    exclude = ["reflection"]


@admin.register(MonthlyUpdate)
class MonthlyUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["project", "month", "version", "status", "rag", "author", "ready_at"]
    list_filter = ["status", "rag"]
    search_fields = ["project__title", "author__display_name", "narrative"]
    list_select_related = ["project", "author"]
    autocomplete_fields = ["project", "author"]
    date_hierarchy = "month"
    readonly_fields = ["created_at", "ready_at", "signal_count", "acknowledged_at", "acknowledged_by"]


@admin.register(UpdateComment)
class UpdateCommentAdmin(admin.ModelAdmin):
    list_display = ["update", "author", "created_at"]
    search_fields = ["update__project__title", "author__display_name", "body"]
    list_select_related = ["update__project", "author"]
    autocomplete_fields = ["update", "author"]
    readonly_fields = ["created_at"]


@admin.register(NextStep)
class NextStepAdmin(SimpleHistoryAdmin):
    list_display = ["description", "owner", "due_on", "done_on", "meeting"]
    list_filter = ["done_on"]
    search_fields = ["description", "owner", "meeting__project__title"]
    list_select_related = ["meeting__project"]
    raw_id_fields = ["meeting"]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import (
    ChartNote,
    DataPoint,
    DriverNode,
    Measure,
    MeasurePhase,
    PDSACycle,
    ProgressScoreChange,
    Project,
    TeamMembership,
)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    fields = ["person", "role", "joined_on"]
    autocomplete_fields = ["person"]
    extra = 0


class ProgressScoreChangeInline(admin.TabularInline):
    model = ProgressScoreChange
    fields = ["changed_at", "previous_score", "score", "changed_by", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # history is written by the progress_score_change service only


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["title", "directorate", "sponsor", "status", "progress_score", "started_on"]
    list_filter = ["status", "directorate", "progress_score"]
    search_fields = ["title", "aim_what", "sponsor__email", "sponsor__display_name"]
    list_select_related = ["directorate", "sponsor"]
    autocomplete_fields = ["sponsor"]
    date_hierarchy = "started_on"
    inlines = [TeamMembershipInline, ProgressScoreChangeInline]


@admin.register(DriverNode)
class DriverNodeAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "project", "parent"]
    list_filter = ["kind"]
    search_fields = ["text", "project__title"]
    list_select_related = ["project", "parent"]
    raw_id_fields = ["parent"]


class DataPointInline(admin.TabularInline):
    model = DataPoint
    fields = ["period", "value", "numerator", "denominator", "note", "recorded_by"]
    autocomplete_fields = ["recorded_by"]
    extra = 0


class MeasurePhaseInline(admin.TabularInline):
    model = MeasurePhase
    fields = ["starts_on", "reason", "created_by", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["created_by"]
    extra = 0


class ChartNoteInline(admin.TabularInline):
    model = ChartNote
    fields = ["on", "text", "created_by", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["created_by"]
    extra = 0


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "project",
        "kind",
        "value_type",
        "better_direction",
        "frequency",
        "target",
        "chart",
    ]
    list_filter = ["kind", "value_type", "better_direction", "frequency"]
    search_fields = ["name", "project__title", "operational_definition"]
    list_select_related = ["project"]
    readonly_fields = ["baseline_set_at"]
    autocomplete_fields = ["baseline_set_by"]
    inlines = [MeasurePhaseInline, ChartNoteInline, DataPointInline]


@admin.register(DataPoint)
class DataPointAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "period", "value", "numerator", "denominator", "recorded_by"]
    list_filter = ["measure__project"]
    search_fields = ["measure__name", "measure__project__title", "note"]
    list_select_related = ["measure__project", "recorded_by"]
    date_hierarchy = "period"
    autocomplete_fields = ["recorded_by"]


@admin.register(PDSACycle)
class PDSACycleAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "project", "status", "act_decision", "starts_on", "completed_on"]
    list_filter = ["status", "act_decision"]
    search_fields = ["title", "project__title", "plan_question"]
    list_select_related = ["project"]
    raw_id_fields = ["change_idea", "follows"]
    filter_horizontal = ["measures"]


@admin.register(ProgressScoreChange)
class ProgressScoreChangeAdmin(admin.ModelAdmin):
    list_display = ["project", "changed_at", "previous_score", "score", "changed_by", "reason"]
    list_filter = ["score"]
    search_fields = ["project__title", "reason"]
    list_select_related = ["project", "changed_by"]
    date_hierarchy = "changed_at"

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # history is never edited

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(MeasurePhase)
class MeasurePhaseAdmin(admin.ModelAdmin):
    list_display = ["measure", "starts_on", "reason", "created_by", "created_at"]
    search_fields = ["measure__name", "measure__project__title", "reason"]
    list_select_related = ["measure", "created_by"]
    autocomplete_fields = ["created_by"]
    raw_id_fields = ["measure"]


@admin.register(ChartNote)
class ChartNoteAdmin(admin.ModelAdmin):
    list_display = ["measure", "on", "text", "created_by"]
    search_fields = ["measure__name", "measure__project__title", "text"]
    list_select_related = ["measure", "created_by"]
    autocomplete_fields = ["created_by"]
    raw_id_fields = ["measure"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "project", "role", "joined_on"]
    list_filter = ["role"]
    search_fields = ["person__email", "person__display_name", "project__title"]
    list_select_related = ["person", "project"]
    autocomplete_fields = ["person", "project"]

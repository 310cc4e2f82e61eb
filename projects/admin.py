"""The projects app in the admin: for emergencies, never a way round the services.

Records that have services (the project's status and team; measures, data points, PDSA cycles,
driver diagrams, chart decisions, the score's history) are read-only here: the app's pages change
them, with their rules and history. A project's details can be corrected here by those who may
change them in the app, through the same service as its edit page (`project_update`), and its
progress score only through `progress_score_change`, with a reason, so "score since" and the
stalled flag stay true. Projects are neither added nor deleted here, and no version is reverted.
The shared bases (`coachprog.admin`) leave out what the app's pages would not show the reader.
"""

from django import forms
from django.contrib import admin

from coachprog.admin import (
    FollowsPagesAdmin,
    HistoryAdmin,
    ReadOnlyAdmin,
    ReadOnlyHistoryAdmin,
    ReadOnlyInline,
    typed_filter,
)
from coachprog.permissions import is_programme_lead
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
from projects.permissions import can_change_project, startable_directorates
from projects.services import PROJECT_DETAIL_FIELDS, progress_score_change, project_errors, project_update

ON_THE_PROJECT_PAGES = "Read-only here: {} on the project's pages in the app, which keep the history."


class TeamMembershipInline(ReadOnlyInline):
    model = TeamMembership
    fields = ["person", "role", "joined_on"]


class ProgressScoreChangeInline(ReadOnlyInline):
    model = ProgressScoreChange
    fields = ["changed_at", "previous_score", "score", "changed_by", "reason"]


class ProjectAdminForm(forms.ModelForm):
    """A correction of a project's details, checked by the service's rules; a new score needs a reason."""

    score_reason = forms.CharField(
        label="Reason for the score change",
        max_length=300,
        required=False,
        help_text="Required when the progress score changes; kept in the score's history.",
    )

    class Meta:
        model = Project
        fields = [*(name for name in PROJECT_DETAIL_FIELDS if name != "status"), "progress_score"]

    def clean(self) -> dict:
        data = super().clean()
        if "progress_score" in self.changed_data and not data.get("score_reason", "").strip():
            self.add_error("score_reason", "Say why the score changes; the score's history keeps it.")
        moved = "directorate" in self.changed_data and data.get("directorate")
        if moved and not startable_directorates(self.user).filter(pk=moved.pk).exists():
            self.add_error("directorate", f"You cannot move projects into {moved}.")
        return data

    def _post_clean(self):
        super()._post_clean()  # sets the instance's fields and runs the model's checks
        for field, message in project_errors(self.instance, changed=self.changed_data).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)


@admin.register(Project)
class ProjectAdmin(HistoryAdmin, FollowsPagesAdmin):
    app_note = (
        "Projects start, change their team, close and reopen in the app. Here their details can be "
        "corrected by those who may change them there, and the progress score only with a reason."
    )
    form = ProjectAdminForm
    list_display = ["title", "directorate", "sponsor", "status", "progress_score", "started_on"]
    # Directorates grow with the organisation: typed, and chosen by autocomplete, never a list of all.
    list_filter = [
        "status",
        typed_filter("directorate", "directorate", "directorate__name"),
        "progress_score",
    ]
    search_fields = ["title", "aim_what", "sponsor__email", "sponsor__display_name"]
    list_select_related = ["directorate", "sponsor"]
    autocomplete_fields = ["sponsor", "directorate"]
    date_hierarchy = "started_on"
    readonly_fields = ["status", "closed_on", "outcome_summary", "reopen_reason", "created_at"]
    inlines = [TeamMembershipInline, ProgressScoreChangeInline]

    def has_add_permission(self, request) -> bool:
        return False  # projects start in the app ("Start a project"), with their first score and team

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a project is closed in the app, and stays as history

    def has_change_permission(self, request, obj=None) -> bool:
        # The app's rule: its coaches, its directorate's QI leads and programme leads, never an archive.
        if not super().has_change_permission(request, obj):
            return False
        return can_change_project(request.user, obj) if obj is not None else is_programme_lead(request.user)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [name for name in fields if name != "score_reason"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        # The same services as the app's pages: their rules, and history with who and when.
        details = {
            name: form.cleaned_data[name] for name in form.changed_data if name in PROJECT_DETAIL_FIELDS
        }
        if details:
            project_update(project=obj, changed_by=request.user, **details)
        if "progress_score" in form.changed_data:
            progress_score_change(
                project=obj,
                score=form.cleaned_data["progress_score"],
                changed_by=request.user,
                reason=form.cleaned_data["score_reason"].strip(),
            )
        obj.refresh_from_db()


@admin.register(DriverNode)
class DriverNodeAdmin(ReadOnlyAdmin):
    app_note = ON_THE_PROJECT_PAGES.format("the driver diagram is drawn")
    list_display = ["text", "kind", "project", "parent"]
    list_filter = ["kind"]
    search_fields = ["text", "project__title"]
    list_select_related = ["project", "parent"]
    raw_id_fields = ["project", "parent"]


class DataPointInline(ReadOnlyInline):
    model = DataPoint
    fields = ["period", "value", "numerator", "denominator", "note", "recorded_by"]
    list_select_related = ("measure__project",)  # the rule for a point's note reads its project


class MeasurePhaseInline(ReadOnlyInline):
    model = MeasurePhase
    fields = ["starts_on", "reason", "created_by", "created_at"]
    list_select_related = ("measure__project",)


class ChartNoteInline(ReadOnlyInline):
    model = ChartNote
    fields = ["on", "text", "created_by", "created_at"]
    list_select_related = ("measure__project",)


@admin.register(Measure)
class MeasureAdmin(ReadOnlyHistoryAdmin):
    app_note = ON_THE_PROJECT_PAGES.format("measures are defined, and their charts decided,")
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
    raw_id_fields = ["project", "baseline_set_by"]
    inlines = [MeasurePhaseInline, ChartNoteInline, DataPointInline]


@admin.register(DataPoint)
class DataPointAdmin(ReadOnlyHistoryAdmin):
    app_note = ON_THE_PROJECT_PAGES.format("data are entered, imported, corrected and removed")
    list_display = ["measure", "period", "value", "numerator", "denominator", "recorded_by"]
    # 10,000 projects: typed, never a list of every one.
    list_filter = [
        typed_filter("project", "project", "measure__project__title", placeholder="Part of its title")
    ]
    search_fields = ["measure__name", "measure__project__title", "note"]
    list_select_related = ["measure__project", "recorded_by"]
    raw_id_fields = ["measure", "recorded_by"]
    date_hierarchy = "period"


@admin.register(PDSACycle)
class PDSACycleAdmin(ReadOnlyHistoryAdmin):
    app_note = ON_THE_PROJECT_PAGES.format("PDSA cycles are planned and recorded")
    list_display = ["__str__", "project", "status", "act_decision", "starts_on", "completed_on"]
    list_filter = ["status", "act_decision"]
    search_fields = ["title", "project__title", "plan_question"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "change_idea", "follows", "measures"]


@admin.register(ProgressScoreChange)
class ProgressScoreChangeAdmin(ReadOnlyAdmin):
    app_note = "Read-only here: the score's history is written by each change of score, never edited."
    list_display = ["project", "changed_at", "previous_score", "score", "changed_by", "reason"]
    list_filter = ["score"]
    search_fields = ["project__title", "reason"]
    list_select_related = ["project", "changed_by"]
    raw_id_fields = ["project", "changed_by"]
    date_hierarchy = "changed_at"


@admin.register(MeasurePhase)
class MeasurePhaseAdmin(ReadOnlyAdmin):
    app_note = ON_THE_PROJECT_PAGES.format("a chart is recalculated from a point")
    list_display = ["measure", "starts_on", "reason", "created_by", "created_at"]
    search_fields = ["measure__name", "measure__project__title", "reason"]
    list_select_related = ["measure__project", "created_by"]
    raw_id_fields = ["measure", "created_by"]


@admin.register(ChartNote)
class ChartNoteAdmin(ReadOnlyAdmin):
    app_note = ON_THE_PROJECT_PAGES.format("chart notes are added")
    list_display = ["measure", "on", "text", "created_by"]
    search_fields = ["measure__name", "measure__project__title", "text"]
    list_select_related = ["measure__project", "created_by"]
    raw_id_fields = ["measure", "created_by"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(ReadOnlyHistoryAdmin):
    app_note = ON_THE_PROJECT_PAGES.format("people join and leave a team")
    list_display = ["person", "project", "role", "joined_on"]
    list_filter = ["role"]
    search_fields = ["person__email", "person__display_name", "project__title"]
    list_select_related = ["person", "project"]
    raw_id_fields = ["person", "project"]

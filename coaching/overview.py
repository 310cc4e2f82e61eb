"""The lead's coaching overview: teams × months of meetings held, teams without a coach, coaches
without recent supervision. A fixed number of queries, whatever the number of teams and logs."""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from coaching.models import Assignment, CoachProfile, SupervisionLog
from coaching.queries import last_months, meetings_by_month, supervision_due_before
from coachprog.accounts.models import Directorate
from cohorts.models import Cohort
from projects.models import Project

OVERVIEW_MONTHS = 6


@dataclass
class OverviewRow:
    project: Project
    coaches: list[Assignment]
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Overview:
    months: list[date]
    rows: list[OverviewRow]
    coaches_without_supervision: list[CoachProfile]

    @property
    def teams_without_coach(self) -> list[Project]:
        return [row.project for row in self.rows if not row.coaches]


def coaching_overview(
    projects: QuerySet[Project],
    coach_profiles: QuerySet[CoachProfile],
    *,
    directorate: Directorate | None = None,
    cohort: Cohort | None = None,
    today: date | None = None,
) -> Overview:
    """Active teams (filtered by directorate, and by their current coach's cohort) with meetings per month."""
    today = today or timezone.localdate()
    months = last_months(OVERVIEW_MONTHS, today)
    current = Assignment.objects.current(on=today)
    projects = projects.filter(status=Project.Status.ACTIVE)
    if directorate is not None:
        projects = projects.filter(directorate=directorate)
        coach_profiles = coach_profiles.filter(
            coach__in=current.filter(project__directorate=directorate).values("coach_id")
        )
    if cohort is not None:
        trained = current.filter(coach__enrolments__cohort=cohort)
        projects = projects.filter(pk__in=trained.values("project_id"))
        coach_profiles = coach_profiles.filter(coach__enrolments__cohort=cohort)
    projects = list(
        projects.select_related("directorate")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=current.select_related("coach").order_by("role"),
                to_attr="current_assignments",
            )
        )
        .order_by("directorate__name", "title")
    )
    counts = meetings_by_month(projects, months)
    rows = [
        OverviewRow(p, p.current_assignments, [counts.get((p.pk, m), 0) for m in months]) for p in projects
    ]
    due = supervision_due_before(today)
    last = SupervisionLog.objects.filter(coach=OuterRef("coach")).order_by("-held_on").values("held_on")[:1]
    unsupervised = [
        profile
        for profile in coach_profiles.filter(is_active=True)
        .select_related("coach", "supervisor")
        .annotate(last_supervision_on=Subquery(last))
        .order_by("coach__display_name")
        if profile.last_supervision_on is None or profile.last_supervision_on < due
    ]
    return Overview(months=months, rows=rows, coaches_without_supervision=unsupervised)


def overview_export_rows(overview: Overview) -> tuple[list[str], list[list[object]]]:
    headers = ["Project", "Directorate", "Coaches", *(f"{m:%b %Y}" for m in overview.months), "Total"]
    rows = [
        [
            row.project.title,
            row.project.directorate.name,
            ", ".join(f"{a.coach} ({a.get_role_display().lower()})" for a in row.coaches) or "No coach",
            *row.counts,
            row.total,
        ]
        for row in overview.rows
    ]
    return headers, rows

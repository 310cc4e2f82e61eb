"""The lead's coaching overview: teams × months of meetings held, teams without a coach, coaches
without recent supervision.

Every part is a page of rows picked in the database, so the page costs the same few queries and
the same amount of HTML for a trust's hundred teams and a network's ten thousand; only the
download holds every team (still a fixed number of queries)."""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from coaching.models import Assignment, CoachProfile, SupervisionLog
from coaching.queries import last_months, meetings_by_month, supervision_due_before
from coachprog.accounts.models import Directorate
from cohorts.models import Cohort
from projects.models import Project

OVERVIEW_MONTHS = 6
TEAMS_PER_PAGE = 50
SIDE_LIST_PER_PAGE = 20  # teams without a coach, coaches without supervision
MAX_SEARCH_WORDS = 8


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
    page: Page  # of the teams' grid; `rows` are its rows
    rows: list[OverviewRow]
    uncoached_page: Page
    coaches_page: Page

    @property
    def teams_without_coach(self) -> list[Project]:
        return list(self.uncoached_page.object_list)

    @property
    def coaches_without_supervision(self) -> list[CoachProfile]:
        return list(self.coaches_page.object_list)


def overview_teams(
    projects: QuerySet[Project],
    *,
    directorate: Directorate | None = None,
    cohort: Cohort | None = None,
    query: str = "",
    today: date | None = None,
) -> QuerySet[Project]:
    """Active teams, filtered by directorate, by their current coach's cohort and by words in the team's
    title or a current coach's name, in the overview's order, with their current coaches."""
    current = Assignment.objects.current(on=today)
    projects = projects.filter(status=Project.Status.ACTIVE)
    if directorate is not None:
        projects = projects.filter(directorate=directorate)
    if cohort is not None:
        projects = projects.filter(
            pk__in=current.filter(coach__enrolments__cohort=cohort).values("project_id")
        )
    for word in query.split()[:MAX_SEARCH_WORDS]:
        word = word[:100]
        coached_by = current.filter(Q(coach__display_name__icontains=word) | Q(coach__email__icontains=word))
        projects = projects.filter(Q(title__icontains=word) | Q(pk__in=coached_by.values("project_id")))
    return (
        projects.select_related("directorate")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=current.select_related("coach").order_by("role"),
                to_attr="current_assignments",
            )
        )
        .order_by("directorate__name", "title", "pk")
    )


def _rows(teams: list[Project], counts: dict[tuple[int, date], int], months: list[date]) -> list[OverviewRow]:
    return [OverviewRow(p, p.current_assignments, [counts.get((p.pk, m), 0) for m in months]) for p in teams]


def coaches_without_supervision(
    coach_profiles: QuerySet[CoachProfile], *, today: date | None = None
) -> QuerySet[CoachProfile]:
    """Active coaches with no supervision since it fell due, with the date of their last one."""
    due = supervision_due_before(today)
    last = SupervisionLog.objects.filter(coach=OuterRef("coach")).order_by("-held_on").values("held_on")[:1]
    recent = SupervisionLog.objects.filter(coach=OuterRef("coach"), held_on__gte=due)
    return (
        coach_profiles.filter(is_active=True)
        .filter(~Exists(recent))
        .select_related("coach", "supervisor")
        .annotate(last_supervision_on=Subquery(last))
        .order_by("coach__display_name", "pk")
    )


def coaching_overview(
    projects: QuerySet[Project],
    coach_profiles: QuerySet[CoachProfile],
    *,
    directorate: Directorate | None = None,
    cohort: Cohort | None = None,
    query: str = "",
    pages: dict[str, str] | None = None,
    today: date | None = None,
) -> Overview:
    """One page of each part: the teams' grid (`page`), teams without a coach (`uncoached_page`),
    coaches without supervision (`coaches_page`); `pages` holds the requested page numbers."""
    today = today or timezone.localdate()
    pages = pages or {}
    months = last_months(OVERVIEW_MONTHS, today)
    teams = overview_teams(projects, directorate=directorate, cohort=cohort, query=query, today=today)
    page = Paginator(teams, TEAMS_PER_PAGE).get_page(pages.get("page"))
    on_page = list(page.object_list)
    current = Assignment.objects.current(on=today)
    uncoached = teams.prefetch_related(None).exclude(Exists(current.filter(project=OuterRef("pk"))))
    if directorate is not None:
        coach_profiles = coach_profiles.filter(
            coach__in=current.filter(project__directorate=directorate).values("coach_id")
        )
    if cohort is not None:
        coach_profiles = coach_profiles.filter(coach__enrolments__cohort=cohort)
    unsupervised = coaches_without_supervision(coach_profiles, today=today)
    return Overview(
        months=months,
        page=page,
        rows=_rows(on_page, meetings_by_month(on_page, months), months),
        uncoached_page=Paginator(uncoached, SIDE_LIST_PER_PAGE).get_page(pages.get("uncoached_page")),
        coaches_page=Paginator(unsupervised, SIDE_LIST_PER_PAGE).get_page(pages.get("coaches_page")),
    )


def overview_export_rows(
    projects: QuerySet[Project],
    *,
    directorate: Directorate | None = None,
    cohort: Cohort | None = None,
    query: str = "",
    today: date | None = None,
) -> tuple[list[str], list[list[object]]]:
    """Every team the overview's filters select (not just a page), in three queries."""
    months = last_months(OVERVIEW_MONTHS, today)
    teams = overview_teams(projects, directorate=directorate, cohort=cohort, query=query, today=today)
    headers = ["Project", "Directorate", "Coaches", *(f"{m:%b %Y}" for m in months), "Total"]
    rows = [
        [
            row.project.title,
            row.project.directorate.name,
            ", ".join(f"{a.coach} ({a.get_role_display().lower()})" for a in row.coaches) or "No coach",
            *row.counts,
            row.total,
        ]
        # The counts select the teams by a subquery, not by a list of thousands of ids.
        for row in _rows(list(teams), meetings_by_month(teams, months), months)
    ]
    return headers, rows

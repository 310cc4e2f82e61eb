"""The project list's filters and columns, including those other apps add.

`projects` cannot import `coaching`, yet leads filter projects by coach and by
the cohort their coach trained in. Coaching registers those filters (and a
"Coach" column) here at start-up, as it registers its panel on the project page.
"""

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from coachprog.accounts.models import Directorate
from projects.models import PROGRESS_SCORES, ProgressScore, Project

STALLED_MONTHS = 3


@dataclass(frozen=True)
class ListFilter:
    name: str  # the query-string parameter
    label: str
    choices: Callable[[object, QuerySet], list[tuple[str, str]]]  # (user, visible projects) -> choices
    apply: Callable[[QuerySet, str], QuerySet]


@dataclass(frozen=True)
class ListColumn:
    label: str
    values: Callable[[list[Project]], Mapping[int, str]]  # project id -> text, in a fixed number of queries


_extra_filters: list[ListFilter] = []
_extra_columns: list[ListColumn] = []


def register_project_list_filter(list_filter: ListFilter) -> None:
    if list_filter.name not in {f.name for f in _extra_filters}:
        _extra_filters.append(list_filter)


def register_project_list_column(column: ListColumn) -> None:
    if column.label not in {c.label for c in _extra_columns}:
        _extra_columns.append(column)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stalled_cutoff(today: date | None = None) -> datetime:
    """A score unchanged since before this moment has stalled (three months or more)."""
    day = months_before(today or timezone.localdate(), STALLED_MONTHS)
    return timezone.make_aware(datetime.combine(day, time.max))


def with_score_since(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate `score_since`: when the current progress score was set."""
    return projects.annotate(score_since=Max("score_changes__changed_at"))


def is_stalled(project: Project, cutoff: datetime) -> bool:
    since = getattr(project, "score_since", None)
    return project.status == Project.Status.ACTIVE and since is not None and since <= cutoff


def _directorate_choices(user, visible: QuerySet) -> list[tuple[str, str]]:
    return [(str(d.pk), d.name) for d in Directorate.objects.filter(projects__in=visible).distinct()]


def _apply_score(projects: QuerySet, value: str) -> QuerySet:
    try:
        score = Decimal(value)
    except InvalidOperation:
        return projects
    return projects.filter(progress_score=score) if score in PROGRESS_SCORES else projects


BUILT_IN_FILTERS = [
    ListFilter(
        "directorate",
        "Directorate",
        _directorate_choices,
        lambda qs, v: qs.filter(directorate_id=int(v)) if v.isdigit() else qs,
    ),
    ListFilter(
        "status",
        "Status",
        lambda user, visible: list(Project.Status.choices),
        lambda qs, v: qs.filter(status=v) if v in Project.Status.values else qs,
    ),
    ListFilter("score", "Progress score", lambda user, visible: list(ProgressScore.choices), _apply_score),
    ListFilter(
        "stalled",
        "Stalled",
        lambda user, visible: [("yes", f"Stalled ({STALLED_MONTHS}+ months at one score)"), ("no", "Moving")],
        lambda qs, v: (
            qs.filter(status=Project.Status.ACTIVE, score_since__lte=stalled_cutoff())
            if v == "yes"
            else qs.filter(~Q(status=Project.Status.ACTIVE) | Q(score_since__gt=stalled_cutoff()))
            if v == "no"
            else qs
        ),
    ),
]


def project_list_filters() -> list[ListFilter]:
    return BUILT_IN_FILTERS + _extra_filters


def project_list_columns() -> list[ListColumn]:
    return list(_extra_columns)


def filter_projects(projects: QuerySet[Project], params: Mapping[str, str]) -> QuerySet[Project]:
    """Apply every filter named in `params` (unknown or empty values change nothing)."""
    projects = with_score_since(projects)
    for list_filter in project_list_filters():
        value = params.get(list_filter.name, "")
        if value:
            projects = list_filter.apply(projects, value)
    return projects

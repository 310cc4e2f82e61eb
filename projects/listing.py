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

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from coachprog.accounts.models import Directorate
from projects.models import (
    ARCHIVED_STATUSES,
    LIVE_STATUSES,
    PROGRESS_SCORES,
    ProgressScore,
    ProgressScoreChange,
    Project,
)

STALLED_MONTHS = 3


@dataclass(frozen=True)
class ListFilter:
    name: str  # the query-string parameter
    label: str
    choices: Callable[[object, QuerySet], list[tuple[str, str]]]  # (user, visible projects) -> choices
    apply: Callable[[QuerySet, str], QuerySet]
    empty_label: str = "Any"  # what the list shows when the parameter is absent
    default: str = ""  # the value applied when the parameter is absent


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
    """Annotate `score_since`: when the current progress score was set.

    A subquery (one index lookup per project shown), not a MAX over a join: the join grouped every
    visible project's changes before the page picked its 25."""
    latest = (
        ProgressScoreChange.objects.filter(project=OuterRef("pk"))
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    return projects.annotate(score_since=Subquery(latest))


def is_stalled(project: Project, cutoff: datetime) -> bool:
    since = getattr(project, "score_since", None)
    return project.status == Project.Status.ACTIVE and since is not None and since <= cutoff


def _directorate_choices(user, visible: QuerySet) -> list[tuple[str, str]]:
    # EXISTS per directorate (an index probe each), not a DISTINCT over every visible project.
    directorates = Directorate.objects.filter(Exists(visible.filter(directorate=OuterRef("pk"))))
    return [(str(d.pk), d.name) for d in directorates]


def _apply_score(projects: QuerySet, value: str) -> QuerySet:
    try:
        score = Decimal(value)
    except InvalidOperation:
        return projects
    return projects.filter(progress_score=score) if score in PROGRESS_SCORES else projects


# The list shows live projects unless asked for others: an archive stays listed and searchable.
STATUS_CHOICES = [
    ("all", "Any status"),
    *Project.Status.choices,
    ("archived", "Completed or closed"),
]


def _apply_status(projects: QuerySet, value: str) -> QuerySet:
    if value == "live":
        return projects.filter(status__in=LIVE_STATUSES)
    if value == "archived":
        return projects.filter(status__in=ARCHIVED_STATUSES)
    return projects.filter(status=value) if value in Project.Status.values else projects


MAX_SEARCH_WORDS = 8


def search_projects(projects: QuerySet[Project], text: str) -> QuerySet[Project]:
    """Projects whose title or aim holds every word typed (in any order, any case)."""
    for word in text.split()[:MAX_SEARCH_WORDS]:
        word = word[:100]
        projects = projects.filter(
            Q(title__icontains=word) | Q(aim_what__icontains=word) | Q(aim_how_much__icontains=word)
        )
    return projects


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
        lambda user, visible: STATUS_CHOICES,
        _apply_status,
        empty_label="Live (active or on hold)",
        default="live",
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
    """Apply the text search (`q`) and every filter named in `params`, or its default (unknown values
    change nothing)."""
    projects = with_score_since(search_projects(projects, params.get("q", "")))
    for list_filter in project_list_filters():
        value = params.get(list_filter.name, "") or list_filter.default
        if value:
            projects = list_filter.apply(projects, value)
    return projects

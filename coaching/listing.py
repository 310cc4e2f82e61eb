"""Coaching's filters and column on the project list (registered in CoachingConfig.ready)."""

from collections.abc import Mapping

from django.db.models import Exists, OuterRef, QuerySet

from coaching.models import Assignment
from coachprog.accounts.models import User
from cohorts.models import Cohort
from projects.listing import ListColumn, ListFilter
from projects.models import Project


def _coach_choices(user, visible: QuerySet) -> list[tuple[str, str]]:
    # EXISTS from each person's own assignments, not a DISTINCT over every visible project's.
    current = Assignment.objects.current().filter(coach=OuterRef("pk"), project__in=visible)
    coaches = User.objects.filter(Exists(current)).order_by("display_name", "email")
    # Plain values: a network has 2,000 coaches, and a model instance each cost more than the query.
    return [
        (str(pk), name or email) for pk, name, email in coaches.values_list("pk", "display_name", "email")
    ]


def _apply_coach(projects: QuerySet, value: str) -> QuerySet:
    if not value.isdigit():
        return projects
    return projects.filter(
        pk__in=Assignment.objects.current().filter(coach_id=int(value)).values("project_id")
    )


def _cohort_choices(user, visible: QuerySet) -> list[tuple[str, str]]:
    return [(str(c.pk), f"{c} – {c.programme}") for c in Cohort.objects.select_related("programme")]


def _apply_cohort(projects: QuerySet, value: str) -> QuerySet:
    """Projects whose current coach trained in this cohort."""
    if not value.isdigit():
        return projects
    trained = Assignment.objects.current().filter(coach__enrolments__cohort_id=int(value))
    return projects.filter(pk__in=trained.values("project_id"))


def _coach_names(projects: list[Project]) -> Mapping[int, str]:
    names: dict[int, list[str]] = {}
    current = (
        Assignment.objects.current().filter(project__in=projects).select_related("coach").order_by("role")
    )
    for assignment in current:
        names.setdefault(assignment.project_id, []).append(str(assignment.coach))
    return {pk: ", ".join(coaches) for pk, coaches in names.items()}


COACH_FILTER = ListFilter("coach", "Coach", _coach_choices, _apply_coach)
COHORT_FILTER = ListFilter("cohort", "Coach's cohort", _cohort_choices, _apply_cohort)
COACH_COLUMN = ListColumn("Coach", _coach_names)

"""Who may read projects' free text in a person's data export: everyone who sees the project, by
the project pages' rule (registered with coachprog.privacy at start-up)."""

from django.db.models import Q, QuerySet

from coachprog.permissions import Access
from coachprog.privacy import Confidential, PersonalData
from projects.models import (
    ChartNote,
    DataPoint,
    DriverNode,
    Measure,
    MeasurePhase,
    PDSACycle,
    ProgressScoreChange,
    Project,
)
from projects.permissions import editable_projects, project_access, visible_projects

PROJECT = (
    "A project's work is for its team, coaches and sponsor, the directorate's QI leads and programme leads."
)


def _reads_project(person, project: Project) -> bool:
    return project_access(person, project) >= Access.READ


def _reads_projects_row(person, row: DriverNode | Measure | PDSACycle | ProgressScoreChange) -> bool:
    return _reads_project(person, row.project)


def _reads_measures_row(person, row: MeasurePhase | ChartNote | DataPoint) -> bool:
    return _reads_project(person, row.measure.project)


def _among_readable(path: str):
    """`_reads_project` for many rows at once, `path` leading from a row to its project: READ or more
    is a project the person edits or sees (`project_access`)."""

    def readable_among(person, rows: QuerySet) -> QuerySet:
        return rows.filter(
            Q(**{f"{path}__in": visible_projects(person)}) | Q(**{f"{path}__in": editable_projects(person)})
        )

    return readable_among


PDSA_TEXT = (
    "title",
    "plan_question",
    "plan_prediction",
    "plan_who",
    "plan_what",
    "plan_where",
    "plan_when",
    "plan_data",
    "do_what_happened",
    "do_observations",
    "study_results",
    "act_next_step",
)

PROJECTS_PERSONAL_DATA = (
    PersonalData(
        Project,
        confidential=(
            Confidential(
                ("title", "aim_what", "aim_how_much", "outcome_summary", "reopen_reason"),
                _reads_project,
                why=PROJECT,
                readable_among=_among_readable("pk"),
            ),
        ),
    ),
    PersonalData(
        ProgressScoreChange,
        confidential=(
            Confidential(
                ("reason",),
                _reads_projects_row,
                why=PROJECT,
                writer="changed_by",
                readable_among=_among_readable("project"),
            ),
        ),
    ),
    PersonalData(
        DriverNode,
        confidential=(
            Confidential(
                ("text",), _reads_projects_row, why=PROJECT, readable_among=_among_readable("project")
            ),
        ),
    ),
    PersonalData(
        Measure,
        confidential=(
            Confidential(
                ("name", "operational_definition", "unit"),
                _reads_projects_row,
                why=PROJECT,
                readable_among=_among_readable("project"),
            ),
            Confidential(
                ("baseline_reason",),
                _reads_projects_row,
                why=PROJECT,
                writer="baseline_set_by",
                readable_among=_among_readable("project"),
            ),
        ),
    ),
    PersonalData(
        MeasurePhase,
        confidential=(
            Confidential(
                ("reason",),
                _reads_measures_row,
                why=PROJECT,
                writer="created_by",
                readable_among=_among_readable("measure__project"),
            ),
        ),
    ),
    PersonalData(
        ChartNote,
        confidential=(
            Confidential(
                ("text",),
                _reads_measures_row,
                why=PROJECT,
                writer="created_by",
                readable_among=_among_readable("measure__project"),
            ),
        ),
    ),
    PersonalData(
        DataPoint,
        confidential=(
            Confidential(
                ("note",),
                _reads_measures_row,
                why=PROJECT,
                writer="recorded_by",
                readable_among=_among_readable("measure__project"),
            ),
        ),
    ),
    PersonalData(
        PDSACycle,
        confidential=(
            Confidential(
                PDSA_TEXT, _reads_projects_row, why=PROJECT, readable_among=_among_readable("project")
            ),
        ),
    ),
)

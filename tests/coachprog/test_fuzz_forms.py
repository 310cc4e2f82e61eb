"""Every form and upload, fuzzed: whatever is posted, the answer is a validation error or success,
never a server error, and nothing posted ever comes back as live markup.

Each target is a URL that takes a form, the role allowed to post it, and the form class
whose fields are filled. Values come from hypothesis: random and huge text, unicode,
HTML and script payloads, numbers, dates, wrong types, random files. CI runs the
`ci` profile (derandomised: the same examples every run); `HYPOTHESIS_PROFILE=local`
runs many more examples on a developer's machine.
"""

import functools
import os
from dataclasses import dataclass
from datetime import date, time

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import coaching.forms
import coachprog.accounts.adapter
import coachprog.accounts.forms
import coachprog.outbox.forms
import cohorts.forms.applications
import cohorts.forms.attendance
import cohorts.forms.planner
import cohorts.forms.programmes
import projects.forms
from coaching.forms import (
    AssignmentEndForm,
    AssignmentStartForm,
    CapacityForm,
    CoachCreateForm,
    CoachLoadSearchForm,
    CoachProfileForm,
    CoachRecordFilterForm,
    MeetingLogForm,
    MonthlyUpdateForm,
    MonthlyUpdateStartForm,
    NextStepForm,
    OverviewFilterForm,
    PeopleFilterForm,
    SupervisionLogForm,
    SupervisorNoteForm,
    UpdateCommentForm,
)
from coaching.models import MonthlyUpdate
from coachprog.accounts.adapter import SignupForm
from coachprog.accounts.forms import (
    AccessPolicyForm,
    DirectorateForm,
    InvitationForm,
    ProgrammeLeadAddForm,
    QILeadAddForm,
)
from coachprog.accounts.models import Directorate
from coachprog.forms import (
    ADD_SUFFIX,
    DateField,
    DateTimeField,
    DecimalField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    PeopleField,
)
from coachprog.outbox.forms import OutboxFilterForm, PreferencesForm
from cohorts.forms.applications import (
    ApplicationDecisionForm,
    ApplicationForm,
    BulkDecisionForm,
    ManagerReassignForm,
    ManagerResponseForm,
)
from cohorts.forms.attendance import ApologiesForm, AttendanceForm
from cohorts.forms.planner import (
    CohortCopyForm,
    CohortDetailsForm,
    CohortPlanForm,
    SessionMaterialForm,
    SessionPlanForm,
)
from cohorts.forms.programmes import ProgrammeForm
from projects.forms import (
    BaselineFreezeForm,
    ChartNoteForm,
    DataImportForm,
    DataPointForm,
    DriverNodeForm,
    MeasureForm,
    PDSACycleForm,
    PhaseAddForm,
    ProgressScoreForm,
    ProjectCloseForm,
    ProjectForm,
    ProjectReopenForm,
    TeamMemberForm,
)
from projects.models import Project
from tests.coachprog.world import World, build_world, client_for, kw
from tests.workbooks import MEGABYTE, workbook_with_a_long_cell

FORM_MODULES = [
    cohorts.forms.applications,
    cohorts.forms.attendance,
    cohorts.forms.planner,
    cohorts.forms.programmes,
    projects.forms,
    coaching.forms,
    coachprog.accounts.forms,
    coachprog.accounts.adapter,
    coachprog.outbox.forms,
]

settings.register_profile(
    "ci", max_examples=12, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile("local", max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

MARKER = '<script>alert("coachprog")</script>'
PAYLOADS = [
    MARKER,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    '=HYPERLINK("http://evil.example")',
    "'; DROP TABLE cohorts_cohort; --",
    "\u202e\u0000\ufeff",
    "😀" * 50,
    "x" * 20_000,
    "-1",
    "99999999999999999999",
    "NaN",
    "1e309",
    "0.5",
    "2025-02-30",
    "25:61",
    # Numbers whose arithmetic traps, dates at the calendar's edges, a cell beyond csv's own limit.
    "1e1000000",
    "1e-1000000",
    "-1e999999999",
    "0001-01-01",
    "9999-12-31",
    "31/12/9999",
    "period,value,note\n2025-01-06,1," + "x" * 131_073,
]
HUGE_NUMBERS = ["1e1000000", "1e-1000000", "-1e999999999", "0E-1000000000", "9" * 5000, "sNaN"]

text = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=300))


@functools.cache
def _uploads() -> list[bytes]:
    """Files built once: a 131,073-character CSV note, and a small workbook holding a 150 MB cell."""
    return [
        b"period,value,note\n2025-01-06,1," + b"x" * 131_073 + b"\n",
        workbook_with_a_long_cell(150 * MEGABYTE),
    ]


def value_for(field: forms.Field):
    """Values a person (or an attacker) might send for this field: valid-looking or not."""
    if isinstance(field, forms.FileField):
        return st.builds(
            SimpleUploadedFile,
            st.sampled_from(["data.csv", "data.xlsx", "slides.pdf", "run.html", "x.exe", "../../etc/passwd"]),
            st.one_of(
                st.binary(max_size=2000),
                st.sampled_from([b"period,value\n2025-01-06,3\n", MARKER.encode()]),
                st.sampled_from(range(2)).map(lambda n: _uploads()[n]),
            ),
        )
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(st.one_of(st.integers(-5, 60).map(str), text), max_size=4)
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "true", "false", "0", MARKER])
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField | forms.ModelChoiceField):
        return st.one_of(
            st.integers(-(10**12), 10**12).map(str),
            st.decimals(allow_nan=True).map(str),
            st.sampled_from(HUGE_NUMBERS),
            text,
        )
    if isinstance(field, forms.DateField):
        return st.one_of(st.dates().map(date.isoformat), st.dates().map(lambda d: f"{d:%Y-%m}"), text)
    if isinstance(field, forms.TimeField):
        return st.one_of(st.times().map(time.isoformat), text)
    if isinstance(field, forms.ChoiceField):
        choices = [str(value) for value, _ in field.choices if not isinstance(_, list | tuple)]
        return st.one_of(st.sampled_from(choices or [""]), text)
    return text


def payloads(fields: dict[str, forms.Field], prefix: str = ""):
    """A strategy for whole POST bodies: every field of the form, each possibly missing.

    With a formset prefix, the fields of its first two forms and its management form.
    """
    if not prefix:
        optional = {name: value_for(field) for name, field in fields.items()}
        # A people picker posts its ticked ids under its name and the text typed to add more beside it.
        optional |= {
            f"{name}{ADD_SUFFIX}": text for name, field in fields.items() if isinstance(field, PeopleField)
        }
        return st.fixed_dictionaries({}, optional=optional)
    optional = {f"{prefix}-{n}-{name}": value_for(field) for n in (0, 1) for name, field in fields.items()}
    for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        optional[f"{prefix}-{name}"] = st.one_of(st.integers(-3, 10**6).map(str), text)
    return st.fixed_dictionaries({}, optional=optional)


@dataclass
class Target:
    url: str
    kwargs: object
    role: str
    form: type[forms.BaseForm]
    prefix: str = ""  # a formset's prefix
    method: str = "post"  # filter forms are sent as a GET query
    make: object = None  # builds a form whose fields are made in __init__

    def fields(self) -> dict[str, forms.Field]:
        return self.make().fields if self.make else self.form.base_fields


TARGETS = [
    Target("cohorts:planner_create", kw(), "lead", CohortPlanForm),
    Target("cohorts:planner_details", kw(pk="cohort"), "lead", CohortDetailsForm),
    Target("cohorts:planner_session_add", kw(pk="cohort"), "lead", SessionPlanForm),
    Target("cohorts:planner_session_edit", kw(pk="cohort", session_pk="session"), "lead", SessionPlanForm),
    Target(
        "cohorts:planner_material_add", kw(pk="cohort", session_pk="session"), "lead", SessionMaterialForm
    ),
    Target("cohorts:copy", kw(pk="cohort"), "lead", CohortCopyForm),
    Target("cohorts:apply", kw(pk="cohort11"), "member", ApplicationForm),
    Target("cohorts:applications", kw(pk="cohort11"), "lead", BulkDecisionForm),
    Target(
        "cohorts:application_manager_respond", kw(token="manager_token"), "anonymous", ManagerResponseForm
    ),
    Target(
        "cohorts:application_decide",
        kw(pk="cohort11", application_pk="pending_application"),
        "lead",
        ApplicationDecisionForm,
    ),
    Target(
        "cohorts:application_manager_reassign",
        kw(pk="cohort11", application_pk="pending_application"),
        "lead",
        ManagerReassignForm,
    ),
    Target(
        "cohorts:register_record",
        kw(cohort_pk="cohort", pk="session", enrolment_pk="enrolment"),
        "lead",
        AttendanceForm,
    ),
    Target("cohorts:apologies", kw(pk="cohort", session_pk="session"), "coach", ApologiesForm),
    Target("projects:progress_score", kw(pk="project"), "coach", ProgressScoreForm),
    Target("projects:create", kw(), "coach", ProjectForm),
    Target("projects:create", kw(), "coach", TeamMemberForm, prefix="team"),
    Target("projects:update", kw(pk="project"), "coach", ProjectForm),
    Target("projects:team", kw(pk="project"), "coach", TeamMemberForm),
    Target("projects:close", kw(pk="project"), "coach", ProjectCloseForm),
    Target("projects:reopen", kw(pk="closed_project"), "lead", ProjectReopenForm),
    Target("projects:measure_create", kw(project_pk="project"), "coach", MeasureForm),
    Target("projects:measure_update", kw(project_pk="project", pk="measure"), "coach", MeasureForm),
    Target("projects:driver_node_create", kw(project_pk="project"), "coach", DriverNodeForm),
    Target("projects:driver_node_edit", kw(project_pk="project", pk="node"), "coach", DriverNodeForm),
    Target("projects:pdsa_create", kw(project_pk="project"), "coach", PDSACycleForm),
    Target("projects:pdsa_update", kw(project_pk="project", pk="pdsa"), "coach", PDSACycleForm),
    Target("projects:data_add", kw(project_pk="project", pk="measure"), "coach", DataPointForm),
    Target("projects:data_import", kw(project_pk="project", pk="measure"), "coach", DataImportForm),
    Target("projects:baseline_freeze", kw(project_pk="project", pk="measure"), "coach", BaselineFreezeForm),
    Target("projects:phase_add", kw(project_pk="project", pk="measure"), "coach", PhaseAddForm),
    Target("projects:note_add", kw(project_pk="project", pk="measure"), "coach", ChartNoteForm),
    Target("coaching:meeting_create", kw(project_pk="project"), "coach", MeetingLogForm),
    Target("coaching:meeting_create", kw(project_pk="project"), "coach", NextStepForm, prefix="steps"),
    Target("coaching:meeting_update", kw(pk="meeting"), "coach", MeetingLogForm),
    Target("coaching:supervision_create", kw(), "coach", SupervisionLogForm),
    Target("coaching:supervision_update", kw(pk="supervision"), "coach", SupervisionLogForm),
    Target("coaching:supervision_note", kw(pk="supervision"), "qi_lead", SupervisorNoteForm),
    Target("coaching:project_coaches", kw(project_pk="project"), "lead", AssignmentStartForm),
    Target("coaching:assignment_end", kw(pk="assignment"), "lead", AssignmentEndForm),
    Target("coaching:coach_capacity", kw(pk="coach_profile"), "lead", CapacityForm),
    Target("coaching:overview", kw(), "lead", OverviewFilterForm, method="get"),
    Target("coaching:monthly_update_write", kw(project_pk="project"), "coach", MonthlyUpdateStartForm),
    Target(
        "coaching:monthly_update_edit",
        kw(pk="draft"),
        "coach",
        MonthlyUpdateForm,
        make=lambda: MonthlyUpdateForm(update=MonthlyUpdate()),
    ),
    Target("coaching:monthly_update_comment", kw(pk="update"), "sponsor", UpdateCommentForm),
    Target("accounts:invitation_create", kw(), "lead", InvitationForm),
    Target("accounts:directorate_create", kw(), "lead", DirectorateForm),
    Target("accounts:directorate_rename", kw(pk="directorate"), "lead", DirectorateForm),
    Target("accounts:directorate_qi_lead_add", kw(pk="directorate"), "lead", QILeadAddForm),
    Target("accounts:programme_lead_add", kw(), "lead", ProgrammeLeadAddForm),
    Target("cohorts:programme_create", kw(), "lead", ProgrammeForm),
    Target("cohorts:programme_update", kw(pk="programme"), "lead", ProgrammeForm),
    Target("coaching:coach_create", kw(pk="member"), "lead", CoachCreateForm),
    Target("coaching:coach_update", kw(pk="coach_profile"), "lead", CoachProfileForm),
    Target(
        "coaching:people",
        kw(),
        "lead",
        PeopleFilterForm,
        method="get",
        make=lambda: PeopleFilterForm(directorates=Directorate.objects.all()),
    ),
    Target("accounts:access_policy", kw(), "lead", AccessPolicyForm),
    Target("account_signup", kw(), "anonymous", SignupForm, make=SignupForm),
    Target("outbox:preferences", kw(), "coach", PreferencesForm, make=lambda: PreferencesForm(current={})),
    Target("outbox:status", kw(), "lead", OutboxFilterForm, method="get", make=OutboxFilterForm),
    Target("coaching:coach_load", kw(), "lead", CoachLoadSearchForm, method="get"),
    Target("coaching:health", kw(), "lead", CoachRecordFilterForm, method="get", make=CoachRecordFilterForm),
]

# Pages that show what the targets store: none may ever contain the marker unescaped.
SHOWN_ON = [
    ("cohorts:planner", kw(pk="cohort")),
    ("cohorts:applications", kw(pk="cohort11")),
    ("cohorts:application", kw(pk="cohort11", application_pk="pending_application")),
    ("cohorts:attendance_matrix", kw(pk="cohort")),
    ("projects:detail", kw(pk="project")),
    ("projects:detail", kw(pk="closed_project")),
    ("projects:team", kw(pk="project")),
    ("projects:list", kw()),
    ("projects:measure", kw(project_pk="project", pk="measure")),
    ("projects:driver_diagram", kw(project_pk="project")),
    ("projects:pdsa_list", kw(project_pk="project")),
    ("coaching:monthly_update", kw(pk="update")),
    ("coaching:monthly_update", kw(pk="draft")),
    ("coaching:people", kw()),
    ("coaching:person", kw(pk="member")),
    ("accounts:directorate_list", kw()),
    ("accounts:directorate", kw(pk="directorate")),
    ("accounts:programme_leads", kw()),
    ("cohorts:programme_list", kw()),
    ("cohorts:programme_update", kw(pk="programme")),
]


@pytest.fixture(scope="module")
def world(demo, django_db_blocker) -> World:
    with django_db_blocker.unblock():
        return build_world()


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.url}-{t.form.__name__}")
def test_no_post_makes_a_server_error_or_shows_live_markup(demo_db, world, target):
    url = reverse(target.url, kwargs=target.kwargs(world))
    client = client_for(target.role)

    @given(body=payloads(target.fields(), target.prefix))
    def post(body):
        response = getattr(client, target.method)(url, body)
        assert response.status_code < 500, (body, response.status_code)
        assert MARKER not in response.content.decode(errors="replace"), body

    with transaction.atomic():
        post()
        # Whatever the examples stored, the pages that show it escape it.
        lead = client_for("lead")
        for name, kwargs in SHOWN_ON:
            page = lead.get(reverse(name, kwargs=kwargs(world)))
            assert MARKER not in page.content.decode(errors="replace"), name
        transaction.set_rollback(True)


def test_the_fuzzing_covers_every_form_class_that_takes_posts():
    """A new form is fuzzed too: every Form class in the apps' forms modules must be a target."""
    assert sorted(cls.__name__ for cls in _form_classes() - {t.form for t in TARGETS}) == []


def _form_classes() -> set[type[forms.BaseForm]]:
    """Every form class defined in the apps' form modules."""
    return {
        value
        for module in FORM_MODULES
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, forms.BaseForm)
        and value.__module__ == module.__name__
    }


def test_every_choice_of_a_record_refuses_ids_the_database_cannot_hold():
    """Django's model choice fields turn a huge posted id into a server error; ours say "not a choice"."""
    unsafe = [
        f"{form.__name__}.{name}"
        for form in _form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
        and not isinstance(field, ModelChoiceField | ModelMultipleChoiceField)
    ]
    assert unsafe == []


def _all_fields():
    """Every field of every form: the class's own, and the ones the fuzzed targets' forms make."""
    for form in _form_classes():
        for name, field in form.base_fields.items():
            yield f"{form.__name__}.{name}", field
    for target in TARGETS:
        for name, field in target.fields().items():
            yield f"{target.form.__name__}.{name}", field


def test_every_date_field_refuses_years_outside_1900_to_2100():
    """Django's date fields take 1 Jan 0001 and 31 Dec 9999, where stepping a day overflows; ours refuse."""
    unbounded = {
        name
        for name, field in _all_fields()
        if isinstance(field, forms.DateField | forms.DateTimeField)
        and not isinstance(field, DateField | DateTimeField)
    }
    assert sorted(unbounded) == []


def test_every_decimal_field_fits_its_column():
    """Every decimal a person types is judged by its digits, never by arithmetic that can trap."""
    unbounded = {
        name
        for name, field in _all_fields()
        if isinstance(field, forms.DecimalField) and not isinstance(field, DecimalField)
    }
    assert sorted(unbounded) == []


@pytest.mark.parametrize("posted", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_outside_1900_to_2100_is_refused_with_the_range(posted):
    with pytest.raises(ValidationError) as refused:
        DateField().clean(posted)

    assert refused.value.messages == ["Enter a date in the years 1900 to 2100."]


@pytest.mark.parametrize("posted", ["1900-01-01", "2100-12-31"])
def test_the_first_and_last_days_of_1900_to_2100_are_accepted(posted):
    assert DateField().clean(posted) == date.fromisoformat(posted)


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ("1e1000000", "Enter a number from -9,999,999,999.9999 to 9,999,999,999.9999."),
        ("-1e999999999", "Enter a number from -9,999,999,999.9999 to 9,999,999,999.9999."),
        ("10000000000", "Enter a number from -9,999,999,999.9999 to 9,999,999,999.9999."),
        ("1e-1000000", "Enter a number with at most 4 decimal places."),
        ("0.00001", "Enter a number with at most 4 decimal places."),
        ("NaN", "Enter a number."),
        ("sNaN", "Enter a number."),
    ],
)
def test_a_decimal_beyond_its_column_is_refused_with_the_rule(posted, message):
    with pytest.raises(ValidationError) as refused:
        DecimalField(max_digits=14, decimal_places=4).clean(posted)

    assert refused.value.messages == [message]


@pytest.mark.parametrize(
    ("posted", "stored"), [("9999999999.9999", "9999999999.9999"), ("1.50000", "1.5"), ("1E+3", "1000")]
)
def test_a_decimal_that_fits_its_column_is_kept_plainly(posted, stored):
    assert str(DecimalField(max_digits=14, decimal_places=4).clean(posted)) == stored


@pytest.mark.parametrize("posted", ["99999999999999999999", "-99999999999999999999"])
def test_a_huge_id_is_an_invalid_choice_not_a_server_error(db, posted):
    single = ModelChoiceField(queryset=Project.objects.all())
    many = ModelMultipleChoiceField(queryset=Project.objects.all())

    with pytest.raises(ValidationError, match="Select a valid choice"):
        single.clean(posted)
    with pytest.raises(ValidationError, match="is not a valid value"):
        many.clean([posted])

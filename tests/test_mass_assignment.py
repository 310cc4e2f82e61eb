"""Mass assignment: forms name their fields, and extra POST fields change nothing they should not.

Every write takes who and what from the URL and the signed-in person, never from the
request body: a coach cannot log a meeting as another coach or for another team by
adding `coach=` or `project=` to the POST.
"""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.utils import timezone

from coaching.models import MeetingLog, SupervisionLog
from coachprog.accounts.models import AccessPolicy, Invitation
from cohorts.models import Application, Attendance, Cohort
from projects.models import DataPoint, DriverNode, Measure
from tests.factories import (
    CohortFactory,
    DirectorateFactory,
    EnrolmentFactory,
    MeasureFactory,
    SessionFactory,
    UserFactory,
)

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGES = ["coachprog", "cohorts", "projects", "coaching"]


def _project_modules() -> list[str]:
    """Every importable module of our packages, except migrations and the settings' entry points."""
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if ".migrations" in info.name or info.name in {"coachprog.wsgi", "coachprog.asgi"}:
                continue
            names.append(info.name)
    return names


def _model_forms() -> list[type[forms.BaseModelForm]]:
    found = set()
    for name in _project_modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            # A base class with no model (e.g. coachprog.forms.ModelForm) edits nothing itself.
            if (
                issubclass(value, forms.BaseModelForm)
                and value.__module__.split(".")[0] in PACKAGES
                and value._meta.model is not None
            ):
                found.add(value)
    return sorted(found, key=lambda form: f"{form.__module__}.{form.__qualname__}")


MODEL_FORMS = _model_forms()


def test_the_walk_finds_the_projects_model_forms():
    names = {form.__name__ for form in MODEL_FORMS}

    assert {"MeasureForm", "SupervisionLogForm", "AccessPolicyForm"} <= names


@pytest.mark.parametrize("form", MODEL_FORMS, ids=lambda form: f"{form.__module__}.{form.__name__}")
def test_model_form_lists_its_fields_explicitly(form):
    meta = form._meta

    assert meta.fields is not None, "a ModelForm must list its fields"
    assert meta.fields != forms.ALL_FIELDS, "never fields = '__all__'"
    assert not meta.exclude, "list the fields to edit instead of excluding some"


def test_no_source_file_asks_for_all_fields():
    pattern = re.compile(r"""fields\s*=\s*["']__all__["']|modelform_factory\((?![^)]*fields=)""")
    offenders = [
        str(path.relative_to(BASE_DIR))
        for package in PACKAGES
        for path in (BASE_DIR / package).rglob("*.py")
        if "migrations" not in path.parts and pattern.search(path.read_text())
    ]

    assert offenders == []


# --- extra fields in a POST change nothing ------------------------------------------------------


@pytest.fixture
def intruder():
    return UserFactory(display_name="Somebody else")


@pytest.mark.django_db
def test_data_point_ignores_measure_project_and_recorded_by_in_the_post(
    lead_client, programme_lead, intruder
):
    measure = MeasureFactory()
    other = MeasureFactory()

    lead_client.post(
        f"/projects/{measure.project_id}/measures/{measure.pk}/data/add/",
        {
            "period": "2025-03-03",
            "value": "31",
            "measure": other.pk,
            "project": other.project_id,
            "recorded_by": intruder.pk,
        },
    )

    point = DataPoint.objects.get()
    assert (point.measure, point.recorded_by) == (measure, programme_lead)
    assert not other.data_points.exists()


@pytest.mark.django_db
def test_new_measure_belongs_to_the_project_in_the_url(lead_client, project_a, project_b):
    fields = {
        "name": "Falls per 1,000 bed days",
        "kind": "outcome",
        "operational_definition": "Falls on Datix divided by occupied bed days, times 1,000.",
        "unit": "per 1,000 bed days",
        "better_direction": "down",
        "target": "",
        "frequency": "monthly",
        "value_type": "value",
        "chart": "spc",
        "run_rules": "anhoej",
    }

    response = lead_client.post(
        f"/projects/{project_a.pk}/measures/new/", {**fields, "project": project_b.pk}
    )

    measure = Measure.objects.get(name="Falls per 1,000 bed days")
    assert response.status_code == 302
    assert measure.project == project_a
    assert not project_b.measures.exists()


@pytest.mark.django_db
def test_driver_node_belongs_to_the_project_in_the_url(lead_client, project_a, project_b):
    lead_client.post(
        f"/projects/{project_a.pk}/driver-diagram/nodes/",
        {"text": "Reliable process", "project": project_b.pk},
    )

    node = DriverNode.objects.get()
    assert node.project == project_a


@pytest.mark.django_db
def test_progress_score_post_changes_only_the_score_of_the_project_in_the_url(
    lead_client, project_a, project_b, intruder
):
    sponsor = project_a.sponsor

    lead_client.post(
        f"/projects/{project_a.pk}/progress-score/",
        {"score": "2.5", "reason": "First test of change", "project": project_b.pk, "sponsor": intruder.pk},
    )

    project_a.refresh_from_db()
    project_b.refresh_from_db()
    assert (str(project_a.progress_score), project_a.sponsor) == ("2.5", sponsor)
    assert str(project_b.progress_score) == "0.5"


@pytest.mark.django_db
def test_meeting_is_logged_as_the_signed_in_coach_for_the_team_in_the_url(
    client, coach, other_coach, project_a, project_b
):
    client.force_login(coach)

    client.post(
        f"/coaching/teams/{project_a.pk}/meetings/new/",
        {
            "met_on": timezone.localdate().isoformat(),
            "duration_minutes": "45",
            "mode": "online",
            "progress_score": "2.0",
            "notes": "Agreed the aim.",
            "steps-TOTAL_FORMS": "0",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "20",
            "coach": other_coach.pk,
            "project": project_b.pk,
            "author": other_coach.pk,
        },
    )

    meeting = MeetingLog.objects.get()
    assert (meeting.coach, meeting.project) == (coach, project_a)


@pytest.mark.django_db
def test_supervision_is_logged_for_the_signed_in_coach(client, coach, other_coach, qi_lead):
    client.force_login(coach)

    client.post(
        "/coaching/supervision/new/",
        {
            "held_on": timezone.localdate().isoformat(),
            "kind": "one_to_one",
            "supervisor": qi_lead.email,
            "themes": "Holding back when the team goes quiet.",
            "will_try": "Wait ten seconds.",
            "reflection": "Private.",
            "coach": other_coach.pk,
            "author": other_coach.pk,
        },
    )

    log = SupervisionLog.objects.get()
    assert log.coach == coach


@pytest.mark.django_db
def test_invitation_is_sent_by_the_signed_in_lead(lead_client, programme_lead, intruder):
    lead_client.post("/people/invitations/new/", {"email": "new@nhs.net", "invited_by": intruder.pk})

    assert Invitation.objects.get().invited_by == programme_lead


@pytest.mark.django_db
def test_access_policy_records_the_signed_in_lead(lead_client, programme_lead, intruder):
    lead_client.post(
        "/people/access/",
        {"allowed_signup_domains": "nhs.net", "updated_by": intruder.pk, "updated_at": "2000-01-01", "pk": 7},
    )

    policy = AccessPolicy.objects.get()
    assert (policy.pk, policy.updated_by) == (1, programme_lead)
    assert policy.updated_at.year == timezone.now().year


@pytest.mark.django_db
def test_application_is_made_by_the_signed_in_person_to_the_cohort_in_the_url(client, intruder):
    cohort = CohortFactory(status=Cohort.Status.OPEN)
    other_cohort = CohortFactory(status=Cohort.Status.OPEN)
    applicant = UserFactory()
    client.force_login(applicant)

    client.post(
        f"/cohorts/{cohort.pk}/apply/",
        {
            "directorate": DirectorateFactory().pk,
            "role_title": "Charge nurse",
            "line_manager_name": "Morgan Lee",
            "line_manager_email": "morgan@example.org",
            "availability_confirmed": "on",
            "applicant": intruder.pk,
            "cohort": other_cohort.pk,
            "status": "accepted",
        },
    )

    application = Application.objects.get()
    assert (application.applicant, application.cohort, application.status) == (
        applicant,
        cohort,
        Application.Status.SUBMITTED,
    )


@pytest.mark.django_db
def test_attendance_is_recorded_by_the_signed_in_lead(lead_client, programme_lead, intruder):
    session = SessionFactory()
    enrolment = EnrolmentFactory(cohort=session.cohort)

    lead_client.post(
        f"/cohorts/{session.cohort_id}/sessions/{session.pk}/register/{enrolment.pk}/",
        {"status": "late", "note": "", "recorded_by": intruder.pk, "session": SessionFactory().pk},
    )

    attendance = Attendance.objects.get()
    assert (attendance.session, attendance.recorded_by, attendance.status) == (
        session,
        programme_lead,
        "late",
    )

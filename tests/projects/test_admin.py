"""The admin is for emergencies: what it changes in projects goes through the services, or nothing does.

Before issue 12 a progress score changed in the admin was saved with no score history, so the
project's "score since" and stalled flag went wrong.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from coachprog.accounts.models import User
from projects.models import DataPoint, ProgressScoreChange, Project, TeamMembership
from tests.factories import DataPointFactory, ProjectFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser(email="admin@example.org", password="x"))
    return client


def _change_page_post(project: Project, **changes) -> dict:
    """What the project's admin change page posts back, with `changes` typed in."""
    data = {
        "title": project.title,
        "directorate": str(project.directorate_id),
        "aim_what": project.aim_what,
        "aim_how_much": project.aim_how_much,
        "aim_by_when": project.aim_by_when.isoformat(),
        "sponsor": str(project.sponsor_id),
        "started_on": project.started_on.isoformat(),
        "status": project.status,
        "progress_score": str(project.progress_score),
        "score_reason": "",
    }
    for prefix in ("memberships", "score_changes"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | changes


def test_a_progress_score_changed_in_the_admin_is_kept_in_the_score_history_with_its_reason(admin_client):
    project = ProjectFactory(progress_score=Decimal("1.0"))

    response = admin_client.post(
        f"/admin/projects/project/{project.pk}/change/",
        _change_page_post(project, progress_score="2.5", score_reason="Changes tested, no improvement yet"),
    )

    project.refresh_from_db()
    assert response.status_code == 302
    assert project.progress_score == Decimal("2.5")
    assert list(
        ProgressScoreChange.objects.filter(project=project).values_list(
            "previous_score", "score", "changed_by__email", "reason"
        )
    ) == [(Decimal("1.0"), Decimal("2.5"), "admin@example.org", "Changes tested, no improvement yet")]


def test_a_progress_score_change_in_the_admin_without_a_reason_is_refused(admin_client):
    project = ProjectFactory(progress_score=Decimal("1.0"))

    response = admin_client.post(
        f"/admin/projects/project/{project.pk}/change/", _change_page_post(project, progress_score="2.5")
    )

    project.refresh_from_db()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "score_reason": ["Say why the score changes; the score's history keeps it."]
    }
    assert (project.progress_score, ProgressScoreChange.objects.filter(project=project).count()) == (
        Decimal("1.0"),
        0,
    )


def test_a_projects_details_corrected_in_the_admin_follow_the_services_rules_and_history(admin_client):
    project = ProjectFactory(title="Old title")

    refused = admin_client.post(
        f"/admin/projects/project/{project.pk}/change/", _change_page_post(project, aim_how_much="a lot")
    )
    saved = admin_client.post(
        f"/admin/projects/project/{project.pk}/change/", _change_page_post(project, title="New title")
    )

    latest = Project.history.filter(id=project.pk).order_by("-history_id").first()
    assert refused.context["adminform"].form.errors == {
        "aim_how_much": ["Say how much as a number: “by 30%”, “to 90%” or “from 42 to 28 days”."]
    }
    assert saved.status_code == 302
    assert (latest.title, latest.history_user.email) == ("New title", "admin@example.org")


def test_the_admin_never_closes_or_reopens_a_project(admin_client):
    project = ProjectFactory()

    admin_client.post(
        f"/admin/projects/project/{project.pk}/change/", _change_page_post(project, status="closed")
    )

    project.refresh_from_db()
    assert (project.status, project.closed_on) == ("active", None)
    assert admin_client.get("/admin/projects/project/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/projects/project/{project.pk}/delete/", {"post": "yes"}).status_code == 403
    )


def test_records_with_services_are_read_only_in_the_admin(admin_client):
    point = DataPointFactory(value=Decimal("3"))
    membership = TeamMembershipFactory()

    changed = admin_client.post(
        f"/admin/projects/datapoint/{point.pk}/change/", {"value": "99", "period": point.period.isoformat()}
    )
    deleted = admin_client.post(f"/admin/projects/teammembership/{membership.pk}/delete/", {"post": "yes"})

    point.refresh_from_db()
    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert point.value == Decimal("3")
    assert TeamMembership.objects.filter(pk=membership.pk).exists()
    assert (
        admin_client.get(f"/admin/projects/datapoint/{point.pk}/change/").status_code == 200
    )  # still readable


def test_an_old_version_cannot_be_restored_from_the_admin_past_the_services(admin_client):
    point = DataPointFactory(value=Decimal("3"))
    point.value = Decimal("4")
    point.save()
    first = DataPoint.history.filter(id=point.pk).order_by("history_id").first()

    response = admin_client.post(
        f"/admin/projects/datapoint/{point.pk}/history/{first.history_id}/", {"_change_history": "1"}
    )

    point.refresh_from_db()
    assert response.status_code == 403
    assert point.value == Decimal("4")


def test_only_those_who_change_a_project_in_the_app_correct_it_in_the_admin(client):
    project = ProjectFactory(title="Kept title")
    staff = User.objects.create_user(email="records@example.org", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=["view_project", "change_project"]))
    client.force_login(staff)

    response = client.post(
        f"/admin/projects/project/{project.pk}/change/", _change_page_post(project, title="Renamed by staff")
    )

    project.refresh_from_db()
    assert response.status_code == 403
    assert project.title == "Kept title"


def test_an_archived_project_is_read_only_in_the_admin(admin_client):
    project = ProjectFactory(title="Finished", status="completed", progress_score=Decimal("4.0"))

    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/")
    response = admin_client.post(
        f"/admin/projects/project/{project.pk}/change/",
        _change_page_post(project, progress_score="1.0", score_reason="Oops"),
    )

    project.refresh_from_db()
    assert page.status_code == 200
    assert 'name="progress_score"' not in page.content.decode()
    assert response.status_code == 403
    assert project.progress_score == Decimal("4.0")

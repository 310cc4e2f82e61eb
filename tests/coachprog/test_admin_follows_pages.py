"""The admin is for emergencies (issue 12, item 3): records with services are read-only there, nothing
is reverted around a service, and no admin page shows what the app's pages would not show.

The marker tests reuse the world of tests/test_exports_follow_pages.py: a unique marker in every
confidential field of every row, then every admin page a superuser can open (lists, searches,
change forms, history lists and versions) is read for markers the app's rules do not give them.
"""

from datetime import date, time

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import models
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from coaching.models import Assignment, MeetingLog, SupervisionLog
from coachprog.accounts.models import User
from coachprog.accounts.services import programme_lead_add
from coachprog.outbox.models import Message
from coachprog.privacy import field_readable
from cohorts.models import CalendarToken
from cohorts.services import calendar_token_issue
from tests.factories import AssignmentFactory, UserFactory, london
from tests.test_exports_follow_pages import _confidential_text, _markers_in, _plant_markers
from tests.test_exports_follow_pages import world as downloads_world

# The same world of markers as the downloads' test, as this module's `world` fixture.
world = downloads_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(london(date(2025, 11, 1), time(12)), tick=False),
]

# Records written only through services, each with a page in the app: read-only in the admin.
READ_ONLY = [
    "coaching.CoachProfile",
    "coaching.Assignment",
    "coaching.MeetingLog",
    "coaching.NextStep",
    "coaching.SupervisionLog",
    "coaching.MonthlyUpdate",
    "coaching.UpdateComment",
    "cohorts.Programme",
    "cohorts.Cohort",
    "cohorts.Session",
    "cohorts.SessionMaterial",
    "cohorts.Application",
    "cohorts.Enrolment",
    "cohorts.Attendance",
    "accounts.Directorate",
    "accounts.AccessPolicy",
    "accounts.Invitation",
    "accounts.ProgrammeLeadChange",
    "outbox.Message",
    "outbox.Preference",
]
# Free text the app shows only to people with a part in it: an admin user outside the programme
# (staff, allowed to view every record, but no programme lead) sees none of it in the admin either.
PRIVATE = {
    ("coaching.SupervisionLog", "reflection"),
    ("coaching.SupervisionLog", "themes"),
    ("coaching.MeetingLog", "notes"),
    ("coaching.MonthlyUpdate", "narrative"),
    ("coaching.MonthlyUpdate", "sponsor_ask"),
    ("coaching.UpdateComment", "body"),
    ("cohorts.Attendance", "note"),
    ("outbox.Message", "subject"),
    ("outbox.Message", "text"),
    ("outbox.Message", "html"),
    ("outbox.Message", "headers"),
    ("outbox.Message", "attachments"),
    ("outbox.Message", "last_error"),
    ("cohorts.CalendarToken", "token"),
    ("mfa.Authenticator", "data"),
}
# Shown by no admin page to anyone: a reflection, an e-mail's body, a secret.
NEVER = {
    ("coaching.SupervisionLog", "reflection"),
    ("outbox.Message", "text"),
    ("outbox.Message", "html"),
    ("outbox.Message", "headers"),
    ("outbox.Message", "attachments"),
    ("cohorts.CalendarToken", "token"),
    ("mfa.Authenticator", "data"),
}


def _superuser(person: User) -> User:
    User.objects.filter(pk=person.pk).update(is_staff=True, is_superuser=True)
    # A fresh copy: planting markers rewrites the password, and the session must match it.
    return User.objects.get(pk=person.pk)


def _url(model: type[models.Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _admin_pages() -> list[str]:
    """Every list, search, change form, history list and kept version the admin has for the world's rows."""
    pages = []
    for model, model_admin in admin.site._registry.items():
        pages += [_url(model, "changelist"), _url(model, "changelist") + "?q=zq"]
        for obj in model._default_manager.order_by("pk"):
            pages.append(_url(model, "change", obj.pk))
            if isinstance(model_admin, SimpleHistoryAdmin):
                pages.append(_url(model, "history", obj.pk))
                pages += [
                    _url(model, "simple_history", obj.pk, version)
                    for version in obj.history.values_list("history_id", flat=True)
                ]
    return pages


def _keep_versions() -> None:
    """Save each tracked row once more, so its history holds the planted markers too."""
    for model in apps.get_models():
        if hasattr(model, "history") and not hasattr(model, "instance_type"):
            for obj in model._default_manager.all():
                obj.save()


def _shown(client, *, refused=()) -> set[str]:
    """The markers on every admin page; pages of the models in `refused` must answer 403."""
    refused_urls = tuple(_url(model, "changelist") for model in refused)
    shown = set()
    for url in _admin_pages():
        response = client.get(url)
        assert response.status_code == (403 if url.startswith(refused_urls) else 200), url
        shown |= _markers_in(response)
    return shown


def _readable(person, planted: dict) -> set[str]:
    """The markers the app's rules let the person read."""
    readable = set()
    for marker, (label, pk, name) in planted.items():
        model = apps.get_model(label)
        rule = dict(_confidential_text(model))[name]
        if field_readable(person, model._default_manager.get(pk=pk), rule):
            readable.add(marker)
    return readable


def test_admin_shows_a_lead_only_what_the_app_shows_them(client, world):
    planted = _plant_markers()
    _keep_versions()
    lead = _superuser(world["people"]["lead"])
    client.force_login(lead)

    shown = _shown(client)

    extra = sorted(planted[m] for m in shown - _readable(lead, planted))
    assert extra == []
    # The pages were read: the lead sees the meeting notes, never a reflection or an e-mail's text.
    fields = {(planted[m][0], planted[m][2]) for m in shown}
    assert {
        ("coaching.MeetingLog", "notes"),
        ("coaching.MonthlyUpdate", "narrative"),
        ("coaching.SupervisionLog", "themes"),
        ("outbox.Message", "subject"),
    } <= fields
    assert fields & NEVER == set()


def _viewer() -> User:
    """Staff allowed to view every record in the admin, with no part in the programme (no lead)."""
    person = UserFactory(display_name="Records officer", is_staff=True)
    person.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return person


def test_admin_shows_staff_outside_the_programme_no_private_words(client, world):
    viewer = _viewer()
    planted = _plant_markers()
    _keep_versions()
    client.force_login(User.objects.get(pk=viewer.pk))

    shown = _shown(client, refused=[Message])  # the outbox is for programme leads, as its page is

    assert sorted(planted[m] for m in shown if (planted[m][0], planted[m][2]) in PRIVATE) == []


def test_admin_history_lists_no_change_to_a_field_the_reader_may_not_read(client, coach, project_a):
    meeting = MeetingLog.objects.create(
        coach=coach,
        project=project_a,
        met_on=date(2025, 10, 6),
        duration_minutes=30,
        progress_score=1,
        notes="v1",
    )
    meeting.notes = "the second private version"
    meeting.save()
    client.force_login(_viewer())

    page = client.get(_url(MeetingLog, "history", meeting.pk)).content.decode()

    assert "the second private version" not in page
    assert "v1" not in page


@pytest.mark.parametrize("label", READ_ONLY)
def test_admin_of_a_record_with_services_is_read_only(client, label):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    client.force_login(_superuser(UserFactory()))
    request = client.get(_url(model, "changelist")).wsgi_request

    assert (
        model_admin.has_add_permission(request),
        model_admin.has_change_permission(request),
        model_admin.has_delete_permission(request),
    ) == (False, False, False)
    assert client.get(_url(model, "add")).status_code == 403


def test_admin_list_says_where_the_task_is_done_in_the_app(client):
    client.force_login(_superuser(UserFactory()))

    page = client.get(_url(Assignment, "changelist")).content.decode()

    assert (
        "Read-only here: coaches are assigned, and assignments ended, on each project&#x27;s Coaches page."
        in page
    )


def test_admin_change_form_says_where_the_task_is_done_in_the_app(client, coach, project_a):
    assignment = coach.assignments.get()
    client.force_login(_superuser(UserFactory()))

    page = client.get(_url(Assignment, "change", assignment.pk)).content.decode()

    assert "on each project's Coaches page" in page
    assert 'name="end_reason"' not in page  # read, not a form


def test_admin_change_form_post_changes_nothing(client, coach, project_a):
    assignment = coach.assignments.get()
    client.force_login(_superuser(UserFactory()))

    response = client.post(
        _url(Assignment, "change", assignment.pk), {"end_reason": "Rewritten", "ends_on": "2025-10-01"}
    )

    assert response.status_code == 403
    assignment.refresh_from_db()
    assert (assignment.ends_on, assignment.end_reason) == (None, "")


def test_admin_never_reverts_a_kept_version(client, programme_lead, project_a):
    coach = UserFactory()
    assignment = AssignmentFactory(coach=coach, project=project_a, assigned_by=programme_lead)
    first = assignment.history.get().history_id
    client.force_login(_superuser(UserFactory()))
    restore = {
        "coach": coach.pk,
        "project": project_a.pk,
        "role": "lead",
        "starts_on": "2025-01-06",
        "ends_on": "2025-02-01",
        "end_reason": "Reverted in the admin",
        "assigned_by": programme_lead.pk,
    }

    page = client.get(_url(Assignment, "simple_history", assignment.pk, first))
    response = client.post(_url(Assignment, "simple_history", assignment.pk, first), restore)

    assert page.status_code == 200
    assert "Revert" not in page.content.decode()
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert (assignment.ends_on, assignment.end_reason, assignment.history.count()) == (None, "", 1)


def test_deleting_a_calendar_link_in_the_admin_revokes_it(client, coach):
    token = calendar_token_issue(person=coach)
    client.force_login(_superuser(UserFactory()))

    response = client.post(_url(CalendarToken, "delete", token.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not CalendarToken.objects.filter(person=coach).exists()


def test_admin_user_form_cannot_make_a_programme_lead(client, unrelated_user):
    client.force_login(_superuser(UserFactory()))
    form = {
        "display_name": "Renamed",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
    }

    response = client.post(_url(User, "change", unrelated_user.pk), form)

    assert response.status_code == 302
    unrelated_user.refresh_from_db()
    assert (unrelated_user.display_name, unrelated_user.is_staff, unrelated_user.is_superuser) == (
        "Renamed",
        True,
        False,
    )
    assert client.get(_url(User, "add")).status_code == 403


def test_admin_never_shows_a_two_factor_secret(client, coach):
    from allauth.mfa.models import Authenticator

    device = Authenticator.objects.create(
        user=coach, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    client.force_login(_superuser(UserFactory()))

    page = client.get(_url(Authenticator, "change", device.pk)).content.decode()

    assert "JBSWY3DPEHPK3PXP" not in page


def test_a_lead_with_admin_access_reads_but_cannot_change_a_supervision_log(client, coach, qi_lead):
    log = SupervisionLog.objects.create(
        coach=coach, supervisor=qi_lead, held_on=date(2025, 10, 1), reflection="Mine"
    )
    lead = UserFactory()
    programme_lead_add(user=lead, admin_access=True)
    client.force_login(lead)

    page = client.get(_url(SupervisionLog, "change", log.pk))

    assert page.status_code == 200
    assert "Mine" not in page.content.decode()
    assert client.post(_url(SupervisionLog, "change", log.pk), {"themes": "x"}).status_code == 403


def test_the_outbox_admin_shows_no_message_body(client, coach):
    message = Message.objects.create(
        key="test:body",
        recipient=coach,
        to_address=coach.email,
        subject="Hello",
        text="Your reset link: https://example.org/secret-key-123/",
        html="<p>secret-key-123</p>",
        next_attempt_at=london(date(2025, 10, 1), time(9)),
    )
    client.force_login(_superuser(UserFactory()))

    page = client.get(_url(Message, "change", message.pk)).content.decode()

    assert "secret-key-123" not in page
    assert "Hello" in page

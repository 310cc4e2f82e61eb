"""One person's data: a subject access export, and erasure of a person who has left.

coachprog imports no app, so it finds a person's rows through the model registry
(every foreign key and many-to-many field that points at the user model), and each
app registers at start-up what erasing a person does to its own rows (`eraser`) and
what must happen first (`blocker`, e.g. "end their coaching assignment").

An export follows the pages' rules. Each app also registers, for its models' free text,
which fields are confidential and the permission rule its pages use for them
(`register_personal_data`). A field is exported only if the person may read it in the app
(or wrote it) and so may whoever downloads the file: a person's own download holds
everything that is theirs, a programme lead's export of them leaves out what only they may
read (their private reflections) and says so. Free text nobody has classified is left out,
so a new field cannot leak before someone decides who may read it.

Erasure keeps the programme's history whole: rows the person is linked to stay, so a
project's meetings and data keep their dates and counts; the person's identity (name,
e-mail, sign-in, private free text) is replaced by a placeholder, also where the app wrote
it into other rows (e-mail to and about them, invitations, the admin's log), and their
account can no longer sign in. Words other people typed about them stay as written.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from coachprog.accounts.models import AccessPolicy, Directorate, Invitation, User
from coachprog.outbox.models import Message
from coachprog.outbox.permissions import NOTIFICATION_STATUSES
from coachprog.outbox.services import outbox_erase_person
from coachprog.permissions import is_programme_lead
from coachprog.redaction import Redaction

logger = logging.getLogger(__name__)

Blocker = Callable[[models.Model], list[str]]
Eraser = Callable[[models.Model], None]
# Rows about a person that link to them only through another row (attendance, through an enrolment).
RowsFinder = Callable[[models.Model], list[models.QuerySet]]


@dataclass(frozen=True)
class _Hooks:
    blockers: list[Blocker]
    erasers: list[Eraser]
    rows: list[RowsFinder]


_hooks = _Hooks(blockers=[], erasers=[], rows=[])


def register_erasure(
    *, blocker: Blocker | None = None, eraser: Eraser | None = None, rows: RowsFinder | None = None
) -> None:
    """Called from an app's `ready()`: what must happen before erasure, what erasure does to the
    app's rows, and which of its rows are about a person without pointing at them directly."""
    for hook, registered in ((blocker, _hooks.blockers), (eraser, _hooks.erasers), (rows, _hooks.rows)):
        if hook is not None and hook not in registered:
            registered.append(hook)


def _is_history_table(model: type[models.Model]) -> bool:
    # django-simple-history's tables record who changed what; they are exported through the
    # rows they track, not on their own.
    return hasattr(model, "instance_type")


def person_querysets(person) -> list[tuple[str, models.QuerySet]]:
    """Every model's rows linked to the person, by model label, in one query per model."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        if model is user_model or _is_history_table(model) or model._meta.auto_created:
            continue
        links = [
            field.name
            for field in model._meta.get_fields()
            if getattr(field, "concrete", False)
            and (field.many_to_one or field.one_to_one or field.many_to_many)
            and field.related_model is user_model
        ]
        if not links:
            continue
        condition = Q()
        for name in links:
            condition |= Q(**{name: person})
        found.append((model._meta.label, model._default_manager.filter(condition).distinct().order_by("pk")))
    for finder in _hooks.rows:
        found.extend((queryset.model._meta.label, queryset.order_by("pk")) for queryset in finder(person))
    return found


# --- the subject access export -------------------------------------------------------------

# (person, row) → may they read this row's fields in the app? Each app's rule, from its permissions.
ReadRule = Callable[[models.Model, models.Model], bool]


@dataclass(frozen=True)
class Confidential:
    """Fields of a model's rows that only some people may read, by the rule the app's pages use."""

    fields: tuple[str, ...]
    may_read: ReadRule
    why: str  # told in the export's list of what was left out
    writer: str | None = None  # the field naming who wrote the text: its writer always has it
    # The pages show the fields only on rows like this (an ended assignment's reason); on other
    # rows nobody reads them, so they are dropped without a note.
    shown_when: Callable[[models.Model], bool] | None = None
    # The same rule for many rows at once, where asking row by row costs a query each (the admin's
    # lists): the rows of the queryset on which the person may read the fields. Must agree with may_read.
    readable_among: Callable[[models.Model, models.QuerySet], models.QuerySet] | None = None


@dataclass(frozen=True)
class PersonalData:
    """How exports treat one model: its confidential fields with their rules, and its open free text."""

    model: type[models.Model]
    confidential: tuple[Confidential, ...] = ()
    # Free text anyone who sees the row may read: names of fixed lists, an id, an address.
    open_text: tuple[str, ...] = ()


_personal_data: dict[type[models.Model], PersonalData] = {}


def register_personal_data(*entries: PersonalData) -> None:
    """Called from an app's `ready()`: who may read its models' free text (the pages' rules)."""
    for entry in entries:
        _personal_data[entry.model] = entry


def personal_data_for(model: type[models.Model]) -> PersonalData | None:
    return _personal_data.get(model)


def free_text_fields(model: type[models.Model]) -> list[str]:
    """The fields that can hold someone's words: text and JSON, but not a fixed list of choices."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField) and not field.choices
    ]


UNCLASSIFIED = "Free text not yet classified for exports; left out until someone decides who may read it."
MY_DATA_NOTE = (
    "The person downloads their own complete copy, with what only they may read, from "
    "“My data” when signed in to coachprog ({path})."
)


def _unclassified(model: type[models.Model], entry: PersonalData | None) -> tuple[str, ...]:
    classified = set(entry.open_text) if entry else set()
    for rule in entry.confidential if entry else ():
        classified.update(rule.fields)
    return tuple(name for name in free_text_fields(model) if name not in classified)


def _has(person, row: models.Model, rule: Confidential) -> bool:
    if rule.writer and getattr(row, row._meta.get_field(rule.writer).attname) == person.pk:
        return True
    return rule.may_read(person, row)


def field_readable(person, row: models.Model, rule: Confidential) -> bool:
    """Whether the app's pages show `person` the fields of `rule` on this row (the admin follows it too)."""
    if rule.shown_when and not rule.shown_when(row):
        return False
    return _has(person, row, rule)


def rows_readable(person, rows: list[models.Model], rule: Confidential) -> set:
    """The pks of `rows` on which `field_readable` holds: in one query where the rule can ask for many
    rows at once (`readable_among`), else row by row."""
    shown = [row for row in rows if not rule.shown_when or rule.shown_when(row)]
    if rule.readable_among is None or not shown:
        return {row.pk for row in shown if _has(person, row, rule)}
    model = type(shown[0])
    among = model._default_manager.filter(pk__in=[row.pk for row in shown])
    readable = set(rule.readable_among(person, among).values_list("pk", flat=True))
    if rule.writer:
        writer = model._meta.get_field(rule.writer).attname
        readable.update(row.pk for row in shown if getattr(row, writer) == person.pk)
    return readable


def _drop(fields: dict, names: tuple[str, ...]) -> None:
    for name in names:
        fields.pop(name, None)


def _as_if_active(person):
    """The rules refuse closed accounts; a departed person's export still holds what they could read."""
    if person.is_active:
        return person
    view = get_user_model().objects.get(pk=person.pk)  # a fresh copy: nothing cached as inactive
    view.is_active = True
    return view


def person_data_export(person, *, reader=None) -> dict:
    """What is stored about `person` that both they and `reader` may read in the app, ready for JSON.

    The reader is whoever downloads the file: the person themselves unless given. Fields left
    out are listed under "left_out", with why and whether the person's own download has them.
    """
    reader = reader or person
    own = reader.pk == person.pk
    subject = _as_if_active(person)
    records: dict[str, list[dict]] = {}
    left_out: dict[tuple, dict] = {}

    def leave_out(label: str, fields: tuple[str, ...], why: str, theirs: bool) -> None:
        note = left_out.setdefault(
            (label, fields, theirs),
            {
                "records": label,
                "fields": list(fields),
                "rows": 0,
                "why": why,
                "in_their_own_download": theirs,
            },
        )
        note["rows"] += 1

    for label, queryset in person_querysets(person):
        rows = list(queryset)
        entry = _personal_data.get(queryset.model)
        unclassified = _unclassified(queryset.model, entry)
        for row, serialised in zip(rows, serializers.serialize("python", rows), strict=True):
            fields = serialised["fields"]
            for rule in entry.confidential if entry else ():
                if rule.shown_when and not rule.shown_when(row):
                    _drop(fields, rule.fields)
                    continue
                theirs = _has(subject, row, rule)
                if theirs and (own or _has(reader, row, rule)):
                    continue
                # Noted whether or not the field holds anything: a note only for filled-in fields
                # would tell the reader that a private reflection exists.
                _drop(fields, rule.fields)
                leave_out(label, rule.fields, rule.why, theirs and not own)
            if unclassified:
                _drop(fields, unclassified)
                leave_out(label, unclassified, UNCLASSIFIED, False)
            records.setdefault(label, []).append({"id": serialised["pk"], **fields})
    notes = sorted(left_out.values(), key=lambda n: (n["records"], n["fields"], n["in_their_own_download"]))
    about = (
        "Fields the person may not read in coachprog (other people's private notes and reflections, "
        "for example) are not part of their data, so they are left out."
    )
    if not own:
        about += " " + MY_DATA_NOTE.format(path=reverse("my_data"))
    return {
        "exported_at": timezone.now().isoformat(),
        "exported_by": {"id": reader.pk, "display_name": str(reader)},
        "person": {
            "id": person.pk,
            "email": person.email,
            "display_name": person.display_name,
            "organisation_unit": str(person.organisation_unit) if person.organisation_unit_id else None,
            "date_joined": person.date_joined.isoformat(),
            "last_login": person.last_login.isoformat() if person.last_login else None,
            "is_active": person.is_active,
            "groups": sorted(person.groups.values_list("name", flat=True)),
        },
        "records": records,
        "left_out": notes,
        "about_left_out": about,
    }


def erasure_blockers(person) -> list[str]:
    """What must be done before the person can be erased (empty when nothing stands in the way)."""
    reasons = []
    for blocker in _hooks.blockers:
        reasons.extend(blocker(person))
    return reasons


ERASED_DOMAIN = "erased.invalid"  # .invalid can never receive mail (RFC 2606)


def is_erased(person) -> bool:
    return person.email.endswith("@" + ERASED_DOMAIN)


def erased_name(person) -> str:
    """The placeholder that replaces an erased person's name, wherever the app wrote it."""
    return f"Former member {person.pk}"


@transaction.atomic
def person_erase(*, person, erased_by) -> None:
    """Replace a departed person's identity with a placeholder, keeping the rows that make up history."""
    if person.pk == erased_by.pk:
        raise ValidationError("You cannot erase your own account; ask another programme lead.")
    if is_erased(person):
        raise ValidationError(f"{person} has already been erased.")
    if reasons := erasure_blockers(person):
        raise ValidationError(reasons)
    for eraser in _hooks.erasers:
        eraser(person)
    name, address = erased_name(person), f"erased-{person.pk}@{ERASED_DOMAIN}"
    addresses = sorted(
        {
            person.email.lower(),
            *(a.lower() for a in EmailAddress.objects.filter(user=person).values_list("email", flat=True)),
        }
    )
    redaction = Redaction.of(names=[person.display_name], addresses=addresses, name=name, address=address)
    # E-mail the app wrote to or about them, invitations to their address, the admin's log.
    outbox_erase_person(person=person, addresses=addresses, redaction=redaction)
    invited = Q(accepted_by=person)
    for one in addresses:
        invited |= Q(email__iexact=one)
    Invitation.objects.filter(invited).update(email=address)
    _admin_log_erase(person, redaction, name)
    _sessions_end(person)
    # Sign-in identities held by allauth (e-mail addresses, two-factor devices) go entirely.
    for label in ("account.EmailAddress", "mfa.Authenticator", "socialaccount.SocialAccount"):
        if _app_label_installed(label):
            apps.get_model(label).objects.filter(user=person).delete()
    person.display_name = name
    person.email = address
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    logger.info("Person %s erased by user %s", person.pk, erased_by.pk)


def _admin_log_erase(person, redaction: Redaction, name: str) -> None:
    """The admin's log names what it changed: the person's own row, and rows whose names hold theirs."""
    user_type = ContentType.objects.get_for_model(get_user_model())
    LogEntry.objects.filter(content_type=user_type, object_id=str(person.pk)).update(object_repr=name)
    mentions = Q()
    for term in redaction.terms:
        mentions |= Q(object_repr__icontains=term)
    for entry in LogEntry.objects.filter(mentions).only("object_repr"):
        LogEntry.objects.filter(pk=entry.pk).update(object_repr=redaction.text(entry.object_repr)[:200])


def _sessions_end(person) -> None:
    """Sign the person out everywhere: their sessions are deleted, not left to expire."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(person.pk):
            session.delete()


def _app_label_installed(label: str) -> bool:
    app_label = label.split(".")[0]
    return any(config.label == app_label for config in apps.get_app_configs())


# --- what exports show of coachprog's own models and the sign-in apps' ---------------------------
# Each app registers its own models from its AppConfig.ready(); these are the shared ones.


def _nobody(person, row: models.Model) -> bool:
    return False


def _reads_notification(person, message: Message) -> bool:
    # The notifications page's rule, for one message: the recipient's sent, held or digested mail.
    return message.recipient_id == person.pk and message.status in NOTIFICATION_STATUSES


def _reads_notification_text(person, message: Message) -> bool:
    # A sign-in or password e-mail's link is a secret: the page shows its subject, never its text.
    return message.kind != Message.Kind.ACCOUNT and _reads_notification(person, message)


def _reads_outbox_subject(person, message: Message) -> bool:
    return _reads_notification(person, message) or is_programme_lead(person)


def _reads_lead_pages(person, row: models.Model) -> bool:
    # The outbox status page, the invitation list and the access policy are programme leads' pages.
    return is_programme_lead(person)


def _owns_sign_in_address(person, address: EmailAddress) -> bool:
    return address.user_id == person.pk


LEADS_ONLY = "Shown to programme leads only."

register_personal_data(
    PersonalData(
        User,
        open_text=("email", "display_name"),
        confidential=(Confidential(("password",), _nobody, why="Passwords are never exported."),),
    ),
    PersonalData(Directorate, open_text=("name",)),
    PersonalData(
        AccessPolicy,
        confidential=(
            Confidential(("allowed_signup_domains",), _reads_lead_pages, why=LEADS_ONLY, writer="updated_by"),
        ),
    ),
    PersonalData(
        Invitation,
        confidential=(Confidential(("email",), _reads_lead_pages, why=LEADS_ONLY, writer="invited_by"),),
    ),
    PersonalData(
        Message,
        # The key names the purpose and ids; the address is the recipient's own (messages to
        # people without an account, such as line managers, are in nobody's export).
        open_text=("key", "to_address"),
        confidential=(
            Confidential(
                ("subject",),
                _reads_outbox_subject,
                why="An e-mail's subject is for its recipient (once sent) and programme leads.",
            ),
            Confidential(
                ("text",),
                _reads_notification_text,
                why="An e-mail is for its recipient, once it has been sent (a sign-in or password e-mail's "
                "text for their inbox alone).",
            ),
            Confidential(
                ("html", "attachments", "headers"),
                _nobody,
                why="The HTML copy, headers and attachments of an e-mail; its plain text holds the message.",
            ),
            Confidential(("last_error",), _reads_lead_pages, why=LEADS_ONLY),
        ),
    ),
    PersonalData(
        EmailAddress,
        confidential=(
            Confidential(
                ("email",), _owns_sign_in_address, why="A person's sign-in addresses are theirs to see."
            ),
        ),
    ),
    PersonalData(
        Authenticator,
        confidential=(
            Confidential(("data",), _nobody, why="Two-factor secrets and recovery codes are never exported."),
        ),
    ),
    PersonalData(
        LogEntry,
        open_text=("object_id",),
        confidential=(
            Confidential(
                ("object_repr", "change_message"),
                _nobody,
                why="Changes made in the admin site are exported to the person who made them.",
                writer="user",
            ),
        ),
    ),
)

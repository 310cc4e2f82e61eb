"""Writes for people, organisation units, invitations and the site's access policy."""

import re
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from coachprog.accounts.flags import user_flags_forget
from coachprog.accounts.models import AccessPolicy, Directorate, Invitation, ProgrammeLeadChange, User
from coachprog.emails import send_templated_email


def directorate_get_or_create(*, name: str) -> Directorate:
    directorate = Directorate.objects.filter(name__iexact=name).first()
    return directorate or Directorate.objects.create(name=name)


# --- directorates and their QI leads -----------------------------------------------

DIRECTORATE_NAME_MAX = Directorate._meta.get_field("name").max_length


def _directorate_name(name: str, *, exclude: Directorate | None = None) -> str:
    """The name tidied (spaces collapsed), or a ValidationError naming the rule it breaks."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationError({"name": "Give the directorate a name."})
    if len(cleaned) > DIRECTORATE_NAME_MAX:
        raise ValidationError({"name": f"A directorate's name is at most {DIRECTORATE_NAME_MAX} characters."})
    others = Directorate.objects.filter(name__iexact=cleaned)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    clash = others.first()
    if clash is not None:
        raise ValidationError(
            {"name": f"There is already a directorate called “{clash.name}” (capitals do not count)."}
        )
    return cleaned


def _save_directorate(directorate: Directorate) -> Directorate:
    try:
        # A savepoint: two leads adding the same name at once meet the database's constraint.
        with transaction.atomic():
            directorate.save()
    except IntegrityError as clash:
        raise ValidationError(
            {"name": f"There is already a directorate called “{directorate.name}”."}
        ) from clash
    return directorate


@transaction.atomic
def directorate_create(*, name: str) -> Directorate:
    """Add a directorate whose name no other directorate has, whatever the capitals."""
    return _save_directorate(Directorate(name=_directorate_name(name)))


@transaction.atomic
def directorate_rename(*, directorate: Directorate, name: str) -> Directorate:
    """Rename a directorate (kept in its history); the name stays unique, whatever the capitals."""
    directorate.name = _directorate_name(name, exclude=directorate)
    return _save_directorate(directorate)


@transaction.atomic
def directorate_qi_lead_add(*, directorate: Directorate, person: User) -> Directorate:
    """Name someone a QI lead of a directorate (kept in the directorate's history)."""
    if not person.is_active:
        raise ValidationError({"person": f"{person} cannot sign in, so cannot be a QI lead."})
    if directorate.qi_leads.filter(pk=person.pk).exists():
        raise ValidationError({"person": f"{person} is already a QI lead of {directorate}."})
    directorate.qi_leads.add(person)
    return directorate


@transaction.atomic
def directorate_qi_lead_remove(*, directorate: Directorate, person: User) -> Directorate:
    """Stop someone being a QI lead of a directorate; the coaches they supervise keep them as supervisor."""
    if not directorate.qi_leads.filter(pk=person.pk).exists():
        raise ValidationError({"person": f"{person} is not a QI lead of {directorate}."})
    directorate.qi_leads.remove(person)
    return directorate


@transaction.atomic
def user_create(
    *,
    email: str,
    display_name: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    organisation_unit: Directorate | None = None,
    email_verified: bool = False,
) -> User:
    """Create a person who signs in with `email`; `email_verified` marks the address confirmed for allauth.

    `password_hash` (from `make_password`) lets a caller creating many accounts hash a shared password once.
    """
    user = User.objects.create_user(
        email=email, password=password, display_name=display_name, organisation_unit=organisation_unit
    )
    if password_hash is not None:
        user.password = password_hash
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


# Programme leads may view, add and change the domain's records in the admin, never delete them.
ADMIN_APPS = ["accounts", "cohorts", "projects", "coaching"]


def programme_leads_group() -> Group:
    group, _ = Group.objects.get_or_create(name=settings.PROGRAMME_LEADS_GROUP)
    if not group.permissions.exists():
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=ADMIN_APPS).exclude(
                codename__startswith="delete_"
            )
        )
    return group


def programme_leads() -> QuerySet[User]:
    """Everyone who is a programme lead: the group's members and superusers (active or not)."""
    return User.objects.filter(
        Q(groups__name=settings.PROGRAMME_LEADS_GROUP) | Q(is_superuser=True)
    ).distinct()


@transaction.atomic
def programme_lead_add(*, user: User, admin_access: bool = False, by: User | None = None) -> bool:
    """Make someone a programme lead, recording who did; with `admin_access` they may also use the
    Django admin. Returns False, changing nothing, if they already were one."""
    group = programme_leads_group()
    added = not user.groups.filter(pk=group.pk).exists()
    if added:
        user.groups.add(group)
        ProgrammeLeadChange.objects.create(
            person=user, action=ProgrammeLeadChange.Action.ADDED, changed_by=by
        )
    if admin_access and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user_flags_forget(user)
    return added


@transaction.atomic
def programme_lead_remove(*, user: User, by: User) -> None:
    """Stop someone being a programme lead, never leaving the programme without an active one."""
    # Lock the group's row so that two leads removing each other at the same moment take turns:
    # the second then sees that only one lead is left.
    group = Group.objects.select_for_update().get(pk=programme_leads_group().pk)
    if user.is_superuser:
        raise ValidationError(
            f"{user} is a superuser, so is a programme lead whatever this list says; "
            "only an administrator can change that."
        )
    if not user.groups.filter(pk=group.pk).exists():
        raise ValidationError(f"{user} is not a programme lead.")
    others = programme_leads().filter(is_active=True).exclude(pk=user.pk)
    if not others.exists():
        raise ValidationError(
            f"{user} is the only programme lead who can sign in. Name another programme lead first, "
            "so that someone can still run the programme."
        )
    user.groups.remove(group)
    ProgrammeLeadChange.objects.create(person=user, action=ProgrammeLeadChange.Action.REMOVED, changed_by=by)
    user_flags_forget(user)


# --- access policy ----------------------------------------------------------------

# A host name: labels of letters, digits and hyphens, at least one dot.
DOMAIN_PATTERN = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


@transaction.atomic
def access_policy_update(
    *, by: User, allowed_signup_domains: str, require_two_factor_for_leads: bool
) -> AccessPolicy:
    """Save the site's one access policy, with the domain list cleaned to one lower-case domain a line."""
    domains = []
    for line in re.split(r"[\s,;]+", allowed_signup_domains):
        domain = line.strip().lower().removeprefix("@")
        if not domain:
            continue
        if not DOMAIN_PATTERN.match(domain):
            raise ValidationError(
                {"allowed_signup_domains": f"“{domain}” is not an e-mail domain such as nhs.net."}
            )
        if domain not in domains:
            domains.append(domain)
    policy = AccessPolicy.current()
    policy.allowed_signup_domains = "\n".join(domains)
    policy.require_two_factor_for_leads = require_two_factor_for_leads
    policy.updated_by = by
    policy.updated_at = timezone.now()
    policy.full_clean()
    policy.save()
    return policy


# --- invitations --------------------------------------------------------------------

INVITATION_SALT = "coachprog.accounts.invitation"


def invitation_max_age() -> timedelta:
    return timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def invitation_token(invitation: Invitation) -> str:
    """The signed part of an invitation's link."""
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:invitation_accept", args=[invitation_token(invitation)])


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link is for; raises signing.BadSignature for a bad, old or used link."""
    payload = signing.loads(token, salt=INVITATION_SALT, max_age=invitation_max_age())
    invitation = Invitation.objects.pending().filter(pk=payload.get("invitation")).first()
    if invitation is None:
        raise signing.BadSignature("The invitation is no longer open.")
    return invitation


@transaction.atomic
def invitation_send(*, email: str, invited_by: User, now: datetime | None = None) -> Invitation:
    """Invite one address to sign up, replacing any open invitation for it, and e-mail the link."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from error
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this e-mail address already has an account."})
    now = now or timezone.now()
    Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    invitation = Invitation(
        email=email, invited_by=invited_by, created_at=now, expires_at=now + invitation_max_age()
    )
    invitation.full_clean()
    invitation.save()
    send_templated_email(
        to=invitation.email,
        template="invitation",
        context={
            "invitation": invitation,
            "invited_by": invited_by,
            "accept_url": invitation_url(invitation),
            "expires_at": invitation.expires_at,
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Close an invitation that has not been accepted, so its link stops working."""
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been accepted.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Invitation:
    """Record that the invited person signed up with the invited address."""
    if invitation.status != "pending":
        raise ValidationError(f"This invitation is {invitation.status}.")
    if user.email.lower() != invitation.email.lower():
        raise ValidationError("The invitation is for another e-mail address.")
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.full_clean()
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation

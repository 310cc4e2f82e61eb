"""Writes for people and organisation units."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from coachprog.accounts.models import Directorate, User


def directorate_get_or_create(*, name: str) -> Directorate:
    directorate = Directorate.objects.filter(name__iexact=name).first()
    return directorate or Directorate.objects.create(name=name)


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


def programme_lead_add(*, user: User, admin_access: bool = False) -> None:
    """Make someone a programme lead; with `admin_access` they may also use the Django admin."""
    user.groups.add(programme_leads_group())
    if admin_access and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_is_programme_lead", None)

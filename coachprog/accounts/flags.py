"""What every page asks about its signed-in user, answered by one query per request.

The two-factor check (`coachprog.accounts.middleware`) needs to know whether the person is a
programme lead, whether the access policy requires two-factor authentication and whether they
have an authenticator app; the navigation needs each of their roles. Asked separately that was
three queries on every page; here it is one, kept on the user object for the rest of the
request. Nothing is kept longer: who is a lead and who has an authenticator app decide access,
so each request asks the database again.

Apps add the flags they need at start-up (`register_user_flags`), so this module imports no app.
"""

import functools
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import connection
from django.db.models import Exists, Expression, OuterRef

from coachprog.accounts.models import AccessPolicy, User

# Each source takes the OuterRef of the person's primary key and returns named boolean expressions.
FlagSource = Callable[[OuterRef], dict[str, Expression]]
_sources: list[FlagSource] = []

CACHE_ATTRIBUTE = "_coachprog_flags"


def register_user_flags(source: FlagSource) -> None:
    """Add flags that `user_flags` fetches with the others (called from an AppConfig.ready())."""
    if source not in _sources:
        _sources.append(source)


def _own_flags(person: OuterRef) -> dict[str, Expression]:
    policies = AccessPolicy.objects.filter(pk=AccessPolicy.SINGLETON_PK)
    return {
        "in_leads_group": Exists(
            User.groups.through.objects.filter(user_id=person, group__name=settings.PROGRAMME_LEADS_GROUP)
        ),
        # No saved policy means the default, which requires it.
        "two_factor_required": Exists(policies.filter(require_two_factor_for_leads=True)) | ~Exists(policies),
        "has_authenticator_app": Exists(
            Authenticator.objects.filter(user_id=person, type=Authenticator.Type.TOTP)
        ),
    }


# Never a primary key (they count up from 1): stands for the person in the query compiled once.
_PERSON = -2_000_000_001


@functools.cache
def _flags_query(sources: tuple[FlagSource, ...], leads_group: str) -> tuple[str, tuple, tuple[str, ...]]:
    """The flags' SQL with its parameters and column names, compiled once per process.

    Building and compiling a dozen EXISTS subqueries took several milliseconds of every request,
    far more than running them; only the person changes from one request to the next.
    """
    person = OuterRef("pk")
    expressions = _own_flags(person)
    for source in sources:
        expressions.update(source(person))
    query = User.objects.filter(pk=_PERSON).order_by().values(**expressions)
    sql, params = query.query.sql_with_params()
    return sql, tuple(params), tuple(expressions)


def user_flags(user: User) -> dict[str, bool]:
    """Every registered flag of a signed-in user, from one query, kept on the user object.

    Also records whether the person is a programme lead (User.is_programme_lead's cache), so
    the views' own permission checks do not ask again.
    """
    cached = getattr(user, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    sql, params, names = _flags_query(tuple(_sources), settings.PROGRAMME_LEADS_GROUP)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if param == _PERSON else param for param in params])
        row = cursor.fetchone()
    flags = dict(zip(names, map(bool, row), strict=True)) if row else dict.fromkeys(names, False)
    setattr(user, CACHE_ATTRIBUTE, flags)
    user._is_programme_lead = user.is_active and (user.is_superuser or flags["in_leads_group"])
    return flags


def user_flags_forget(user: User) -> None:
    """Drop what this user object remembers, after a change to their roles in the same request."""
    user.__dict__.pop(CACHE_ATTRIBUTE, None)
    user.__dict__.pop("_is_programme_lead", None)

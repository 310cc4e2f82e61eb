"""The base of the one permission layer.

Each app's `permissions.py` answers two questions about its objects:
which of them a user may list (`visible_<things>(user)`, a queryset), and how
much a user may do with one (`<thing>_access(user, obj)`, an `Access`).
Views fetch objects only through `get_<thing>_for_user(user, pk, need=…)`,
which ends in `require()` below: outsiders get 404 (we never reveal that an
object exists), insiders without enough access get 403.
"""

from enum import IntEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404


class Access(IntEnum):
    """How much a user may do with an object; each level includes the ones below."""

    NONE = 0
    SUMMARY = 1  # may see that it exists and its headline facts, not its private text
    READ = 2
    WRITE = 3


def require(access: Access, need: Access) -> Access:
    """Raise 404 for outsiders and 403 for insiders below `need`; otherwise return `access`."""
    if access == Access.NONE:
        raise Http404("Not found.")
    if access < need:
        raise PermissionDenied("You do not have permission to do that.")
    return access


def is_programme_lead(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_programme_lead)

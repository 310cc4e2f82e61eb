"""Sessions that expire after inactivity without a database write on every request.

A session lasts SESSION_COOKIE_AGE from the last request (eight hours by default), so someone who
walks away is signed out. Django keeps that with SESSION_SAVE_EVERY_REQUEST, which writes the
session row (and commits) on every request. Here an unchanged session is written again only once
its remaining age has fallen SESSION_REFRESH_AFTER (a hundredth of the age) below the full age:
each write moves the expiry, in the database and on the cookie, so a person is signed out
between SESSION_COOKIE_AGE − SESSION_REFRESH_AFTER and SESSION_COOKIE_AGE after their last
request, never later. A session that changed is written as always.

SESSION_ENGINE is this module: Django's database store, remembering the expiry it read.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions import middleware
from django.contrib.sessions.backends import db
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class SessionStore(db.SessionStore):
    """Django's database session store, remembering when the session it loaded expires."""

    loaded_expire_date: datetime | None = None

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.loaded_expire_date = row.expire_date if row is not None else None
        return row


def expiry_due_to_move(session) -> bool:
    """True when a session's remaining age is more than SESSION_REFRESH_AFTER below its full age.

    A session whose expiry was not read (another engine, or no row yet) is always due. An
    absolute expiry (`set_expiry(datetime)`) never moves, as with SESSION_SAVE_EVERY_REQUEST.
    """
    expires = getattr(session, "loaded_expire_date", None)
    if expires is None:
        return True
    remaining = expires - timezone.now()
    return remaining < timedelta(seconds=session.get_expiry_age() - settings.SESSION_REFRESH_AFTER)


class SessionMiddleware(middleware.SessionMiddleware):
    """Django's session middleware, writing an unchanged session only when its expiry is due to move."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        # A session nobody read this request, or an empty one (signed out), is left alone.
        if (
            session is not None
            and session.accessed
            and not session.modified
            and not session.is_empty()
            and expiry_due_to_move(session)
        ):
            session.modified = True  # Django's middleware then saves it and sends the cookie again
        return super().process_response(request, response)

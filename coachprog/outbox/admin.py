"""The outbox in the admin: read-only, and never a message's text.

Rows change only through the outbox's services (claiming relies on it); a lead sends a failed
message again on the outbox page. A message's text, HTML, headers and attachments are for its
recipient: they can hold a password-reset link or someone else's words, so the admin shows
only what the outbox page shows (who, what about, when, and why it failed).
"""

from django.contrib import admin

from coachprog.admin import ReadOnlyAdmin
from coachprog.outbox.models import Message, Preference
from coachprog.permissions import is_programme_lead


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    app_note = "Read-only here: the outbox page (/outbox/) sends a failed message again."
    list_display = ["subject", "to_address", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "to_address"]
    raw_id_fields = ["recipient", "digest"]
    fields = [
        "key",
        "kind",
        "recipient",
        "to_address",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "digest",
    ]

    def has_view_permission(self, request, obj=None) -> bool:
        # The outbox page's rule: the outbox is for programme leads (a message names who got what).
        return is_programme_lead(request.user) and super().has_view_permission(request, obj)


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    app_note = "Read-only here: people choose how they get reminders on their notification preferences page."
    list_display = ["user", "kind", "choice", "updated_at"]
    list_filter = ["kind", "choice"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

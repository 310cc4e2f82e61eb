"""People and sign-in in the admin: for emergencies (a locked-out account, a lost authenticator).

Directorates, QI leads, programme leads, invitations and the access policy are managed on the
people pages in the app, whose services keep their history; here they are read-only. A
person's record can still be switched off or given admin access, and a lost authenticator
removed; two-factor secrets and sign-in addresses are never shown.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count

from coachprog.accounts.models import AccessPolicy, Directorate, Invitation, ProgrammeLeadChange, User
from coachprog.admin import FollowsPagesAdmin, ReadOnlyAdmin, ReadOnlyHistoryAdmin, typed_filter

PEOPLE = "Read-only here: programme leads manage this on the people pages in the app."


@admin.register(Directorate)
class DirectorateAdmin(ReadOnlyHistoryAdmin):
    app_note = "Read-only here: directorates and their QI leads are managed on the people pages in the app."
    list_display = ["name", "people_count"]
    search_fields = ["name"]
    raw_id_fields = ["qi_leads"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_people=Count("people"))

    @admin.display(description="people", ordering="_people")
    def people_count(self, obj: Directorate) -> int:
        return obj._people


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """An account can be switched off, renamed or given admin access here; people join by invitation."""

    ordering = ["email"]
    list_display = ["email", "display_name", "organisation_unit", "is_active", "is_staff", "last_login"]
    # Directorates grow with the organisation: typed, and chosen by autocomplete, never a list of all.
    list_filter = [
        "is_active",
        "is_staff",
        "groups",
        typed_filter("directorate", "directorate", "organisation_unit__name"),
    ]
    search_fields = ["email", "display_name"]
    list_select_related = ["organisation_unit"]
    autocomplete_fields = ["organisation_unit"]
    # A filtered list says how many it found without counting everyone again (as coachprog.admin's bases).
    show_full_result_count = False
    fieldsets = [
        (
            None,
            {
                "fields": ["email", "password"],
                "description": "People join by invitation, and programme leads are named on the people "
                "pages in the app (which keep a record of who did it). Sign-in addresses are the person's "
                "own, on their account page.",
            },
        ),
        ("Profile", {"fields": ["display_name", "organisation_unit"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    # A superuser counts as a programme lead, and so does the leads group: both are named in the app.
    readonly_fields = ["email", "is_superuser", "groups", "last_login", "date_joined"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AccessPolicy)
class AccessPolicyAdmin(ReadOnlyHistoryAdmin):
    app_note = "Read-only here: programme leads change the access policy at /people/access/."
    list_display = ["__str__", "require_two_factor_for_leads", "updated_at", "updated_by"]
    list_select_related = ["updated_by"]
    raw_id_fields = ["updated_by"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    app_note = (
        "Read-only here: invitations are sent and revoked on the Invitations page, which sends the e-mail."
    )
    list_display = ["email", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_select_related = ["invited_by"]
    raw_id_fields = ["invited_by", "accepted_by"]


@admin.register(ProgrammeLeadChange)
class ProgrammeLeadChangeAdmin(ReadOnlyAdmin):
    app_note = PEOPLE
    list_display = ["person", "action", "changed_by", "changed_at"]
    list_filter = ["action"]
    list_select_related = ["person", "changed_by"]
    raw_id_fields = ["person", "changed_by"]


# allauth's own admin pages showed secrets: two-factor keys, and sign-in addresses, which are the
# person's own to see (they manage them, and ask for a new verification e-mail, on their account page).
admin.site.unregister(Authenticator)
admin.site.unregister(EmailAddress)


@admin.register(Authenticator)
class AuthenticatorAdmin(FollowsPagesAdmin):
    """A lost phone: deleting someone's authenticator lets them set up a new one; its secret never shows."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

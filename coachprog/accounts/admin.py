from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count

from coachprog.accounts.models import AccessPolicy, Directorate, Invitation, User


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ["name", "people_count"]
    search_fields = ["name"]
    filter_horizontal = ["qi_leads"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_people=Count("people"))

    @admin.display(description="people", ordering="_people")
    def people_count(self, obj: Directorate) -> int:
        return obj._people


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "organisation_unit", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "groups", "organisation_unit"]
    search_fields = ["email", "display_name"]
    list_select_related = ["organisation_unit"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "organisation_unit"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]}),
    ]


@admin.register(AccessPolicy)
class AccessPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "require_two_factor_for_leads", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_select_related = ["invited_by"]
    search_fields = ["email"]
    # Invitations are made and revoked on the invitations page, which sends the e-mail.
    readonly_fields = [
        "email",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

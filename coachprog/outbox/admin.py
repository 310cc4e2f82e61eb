from django.contrib import admin

from coachprog.outbox.models import Message, Preference


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "to_address", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "to_address", "subject"]
    raw_id_fields = ["recipient", "digest"]
    # Rows change only through the outbox's services (claiming relies on it).
    readonly_fields = [f.name for f in Message._meta.fields]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "choice", "updated_at"]
    list_filter = ["kind", "choice"]
    raw_id_fields = ["user"]

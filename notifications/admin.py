from django.contrib import admin

from .models import Notification, PassRun, ReminderStep


@admin.register(ReminderStep)
class ReminderStepAdmin(admin.ModelAdmin):
    list_display = ("kind", "anchor", "days", "repeat", "active")
    list_editable = ("days", "repeat", "active")
    list_filter = ("kind", "active")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "period", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient__email", "subject_key", "period")
    raw_id_fields = ("recipient", "circular")
    readonly_fields = (
        "created_at",
        "claimed_at",
        "claimed_by",
        "sent_at",
        "last_error",
        "attempts",
    )


@admin.register(PassRun)
class PassRunAdmin(admin.ModelAdmin):
    list_display = ("day", "trigger", "started_at", "finished_at", "created", "already_existed")

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .admin_guard import guard_admin_site
from .models import Invitation, Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "phone")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = (
        "user",
        "kind",
        "organization",
        "position",
        "district",
        "province",
        "status",
        "created_at",
    )
    list_filter = ("status", "kind", "position")
    search_fields = (
        "user__email",
        "user__full_name",
        "organization__name_th",
        "organization__dla_code",
    )
    raw_id_fields = ("user", "organization", "district", "province", "invited_by", "decided_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "organization",
        "position",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
    )
    search_fields = ("email", "organization__name_th", "organization__dla_code")
    raw_id_fields = ("organization", "invited_by", "accepted_by")
    exclude = ("token_hash",)
    readonly_fields = ("created_at", "accepted_at", "accepted_by")


# --- second factors: who has which, never its secret --------------------------------------------

admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Who has which second factor and when it was last used. Never its `data`: the TOTP secret
    and the recovery codes' seed are not shown, not even encrypted. An administrator may delete one
    (a lost phone); its owner then sets up a new one."""

    raw_id_fields = ("user",)
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    search_fields = ("user__email", "user__full_name")
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


guard_admin_site(admin.site)

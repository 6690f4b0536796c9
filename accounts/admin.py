from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import SimpleHistoryAdmin

from .models import (
    AuthEvent,
    Authority,
    Department,
    Membership,
    Organization,
    Province,
    SameLevelDepartment,
    Sector,
)

User = get_user_model()


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name", "name_en")


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(Authority)
class AuthorityAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "province", "sector", "department", "is_national")
    list_filter = ("kind", "is_national", "province")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("province", "sector", "department")
    autocomplete_fields = ("province", "sector", "department")


@admin.register(SameLevelDepartment)
class SameLevelDepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "province", "authority", "active")
    list_filter = ("active", "province")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("province", "authority")
    autocomplete_fields = ("province", "authority")


class OrganizationMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organization"
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name = _("reporter")
    verbose_name_plural = _("reporters")


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "uscc",
        "province",
        "sector",
        "is_cii_operator",
        "is_central_unit",
        "department",
    )
    list_filter = ("is_cii_operator", "is_central_unit", "province", "sector", "department")
    search_fields = ("name", "uscc")
    list_select_related = ("province", "sector", "department")
    autocomplete_fields = ("province", "sector", "department")
    readonly_fields = ("created_at",)
    inlines = [OrganizationMembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "organization", "authority", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organization__name", "authority__name", "authority__code")
    list_select_related = ("user", "organization", "authority")
    autocomplete_fields = ("user", "organization", "authority")
    readonly_fields = ("created_at",)


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    fields = ("role", "organization", "authority", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("organization", "authority")
    extra = 0


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserMembershipInline]


@admin.register(AuthEvent)
class AuthEventAdmin(admin.ModelAdmin):
    """The authentication audit trail: read only (written by the login and two-factor
    code, never by hand)."""

    list_display = ("at", "kind", "username", "user", "ip_address")
    list_filter = ("kind",)
    search_fields = ("username",)
    list_select_related = ("user",)
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

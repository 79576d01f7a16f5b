from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """The Django admin, behind the portal's login and multi-factor rules."""

    default_site = "core.admin_site.PortalAdminSite"

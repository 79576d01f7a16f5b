from django.contrib.auth.backends import ModelBackend

# The apps whose objects the operational coordination manages in the administration.
COORDINATION_APPS = frozenset(
    {"accounts", "adhesions", "members", "thematic_groups", "reporting", "community", "core", "django_celery_beat"}
)


class RoleModelBackend(ModelBackend):
    """Django's permissions, plus the coordination's right to manage the portal's own data.

    Deleting through the administration stays reserved to superusers: coordinators change states
    through the portal's services, which keep the audit log.
    """

    def _coordinator_may(self, user_obj, app_label: str) -> bool:
        return bool(
            user_obj.is_active and getattr(user_obj, "is_coordinator", False) and app_label in COORDINATION_APPS
        )

    def has_perm(self, user_obj, perm, obj=None):
        app_label, _, codename = perm.partition(".")
        if self._coordinator_may(user_obj, app_label) and not codename.startswith("delete_"):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        return self._coordinator_may(user_obj, app_label) or super().has_module_perms(user_obj, app_label)

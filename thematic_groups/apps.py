from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThematicGroupsConfig(AppConfig):
    name = "thematic_groups"
    verbose_name = _("Thematic groups")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThematicGroupsConfig(AppConfig):
    name = "thematic_groups"
    verbose_name = _("Thematic groups")

    def ready(self) -> None:
        from members.signals import organisation_withdrawn
        from thematic_groups import receivers

        organisation_withdrawn.connect(receivers.release_seats_of_withdrawn, dispatch_uid="gt-release-withdrawn")

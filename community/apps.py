from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community of practice")

    def ready(self) -> None:
        from community import receivers, rules  # noqa: F401 - connect the receivers, register the rules

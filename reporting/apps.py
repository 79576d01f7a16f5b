from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Actions and reporting")

    def ready(self) -> None:
        from reporting import receivers, rules  # noqa: F401 - connect the receivers, register the rules

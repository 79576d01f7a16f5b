from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo


class Command(BaseCommand):
    help = "Load the demo organisations and one account per role (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow seeding with DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data has public passwords: run with DEBUG=1, or --force on a test machine.")
        logins = seed_demo()
        width = max(len(login.email) for login in logins)
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})"))
        for login in logins:
            flag = "  [2FA]" if login.needs_totp else ""
            self.stdout.write(f"  {login.email.ljust(width)}  {login.role}{flag}")
        self.stdout.write(
            "\n[2FA] : code TOTP demandé à la connexion. Clé secrète de démonstration : "
            f"{DEMO_TOTP_SECRET}\n        ou code du moment : python manage.py demo_totp"
        )

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current second-factor code of the demo staff accounts."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Only available with DEBUG=1 (demo data).")
        counter = int(time.time()) // 30
        left = 30 - int(time.time()) % 30
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))
        self.stdout.write(f"{code}  (valable encore {left} s)")

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.scale import BENCH_PASSWORD, BENCH_TOTP_SECRET, holds_other_data, is_seeded, seed_scale


class Command(BaseCommand):
    help = (
        "Fill an empty database with the alliance's realistic size times --factor (1 = realistic, 10 = default), "
        "and the accounts the benchmark signs in with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=float, default=10.0, help="1 = the alliance's size; 10 by default.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--force", action="store_true", help="Allow seeding with DEBUG off (an empty database only)."
        )

    def handle(self, *args, factor: float, seed: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Scale data has public passwords: run with DEBUG=1, or --force on a test machine.")
        if factor <= 0:
            raise CommandError("--factor must be positive.")
        if is_seeded():
            self.stdout.write("Scale data is already there: nothing to do.")
            return
        if holds_other_data():
            # Even with --force: the bench accounts' password and TOTP secret are public.
            raise CommandError("This database already holds people or organisations: seed an empty database only.")
        started = time.monotonic()
        accounts = seed_scale(factor=factor, seed=seed, log=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(self.style.SUCCESS(f"Seeded in {time.monotonic() - started:.0f} s."))
        self.stdout.write(f"Bench accounts (password: {BENCH_PASSWORD}; TOTP secret of staff: {BENCH_TOTP_SECRET})")
        for role, emails in accounts.items():
            self.stdout.write(f"  {role}: {', '.join(emails)}")

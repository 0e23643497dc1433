from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recruitee.recruiting.demo import DEMO_PASSWORD, USERS, seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo companies, people, jobs and candidates. Safe to run repeatedly."

    def handle(self, *args, **options):
        if getattr(settings, "ENVIRONMENT", "") == "production":
            raise CommandError("seed_demo refuses to run with production settings: it sets well-known passwords.")
        counts = seed_demo()
        summary = "Demo data ready: {companies} companies, {users} people, {jobs} jobs, {candidates} candidates."
        self.stdout.write(self.style.SUCCESS(summary.format(**counts)))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for slug, email, _name, role, _tz in USERS:
            self.stdout.write(f"  {email:<24} {role.label:<12} in {slug}")

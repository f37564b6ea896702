from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from advocacy.demo.services import DEMO_PASSWORD, demo_load, demo_release


class Command(BaseCommand):
    help = "Load invented demo data and print the demo logins (DEBUG databases only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="load even with DEBUG off (never in production)"
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Refusing to load demo data with DEBUG off (use --force).")
        logins = demo_load()
        release = demo_release()
        if release is not None:
            self.stdout.write(f"Released the {release.fiscal_year} report to the committee (demo).")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write("  open http://127.0.0.1:8000/")
        for login in logins:
            roles = ", ".join(str(role.label) for role in login.roles)
            self.stdout.write(f"  {login.username:<14} {roles}")
        self.stdout.write("")

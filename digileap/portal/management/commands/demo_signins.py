"""``manage.py demo_signins``: print the demo users' sign-ins (username, password, role, scope)."""

from django.core.management.base import BaseCommand

from digileap.portal.demo import demo_signins


class Command(BaseCommand):
    help = "Print a table of the demo sign-ins created by seed_demo."

    def handle(self, *args, **options) -> None:
        rows = demo_signins()
        if not rows:
            self.stdout.write("No demo users yet: run `manage.py seed_demo`.")
            return
        headers = {"username": "Username", "password": "Password", "role": "Role", "scope": "Scope"}
        widths = {key: max(len(title), *(len(row[key]) for row in rows)) for key, title in headers.items()}
        line = "+-" + "-+-".join("-" * widths[key] for key in headers) + "-+"
        self.stdout.write("Demo sign-ins:")
        self.stdout.write(line)
        self.stdout.write("| " + " | ".join(title.ljust(widths[key]) for key, title in headers.items()) + " |")
        self.stdout.write(line)
        for row in rows:
            self.stdout.write("| " + " | ".join(row[key].ljust(widths[key]) for key in headers) + " |")
        self.stdout.write(line)

"""Create (or update) a staff account in the Curator group, or the Viewer group with --viewer.

The path the README gives for a first curator: superusers are for operators, curators
get exactly the permissions of their role (partnerships/roles.py).
"""

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from partnerships.roles import CURATOR, VIEWER, sync_role_groups

PASSWORD_ENV = "PACTWATCH_CURATOR_PASSWORD"  # noqa: S105  (a variable name, not a secret)


class Command(BaseCommand):
    help = f"Create or update a curator (staff, Curator group). Password from --password, ${PASSWORD_ENV} or a prompt."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument(
            "--password", help=f"Prefer ${PASSWORD_ENV} or the prompt: arguments end up in shell history."
        )
        parser.add_argument(
            "--viewer", action="store_true", help="Read-only staff (Viewer group) instead of Curator."
        )
        parser.add_argument(
            "--no-input", action="store_true", help="Never prompt; fail when no password is given."
        )

    def handle(self, *args, username, email, password, viewer, no_input, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not a valid email address.") from None
        password = password or os.environ.get(PASSWORD_ENV, "")
        if not password:
            if no_input:
                raise CommandError(f"No password: pass --password or set ${PASSWORD_ENV}.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")

        User = get_user_model()
        user = User.objects.filter(username=username).first() or User(username=username)
        user.email = email
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from None

        role = VIEWER if viewer else CURATOR
        self.stdout.write("Syncing the Curator and Viewer groups...")
        with transaction.atomic():
            counts = sync_role_groups()
            created = user.pk is None
            user.is_staff = True
            user.is_active = True
            user.set_password(password)
            user.save()
            user.groups.remove(*Group.objects.filter(name__in=[CURATOR, VIEWER]).exclude(name=role))
            user.groups.add(Group.objects.get(name=role))
        self.stdout.write(
            self.style.SUCCESS(
                f"{'Created' if created else 'Updated'} {role.lower()} “{username}” <{email}>: staff, "
                f"{counts[role]} permissions through the {role} group."
            )
        )

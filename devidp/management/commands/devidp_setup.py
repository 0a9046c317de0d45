"""Register the portal as a client of the stand-in and give the demo accounts their identities."""

import os

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from oauth2_provider.models import Application

from devidp.identities import identities
from devidp.models import Identity

PASSWORD = os.environ.get("DEVIDP_PASSWORD", "elaas-demo-2568")  # the demo accounts' (README)


class Command(BaseCommand):
    help = "Register the portal's callback(s) and the demo accounts' ThaID-shaped identities."

    def add_arguments(self, parser):
        parser.add_argument("--redirect-uri", action="append", required=True)

    @transaction.atomic
    def handle(self, *args, **options):
        Application.objects.update_or_create(
            client_id=settings.CLIENT_ID,
            defaults={
                "name": "New e-LAAS onboarding portal (development)",
                "client_secret": settings.CLIENT_SECRET,
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": " ".join(options["redirect_uri"]),
                "algorithm": Application.RS256_ALGORITHM,
                "skip_authorization": True,
                "hash_client_secret": True,
            },
        )
        for person in identities():
            user, created = User.objects.get_or_create(username=person.pop("email"))
            if created:  # hashing is slow on purpose: once is enough
                user.set_password(PASSWORD)
                user.save()
            Identity.objects.update_or_create(user=user, defaults=person)
        self.stdout.write(f"devidp: client {settings.CLIENT_ID}, {len(identities())} identities")

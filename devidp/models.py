"""ThaID-shaped identities of the stand-in's users (demo accounts)."""

from django.conf import settings
from django.db import models


class Identity(models.Model):
    """What ThaID would say of a person: national ID, names, assurance level, factors used."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thaid"
    )
    pid = models.CharField(max_length=13)
    title = models.CharField(max_length=30)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=200)
    ial = models.CharField(max_length=10, default="2.3")
    amr = models.CharField(max_length=100, default="pin", help_text="space-separated RFC 8176")

    def __str__(self):
        return f"{self.user.username} ({self.title}{self.given_name} {self.family_name})"

    def claims(self) -> dict:
        return {
            "pid": self.pid,
            "title": self.title,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "name": f"{self.title}{self.given_name} {self.family_name}",
            "name_en": self.name_en,
            "ial": float(self.ial),
            "amr": self.amr.split(),
        }

"""Settings of the servers bench/surge.py starts itself: the portal's, with two changes.

- SURGE_HASHER=pbkdf2 puts today's hasher first (PBKDF2, Django's 1,000,000 iterations), so that
  the same run measures the morning with it; SURGE_HASHER=argon2 (the default) changes nothing.
- The login limits count per address from X-Forwarded-For (one trusted proxy), as behind the
  production proxy: the bench sends each simulated office's address there, so that thousands
  of people logging in from "one" address (the bench's) are not refused as a single office.
"""

import os

from elaas_portal.settings.production import *  # noqa: F403

if os.environ.get("SURGE_HASHER", "argon2") == "pbkdf2":
    PASSWORD_HASHERS = [  # noqa: F405 - today's order: PBKDF2 first
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "accounts.hashers.Argon2idPasswordHasher",
    ]
ALLAUTH_TRUSTED_PROXY_COUNT = 1

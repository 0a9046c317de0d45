"""The password hasher: Argon2id at OWASP's minimum, cheap enough for the opening morning.

PBKDF2 at 1,000,000 iterations took about 230 ms of CPU a login, so two cores served about nine
logins a second and nothing else. Argon2id is memory-hard (an attacker's GPU gains far less on it
than on PBKDF2): OWASP's Password Storage Cheat Sheet accepts m = 19 MiB, t = 2, p = 1 as its
minimum, which costs a few tens of milliseconds here (bench/surge.py measures both).

Django's own Argon2PasswordHasher is already Argon2id; this subclass only sets the parameters.
Hashes with other parameters, or PBKDF2's, still verify, and `must_update` makes Django write the
password again with these at the person's next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2  # passes over the memory
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1  # lanes: one core per login, the other core serves pages meanwhile

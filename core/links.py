"""Links in mail and in the inbox: absolute, on the portal's public address (PORTAL_URL).

A message is read away from the portal (a mail client, a phone), so every link it holds names
the server: `absolute("/my/")` is "https://portal.example.go.th/my/". PORTAL_URL is the one
setting for that address; required in production, set from HOST and PORT by `make run`.
"""

from django.conf import settings


def absolute(path: str) -> str:
    """`path` (starting with /) on the portal's public address."""
    if not path.startswith("/"):
        raise ValueError(f"not a path of the portal: {path!r}")
    return f"{settings.PORTAL_URL}{path}"

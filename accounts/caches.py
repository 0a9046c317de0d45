"""The accounts' caches, each declared once (core.kept: key, version, bound)."""

from core.kept import Kept

THAID_AVAILABLE = Kept(
    name="thaid-available",
    alias="default",
    parts=("server",),
    sources=("accounts/thaid/__init__.py",),
    depends_on=(
        "ThaID's discovery document answering: the login page says ThaID is unavailable, or no "
        "longer, within 30 seconds; another THAID_SERVER_URL is another key, seen at once"
    ),
    bound=30,
)

"""The access policy's caches, each declared once (core.kept: key, version, bound)."""

from core.kept import PROCESS_MEMORY, Kept

STATUS_CACHE_SECONDS = 30

POLICY_SNAPSHOT = Kept(
    name="policy-snapshot",
    alias=PROCESS_MEMORY,  # a `Policy` read on every decision: kept as it is, never pickled
    parts=(),
    sources=("maintenance/snapshot.py", "maintenance/policy.py"),
    depends_on=(
        "the rules and the letters that carry them: a save or delete of either drops the "
        "snapshot in the writing process at once (and again after commit), whoever writes; other "
        "processes read the rules again within POLICY_RULES_CACHE_SECONDS"
    ),
    bound="POLICY_RULES_CACHE_SECONDS",
    watch=("maintenance.AccessRule", "circulars.Circular"),
    on_change="maintenance.snapshot.forget",
)

STATUS_BODY = Kept(
    name="status-body",
    alias="default",
    parts=("rules", "lang", "day", "today"),
    sources=(
        "maintenance/views.py",
        "maintenance/status.py",
        "templates/maintenance/_status_body.html",
    ),
    depends_on=(
        "the rules (their fingerprint is the key's `rules`: a change shows at once); the "
        "answers' next boundaries (what is kept ends at the first, to the second); the "
        "discrepancies between letters, within STATUS_CACHE_SECONDS"
    ),
    bound=STATUS_CACHE_SECONDS,
)

STATUS_PAGE = Kept(
    name="status-page",
    alias="process",
    parts=("rules", "lang", "minute"),
    sources=(
        "maintenance/views.py",
        "templates/maintenance/status.html",
        "templates/maintenance/_lao_lookup.html",
        "templates/base.html",
        "templates/_nav_links.html",
    ),
    depends_on=(
        "the status body (STATUS_BODY, its expiry too) and the minute shown: the rules' "
        "fingerprint and the minute are in the key; only anonymous visitors' plain page is kept"
    ),
    bound=60,
)

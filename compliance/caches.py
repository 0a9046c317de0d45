"""The compliance pages' caches, each declared once (core.kept: key, version, bound).

All of them turn over with the figures' time bucket (`stats.time_bucket`, a part of every key): a
new approval, return or acknowledgement shows at the latest COMPLIANCE_CACHE_SECONDS (at most 60)
after it is made. Access is never cached: it is decided on every request before these are read.
"""

from core.kept import Kept

FIGURES = Kept(
    name="compliance",
    alias="default",
    parts=("scope", "bucket"),
    sources=("compliance/stats.py", "compliance/scope.py", "compliance/states.py"),
    depends_on=(
        "the scope's LAOs, verification requests, roles and deliveries: seen when the bucket "
        "turns, within COMPLIANCE_CACHE_SECONDS"
    ),
    bound="COMPLIANCE_CACHE_SECONDS",
)

DASHBOARD_BODY = Kept(
    name="compliance-html",
    alias="default",
    parts=("scope", "lang", "reviewer", "table", "bucket"),  # table: sort and filter
    sources=(
        "compliance/views.py",
        "compliance/charts.py",
        "compliance/breakdown.py",
        "templates/compliance/_dashboard_body.html",
        "templates/compliance/_positions.html",
        "templates/onboarding/_decision.html",
    ),
    depends_on=(
        "the figures (FIGURES, same bucket) and the language; holds no one's name: the same for "
        "everyone who may see the scope"
    ),
    bound="COMPLIANCE_CACHE_SECONDS",
)

NATIONAL = Kept(
    name="compliance-national",
    alias="default",
    parts=("bucket", "part"),  # part: "all" (the districts' sums), "province:<id>", "building"
    sources=("compliance/stats.py", "compliance/states.py"),
    depends_on=(
        "every LAO's state, units, reminders and deliveries of the country at one instant: the "
        "table every scope's FIGURES are read from; seen when the bucket turns, within "
        "COMPLIANCE_CACHE_SECONDS"
    ),
    bound="COMPLIANCE_CACHE_SECONDS",
)

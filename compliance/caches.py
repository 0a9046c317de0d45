"""The compliance pages' caches, each declared once (core.kept: key, version, bound).

Every key holds the dashboards' data version (`stats.data_version`, compliance/version.py: the
counters the database's triggers raise on every write to a table the dashboards show, and the
Bangkok hour; an area's figures and body also the stretch of the access rules its window is in),
so a new approval, return, acknowledgement or rule is seen by the next request; nothing is drawn
again while nothing changed. COMPLIANCE_CACHE_SECONDS is how long an entry stays (memory), not a
lag. Access is never cached: it is decided on every request before these are read.
"""

from core.kept import Kept

FIGURES = Kept(
    name="compliance",
    alias="default",
    parts=("scope", "data"),  # data: stats.scope_version
    sources=(
        "compliance/stats.py",
        "compliance/scope.py",
        "compliance/states.py",
        "compliance/version.py",
    ),
    depends_on=(
        "the scope's LAOs, verification requests, roles, reminders and deliveries, and the "
        "rules' stretch: in the key (the data version), seen at once"
    ),
    bound="COMPLIANCE_CACHE_SECONDS",
)

DASHBOARD_BODY = Kept(
    name="compliance-html",
    alias="default",
    parts=("scope", "lang", "reviewer", "table", "data"),  # table: sort and filter
    sources=(
        "compliance/views.py",
        "compliance/charts.py",
        "compliance/breakdown.py",
        "templates/compliance/_dashboard_body.html",
        "templates/compliance/_positions.html",
        "templates/onboarding/_decision.html",
    ),
    depends_on=(
        "the figures (FIGURES, same data version) and the language; holds no one's name: the "
        "same for everyone who may see the scope"
    ),
    bound="COMPLIANCE_CACHE_SECONDS",
)

NATIONAL = Kept(
    name="compliance-national",
    alias="default",
    # part: "all" (the districts' sums), "province:<id>", "building"; and "built" under the
    # instant bucket (data: version.instant_part): a table was built in it (stats.cached)
    parts=("data", "part"),
    sources=("compliance/stats.py", "compliance/states.py"),
    depends_on=(
        "every LAO's state, units, reminders and deliveries of the country at one instant: the "
        "table every scope's FIGURES are read from; in the key (the data version), seen at once"
    ),
    bound="COMPLIANCE_CACHE_SECONDS",
)

"""The compliance pages' caches, each declared once (core.kept: key, version, bound).

All three turn over with the figures' time bucket (`stats.time_bucket`, a part of every key): a
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
    parts=("scope", "lang", "reviewer", "bucket"),
    sources=(
        "compliance/views.py",
        "compliance/charts.py",
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

OFFICER_PAGE = Kept(
    name="compliance-page",
    alias="process",
    parts=("bucket", "user", "facts"),
    sources=(
        "compliance/pages.py",
        "compliance/views.py",
        "templates/compliance/dashboard.html",
        "templates/compliance/late.html",
        "templates/compliance/_crumbs.html",
        "templates/compliance/_positions.html",
        "templates/registry/_district_link.html",
        "templates/base.html",
        "templates/_nav_links.html",
    ),
    depends_on=(
        "the figures (same bucket); the officer's name, e-mail, area, unread count, CSRF cookie, "
        "the path and query, language and reviewer or not: all in `facts` (a digest), seen at "
        "once; never kept with a message waiting or the demo clock set"
    ),
    bound="COMPLIANCE_CACHE_SECONDS",
)

"""Django's authentication middleware, reading the user at once, and not at all for a visitor
without a session cookie.

`request.user` is the user itself, not Django's lazy object: every request that passes this
middleware reads the user anyway (maintenance.gate asks whether they are logged in, before any
view), so laziness saves nothing here, while each of the ~20 reads of `request.user` a page makes
went through the lazy object's proxy (bench/, measured interleaved, CPU time).

A request without a session cookie has an empty session: its visitor is anonymous. The session is
then left unread, so the answer does not vary by cookie (no `Vary: Cookie`) and shared caches
keep the status page and the decision API for every visitor (maintenance/caching.py). This is
the branch the one chain takes for what the lean handlers did before (issue 23).
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import middleware
from django.contrib.auth.models import AnonymousUser


def get_user(request):
    if not hasattr(request, "_cached_user"):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            request._cached_user = auth.get_user(request)
        else:
            request._cached_user = AnonymousUser()
    return request._cached_user


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)  # its checks, and request.auser
        request.user = get_user(request)

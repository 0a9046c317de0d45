"""Django's authentication middleware, taking the user read with the session when there is one,
and reading the user at once.

accounts.sessions reads a logged-in session and its user in one query; Django's `get_user` then
runs as always (the session's backend, `user_can_authenticate`, the session hash), only the
backend takes that user instead of reading it again (accounts.backends.read_with_session).

`request.user` is the user itself, not Django's lazy object: every request that passes this
middleware reads the user anyway (maintenance.gate asks whether they are logged in, before any
view), so laziness saves nothing here, while each of the ~20 reads of `request.user` a page makes
went through the lazy object's proxy: 60 us of a kept dashboard's ~600 us in-process (bench/,
measured interleaved, CPU time).
"""

from django.contrib import auth
from django.contrib.auth import SESSION_KEY, middleware

from .backends import read_with_session


def get_user(request):
    if not hasattr(request, "_cached_user"):
        session = request.session
        logged_in = SESSION_KEY in session  # loads the session, and with it its user
        prefetched = getattr(session, "prefetched_user", None) if logged_in else None
        if prefetched is None:
            request._cached_user = auth.get_user(request)
        else:
            with read_with_session(prefetched):
                request._cached_user = auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)  # its checks, and request.auser
        request.user = get_user(request)

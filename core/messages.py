"""Django's messages, with the storage built when a request first reads or adds a message.

Most requests do neither: an officer reloading a dashboard shows no message and adds none,
yet Django's MessageMiddleware built the storage on every request, a cookie signer included
(get_cookie_signer: ~3% of a kept dashboard's CPU, py-spy).
A storage never built has nothing to write on the response: no message was added, and a
message waiting in the cookie or the session stays there, unread, as Django leaves it.
"""

from functools import partial

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.functional import SimpleLazyObject, empty

# The cookie a message waits in between two requests (Django's cookie storage).
MESSAGES_COOKIE = CookieStorage.cookie_name


def built_storage(request):
    """The request's message storage if it has been built (a message read or added), else None."""
    storage = getattr(request, "_messages", None)
    if isinstance(storage, SimpleLazyObject) and storage._wrapped is empty:
        return None
    return storage


class LazyMessageMiddleware(MessageMiddleware):
    def process_request(self, request):
        request._messages = SimpleLazyObject(partial(default_storage, request))

    def process_response(self, request, response):
        if hasattr(request, "_messages") and built_storage(request) is None:
            return response  # nothing read, nothing added: nothing to store
        return super().process_response(request, response)

"""CPU per request of the liveness check through the lean chain, with and without the
observability middleware (request id, django-prometheus's "before" and "after"), in-process.

    PYTHONPATH=. .venv/bin/python bench/lean_middleware.py

CPU time (time.process_time) of 2,000 requests through each chain, 7 rounds interleaved after a
warm-up; prints the median and minimum microseconds per request. CPU time is what other processes
on a shared machine change least.
"""

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings")
os.environ.setdefault("ALLOWED_HOSTS", "*")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from elaas_portal.wsgi import LeanHandler  # noqa: E402

AFTER = "django_prometheus.middleware.PrometheusAfterMiddleware"
chain = list(settings.LEAN_MIDDLEWARE)
chains = {
    "lean chain as configured": chain,
    "plus django-prometheus's after": [*chain, AFTER] if AFTER not in chain else chain,
    "without django-prometheus": [m for m in chain if "prometheus" not in m],
    "without it and the request id": [
        m for m in chain if "prometheus" not in m and "RequestId" not in m
    ],
}
handlers = {name: LeanHandler(middleware) for name, middleware in chains.items()}
environ = RequestFactory().get("/healthz/").environ


def once(handler) -> None:
    seen = []
    b"".join(handler(dict(environ), lambda status, headers, exc=None: seen.append(status)))
    assert seen[0].startswith("200"), seen


for handler in handlers.values():
    for _ in range(300):
        once(handler)
results: dict[str, list[float]] = {name: [] for name in handlers}
for _round in range(7):
    for name, handler in handlers.items():
        t0 = time.process_time()
        for _ in range(2000):
            once(handler)
        results[name].append((time.process_time() - t0) / 2000 * 1e6)
for name, values in results.items():
    values.sort()
    print(f"{name:<34} median {values[3]:4.0f} us CPU per request (min {values[0]:.0f})")

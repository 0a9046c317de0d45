"""gunicorn settings the benchmarks add to the command line (`-c bench/gunicorn_conf.py`).

Each worker, once it has loaded the application, logs where the packages named in
$BENCH_CHECK_IMPORTS come from, so that the bench can tell which tree it measures (the
virtualenv's editable install points at another one).
"""

import importlib
import os


def post_worker_init(worker):
    for name in filter(None, os.environ.get("BENCH_CHECK_IMPORTS", "").split(",")):
        module = importlib.import_module(name)
        worker.log.warning("bench-import %s %s", name, module.__file__)

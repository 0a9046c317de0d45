"""A bare Django project: the baseline of bench/run.py (see bench/README.md)."""

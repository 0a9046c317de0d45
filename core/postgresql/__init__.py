"""Django's PostgreSQL backend with a cheaper health check (core.postgresql.base)."""

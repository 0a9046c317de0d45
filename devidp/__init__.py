"""A development stand-in for ThaID: NOT ThaID, never in production.

A separate Django project (settings `devidp.settings`) that is a standards-conformant OpenID
provider built on django-oauth-toolkit: authorization code flow with PKCE, discovery at
/o/.well-known/openid-configuration, an RS256 key generated at each start and published as JWKS,
and ThaID-shaped claims (pid, title, given_name, family_name, name_en, ial, amr) for the demo
accounts (`devidp.identities`). `make run` starts it on the next port when THAID_SERVER_URL is
not set; the browser test signs in through it.

It is installed only with the development extras (django-oauth-toolkit), is not copied into the
image (Dockerfile), and refuses to start with ELAAS_ENV=production.
"""

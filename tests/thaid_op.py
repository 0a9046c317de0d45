"""A small OpenID provider over real HTTP, for the ThaID tests: discovery, JWKS, token, userinfo.

It is a peer of the portal on 127.0.0.1 (the portal's code talks to it with `requests`, as to
ThaID), run in a thread. The test plays the browser: it takes the portal's redirect to the
authorization endpoint, asks `issue_code` for a code bound to the PKCE challenge and nonce that
redirect carries (or to something else, to see the portal refuse), and sends it to the callback.

The token endpoint behaves like a conformant provider: a code is used once, its PKCE verifier
must match the challenge (S256), the client must authenticate. What the id_token says can be
changed per code (`tamper`, `aud`, `exp`, `nonce`, `sign_with`) to test each refusal.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from core.national_id import with_check_digit
from elaas_portal.settings.base import content_security_policy

CLIENT_ID = "portal-test-client"
CLIENT_SECRET = "portal-test-secret"  # noqa: S105
PID = with_check_digit("110170020345")  # the tests' clerk's national ID (1101700203450)


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    def __init__(self):
        self.key = new_key()
        self.kid = "test-key-1"
        self.codes: dict[str, dict] = {}
        self.used_codes: set[str] = set()
        self.token_requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- what the test does as the browser -------------------------------------------------
    def issue_code(self, authorize_url: str, claims: dict | None = None, **token_changes) -> str:
        """A code for the authorization request at `authorize_url` (the portal's redirect)."""
        params = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        assert params["client_id"] == CLIENT_ID
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "params": params,
            "claims": {"pid": PID, "ial": 2.3, "amr": ["pwd"], **(claims or {})},
            "changes": token_changes,
        }
        return code

    # --- the provider ----------------------------------------------------------------------
    def discovery(self):
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self):
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def token(self, form: dict) -> tuple[int, dict]:
        self.token_requests.append(form)
        code = form.get("code", "")
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        if code in self.used_codes or code not in self.codes:
            return 400, {"error": "invalid_grant", "error_description": "code used or unknown"}
        self.used_codes.add(code)
        grant = self.codes[code]
        params, changes = grant["params"], grant["changes"]
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if params.get("code_challenge_method") != "S256" or challenge != params.get(
            "code_challenge"
        ):
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier mismatch"}
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "thaid-" + grant["claims"]["pid"][-6:],
            "aud": changes.get("aud", CLIENT_ID),
            "iat": now,
            "exp": changes.get("exp", now + 300),
            "nonce": changes.get("nonce", params.get("nonce")),
            **grant["claims"],
        }
        if claims["nonce"] is None:
            del claims["nonce"]
        key = changes.get("sign_with", self.key)
        if changes.get("unsigned"):
            id_token = jwt.encode(claims, None, algorithm="none", headers={"kid": self.kid})
        else:
            id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})
        if changes.get("tamper"):
            header, payload, signature = id_token.split(".")
            body = json.loads(base64.urlsafe_b64decode(payload + "=="))
            body.update(changes["tamper"])
            payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
            id_token = f"{header}.{payload}.{signature}"
        access = secrets.token_urlsafe(16)
        self.codes[code]["access_token"] = access
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        for grant in self.codes.values():
            if authorization == f"Bearer {grant.get('access_token')}":
                info = {"sub": "thaid-" + grant["claims"]["pid"][-6:], **grant["claims"]}
                info.update(grant["changes"].get("userinfo", {}))
                return 200, info
        return 401, {"error": "invalid_token"}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif path == "/jwks":
                    self._send(200, provider.jwks())
                elif path == "/userinfo":
                    self._send(*provider.userinfo(self.headers.get("Authorization", "")))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path == "/token":
                    self._send(*provider.token(form))
                else:
                    self._send(404, {"error": "not_found"})

        return Handler

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def portal_settings(url: str) -> dict:
    """The portal's settings for a ThaID at `url` (as elaas_portal/settings/base.py builds them)."""
    return {
        "CONTENT_SECURITY_POLICY": content_security_policy(url),
        "THAID_SERVER_URL": url,
        "THAID_CLIENT_ID": CLIENT_ID,
        "THAID_CLIENT_SECRET": CLIENT_SECRET,
        "SOCIALACCOUNT_PROVIDERS": {
            "openid_connect": {
                "provider_class": "accounts.thaid.provider.ThaIDProvider",
                "OAUTH_PKCE_ENABLED": True,
                "EMAIL_AUTHENTICATION": False,
                "APPS": [
                    {
                        "provider_id": "thaid",
                        "name": "ThaID",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {
                            "server_url": url,
                            "oauth_pkce_enabled": True,
                            "scope": ["openid", "pid"],
                            "fetch_userinfo": True,
                        },
                    }
                ],
            }
        },
    }

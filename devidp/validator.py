"""django-oauth-toolkit's validator with ThaID's claims, each released by its scope."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class ThaIDValidator(OAuth2Validator):
    oidc_claim_scope = {
        "sub": "openid",
        "ial": "openid",
        "amr": "openid",
        "pid": "pid",
        "given_name": "given_name",
        "family_name": "family_name",
        "name": "given_name",
        "title": "title",
        "name_en": "name_en",
    }

    def get_additional_claims(self, request):
        identity = getattr(request.user, "thaid", None)
        return identity.claims() if identity is not None else {}

"""Where the portal's mail goes, said wherever a page says "we sent you a mail".

With a mail server (EMAIL_URL) nothing more is said. With EMAIL_URL=console, which production
accepts only when written on purpose, mail is written to the server log and nobody receives it:
the page says so, and names the setting, so that neither the person waiting for a link nor the
operator is misled. A backend named by EMAIL_BACKEND (the database sink of demos) is named too.
"""

from django.conf import settings
from django.utils.translation import gettext as _


def where_mail_went() -> str:
    """A sentence for the person who was just told a mail was sent, or "" when it really was."""
    destination = settings.MAIL_DESTINATION
    if destination == "console":
        return _(
            "The mail was written to the server log, not sent: EMAIL_URL=console. Ask the "
            "portal's administrator for the link it holds."
        )
    if destination == "other":
        return _("The mail was not sent to a mail server: it was kept by %(backend)s.") % {
            "backend": settings.EMAIL_BACKEND
        }
    return ""

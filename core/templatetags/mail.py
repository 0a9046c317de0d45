"""`{% mail_notice %}`: where the mail a page speaks of went (core/mail.py); empty when sent."""

from django import template

from core.mail import where_mail_went

register = template.Library()


@register.simple_tag
def mail_notice() -> str:
    return where_mail_went()


@register.inclusion_tag("includes/mail_notice.html")
def mail_notice_box() -> dict:
    return {"notice": where_mail_went()}

"""What a notification says: rendered once, when the row is written, in Thai with English.

Every message says what to do, by when (Buddhist-era date and Bangkok time), why, and cites
the circular. Templates: templates/notifications/messages/<kind>.txt and .html; the first two
lines of the .txt are the Thai and the English title.
"""

from dataclasses import dataclass

from django.template.loader import get_template
from django.utils.html import escape


@dataclass(frozen=True)
class Message:
    title_th: str
    title_en: str
    text: str
    html: str


def render_message(kind: str, context: dict) -> Message:
    text = get_template(f"notifications/messages/{kind}.txt").render(context).strip()
    title_th, title_en, body = (text.split("\n", 2) + ["", ""])[:3]
    html = get_template(f"notifications/messages/{kind}.html").render(context).strip()
    return Message(
        title_th=title_th.strip(), title_en=title_en.strip(), text=body.strip() + "\n", html=html
    )


def greet(message: Message, name: str) -> Message:
    """The same message with the recipient's name on top (rendered once per group, not per
    person)."""

    if not name:
        return message
    return Message(
        title_th=message.title_th,
        title_en=message.title_en,
        text=f"เรียน {name} / Dear {name}\n\n{message.text}",
        html=f"<p>เรียน {escape(name)} / Dear {escape(name)}</p>\n{message.html}",
    )

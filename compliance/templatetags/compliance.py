from django import template
from django.urls import reverse
from django.utils.translation import get_language

from compliance import figures, tables
from compliance.states import LaoState
from onboarding.positions import PositionState, group_label

register = template.Library()


@register.filter
def lao_state(state):
    """An LAO's state as its label in the page's language."""
    return LaoState(state).label if state in LaoState.values else state


@register.filter
def figure(value):
    """A count as every compliance page and file writes it: 7,849."""
    return figures.figure(value)


@register.filter
def position_state(state):
    """A required position's state as its label in the page's language."""
    return PositionState(state).label if state in PositionState.values else state


@register.filter
def positions_label(positions):
    """A group of positions, "chief executive or permanent secretary", in the page's language."""
    return group_label(positions)


@register.simple_tag
def tables_css():
    """The URL of the compliance tables' narrow-layout labels in the page's language."""
    lang = get_language() or "th"
    return reverse("compliance:tables_css", args=[lang, tables.fingerprint(lang)])

from django import template

from compliance.states import LaoState

register = template.Library()


@register.filter
def lao_state(state):
    """An LAO's state as its label in the page's language."""
    return LaoState(state).label if state in LaoState.values else state

"""One scoping verb: `Model.objects.restrict(user, action)`, as NetBox gives every queryset.

Each model that people see has its rules, one per action, kept beside the model (or, where the
rule needs a higher layer, e.g. an organisation's area read from the roles in `accounts`, in that
layer, registered with `rule`). Views, exports and APIs ask `restrict(user, action)` and never a
rule by name. No user, or an anonymous one, gets nothing: there is no "national by default".

An action a model has no rule for is a programming error (ValueError), not an empty page.
"""

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What a user means to do with the rows they ask for."""

    VIEW = "view", _("view")  # open its page, list it
    REVIEW = "review", _("review")  # decide it (approve, return, reject, refuse)
    CHANGE = "change", _("change")  # work on it (a draft being read in)
    ACKNOWLEDGE = "acknowledge", _("acknowledge")  # a letter addressed to the user's office
    EXPORT = "export", _("export")  # take it away in a file
    # see it as a member of its organisation does: a line on the organisation's own page (who
    # filed for which position, in which state), never the row's own page
    FOLLOW = "follow", _("follow")


Rule = Callable[[models.QuerySet, object], models.QuerySet]
_RULES: dict[tuple[str, str], Rule] = {}
# Called with (model, action) at each restrict: tests record which views go through it.
watchers: list[Callable[[type[models.Model], str], None]] = []


def rule(model_label: str, *actions: Action):
    """Register `fn(queryset, user) -> queryset` as the rule of `actions` on the model labelled
    `model_label` ("app_label.ModelName"). One rule per model and action."""

    def register(fn: Rule) -> Rule:
        for action in actions:
            key = (model_label.lower(), str(action))
            if key in _RULES and _RULES[key] is not fn:
                raise ValueError(f"two rules for {model_label} {action}")
            _RULES[key] = fn
        return fn

    return register


def rules_of(model) -> set[str]:
    """The actions `model` has a rule for."""
    label = model._meta.label_lower
    return {action for (name, action) in _RULES if name == label}


class RestrictQuerySet(models.QuerySet):
    """A queryset with `restrict(user, action)`."""

    def restrict(self, user, action: Action = Action.VIEW):
        """The rows `user` may `action`; none for no user or an anonymous one."""
        action = Action(action)
        for watch in watchers:
            watch(self.model, action)
        fn = _RULES.get((self.model._meta.label_lower, str(action)))
        if fn is None:
            raise ValueError(f"{self.model._meta.label} has no rule for {action!r}")
        if user is None or not user.is_authenticated:
            return self.none()
        return fn(self, user)

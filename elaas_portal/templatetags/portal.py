"""`{% once key... %}...{% endonce %}`: a part of the page rendered once per process for each
value of its keys, for the header and footer every page repeats (their labels are translated
on every render otherwise: a tenth of a cached dashboard's time).

Only for parts that depend on nothing but their keys and on what is fixed for the life of the
process (the reversed links of context_processors.NAV): the user's name, the unread count, the
CSRF token and the current path stay outside.
"""

from django import template

register = template.Library()

_rendered: dict[tuple, str] = {}
_MAX = 1000  # keys x languages: a bound that is never reached in practice


class OnceNode(template.Node):
    def __init__(self, nodelist, keys):
        self.nodelist = nodelist
        self.keys = keys

    def render(self, context):
        key = (id(self),) + tuple(k.resolve(context) for k in self.keys)
        html = _rendered.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_rendered) >= _MAX:
                _rendered.clear()
            _rendered[key] = html
        return html


@register.tag
def once(parser, token):
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist, keys)


def forget() -> None:
    _rendered.clear()

"""How the compliance pages and their files write a count: 7,849, in Thai and in English alike
(Thai writes Arabic digits with the comma separator in official statistics)."""


def figure(value) -> str:
    """7849 → '7,849'; anything that is not a whole number is returned as text unchanged."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "" if value is None else str(value)
    return f"{value:,}"

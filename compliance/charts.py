"""Server-drawn SVG charts: bars with their numbers, no script, no CDN. Each chart on a page
stands beside a table holding the same numbers (screen readers, printing)."""

from core.thai import format_date


def per_day_bars(
    series: list[dict], *, width: int = 640, height: int = 180, lang: str = "th"
) -> dict:
    n = max(len(series), 1)
    top = max([row["verified"] for row in series] + [1])
    gap = 2
    bar_w = max((width - 40) / n - gap, 2)
    bars = []
    for i, row in enumerate(series):
        h = (height - 40) * row["verified"] / top
        x = 30 + i * (bar_w + gap)
        bars.append(
            {
                "x": round(x, 1),
                "y": round(height - 20 - h, 1),
                "w": round(bar_w, 1),
                "h": round(h, 1),
                "value": row["verified"],
                "label": format_date(row["day"], lang),
                "day": row["day"].day,
                "is_today": row["is_today"],
                "future": row["future"],
                "days_left": row["days_left"],
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "top": top,
        "base": height - 20,
        "summary": per_day_summary(bars),
    }


def per_day_summary(bars: list[dict]) -> dict:
    """The chart in words (its text alternative): LAOs verified so far, the busiest day, today."""
    past = [b for b in bars if not b["future"]]
    best = max(past, key=lambda b: b["value"], default=None)
    today = next((b for b in bars if b["is_today"]), None)
    return {
        "total": sum(b["value"] for b in past),
        "best_value": best["value"] if best else 0,
        "best_label": best["label"] if best else "",
        "today_value": today["value"] if today else None,
        "days_left": today["days_left"] if today else None,
    }


def ranking_bars(children: list[dict], *, width: int = 640, row_h: int = 22) -> dict:
    ranked = sorted(children, key=lambda c: (-c["share_verified"], c["code"]))
    label_w = 190
    rows = []
    for i, c in enumerate(ranked):
        rows.append(
            {
                "y": i * row_h,
                "w": round((width - label_w - 60) * c["share_verified"] / 100, 1),
                "share": c["share_verified"],
                "name": c["name_th"],
                "code": c["code"],
                "child": c,
            }
        )
    return {
        "width": width,
        "height": max(len(rows), 1) * row_h,
        "rows": rows,
        "label_w": label_w,
        "row_h": row_h,
        # The chart in words (its text alternative): the highest and the lowest.
        "first": rows[0] if rows else None,
        "last": rows[-1] if len(rows) > 1 else None,
    }

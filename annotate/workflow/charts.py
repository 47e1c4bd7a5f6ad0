"""Server-side drawing for the workflow pages: an SVG bar chart's geometry and a text cut into
segments at span boundaries (so pages mark spans without any offset arithmetic in the browser)."""

CHART_WIDTH = 640
CHART_HEIGHT = 160
CHART_MARGIN = 24
MAX_BAR_WIDTH = 48


def bar_chart(rows: list[dict], *, label_key: str, value_key: str) -> dict:
    """Geometry for an SVG bar chart of rows (oldest first): each bar's x, y, width, height,
    its label and value. The template draws it with presentation attributes only (no inline
    style), so the Content-Security-Policy holds."""
    if not rows:
        return {"bars": [], "width": CHART_WIDTH, "height": CHART_HEIGHT, "max": 0}
    top = max(row[value_key] for row in rows) or 1
    plot_height = CHART_HEIGHT - 2 * CHART_MARGIN
    slot = (CHART_WIDTH - 2 * CHART_MARGIN) / len(rows)
    bars = []
    for index, row in enumerate(rows):
        height = max(1.0, plot_height * row[value_key] / top)
        width = min(slot * 0.8, MAX_BAR_WIDTH)
        bars.append(
            {
                "x": round(CHART_MARGIN + index * slot + (slot - width) / 2, 1),
                "y": round(CHART_HEIGHT - CHART_MARGIN - height, 1),
                "width": round(width, 1),
                "value_y": round(CHART_HEIGHT - CHART_MARGIN - height - 4, 1),
                "height": round(height, 1),
                "label": row[label_key],
                "value": row[value_key],
                "label_x": round(CHART_MARGIN + index * slot + slot / 2, 1),
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "max": top,
        "baseline": CHART_HEIGHT - CHART_MARGIN,
        "label_y": CHART_HEIGHT - 6,
        "show_every": max(1, len(rows) // 8),
    }


def text_segments(text: str, spans: list[dict]) -> list[dict]:
    """The text cut at every span boundary: [{"text", "labels"}] where labels are those of the
    spans covering the segment (code point offsets, as stored)."""
    cuts = {0, len(text)}
    for span in spans:
        cuts.update((span["start"], span["end"]))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    segments = []
    for start, end in zip(points, points[1:]):
        labels = sorted({s["label"] for s in spans if s["start"] <= start and end <= s["end"]})
        segments.append({"text": text[start:end], "labels": labels, "start": start})
    return segments

"""Server-side chart geometry and text segments."""
from annotate.workflow.charts import CHART_HEIGHT, CHART_MARGIN, bar_chart, text_segments


def test_bars_scale_to_the_highest_value_and_stand_on_the_baseline():
    chart = bar_chart([{"day": "2026-11-27", "n": 5}, {"day": "2026-11-28", "n": 10}], label_key="day", value_key="n")
    low, high = chart["bars"]
    assert high["height"] == CHART_HEIGHT - 2 * CHART_MARGIN
    assert low["height"] == high["height"] / 2
    for bar in chart["bars"]:
        assert bar["y"] + bar["height"] == CHART_HEIGHT - CHART_MARGIN
    assert bar_chart([], label_key="day", value_key="n")["bars"] == []


def test_segments_cut_at_span_boundaries_in_code_points():
    text = "Critics 📰 dispute it"
    segments = text_segments(text, [{"start": 8, "end": 17, "label": "disputed"}, {"start": 0, "end": 9, "label": "assertion"}])
    assert "".join(s["text"] for s in segments) == text
    assert [(s["text"], s["labels"]) for s in segments] == [
        ("Critics ", ["assertion"]),
        ("📰", ["assertion", "disputed"]),
        (" dispute", ["disputed"]),
        (" it", []),
    ]

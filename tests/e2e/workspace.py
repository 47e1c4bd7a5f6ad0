"""Helpers for browser tests of the workspace: open a document, select text by UTF-16 offsets
(computed here in Python, independently of static/js/offsets.js), read what the page drew."""


def utf16(text: str, code_point: int) -> int:
    """UTF-16 offset of a code point offset, computed the way the browser counts."""
    return len(text[:code_point].encode("utf-16-le")) // 2


def open_workspace(page, document) -> None:
    page.goto(f"/documents/{document.pk}/")
    page.wait_for_selector("body[data-ready='true']")


def select_with_mouse(page, text: str, start: int, end: int) -> None:
    """Drag the mouse from the first to the last character of text[start:end] (code points)."""
    u_start, u_end = utf16(text, start), utf16(text, end)
    box = page.evaluate(
        """([a, b]) => {
            const node = document.getElementById("doc-text").firstChild;
            const first = new Range(); first.setStart(node, a); first.setEnd(node, a + 1);
            const last = new Range(); last.setStart(node, b - 1); last.setEnd(node, b);
            const r1 = first.getClientRects()[0], r2 = last.getClientRects()[last.getClientRects().length - 1];
            return {x1: r1.left + 1, y1: r1.top + r1.height / 2, x2: r2.right - 1, y2: r2.top + r2.height / 2};
        }""",
        [u_start, u_end],
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=3)
    page.mouse.move(box["x2"], box["y2"], steps=3)
    page.mouse.up()


def select_units(page, u_start: int, u_end: int) -> None:
    """Set the DOM selection to [u_start, u_end) in UTF-16 units of the text node."""
    page.evaluate(
        """([a, b]) => {
            const node = document.getElementById("doc-text").firstChild;
            window.getSelection().setBaseAndExtent(node, a, node, b);
        }""",
        [u_start, u_end],
    )


def select_code_points(page, text: str, start: int, end: int) -> None:
    select_units(page, utf16(text, start), utf16(text, end))


def drawn_ranges(page) -> dict[str, list[list[int]]]:
    """{highlight name: [[start, end] in UTF-16 units]} as registered in CSS.highlights."""
    return page.evaluate(
        """() => {
            const out = {};
            for (const [name, highlight] of CSS.highlights) {
                out[name] = [...highlight].map((r) => [r.startOffset, r.endOffset]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
            }
            return out;
        }"""
    )


def drawn_text(page, name: str) -> list[str]:
    """The characters under each range of one highlight, in text order."""
    return page.evaluate(
        """(name) => [...CSS.highlights.get(name)].sort((a, b) => a.startOffset - b.startOffset || a.endOffset - b.endOffset).map((r) => r.toString())""",
        name,
    )


def wait_for_span_count(page, n: int) -> None:
    page.wait_for_function(
        "(n) => document.querySelectorAll('#span-list li').length === n && !document.querySelector('#span-list li button .span-meta')?.textContent?.includes('saving')",
        arg=n,
    )

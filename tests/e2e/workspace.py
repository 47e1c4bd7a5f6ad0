"""Helpers for browser tests of the workspace: open a document, select text by UTF-16 offsets
(computed here in Python, independently of static/js/offsets.js), read what the page drew.

The page cuts the text into several text nodes; the helpers walk them, so offsets here are
always offsets of the whole text."""

# Page-side helpers, defined inside each evaluated function (no globals: the CSP forbids eval).
LOCATE = """
const locate = (u) => {
  const walker = document.createTreeWalker(document.getElementById('doc-text'), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) { if (u <= node.length) return [node, u]; u -= node.length; }
  throw new Error('offset past the end of the text');
};
const unitOf = (container, offset) => {
  const before = new Range();
  before.setStart(document.getElementById('doc-text'), 0);
  before.setEnd(container, offset);
  return before.toString().length;
};
"""


def utf16(text: str, code_point: int) -> int:
    """UTF-16 offset of a code point offset, computed the way the browser counts."""
    return len(text[:code_point].encode("utf-16-le")) // 2


def open_workspace(page, document) -> None:
    page.goto(f"/documents/{document.pk}/")
    page.wait_for_selector("body[data-ready='true']")


def char_box(page, u_start: int, u_end: int) -> dict:
    """The viewport box of the characters [u_start, u_end) (UTF-16 units)."""
    return page.evaluate(
        "([a, b]) => {" + LOCATE + """
            const r = new Range(); r.setStart(...locate(a)); r.setEnd(...locate(b));
            const box = r.getBoundingClientRect();
            return {x: box.left, y: box.top, width: box.width, height: box.height};
        }""",
        [u_start, u_end],
    )


def select_with_mouse(page, text: str, start: int, end: int) -> None:
    """Drag the mouse from the first to the last character of text[start:end] (code points)."""
    first = char_box(page, utf16(text, start), utf16(text, start + 1))
    last = char_box(page, utf16(text, end - 1), utf16(text, end))
    x1, y1 = first["x"] + 1, first["y"] + first["height"] / 2
    x2, y2 = last["x"] + last["width"] - 1, last["y"] + last["height"] / 2
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move((x1 + x2) / 2, (y1 + y2) / 2, steps=3)
    page.mouse.move(x2, y2, steps=3)
    page.mouse.up()


def click_character(page, text: str, at: int) -> None:
    box = char_box(page, utf16(text, at), utf16(text, at + 1))
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def select_units(page, u_start: int, u_end: int) -> None:
    """Set the DOM selection to [u_start, u_end) in UTF-16 units of the whole text."""
    page.evaluate(
        "([a, b]) => {" + LOCATE + "window.getSelection().setBaseAndExtent(...locate(a), ...locate(b)); }",
        [u_start, u_end],
    )


def select_code_points(page, text: str, start: int, end: int) -> None:
    select_units(page, utf16(text, start), utf16(text, end))


def drawn_ranges(page) -> dict[str, list[list[int]]]:
    """{highlight name: [[start, end] in UTF-16 units of the whole text]} from CSS.highlights."""
    return page.evaluate(
        "() => {" + LOCATE + """
            const out = {};
            for (const [name, highlight] of CSS.highlights) {
                out[name] = [...highlight].map((r) => [unitOf(r.startContainer, r.startOffset), unitOf(r.endContainer, r.endOffset)])
                    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
            }
            return out;
        }"""
    )


def drawn_text(page, name: str) -> list[str]:
    """The characters under each range of one highlight, in text order."""
    return page.evaluate(
        "(name) => {" + LOCATE + """
            return [...CSS.highlights.get(name)]
                .map((r) => {
                    // A live Range over each entry: the page may register StaticRanges, which have no text.
                    const live = new Range();
                    live.setStart(r.startContainer, r.startOffset);
                    live.setEnd(r.endContainer, r.endOffset);
                    return [unitOf(r.startContainer, r.startOffset), unitOf(r.endContainer, r.endOffset), live.toString()];
                })
                .sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);
        }""",
        name,
    )


def wait_for_span_count(page, n: int) -> None:
    page.wait_for_function(
        "(n) => document.querySelectorAll('#span-list li').length === n"
        " && ![...document.querySelectorAll('#span-list .span-meta')].some((m) => m.textContent === 'saving…')",
        arg=n,
    )


def settled(page, timeout: float = 10_000) -> None:
    """Every write the page started has been answered (body[data-pending] counts them)."""
    page.wait_for_selector("body[data-pending='0']", state="attached", timeout=timeout)


def press(page, key: str) -> None:
    """A key, then wait until what it wrote is answered."""
    page.keyboard.press(key)
    settled(page)

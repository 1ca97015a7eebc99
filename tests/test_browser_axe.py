"""Accessibility audit of every page with axe-core, in a real browser (Chromium via Playwright).

Each of the pages is opened in English, in Chinese (``?lang=zh``) and in projector mode
(``?projector=1``); once Streamlit is idle, the vendored axe-core (``tests/vendor/axe-core``)
checks it against the WCAG 2.1 level A and AA rules (tags ``wcag2a``, ``wcag2aa``, ``wcag21a``,
``wcag21aa``).

Each element axe flags is either **Streamlit's own** or **ours**, by one rule: it is Streamlit's
when it lies inside one of :data:`STREAMLIT_OWNED` — markup Streamlit draws and no option of ours
changes (the page navigation, the header and its toolbar, the sidebar's open/close buttons, the
file uploader's drop zone, the colours of ``st.code``'s syntax highlighter). Everything else is
ours: our text and its colours (the theme is ours to set in ``.streamlit/config.toml``), our
figures, our HTML and CSS, our widgets' labels, formulas and code blocks that scroll because our
content is too wide. The test fails on any serious or critical violation of ours; Streamlit's are
printed and written, with ours, to ```test-artifacts/axe-report.md``.

A first test checks the harness itself on elements put into the page with a known contrast
(computed here with the WCAG formula): one just below 4.5:1 must be flagged as ours, one just
above must not, and the same failing text inside the navigation must count as Streamlit's.

Without a Chromium the tests skip with the reason; under ``CI=true`` a missing browser fails.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, open_app

from pooling_ui.page import PAGES

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
SEVERE = ("serious", "critical")
MODES = {"en": "", "zh": "?lang=zh", "projector": "?projector=1"}
PAGE_NAMES = [name for name, _ in PAGES]
AXE_TIMEOUT_MS = 60_000
FIRST_LOAD_MS = 120_000
# Markup that Streamlit draws and that we cannot change by any option or by our content.
STREAMLIT_OWNED = (
    '[data-testid="stSidebarNav"]',             # the page navigation (its <ul> holds <div>s)
    '[data-testid="stHeader"]',                 # the header bar, with the toolbar and main menu
    '[data-testid="stToolbar"]',
    '[data-testid="stDecoration"]',
    '[data-testid="stStatusWidget"]',
    '[data-testid="stMainMenu"]',
    '[data-testid="stSidebarHeader"]',          # the sidebar's logo row and close button
    '[data-testid="stSidebarCollapseButton"]',
    '[data-testid="stExpandSidebarButton"]',
    '[data-testid="stFileUploaderDropzone"]',   # the uploader's drop zone (not its label)
    '[data-testid="stCode"] .token',            # st.code's syntax colours: no theme option
)

_RUN_AXE = """async ([tags, owned, within]) => {
    const result = await axe.run(within ? {include: [within]} : document, {
        runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations'],
        iframes: false,
        elementRef: true,
    });
    const selector = owned.join(', ');
    // A short, stable name of an element: the data-testid of up to three of its ancestors (or
    // itself) and its tag (axe's targets use Streamlit's generated class names, which change).
    const where = element => {
        const ids = [];
        for (let e = element; e && ids.length < 3; e = e.parentElement) {
            const id = e.getAttribute('data-testid') || (e.id ? '#' + e.id : '');
            if (id && !ids.includes(id)) ids.unshift(id);
        }
        return [...ids, element.tagName.toLowerCase()].join(' > ');
    };
    const found = [];
    for (const violation of result.violations) {
        for (const node of violation.nodes) {
            const element = node.element;
            found.push({
                rule: violation.id,
                impact: node.impact || violation.impact,
                target: node.target.map(String).join(' >> '),
                where: element ? where(element) : '',
                html: node.html.slice(0, 160),
                text: element ? (element.textContent || '').trim().slice(0, 80) : '',
                summary: (node.failureSummary || '').split('\\n').slice(0, 2).join(' ').trim()
                    .slice(0, 240),
                owner: element && element.closest(selector) ? 'streamlit' : 'ours',
            });
        }
    }
    return found;
}"""

# Every node found, by page and mode, for the report written at the end of the module.
FOUND: dict[tuple[str, str], list[dict]] = {}


def axe_source() -> str:
    """axe-core's code; a missing vendored copy skips (fails under ``CI=true``) with a reason."""
    import os

    if not AXE_JS.is_file():
        reason = (f"{AXE_JS} is missing: restore it from git, or run `make axe-update` (needs "
                  "npm) to fetch axe-core")
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so the accessibility audit must run, but {reason}",
                        pytrace=False)
        pytest.skip(reason)
    return AXE_JS.read_text(encoding="utf-8")


def audit(page, within: str | None = None) -> list[dict]:
    """Run axe's WCAG 2.1 A/AA rules on ``page`` as it is now (on the elements that match the
    selector ``within`` and their content, if given); one dict per flagged element."""
    page.add_script_tag(content=axe_source())
    return page.evaluate(_RUN_AXE, [list(WCAG_TAGS), list(STREAMLIT_OWNED), within])


def page_url(server, name: str, mode: str) -> str:
    """``/`` for the default page (the first of PAGES), ``/<name>`` for the others."""
    path = "/" if name == PAGE_NAMES[0] else f"/{name}"
    return server.url + path + MODES[mode]


def describe(nodes: list[dict]) -> str:
    return "\n".join(
        f"  - {n['rule']} ({n['impact']}) at {n['where']}\n      {n['summary']}\n"
        f"      e.g. {n['text'] or n['html']!r}"
        for n in nodes)


# -- WCAG contrast, written out here from WCAG 2.1's definitions (relative luminance, ratio) --


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour ``#rrggbb``."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.fixture(scope="module", autouse=True)
def axe_report():
    """Write what every audit of this module found to ``test-artifacts/axe-report.md`` (a
    table per owner) and ``axe-report.json`` (every element, with axe's own selector)."""
    yield
    if not FOUND:
        return
    lines = ["# axe-core audit (WCAG 2.1 A/AA)", ""]
    for owner, title in (("ours", "Ours"), ("streamlit", "Streamlit's own")):
        grouped = defaultdict(list)
        for (name, mode), nodes in FOUND.items():
            for node in nodes:
                if node["owner"] == owner:
                    grouped[(node["rule"], node["impact"], node["where"])].append(
                        (f"{name}:{mode}", node))
        lines += [f"## {title}", "", "| rule | impact | element | pages | example |",
                  "|---|---|---|---|---|"]
        for (rule, impact, target), seen in sorted(grouped.items()):
            where = ", ".join(sorted({place for place, _ in seen}))
            example = (seen[0][1]["text"] or seen[0][1]["html"]).replace("|", "\\|")
            element = target.replace("|", "\\|")
            lines.append(f"| {rule} | {impact} | `{element}` | {where} | {example} |")
        lines.append("")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-report.md").write_text("\n".join(lines), encoding="utf-8")
    (ARTIFACTS / "axe-report.json").write_text(json.dumps(
        {f"{name}:{mode}": nodes for (name, mode), nodes in FOUND.items()}, indent=1,
        ensure_ascii=False), encoding="utf-8")


def test_harness_flags_low_contrast_and_tells_ours_from_streamlits(browser_page, app_server):
    # #777 on white is just under AA's 4.5:1 for normal text, #767676 just over: by the formula,
    # not by axe, so that the harness is checked against an independent computation.
    failing, passing = "#777777", "#767676"
    assert contrast_ratio(failing, "#ffffff") < 4.5 <= contrast_ratio(passing, "#ffffff")
    page = browser_page("browser-axe-harness", timeout_ms=AXE_TIMEOUT_MS)
    open_app(page, page_url(app_server, PAGE_NAMES[0], "en"), timeout_ms=FIRST_LOAD_MS)
    page.evaluate("""([failing, passing]) => {
        const make = (id, colour) => {
            const p = document.createElement('p');
            p.id = id;
            p.textContent = 'Probe text for the accessibility harness';
            p.style.cssText = `color: ${colour}; background: #ffffff; font-size: 14px;`;
            return p;
        };
        const main = document.querySelector('[data-testid="stMain"]');
        main.prepend(make('axe-probe-fails', failing), make('axe-probe-passes', passing));
        document.querySelector('[data-testid="stSidebarNav"]')
            .prepend(make('axe-probe-streamlit', failing));
    }""", [failing, passing])
    found = {node["target"]: node for node in audit(page) if node["target"].startswith("#axe")}
    assert set(found) == {"#axe-probe-fails", "#axe-probe-streamlit"}, found
    assert found["#axe-probe-fails"]["where"].endswith("#axe-probe-fails > p"), found
    for target, owner in (("#axe-probe-fails", "ours"), ("#axe-probe-streamlit", "streamlit")):
        assert found[target]["rule"] == "color-contrast", found[target]
        assert found[target]["impact"] == "serious", found[target]
        assert found[target]["owner"] == owner, found[target]


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_has_no_serious_violation_of_ours(browser_page, app_server, name, mode):
    page = browser_page(f"browser-axe-{name}-{mode}", timeout_ms=AXE_TIMEOUT_MS)
    open_app(page, page_url(app_server, name, mode), timeout_ms=FIRST_LOAD_MS)
    nodes = audit(page)
    FOUND[(name, mode)] = nodes
    streamlits = [n for n in nodes if n["owner"] == "streamlit"]
    if streamlits:
        print(f"Streamlit's own violations on /{name} ({mode}), not ours to fix:\n"
              + describe(streamlits))
    ours = [n for n in nodes if n["owner"] == "ours" and n["impact"] in SEVERE]
    assert not ours, (f"{len(ours)} serious or critical WCAG 2.1 A/AA violations of ours on "
                      f"/{name} ({mode}):\n{describe(ours)}")


_SHARE_PASSES = """async () => {
    const result = await axe.run('.pl-share', {runOnly: ['color-contrast', 'button-name'],
                                               resultTypes: ['passes']});
    return Object.fromEntries(result.passes.map(rule => [rule.id, rule.nodes.length]));
}"""


@pytest.mark.parametrize(("mode", "scheme"), [("en", "light"), ("zh", "dark"),
                                              ("projector", "light")])
def test_the_open_share_box_has_no_serious_violation_of_ours(browser_page, app_server, mode,
                                                             scheme):
    """The Share box is drawn only once opened: audited open, in both themes (our own HTML).

    The audit covers the box's expander: the rest of the page is audited by the test above (in
    the light theme)."""
    from pooling_ui.base.i18n import t

    page = browser_page(f"browser-axe-share-{mode}-{scheme}", timeout_ms=AXE_TIMEOUT_MS,
                        color_scheme=scheme)
    open_app(page, page_url(app_server, PAGE_NAMES[0], mode), timeout_ms=FIRST_LOAD_MS)
    sidebar = page.locator('[data-testid="stSidebar"]')
    title = sidebar.get_by_text(t("links.share_title", "zh" if mode == "zh" else "en"),
                                exact=True)
    if not title.is_visible():  # projector mode starts with the sidebar collapsed
        page.locator('[data-testid="stExpandSidebarButton"]').click()
    title.click()
    page.locator(".pl-share button").wait_for(state="visible")
    nodes = audit(page, '[data-testid="stSidebar"] [data-testid="stExpander"]:has(.pl-share)')
    FOUND[(f"{PAGE_NAMES[0]}+share", f"{mode}-{scheme}")] = nodes
    # axe did look at the box: its text's contrast and its button's name were checked
    checked = page.evaluate(_SHARE_PASSES)
    assert checked.get("color-contrast", 0) >= 2 and checked.get("button-name") == 1, checked
    ours = [n for n in nodes if n["owner"] == "ours" and n["impact"] in SEVERE]
    assert not ours, (f"{len(ours)} serious or critical WCAG 2.1 A/AA violations of ours with "
                      f"the Share box open ({mode}, {scheme}):\n{describe(ours)}")

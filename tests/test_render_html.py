"""HTML pages (derive/render/html.py) in a real browser: headless Chromium at a phone's 390 px.

A tiny DevTools-protocol client (``--remote-debugging-pipe``: JSON messages ending in NUL on
file descriptors 3 and 4) sets the viewport to 390 px (headless Chromium's window is never
narrower than 500 px), loads the page, collects every console error, uncaught exception and
failed load, then reads from the DOM: KaTeX error elements, figures without a drawing,
the document's scroll width.  One screenshot per page is kept in ``SHOTS``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from derive.cli import main
from derive.paths import SHEET_DIR
from derive.pipeline import Catalogue, get_derivation
from derive.render.environment import make_environment
from derive.render.html import write_sheet_html

WIDTH = 390
SHOTS = Path(os.environ.get("DERIVE_SCREENSHOTS", "/tmp/derive-html-screenshots"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if CHROMIUM is None:
    if os.geteuid() == 0:   # `make test` installs it (make browser): missing is a failure
        pytest.fail("chromium missing: `make browser` installs it", pytrace=False)
    pytest.skip("chromium missing and not root to install it (apt-get install chromium)",
                allow_module_level=True)

PROBE = """(() => {
  const w = WIDTH, wide = [];
  for (const e of document.querySelectorAll("main *")) {
    const r = e.getBoundingClientRect();
    let clipped = false;
    for (let a = e.parentElement; a && !clipped; a = a.parentElement)
      clipped = ["auto", "hidden", "scroll"].includes(getComputedStyle(a).overflowX);
    if (r.right > w + 0.5 && !clipped) wide.push(e.tagName + ": " + e.textContent.slice(0, 50));
  }
  const figures = [...document.querySelectorAll("section.figure")];
  return JSON.stringify({
    rendered: document.documentElement.dataset.rendered === "yes",
    width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
    wide: wide.slice(0, 5),
    katexErrors: [...document.querySelectorAll(".katex-error")].map(e => e.title).slice(0, 5),
    unrendered: document.querySelectorAll(".tex:not(:has(.katex))").length,
    katex: document.querySelectorAll(".katex").length,
    figures: figures.length,
    undrawn: figures.filter(f => !(f.querySelector("svg") || [...f.querySelectorAll("img")]
      .some(i => i.complete && i.naturalWidth > 0))).map(f => f.id),
    steps: document.querySelectorAll("li.step").length,
    details: document.querySelectorAll("li.step details").length,
    toc: document.querySelectorAll("nav a").length});
})()""".replace("WIDTH", str(WIDTH))


class Chromium:
    """Headless Chromium driven over the DevTools protocol's pipe."""

    def __init__(self, profile: Path) -> None:
        to_browser, self._in = os.pipe()
        self._out, from_browser = os.pipe()

        def fds() -> None:
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        assert CHROMIUM is not None
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "--no-first-run",
             f"--window-size={WIDTH},2000", "about:blank"],
            preexec_fn=fds, pass_fds=(3, 4), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._out, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._in, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            assert time.monotonic() < end, f"no {method} within {timeout} s"
            self.events.append(self._read())

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=2000,
                  deviceScaleFactor=1, mobile=True)
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, script: str) -> Any:
        return self.call("Runtime.evaluate", expression=script,
                         returnByValue=True)["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads seen so far."""
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e.get("method") == "Runtime.consoleAPICalled" and p["type"] in ("error",
                                                                               "assert"):
                out.append(" ".join(str(a.get("value", a.get("description")))
                                    for a in p["args"]))
            elif e.get("method") == "Runtime.exceptionThrown":
                out.append(p["exceptionDetails"].get("text", "exception"))
            elif e.get("method") == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append(f"{p['entry']['text']} {p['entry'].get('url', '')}".strip())
        return out

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot",
                                                    format="png")["data"]))

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._in)
        os.close(self._out)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def inspect(browser: Chromium, page: Path) -> dict[str, Any]:
    """Load a page at 390 px; what the probe found, with the errors; its screenshot kept."""
    browser.open(page.resolve().as_uri())
    end = time.monotonic() + 15
    while not browser.evaluate("document.documentElement.dataset.rendered === 'yes'"):
        assert time.monotonic() < end, f"{page.name}: KaTeX never finished"
        time.sleep(0.1)
    found: dict[str, Any] = json.loads(browser.evaluate(PROBE))
    found["errors"] = browser.errors()
    browser.screenshot(SHOTS / f"{page.stem}.png")
    return found


def assert_reads_on_a_phone(found: dict[str, Any]) -> None:
    assert found["width"] == WIDTH
    assert found["errors"] == []
    assert found["katexErrors"] == [] and found["unrendered"] == 0 and found["katex"] > 0
    assert found["undrawn"] == []
    assert found["wide"] == [] and found["scrollWidth"] <= WIDTH, found
    assert found["details"] == found["steps"] > 0


SMALL = """((( derivation("sigmoid-derivative") )))
((( example("a1-linear-neuron") )))
((( figure("sigmoid-steepness") )))
"""


def test_a_small_page_reads_on_a_phone(tmp_path: Path, browser: Chromium) -> None:
    (tmp_path / "small.tex.j2").write_text(SMALL)
    catalogue = Catalogue()
    env = make_environment([tmp_path, SHEET_DIR], catalogue.names)
    page, how = write_sheet_html(env, "small.tex.j2", "small", catalogue, tmp_path / "out")
    assert how == {"sigmoid-steepness": "drawn from its data"}
    assert (tmp_path / "out/html/katex/katex.min.js").is_file()
    found = inspect(browser, page)
    assert_reads_on_a_phone(found)
    assert found["steps"] == len(get_derivation("sigmoid-derivative").steps)
    assert found["figures"] == 1 and found["toc"] == 3
    text = page.read_text()
    assert text.index("derivation-sigmoid-derivative") < text.index("example-a1-linear-neuron")


def test_a_katex_error_or_a_wide_element_is_caught(tmp_path: Path, browser: Chromium) -> None:
    (tmp_path / "small.tex.j2").write_text('((( derivation("sigmoid-derivative") )))')
    catalogue = Catalogue()
    env = make_environment([tmp_path, SHEET_DIR], catalogue.names)
    page, _ = write_sheet_html(env, "small.tex.j2", "small", catalogue, tmp_path / "out")
    broken = page.with_name("broken.html")
    broken.write_text(page.read_text().replace(
        "</main>", '<span class="tex">\\nosuchmacro{x}</span>'
        '<p style="width:600px">wide</p><img src="missing.png"></main>'))
    found = inspect(browser, broken)
    assert len(found["katexErrors"]) == 1 and found["wide"] and found["scrollWidth"] > WIDTH
    assert any("KaTeX" in e for e in found["errors"]), found["errors"]
    assert any("missing.png" in e for e in found["errors"]), found["errors"]


def test_every_sheet_reads_on_a_phone(tmp_path: Path, browser: Chromium,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--format", "html", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    pages = sorted((tmp_path / "html").glob("*.html"))
    assert [p.stem for p in pages] == ["A-neurons-networks-graphs", "B-two-layer-mlp",
                                       "C-backprop-cross-entropy"]
    compiled = shutil.which("latexmk") is not None
    for page in pages:
        found = inspect(browser, page)
        assert_reads_on_a_phone(found)
        assert found["figures"] > 0
        if compiled:   # the figure cache's PDFs, as SVG
            assert f"{page} (figures: {found['figures']} compiled PDF converted to SVG)" \
                in printed
            assert page.read_text().count('<img src="figures/') == found["figures"]

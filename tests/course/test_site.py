"""The course site (nnlab.course.site) and the executor that feeds it (nnlab.course.build).

Two sites are built in a temporary folder:
* a small one from three tiny notebooks executed here (progress bars, a warning, a figure,
  formulas, links of every kind) with a glossary and an assignment: the executor's quietness,
  link rewriting, navigation, fonts and offline loading are checked on it;
* the real course from lectures/ (rendered without executing them), course/glossary.md and
  assignments/: every link resolves and every formula typesets without an error.

Pages are opened in headless Chromium (Debian's `chromium`; .ci/run installs it), driven over
the DevTools protocol on a pipe, which also records every request a page makes.
"""
import html
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from nnlab.course.build import execute_notebook
from nnlab.course.site import render_site

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1200,1600"]


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (its fds 3 and 4)."""

    def __init__(self, profile):
        commands_r, self._commands = os.pipe()
        self._replies, replies_w = os.pipe()

        def plumb():  # in the child: the browser reads fd 3 and writes fd 4
            read, write = os.dup(commands_r), os.dup(replies_w)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"],
            preexec_fn=plumb, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_r)
        os.close(replies_w)
        self._buffer, self._id, self.events = b"", 0, []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable", page=True)

    def _message(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            if select.select([self._replies], [], [], left)[0]:
                chunk = os.read(self._replies, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed its DevTools pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, page=False, timeout=60, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if page:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._message(deadline))

    def evaluate(self, expression, timeout=60):
        result = self.call("Runtime.evaluate", page=True, timeout=timeout, expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def _loaded(self, start):
        self.wait_for("Page.loadEventFired")
        # MathJax queues the typesetting; a callback queued now runs after it
        self.evaluate("window.MathJax ? new Promise(done => MathJax.Hub.Queue(() => done(true))) : true")
        return self.evaluate("location.href")

    def open(self, url):
        """Load url, wait until its formulas are typeset; return the page's address."""
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.call("Page.navigate", page=True, url=url)
        return self._loaded(url)

    def click(self, selector):
        """Follow the link `selector` (a CSS selector) like a reader; return the new address."""
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        assert self.evaluate(f"!!document.querySelector({json.dumps(selector)})"), f"no {selector}"
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        return self._loaded(selector)

    def requests(self):
        """(url, failure or None) of every request seen so far."""
        urls = {e["params"]["requestId"]: e["params"]["request"]["url"]
                for e in self.events if e.get("method") == "Network.requestWillBeSent"}
        failed = {e["params"]["requestId"]: e["params"]["errorText"]
                  for e in self.events if e.get("method") == "Network.loadingFailed"}
        return [(url, failed.get(rid)) for rid, url in urls.items()]

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._commands)
        os.close(self._replies)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed (CI installs it)")
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


# ---------------------------------------------------------------- the small site

def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbformat.v4.new_code_cell(c)
                for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


FORMULAS = [r"$h^t = \sigma(W x^t + U h^{t-1} + b_h)$", r"$\mathcal{L}_i(w)$", r"$w \in \mathbb{R}^n$",
            r"$$\frac{\partial L}{\partial W} = \sum_{t=1}^{T} \delta^t (x^t)^\top$$",
            r"$$\begin{aligned} f^t &= \sigma(W_f x^t + b_f) \\ C^t &= f^t \odot C^{t-1} \end{aligned}$$"]
LECTURE_01 = notebook(
    "md:# 01 · Alpha\n\nA first page. " + " and ".join(FORMULAS[:3]) + ".\n\n" + "\n\n".join(FORMULAS[3:]),
    "md:Links: the [next lecture](02_beta.ipynb), the [glossary](../course/glossary.md), "
    "[Assignment 1](../assignments/a1_demo/a1_demo.ipynb), its [second part](02_beta.ipynb#Part-2), "
    "a [lecture not written yet](09_missing.ipynb), [a paper](https://arxiv.org/abs/1503.04069) "
    "and [this page's end](#The-end).",
    "import os\nprint('quiet:', os.environ.get('NNLAB_QUIET'))",
    # a bar drawn by the notebook itself, and one by nnlab.fit (quiet under NNLAB_QUIET)
    "from tqdm import tqdm\nfor _ in tqdm(range(50), mininterval=0): pass\n"
    "import warnings\nwarnings.warn('a warning the reader should see')",
    "import numpy as np, nnlab\nfrom nnlab import nn, optim\nnnlab.manual_seed(0)\n"
    "model = nnlab.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))\n"
    "X = np.random.default_rng(0).normal(size=(64, 2)); y = (X[:, 0] > 0).astype(int)\n"
    "history = nnlab.fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), X, y, epochs=3)\n"
    "print('trained', len(history.loss), 'epochs')",
    "import matplotlib\nmatplotlib.use('agg')\nimport matplotlib.pyplot as plt\n"
    "%matplotlib inline\nplt.plot([0, 1], [1, 0]); plt.title('a figure'); plt.show()",
    "md:## The end")
LECTURE_02 = notebook("md:# 02 · Beta\n\nBack to the [previous lecture](01_alpha.ipynb). $a^2 + b^2 = c^2$.",
                      "md:## Part 2\n\n$$e^{i\\pi} + 1 = 0$$", "print('beta')")
LECTURE_03 = notebook("md:# 03 · Gamma\n\nThe last lecture, $x^3$.", "print('gamma')")
ASSIGNMENT = notebook("md:# Assignment 1: demo\n\nRead [lecture 01](../../lectures/01_alpha.ipynb) first; "
                      "$f(x) = x^2$.", "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()")
GLOSSARY = """# Glossary

| English | Russian | First used in |
|---|---|---|
| hidden state | скрытое состояние | [01](../lectures/01_alpha.ipynb) |
| $L_2$ regularization | $L_2$-регуляризация | [02](../lectures/02_beta.ipynb) |
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small course executed and rendered: returns the site folder."""
    repo = tmp_path_factory.mktemp("course")
    for folder in ("lectures", "course", "assignments/a1_demo"):
        (repo / folder).mkdir(parents=True)
    for name, nb in [("01_alpha", LECTURE_01), ("02_beta", LECTURE_02), ("03_gamma", LECTURE_03)]:
        nbformat.write(nb, repo / "lectures" / f"{name}.ipynb")
        status, _, message = execute_notebook(repo / "lectures" / f"{name}.ipynb",
                                              repo / "build" / "lectures" / f"{name}.ipynb")
        assert status == "ok", message
    nbformat.write(ASSIGNMENT, repo / "assignments" / "a1_demo" / "a1_demo.ipynb")
    (repo / "course" / "glossary.md").write_text(GLOSSARY, encoding="utf-8")
    lines = []
    index = render_site(repo / "build" / "lectures", repo / "build" / "site", repo / "course" / "glossary.md",
                        repo / "assignments", echo=lines.append)
    assert index == repo / "build" / "site" / "index.html"
    return {"repo": repo, "site": index.parent, "echo": lines}


def page(site, name):
    return (site / name).read_text(encoding="utf-8")


def anchors(text):
    """[(href, link text)] of a page's <a> elements."""
    return [(html.unescape(m[1]), re.sub(r"<[^>]+>", "", m[2]).strip())
            for m in re.finditer(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', text, re.S)]


def hrefs(text):
    return {href for href, _ in anchors(text)}


def test_executed_notebooks_are_quiet(small):
    nb = nbformat.read(small["repo"] / "build" / "lectures" / "01_alpha.ipynb", 4)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    stdout = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    stderr = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "quiet: 1" in stdout, "the kernel did not get NNLAB_QUIET=1"
    assert "trained 3 epochs" in stdout
    assert "a warning the reader should see" in stderr, "real stderr output must stay"
    assert not re.search(r"\d+%\||it/s|\r", stderr), f"a progress bar was left: {stderr!r}"
    assert sum(o.output_type == "display_data" and "image/png" in o.data for o in outputs) == 1


def test_no_kernel_warnings_on_the_console(tmp_path, capfd):
    nbformat.write(notebook("print(42)"), tmp_path / "nb.ipynb")
    status, _, message = execute_notebook(tmp_path / "nb.ipynb", tmp_path / "out.ipynb")
    assert status == "ok", message
    captured = capfd.readouterr()
    assert "without encryption" not in captured.err + captured.out, captured.err[-500:]


def test_index_lists_lectures_assignments_and_glossary(small):
    links = anchors(page(small["site"], "index.html"))
    assert [h for h, _ in links if h[:2].isdigit()] == ["01_alpha.html", "02_beta.html", "03_gamma.html"]
    assert ("01_alpha.html", "01 · Alpha") in links
    assert ("a1_demo.html", "Assignment 1: demo") in links and "glossary.html" in hrefs(page(small["site"], "index.html"))


def test_links_between_files_are_rewritten(small):
    links = anchors(page(small["site"], "01_alpha.html"))
    for link in [("02_beta.html", "next lecture"), ("glossary.html", "glossary"),
                 ("a1_demo.html", "Assignment 1"), ("02_beta.html#Part-2", "second part"),
                 ("https://arxiv.org/abs/1503.04069", "a paper"), ("#The-end", "this page's end")]:
        assert link in links, f"{link} not among {links}"
    # a link to a file the site does not have keeps its text and loses the link
    assert '<span class="site-dropped-link">lecture not written yet</span>' in page(small["site"], "01_alpha.html")
    assert not any("09_missing" in h or h.endswith((".ipynb", ".md")) for h, _ in links)
    assert any("09_missing.ipynb" in line for line in small["echo"]), small["echo"]
    # the glossary's and the assignment's links, resolved from their own folders
    assert ("01_alpha.html", "01") in anchors(page(small["site"], "glossary.html"))
    assignment = hrefs(page(small["site"], "a1_demo.html"))
    assert "01_alpha.html" in assignment and "a1_demo.ipynb" in assignment, "the release is downloadable"
    assert (small["site"] / "a1_demo.ipynb").exists()


def local_targets_exist(site):
    """Every relative link of every page points at a file of the site (anchors aside)."""
    broken = []
    for path in sorted(site.glob("*.html")):
        for href in hrefs(path.read_text(encoding="utf-8")):
            target = href.split("#")[0]
            if target and not re.match(r"^[a-z]+:|^//", target) and not (site / target).exists():
                broken.append((path.name, href))
    return broken


def test_every_local_link_resolves(small):
    assert not local_targets_exist(small["site"])


def remote_references(text):
    """Web addresses a page would load: in the src or href of any element but a link (<a>),
    in CSS (url(...), @import), and anywhere inside a script."""
    found = []
    for tag in re.finditer(r"<(?!a\b)[a-z][a-z0-9]*\b[^>]*>", text, re.I):
        found += re.findall(r'\b(?:src|href)\s*=\s*["\']?((?:https?:)?//[^"\'\s>]+)', tag[0], re.I)
    for block in re.findall(r"<(script|style)\b[^>]*>(.*?)</\1>", text, re.S | re.I):
        found += re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}/[^\s\"'()]*|https?://[^\s\"'()]+", block[1])
    found += re.findall(r"url\(\s*[\"']?((?:https?:)?//[^)\"']+)", text)
    return found


def test_pages_reference_nothing_remote(small):
    for path in sorted(small["site"].glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert not remote_references(text), (path.name, remote_references(text)[:5])
        assert "require.js" not in text and "require.min.js" not in text, path.name


def test_no_progress_bar_boxes(small):
    text = page(small["site"], "01_alpha.html")
    stderr = re.findall(r'data-mime-type="application/vnd.jupyter.stderr"[^>]*>(.*?)</div>', text, re.S)
    assert stderr and all("a warning the reader should see" in box for box in stderr)
    assert not any(re.search(r"\d+%\||it/s", box) for box in stderr)


def test_navigation_index_lecture_next_previous_glossary(small, browser):
    site = small["site"]
    assert browser.open((site / "index.html").as_uri()).endswith("/index.html")
    assert browser.click('a[href="01_alpha.html"]').endswith("/01_alpha.html")
    assert not browser.evaluate("!!document.querySelector('a[rel=prev]')"), "the first lecture has no previous"
    assert browser.click("nav.site-nav-top a[rel=next]").endswith("/02_beta.html")
    assert browser.click("nav.site-nav-bottom a[rel=next]").endswith("/03_gamma.html")
    assert not browser.evaluate("!!document.querySelector('a[rel=next]')"), "the last lecture has no next"
    assert browser.click("nav.site-nav-top a[rel=prev]").endswith("/02_beta.html")
    assert browser.click("a[rel=glossary]").endswith("/glossary.html")
    assert browser.evaluate("document.querySelectorAll('table tr').length") == 3
    assert browser.click('main a[href="01_alpha.html"]').endswith("/01_alpha.html")
    assert browser.click('main a[href="a1_demo.html"]').endswith("/a1_demo.html")
    assert browser.click("a[rel=index]").endswith("/index.html")
    for name in ("01_alpha.html", "02_beta.html", "03_gamma.html", "a1_demo.html", "index.html"):
        links = hrefs(page(site, name))
        assert "index.html" in links and "glossary.html" in links, f"{name} lacks the navigation"


FONTS = """(() => {
  const identifiers = [...document.querySelectorAll(".MathJax .mi")];
  const italic = identifiers.filter(e => /STIXMathJax_Normal-italic/.test(getComputedStyle(e).fontFamily));
  return {
    output: MathJax.Hub.outputJax["jax/mml"][0].id,
    font: MathJax.OutputJax["HTML-CSS"].fontInUse,
    formulas: document.querySelectorAll(".MathJax").length,
    errors: document.querySelectorAll(".MathJax .merror, .MathJax_Error").length,
    identifiers: identifiers.length,
    italic: italic.length,
    loaded: [...document.fonts].filter(f => f.status === "loaded").map(f => f.family),
    warning: !!document.getElementById("MathJax_Font_Warning"),
  };
})()"""


def test_math_is_typeset_in_the_shipped_italic_font(small, browser):
    browser.open((small["site"] / "01_alpha.html").as_uri())
    fonts = browser.evaluate(FONTS)
    assert fonts["output"] == "HTML-CSS" and fonts["font"] == "STIX-Web", fonts
    assert fonts["formulas"] == len(FORMULAS), fonts
    assert fonts["errors"] == 0 and not fonts["warning"], fonts
    # variables (h, t, W, x, ...) are set in STIX's math italic, loaded from the site itself
    assert fonts["identifiers"] >= 20 and fonts["italic"] >= 0.8 * fonts["identifiers"], fonts
    assert "STIXMathJax_Normal-italic" in fonts["loaded"], fonts["loaded"]
    shown = browser.evaluate("Promise.all([...document.images].map(i => i.decode().then(() => i.naturalWidth > 0, () => false)))")
    assert shown == [True], "the figure is not displayed"


def test_every_request_is_local(small, browser):
    for name in ("index.html", "01_alpha.html", "02_beta.html", "glossary.html", "a1_demo.html"):
        browser.open((small["site"] / name).as_uri())
    requests = browser.requests()
    assert any("STIXMathJax" in url for url, _ in requests), "no font was requested at all"
    remote = [url for url, _ in requests if not re.match(r"^(file|data|about|blob):", url)]
    assert not remote, remote[:5]
    # every file a page asks for exists; only MathJax's own about:blank font probe fails
    failed = [(url, error) for url, error in requests if error and not url.startswith("about:")]
    assert not failed, failed[:5]


# ---------------------------------------------------------------- the real course

@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The real lectures (not executed: their formulas and links are what is checked),
    glossary and assignments, rendered."""
    tmp = tmp_path_factory.mktemp("real")
    shutil.copytree(ROOT / "lectures", tmp / "lectures", ignore=shutil.ignore_patterns(".*"))
    lines = []
    start = time.perf_counter()
    index = render_site(tmp / "lectures", tmp / "site", ROOT / "course" / "glossary.md",
                        ROOT / "assignments", echo=lines.append)
    return {"site": index.parent, "echo": lines, "seconds": time.perf_counter() - start}


def test_course_links_resolve(course):
    assert not local_targets_exist(course["site"])
    lectures = sorted(p.stem for p in (ROOT / "lectures").glob("*.ipynb"))
    # the glossary links to a page for every lecture it names
    linked = {h for h in hrefs(page(course["site"], "glossary.html")) if h.endswith(".html")}
    assert linked and linked <= {f"{s}.html" for s in lectures} | {"index.html", "glossary.html"}
    # only links to files that do not exist are dropped (a lecture still being written)
    for line in course["echo"]:
        href = re.search(r"link '([^']*)'", line)[1]
        name = Path(href.split("#")[0]).name
        assert not list(ROOT.glob(f"lectures/{name}")) and not list(ROOT.glob(f"assignments/*/{name}")), line


def test_course_formulas_typeset_without_errors(course, browser):
    site = course["site"]
    names = sorted(p.name for p in site.glob("[0-9][0-9]_*.html")) + ["glossary.html"]
    unrendered = r"\\\\(frac|sum|sigma|partial|mathcal|begin)\b|\$\$"
    for name in names:
        browser.open((site / name).as_uri())
        fonts = browser.evaluate(FONTS)
        assert fonts["errors"] == 0 and not fonts["warning"], (name, fonts)
        assert fonts["formulas"] > 0 and fonts["font"] == "STIX-Web", (name, fonts)
        # TeX left as text in the prose means a formula MathJax could not find
        left = browser.evaluate(
            "[...document.querySelectorAll('.jp-MarkdownOutput, main > table')].map(e => e.innerText)"
            f".filter(t => new RegExp({json.dumps(unrendered)}).test(t)).map(t => t.slice(0, 200))")
        assert not left, (name, left[:2])
    screenshot = ROOT / "build" / "site-lecture.png"
    screenshot.parent.mkdir(exist_ok=True)
    browser.open((site / names[min(1, len(names) - 1)]).as_uri())
    import base64
    screenshot.write_bytes(base64.b64decode(browser.call("Page.captureScreenshot", page=True)["data"]))
    assert screenshot.stat().st_size > 20_000

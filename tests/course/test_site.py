"""The rendered course site, opened in headless Chromium (Debian's `chromium`; .ci/run
installs it): the index links every lecture and the glossary, a lecture page shows its
figures (decoded by the browser) and typeset formulas, and a screenshot is saved in build/."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from nnlab.course.cli import execute_notebook
from nnlab.course.site import render_site

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=10000"]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("chromium is not installed (CI installs it)", allow_module_level=True)

COUNT_FIGURES = """<script>
window.addEventListener("load", async () => {
  // decode() settles once the browser has decoded the image (or failed to)
  const decoded = await Promise.all([...document.images].map(i => i.decode().then(() => i.naturalWidth > 0, () => false)));
  document.body.setAttribute("data-figures-shown", decoded.filter(Boolean).length);
});
</script>"""


def chromium(tmp_path, *args):
    profile = tmp_path / "profile"
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    lecture = ROOT / "lectures" / "01_neuron_and_xor.ipynb"
    status, _, message = execute_notebook(lecture, tmp / "lectures" / lecture.name)
    assert status == "ok", message
    return render_site(tmp / "lectures", tmp / "site", ROOT / "course" / "glossary.md")


def test_index_links_lectures_and_glossary(site, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", site.as_uri())
    assert 'href="01_neuron_and_xor.html"' in dom and "The neuron and the XOR problem" in dom
    assert 'href="glossary.html"' in dom
    glossary = chromium(tmp_path, "--dump-dom", (site.parent / "glossary.html").as_uri())
    assert "фильтр забывания" in glossary


def test_lecture_shows_its_figures(site, tmp_path):
    page = site.parent / "01_neuron_and_xor.html"
    probe = site.parent / "probe.html"  # beside the page, so relative links (MathJax) resolve
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", COUNT_FIGURES + "</body>"),
                     encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", probe.as_uri())
    shown = int(dom.split('data-figures-shown="')[1].split('"')[0])
    assert shown >= 6, f"only {shown} figures were displayed"
    assert dom.count('class="MathJax"') >= 20, "formulas were not typeset (MathJax is served locally)"

    screenshot = ROOT / "build" / "site-lecture01.png"
    screenshot.parent.mkdir(exist_ok=True)
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1200,2400", page.as_uri())
    assert screenshot.stat().st_size > 20_000

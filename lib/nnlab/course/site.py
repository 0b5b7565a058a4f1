"""The course as a static HTML site: build/site/index.html with a table of contents, one page
per executed lecture (figures embedded), and the glossary.

Formulas are typeset by a copy of MathJax 2.7 from the jupyter-server-mathjax package, so
the site works offline (the default template would load MathJax from the network).
"""
import html
import shutil
from pathlib import Path

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 0.3rem 0.6rem; }}
</style></head>
<body>
{body}
</body></html>
"""


def notebook_title(nb, fallback):
    """The first Markdown heading of a notebook, without the leading #'s."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def render_site(executed, site, glossary=None):
    """Render executed notebooks (a folder of .ipynb) and the glossary (Markdown) into `site`.

    Returns the path of index.html.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown import markdown2html

    import jupyter_server_mathjax

    site = Path(site)
    site.mkdir(parents=True, exist_ok=True)
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(mathjax, site / "mathjax", dirs_exist_ok=True)
    exporter = HTMLExporter(template_name="lab",
                            mathjax_url="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe")
    entries = []
    for path in sorted(Path(executed).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(nb)
        page = path.with_suffix(".html").name
        (site / page).write_text(body, encoding="utf-8")
        entries.append((page, notebook_title(nb, path.stem)))
    items = "\n".join(f'<li><a href="{page}">{html.escape(title)}</a></li>' for page, title in entries)
    body = f"<h1>nnlab: neural networks from scratch</h1>\n<h2>Lectures</h2>\n<ol>\n{items}\n</ol>\n"
    if glossary and Path(glossary).exists():
        text = Path(glossary).read_text(encoding="utf-8")
        (site / "glossary.html").write_text(PAGE.format(title="Glossary", body=markdown2html(text)),
                                            encoding="utf-8")
        body += '<h2>Reference</h2>\n<ul><li><a href="glossary.html">Glossary (English — Russian)</a></li></ul>\n'
    index = site / "index.html"
    index.write_text(PAGE.format(title="nnlab course", body=body), encoding="utf-8")
    return index

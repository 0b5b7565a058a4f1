"""The course as a static HTML site that works offline, opened straight from disk:

    build/site/index.html          the lectures, the assignments and the glossary
    build/site/NN_topic.html       one page per executed lecture, figures embedded
    build/site/<id>.html, .ipynb   each assignment as handed out (rendered, and for download)
    build/site/glossary.html       course/glossary.md
    build/site/mathjax/            MathJax 2.7 with its STIX-Web fonts, from jupyter-server-mathjax

Every page has the same navigation (index, previous, next, glossary). Links between the
course's files (`02_backprop.ipynb`, `../course/glossary.md`,
`../assignments/a1_backprop/a1_backprop.ipynb`) are rewritten to the pages that show them; a
link to a file the site does not show keeps its text and loses the link (and is reported).
No page loads anything from the network: the notebook pages use nbconvert's JupyterLab
template without its require.js, widget and mermaid scripts (templates in site_assets/).
"""
import html
import posixpath
import re
import shutil
from pathlib import Path

ASSETS = Path(__file__).with_name("site_assets")
TEMPLATES = ASSETS / "templates"
# the parts of MathJax the pages use: HTML-CSS output with the STIX-Web web fonts
MATHJAX_UNUSED = ("SVG", "*.otf", "*.eot", "*.svg")

ANCHOR = re.compile(r"<a\b(?P<attrs>[^>]*)>(?P<text>.*?)</a>", re.S)
HREF = re.compile(r'\bhref="(?P<href>[^"]*)"')
STYLE = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)  # http:, mailto:, data:, //host, #anchor


def notebook_title(nb, fallback):
    """The first Markdown heading of a notebook, without the leading #'s."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def rewrite_links(page_html, source_dir, pages, page_name, dropped):
    """Point the relative links of a page at the site's pages.

    source_dir: the folder (relative to the repository) of the file the page shows, against
    which its links are resolved; pages: {repository path: site file}. Links to the site's own
    files (the navigation's) stay; a relative link to any other file not in `pages` is replaced
    by its text, and (page_name, href) is added to `dropped`.
    """
    own = set(pages.values()) | {"index.html"}

    def replace(match):
        found = HREF.search(match["attrs"])
        if not found or not found["href"] or EXTERNAL.match(found["href"]):
            return match[0]
        path, _, fragment = html.unescape(found["href"]).partition("#")
        if path in own:
            return match[0]
        target = pages.get(posixpath.normpath(posixpath.join(source_dir, path)))
        if target is None:
            dropped.append((page_name, found["href"]))
            return f'<span class="site-dropped-link">{match["text"]}</span>'
        href = html.escape(target + ("#" + fragment if fragment else ""))
        attrs = match["attrs"][:found.start()] + f'href="{href}"' + match["attrs"][found.end():]
        return f"<a{attrs}>{match['text']}</a>"

    return ANCHOR.sub(replace, page_html)


def render_site(executed, site, glossary=None, assignments=None, echo=None):
    """Render executed notebooks (a folder of NN_topic.ipynb), the glossary (Markdown) and the
    assignment releases (a folder of <id>/<id>.ipynb) into `site`; return the path of index.html.

    echo, if given, receives one line per link that had to be dropped.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown import markdown2html

    import jupyter_server_mathjax

    site = Path(site)
    site.mkdir(parents=True, exist_ok=True)
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(mathjax, site / "mathjax", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(*MATHJAX_UNUSED))
    shutil.copy(ASSETS / "site.css", site / "site.css")

    lectures = []  # (notebook, site file, title)
    for path in sorted(Path(executed).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        lectures.append((nb, path.with_suffix(".html").name, notebook_title(nb, path.stem)))
    handouts = []  # (notebook, id, title)
    if assignments and Path(assignments).is_dir():
        for path in sorted(Path(assignments).glob("*/*.ipynb")):
            if path.stem == path.parent.name:
                nb = nbformat.read(path, as_version=4)
                handouts.append((nb, path.stem, notebook_title(nb, path.stem)))
    has_glossary = bool(glossary) and Path(glossary).exists()

    # repository path -> site file, for the links between the course's files
    pages = {f"lectures/{Path(page).stem}.ipynb": page for _, page, _ in lectures}
    pages.update({f"assignments/{id_}/{id_}.ipynb": f"{id_}.html" for _, id_, _ in handouts})
    pages.update({f"assignments/{id_}": f"{id_}.html" for _, id_, _ in handouts})
    # the downloadable copies of the assignments: site files that no link is rewritten to
    pages.update({f"site/{id_}.ipynb": f"{id_}.ipynb" for _, id_, _ in handouts})
    if has_glossary:
        pages["course/glossary.md"] = "glossary.html"
    dropped = []

    exporter = HTMLExporter(template_name="nnlab", extra_template_basedirs=[str(TEMPLATES)])

    def notebook_page(nb, name, source_dir, links):
        body, _ = exporter.from_notebook_node(nb, resources={"site": links})
        # the inlined JupyterLab styles carry comments with web addresses: not needed offline
        body = STYLE.sub(lambda m: m[1] + CSS_COMMENT.sub("", m[2]) + m[3], body)
        (site / name).write_text(rewrite_links(body, source_dir, pages, name, dropped), encoding="utf-8")

    for i, (nb, page, _) in enumerate(lectures):
        links = {"prev": _link(lectures[i - 1]) if i > 0 else None,
                 "next": _link(lectures[i + 1]) if i + 1 < len(lectures) else None,
                 "glossary": has_glossary}
        notebook_page(nb, page, "lectures", links)
    for nb, id_, _ in handouts:
        shutil.copy(Path(assignments) / id_ / f"{id_}.ipynb", site / f"{id_}.ipynb")
        notebook_page(nb, f"{id_}.html", f"assignments/{id_}",
                      {"download": f"{id_}.ipynb", "glossary": has_glossary})

    import jinja2

    page_template = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES / "nnlab")),
                                       autoescape=False).get_template("page.html.j2")

    def plain_page(name, title, body, source_dir="."):
        text = page_template.render(title=title, body=body, links={"glossary": has_glossary})
        (site / name).write_text(rewrite_links(text, source_dir, pages, name, dropped), encoding="utf-8")

    if has_glossary:
        plain_page("glossary.html", "Glossary",
                   markdown2html(Path(glossary).read_text(encoding="utf-8")), source_dir="course")

    def listing(items):
        return "\n".join(f'<li><a href="{href}">{html.escape(title)}</a></li>' for href, title in items)

    body = ['<h1>nnlab: neural networks from scratch</h1>', "<h2>Lectures</h2>",
            f'<ol class="site-index site-lectures">\n{listing((p, t) for _, p, t in lectures)}\n</ol>']
    if handouts:
        body += ["<h2>Assignments</h2>",
                 f'<ul class="site-index site-assignments">\n'
                 f'{listing((f"{i}.html", t) for _, i, t in handouts)}\n</ul>']
    if has_glossary:
        body += ["<h2>Reference</h2>",
                 '<ul class="site-index"><li><a href="glossary.html">Glossary: the terms in English '
                 'and Russian, with the lecture where each is first used</a></li></ul>']
    plain_page("index.html", "nnlab course", "\n".join(body))

    if echo:
        for href in sorted(set(href for _, href in dropped)):
            where = sorted(set(page for page, h in dropped if h == href))
            echo(f"site: no page for the link {href!r} (in {', '.join(where)}); its text is kept")
    return site / "index.html"


def _link(lecture):
    _, page, title = lecture
    return {"href": page, "title": title}

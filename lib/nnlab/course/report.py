"""What grading hands out: the class table (CSV), the per-test summary, and feedback pages.

Feedback is a student's own notebook, rendered, with the result of each graded cell under
it (as nbgrader's feedback is), styled by one stylesheet (feedback.css). Of a hidden test it
shows only whether it passed and, if not, the label of the failing check and the error's
type; never its code, message or values. Text that comes from the grading machine is
stripped of its paths.
"""
import csv
import html
import json
import os
import sys
from collections import Counter
from pathlib import Path

CSS = (Path(__file__).parent / "feedback.css").read_text()
COLUMNS = ["student", "score", "max_score", "status", "reason", "seconds", "sandboxed", "grader"]


def _machine_paths():
    paths = {str(Path.home()), sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[3]), os.getcwd()}
    return sorted((p for p in paths if p and p != "/"), key=len, reverse=True)


def scrub(text):
    """Text without any path of the grading machine."""
    text = str(text or "")
    for path in _machine_paths():
        text = text.replace(path, "…")
    return text


# --- the class table ---

def read_table(path):
    if not Path(path).exists():
        return {}
    with open(path, newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def row_of(result):
    return {"student": result.student, "score": f"{result.score:g}", "max_score": f"{result.max_score:g}",
            "status": result.status, "reason": " | ".join(result.reasons), "seconds": f"{result.seconds:.2f}",
            "sandboxed": "yes" if result.sandboxed else "NO", "grader": result.grader}


def write_table(path, rows):
    """rows: {student: row}; written atomically, sorted by student."""
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for student in sorted(rows):
            writer.writerow(rows[student])
    os.replace(tmp, path)


# --- what the class did ---

def summary(assignment, results):
    """Per test: how many passed the visible part, the hidden part, and the most common failure."""
    rows = []
    for cell in assignment.tests:
        visible = [r.tests[cell.grade_id].get("visible") for r in results if cell.grade_id in r.tests]
        ran = [v for v in visible if v is not None]
        hidden = [r.tests[cell.grade_id].get("hidden") for r in results if cell.grade_id in r.tests]
        hidden = [h for h in hidden if h is not None]
        failures = Counter()
        for entry in ran:
            if not entry["ok"]:
                failures[_first_line(f"{entry.get('error')}: {entry.get('message') or ''}")] += 1
        for entry in hidden:
            if not entry["ok"]:
                failures[f"hidden: {entry.get('label') or 'a check'} ({entry.get('error')})"] += 1
        common, count = failures.most_common(1)[0] if failures else ("", 0)
        rows.append({"test": cell.grade_id, "points": cell.points, "students": len(results),
                     "visible_passed": sum(1 for v in ran if v["ok"]),
                     "hidden_passed": sum(1 for h in hidden if h["ok"]) if cell.hidden.strip() else None,
                     "full_marks": sum(1 for r in results if r.tests.get(cell.grade_id, {}).get("points") == cell.points),
                     "common_failure": scrub(common)[:120], "common_count": count})
    return rows


def _first_line(text):
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")


def summary_text(rows):
    lines = [f"{'test':<26} {'points':>6} {'visible':>8} {'hidden':>8} {'full':>6}  most common failure"]
    for row in rows:
        hidden = "-" if row["hidden_passed"] is None else f"{row['hidden_passed']}/{row['students']}"
        common = f"{row['common_failure']} (x{row['common_count']})" if row["common_count"] else ""
        lines.append(f"{row['test']:<26} {row['points']:>6g} {row['visible_passed']:>3}/{row['students']:<4}"
                     f" {hidden:>8} {row['full_marks']:>3}/{row['students']:<3} {common}")
    lines.append("visible/hidden: students whose visible part / hidden part passed (hidden runs only "
                 "after the visible part passed); full: students with all the test's points")
    return "\n".join(lines)


def summary_html(assignment, rows, table):
    body = "".join(
        f"<tr><td>{html.escape(r['test'])}</td><td>{r['points']:g}</td><td>{r['visible_passed']}/{r['students']}</td>"
        f"<td>{'-' if r['hidden_passed'] is None else str(r['hidden_passed']) + '/' + str(r['students'])}</td>"
        f"<td>{r['full_marks']}/{r['students']}</td><td>{html.escape(r['common_failure'])}"
        f"{' (×' + str(r['common_count']) + ')' if r['common_count'] else ''}</td></tr>" for r in rows)
    students = "".join(
        f"<tr><td>{html.escape(s)}</td><td>{html.escape(row['score'])} / {html.escape(row['max_score'])}</td>"
        f"<td>{html.escape(row['status'])}</td><td>{html.escape(scrub(row['reason']))}</td></tr>"
        for s, row in sorted(table.items()))
    return _page(f"{assignment.name}: the class", f"""
<h1>{html.escape(assignment.name)}: what the class did</h1>
<table><tr><th>test</th><th>points</th><th>visible passed</th><th>hidden passed</th><th>full marks</th>
<th>most common failure</th></tr>{body}</table>
<p class="legend">Hidden tests run only for students whose visible part passed.</p>
<h2>Students</h2>
<table><tr><th>student</th><th>score</th><th>status</th><th>reasons</th></tr>{students}</table>""")


# --- feedback ---

def _page(title, body):
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body><main>{body}</main></body></html>\n")


def _markdown(text):
    import mistune

    return mistune.html(html.escape(text, quote=False)) if hasattr(mistune, "html") else f"<pre>{html.escape(text)}</pre>"


def _submission_cells(data):
    try:
        cells = json.loads(data.decode("utf-8"))["cells"]
        return [c for c in cells if isinstance(c, dict)]
    except Exception:  # noqa: BLE001 - an unreadable notebook has no cells to show
        return []


def _source(cell):
    source = cell.get("source", "")
    return "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else str(source)


def _grade_id(cell):
    meta = cell.get("metadata", {})
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return meta.get("grade_id", "") if isinstance(meta, dict) else ""


def test_result_html(cell, entry):
    """The box under a graded cell."""
    visible, hidden = entry.get("visible"), entry.get("hidden")
    points = f"{entry['points']:g} / {entry['max']:g} points"
    if visible is None:
        return f"<div class='result fail'><b>{points}</b>: not run (the notebook stopped before it)</div>"
    parts = []
    if visible.get("output"):
        parts.append(f"<pre class='output'>{html.escape(scrub(visible['output']))}</pre>")
    if not visible["ok"]:
        parts.append(f"<pre class='error'>{html.escape(scrub(visible.get('error')))}: "
                     f"{html.escape(scrub(visible.get('message')))}</pre>")
        if visible.get("traceback"):
            parts.append(f"<details><summary>where</summary><pre class='trace'>"
                         f"{html.escape(scrub(visible['traceback']))}</pre></details>")
        verdict = "the visible tests fail"
    elif hidden is not None and not hidden["ok"]:
        label = hidden.get("label")
        verdict = (f"the visible tests pass; the hidden check "
                   f"{'“' + html.escape(label) + '”' if label else ''} failed ({html.escape(hidden.get('error') or 'Error')})")
    elif hidden is not None:
        verdict = "the visible and the hidden tests pass"
    else:
        verdict = "the tests pass"
    state = "pass" if entry["points"] == entry["max"] else "fail"
    return f"<div class='result {state}'><b>{points}</b>: {verdict}{''.join(parts)}</div>"


def feedback_html(assignment, result, data):
    """The student's notebook with every graded cell's result under it."""
    tests = {c.grade_id: c for c in assignment.tests}
    shown, blocks = set(), []
    for cell in _submission_cells(data):
        grade_id = _grade_id(cell)
        if grade_id in tests:
            if grade_id in shown:
                continue
            shown.add(grade_id)
            blocks.append(f"<section class='cell test'><pre class='code'>{html.escape(tests[grade_id].visible.strip())}"
                          f"</pre>{test_result_html(tests[grade_id], result.tests[grade_id])}</section>")
        elif cell.get("cell_type") == "markdown":
            blocks.append(f"<section class='cell markdown'>{_markdown(_source(cell))}</section>")
        elif cell.get("cell_type") == "code":
            error = result.cells.get(grade_id)
            note = f"<pre class='error'>{html.escape(scrub(error))}</pre>" if error else ""
            blocks.append(f"<section class='cell code'><pre class='code'>{html.escape(_source(cell))}</pre>{note}</section>")
    for grade_id, cell in tests.items():
        if grade_id not in shown:  # deleted by the student: graded all the same
            blocks.append(f"<section class='cell test'><p class='note'>This test cell was missing from your "
                          f"notebook; it was graded from the original.</p><pre class='code'>"
                          f"{html.escape(cell.visible.strip())}</pre>{test_result_html(cell, result.tests[grade_id])}</section>")
    reasons = "".join(f"<li>{html.escape(scrub(r))}</li>" for r in result.reasons)
    rows = "".join(f"<tr><td>{html.escape(g)}</td><td>{e['points']:g} / {e['max']:g}</td></tr>"
                   for g, e in result.tests.items())
    head = (f"<h1>{html.escape(assignment.name)}: feedback for {html.escape(result.student)}</h1>"
            f"<p class='score'>Score <b>{result.score:g} / {result.max_score:g}</b></p>"
            + (f"<ul class='reasons'>{reasons}</ul>" if reasons else "")
            + f"<details><summary>points per test</summary><table>{rows}</table></details>")
    return _page(f"{assignment.name} — {result.student}", head + "".join(blocks))

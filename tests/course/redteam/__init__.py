"""The red-team class: real submission notebooks, built from the student release (or the
master) of an assignment, that attack the grader or solve the assignment in a style the
masters don't use. tests/course/test_redteam.py grades them with `nnlab grade` and checks
each one's expected outcome.

Each assignment has a module tests/course/redteam/<assignment>.py with

    SUBMISSIONS = {name: submission(...), ...}

built with `submission` below. A submission starts from the blank release ("blank": every
answer cell a stub), the master ("master": every answer right) or a wrong implementation
(a list of (old, new) edits to the master, as in tests/course/submissions/), then:

    edits:    [(old, new), ...] text edits to the answer cells (each must match one cell)
    replace:  {grade_id: source}  a cell's whole source (answer, locked or test cells)
    add:      [(after, source), ...] new code cells after the cell `after` (a grade_id, or
              None for the top of the notebook)
    raw:      bytes that replace the whole file (an unreadable notebook)

and says what must come of it:

    expect:   "zero" | "full" | a set of the test cells that lose their points (and only them)
    status:   the status it must get ("graded" unless said)
    category: which attack (or "correct alternative") it is, for the report
    forbidden: strings that must appear in none of what the student is handed (feedback page,
              autograded notebook)
"""
import json


def submission(category, expect, base="blank", edits=(), replace=None, add=(), raw=None, status="graded",
               forbidden=()):
    return {"category": category, "expect": expect, "base": base, "edits": list(edits),
            "replace": dict(replace or {}), "add": list(add), "raw": raw, "status": status,
            "forbidden": list(forbidden)}


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def build(spec, blank, master):
    """The submission's notebook (bytes) from the release and master notebooks (dicts)."""
    if spec["raw"] is not None:
        return spec["raw"]
    base = master if spec["base"] == "master" else blank
    nb = json.loads(json.dumps(base))
    if spec["base"] == "blank" and spec["edits"]:
        raise ValueError("edits apply to the master's answers: use base='master' (or replace= for a blank)")
    for old, new in spec["edits"]:
        cells = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")
                 and old in "".join(c["source"])]
        if len(cells) != 1:
            raise ValueError(f"the edit {old!r} must match exactly one answer cell, it matches {len(cells)}")
        cells[0]["source"] = "".join(cells[0]["source"]).replace(old, new, 1)
    for grade_id, source in spec["replace"].items():
        cells = [c for c in nb["cells"] if _grade_id(c) == grade_id]
        if len(cells) != 1:
            raise ValueError(f"no single cell {grade_id!r} to replace")
        cells[0]["source"] = source
    for after, source in spec["add"]:
        cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        if after is None:
            nb["cells"].insert(0, cell)
            continue
        index = [i for i, c in enumerate(nb["cells"]) if _grade_id(c) == after]
        if len(index) != 1:
            raise ValueError(f"no single cell {after!r} to add after")
        nb["cells"].insert(index[0] + 1, cell)
    return json.dumps(nb, indent=1).encode()

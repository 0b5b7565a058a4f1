"""The example class of course/example_class/a1_backprop/: submissions an instructor can grade
with `make example` to see what the grader does with correct, wrong, broken and hostile work.
Each is a red-team submission (tests/course/redteam/a1_backprop.py) under a student's name.

    .venv/bin/python tests/course/example_class.py     rewrites the folder from the current
                                                       release and master

test_example_class.py grades the folder and checks every outcome below."""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FOLDER = ROOT / "course" / "example_class" / "a1_backprop"

# student -> (red-team submission, expected score, expected status)
STUDENTS = {
    "alice_correct": ("master", 17, "graded"),
    "bob_blank": ("blank", 0, "graded"),
    "carol_wrong_backward": ("linear_backward_overwrites", 14, "graded"),
    "dave_patches_numpy": ("patch_numpy_comparisons", 0, "graded"),
    "erin_not_a_notebook": ("notebook_without_cells", 0, "failed"),  # valid JSON: committed notebooks must parse
    "frank_infinite_loop": ("hang_in_forward", 15, "timeout"),
    "grace_magics_and_scipy": ("style_magics_tqdm_and_display", 17, "graded"),
    "heidi_crashes": ("kill_own_process_in_a_test", 14, "failed"),
    "ivan_delegates": ("delegate_after_removing_import_block", 0, "graded"),
    "judy_new_cell": ("style_solution_in_a_new_cell", 17, "graded"),
    "mallory_reads_the_master": ("read_the_master_from_disk", 0, "graded"),
    "oscar_writes_files": ("write_files_outside", 17, "graded"),
    "peggy_forges_replies": ("forge_every_reply_ok", 0, "graded"),
    "trent_rigged_numbers": ("rigged_arithmetic", 0, "graded"),
    "victor_allocates": ("exhaust_memory", 17, "graded"),
    "walter_fork_bomb": ("fork_bomb", 17, "timeout"),
    "xavier_memorizes": ("memorize_training_data", 13, "graded"),
    "yvonne_uses_torch": ("delegate_to_torch", 0, "graded"),
}


def build_all():
    sys.path.insert(0, str(HERE))
    from test_redteam import load, release_and_master

    attacks = load("a1_backprop").SUBMISSIONS  # (also imports the package `redteam`)
    from redteam import build, submission

    release, master = release_and_master("a1_backprop")
    specs = {**attacks, "master": submission("correct", "full", base="master"),
             "blank": submission("blank", "zero"),
             "linear_backward_overwrites": submission("wrong", {"test_linear_backward"}, base="master", edits=[
                 ("self.weight.grad += grad_out.T @ self.x", "self.weight.grad = grad_out.T @ self.x")])}
    FOLDER.mkdir(parents=True, exist_ok=True)
    for old in FOLDER.glob("*.ipynb"):
        old.unlink()
    for student, (name, _, _) in STUDENTS.items():
        data = build(specs[name], release, master)
        if specs[name]["raw"] is None:
            data = (json.dumps(json.loads(data), indent=1, ensure_ascii=False) + "\n").encode()
        (FOLDER / f"{student}.ipynb").write_bytes(data)


if __name__ == "__main__":
    build_all()
    print(f"wrote {len(STUDENTS)} notebooks into {FOLDER}")

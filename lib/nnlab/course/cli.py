"""`nnlab course | bench`: the commands behind the Makefile.

course  executes every lecture notebook into build/lectures/, prints a table
        (notebook, status, seconds), renders the site build/site/index.html, regenerates
        the assignment releases and reports each master's and blank's score;
        exits 1 if any notebook fails or a master/blank scores wrong.
release regenerates assignments/<id>/ from solutions/<id>/ with nbgrader.
grade   grades a folder of submissions of one assignment into course/grades/ (nnlab.grader).
bench   times nnlab against torch and the grading of a class; writes build/bench.md.
"""
import argparse
import sys
import time
from pathlib import Path

from .build import run_course

def release(echo=print):
    """Regenerate every student release from its master."""
    from . import assignments

    for assignment in assignments.assignment_ids():
        echo(f"released {assignments.generate(assignment)}")


def check_assignments(echo=print):
    """Autograde each master and blank release in a scratch course; True if all are right."""
    from . import assignments

    ok = True
    echo(f"{'assignment':<28} {'master':>8} {'blank':>8} {'max':>6}")
    for assignment in assignments.assignment_ids():
        master, blank, full = assignments.self_check(assignment)
        ok &= master == full and blank == 0
        echo(f"{assignment:<28} {master:>8g} {blank:>8g} {full:>6g}")
    return ok


def grade(assignment, submissions, out=None, workers=None, time_limit=None, echo=print):
    """Grade a class and print its table; returns the results."""
    from . import grader

    start = time.perf_counter()
    results = grader.grade_class(assignment, submissions, root=".", out=out, workers=workers,
                                 time_limit=time_limit or grader.TIME_LIMIT)
    echo(f"{'student':<32} {'score':>7} {'max':>5}  {'status':<8} reason")
    for r in sorted(results, key=lambda r: r.student):
        reason = " | ".join(r.reasons)
        echo(f"{r.student:<32} {r.score:>7g} {r.max_score:>5g}  {r.status:<8} "
             f"{reason[:100] + ('...' if len(reason) > 100 else '')}")
    out = Path(out or "course/grades")
    echo(f"{len(results)} submissions in {time.perf_counter() - start:.1f} s; "
         f"table {out / (assignment + '.csv')}, feedback in {out / assignment}/")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="nnlab", description="the nnlab course tools")
    sub = parser.add_subparsers(dest="command", required=True)
    course = sub.add_parser("course", help="execute every lecture into build/lectures and report")
    course.add_argument("--lectures", default="lectures")
    course.add_argument("--build", default="build")
    course.add_argument("--only-lectures", action="store_true",
                        help="execute the lectures and render the site; skip assignments and grading")
    sub.add_parser("release", help="regenerate assignments/ from solutions/ with nbgrader")
    grade_parser = sub.add_parser("grade", help="grade a folder of submissions of one assignment")
    grade_parser.add_argument("assignment")
    grade_parser.add_argument("submissions", help="<student>/<id>/<id>.ipynb folders or <student>.ipynb files")
    grade_parser.add_argument("--out", default=None, help="default course/grades")
    grade_parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    grade_parser.add_argument("--time-limit", type=float, default=None, help="seconds per submission")
    bench = sub.add_parser("bench", help="time nnlab against torch; write build/bench.md")
    bench.add_argument("--repeats", type=int, default=7)
    bench.add_argument("--out", default="build/bench.md")
    args = parser.parse_args(argv)

    if args.command == "course":
        rows = run_course(args.lectures, args.build)
        if args.only_lectures:
            return 1 if any(r[1] == "error" for r in rows) else 0
        release()
        graded_right = check_assignments()
        for example in sorted(Path("course/example_class").glob("*")):
            grade(example.name, example)
        return 1 if any(r[1] == "error" for r in rows) or not graded_right else 0
    if args.command == "release":
        release()
        return 0
    if args.command == "grade":
        grade(args.assignment, args.submissions, args.out, args.workers, args.time_limit)
        return 0
    if args.command == "bench":
        from . import bench as bench_module

        bench_module.run(repeats=args.repeats, out=args.out)
        bench_module.grading(out=args.out)
        print(f"table written to {args.out}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

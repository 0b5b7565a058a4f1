"""`nnlab <command>`: the commands behind the Makefile.

course     execute every lecture into build/lectures/ and render the site (the student's job;
           never touches assignments/)
release    write the student releases assignments/<id>/ from the masters solutions/<id>/;
           refuses to overwrite a release notebook that differs from what it would write
           (a student's work, or an edit by hand) unless --force
selfcheck  grade each master (full marks), blank release (zero) and, with --mutants, each
           plausible wrong implementation (loses exactly its cells) with the class grader
grade      grade a folder of submissions of one assignment (nnlab.course.classroom)
example    grade the example class of broken and hostile submissions (course/example_class)
bench      time nnlab against torch and the grading of a class; writes build/bench.md

An instructor's mistake (an unknown assignment, an empty folder ...) is one line on stderr
and exit status 2, never a traceback.
"""
import argparse
import sys
import time
from pathlib import Path

from .build import run_course
from .grader import GradingError

LEGEND = ("status: graded | timeout (a test or the notebook ran out of time) | failed (the notebook "
          "is unreadable or its process crashed) | error (the grader's own failure: not kept, grade again)")


def release(force=False, only=None, echo=print):
    """Write every student release; True if all were written (or already up to date)."""
    from . import assignments

    ok = True
    for assignment in only or assignments.assignment_ids():
        written, refused = assignments.release(assignment, force=force)
        for path in written:
            echo(f"released {path}")
        for path in refused:
            echo(f"NOT overwritten: {path} differs from the release nbgrader would write now "
                 "(edited by hand or by a student?); `make release FORCE=1` overwrites it")
        ok &= not refused
    return ok


def selfcheck(ids=None, mutants=False, echo=print):
    from . import assignments, selfcheck as check

    failures = []
    for assignment in ids or assignments.assignment_ids():
        echo(f"== {assignment}")
        failures += [f"{assignment}:{name}" for name in check.run(assignment, with_mutants=mutants, echo=echo)]
    echo("all self-checks pass" if not failures else f"FAILED: {', '.join(failures)}")
    return not failures


def grade(assignment, submissions, out=None, workers=None, scheduler=None, isolated=True, full=False,
          gradebook=True, echo=print):
    """Grade a class; print its table (with a legend), what the class did per test, and where things are."""
    from . import classroom, report

    results, rows, seconds, table = classroom.grade_class(assignment, submissions, out=out, workers=workers,
                                                          scheduler=scheduler, isolated=isolated,
                                                          gradebook=gradebook, echo=echo,
                                                          progress=sys.stderr.isatty())
    echo(f"\n{'student':<30} {'score':>7} {'max':>5}  {'status':<8} reason")
    for r in sorted(results, key=lambda r: r.student):
        reason = report.scrub(" | ".join(r.reasons))
        if not full and len(reason) > 90:
            reason = reason[:90] + " [… --full shows all]"
        echo(f"{r.student:<30} {r.score:>7g} {r.max_score:>5g}  {r.status:<8} {reason}")
    echo(LEGEND)
    if not isolated:
        echo("WARNING: graded without a sandbox (--no-sandbox): every row is marked; trusted local runs only")
    echo("\nwhat the class did, per test:\n" + report.summary_text(rows))
    echo(f"\n{len(results)} submissions, {seconds:.1f} s of grading; class table {table}, report "
         f"{table.with_name(assignment + '-report.html')}, feedback pages in course/feedback/<student>/{assignment}/"
         + (", scores in course/gradebook.db (formgrader, nbgrader export)" if gradebook else ""))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="nnlab", description="the nnlab course tools")
    sub = parser.add_subparsers(dest="command", required=True)
    course = sub.add_parser("course", help="execute every lecture into build/lectures and render the site")
    course.add_argument("--lectures", default="lectures")
    course.add_argument("--build", default="build")
    rel = sub.add_parser("release", help="write assignments/ from solutions/ (refuses to overwrite changes)")
    rel.add_argument("assignments", nargs="*")
    rel.add_argument("--force", action="store_true", help="overwrite release notebooks that differ")
    check = sub.add_parser("selfcheck", help="masters full, blanks zero, mutants lose exactly their points")
    check.add_argument("assignments", nargs="*")
    check.add_argument("--mutants", action="store_true")
    grade_parser = sub.add_parser("grade", help="grade a folder of submissions of one assignment")
    grade_parser.add_argument("assignment")
    grade_parser.add_argument("submissions", help="<student>/<id>/<id>.ipynb folders or <student>.ipynb files")
    grade_parser.add_argument("--out", default=None, help="default course/grades")
    grade_parser.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    grade_parser.add_argument("--scheduler", default=None, help="tcp://HOST:PORT of a Dask cluster")
    grade_parser.add_argument("--no-sandbox", action="store_true", help="trusted local run: no bubblewrap")
    grade_parser.add_argument("--no-gradebook", action="store_true", help="do not write course/gradebook.db")
    grade_parser.add_argument("--full", action="store_true", help="print every reason in full")
    example = sub.add_parser("example", help="grade the example class of broken and hostile submissions")
    example.add_argument("--scheduler", default=None)
    bench = sub.add_parser("bench", help="time nnlab against torch and grading; write build/bench.md")
    bench.add_argument("--repeats", type=int, default=7)
    bench.add_argument("--out", default="build/bench.md")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except GradingError as error:
        print(f"nnlab {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"nnlab {args.command}: interrupted", file=sys.stderr)
        return 130


def run(args):
    if args.command == "course":
        start = time.perf_counter()
        rows = run_course(args.lectures, args.build)
        print(f"the course is in {Path(args.build, 'site', 'index.html').resolve()} "
              f"({time.perf_counter() - start:.0f} s); open it in a browser, or `make lab` to work in JupyterLab")
        return 1 if any(r[1] == "error" for r in rows) else 0
    if args.command == "release":
        return 0 if release(args.force, args.assignments or None) else 1
    if args.command == "selfcheck":
        return 0 if selfcheck(args.assignments or None, args.mutants) else 1
    if args.command == "grade":
        grade(args.assignment, args.submissions, args.out, args.workers, args.scheduler,
              isolated=not args.no_sandbox, full=args.full, gradebook=not args.no_gradebook)
        return 0
    if args.command == "example":
        for folder in sorted(Path("course/example_class").glob("*")):
            if folder.is_dir():
                grade(folder.name, folder, out="build/example_class", scheduler=args.scheduler, gradebook=False)
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

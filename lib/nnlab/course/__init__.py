"""The course tooling: releases, the sandboxed grader, the site, the benchmarks and the `nnlab` command.

Nothing in the teaching library (`nnlab`, `nnlab.nn`, ...) imports this package; it imports
the library, not the other way round.
"""

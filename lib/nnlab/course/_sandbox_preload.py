"""Imported once by the grader's forkserver, so that every submission starts with these loaded."""
from .sandbox import preload

preload()

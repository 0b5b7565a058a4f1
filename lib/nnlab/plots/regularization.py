"""Diagrams of regularization and of the units of lecture 04, drawn with matplotlib (see nnlab.plots)."""
__all__ = []

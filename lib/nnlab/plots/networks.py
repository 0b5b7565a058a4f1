"""Diagrams drawn with matplotlib (see nnlab.plots)."""
__all__ = []

"""Pictures of sequence tagging (BIO tags over a sentence), drawn with matplotlib (see nnlab.plots)."""
__all__ = []

"""nnlab: neural networks from scratch in NumPy, checked against PyTorch."""
from . import data, gradcheck, nn, optim, prune
from .module import Module, Parameter, Sequential, manual_seed
from .train import History, evaluate, fit

__all__ = ["Module", "Parameter", "Sequential", "manual_seed", "fit", "evaluate", "History",
           "nn", "optim", "gradcheck", "prune", "data"]

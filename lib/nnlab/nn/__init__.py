"""Layers and losses; each forward and backward side by side."""
from .activations import LeakyReLU, PReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .dropout import Dropout
from .linear import Linear
from .losses import BCELoss, CrossEntropyLoss, MSELoss

__all__ = ["Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "Softplus", "Softmax",
           "Dropout", "MSELoss", "CrossEntropyLoss", "BCELoss"]

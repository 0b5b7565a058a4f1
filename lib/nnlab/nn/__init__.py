"""Layers and losses; each forward and backward side by side."""
from .activations import LeakyReLU, PReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .dropout import Dropout
from .linear import Linear
from .losses import BCELoss, CrossEntropyLoss, MSELoss

__all__ = ["Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "Softplus", "Softmax",
           "Dropout", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten",
           "MSELoss", "CrossEntropyLoss", "BCELoss"]

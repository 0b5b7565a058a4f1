"""Layers and losses; each forward and backward side by side.

Sequential is nnlab.module.Sequential (the same class), here too because PyTorch users look
for it in nn.
"""
from ..module import Sequential
from .activations import LeakyReLU, PReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .dropout import Dropout
from .linear import Linear
from .losses import BCELoss, CrossEntropyLoss, MSELoss
from .maxout import MaxOut
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, fit_chunks

__all__ = ["Sequential", "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "Softplus",
           "Softmax", "MaxOut", "Dropout", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten",
           "RNNCell", "RNN", "LSTMCell", "LSTM", "GRUCell", "GRU", "fit_chunks",
           "MSELoss", "CrossEntropyLoss", "BCELoss"]

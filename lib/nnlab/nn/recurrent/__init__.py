"""Recurrent layers: RNN, LSTM (peepholes option), GRU (reset_after option) and their cells.

Notation of the course: x^t the input, h^t the hidden state, C^t the LSTM's cell state, σ the
sigmoid, ⊙ the elementwise product; W the input weights (torch's weight_ih), U the recurrent
weights (weight_hh), the blocks of each gate stacked along the rows in torch's order.

    rnn.py    RNNCell, RNN      h^t = σ_h(W x^t + U h^{t-1} + b_h)
    lstm.py   LSTMCell, LSTM    gates i, f, o; candidate C̃; C^t = f ⊙ C^{t-1} + i ⊙ C̃; peepholes
    gru.py    GRUCell, GRU      gates r, z; the course's candidate, or torch's (reset_after=True)
    bptt.py   the time loop: stacked layers, two directions, (truncated) backpropagation
              through time, fit_chunks, and what makes it fast

Each cell file writes one time step, forward and backward, as the equations of its docstring;
bptt.py runs it over the sequence. Shapes are torch's with batch_first=True: input (batch, T,
input_size), output (batch, T, D·hidden_size) with D = 2 if bidirectional, states
(num_layers·D, batch, hidden_size); parameters have torch's names and shapes, so
`layer.load_state_dict(torch_layer.state_dict())` works.
"""
from .bptt import Cell, Recurrent, fit_chunks
from .gru import GRU, GRUCell
from .lstm import LSTM, LSTMCell
from .rnn import RNN, RNNCell

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "Recurrent", "Cell",
           "fit_chunks"]

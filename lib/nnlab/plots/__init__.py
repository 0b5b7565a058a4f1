"""Figures for the lectures: charts of data and training, and diagrams drawn in code.

- charts:   decision boundaries, loss curves, gradient norms, heatmaps;
- descent:  gradient descent pictures (learning rate too small / too large);
- networks: layouts of whole networks (CNN layout, dropout's thinned networks);
- cells:    recurrent cells and setups (RNN input/output setups, LSTM and GRU cells).
"""
from .cells import *  # noqa: F401,F403
from .charts import *  # noqa: F401,F403
from .descent import *  # noqa: F401,F403
from .networks import *  # noqa: F401,F403

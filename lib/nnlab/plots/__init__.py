"""Figures for the lectures: charts of data and training, and diagrams drawn in code.

- charts:          decision boundaries, loss curves, gradient norms, heatmaps;
- descent:         neurons, the two-layer network, gradient descent pictures (learning rate
                   too small / too large, optimizer paths);
- regularization:  dropout's thinned networks, MaxOut units;
- networks:        layouts of whole networks (a CNN layout, RNN input/output setups);
- cells:           recurrent cells (the LSTM cell, the GRU cell);
- tagging:         sequence tagging (BIO tags over a sentence).

Every function returns the matplotlib Figure it drew on and never calls plt.show().
"""
from .cells import *  # noqa: F401,F403
from .charts import *  # noqa: F401,F403
from .descent import *  # noqa: F401,F403
from .networks import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .tagging import *  # noqa: F401,F403

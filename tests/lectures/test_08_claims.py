"""Lecture 08's general claim, checked on other seeds than the notebook's, and its cell diagrams.

The experiment is the notebook's own code: the code cells tagged "setup" (imports, the adding problem's
data, the model and `train_adding`) are executed, then `train_adding` is called with other seeds.
Nothing is copied from the notebook, so notebook and test cannot drift apart.

The claim (notebook, section 5): on the adding problem with T = 50, within 10 epochs the LSTM and the
GRU bring the test MSE down to SOLVED = 0.01 or below, while the plain RNN's never gets below
PLATEAU = 0.15. To keep the test fast the gated cells stop as soon as they reach SOLVED (what happens
after that cannot change the claim); the RNN runs all 10 epochs.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from notebook_setup import setup_namespace  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "08_lstm_gru.ipynb"
SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.mark.parametrize("seed", SEEDS)
def test_gated_cells_solve_the_adding_problem_where_the_plain_rnn_fails(nb, seed):
    solved, plateau = nb["SOLVED"], nb["PLATEAU"]
    _, rnn = nb["train_adding"]("RNN", seed)
    assert len(rnn) == 10
    assert min(rnn) > plateau, f"seed {seed}: the plain RNN reached test MSE {min(rnn):.4f}: {rnn}"
    reached = {}
    for name in ["LSTM", "GRU"]:
        _, test_mse = nb["train_adding"](name, seed, stop_below=solved)
        assert min(test_mse) <= solved, \
            f"seed {seed}: {name} reached only test MSE {min(test_mse):.4f} in 10 epochs: {test_mse}"
        reached[name] = f"{test_mse[-1]:.4f} in epoch {len(test_mse)}"
    print(f"seed {seed}: RNN best test MSE {min(rnn):.4f}; LSTM {reached['LSTM']}, GRU {reached['GRU']}")


def texts(fig):
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts) + " " + fig.axes[0].get_title()


def test_lstm_diagram_has_its_gates_and_peepholes_only_when_asked(nb):
    plots = nb["plots"]
    plain, peep = texts(plots.lstm_cell_diagram()), texts(plots.lstm_cell_diagram(peepholes=True))
    for symbol in ["$f^t$", "$i^t$", "$o^t$", "$\\tilde C^t$", "$C^{t-1}$", "$C^t$", "$h^{t-1}$", "$x^t$", "$h^t$",
                   "$W_f, U_f, b_f$", "$W_i, U_i, b_i$", "$W_C, U_C, b_C$", "$W_o, U_o, b_o$", "th"]:
        assert symbol in plain and symbol in peep, symbol
    for symbol in ["$w_{cf}$", "$w_{ci}$", "$w_{co}$"]:
        assert symbol in peep and symbol not in plain, symbol
    with pytest.raises(TypeError, match="peepholes"):
        plots.lstm_cell_diagram(peepholes="yes")
    plt.close("all")


def test_gru_diagram_has_its_gates(nb):
    plots = nb["plots"]
    fig = plots.gru_cell_diagram()
    assert isinstance(fig, matplotlib.figure.Figure)
    text = texts(fig)
    for symbol in ["$z^t$", "$r^t$", "$\\tilde h^t$", "$h^{t-1}$", "$h^t$", "$x^t$", "$1 - z^t$",
                   "$r^t \\odot h^{t-1}$", "$W_z, U_z, b_z$", "$W_r, U_r, b_r$", "$W_n, U_n, b_n$"]:
        assert symbol in text, symbol
    plt.close("all")

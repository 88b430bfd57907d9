"""Optimizers with PyTorch's names and update rules (``symgrad.optim``, as
``torch.optim``): ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``, ``Adamax``,
``NAdam``, ``RAdam``, ``Adadelta``, ``Rprop``, ``ASGD``, ``LBFGS`` and the schedules of ``lr_scheduler``.

>>> import symgrad
>>> from symgrad import nn, optim
>>> model = nn.Linear(1, 1)
>>> opt = optim.SGD(model.parameters(), lr=0.01)
>>> opt.zero_grad()
>>> nn.MSELoss()(model(symgrad.tensor([[1.]])), symgrad.tensor([[3.]])).backward()
>>> opt.step()
"""

from symgrad.optim import lr_scheduler  # noqa: F401
from symgrad.optim.adadelta import Adadelta
from symgrad.optim.adagrad import Adagrad
from symgrad.optim.adam import Adam, AdamW
from symgrad.optim.adamax import Adamax, NAdam
from symgrad.optim.asgd import ASGD
from symgrad.optim.lbfgs import LBFGS
from symgrad.optim.optimizer import Optimizer
from symgrad.optim.radam import RAdam
from symgrad.optim.rmsprop import RMSprop
from symgrad.optim.rprop import Rprop
from symgrad.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "Adadelta",
           "Rprop", "ASGD", "LBFGS", "lr_scheduler"]

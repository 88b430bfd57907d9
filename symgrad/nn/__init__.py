"""Neural-network layers, losses and initialisation with PyTorch's names
(``symgrad.nn``, as ``torch.nn``).

Parameters are symbols named by their qualified names, so a model's output
and loss are formulas of ``linear.weight[0, 0]``, ``linear.bias[0]``...

>>> import symgrad
>>> from symgrad import nn
>>> model = nn.Linear(1, 1)
>>> loss = nn.MSELoss()(model(symgrad.tensor([[1.], [2.]])), symgrad.tensor([[3.], [5.]]))
>>> loss.expr
(bias[0] + weight[0, 0] - 3)**2/2 + (bias[0] + 2*weight[0, 0] - 5)**2/2
"""

from symgrad.nn import functional, init, utils  # noqa: F401
from symgrad.nn import naming as _naming  # noqa: F401  (registers the parameter namer)
from symgrad.nn.activation import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    RReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from symgrad.nn.batch_norm_layers import BatchNorm3d
from symgrad.nn.container import ModuleDict, ModuleList, Sequential
from symgrad.nn.conv import Conv1d, Conv2d, Conv3d, Unfold
from symgrad.nn.distance import CosineSimilarity, PairwiseDistance
from symgrad.nn.dropout import Dropout
from symgrad.nn.flatten import Flatten, Unflatten
from symgrad.nn.fractional_max_pool_layer import FractionalMaxPool2d, FractionalMaxPool3d
from symgrad.nn.instance_norm_layers import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from symgrad.nn.interpolation import Upsample
from symgrad.nn.linear import Bilinear, Identity, Linear
from symgrad.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from symgrad.nn.module import Module
from symgrad.nn.multihead_attention_layer import MultiheadAttention
from symgrad.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from symgrad.nn.parameter import Parameter
from symgrad.nn.parameter_containers import ParameterDict, ParameterList
from symgrad.nn.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveAvgPool3d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AdaptiveMaxPool3d,
    AvgPool1d,
    AvgPool2d,
    AvgPool3d,
    LPPool1d,
    LPPool2d,
    LPPool3d,
    MaxPool1d,
    MaxPool2d,
    MaxPool3d,
    MaxUnpool1d,
    MaxUnpool2d,
    MaxUnpool3d,
)
from symgrad.nn.rnn import GRU, LSTM, RNN, RNNBase
from symgrad.nn.rnn_cells import GRUCell, LSTMCell, RNNCell, RNNCellBase
from symgrad.nn.sparse import Embedding
from symgrad.nn.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from symgrad.nn.transposed_conv_layers import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, Fold

__all__ = ["Module", "Parameter", "Linear", "Identity", "Flatten", "Embedding", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d", "Unfold",
           "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "Sequential", "ModuleList",
           "ModuleDict", "ReLU", "Tanh", "Sigmoid", "LeakyReLU", "ELU", "GELU", "SiLU", "Hardtanh", "ReLU6", "Dropout", "Softplus",
           "Softmax", "LogSoftmax", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
           "CrossEntropyLoss", "NLLLoss", "functional", "init", "utils",
           # more activations
           "SELU", "CELU", "Mish", "Softsign", "Hardswish", "Hardsigmoid", "LogSigmoid", "Tanhshrink", "Softshrink",
           "Hardshrink", "Threshold", "GLU", "Softmin", "PReLU", "RReLU",
           # more losses and distances
           "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss",
           "HingeEmbeddingLoss", "MarginRankingLoss", "CosineEmbeddingLoss", "TripletMarginLoss", "MultiMarginLoss",
           "CosineSimilarity", "PairwiseDistance",
           # more layers
           "Unflatten", "GroupNorm", "Bilinear",
           # parameter containers
           "ParameterList", "ParameterDict",
           # recurrent layers
           "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
           # resampling
           "Upsample",
           # transposed convolutions and col2im
           "ConvTranspose1d", "ConvTranspose2d", "Fold",
           # instance normalisation
           "InstanceNorm1d", "InstanceNorm2d",
           # attention
           "MultiheadAttention",
           # 3-d convolution
           "Conv3d", "ConvTranspose3d",
           # 3-d and adaptive max pooling
           "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
           # max unpooling
           "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
           # fractional max pooling
           "FractionalMaxPool2d", "FractionalMaxPool3d",
           # 3-d normalisation, power-average pooling
           "BatchNorm3d", "InstanceNorm3d", "LPPool1d", "LPPool2d", "LPPool3d",
           # transformers
           "TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder", "TransformerDecoder",
           "Transformer"]

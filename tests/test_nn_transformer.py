"""Transformer layers (``TransformerEncoderLayer``, ``TransformerDecoderLayer``,
``TransformerEncoder``, ``TransformerDecoder``, ``Transformer``) against
PyTorch with PyTorch's weights loaded by ``load_state_dict``: outputs and
gradients (inputs and parameters) in float64, with causal, boolean and float
masks; names, reprs, initialisation, warnings and errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import symgrad
from symgrad import nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")

RNG = np.random.default_rng(11)
TOL = dict(rtol=1e-10, atol=1e-10)
D, HEADS, FF = 4, 2, 6


def _close(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()), theirs.detach().numpy(), **TOL)


def _models(kind, num_layers=2, activations=None, **options):
    """The same randomly weighted model in PyTorch and symgrad (dropout 0, float64); ``activations``:
    (symgrad's, PyTorch's) activation, given to the layers' constructors."""
    kw = dict(dim_feedforward=FF, dropout=0.0, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # enable_nested_tensor's warning, checked below
        if kind == "Transformer":
            kw.update(num_encoder_layers=num_layers, num_decoder_layers=num_layers)
            theirs, ours = torch.nn.Transformer(D, HEADS, dtype=torch.float64, **kw), nn.Transformer(D, HEADS, **kw)
        elif kind in ("TransformerEncoder", "TransformerDecoder"):
            layer = kind.replace("coder", "coderLayer")
            theirs = getattr(torch.nn, kind)(getattr(torch.nn, layer)(D, HEADS, dtype=torch.float64, **kw), num_layers,
                                             torch.nn.LayerNorm(D, dtype=torch.float64))
            ours = getattr(nn, kind)(getattr(nn, layer)(D, HEADS, **kw), num_layers, nn.LayerNorm(D))
        else:
            s_act, t_act = ({}, {}) if activations is None else ({"activation": a} for a in activations)
            theirs = getattr(torch.nn, kind)(D, HEADS, dtype=torch.float64, **kw, **t_act)
            ours = getattr(nn, kind)(D, HEADS, **kw, **s_act)
    with torch.no_grad():
        for p in theirs.parameters():
            p.normal_(generator=torch.Generator().manual_seed(int(RNG.integers(1 << 30))))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _inputs(*shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    return ([symgrad.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _masks(kind, length, source, batch):
    """(symgrad, torch) keyword masks of one kind for a target of ``length`` and a source of ``source``."""
    causal = torch.nn.Transformer.generate_square_subsequent_mask(length, dtype=torch.float64)
    pad = np.zeros((batch, source), dtype=bool)
    pad[0, -1] = True  # the first sequence's last position is padding
    pad_t = np.zeros((batch, length), dtype=bool)
    pad_t[-1, -1] = True
    mem = RNG.standard_normal((length, source))
    cases = {
        "none": {},
        "causal": {"tgt_mask": causal},
        "causal_bool": {"tgt_mask": causal.isinf()},
        "causal_hint": {"tgt_mask": causal, "tgt_is_causal": True},
        "padding_bool": {"tgt_key_padding_mask": pad_t, "memory_key_padding_mask": pad},
        "padding_float": {"tgt_key_padding_mask": np.where(pad_t, -np.inf, 0.0),
                          "memory_key_padding_mask": np.where(pad, -np.inf, 0.0)},
        "all": {"tgt_mask": causal, "memory_mask": mem, "tgt_key_padding_mask": np.where(pad_t, -np.inf, 0.0),
                "memory_key_padding_mask": np.where(pad, -np.inf, 0.0)},
    }
    theirs = {k: torch.as_tensor(v) if not isinstance(v, bool) else v for k, v in cases[kind].items()}
    ours = {k: symgrad.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v for k, v in theirs.items()}
    return ours, theirs


ENCODER_NAMES = {"tgt_mask": "src_mask", "tgt_key_padding_mask": "src_key_padding_mask", "tgt_is_causal": "is_causal"}


def _as_encoder(masks, stack):
    """Decoder-style mask keywords as an encoder layer's (or an encoder's, ``stack``) keywords."""
    names = dict(ENCODER_NAMES, tgt_mask="mask") if stack else ENCODER_NAMES
    return {names[k]: v for k, v in masks.items() if k in names}


def _compare(ours, theirs, s_out, t_out, s_inputs, t_inputs):
    """Outputs, then the gradients of a random cotangent for the inputs and every parameter."""
    _close(s_out, t_out)
    g = RNG.standard_normal(tuple(t_out.shape))
    (s_out * symgrad.tensor(g)).sum().backward()
    (t_out * torch.tensor(g)).sum().backward()
    for s, t in zip(s_inputs, t_inputs):
        _close(s.grad, t.grad)
    t_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert p.grad is not None, name
        _close(p.grad, t_params[name].grad)


def _shape(batch_first, length, batch=2):
    return (batch, length, D) if batch_first else (length, batch, D)


LAYER_CASES = [(norm_first, batch_first, masks) for norm_first in (False, True) for batch_first in (False, True)
               for masks in ("none", "causal", "causal_bool", "causal_hint", "padding_bool", "padding_float", "all")]


@pytest.mark.parametrize("norm_first, batch_first, masks", LAYER_CASES)
def test_encoder_layer_against_pytorch(norm_first, batch_first, masks):
    ours, theirs = _models("TransformerEncoderLayer", norm_first=norm_first, batch_first=batch_first)
    (s_x,), (t_x,) = _inputs(_shape(batch_first, 3))
    s_kw, t_kw = (_as_encoder(m, stack=False) for m in _masks(masks, 3, 3, 2))
    _compare(ours, theirs, ours(s_x, **s_kw), theirs(t_x, **t_kw), [s_x], [t_x])


@pytest.mark.parametrize("norm_first, batch_first, masks", LAYER_CASES)
def test_decoder_layer_against_pytorch(norm_first, batch_first, masks):
    ours, theirs = _models("TransformerDecoderLayer", norm_first=norm_first, batch_first=batch_first)
    s_in, t_in = _inputs(_shape(batch_first, 3), _shape(batch_first, 4))
    s_kw, t_kw = _masks(masks, 3, 4, 2)
    _compare(ours, theirs, ours(*s_in, **s_kw), theirs(*t_in, **t_kw), s_in, t_in)


@pytest.mark.parametrize("activation", ["relu", "gelu", "callable", "module"])
@pytest.mark.parametrize("bias", [True, False])
def test_activations_and_bias_against_pytorch(activation, bias):
    for kind in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        pairs = {"relu": ("relu", "relu"), "gelu": ("gelu", "gelu"), "callable": (symgrad.tanh, torch.tanh),
                 "module": (nn.GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh"))}
        ours, theirs = _models(kind, bias=bias, activations=pairs[activation])
        assert getattr(ours, "activation_relu_or_gelu", None) == getattr(theirs, "activation_relu_or_gelu", None)
        shapes = [(3, 2, D)] if kind == "TransformerEncoderLayer" else [(3, 2, D), (2, 2, D)]
        s_in, t_in = _inputs(*shapes)
        _compare(ours, theirs, ours(*s_in), theirs(*t_in), s_in, t_in)


@pytest.mark.parametrize("masks", ["none", "causal", "causal_bool", "padding_bool", "all"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_and_decoder_stacks_against_pytorch(masks, batch_first):
    ours, theirs = _models("TransformerEncoder", norm_first=True, batch_first=batch_first)
    (s_x,), (t_x,) = _inputs(_shape(batch_first, 3))
    s_kw, t_kw = (_as_encoder(m, stack=True) for m in _masks(masks, 3, 3, 2))
    _compare(ours, theirs, ours(s_x, **s_kw), theirs(t_x, **t_kw), [s_x], [t_x])
    ours, theirs = _models("TransformerDecoder", batch_first=batch_first)
    s_in, t_in = _inputs(_shape(batch_first, 3), _shape(batch_first, 4))
    s_kw, t_kw = _masks(masks, 3, 4, 2)
    _compare(ours, theirs, ours(*s_in, **s_kw), theirs(*t_in, **t_kw), s_in, t_in)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "causal", "all"])
def test_transformer_against_pytorch(norm_first, batch_first, masks):
    ours, theirs = _models("Transformer", norm_first=norm_first, batch_first=batch_first)
    s_in, t_in = _inputs(_shape(batch_first, 4), _shape(batch_first, 3))
    s_kw, t_kw = _masks(masks, 3, 4, 2)
    if masks == "all":  # the encoder's own masks too
        src_mask = RNG.standard_normal((4, 4))
        s_kw.update(src_mask=symgrad.tensor(src_mask), src_key_padding_mask=s_kw["memory_key_padding_mask"])
        t_kw.update(src_mask=torch.tensor(src_mask), src_key_padding_mask=t_kw["memory_key_padding_mask"])
    _compare(ours, theirs, ours(*s_in, **s_kw), theirs(*t_in, **t_kw), s_in, t_in)


@pytest.mark.parametrize("kind", ["TransformerEncoderLayer", "TransformerEncoder"])
def test_pytorch_fast_path_gives_the_same_numbers(kind):
    """In eval mode without gradients PyTorch runs its fused kernels; symgrad's composition matches them."""
    ours, theirs = _models(kind, batch_first=True)
    ours.eval(), theirs.eval()
    x = RNG.standard_normal((2, 3, D))
    with torch.no_grad():
        expected = theirs(torch.tensor(x))
    with symgrad.no_grad():
        np.testing.assert_allclose(ours(symgrad.tensor(x)).numpy(), expected.numpy(), **TOL)


def test_unbatched_inputs_against_pytorch():
    ours, theirs = _models("Transformer", num_layers=1)
    s_in, t_in = _inputs((4, D), (3, D))
    mask = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64)
    _compare(ours, theirs, ours(*s_in, tgt_mask=symgrad.tensor(mask.numpy())), theirs(*t_in, tgt_mask=mask),
             s_in, t_in)


def test_train_mode_with_zero_dropout_and_eval_mode_agree():
    ours, _ = _models("Transformer", num_layers=1)
    src, tgt = symgrad.randn(4, 2, D), symgrad.randn(3, 2, D)
    train = ours(src, tgt)
    ours.eval()
    np.testing.assert_array_equal(ours(src, tgt).detach().numpy(), train.detach().numpy())
    assert not ours.decoder.layers[0].dropout3.training


def test_dropout_is_active_in_training_only():
    layer = nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.5)
    x = symgrad.randn(3, 2, D)
    symgrad.manual_seed(0)
    a = layer(x)
    layer.eval()
    b, c = layer(x), layer(x)
    np.testing.assert_array_equal(b.detach().numpy(), c.detach().numpy())
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())


def test_names_state_dict_and_repr_are_pytorchs():
    for kind in ("TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder", "TransformerDecoder",
                 "Transformer"):
        for options in ({}, {"bias": False, "activation": "gelu"}):
            ours, theirs = _models(kind, **options)
            assert list(ours.state_dict()) == list(theirs.state_dict()), kind
            assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()], kind
            assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
                {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
            assert repr(ours) == repr(theirs), kind
    ours = nn.TransformerEncoderLayer(D, HEADS, 8, activation=nn.GELU())
    theirs = torch.nn.TransformerEncoderLayer(D, HEADS, 8, activation=torch.nn.GELU())
    assert repr(ours) == repr(theirs) and ours.activation_relu_or_gelu == theirs.activation_relu_or_gelu == 2
    plain = nn.TransformerEncoderLayer(D, HEADS)
    assert plain.linear1.out_features == 2048 and plain.dropout.p == 0.1 and plain.norm1.eps == 1e-5
    assert plain.activation is nn.functional.relu and plain.activation_relu_or_gelu == 1


def test_layers_are_deep_copies():
    layer = nn.TransformerEncoderLayer(D, HEADS, FF)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder = nn.TransformerEncoder(layer, num_layers=3)
    assert encoder.num_layers == 3 and len(encoder.layers) == 3 and encoder.norm is None
    weights = [m.linear1.weight for m in encoder.layers] + [layer.linear1.weight]
    assert len({id(w) for w in weights}) == 4
    np.testing.assert_array_equal(weights[0].detach().numpy(), weights[3].detach().numpy())
    with symgrad.no_grad():
        encoder.layers[0].linear1.weight.fill_(1.0)
    assert not np.allclose(layer.linear1.weight.detach().numpy(), 1.0)


def test_transformer_initialisation():
    symgrad.manual_seed(0)
    model = nn.Transformer(D, HEADS, 1, 1, FF)
    bound = math.sqrt(6 / (D + FF))
    for name, p in model.named_parameters():
        if p.ndim > 1:
            fan_out, fan_in = p.shape
            assert float(p.abs().max()) <= math.sqrt(6 / (fan_in + fan_out)), name
        elif "norm" in name and name.endswith("weight"):
            assert p.tolist() == [1.0] * D
    assert float(model.encoder.layers[0].linear1.weight.abs().max()) <= bound
    assert (model.d_model, model.nhead, model.batch_first) == (D, HEADS, False)
    custom = nn.TransformerEncoder(nn.TransformerEncoderLayer(D, HEADS, FF, batch_first=True), 1)
    model = nn.Transformer(D, HEADS, custom_encoder=custom, num_decoder_layers=1, dim_feedforward=FF)
    assert model.encoder is custom


def test_generate_square_subsequent_mask_as_pytorch():
    for dtype in (None, "float32", "float64"):
        ours = nn.Transformer.generate_square_subsequent_mask(4, dtype=None if dtype is None else getattr(symgrad, dtype))
        theirs = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=None if dtype is None
                                                                      else getattr(torch, dtype))
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
        expected = symgrad.get_default_dtype() if dtype is None else getattr(symgrad, dtype)
        assert ours.dtype == expected and not ours.requires_grad
    assert nn.Transformer.generate_square_subsequent_mask(0).shape == (0, 0)
    assert nn.Transformer(D, HEADS, 1, 1, FF).generate_square_subsequent_mask(2).tolist() == [[0., -math.inf],
                                                                                              [0., 0.]]


def test_nested_tensor_warning_as_pytorch():
    cases = [dict(), dict(batch_first=True), dict(batch_first=True, norm_first=True),
             dict(batch_first=True, activation=lambda x: x), dict(batch_first=True, bias=False)]
    for options in cases:
        messages = []
        for lib in (torch, symgrad):
            layer = lib.nn.TransformerEncoderLayer(D, HEADS, FF, **options)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                encoder = lib.nn.TransformerEncoder(layer, 1)
            messages.append(([str(w.message) for w in caught], encoder.use_nested_tensor,
                             encoder.enable_nested_tensor))
        assert messages[0] == messages[1], options
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.TransformerEncoder(nn.TransformerEncoderLayer(D, HEADS, FF), 1, enable_nested_tensor=False)


def test_mismatched_mask_types_warn_as_pytorch():
    for lib in (torch, symgrad):
        layer = lib.nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.0, dtype=lib.float64)
        x = lib.zeros(3, 2, D, dtype=lib.float64)
        with pytest.warns(UserWarning, match="mismatched src_key_padding_mask and src_mask is deprecated"):
            layer(x, src_mask=lib.zeros(3, 3, dtype=lib.float64),
                  src_key_padding_mask=lib.zeros(2, 3, dtype=lib.bool))


def test_errors_as_pytorch():
    for lib in (torch, symgrad):
        with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
            lib.nn.TransformerEncoderLayer(5, 2)
        with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
            lib.nn.Transformer(6, 4)
        for kind in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
            with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
                getattr(lib.nn, kind)(D, HEADS, activation="tanh")
        model = lib.nn.Transformer(D, HEADS, 1, 1, FF, dtype=lib.float64)
        with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
            model(lib.zeros(3, 2, D, dtype=lib.float64), lib.zeros(3, 1, D, dtype=lib.float64))
        with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
            model(lib.zeros(3, 2, D, dtype=lib.float64), lib.zeros(3, 2, D + 1, dtype=lib.float64))
        layer = lib.nn.TransformerEncoderLayer(D, HEADS, FF, dtype=lib.float64)
        with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
            layer(lib.zeros(3, 2, D, dtype=lib.float64), is_causal=True)
        with pytest.raises(AssertionError, match="only bool and floating types of src_mask are supported"):
            layer(lib.zeros(3, 2, D, dtype=lib.float64), src_mask=lib.zeros(3, 3, dtype=lib.int64))
    with pytest.raises(TypeError, match="must be a symgrad Tensor"):
        nn.TransformerEncoderLayer(D, HEADS)(np.zeros((3, 2, D)))
    with pytest.raises(TypeError, match="activation must be 'relu', 'gelu' or a callable"):
        nn.TransformerDecoderLayer(D, HEADS, activation=3)


def test_causal_mask_detection_as_pytorch():
    from torch.nn.modules.transformer import _detect_is_causal_mask as theirs

    from symgrad.nn.transformer import _detect_is_causal_mask as ours

    causal = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64)
    masks = [causal, causal.isinf(), causal.T.contiguous(), torch.zeros(3, 3), causal[:2, :2], None]
    for mask in masks:
        s_mask = None if mask is None else symgrad.tensor(mask.numpy())
        for hint in (None, True, False):
            for size in (None, 3, 2):
                assert ours(s_mask, hint, size) == theirs(mask, hint, size), (mask, hint, size)


def test_encoder_layer_closed_form():
    """One token, one head: the output is a formula of the layer's parameter symbols."""
    layer = nn.TransformerEncoderLayer(2, 1, dim_feedforward=1, dropout=0.0, bias=False)
    x = symgrad.tensor([[0.5, -1.0]], name="x")  # unbatched (L=1, E=2)
    out = layer(x)
    names = {str(s) for s in out.expr[0, 0].free_symbols}
    assert {"linear1.weight[0, 0]", "linear2.weight[1, 0]", "norm1.weight[0]", "x[0, 0]"} <= names
    values = {p.symbol[idx]: p[idx].item() for _, p in layer.named_parameters() for idx in np.ndindex(*p.shape)}
    values |= {x.symbol[0, j]: x[0, j].item() for j in range(2)}
    assert float(out.expr[0, 0].subs(values)) == pytest.approx(out[0, 0].item(), rel=1e-9, abs=1e-12)

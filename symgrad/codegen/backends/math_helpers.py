"""Helper functions of the ``math`` backend, copied into the generated module
when used (as the array backends' ``array_emitters.HELPERS``)."""

# symgrad.maximum/minimum (and so clamp and relu) give nan when an operand is
# nan, as NumPy and PyTorch do; Python's max(1.0, nan) is 1.0 (and max(nan, 1.0)
# nan: it depends on the order), so the printed code calls these instead.
HELPERS = {
    "_maximum": '''def _maximum(a, b):
    """max(a, b), nan when either is nan (as symgrad.maximum)."""
    return a if a > b or a != a else b''',
    "_minimum": '''def _minimum(a, b):
    """min(a, b), nan when either is nan (as symgrad.minimum)."""
    return a if a < b or a != a else b''',
}

# math.floor, math.ceil and round return integers - 0 for -0.0 and -0.5 (NumPy:
# -0.0) - and raise at inf and nan; symgrad's floor, ceil and round of a float
# are floats with the zero's sign, inf and nan kept (as numpy.floor).
_ROUNDING = '''def {name}(x):
    """{what}(x) of a float as a float, as numpy.{what}: -0.0 for -0.5, inf and nan kept."""
    if x.__class__ is int or not math.isfinite(x):
        return x
    r = float({fn}(x))
    return math.copysign(r, x) if r == 0 else r'''
HELPERS.update({name: _ROUNDING.format(name=name, what=what, fn=fn)
                for name, what, fn in (("_floor", "floor", "math.floor"), ("_ceil", "ceil", "math.ceil"),
                                       ("_round", "round", "round"))})

# x.to(float32) in code of floats: rounded to float32 (struct's "f" rounds to
# nearest even, and raises only where the rounded value overflows: inf there)
HELPERS["_float32"] = '''def _float32(x):
    """x rounded to float32 (as numpy.float32(x)), as a float."""
    import struct
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)'''

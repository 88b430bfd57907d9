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

"""The op table, split by family.  Every op is one stanza (NumPy forward,
SymPy forward, derivative rule in symgrad ops) in one of these modules; this
package re-exports the public functions and exposes ``TABLE``.  The
families most programs use load with it; the rest on first use
(``symgrad.ops.lazy``)."""

from typing import TYPE_CHECKING, Any  # noqa: I001  (registry first below: the families add to it)

from symgrad.ops.registry import TABLE, OpDef, OpTable, defop  # noqa: F401  (OpDef, defop: in __all__)
from symgrad.ops.arithmetic import *  # noqa: F401,F403
from symgrad.ops.unary import *  # noqa: F401,F403
from symgrad.ops.comparison import *  # noqa: F401,F403
from symgrad.ops.selection import *  # noqa: F401,F403
from symgrad.ops.reductions import *  # noqa: F401,F403
from symgrad.ops.linalg import *  # noqa: F401,F403
from symgrad.ops.losses import *  # noqa: F401,F403
from symgrad.ops.shape import *  # noqa: F401,F403
from symgrad.ops.structure import *  # noqa: F401,F403
from symgrad.ops.pointwise import *  # noqa: F401,F403
from symgrad.ops import (arithmetic, comparison, linalg, losses, pointwise, reductions, selection, shape, structure,
                         unary)
from symgrad.ops import _lazy_index, lazy
from symgrad.ops._lazy_index import FAMILY_OF

if TYPE_CHECKING:  # the lazy families (symgrad.ops.lazy), for type checkers and editors
    from symgrad.ops.binary import *  # noqa: F401,F403,I001  (in LAZY_FAMILIES' order)
    from symgrad.ops.special import *  # noqa: F401,F403
    from symgrad.ops.bitwise import *  # noqa: F401,F403
    from symgrad.ops.sorting import *  # noqa: F401,F403
    from symgrad.ops.scans import *  # noqa: F401,F403
    from symgrad.ops.contraction import *  # noqa: F401,F403
    from symgrad.ops.matrices import *  # noqa: F401,F403
    from symgrad.ops.pseudoinverse import *  # noqa: F401,F403
    from symgrad.ops.matrix_exponential import *  # noqa: F401,F403
    from symgrad.ops.spectral import *  # noqa: F401,F403
    from symgrad.ops.triangular import *  # noqa: F401,F403
    from symgrad.ops.decompositions import *  # noqa: F401,F403
    from symgrad.ops.lu_factorization import *  # noqa: F401,F403
    from symgrad.ops.scattering import *  # noqa: F401,F403
    from symgrad.ops.grouping import *  # noqa: F401,F403
    from symgrad.ops.tiling import *  # noqa: F401,F403
    from symgrad.ops.counting import *  # noqa: F401,F403
    from symgrad.ops.sampling import *  # noqa: F401,F403
    from symgrad.ops.arranging import *  # noqa: F401,F403
    from symgrad.ops.assembly import *  # noqa: F401,F403
    from symgrad.ops.searching import *  # noqa: F401,F403
    from symgrad.ops.writing import *  # noqa: F401,F403
    from symgrad.ops.statistics import *  # noqa: F401,F403
    from symgrad.ops.distances import *  # noqa: F401,F403
    from symgrad.ops.correlation import *  # noqa: F401,F403
    from symgrad.ops.integration import *  # noqa: F401,F403
    from symgrad.ops.products import *  # noqa: F401,F403
    from symgrad.ops.norms import *  # noqa: F401,F403

# the names of the families loaded with symgrad (``from symgrad import *`` takes these)
EAGER = ["TABLE", "OpDef", "defop", *arithmetic.__all__, *unary.__all__, *comparison.__all__,
         *selection.__all__, *reductions.__all__, *linalg.__all__, *losses.__all__, *shape.__all__,
         *structure.__all__, *pointwise.__all__]
__all__ = [*EAGER, *_lazy_index.__all__]


def __getattr__(name: str) -> Any:
    return lazy.load(name)  # (a lazy family's name, asked for the first time)


def __dir__() -> list[str]:
    return sorted({*globals(), *FAMILY_OF})


def _bind() -> None:
    import sys

    from symgrad import dispatch, scalar_lane, tensor_ops

    tensor_ops._ops = sys.modules[__name__]
    tensor_ops._apply = dispatch.apply
    tensor_ops._fill_number = dispatch.fill_number
    tensor_ops._binary_in_place = dispatch.binary_in_place
    tensor_ops._MUL, tensor_ops._ADD, tensor_ops._SUB = TABLE["mul"], TABLE["add"], TABLE["sub"]
    tensor_ops._DIV, tensor_ops._NEG = TABLE["div"], TABLE["neg"]
    tensor_ops._lane, tensor_ops._lane_unary = scalar_lane.binary, scalar_lane.unary


OpTable.load_all = lazy.load_all
_bind()

"""The op table, split by family.  Every op is one stanza (NumPy forward,
SymPy forward, derivative rule in symgrad ops) in one of these modules; this
package re-exports the public functions and exposes ``TABLE``."""

from symgrad.ops.registry import TABLE, OpDef, defop  # noqa: I001  (registry first: the families add to it)
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
from symgrad.ops.binary import *  # noqa: F401,F403
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
from symgrad.ops import (arithmetic, arranging, assembly, binary, bitwise, comparison, contraction, correlation, counting, decompositions,
                         distances, grouping, integration, linalg, losses, lu_factorization, matrices, matrix_exponential, norms, pointwise, products,
                         pseudoinverse, reductions, sampling, scans, scattering, searching, selection, shape, sorting, special, spectral,
                         statistics, structure, tiling, triangular, unary, writing)

__all__ = ["TABLE", "OpDef", "defop", *arithmetic.__all__, *unary.__all__, *comparison.__all__,
           *selection.__all__, *reductions.__all__, *linalg.__all__, *losses.__all__, *shape.__all__,
           *structure.__all__, *pointwise.__all__, *binary.__all__, *special.__all__, *bitwise.__all__, *sorting.__all__,
           *scans.__all__, *contraction.__all__, *matrices.__all__,
           *matrix_exponential.__all__,
           *pseudoinverse.__all__, *spectral.__all__, *triangular.__all__, *decompositions.__all__, *lu_factorization.__all__,
           *scattering.__all__, *grouping.__all__,
           *tiling.__all__, *counting.__all__, *sampling.__all__, *arranging.__all__, *assembly.__all__,
           *searching.__all__, *writing.__all__, *statistics.__all__, *distances.__all__, *correlation.__all__,
           *integration.__all__, *products.__all__, *norms.__all__]


def _bind() -> None:
    import sys

    from symgrad import dispatch, tensor_ops

    tensor_ops._ops = sys.modules[__name__]
    tensor_ops._apply = dispatch.apply
    tensor_ops._fill_number = dispatch.fill_number
    tensor_ops._binary_in_place = dispatch.binary_in_place
    tensor_ops._MUL, tensor_ops._ADD, tensor_ops._SUB = TABLE["mul"], TABLE["add"], TABLE["sub"]


_bind()

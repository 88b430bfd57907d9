"""``symgrad.linalg``: PyTorch's ``torch.linalg`` functions, with exact
derivatives and closed forms.

Every function is an op-table entry or a composition of entries
(``ops/matrices.py``, ``ops/norms.py``, ``ops/linalg.py``), so a derivative
is a number, a closed form, a second derivative and generated code from one
rule.  Closed forms are SymPy's matrix algebra - small symbolic matrices are
the use case; an ``n x n`` determinant has ``n!`` terms, and beyond the size
guard (about 7x7) ``.expr`` raises ``ExpressionTooLargeError`` before SymPy
starts.  ``eigh`` and ``eigvalsh`` have no closed form, nor has ``pinv`` at a
matrix of lower numeric rank: ``.expr`` raises ``NoClosedFormError`` there,
while numbers and numeric gradients work.

>>> import symgrad
>>> from symgrad import linalg
>>> A = symgrad.tensor([[2., 1.], [1., 3.]], requires_grad=True)
>>> symgrad.diff(linalg.det(A), A)
[[A[1, 1], -A[1, 0]], [-A[0, 1], A[0, 0]]]
"""

from __future__ import annotations

from symgrad.ops.assembly import linalg_vander as vander
from symgrad.ops.decompositions import linalg_qr as qr
from symgrad.ops.decompositions import linalg_svd as svd
from symgrad.ops.decompositions import svdvals
from symgrad.ops.least_squares import cond, lstsq, matrix_rank
from symgrad.ops.linalg import linalg_cross as cross
from symgrad.ops.lu_factorization import linalg_lu as lu
from symgrad.ops.lu_factorization import lu_factor, lu_factor_ex, lu_solve
from symgrad.ops.matrices import LinAlgError, det, inv, inv_ex, solve, solve_ex
from symgrad.ops.matrices import linalg_matrix_power as matrix_power
from symgrad.ops.matrices import linalg_slogdet as slogdet
from symgrad.ops.matrix_chains import linalg_diagonal as diagonal
from symgrad.ops.matrix_chains import linalg_matmul as matmul
from symgrad.ops.matrix_chains import multi_dot, vecdot
from symgrad.ops.matrix_exponential import matrix_exp
from symgrad.ops.norms import matrix_norm, norm, vector_norm
from symgrad.ops.pseudoinverse import pinv
from symgrad.ops.registry import NoClosedFormError
from symgrad.ops.spectral import eigh, eigvalsh
from symgrad.ops.triangular import cholesky_ex, solve_triangular
from symgrad.ops.triangular import linalg_cholesky as cholesky

__all__ = ["LinAlgError", "NoClosedFormError", "det", "inv", "inv_ex", "solve", "solve_ex", "slogdet", "matrix_power", "matrix_exp", "pinv",
           "eigh", "eigvalsh", "cholesky", "cholesky_ex", "solve_triangular", "qr", "svd", "svdvals",
           "lu", "lu_factor", "lu_factor_ex", "lu_solve", "vector_norm", "matrix_norm", "norm",
           "lstsq", "matrix_rank", "cond",
           "cross", "multi_dot", "vecdot", "vander", "matmul", "diagonal"]

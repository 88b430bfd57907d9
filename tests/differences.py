"""Where symgrad deliberately differs from PyTorch, as data, with the reason.

The conformance table and the differential fuzzer compare symgrad with
PyTorch; a comparison is only ever skipped by naming one of these entries,
and the other oracles (finite differences, closed forms) still apply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    name: str
    symgrad: str
    pytorch: str
    reason: str


DIFFERENCES: dict[str, Difference] = {d.name: d for d in [
    Difference(
        "default_dtype",
        symgrad="floating tensors default to float64 (symgrad.tensor(1.5).dtype is float64)",
        pytorch="float32",
        reason="symgrad's numbers are checked against closed forms and finite differences; float64 keeps "
               "those comparisons meaningful. set_default_dtype(symgrad.float32) gives PyTorch's default."),
    Difference(
        "pow_exponent_zero_second_order",
        symgrad="d2/dxdy x**y at y == 0 is 1/x (the true value; finite differences agree)",
        pytorch="0: pow's backward masks exponent == 0 to 0 and the mask is differentiated as a constant",
        reason="closed forms and higher derivatives must be right where the function is smooth; only 0**0 "
               "needs a guard."),
    Difference(
        "prod_at_nan",
        symgrad="d/dx0 prod([x0, x1, x2]) is x1*x2 even when x0 is nan (the product of the others)",
        pytorch="nan for every element: the gradient is computed as prod / x",
        reason="symgrad's rule forms the product of the other elements, which is exact (zeros included); the "
               "nan appears only in the elements that depend on the nan."),
    Difference(
        "numpy_floating_point_warnings",
        symgrad="forward ops warn as NumPy does (log(0): RuntimeWarning 'divide by zero'); backward is silent",
        pytorch="silent",
        reason="the values are the same; the warnings are NumPy's, configured by the user with np.errstate or "
               "np.seterr, and silencing them in every op would cost about a third of a small op's time."),
    Difference(
        "in_place_op_keeps_its_result",
        symgrad="y.tanh_(); y.mul_(3); backward works and is correct",
        pytorch="RuntimeError: tanh_ saved y, which mul_ then modified",
        reason="symgrad's in-place ops compute out of place and keep their own copy of the result, so a later "
               "in-place change cannot corrupt it; refusing a correct gradient would only copy a limitation."),
    Difference(
        "unique_and_bincount_are_outside_the_graph",
        symgrad="unique(x), unique_consecutive(x) and bincount(i, weights=w) do not require grad: backward() "
                "through them is the usual 'does not require grad' RuntimeError",
        pytorch="the results require grad, and backward() raises (NotImplementedError: the derivative for "
                "'_unique2' / 'unique_consecutive' is not implemented; RuntimeError for bincount)",
        reason="PyTorch has no derivative for them either; a result outside the graph says so when it is made, "
               "and its closed form is the numbers computed, not a graph that cannot be differentiated."),
    Difference(
        "nanmean_gradient_where_every_element_is_nan",
        symgrad="the gradient of nanmean over a slice whose elements are all nan is 0 there (the value is nan)",
        pytorch="nan: nansum's gradient is g * ~isnan(x), and g is 1/0 there",
        reason="nansum masks nan with where() so that its closed form is the plain sum (a variable is never nan) "
               "and generated code masks at run time; where() sends 0, not g * 0, to the masked elements."),
    Difference(
        "outside_the_graph_without_a_derivative",
        symgrad="heaviside(x, v) and nextafter(x, y) do not require grad: backward() through them is the usual "
                "'does not require grad' RuntimeError",
        pytorch="the results require grad, and backward() raises (the derivative for 'heaviside' / 'nextafter' "
                "is not implemented)",
        reason="as unique's: PyTorch has no derivative for them, and a result outside the graph says so when it "
               "is made."),
    Difference(
        "scatter_with_reduce_is_differentiable",
        symgrad="x.scatter(dim, index, src, reduce='add' or 'multiply') has the gradient of scatter_add or "
                "scatter_reduce(..., 'prod')",
        pytorch="the result's grad_fn is NotImplemented: backward() raises 'derivative for aten::scatter is not "
                "implemented'",
        reason="the functions are scatter_add and scatter_reduce's prod, whose gradients PyTorch itself defines; "
               "refusing a correct gradient would only copy a limitation."),
    Difference(
        "scatter_reduce_extremum_ties_without_self",
        symgrad="scatter_reduce(..., 'amax' or 'amin', include_self=False): ties among the src elements of a group "
                "share its gradient evenly (a half each for two)",
        pytorch="counts the replaced input element among the ties when it equals the result, though it is not in "
                "the group, and then drops its share: a third each for two, and the gradient sums to 2/3",
        reason="the result is the maximum of the src elements alone, so its gradient sums to 1 over them; "
               "PyTorch's is wrong there, and symgrad is never silently wrong to match it."),
    Difference(
        "embedding_sparse_gradients",
        symgrad="nn.Embedding(..., sparse=True) and F.embedding(..., sparse=True) raise NotImplementedError, "
                "naming sparse=False",
        pytorch="weight.grad is a sparse tensor (for optim.SparseAdam, SGD, Adagrad)",
        reason="symgrad has no sparse tensors; ignoring the flag would hand a dense gradient to code that expects "
               "a sparse one. sparse=False gives the same numbers."),
    Difference(
        "embedding_max_norm_of_a_result",
        symgrad="F.embedding(input, weight, max_norm=...) with a weight that is the result of an operation "
                "(w * 2) raises RuntimeError, naming the fix",
        pytorch="renormalises that result's rows in place under no_grad; its gradient flows to w as if nothing "
                "had changed",
        reason="the result's closed form (2*w) would no longer describe its numbers: a silently wrong closed "
               "form. A leaf is renormalised, and its symbol keeps standing for it."),
]}

"""Row 7: the same batched value + gradient with the fastest symgrad backend
available (numpy, jax under ``jax.jit``, torch, and compiled C, whose
``NAME_points`` loop is vectorised where GCC and glibc's libmvec allow),
against hand-written NumPy; hand-written JAX (``jit(vmap(value_and_grad))``)
is timed alongside as the issue's reference point.
"""

from __future__ import annotations

from typing import Any

from benchmarks.config import Config
from benchmarks.peers import PeerMissingError, peer, require_codegen
from benchmarks.result import Line, Target, format_ratio, skipped, timed_line
from benchmarks.timing import Settings, interleaved
from benchmarks.workloads.batched import Problem, check_same, problems

NUMBER = 7
TITLE = "batched value+gradient over 10^6 points, fastest symgrad backend"
TARGET = Target("<=", 0.25, "<= 0.25x hand-written NumPy")


def contenders(problem: Problem) -> dict[str, Any]:
    """name -> a call of zero arguments, the inputs already converted for its library."""
    import symgrad

    f, wrt = problem.build()
    numpy_fn = symgrad.gradient_function(f, wrt)
    found: dict[str, Any] = {"hand-written NumPy": problem.by_hand,
                             "symgrad numpy": lambda: numpy_fn(*problem.arrays)}
    try:
        jax = peer("jax")
        jax_fn = jax.jit(symgrad.gradient_function(f, wrt, backend="jax"))
        jax_in = [jax.numpy.asarray(a) for a in problem.arrays]
        check_same(jax_fn, problem)
        found["symgrad jax (jit)"] = lambda: jax.block_until_ready(jax_fn(*jax_in))
        by_hand = jax.jit(jax.vmap(jax.value_and_grad(problem.jax_point, argnums=tuple(range(len(wrt))))))
        found["hand-written JAX (jit, vmap)"] = lambda: jax.block_until_ready(by_hand(*jax_in))
    except PeerMissingError:
        pass
    from symgrad.codegen.backends.c import compiler

    if compiler() is not None:  # (no compiler: not a contender, as a missing peer)
        c_fn = symgrad.gradient_function(f, wrt, backend="c", compile=True)
        check_same(c_fn, problem)
        found["symgrad C (compiled, loop over points)"] = lambda: c_fn(*problem.arrays)
    try:
        torch = peer("torch")
        torch_fn = symgrad.gradient_function(f, wrt, backend="torch")
        torch_in = [torch.from_numpy(a) for a in problem.arrays]
        check_same(lambda *_: torch_fn(*torch_in), problem)
        found["symgrad torch"] = lambda: torch_fn(*torch_in)
    except PeerMissingError:
        pass
    return found


def run(config: Config) -> list[Line]:
    try:
        require_codegen()
    except PeerMissingError as missing:
        return [skipped(NUMBER, "every case", TARGET, str(missing))]
    points = config.pick(10 ** 6, 10 ** 3)
    settings = Settings(repeats=config.pick(15, 3), min_sample=0.0, warmup=config.pick(3, 1))
    lines = []
    for problem in problems(points):
        times = interleaved(contenders(problem), settings)
        hand = times.pop("hand-written NumPy")
        reference = times.pop("hand-written JAX (jit, vmap)", None)
        fastest = min(times, key=lambda name: times[name].wall)
        others = [f"{name} {format_ratio(t.wall / hand.wall)}" for name, t in times.items() if name != fastest]
        if reference is not None:
            others.append(f"reference: hand-written JAX (jit, vmap) {format_ratio(reference.wall / hand.wall)}")
        lines.append(timed_line(NUMBER, f"{problem.label}, {points:.0e} points, fastest: {fastest}", TARGET,
                                times[fastest], hand, "hand-written NumPy", note="; ".join(others)))
    return lines

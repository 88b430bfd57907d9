"""Op families that load on first use (symgrad.ops.lazy): ``import symgrad``
leaves them out, and every way of reaching one of their names loads it."""

import subprocess
import sys

import pytest

import symgrad
from symgrad import ops
from symgrad.ops import _write_lazy_index, lazy
from symgrad.ops._lazy_index import FAMILY_OF


def _fresh(code: str) -> str:
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_the_index_is_current():
    with open(_write_lazy_index.INDEX_PATH) as f:
        written = f.read()
    assert written == _write_lazy_index.index_source(), \
        "symgrad/ops/_lazy_index.py is stale: run python -m symgrad.ops._write_lazy_index"


def test_no_lazy_name_shadows_an_eager_one():
    # (a lazy name that an eager family also exports would change meaning when its family loads)
    assert sorted(set(FAMILY_OF) & set(ops.EAGER)) == []


def test_import_symgrad_loads_no_lazy_family():
    loaded = _fresh("import sys, symgrad; print(sorted(m for m in sys.modules if m.startswith('symgrad.ops.')))")
    assert not [f for f in lazy.LAZY_FAMILIES if f"'symgrad.ops.{f}'" in loaded], loaded


@pytest.mark.parametrize("code, family", [
    ("symgrad.atan2(symgrad.tensor(1.), symgrad.tensor(2.))", "binary"),
    ("symgrad.ops.cumprod(symgrad.tensor([1., 2.]), 0)", "scans"),
    ("symgrad.tensor([3., 1.]).sort()", "sorting"),
    ("symgrad.tensor([1, 2]) & symgrad.tensor([3, 1])", "bitwise"),
    ("symgrad.ops.TABLE['cumprod']", "scans"),
    ("'cumprod' in symgrad.ops.TABLE", "scans"),
    ("len(symgrad.ops.TABLE)", "norms"),
    ("symgrad.linalg.det(symgrad.eye(2))", "matrices"),
])
def test_each_way_of_asking_loads_the_family(code, family):
    out = _fresh(f"import sys, symgrad; {code}; print('symgrad.ops.{family}' in sys.modules)")
    assert out == "True"


def test_a_lazy_name_is_the_family_function_under_both_modules():
    from symgrad.ops import special

    assert symgrad.digamma is special.digamma is ops.digamma
    assert "digamma" in dir(symgrad) and "digamma" in dir(ops)


def test_the_table_answers_as_if_every_family_were_loaded():
    out = _fresh("import symgrad; t = symgrad.ops.TABLE; "
                 "print(len(t) == len(list(t)) == len(t.keys()), t.get('cumprod') is t['cumprod'], 'nope' in t)")
    assert out == "True True False"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_op'"):
        symgrad.no_such_op  # noqa: B018
    with pytest.raises(AttributeError, match="'symgrad.ops' has no attribute 'no_such_op'"):
        ops.no_such_op  # noqa: B018
    with pytest.raises(KeyError):
        ops.TABLE["no_such_op"]

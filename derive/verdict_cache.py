"""A cache of verdicts, keyed by everything a verdict depends on.

An entry saves work, never certifies: it is signed with a secret of the user's own (a keyed
hash, so an entry edited by hand is not taken), its statuses must be known, and every mark
it holds is re-confirmed by a cheap check of the step before it is used.

A rebuild after a change that leaves a derivation's steps, context and the verifier's code
alone reuses the stored verdicts instead of verifying again.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
import json
import os
import secrets
from pathlib import Path

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.proof import Derivation, Verdict
from derive.verify import Context, forget_verdicts, reconfirmed, verify

VERIFIER_SOURCES = ("verify.py", "context.py", "function_rules.py", "evidence.py",
                    "identities.py", "implications.py", "branches.py",
                    "screening.py", "finite_differences.py", "tactics.py", "differentiate.py",
                    "matrices.py", "index_form.py", "sampling.py", "functions.py",
                    "sympy_speedups.py", "proof.py", "authoring.py")


@functools.cache
def _verifier_digest() -> bytes:
    """The versions of SymPy and mpmath and the verifier's source, hashed (once a process)."""
    h = hashlib.sha256(f"sympy {sp.__version__} mpmath {mpmath.__version__}".encode())
    for source in VERIFIER_SOURCES:
        h.update((Path(__file__).with_name(source)).read_bytes())
    return h.digest()


_KEYS: dict[int, tuple[Derivation, str]] = {}   # by id; the derivation kept alive with it


def verdict_key(derivation: Derivation) -> str:
    """A hash of the steps, oracles, context and the verifier's own code (worked out once
    per derivation object: its steps do not change once built)."""
    known = _KEYS.get(id(derivation))
    if known is None or known[0] is not derivation:
        known = _KEYS[id(derivation)] = (derivation, _computed_key(derivation))
    return known[1]


def _repr(expr: sp.Basic) -> str:
    """An expression's full structure, its arguments in the order stored (which is canonical
    for evaluated ones), without the printer's sorting; and what makes each of its symbols
    and unspecified functions the one it is where srepr does not say: two symbols named x
    with other notation (``symbol("x", "a")``, ``symbol("x", r"\bar a")``) are different
    symbols with one srepr, as are Function("f", real=True) and Function("f")."""
    return sp.srepr(expr, order="none") + repr(_identities(expr))


@functools.lru_cache(maxsize=4096)
def _identities(expr: sp.Basic) -> tuple[str, ...]:
    found = {f"{type(a).__module__}.{type(a).__qualname__}{a._hashable_content()!r}"
             for a in expr.atoms(sp.Symbol)}
    found |= {f"{f.func.__name__}{[(k, _stable(v)) for k, v in sorted(f.func._kwargs.items())]!r}"
              for f in expr.atoms(AppliedUndef)}
    return tuple(sorted(found))


def _stable(value: object) -> str:
    """A value's repr the same in every process: a function (a ``_latex`` printer given to
    ``sp.Function``) by its name and source, not by its address."""
    if callable(value):
        try:
            source = inspect.getsource(value)
        except (OSError, TypeError):
            source = "?"
        name = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
        return f"{name}:{hashlib.sha256(source.encode()).hexdigest()[:16]}"
    return repr(value)


@functools.lru_cache(maxsize=4096)
def _classes_in(expr: sp.Basic) -> frozenset[type]:
    """The classes of an expression's nodes (remembered: a step's right side is the next
    one's left)."""
    return frozenset(type(node) for node in sp.preorder_traversal(expr))


def _own_classes(derivation: Derivation) -> list[type]:
    """The classes of the nodes of a derivation's expressions that SymPy does not define
    (derive's functions, a user library's): their code is not in an expression's srepr."""
    exprs: list[object] = [e for s in derivation.steps for e in (s.lhs, s.rhs, s.where)]
    exprs += [e for o in derivation.oracles for e in (o.result, o.reference, o.where)]
    exprs += [e for pair in derivation.definitions.items() for e in pair]
    found: dict[str, type] = {}
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        for cls in _classes_in(e):
            module = getattr(cls, "__module__", None) or ""   # sp.Function("f"): none
            if module and not module.startswith(("sympy.", "mpmath.")):
                found.setdefault(f"{module}.{cls.__qualname__}", cls)
    return [found[name] for name in sorted(found)]


@functools.lru_cache(maxsize=512)
def _class_fingerprint(cls: type) -> str:
    """What a function class means to the verifier: its source and its module's, and for a
    function its elementary form and derivatives in fresh symbols (these also see a value
    its code takes from a closure or a global: the source alone would not)."""
    parts = [f"{cls.__module__}.{cls.__qualname__}"]
    for source in (lambda: inspect.getsource(cls),
                   lambda: Path(inspect.getsourcefile(cls) or "").read_text()):
        try:
            parts.append(source())
        except (OSError, TypeError):
            parts.append("?")
    parts += _helper_sources(cls.__module__)
    if isinstance(cls, type) and issubclass(cls, sp.Function):
        parts.append(_meaning(cls))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


HELPER_MODULES = 64   # at most this many modules a class's module draws on, hashed with it
_OUTSIDE = ("sympy", "mpmath", "numpy", "scipy", "builtins")


def _helper_sources(module_name: str) -> list[str]:
    """The sources of the modules a class's module draws on, and theirs (a user library's
    helpers, installed or beside it: a constant or a function its numeric code or its
    derivative takes from there), the standard library, SymPy, mpmath and NumPy left out.
    Without them an entry outlived a change to a helper that changes what the class
    computes where the re-confirmation does not look."""
    import sys
    import sysconfig

    stdlib = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
    seen: dict[str, str] = {}
    pending = [module_name]
    while pending and len(seen) < HELPER_MODULES:
        name = pending.pop()
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if name in seen or module is None or not path or name.split(".")[0] in _OUTSIDE \
                or (path.startswith(stdlib) and "site-packages" not in path):
            continue
        try:
            seen[name] = Path(path).read_text()
        except (OSError, UnicodeDecodeError):
            seen[name] = "?"
        for value in list(vars(module).values()):
            other = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__",
                                                                            None)
            if isinstance(other, str) and other not in seen:
                pending.append(other)
    return [f"{name}\0{source}" for name, source in sorted(seen.items()) if name != module_name]


def _meaning(cls: type[sp.Function]) -> str:
    """A function's elementary form and partial derivatives, at fresh real arguments."""
    nargs = cls.nargs if isinstance(cls.nargs, sp.FiniteSet) else sp.FiniteSet(1)
    out = []
    for count in sorted(n for n in nargs if n.is_Integer)[:3]:
        args = sp.symbols(f"_fp0:{count}", real=True)
        try:
            node = cls(*args)
            out.append(_repr(node))
            if hasattr(node, "_elementary"):
                out.append(_repr(node._elementary()))
            out += [_repr(node.fdiff(k)) for k in range(1, int(count) + 1)]
        except Exception as err:  # noqa: BLE001  (a fingerprint, whatever the class does)
            out.append(type(err).__name__)
    return repr(out)


def _computed_key(derivation: Derivation) -> str:
    h = hashlib.sha256(_verifier_digest())
    ctx = Context.of(derivation)
    parts: list[object] = [
        [(_repr(s.lhs), _repr(s.rhs), s.kind, str(s.eliminate), s.one_way,
          _repr(s.where) if s.where is not None else None) for s in derivation.steps],
        [(_repr(o.result), _repr(o.reference),
          _repr(o.where) if o.where is not None else None) for o in derivation.oracles],
        sorted((_repr(k), _repr(v)) for k, v in ctx.definitions.items()),
        sorted((_repr(k), v) for k, v in ctx.domains.items()),
        sorted((str(k), v) for k, v in ctx.sizes.items()),
        sorted((str(k), v) for k, v in ctx.numeric_sizes.items()),
        sorted((str(k), _repr(sp.Tuple(*v))) for k, v in ctx.indices.items()),
        ctx.seed, ctx.symbolic_sizes,
        [_class_fingerprint(cls) for cls in _own_classes(derivation)],
    ]
    h.update(repr(parts).encode())
    return h.hexdigest()


def _path(derivation: Derivation, cache_dir: Path) -> Path:
    return cache_dir / f"{derivation.name}-{verdict_key(derivation)[:32]}.json"


def _key_file() -> Path:
    """Where this user's secret for signing cache entries lives (outside any build folder)."""
    configured = os.environ.get("DERIVE_KEY_FILE")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "derive" / "verdict-key"


@functools.cache
def _secret() -> bytes:
    """The signing secret, made on first use (readable by its owner only)."""
    path = _key_file()
    try:
        return path.read_bytes()
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(32))
    return path.read_bytes()


def _signature(derivation: Derivation, data: dict[str, object]) -> str:
    """A keyed hash of a cache entry: an entry edited by hand no longer matches it."""
    body = json.dumps([verdict_key(derivation), data["steps"], data["oracles"]],
                      sort_keys=True).encode()
    return hmac.new(_secret(), body, hashlib.sha256).hexdigest()


def signed_verdicts(derivation: Derivation, cache_dir: Path | None) -> bool:
    """Fill in the stored verdicts of an identical derivation verified before, if its entry
    is intact and signed by this user; not yet re-confirmed (see :func:`load_verdicts`)."""
    if cache_dir is None:
        return False
    path = _path(derivation, cache_dir)
    if not path.exists():
        return False
    try:
        stored = json.loads(path.read_text())
        if not hmac.compare_digest(str(stored.get("signature", "")),
                                   _signature(derivation, stored)):
            return _forget(derivation)   # not written by derive for this user: recomputed
        steps = [Verdict.from_json(v) for v in stored["steps"]]
        oracles = [Verdict.from_json(v) for v in stored["oracles"]]
        for step, verdict in zip(derivation.steps, steps, strict=True):
            step.verdict = verdict
        for oracle, verdict in zip(derivation.oracles, oracles, strict=True):
            oracle.verdict = verdict
    except (ValueError, KeyError, TypeError):
        return _forget(derivation)  # a damaged entry is simply recomputed
    return True


def load_verdicts(derivation: Derivation, cache_dir: Path | None) -> bool:
    """Fill in stored verdicts if an identical derivation was verified before and they
    stand up to re-confirmation.  A cache saves work, never certifies: an entry of unknown
    status, or a mark that a cheap numeric check does not bear out (an edited file, say),
    is recomputed."""
    if not signed_verdicts(derivation, cache_dir):
        return False
    return True if reconfirmed(derivation) else _forget(derivation)


def _forget(derivation: Derivation) -> bool:
    """Clear verdicts filled in from a cache entry that was not taken; False."""
    forget_verdicts(derivation)
    return False


def store_verdicts(derivation: Derivation, cache_dir: Path | None) -> None:
    """Store a verified derivation's verdicts (written atomically)."""
    if cache_dir is None:
        return
    data: dict[str, object] = {"steps": [vars(s.verdict) for s in derivation.steps],
                               "oracles": [vars(o.verdict) for o in derivation.oracles]}
    data["signature"] = _signature(derivation, data)
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = _path(derivation, cache_dir)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def verify_cached(derivation: Derivation, cache_dir: Path | None) -> Derivation:
    """``verify``, reusing the verdicts of an identical earlier run stored in cache_dir."""
    if not load_verdicts(derivation, cache_dir):
        verify(derivation)
        store_verdicts(derivation, cache_dir)
    return derivation

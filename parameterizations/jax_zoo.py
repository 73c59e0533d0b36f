"""JAX models: the shipped examples a user can copy, and a JAX twin of every family of the zoo.

Examples (each a :class:`JaxModel` on fixed inputs, θ its outputs there, small by default):
:func:`mlp` (two tanh hidden layers), :func:`layernorm_layer` (a hidden layer normalized by
LayerNorm), :func:`attention_head` (one softmax-attention head on a short sequence) and
:func:`residual_block` (x + W₂ tanh(W₁x + b)). :data:`EXAMPLES` names them.

:func:`twin` gives, for a member of the zoo, the :class:`JaxModel` of the same ψ written once in
``jax.numpy`` (its J, jvp, vjp and induced step by autodiff, its points the member's): the closed
forms and autodiff then check each other (tests/test_jax_model.py).

Each builder is memoized by its arguments, so a model and its compiled maps are built once per process.
"""

from __future__ import annotations

import functools

import numpy as np

from .jax_model import JaxModel, jax, jnp

__all__ = ["mlp", "layernorm_layer", "attention_head", "residual_block", "EXAMPLES", "examples", "twin",
           "TWIN_PSI"]


def _inputs(n: int, d: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d))


@functools.lru_cache(maxsize=None)
def mlp(n: int = 3, d: int = 2, width: int = 3, seed: int = 0) -> JaxModel:
    """θ_i = a·tanh(W₂ tanh(W₁x_i + b₁) + b₂) on n fixed inputs x_i ∈ R^d (two hidden layers of ``width``)."""
    X = _inputs(n, d, seed)
    shapes = [(width, d), (width,), (width, width), (width,), (width,)]
    sizes = [int(np.prod(s)) for s in shapes]
    cuts = np.cumsum(sizes)[:-1].tolist()

    def psi(w):
        W1, b1, W2, b2, a = (p.reshape(s) for p, s in zip(jnp.split(w, cuts), shapes))
        h = jnp.tanh(X @ W1.T + b1)
        return jnp.tanh(h @ W2.T + b2) @ a

    return JaxModel(psi, sum(sizes), name=f"mlp-n{n}-d{d}-width{width}")


@functools.lru_cache(maxsize=None)
def layernorm_layer(n: int = 3, d: int = 2, k: int = 3, seed: int = 0) -> JaxModel:
    """θ_i = a·LN(A x_i + b) with LN(z) = γ ⊙ (z − mean z)/√(var z + 10⁻⁵) + β over the k hidden units."""
    X = _inputs(n, d, seed)
    kd = k * d

    def psi(w):
        A, b, g, beta, a = w[:kd].reshape(k, d), w[kd:kd + k], w[kd + k:kd + 2 * k], w[kd + 2 * k:kd + 3 * k], \
            w[kd + 3 * k:]
        z = X @ A.T + b
        c = z - z.mean(axis=1, keepdims=True)
        h = g * c / jnp.sqrt((c * c).mean(axis=1, keepdims=True) + 1e-5) + beta
        return h @ a

    return JaxModel(psi, kd + 4 * k, name=f"layernorm-n{n}-d{d}-k{k}")


@functools.lru_cache(maxsize=None)
def attention_head(T: int = 3, d: int = 2, seed: int = 0) -> JaxModel:
    """θ = vec(softmax(QKᵀ/√d) V) for Q = XW_Q, K = XW_K, V = XW_V on a fixed sequence X of T tokens in R^d."""
    X = _inputs(T, d, seed)
    dd = d * d

    def psi(w):
        Wq, Wk, Wv = (w[i * dd:(i + 1) * dd].reshape(d, d) for i in range(3))
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        return (jax.nn.softmax(Q @ K.T / np.sqrt(d), axis=-1) @ V).ravel()

    return JaxModel(psi, 3 * dd, name=f"attention-T{T}-d{d}")


@functools.lru_cache(maxsize=None)
def residual_block(n: int = 2, d: int = 2, h: int = 3, seed: int = 0) -> JaxModel:
    """θ = vec(x_i + W₂ tanh(W₁x_i + b)) on n fixed inputs x_i ∈ R^d (a block of width h)."""
    X = _inputs(n, d, seed)
    hd = h * d

    def psi(w):
        W1, b, W2 = w[:hd].reshape(h, d), w[hd:hd + h], w[hd + h:].reshape(d, h)
        return (X + jnp.tanh(X @ W1.T + b) @ W2.T).ravel()

    return JaxModel(psi, 2 * hd + h, name=f"residual-n{n}-d{d}-h{h}")


#: name → builder of the shipped examples
EXAMPLES = {"mlp": mlp, "layernorm": layernorm_layer, "attention": attention_head, "residual": residual_block}


def examples() -> list[JaxModel]:
    """One model of each shipped example, at its default (small) size."""
    return [build() for build in EXAMPLES.values()]


# --- JAX twins of the zoo's closed forms -----------------------------------------------------------


def _chain(Ws, m):
    E = jnp.eye(m)
    for W in reversed(Ws):
        E = E @ W
    return E


def _layers(m, w):
    o = np.asarray(m._offsets)
    return [w[int(o[j]):int(o[j + 1])].reshape(m.shapes[j]) for j in range(m.N)]


def _shallow(sigma):
    def psi(m, w):
        kd = m.k * m.d
        A, b, a = w[:kd].reshape(m.k, m.d), w[kd:kd + m.k], w[kd + m.k:]
        return sigma(m.X @ A.T + b) @ a

    return psi


_ACTIVATIONS = {"tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid,  # 1/(1 + e^{-z}) differentiates to inf/inf = NaN for z ≪ 0
                "softplus": lambda z: jnp.logaddexp(z, 0.0)}

#: family → ψ(member, w) in jax.numpy: each family's map written once, from its definition
TWIN_PSI = {
    "identity": lambda m, w: w,
    "two-layer": lambda m, w: w[:m.k * m.d].reshape(m.k, m.d).T @ w[m.k * m.d:],
    "deep-linear": lambda m, w: _chain(_layers(m, w), 1).ravel(),
    "squared": lambda m, w: w * w,
    "signed-squared": lambda m, w: w[:m.n_canonical] ** 2 - w[m.n_canonical:] ** 2,
    "inverse": lambda m, w: 1.0 / w,
    "polar": lambda m, w: w[0] * jnp.stack([jnp.cos(w[1]), jnp.sin(w[1])]),
    "relu": _shallow(lambda z: jnp.where(z > 0, z, 0.0)),  # relu′(0) = 0, as the closed form takes it
    "factorization": lambda m, w: _chain(_layers(m, w), m.m).ravel(),
    "smooth": lambda m, w: _shallow(_ACTIVATIONS[m.activation])(m, w),
}


class _Twin:
    """ψ of a member as a hashable callable: equal members (family and spec) share compilations."""

    def __init__(self, member):
        self.member, self.key = member, (member.family, repr(sorted(member.spec().items())))

    def __call__(self, w):
        return TWIN_PSI[self.member.family](self.member, w)

    def __hash__(self):
        return hash(self.key)

    def __eq__(self, other):
        return isinstance(other, _Twin) and self.key == other.key


_TWINS: dict = {}


def twin(member) -> JaxModel:
    """The JAX twin of a zoo member: its ψ from :data:`TWIN_PSI`, its points and depth the member's."""
    if getattr(member, "family", None) not in TWIN_PSI:
        raise ValueError(f"member must belong to a family of the zoo ({', '.join(TWIN_PSI)}), but got {member!r:.80}")
    fn = _Twin(member)
    if fn.key not in _TWINS:
        _TWINS[fn.key] = JaxModel(fn, member.n_params, name=f"twin-{member.family}", depth=member.depth,
                                  points=member.points)
    return _TWINS[fn.key]

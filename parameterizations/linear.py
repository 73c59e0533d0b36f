"""Linear models and their over-parameterizations: identity, two-layer, deep, factorization."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from .numerics import roundoff
from .validate import _all_finite, as_index, as_matrix, as_permutation, as_positive, as_real, as_vector, check_result
from .base import Parameterization, Symmetry, finite_vectors
from .strategies import invertible_matrices, nonzero_scales, permutations

__all__ = ["Identity", "TwoLayerLinear", "MatrixFactorization", "DeepLinear"]


def _invertible(name: str, P, k: int) -> tuple[np.ndarray, np.ndarray]:
    """P and P⁻¹ for a k×k matrix, with a ValueError if P is (numerically) singular."""
    P = as_matrix(name, P, (k, k))
    s = np.linalg.svd(P, compute_uv=False)
    if s[-1] <= k * np.finfo(float).eps * s[0] or s[0] == 0:
        cond = np.inf if s[-1] == 0 else s[0] / s[-1]
        raise ValueError(f"{name} must be invertible, but its condition number is {cond:.3g}")
    return P, np.linalg.inv(P)


class Identity(Parameterization):
    r"""The canonical parameterization itself.

    ψ(w) = w,  J = I_q,  K = I_q.
    """

    #: how w is laid out, and the sizes (the README's models table)
    LAYOUT = "w = θ ∈ R^q: p = q."

    family = "identity"

    def __init__(self, q: int = 2):
        q = as_positive("q", q, integer=True)
        super().__init__(q, q)

    def spec(self):
        return {"q": self._q}

    def _psi(self, w):
        return w.copy()

    def _jacobian(self, w):
        return np.eye(self._q)

    def _jvp(self, w, dw):
        return dw.copy()

    def _vjp(self, w, dtheta):
        return dtheta.copy()

    def _induced_step(self, w, g):
        return g.copy()

    def _psi_batch(self, W):
        return W.copy()

    def _vjp_batch(self, W, G):
        return G.copy()

    def uniform_initial(self, alpha):
        """w₀ = α·1."""
        return np.full(self._p, as_positive("alpha", alpha))

    @classmethod
    def instances(cls, max_dim=4):
        """q ∈ 1…max_dim."""
        return st.builds(cls, st.integers(1, max_dim))


class TwoLayerLinear(Parameterization):
    r"""Two-layer linear model f(x) = vᵀUx with U ∈ R^{k×d}, v ∈ R^k.

    w = (vec U, v) with U flattened row by row; p = kd + k, q = d.

    ψ(U, v) = Uᵀv.
    J = [v ⊗ I_d | Uᵀ]  (d × (kd + k)): ∂θ_j/∂U_{il} = v_i δ_{jl}, ∂θ/∂v = Uᵀ.
    J·(dU, dv) = dUᵀv + Uᵀdv;  Jᵀg = (v gᵀ, Ug);  K g = Uᵀ(Ug) + ‖v‖²g.

    References: the post, section "Gradient Dynamics Between Spaces".
    """

    #: how w is laid out, and the sizes (the README's models table)
    LAYOUT = ("w = (U row by row, then v), U ∈ R^{k×d}, v ∈ R^k: p = kd + k; d the inputs' dimension (q = d), "
              "k the hidden width.")

    family = "two-layer"
    depth = 2

    def __init__(self, k: int = 2, d: int = 2):
        self.k = as_positive("k", k, integer=True)
        self.d = as_positive("d", d, integer=True)
        super().__init__(self.k * self.d + self.k, self.d)

    def spec(self):
        return {"k": self.k, "d": self.d}

    @classmethod
    def instances(cls, max_dim=4):
        """k, d ∈ 1…max_dim.

        k = d ≥ 2 in about half the draws: a square U, where UᵀU and UUᵀ have the same shape
        (a bug that confuses them shows only there) and U can be invertible or singular.
        """
        dim = st.integers(1, max_dim)
        general = st.builds(cls, k=dim, d=dim)
        if max_dim < 2:
            return general
        return st.one_of(st.integers(2, max_dim).map(lambda n: cls(k=n, d=n)), general)

    # structured views
    def unpack(self, w) -> tuple[np.ndarray, np.ndarray]:
        """(U, v) views of a flat w."""
        w = np.asarray(w, float)
        kd = self.k * self.d
        return w[:kd].reshape(self.k, self.d), w[kd:]

    def pack(self, U, v) -> np.ndarray:
        """The flat w of (U, v)."""
        U = as_matrix("U", U, (self.k, self.d))
        v = as_vector("v", v, self.k)
        return np.concatenate([U.ravel(), v])

    def _psi(self, w):
        U, v = self.unpack(w)
        return U.T @ v

    def _jacobian(self, w):
        U, v = self.unpack(w)
        return np.hstack([np.kron(v[None, :], np.eye(self.d)), U.T])

    def psi_scale(self, w) -> float:
        """‖ψ(w)‖ + ‖J‖_F‖w‖/depth, the default, with ‖J‖_F = √(d‖v‖² + ‖U‖_F²) (J = [vᵀ ⊗ I_d | Uᵀ])
        instead of J built: a Taylor test asks for it at every step."""
        w = self.check_w(w)
        U, v = self.unpack(w)
        nJ = math.hypot(math.sqrt(self.d) * float(np.linalg.norm(v)), float(np.linalg.norm(U)))
        return float(np.linalg.norm(U.T @ v)) + nJ * float(np.linalg.norm(w)) / self.depth

    def _jvp(self, w, dw):
        U, v = self.unpack(w)
        dU, dv = self.unpack(dw)
        return dU.T @ v + U.T @ dv

    def _vjp(self, w, g):
        U, v = self.unpack(w)
        out = np.empty(self._p)  # written in place: no temporary of size p, no concatenation
        dU, dv = self.unpack(out)
        np.multiply(v[:, None], g[None, :], out=dU)  # v gᵀ
        np.matmul(U, g, out=dv)
        return out

    def _induced_step(self, w, g):
        U, v = self.unpack(w)
        return U.T @ (U @ g) + (v @ v) * g

    def induced_step(self, w, g) -> np.ndarray:
        """K g = Uᵀ(Ug) + ‖v‖²g, with the finite check of w folded into the two reductions.

        K g reads U twice (h = Ug, then Uᵀh); a separate finite check of w would read
        it a third time, half again the cost at large p. Instead: h_i sums every
        U_il·g_l, so a NaN or ±inf in row i of U makes h_i NaN or ±inf whatever g is
        (inf·0 = NaN), and v·v does the same for v. Only when h or v·v is not finite
        is w scanned entry by entry, which raises the ValueError naming the bad entry
        (or, for finite w, the overflow is reported on the result). This assumes the
        matrix-vector product forms every product U_il·g_l, as BLAS's dot-product
        gemv (numpy's path for a C-ordered U) and numpy's own loops do;
        tests/test_bad_input.py checks it with g full of zeros.

        The folding holds for this closed form only: a subclass with its own
        ``_induced_step`` (or domain) goes through the generic path.
        """
        if type(self)._induced_step is not TwoLayerLinear._induced_step or \
                type(self)._check_domain is not TwoLayerLinear._check_domain:
            return super().induced_step(w, g)
        w = as_vector("w", w, self._p, finite=False)
        g = as_vector("g", g, self._q)
        U, v = self.unpack(w)
        h = U @ g
        vv = float(v @ v)
        if not (np.isfinite(vv) and np.isfinite(h).all()):
            self.check_w(w)  # a ValueError naming the non-finite entry, if there is one
        return check_result("induced_step(w, g)", U.T @ h + vv * g, w=w, g=g)

    def sample(self, rng=None, scale=1.0):
        scale = as_real("scale", scale)
        rng = np.random.default_rng(rng)
        return scale * rng.standard_normal(self._p) / np.sqrt(max(self.d, self.k)) ** 0.5

    def points(self, *, extreme: bool = False) -> st.SearchStrategy:
        """Points w = (U, v) with U ≠ 0 and v ≠ 0 in about nine draws of ten.

        Entries are 0 or of magnitude in [10⁻⁴, 2] (``finite_vectors``), times 10^e, e ∈ [−6, 6],
        with ``extreme``. Drawn entry by entry, a whole block is zero in a quarter of the draws
        (v = 0 makes most statements about the two-layer model degenerate); so one entry of U
        and one of v are lifted to magnitude ≥ 0.5 unless a drawn digit is 9, which leaves zero
        blocks (the origin, v = 0, U = 0) reachable.
        """
        kd = self.k * self.d

        def lift(t):
            w, i, j, digit = t
            w = w.copy()
            if digit != 9:
                for idx in (i, kd + j):
                    w[idx] = np.copysign(max(abs(w[idx]), 0.5), w[idx])
            return w

        base = st.tuples(finite_vectors(self._p), st.integers(0, kd - 1), st.integers(0, self.k - 1),
                         st.integers(0, 9)).map(lift)
        if not extreme:
            return base
        return st.tuples(base, st.integers(-6, 6)).map(lambda t: t[0] * 10.0 ** t[1])

    # function-preserving transforms
    def transform(self, w, P) -> np.ndarray:
        """(PU, P⁻ᵀv): the same θ for any invertible P ∈ R^{k×k}."""
        U, v = self.unpack(self.check_w(w))
        P, Pinv = _invertible("P", P, self.k)
        return np.concatenate([(P @ U).ravel(), Pinv.T @ v])

    def rescale(self, w, c) -> np.ndarray:
        """(cU, v/c) for c ≠ 0."""
        c = as_real("c", c, nonzero=True)
        U, v = self.unpack(self.check_w(w))
        return np.concatenate([(c * U).ravel(), v / c])

    def permute(self, w, perm) -> np.ndarray:
        """Rows of U and entries of v permuted by one permutation."""
        U, v = self.unpack(self.check_w(w))
        perm = as_permutation("perm", perm, self.k)
        return np.concatenate([U[perm].ravel(), v[perm]])

    def symmetries(self):
        return [
            Symmetry("permutation", permutations(self.k), self.permute),
            Symmetry("rescaling", nonzero_scales(), self.rescale),
            Symmetry("invertible P", invertible_matrices(self.k), self.transform),
        ]

    # degenerate points
    def origin(self) -> np.ndarray:
        """(U, v) = (0, 0)."""
        return np.zeros(self._p)

    def duplicate_unit(self, w, source: int, target: int) -> np.ndarray:
        """Hidden unit ``target`` made a copy of ``source`` (row of U and entry of v)."""
        source = as_index("source", source, self.k, f"a hidden unit in range({self.k})")
        target = as_index("target", target, self.k, f"a hidden unit in range({self.k})")
        U, v = (a.copy() for a in self.unpack(self.check_w(w)))
        U[target], v[target] = U[source], v[source]
        return np.concatenate([U.ravel(), v])

    def rank_deficient(self, w, rank: int) -> np.ndarray:
        """U replaced by its best rank-``rank`` approximation (v kept)."""
        U, v = self.unpack(self.check_w(w))
        rank = as_index("rank", rank, min(self.k, self.d), f"an integer in range(min(k, d)) = range({min(self.k, self.d)})")
        a, s, bt = np.linalg.svd(U, full_matrices=False)
        s[rank:] = 0
        return np.concatenate([((a * s) @ bt).ravel(), v])


class MatrixFactorization(Parameterization):
    r"""Depth-N factorization E = W_N ⋯ W_1 ∈ R^{m×n}; θ = vec(E) (row by row), q = mn.

    W_j ∈ R^{d_j × d_{j−1}} with d_0 = n, d_N = m; w stacks vec(W_1), …, vec(W_N).
    With A_j = W_N⋯W_{j+1} (m×d_j) and B_j = W_{j−1}⋯W_1 (d_{j−1}×n):

    J = [A_1 ⊗ B_1ᵀ | … | A_N ⊗ B_Nᵀ],  J·dW = Σ_j A_j dW_j B_j,  Jᵀ·G = (A_jᵀ G B_jᵀ)_j.

    The matrix-free products cost O(m·p) (jvp, top-down) and O(m·p) (vjp) and never
    form an n×n product. References: Arora, Cohen & Hazan 2018; Arora, Cohen, Hu & Luo 2019.
    """

    #: how w is laid out, and the sizes (the README's models table)
    LAYOUT = ("w = (W_1, …, W_N), each row by row, W_j ∈ R^{d_j×d_{j−1}} with d_0 = n, d_N = m and hidden "
              "widths `width`; θ = vec(W_N⋯W_1) row by row, q = mn.")

    family = "factorization"

    def __init__(self, m: int = 2, n: int = 2, N: int = 2, width: int | None = None, widths=None):
        self.m = as_positive("m", m, integer=True)
        self.n = as_positive("n", n, integer=True)
        self.N = as_positive("N", N, integer=True, minimum=1, strict=False)
        if widths is None:
            width = max(self.m, self.n) if width is None else as_positive("width", width, integer=True)
            widths = (width,) * (self.N - 1)
        widths = tuple(int(as_positive("widths", h, integer=True)) for h in widths)
        if len(widths) != self.N - 1:
            raise ValueError(f"widths must have N-1 = {self.N - 1} entries, but got {len(widths)}")
        self.widths = widths
        self.dims = (self.n, *widths, self.m)
        self.shapes = [(self.dims[j + 1], self.dims[j]) for j in range(self.N)]
        sizes = [a * b for a, b in self.shapes]
        self._offsets = np.concatenate([[0], np.cumsum(sizes)])
        self.depth = self.N
        # the batched maps branch on it at every step of a descent
        self._scalar_chain = self.m == 1 and self.n == 1 and all(h == 1 for h in self.widths)
        super().__init__(int(self._offsets[-1]), self.m * self.n)

    def spec(self):
        s = {"m": self.m, "n": self.n, "N": self.N}
        if len(set(self.widths)) <= 1 and self.widths:
            s["width"] = self.widths[0]
        elif self.widths:
            s["widths"] = list(self.widths)
        return s

    @classmethod
    def instances(cls, max_dim=4):
        """m, n, width ∈ 1…max_dim, N ∈ 2…4."""
        dim = st.integers(1, max_dim)
        return st.builds(cls, m=dim, n=dim, N=st.integers(2, 4), width=dim)

    def unpack(self, w) -> list[np.ndarray]:
        """[W_1, …, W_N] as views of a flat w."""
        w = np.asarray(w, float)
        o = self._offsets
        return [w[o[j]:o[j + 1]].reshape(self.shapes[j]) for j in range(self.N)]

    def pack(self, layers) -> np.ndarray:
        """The flat w of [W_1, …, W_N]."""
        if len(layers) != self.N:
            raise ValueError(f"layers must hold N = {self.N} matrices, but got {len(layers)}")
        return np.concatenate([as_matrix(f"layers[{j}]", L, self.shapes[j]).ravel() for j, L in enumerate(layers)])

    def end_to_end(self, w) -> np.ndarray:
        """E = W_N ⋯ W_1 (m×n)."""
        return self.psi(w).reshape(self.m, self.n)

    def _tops(self, Ws, product: bool = False):
        """[A_1, …, A_N] with A_j = W_N⋯W_{j+1} (A_N = I_m), computed top-down; and E if ``product``.

        E = A_1 W_1 costs a pass over W_1, the largest layer when n is large: only ψ needs it.
        """
        tops = [None] * self.N
        A = np.eye(self.m)
        for j in range(self.N - 1, -1, -1):
            tops[j] = A
            if j or product:
                A = A @ Ws[j]
        return tops, (A if product else None)

    def _psi(self, w):
        return self._tops(self.unpack(w), product=True)[1].ravel()

    def psi_scale(self, w) -> float:
        """‖|W_N|⋯|W_1|‖_F = ‖ψ(|w|)‖, which bounds the terms of every evaluation order of the chain.

        Round-off of a matrix product is bounded by the product of the absolute values
        (Higham, Thm 3.5: |fl(AB) − AB| ≤ γ_n|A||B|), whatever the cancellation in the
        exact product; the default ‖ψ‖ + ‖J‖_F‖w‖/N is not, when partial products
        cancel (W₂W₁ ≈ 0 and W₄W₃ ≈ 0 make ψ and J vanish while the terms do not).
        """
        w = self.check_w(w)
        # the default's ‖J‖_F without forming J: its blocks are A_j ⊗ B_jᵀ, and ‖A ⊗ B‖_F = ‖A‖_F‖B‖_F
        Ws = self.unpack(w)
        tops, E = self._tops(Ws, product=True)
        fro2, B = 0.0, np.eye(self.n)
        for j in range(self.N):
            fro2 += float(np.sum(tops[j] * tops[j])) * float(np.sum(B * B))
            B = Ws[j] @ B
        default = float(np.linalg.norm(E)) + np.sqrt(fro2) * float(np.linalg.norm(w)) / self.depth
        return max(default, float(np.linalg.norm(self._psi(np.abs(w)))))

    def jacobian_scale(self, w, J) -> float:
        """max(‖J‖_F, ‖J(|w|)‖_F): an entry of J is itself a sum of products of the chain and can cancel.

        Its round-off is bounded by the same chain of absolute values (Higham, Thm 3.5:
        |fl(AB) − AB| ≤ γ_n|A||B|), so J evaluated at |w| bounds it.
        """
        return max(float(np.linalg.norm(J)), float(np.linalg.norm(self.jacobian(np.abs(w)))))

    @property
    def scalar_chain(self) -> bool:
        """m = n = 1 and every width 1: θ = w₁⋯w_N, a product of N scalars (Shamir 2018)."""
        return self._scalar_chain

    def _psi_batch(self, W):
        if not self._scalar_chain:
            return self._psi_batch_layers(W)
        return np.prod(W, axis=1, keepdims=True)

    def _vjp_batch(self, W, G):
        if not self._scalar_chain:
            return self._vjp_batch_layers(W, G)
        # ∂(w₁⋯w_N)/∂w_i = Π_{j<i} w_j · Π_{j>i} w_j via prefix and suffix products (no division: a wᵢ may be 0)
        N = W.shape[1]
        if N == 1:
            return G[:, :1] * np.ones_like(W)
        pre = np.cumprod(W[:, :-1], axis=1)  # pre[:, i] = w₁⋯w_{i+1}
        suf = np.cumprod(W[:, :0:-1], axis=1)[:, ::-1]  # suf[:, i] = w_{i+2}⋯w_N
        out = np.empty_like(W)
        out[:, 0] = suf[:, 0]
        out[:, -1] = pre[:, -1]
        np.multiply(pre[:, :-1], suf[:, 1:], out=out[:, 1:-1])
        out *= G[:, :1]
        return out

    def _unpack_batch(self, W) -> list[np.ndarray]:
        """[W_1, …, W_N] of each row of W (B, p), each of shape (B, d_j, d_{j−1})."""
        o = self._offsets
        return [W[:, o[j]:o[j + 1]].reshape((len(W),) + self.shapes[j]) for j in range(self.N)]

    def _psi_batch_layers(self, W):
        """Row b: vec(W_N⋯W_1) of row b, as one batched matrix product per layer (bottom-up)."""
        Ws = self._unpack_batch(W)
        E = Ws[0]
        for Wj in Ws[1:]:
            E = np.matmul(Wj, E)
        return E.reshape(len(W), self._q)

    def _vjp_batch_layers(self, W, G):
        """Row b: (A_jᵀ G_b B_jᵀ)_j with A_j = W_N⋯W_{j+1} (top-down) and B_j = W_{j−1}⋯W_1 (bottom-up; B_1 = I)."""
        Bn = len(W)
        Ws = self._unpack_batch(W)
        bottoms = [None] * self.N
        for j in range(1, self.N):
            bottoms[j] = Ws[0] if j == 1 else np.matmul(Ws[j - 1], bottoms[j - 1])
        out = np.empty((Bn, self._p))
        o = self._offsets
        H = G.reshape(Bn, self.m, self.n)  # A_jᵀ G, starting at the top layer (A_N = I)
        for j in range(self.N - 1, -1, -1):
            block = H if j == 0 else np.matmul(H, bottoms[j].transpose(0, 2, 1))
            out[:, o[j]:o[j + 1]] = block.reshape(Bn, -1)
            if j:
                H = np.matmul(Ws[j].transpose(0, 2, 1), H)  # A_{j−1}ᵀG = W_jᵀ (A_jᵀ G)
        return out

    def _jacobian(self, w):
        Ws = self.unpack(w)
        tops, _ = self._tops(Ws)
        blocks, B = [], np.eye(self.n)
        for j in range(self.N):
            blocks.append(np.kron(tops[j], B.T))
            B = Ws[j] @ B
        return np.hstack(blocks)

    def _jvp(self, w, dw):
        Ws, dWs = self.unpack(w), self.unpack(dw)
        R = np.eye(self.m)
        dR = np.zeros((self.m, self.m))
        for j in range(self.N - 1, -1, -1):
            dR = dR @ Ws[j] + R @ dWs[j]
            if j:  # R = W_N⋯W_1 itself is not needed
                R = R @ Ws[j]
        return dR.ravel()

    def _vjp(self, w, g):
        Ws = self.unpack(w)
        tops, _ = self._tops(Ws)
        H = g.reshape(self.m, self.n).T  # H_1 = Gᵀ (n×m)
        out = np.empty(self._p)  # each block A_jᵀH_jᵀ written in place into its view
        for j, block in enumerate(self.unpack(out)):
            if self.m == 1:  # an outer product: broadcasting, as matmul over one term is slow
                np.multiply(tops[j].T, H.T, out=block)
            else:
                np.matmul(tops[j].T, H.T, out=block)
            if j < self.N - 1:
                H = Ws[j] @ H
        return out

    def _induced_step(self, w, g):
        # K g = Σ_j vec(A_jA_jᵀ G B_jᵀB_j). With H_j = B_jGᵀ (the vjp's chain) and
        # M_j = A_jA_jᵀH_jᵀ, the sum Σ_j M_j B_j = M_1 + (M_2 + (M_3 + …)W_2)W_1 is
        # accumulated by Horner's rule: two passes over W_1, as for J(Jᵀg) by hand,
        # instead of the four of jvp(vjp(g)).
        return self._induced_step_from(self.unpack(w), g, None)

    def _induced_step_from(self, Ws, g, h2):
        # Ws: the layers; h2: W_1Gᵀ if the caller has it already (see induced_step)
        tops, _ = self._tops(Ws)
        G = g.reshape(self.m, self.n)
        Hs = [G.T]  # Hs[j] = H_{j+1} = W_j⋯W_1Gᵀ (1-based W); Hs[1] = W_1Gᵀ is the first pass over W_1
        for j in range(1, self.N):
            Hs.append(h2 if j == 1 and h2 is not None else Ws[j - 1] @ Hs[-1])
        S = None
        for j in range(self.N - 1, 0, -1):  # S = M_N, then S ← M_j + S·W_j down to j = 2
            A = tops[j]
            M = (A @ A.T) @ Hs[j].T
            S = M if S is None else M + S @ Ws[j]
        # j = 1: M_1 = A_1A_1ᵀG, and S·W_1 is the second pass over W_1
        A = tops[0]
        AAt = A @ A.T
        if self.m == 1 and S is not None:
            # one output vector, K g = W_1ᵀSᵀ + ‖A_1‖²g, accumulated in place by BLAS's
            # y ← W_1ᵀs + y: S @ W_1 followed by += ‖A_1‖²g made a second n-vector
            # and took 1.5–3× as long at n = 10⁵ (and (1×1)·(1×n) through matmul ~6×)
            from scipy.linalg.blas import dgemv

            return dgemv(1.0, Ws[0].T, S[0], beta=1.0, y=AAt[0, 0] * g, overwrite_y=1)
        out = S @ Ws[0] if S is not None else np.zeros((self.m, self.n))
        out += AAt @ G
        return out.ravel()

    def induced_step(self, w, g) -> np.ndarray:
        """K g = J Jᵀ g; for one output row (m = 1, the deep linear net) W_1's finite check is folded in.

        As in TwoLayerLinear.induced_step: W_1 holds all but Σ_{j≥2} d_j·d_{j−1} of the
        weights (all but ~600 of 10⁶ in the benchmark) and K g reads it twice anyway,
        first as h = W_1g, which sums every (W_1)_il·g_l, so a NaN or ±inf in W_1
        makes h non-finite (inf·0 = NaN). The other layers are checked as usual; only
        if something is not finite is w scanned, which names the bad entry.
        """
        if self.m != 1 or self.N == 1 or type(self)._induced_step is not MatrixFactorization._induced_step \
                or type(self)._check_domain is not MatrixFactorization._check_domain:
            return super().induced_step(w, g)
        w = as_vector("w", w, self._p, finite=False)
        g = as_vector("g", g, self._q)
        Ws = self.unpack(w)
        h = Ws[0] @ g  # 1-D g: the dot-product gemv over the rows of W_1
        if not (_all_finite(w[self._offsets[1]:]) and np.isfinite(h).all()):
            self.check_w(w)  # a ValueError naming the non-finite entry, if there is one
        return check_result("induced_step(w, g)", self._induced_step_from(Ws, g, h[:, None]), w=w, g=g)

    def sample(self, rng=None, scale=1.0):
        scale = as_real("scale", scale)
        rng = np.random.default_rng(rng)
        # fan-in scaling keeps the end-to-end product of order `scale`
        return np.concatenate(
            [(scale ** (1 / self.N) * rng.standard_normal(s) / np.sqrt(s[1])).ravel() for s in self.shapes]
        )

    # function-preserving transforms
    def transform(self, w, P, layer: int = 0) -> np.ndarray:
        """W_{j} → P W_{j}, W_{j+1} → W_{j+1} P⁻¹ between layers ``layer`` and ``layer+1`` (0-based)."""
        Ws = [W.copy() for W in self.unpack(self.check_w(w))]
        j = self._hidden_layer(layer)
        P, Pinv = _invertible("P", P, self.dims[j + 1])
        Ws[j] = P @ Ws[j]
        Ws[j + 1] = Ws[j + 1] @ Pinv
        return np.concatenate([W.ravel() for W in Ws])

    def rescale(self, w, c, layer: int = 0) -> np.ndarray:
        """(c W_j, W_{j+1}/c) for c ≠ 0."""
        c = as_real("c", c, nonzero=True)
        return self.transform(w, c * np.eye(self.dims[self._hidden_layer(layer) + 1]), layer)

    def permute(self, w, perm, layer: int = 0) -> np.ndarray:
        """Hidden units between W_j and W_{j+1} permuted."""
        k = self.dims[self._hidden_layer(layer) + 1]
        perm = as_permutation("perm", perm, k)
        return self.transform(w, np.eye(k)[perm], layer)

    def _hidden_layer(self, layer) -> int:
        return as_index("layer", layer, self.N - 1, f"in range(N-1) = range({self.N - 1})")

    def symmetries(self):
        if self.N < 2:
            return []
        k = self.dims[1]
        return [
            Symmetry("permutation", permutations(k), self.permute),
            Symmetry("rescaling", nonzero_scales(), self.rescale),
            Symmetry("invertible P", invertible_matrices(k), self.transform),
        ]

    def origin(self) -> np.ndarray:
        """All layers zero."""
        return np.zeros(self._p)

    def balanced_point(self, E, rng=None) -> np.ndarray:
        """A balanced point (W_{j+1}ᵀW_{j+1} = W_j W_jᵀ) with end-to-end matrix E of rank ≤ 1.

        With E = σ a bᵀ: W_1 = s u_1 bᵀ, W_j = s u_j u_{j−1}ᵀ, W_N = s a u_{N−1}ᵀ,
        s = σ^{1/N}, u_j random unit vectors drawn from ``rng``; every W_j W_jᵀ = s² u_j u_jᵀ.
        E's second singular value may be round-off of forming σ a bᵀ, no more.
        """
        E = as_matrix("E", E, (self.m, self.n))
        a, s, bt = np.linalg.svd(E)
        # rank ≤ 1 up to round-off: E = σ a bᵀ formed in floating point is off by ‖ΔE‖₂ ≤ γ₂σ
        # (two roundings per entry), and the SVD, backward stable, is exact for a matrix within
        # about γ_{max(m,n)}‖E‖₂ of E: two rounded computations of depth 2 on max(m, n) terms
        if s.size > 1 and s[1] > roundoff(s[0], terms=max(self.m, self.n), depth=2):
            raise ValueError(f"E must have rank ≤ 1 for a balanced point here, but its singular values are {s}")
        rng = np.random.default_rng(rng)
        us = [bt[0]]
        for h in self.widths:
            u = rng.standard_normal(h)
            us.append(u / np.linalg.norm(u))
        us.append(a[:, 0])
        c = _nth_root(s[0], self.N)
        return np.concatenate([(c * np.outer(us[j + 1], us[j])).ravel() for j in range(self.N)])


def _nth_root(x: float, N: int) -> float:
    """x^{1/N} for x ≥ 0 to a few units of round-off at any scale.

    x ** (1/N) rounds the exponent 1/N, which costs a relative error up to |ln x|·u/N: 55u at
    x = 1e72, N = 3. With x = f·2^{Nk + r} (0.5 ≤ f < 1, 0 ≤ r < N) the power of two 2^k is
    exact and the rounded exponent acts on f·2^r ∈ [1/2, 2^{N−1}), where |ln| < N·ln 2.
    """
    if x == 0:
        return 0.0
    f, e = np.frexp(x)
    k, r = divmod(int(e), N)
    return float(np.ldexp((f * 2.0**r) ** (1.0 / N), k))


class DeepLinear(MatrixFactorization):
    r"""N-layer deep linear network with scalar output, f(x) = W_N⋯W_1 x, x ∈ R^d.

    θ = (W_N⋯W_1)ᵀ ∈ R^d: the factorization with m = 1. Hidden widths default to d.
    At a balanced point the induced step is ‖θ‖^{2−2/N}(g + (N−1)θ̂θ̂ᵀg)
    (Arora, Cohen & Hazan 2018).
    """

    #: how w is laid out, and the sizes (the README's models table)
    LAYOUT = ("w = (W_1, …, W_N), each row by row: W_1 ∈ R^{width×d}, W_N ∈ R^{1×width}; θ = (W_N⋯W_1)ᵀ, q = d"
              " the inputs' dimension.")

    family = "deep-linear"

    def __init__(self, d: int = 2, N: int = 3, width: int | None = None, widths=None):
        d = as_positive("d", d, integer=True)
        super().__init__(1, d, N, width=d if (width is None and widths is None) else width, widths=widths)
        self.d = d

    def spec(self):
        s = super().spec()
        s.pop("m")
        s["d"] = s.pop("n")
        return s

    @classmethod
    def instances(cls, max_dim=4):
        """d, width ∈ 1…max_dim, N ∈ 2…4."""
        dim = st.integers(1, max_dim)
        return st.builds(cls, d=dim, N=st.integers(2, 4), width=dim)

import numpy as np

import overparam.parameterizations as P


def test_zoo_members_have_consistent_sizes():
    for m in P.zoo():
        w = m.sample(0)
        assert m.psi(w).shape == (m.n_canonical,)
        assert m.jacobian(w).shape == (m.n_canonical, m.n_params)

"""``python -m reports``: for now, list the zoo with its sizes."""

from parameterizations import zoo

for m in zoo():
    print(f"{m.label:40s} p={m.n_params:4d} q={m.n_canonical:3d}")

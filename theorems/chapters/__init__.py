"""The built-in claims, one module per section of the post (the cited papers in further_reading)."""

from . import (  # noqa: F401  (each import registers its claims)
    overparameterization,
    gradient_dynamics,
    variety,
    takeaways,
    general_view,
    hidden_units,
    exploding_gradients,
    canonical,
    gradient_fields,
    further_reading,
    step_size,
    saddle_escape,
    scalar_chain,
    completion_rank,
    elementwise_bias,
    woodworth,
)

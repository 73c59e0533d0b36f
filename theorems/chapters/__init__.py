"""The built-in claims: one module per group of claims, each claim filed under a section of the post.

Importing this package registers every claim (through :func:`overparam.theorems.registry.claim`). A
module holds the claims of one argument of the post, with their checks, strategies and plots;
the section a claim belongs to is data (:mod:`overparam.theorems.sections`), so one section may span
several modules. No chapter imports another (``tests/test_chapter_independence.py``): what
chapters share lives beside them in :mod:`overparam.theorems` — :mod:`overparam.theorems.geometry` (angles, planes,
the round-off of a step), :mod:`overparam.theorems.style` (colours and drawing helpers),
:mod:`overparam.theorems.example_strategies` (strategies of examples), :mod:`overparam.theorems.experiments` (conventions of
the descent claims) and :mod:`overparam.theorems.flow_limits` (where gradient flow ends, Q_α).

Module, its claims and their section (a name of :mod:`overparam.theorems.sections`)::

    overparameterization  C01–C03                         OVER_PARAMETERIZATION
    gradient_dynamics     C04–C08                         GRADIENT_DYNAMICS
    variety               C09–C13                         VARIETY
    takeaways             C14                             TAKEAWAYS
    step_size             C15                             TAKEAWAYS
    general_view          C16–C19                         GENERAL_VIEW
    saddle_escape         C18b                            GENERAL_VIEW
    hidden_units          C20–C22w                        GENERAL_VIEW
    exploding_gradients   C23                             GENERAL_VIEW
    canonical             C24–C26                         CANONICAL
    gradient_fields       C27, C28, C30a, C30b, C32, C33  GRADIENT_FIELDS
    elementwise_bias      C29, C29b, C29c, C31            GRADIENT_FIELDS
    further_reading       C34, C35, C35e, C35u            FURTHER_READING
    completion_rank       C36                             FURTHER_READING
    scalar_chain          C37                             FURTHER_READING
    woodworth             C38                             FURTHER_READING
"""

from . import (  # noqa: F401  (each import registers its claims)
    overparameterization,
    gradient_dynamics,
    variety,
    takeaways,
    step_size,
    general_view,
    saddle_escape,
    hidden_units,
    exploding_gradients,
    canonical,
    gradient_fields,
    elementwise_bias,
    further_reading,
    completion_rank,
    scalar_chain,
    woodworth,
)
